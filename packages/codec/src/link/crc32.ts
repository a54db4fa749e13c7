/**
 * IEEE 802.3 / 802.11 FCS: CRC-32, reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF. The CRC
 * itself is the one the compressed formats use too (capture/checksums.ts: resumable, slicing-by-8).
 */

import { u32le } from '../bytes.js';
import { crc32Update } from '../capture/checksums.js';

/** CRC-32 of bytes[start, end), as an unsigned 32-bit number (the FCS read little-endian). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32Update(0, bytes, start, end);
}

/** True when the 4 bytes at end-4 are the FCS of bytes[start, end-4). */
export function fcsMatches(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  if (end - start < 4) return false;
  return crc32(bytes, start, end - 4) === u32le(bytes, end - 4);
}
