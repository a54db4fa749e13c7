/**
 * DRIP Wrapper (SAM type 0x02): the UA signs 1..4 complete 25-byte messages (types 0, 1, 3, 4, 5, in type
 * order, header byte included, no counter), which it also sends in the clear. An evidence length of 0 is the
 * extended wrapper: inside a message pack, the signed messages are the pack's other members, put back in
 * message-type order by the receiver (`withPackEvidence`).
 */

import { DecodeError, EncodeError } from '../errors.js';
import { MESSAGE_SIZE, MessageType } from '../messages/types.js';
import { EVIDENCE_OFFSET, decodeUaSigned, encodeUaSigned, uaSignedBytes } from './evidence.js';
import { WRAPPABLE_TYPES, WRAPPER_MAX_MESSAGES } from './limits.js';
import { SAM_TYPE, type DripWrapper, type Unsigned } from './types.js';

export function decodeWrapper(data: Uint8Array): DripWrapper {
  const s = decodeUaSigned(data, 'wrapper');
  const n = s.evidence.length;
  if (n % MESSAGE_SIZE !== 0) throw new DecodeError('malformed', EVIDENCE_OFFSET, `length ${n} is not a multiple of ${MESSAGE_SIZE}`, 'drip.wrapper.evidence');
  const count = n / MESSAGE_SIZE;
  if (count > WRAPPER_MAX_MESSAGES) throw new DecodeError('malformed', EVIDENCE_OFFSET, `${count} messages, at most ${WRAPPER_MAX_MESSAGES} may be wrapped`, 'drip.wrapper.evidence');
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) messages.push(s.evidence.slice(i * MESSAGE_SIZE, (i + 1) * MESSAGE_SIZE));
  const problem = wrappedMessagesProblem(messages);
  if (problem) throw new DecodeError('malformed', EVIDENCE_OFFSET + problem.index * MESSAGE_SIZE, problem.reason, `drip.wrapper.evidence[${problem.index}]`);
  return { type: 'wrapper', vnb: s.vnb, vna: s.vna, messages, extended: n === 0, uaDet: s.uaDet, signature: s.signature };
}

/** The evidence the UA signed: the wrapped messages back to back (those of the pack, for an extended wrapper). */
export function wrapperEvidence(w: Pick<DripWrapper, 'messages'>): Uint8Array {
  const out = new Uint8Array(w.messages.length * MESSAGE_SIZE);
  w.messages.forEach((m, i) => {
    if (!(m instanceof Uint8Array) || m.length !== MESSAGE_SIZE) throw new EncodeError('invalid', `drip.wrapper.messages[${i}]`, m, `a ${MESSAGE_SIZE}-byte message`);
    out.set(m, i * MESSAGE_SIZE);
  });
  return out;
}

export function wrapperSignedBytes(w: Unsigned<DripWrapper>): Uint8Array {
  checkWrapped(w);
  return uaSignedBytes(w, wrapperEvidence(w), 'wrapper');
}

/** SAM type byte and the Wrapper; an extended wrapper sends no evidence (its messages are its pack's). */
export function encodeWrapper(w: DripWrapper): Uint8Array {
  checkWrapped(w);
  return encodeUaSigned(SAM_TYPE.wrapper, w, w.extended ? new Uint8Array(0) : wrapperEvidence(w), 'wrapper');
}

/**
 * The messages an extended wrapper signs: the pack's members other than Authentication pages, in message-type
 * order (members of the same type keep their pack order). `members` are the pack's 25-byte messages.
 */
export function extendedWrapperMessages(members: readonly Uint8Array[]): Uint8Array[] {
  return members
    .filter((m) => m.length === MESSAGE_SIZE && m[0]! >> 4 !== MessageType.auth)
    .map((m, i) => ({ m, i }))
    .sort((a, b) => (a.m[0]! >> 4) - (b.m[0]! >> 4) || a.i - b.i)
    .map(({ m }) => m.slice());
}

/** An extended wrapper with its evidence rebuilt from the pack it came in; other wrappers are returned as they are. */
export function withPackEvidence(w: DripWrapper, members: readonly Uint8Array[]): DripWrapper {
  return w.extended ? { ...w, messages: extendedWrapperMessages(members) } : w;
}

function checkWrapped(w: Unsigned<DripWrapper>): void {
  if (!Array.isArray(w.messages)) throw new EncodeError('invalid', 'drip.wrapper.messages', w.messages, 'an array of 25-byte messages');
  // An extended wrapper signs its pack's members, which the pack bounds; the others carry 1..4 messages.
  if (!w.extended && (w.messages.length < 1 || w.messages.length > WRAPPER_MAX_MESSAGES)) {
    throw new EncodeError('out-of-range', 'drip.wrapper.messages', `${w.messages.length} messages`, `1..${WRAPPER_MAX_MESSAGES} messages (or extended: true)`);
  }
  const problem = wrappedMessagesProblem(w.messages);
  if (problem) throw new EncodeError('invalid', `drip.wrapper.messages[${problem.index}]`, `type ${w.messages[problem.index]![0]! >> 4}`, problem.reason);
}

/** The first message that breaks the rules (size, type, type order), if any. */
function wrappedMessagesProblem(messages: readonly Uint8Array[]): { index: number; reason: string } | undefined {
  let previousType = -1;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (!(m instanceof Uint8Array) || m.length !== MESSAGE_SIZE) return { index: i, reason: `a wrapped message has ${MESSAGE_SIZE} bytes` };
    const type = m[0]! >> 4;
    if (!WRAPPABLE_TYPES.includes(type)) return { index: i, reason: `message type ${type} cannot be wrapped (only ${WRAPPABLE_TYPES.join(', ')})` };
    if (type < previousType) return { index: i, reason: `message type ${type} after type ${previousType}: wrapped messages go in message-type order` };
    previousType = type;
  }
  return undefined;
}
