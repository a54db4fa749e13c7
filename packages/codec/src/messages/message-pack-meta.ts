/**
 * Message Pack's table (see meta.ts; remote-id-spec.md §2.7) and the pack rules, as the reference applies
 * them: at most 9 members, each of types 0x0-0x5 (never a pack), at most two Basic IDs and one each of
 * Location, Self-ID, System and Operator ID; authentication pages may repeat. The decoder, the encoder,
 * packMessages and the broadcaster's scheduler all read them here.
 */

import { PROTOCOL_VERSION, type MessageMeta } from './meta.js';
import { MESSAGE_SIZE, MessageType, type MessagePack, type SingleMessage } from './types.js';

export const PACK_HEADER_SIZE = 3;
export const PACK_MAX_MESSAGES = 9;
/** The most of each member type one pack may hold; a type not listed never goes in a pack. */
export const PACK_MAX_PER_TYPE: { readonly [K in SingleMessage['type']]: number } = {
  basicId: 2,
  location: 1,
  auth: 16,
  selfId: 1,
  system: 1,
  operatorId: 1,
};

export const MESSAGE_PACK_META: MessageMeta<MessagePack> = {
  type: 'messagePack',
  messageType: MessageType.messagePack,
  name: 'Message Pack',
  fields: {
    protocolVersion: PROTOCOL_VERSION,
    singleMessageSize: { unit: 'bytes', min: MESSAGE_SIZE, max: MESSAGE_SIZE },
    messages: { min: 0, max: PACK_MAX_MESSAGES },
    // Only when some members did not decode.
    memberErrors: { optional: true },
  },
};
