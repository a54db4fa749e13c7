/** Byte 0 of every message and pack: message type in the high nibble, protocol version in the low one. */

import { requireInt } from './fields.js';
import { PROTOCOL_VERSION } from './meta.js';
import { DEFAULT_PROTOCOL_VERSION } from './types.js';

export const headerType = (byte0: number): number => byte0 >> 4;
export const headerVersion = (byte0: number): number => byte0 & 0x0f;

export function encodeHeader(type: number, field: string, protocolVersion: unknown): number {
  const version = protocolVersion === undefined ? DEFAULT_PROTOCOL_VERSION : requireInt(`${field}.protocolVersion`, protocolVersion, 0, PROTOCOL_VERSION.enum.max);
  return (type << 4) | version;
}
