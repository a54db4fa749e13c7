/**
 * Message Pack (type 0xF): header, single-message size (25), count N (1..9), then N messages.
 * Content rules (message-pack-meta.ts) follow the reference: members are types 0x0-0x5 only (never a
 * pack), at most two Basic IDs and one each of Location, Self-ID, System and Operator ID; authentication
 * pages may repeat. Bytes after the N messages are padding (real transmitters zero-fill the pack area) and
 * are ignored.
 */

import { DecodeError, EncodeError } from '../errors.js';
import { requireInt } from './fields.js';
import { encodeHeader } from './header.js';
import { PACK_HEADER_SIZE, PACK_MAX_MESSAGES, PACK_MAX_PER_TYPE } from './message-pack-meta.js';
import { SINGLE_MESSAGE_META } from './message-meta.js';
import { MESSAGE_SIZE, MessageType, type MessagePack, type MessagePackInput, type PackMemberError, type SingleMessage } from './types.js';

/** The pack rules by message type nibble: the most of each type, and its name for errors. */
const MAX_BY_TYPE = SINGLE_MESSAGE_META.map((m) => PACK_MAX_PER_TYPE[m.type]);
const TYPE_NAMES = SINGLE_MESSAGE_META.map((m) => m.name);

type SingleDecoder = (b: Uint8Array, o: number) => SingleMessage;
type SingleEncoder = (m: never, path: string) => Uint8Array;

/** Scratch for the member types of the pack being decoded, and for the counts by type: no arrays per pack. */
const memberTypes = new Uint8Array(PACK_MAX_MESSAGES);
const typeCounts = new Uint8Array(MAX_BY_TYPE.length);

/** Checks the member types of a pack (the first `count` of `types`); returns a description of the first violation, if any. */
function checkPackMemberTypes(types: ArrayLike<number>, count: number): { index: number; reason: string } | undefined {
  const counts = typeCounts.fill(0);
  for (let i = 0; i < count; i++) {
    const t = types[i]!;
    const max = MAX_BY_TYPE[t];
    if (max === undefined) {
      return { index: i, reason: t === MessageType.messagePack ? 'a pack cannot contain a pack' : `message type ${t} is reserved` };
    }
    if (++counts[t]! > max) {
      return { index: i, reason: `a pack holds at most ${max} ${TYPE_NAMES[t]} message(s)` };
    }
  }
  return undefined;
}

export function decodeMessagePack(b: Uint8Array, o: number, decodeSingle: SingleDecoder): MessagePack {
  if (b.length - o < PACK_HEADER_SIZE) {
    throw new DecodeError('truncated', b.length, `a message pack needs a ${PACK_HEADER_SIZE}-byte header, ${b.length - o} byte(s) present`, 'pack');
  }
  const size = b[o + 1]!;
  if (size !== MESSAGE_SIZE) throw new DecodeError('malformed', o + 1, `single message size is ${size}, expected ${MESSAGE_SIZE}`, 'pack.singleMessageSize');
  const count = b[o + 2]!;
  if (count === 0 || count > PACK_MAX_MESSAGES) {
    throw new DecodeError('malformed', o + 2, `message count is ${count}, expected 1..${PACK_MAX_MESSAGES}`, 'pack.messages');
  }
  const needed = PACK_HEADER_SIZE + count * MESSAGE_SIZE;
  if (b.length - o < needed) {
    throw new DecodeError('truncated', b.length, `the pack declares ${count} messages (${needed} bytes) but ${b.length - o} bytes are present`, 'pack');
  }
  for (let i = 0; i < count; i++) memberTypes[i] = b[o + PACK_HEADER_SIZE + i * MESSAGE_SIZE]! >> 4;
  const bad = checkPackMemberTypes(memberTypes, count);
  if (bad) throw new DecodeError('malformed', o + PACK_HEADER_SIZE + bad.index * MESSAGE_SIZE, bad.reason, `pack[${bad.index}]`);

  const messages: SingleMessage[] = [];
  let memberErrors: PackMemberError[] | undefined;
  for (let i = 0; i < count; i++) {
    const mo = o + PACK_HEADER_SIZE + i * MESSAGE_SIZE;
    try {
      messages.push(decodeSingle(b, mo));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      (memberErrors ??= []).push({ index: i, offset: e.offset, code: e.code, reason: e.reason });
    }
  }
  const pack: MessagePack = { type: 'messagePack', protocolVersion: b[o]! & 0x0f, singleMessageSize: size, messages };
  if (memberErrors) pack.memberErrors = memberErrors;
  return pack;
}

export function encodeMessagePack(m: MessagePackInput, encodeSingle: (m: never, path: string) => Uint8Array, path = 'messagePack'): Uint8Array {
  if (m.singleMessageSize !== undefined && m.singleMessageSize !== MESSAGE_SIZE) {
    throw new EncodeError('out-of-range', `${path}.singleMessageSize`, m.singleMessageSize, `${MESSAGE_SIZE}`);
  }
  if (!Array.isArray(m.messages)) throw new EncodeError('missing', `${path}.messages`, m.messages, 'an array of 1..9 messages');
  requireInt(`${path}.messages.length`, m.messages.length, 1, PACK_MAX_MESSAGES);
  const members = m.messages.map((msg, i) => (encodeSingle as SingleEncoder)(msg as never, `${path}.messages[${i}]`));
  const bad = checkPackMemberTypes(members.map((bytes) => bytes[0]! >> 4), members.length);
  if (bad) throw new EncodeError('invalid', `${path}.messages[${bad.index}]`, m.messages[bad.index]?.type, bad.reason);
  const out = new Uint8Array(PACK_HEADER_SIZE + members.length * MESSAGE_SIZE);
  out[0] = encodeHeader(MessageType.messagePack, path, m.protocolVersion);
  out[1] = MESSAGE_SIZE;
  out[2] = members.length;
  members.forEach((bytes, i) => out.set(bytes, PACK_HEADER_SIZE + i * MESSAGE_SIZE));
  return out;
}
