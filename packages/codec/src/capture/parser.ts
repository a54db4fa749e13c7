/**
 * The contract between CaptureReader (which owns the byte queue) and one container format's parser.
 * Everything is in stream offsets so that a parser never cares whether it is looking at the reader's
 * carried-over tail or at a freshly pushed chunk.
 */

import type { CaptureDiagnosticId, CaptureRecord } from './types.js';

/** A contiguous run of input: `bytes[off - base]` is the byte at stream offset `off`, for off < end. */
export interface ByteWindow {
  readonly bytes: Uint8Array;
  readonly base: number;
  readonly end: number;
  /** True when `bytes` is the reader's reusable buffer: records must copy their data out of it. */
  readonly owned: boolean;
}

/** What a parser reports to the reader. */
export interface ParseContext {
  /** Number of the last record returned; a parser increments it for every record it emits. */
  frame: number;
  /**
   * Live stream (a capture pipe from tcpdump): a record is returned as soon as it is complete, without
   * waiting for the next header to confirm its length, so a lone transmitter's frame is not held back.
   */
  readonly live: boolean;
  /** Reports damage at stream offset `offset`. */
  warn(id: CaptureDiagnosticId, offset: number, detail: string): void;
}

export interface FormatParser {
  /** Earliest stream offset the parser may still read: the reader keeps everything from here on. */
  readonly keep: number;
  /** Stream offset the input must reach before `run` can make progress again (always > window end). */
  readonly needEnd: number;
  /**
   * Consumes what it can of the window, appending finished records to `out`. With `final` the window
   * holds the last bytes of the input: the parser must consume all of it, turning leftovers into warnings.
   */
  run(w: ByteWindow, final: boolean, out: CaptureRecord[]): void;
}

/** Parser for input we could not identify: swallows everything so memory stays flat. */
export class DiscardParser implements FormatParser {
  keep = 0;
  needEnd = 1;
  run(w: ByteWindow): void {
    this.keep = w.end;
    this.needEnd = w.end + 1;
  }
}

/** Largest packet we accept (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD); bounds buffering on bad lengths. */
export const MAX_PACKET = 262_144;

/** Largest timestamp step between neighbouring records that still looks like the same capture. */
export const MAX_TS_JUMP_SECONDS = 86_400;
