/** Basic ID (type 0x0): ID type and UA type nibbles, then the 20-byte UAS ID, then 3 reserved bytes. */

import { toHex, readLatin1Field } from '../bytes.js';
import { EncodeError } from '../errors.js';
import { FieldStringCache } from '../field-string-cache.js';
import { encodeHexField, encodeLatin1, requireInt } from './fields.js';
import { ID_TYPE, UA_TYPE, UAS_ID_SIZE } from './basic-id-meta.js';
import { encodeHeader } from './header.js';
import { MESSAGE_SIZE, MessageType, type BasicIdInput, type BasicIdMessage } from './types.js';

const OFF = { types: 1, uasId: 2 } as const;
/** ID types whose 20 bytes are binary (UTM UUID, specific session ID) rather than text. */
export const isBinaryIdType = (idType: number): boolean => idType === 3 || idType === 4;

/** The ID as text and as hex, built once per distinct ID (field-string-cache.ts). */
const UAS_ID_TEXT = new FieldStringCache(UAS_ID_SIZE, readLatin1Field);
const UAS_ID_HEX = new FieldStringCache(UAS_ID_SIZE, (b, start, size) => toHex(b, start, start + size));

export function decodeBasicId(b: Uint8Array, o: number): BasicIdMessage {
  const idType = b[o + OFF.types]! >> 4;
  const m: BasicIdMessage = {
    type: 'basicId',
    protocolVersion: b[o]! & 0x0f,
    idType,
    uaType: b[o + OFF.types]! & 0x0f,
    uasId: UAS_ID_TEXT.get(b, o + OFF.uasId),
  };
  if (isBinaryIdType(idType)) m.uasIdHex = UAS_ID_HEX.get(b, o + OFF.uasId);
  return m;
}

export function encodeBasicId(m: BasicIdInput, path = 'basicId'): Uint8Array {
  const out = new Uint8Array(MESSAGE_SIZE);
  out[0] = encodeHeader(MessageType.basicId, path, m.protocolVersion);
  const idType = requireInt(`${path}.idType`, m.idType, 0, ID_TYPE.max);
  const uaType = requireInt(`${path}.uaType`, m.uaType, 0, UA_TYPE.max);
  out[OFF.types] = (idType << 4) | uaType;
  // The hex form, when given, is exact for binary IDs; the text form covers every other case.
  if (m.uasIdHex !== undefined) encodeHexField(`${path}.uasIdHex`, m.uasIdHex, out, OFF.uasId, UAS_ID_SIZE);
  else if (m.uasId !== undefined) encodeLatin1(`${path}.uasId`, m.uasId, out, OFF.uasId, UAS_ID_SIZE);
  else throw new EncodeError('missing', `${path}.uasId`, undefined, 'a UAS ID string (or uasIdHex for ID types 3 and 4)');
  return out;
}
