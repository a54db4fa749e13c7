/**
 * IEEE 802.3 / 802.11 FCS: CRC-32, reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF.
 * Slicing-by-4 (four 256-entry tables) so a 300-byte beacon costs ~75 table rounds instead of 300.
 */

import { u32le } from '../bytes.js';

const POLY_REFLECTED = 0xedb88320;
const TABLE_SIZE = 256;

/** T[k*256 + b]: CRC of byte b followed by k zero bytes. Built once at load. */
const T = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(4 * TABLE_SIZE);
  for (let b = 0; b < TABLE_SIZE; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < TABLE_SIZE; b++) {
    let c = t[b]!;
    for (let k = 1; k < 4; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * TABLE_SIZE + b] = c;
    }
  }
  return t;
}

/** CRC-32 of bytes[start, end), as an unsigned 32-bit number (the FCS read little-endian). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = -1;
  let i = start;
  const end4 = end - ((end - start) & 3);
  for (; i < end4; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c =
      T[3 * TABLE_SIZE + (c & 0xff)]! ^
      T[2 * TABLE_SIZE + ((c >>> 8) & 0xff)]! ^
      T[TABLE_SIZE + ((c >>> 16) & 0xff)]! ^
      T[c >>> 24]!;
  }
  for (; i < end; i++) c = T[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** True when the 4 bytes at end-4 are the FCS of bytes[start, end-4). */
export function fcsMatches(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  if (end - start < 4) return false;
  return crc32(bytes, start, end - 4) === u32le(bytes, end - 4);
}
