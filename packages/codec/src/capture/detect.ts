/** Recognises a capture container from its first bytes. */

import { u32le } from '../bytes.js';
import type { CaptureFormat } from './types.js';

/** pcap magic numbers as u32le reads them: a byte-swapped value means a big-endian file. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_MAGIC_US_SWAPPED = 0xd4c3b2a1;
export const PCAP_MAGIC_NS_SWAPPED = 0x4d3cb2a1;
/** pcapng Section Header Block type: a palindrome, so it reads the same in either byte order. */
export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;
/** "btsnoop\0" */
export const BTSNOOP_MAGIC: readonly number[] = [0x62, 0x74, 0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00];

/** Bytes needed to tell every supported format apart. */
export const DETECT_BYTES = 8;

/** The container format of a file starting with `first`, or undefined when none matches. */
export function detectCaptureFormat(first: Uint8Array): CaptureFormat | undefined {
  if (first.length >= 4) {
    const m = u32le(first, 0);
    if (m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS || m === PCAP_MAGIC_US_SWAPPED || m === PCAP_MAGIC_NS_SWAPPED) {
      return 'pcap';
    }
    if (m === PCAPNG_SHB_TYPE) return 'pcapng';
  }
  if (first.length >= BTSNOOP_MAGIC.length && BTSNOOP_MAGIC.every((v, i) => first[i] === v)) return 'btsnoop';
  return undefined;
}
