/** Authentication's table (see meta.ts; layout: remote-id-spec.md §2.3): auth types, page sizes and limits. */

import { EPOCH_2019_TIMESTAMP, PROTOCOL_VERSION, type EnumMeta, type MessageMeta } from './meta.js';
import { MessageType, type AuthMessage } from './types.js';

/** Data bytes on page 0 and on each later page. */
export const AUTH_PAGE0_DATA = 17;
export const AUTH_PAGEN_DATA = 23;
/** Pages 0..15 (F3411-20 and later). */
export const AUTH_MAX_PAGES = 16;
/** Bytes of authentication data over all pages. */
export const AUTH_MAX_LENGTH = 255;

export const AUTH_TYPE: EnumMeta = {
  names: [
    'none',
    'UAS ID signature',
    'operator ID signature',
    'message set signature',
    'authentication by network remote ID',
    'specific authentication method',
  ],
  max: 15,
  privateFrom: 10,
};

export const AUTH_META: MessageMeta<AuthMessage> = {
  type: 'auth',
  messageType: MessageType.auth,
  name: 'Authentication',
  fields: {
    protocolVersion: PROTOCOL_VERSION,
    authType: { enum: AUTH_TYPE },
    dataPage: { min: 0, max: AUTH_MAX_PAGES - 1 },
    // Page 0 only: the header of the whole signature.
    lastPageIndex: { min: 0, max: AUTH_MAX_PAGES - 1, optional: true },
    length: { unit: 'bytes', min: 0, max: AUTH_MAX_LENGTH, optional: true },
    timestamp: { ...EPOCH_2019_TIMESTAMP, optional: true },
    // Hex of this page's data bytes: AUTH_PAGE0_DATA on page 0, AUTH_PAGEN_DATA on the others.
    authData: { size: AUTH_PAGEN_DATA },
  },
};
