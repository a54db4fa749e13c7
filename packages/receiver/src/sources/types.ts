/**
 * What every receiver source produces: raw frames exactly as a capture would hold them (link type +
 * bytes, with their time), so live radios, replays and the simulation share one decode path and can all
 * be recorded. One file per source, each implementing FrameSource.
 */

import type { EventEmitter } from 'node:events';

export interface RawFrame {
  /** Seconds since the Unix epoch: capture time in replays, receive time live. */
  t: number;
  /** pcap LINKTYPE of `data` (127 radiotap Wi-Fi, 256 BLE LL with pseudo-header, 201 HCI H4, ...). */
  linkType: number;
  data: Uint8Array;
  /** 1-based frame number within a replayed capture. */
  frame?: number;
  /** Length on the air when the capture kept less (a snap length): what was cut cannot be checked (an FCS). */
  originalLength?: number;
  /**
   * It arrived late, after later frames (a hub's receiver replaying its spool), and is taken in as the past
   * (Pipeline.backfill); `t` stays its reception time. Recordings keep the mark, so a replay does the same.
   */
  late?: boolean;
}

export interface FrameSourceEvents {
  frame: [RawFrame];
  /** Non-fatal trouble: the source keeps running where it can. */
  error: [Error];
  /** A finite source (replay) has delivered everything. */
  end: [];
}

/**
 * The life cycle every frame source keeps (checked for each one by test/contract/frame-source-contract.ts):
 * - start() opens the radio, tool, file or stream; when it cannot it rejects with a ToolkitError (code,
 *   reason, fix), emits nothing (not even 'end') and leaves nothing open. start() on a started source is
 *   idempotent: it resolves, opens nothing more, and a finite source still delivers its input once.
 * - stop() releases everything start() opened (child processes, sockets, timers, descriptors); once it
 *   resolves no 'frame', 'error' or 'end' is emitted. It is harmless before start() and when called again.
 * - Trouble while running is an 'error' event carrying a ToolkitError (and `fatalError` for a finite source).
 */
export interface FrameSource extends EventEmitter<FrameSourceEvents> {
  readonly name: string;
  /** A finite source that could not deliver its whole input: why (set before its 'end'). */
  readonly fatalError?: Error | undefined;
  /** Opens the radio or file; rejects with a ToolkitError that says what is missing and how to fix it. Idempotent once started. */
  start(): Promise<void>;
  /** Releases what start() opened; nothing is emitted once it resolves. Harmless before start() and twice. */
  stop(): Promise<void>;
}
