/** Operator ID (type 0x5): the operator registration number (EU: the 16 public characters). */

import { readLatin1Field } from '../bytes.js';
import { encodeLatin1, requireInt } from './fields.js';
import { encodeHeader } from './header.js';
import { OPERATOR_ID_SIZE, OPERATOR_ID_TYPE } from './operator-id-meta.js';
import { MESSAGE_SIZE, MessageType, type EncodeInput, type OperatorIdMessage } from './types.js';

const OFF = { operatorIdType: 1, operatorId: 2 } as const;

export function decodeOperatorId(b: Uint8Array, o: number): OperatorIdMessage {
  return {
    type: 'operatorId',
    protocolVersion: b[o]! & 0x0f,
    operatorIdType: b[o + OFF.operatorIdType]!,
    operatorId: readLatin1Field(b, o + OFF.operatorId, OPERATOR_ID_SIZE),
  };
}

export function encodeOperatorId(m: EncodeInput<OperatorIdMessage>, path = 'operatorId'): Uint8Array {
  const out = new Uint8Array(MESSAGE_SIZE);
  out[0] = encodeHeader(MessageType.operatorId, path, m.protocolVersion);
  out[OFF.operatorIdType] = requireInt(`${path}.operatorIdType`, m.operatorIdType, 0, OPERATOR_ID_TYPE.max);
  encodeLatin1(`${path}.operatorId`, m.operatorId, out, OFF.operatorId, OPERATOR_ID_SIZE);
  return out;
}
