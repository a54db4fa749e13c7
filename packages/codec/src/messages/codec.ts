/** Entry points: decode any message or pack from bytes, encode any decoded-form value to bytes. */

import { DecodeError, EncodeError } from '../errors.js';
import { decodeAuth, encodeAuth } from './auth.js';
import { decodeBasicId, encodeBasicId } from './basic-id.js';
import { decodeLocation, encodeLocation } from './location.js';
import { decodeMessagePack, encodeMessagePack } from './message-pack.js';
import { decodeOperatorId, encodeOperatorId } from './operator-id.js';
import { decodeSelfId, encodeSelfId } from './self-id.js';
import { decodeSystem, encodeSystem } from './system.js';
import { MESSAGE_SIZE, MessageType, type OdidMessage, type OdidMessageInput, type SingleMessage, type SingleMessageInput } from './types.js';

/** Decodes one 25-byte message at `offset` (not a pack); needs 25 bytes there, ignores any after. */
export function decodeSingleMessage(bytes: Uint8Array, offset = 0): SingleMessage {
  if (bytes.length - offset >= MESSAGE_SIZE) {
    const m = decodeSingleOfType(bytes[offset]! >> 4, bytes, offset);
    if (m !== undefined) return m;
  }
  return refuseSingleMessage(bytes, offset);
}

/**
 * Decodes the message or message pack starting at `offset`. Bytes after a single message's 25, or
 * after a pack's N×25, are ignored (transports pad); use `decodeMessageExact` to refuse them.
 */
export function decodeMessage(bytes: Uint8Array, offset = 0): OdidMessage {
  if (bytes.length - offset >= MESSAGE_SIZE) {
    const type = bytes[offset]! >> 4;
    const m = decodeSingleOfType(type, bytes, offset);
    if (m !== undefined) return m;
    if (type === MessageType.messagePack) return decodeMessagePack(bytes, offset, decodeSingleMessage);
  } else if (bytes.length - offset >= 1 && bytes[offset]! >> 4 === MessageType.messagePack) {
    return decodeMessagePack(bytes, offset, decodeSingleMessage); // too short: the pack says why
  }
  return refuseSingleMessage(bytes, offset);
}

/** The decoder of each single message type (the header's high nibble), called directly: each call site stays monomorphic. */
function decodeSingleOfType(type: number, bytes: Uint8Array, offset: number): SingleMessage | undefined {
  switch (type) {
    case MessageType.basicId:
      return decodeBasicId(bytes, offset);
    case MessageType.location:
      return decodeLocation(bytes, offset);
    case MessageType.auth:
      return decodeAuth(bytes, offset);
    case MessageType.selfId:
      return decodeSelfId(bytes, offset);
    case MessageType.system:
      return decodeSystem(bytes, offset);
    case MessageType.operatorId:
      return decodeOperatorId(bytes, offset);
    default:
      return undefined;
  }
}

/** Why there is no single message at `offset`: too few bytes, a pack, or a reserved type. */
function refuseSingleMessage(bytes: Uint8Array, offset: number): never {
  if (bytes.length - offset < 1) throw new DecodeError('truncated', offset, 'no bytes where a message should start');
  const type = bytes[offset]! >> 4;
  if (type > MessageType.operatorId) {
    throw new DecodeError(
      'unsupported',
      offset,
      type === MessageType.messagePack ? 'a message pack where a single message was expected' : `message type ${type} is reserved`,
      'type',
    );
  }
  throw new DecodeError('truncated', bytes.length, `a message needs ${MESSAGE_SIZE} bytes, ${bytes.length - offset} present`);
}

/** Like decodeMessage, but a single message must be exactly 25 bytes (a pack may still be padded). */
export function decodeMessageExact(bytes: Uint8Array): OdidMessage {
  const m = decodeMessage(bytes);
  if (m.type !== 'messagePack' && bytes.length !== MESSAGE_SIZE) {
    throw new DecodeError('malformed', MESSAGE_SIZE, `${bytes.length - MESSAGE_SIZE} byte(s) after the 25-byte message`);
  }
  return m;
}

/** Encodes one 25-byte message from its decoded form (protocolVersion defaults to 2). */
export function encodeSingleMessage(m: SingleMessageInput, path?: string): Uint8Array {
  switch (m?.type) {
    case 'basicId':
      return encodeBasicId(m, path);
    case 'location':
      return encodeLocation(m, path);
    case 'auth':
      return encodeAuth(m, path);
    case 'selfId':
      return encodeSelfId(m, path);
    case 'system':
      return encodeSystem(m, path);
    case 'operatorId':
      return encodeOperatorId(m, path);
    default:
      throw new EncodeError('invalid', path ? `${path}.type` : 'type', (m as { type?: unknown })?.type, 'basicId, location, auth, selfId, system or operatorId');
  }
}

/** Encodes a message or a message pack from its decoded form. */
export function encodeMessage(m: OdidMessageInput): Uint8Array {
  if (m?.type === 'messagePack') return encodeMessagePack(m, encodeSingleMessage as (m: never, path: string) => Uint8Array);
  return encodeSingleMessage(m as SingleMessageInput);
}
