/** Operator ID (type 0x5): the operator registration number (EU: the 16 public characters). */

import { readLatin1Field } from '../bytes.js';
import { FieldStringCache } from '../field-string-cache.js';
import { encodeLatin1, requireInt } from './fields.js';
import { encodeHeader } from './header.js';
import { OPERATOR_ID_SIZE, OPERATOR_ID_TYPE } from './operator-id-meta.js';
import { MESSAGE_SIZE, MessageType, type EncodeInput, type OperatorIdMessage } from './types.js';

const OFF = { operatorIdType: 1, operatorId: 2 } as const;
/** The ID, built once per distinct field (field-string-cache.ts). */
const OPERATOR_ID_TEXT = new FieldStringCache(OPERATOR_ID_SIZE, readLatin1Field);

export function decodeOperatorId(b: Uint8Array, o: number): OperatorIdMessage {
  return {
    type: 'operatorId',
    protocolVersion: b[o]! & 0x0f,
    operatorIdType: b[o + OFF.operatorIdType]!,
    operatorId: OPERATOR_ID_TEXT.get(b, o + OFF.operatorId),
  };
}

export function encodeOperatorId(m: EncodeInput<OperatorIdMessage>, path = 'operatorId'): Uint8Array {
  const out = new Uint8Array(MESSAGE_SIZE);
  out[0] = encodeHeader(MessageType.operatorId, path, m.protocolVersion);
  out[OFF.operatorIdType] = requireInt(`${path}.operatorIdType`, m.operatorIdType, 0, OPERATOR_ID_TYPE.max);
  encodeLatin1(`${path}.operatorId`, m.operatorId, out, OFF.operatorId, OPERATOR_ID_SIZE);
  return out;
}
