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
}

export interface FrameSourceEvents {
  frame: [RawFrame];
  /** Non-fatal trouble: the source keeps running where it can. */
  error: [Error];
  /** A finite source (replay) has delivered everything. */
  end: [];
}

export interface FrameSource extends EventEmitter<FrameSourceEvents> {
  readonly name: string;
  /** A finite source that could not deliver its whole input: why (set before its 'end'). */
  readonly fatalError?: Error | undefined;
  /** Opens the radio or file; rejects with an Error that says what is missing and how to fix it. */
  start(): Promise<void>;
  stop(): Promise<void>;
}
