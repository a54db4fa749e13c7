/** Operator ID's table (see meta.ts; layout: remote-id-spec.md §2.6). */

import { PROTOCOL_VERSION, type EnumMeta, type MessageMeta } from './meta.js';
import { MessageType, type OperatorIdMessage } from './types.js';

export const OPERATOR_ID_SIZE = 20;

export const OPERATOR_ID_TYPE: EnumMeta = { names: ['operator ID'], max: 255, privateFrom: 201 };

export const OPERATOR_ID_META: MessageMeta<OperatorIdMessage> = {
  type: 'operatorId',
  messageType: MessageType.operatorId,
  name: 'Operator ID',
  fields: {
    protocolVersion: PROTOCOL_VERSION,
    operatorIdType: { enum: OPERATOR_ID_TYPE },
    operatorId: { size: OPERATOR_ID_SIZE },
  },
};
