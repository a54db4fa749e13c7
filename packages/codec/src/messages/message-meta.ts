/** Every message type's table (the `<message>-meta.ts` files), by decoded type and by header type nibble. */

import { AUTH_META } from './auth-meta.js';
import { BASIC_ID_META } from './basic-id-meta.js';
import { LOCATION_META } from './location-meta.js';
import { MESSAGE_PACK_META } from './message-pack-meta.js';
import type { MessageMeta } from './meta.js';
import { OPERATOR_ID_META } from './operator-id-meta.js';
import { SELF_ID_META } from './self-id-meta.js';
import { SYSTEM_META } from './system-meta.js';
import type { OdidMessage, SingleMessage } from './types.js';

type MetaOf<T extends OdidMessage['type']> = MessageMeta<Extract<OdidMessage, { type: T }>>;
export type AnyMessageMeta = { [T in OdidMessage['type']]: MetaOf<T> }[OdidMessage['type']];

export const MESSAGE_META: { readonly [T in OdidMessage['type']]: MetaOf<T> } = {
  basicId: BASIC_ID_META,
  location: LOCATION_META,
  auth: AUTH_META,
  selfId: SELF_ID_META,
  system: SYSTEM_META,
  operatorId: OPERATOR_ID_META,
  messagePack: MESSAGE_PACK_META,
};

/** The six single messages' tables, index = message type (0x0..0x5). */
export const SINGLE_MESSAGE_META: readonly { [T in SingleMessage['type']]: MetaOf<T> }[SingleMessage['type']][] = [
  BASIC_ID_META,
  LOCATION_META,
  AUTH_META,
  SELF_ID_META,
  SYSTEM_META,
  OPERATOR_ID_META,
];
