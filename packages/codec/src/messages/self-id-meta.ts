/** Self-ID's table (see meta.ts; layout: remote-id-spec.md §2.4). */

import { PROTOCOL_VERSION, type EnumMeta, type MessageMeta } from './meta.js';
import { MessageType, type SelfIdMessage } from './types.js';

export const DESC_SIZE = 23;

/** 1 and 2 came with F3411-22a. */
export const DESC_TYPE: EnumMeta = { names: ['text description', 'emergency description', 'extended status'], max: 255, privateFrom: 201 };

export const SELF_ID_META: MessageMeta<SelfIdMessage> = {
  type: 'selfId',
  messageType: MessageType.selfId,
  name: 'Self-ID',
  fields: {
    protocolVersion: PROTOCOL_VERSION,
    descType: { enum: DESC_TYPE },
    desc: { size: DESC_SIZE },
  },
};
