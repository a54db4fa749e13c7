/** Shapes shared by every capture reader and writer. */

import type { Diagnostic, GroupId } from '../diagnostics.js';

/** Container formats the reader recognises. */
export type CaptureFormat = 'pcap' | 'pcapng' | 'btsnoop';

/** One captured packet, whatever container it came from. */
export interface CaptureRecord {
  /** 1-based record number across the whole input, as Wireshark numbers frames. */
  frame: number;
  /** Seconds since the Unix epoch as a float (µs precision; a double cannot hold ns at today's epoch). */
  timestamp: number;
  /** DLT/LINKTYPE of the interface this record came from. */
  linkType: number;
  /** pcapng interface index within its section (0 for pcap/btsnoop). */
  interfaceId: number;
  /**
   * Captured bytes. When the record lay wholly inside one pushed chunk this is a subarray of that chunk
   * (no copy: it keeps the chunk alive and changes if the caller later overwrites the chunk); otherwise
   * it is a fresh copy.
   */
  data: Uint8Array;
  /** Length on the wire. */
  originalLength: number;
  /** btsnoop packet flags, pcapng epb_flags / pack_flags, when the container has them. */
  flags?: number;
}

/**
 * Something wrong with the input: a diagnostic of the capture group. Reading always goes on; the warning
 * says where and what. `offset` is the byte offset in the whole input stream; `frame` is the number of the
 * last record returned before the problem (absent if none had been returned yet), i.e. the damage lies
 * after it.
 */
export interface CaptureWarning extends Diagnostic<CaptureDiagnosticId> {
  offset: number;
  frame?: number;
}

export type CaptureDiagnosticId = GroupId<'capture'>;

/** LINKTYPE values the readers emit themselves (see btsnoop.ts). */
export const LINKTYPE_BLUETOOTH_HCI_H4 = 187;
export const LINKTYPE_BLUETOOTH_LINUX_MONITOR = 254;
