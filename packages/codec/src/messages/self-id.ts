/** Self-ID (type 0x3): a description type and 23 characters of free text. */

import { readLatin1Field } from '../bytes.js';
import { FieldStringCache } from '../field-string-cache.js';
import { encodeLatin1, requireInt } from './fields.js';
import { encodeHeader } from './header.js';
import { DESC_SIZE, DESC_TYPE } from './self-id-meta.js';
import { MESSAGE_SIZE, MessageType, type EncodeInput, type SelfIdMessage } from './types.js';

const OFF = { descType: 1, desc: 2 } as const;
/** The text, built once per distinct field (field-string-cache.ts). */
const DESC_TEXT = new FieldStringCache(DESC_SIZE, readLatin1Field);

export function decodeSelfId(b: Uint8Array, o: number): SelfIdMessage {
  return {
    type: 'selfId',
    protocolVersion: b[o]! & 0x0f,
    descType: b[o + OFF.descType]!,
    desc: DESC_TEXT.get(b, o + OFF.desc),
  };
}

export function encodeSelfId(m: EncodeInput<SelfIdMessage>, path = 'selfId'): Uint8Array {
  const out = new Uint8Array(MESSAGE_SIZE);
  out[0] = encodeHeader(MessageType.selfId, path, m.protocolVersion);
  out[OFF.descType] = requireInt(`${path}.descType`, m.descType, 0, DESC_TYPE.max);
  encodeLatin1(`${path}.desc`, m.desc, out, OFF.desc, DESC_SIZE);
  return out;
}
