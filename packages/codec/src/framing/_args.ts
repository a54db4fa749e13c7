/**
 * Argument checks shared by the framing builders. Builders refuse what no receiver could parse, with a
 * RangeError naming the argument (a wrong size or value), never by writing a corrupt frame.
 */

import { parseMac } from '../bytes.js';
import { PACK_HEADER_SIZE, PACK_MAX_MESSAGES } from '../messages/message-pack-meta.js';
import { MESSAGE_SIZE } from '../messages/types.js';

/** A MAC address as text ("02:11:22:33:44:55") or as its 6 bytes in transmission order. */
export type MacInput = string | Uint8Array;

export function checkByte(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RangeError(`${name} must be an integer 0..255, got ${value}`);
  }
  return value;
}

export function checkU16(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`${name} must be an integer 0..65535, got ${value}`);
  }
  return value;
}

/** Only the size is checked: the pack's content is the messages layer's business. */
export function checkPack(pack: Uint8Array): Uint8Array {
  const n = (pack.length - PACK_HEADER_SIZE) / MESSAGE_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > PACK_MAX_MESSAGES) {
    throw new RangeError(
      `pack must be ${PACK_HEADER_SIZE} + 25·N bytes with N = 1..${PACK_MAX_MESSAGES}, got ${pack.length} bytes`,
    );
  }
  return pack;
}

export function macBytes(name: string, mac: MacInput): Uint8Array {
  if (typeof mac === 'string') return parseMac(mac);
  if (mac.length !== 6) throw new RangeError(`${name} must be 6 bytes, got ${mac.length}`);
  return mac;
}
