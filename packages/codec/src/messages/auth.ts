/**
 * Authentication (type 0x2), one page per message. Page 0 carries the header of the whole signature
 * (last page index, length, timestamp) and 17 data bytes; pages 1..15 carry 23 data bytes each.
 */

import { toHex, u32le, putU32le } from '../bytes.js';
import { DecodeError, EncodeError } from '../errors.js';
import { FieldStringCache } from '../field-string-cache.js';
import { encodeHexField, requireInt } from './fields.js';
import { AUTH_MAX_LENGTH, AUTH_MAX_PAGES, AUTH_PAGE0_DATA, AUTH_PAGEN_DATA, AUTH_TYPE } from './auth-meta.js';
import { encodeHeader } from './header.js';
import { EPOCH_2019_TIMESTAMP } from './meta.js';
import { MESSAGE_SIZE, MessageType, type AuthMessage, type EncodeInput } from './types.js';

const OFF = { typePage: 1, lastPageIndex: 2, length: 3, timestamp: 4, page0Data: 8, pageNData: 2 } as const;
/** Each page's data as hex, built once per distinct page (field-string-cache.ts): a signature is sent again and again. */
const hex = (b: Uint8Array, start: number, size: number): string => toHex(b, start, start + size);
const PAGE0_HEX = new FieldStringCache(AUTH_PAGE0_DATA, hex);
const PAGEN_HEX = new FieldStringCache(AUTH_PAGEN_DATA, hex);

/** How many data bytes pages 0..lastPageIndex can hold. */
export const authCapacity = (lastPageIndex: number): number => AUTH_PAGE0_DATA + AUTH_PAGEN_DATA * lastPageIndex;

export function decodeAuth(b: Uint8Array, o: number): AuthMessage {
  const typePage = b[o + OFF.typePage]!;
  const dataPage = typePage & 0x0f;
  if (dataPage !== 0) {
    return { type: 'auth', protocolVersion: b[o]! & 0x0f, authType: typePage >> 4, dataPage, authData: PAGEN_HEX.get(b, o + OFF.pageNData) };
  }
  const lastPageIndex = b[o + OFF.lastPageIndex]!;
  const length = b[o + OFF.length]!;
  // The reference refuses a page 0 that announces more data than its pages can hold.
  if (length > authCapacity(lastPageIndex)) {
    throw new DecodeError(
      'malformed',
      o + OFF.length,
      `authentication length ${length} exceeds the ${authCapacity(lastPageIndex)} bytes that pages 0..${lastPageIndex} hold`,
      'auth.length',
    );
  }
  return {
    type: 'auth',
    protocolVersion: b[o]! & 0x0f,
    authType: typePage >> 4,
    dataPage,
    lastPageIndex,
    length,
    timestamp: u32le(b, o + OFF.timestamp),
    authData: PAGE0_HEX.get(b, o + OFF.page0Data),
  };
}

export function encodeAuth(m: EncodeInput<AuthMessage>, path = 'auth'): Uint8Array {
  const out = new Uint8Array(MESSAGE_SIZE);
  out[0] = encodeHeader(MessageType.auth, path, m.protocolVersion);
  const authType = requireInt(`${path}.authType`, m.authType, 0, AUTH_TYPE.max);
  const dataPage = requireInt(`${path}.dataPage`, m.dataPage, 0, AUTH_MAX_PAGES - 1);
  out[OFF.typePage] = (authType << 4) | dataPage;
  if (dataPage === 0) {
    const lastPageIndex = requireInt(`${path}.lastPageIndex`, m.lastPageIndex, 0, AUTH_MAX_PAGES - 1);
    const length = requireInt(`${path}.length`, m.length, 0, AUTH_MAX_LENGTH);
    if (length > authCapacity(lastPageIndex)) {
      throw new EncodeError('out-of-range', `${path}.length`, length, `at most ${authCapacity(lastPageIndex)} bytes for last page index ${lastPageIndex}`);
    }
    out[OFF.lastPageIndex] = lastPageIndex;
    out[OFF.length] = length;
    putU32le(out, OFF.timestamp, requireInt(`${path}.timestamp`, m.timestamp, EPOCH_2019_TIMESTAMP.min, EPOCH_2019_TIMESTAMP.max));
    encodeHexField(`${path}.authData`, m.authData, out, OFF.page0Data, AUTH_PAGE0_DATA);
  } else {
    encodeHexField(`${path}.authData`, m.authData, out, OFF.pageNData, AUTH_PAGEN_DATA);
  }
  return out;
}
