/**
 * Frames -> Remote ID messages -> tracks -> outputs. One pipeline serves live radios (through the bounded
 * queue, on the wall clock) and replays (synchronously, on the capture's clock).
 */

import { RemoteIdExtractor, type ExtractStats, type ReceivedMessage } from '@odid/codec';
import { FrameQueue } from './frame-queue.js';
import type { RawFrame } from './sources/types.js';
import { Tracker } from './tracker/tracker.js';
import type { AllowEntry } from './tracker/allow-list.js';
import type { ReceptionVia } from './tracker/link.js';
import type { TrackerOptions, TrackUpdate } from './tracker/types.js';
import type { Zone } from './tracker/zones.js';

export interface PipelineSinks {
  /** Every raw frame, before decoding (recording, pcapng export). */
  frame?: (f: RawFrame) => void;
  /** Every decoded message (JSONL stream). */
  message?: (m: ReceivedMessage) => void;
  /** Every track change (CoT, JSONL of track updates). */
  update?: (u: TrackUpdate) => void;
  /** Tracks forgotten (PipelineOptions.forgetAfterMs), by key: a live map drops them. */
  forgotten?: (keys: readonly string[]) => void;
}

export interface PipelineOptions extends TrackerOptions {
  keepBadFcs?: boolean;
  queueCapacity?: number;
  /**
   * Forget tracks that have been lost for longer than this (ms), so that a receiver running for days keeps
   * its memory bounded. Absent: every track is kept (replays, exports of everything seen).
   */
  forgetAfterMs?: number;
}

/** How often forgetting is looked at, ms of the pipeline's clock. */
const FORGET_EVERY_MS = 60_000;

export class Pipeline {
  readonly tracker: Tracker;
  readonly extractor: RemoteIdExtractor;
  readonly queue: FrameQueue;
  private lastTick = 0;
  private lastForget = 0;
  private readonly forgetAfterMs: number | undefined;
  /** Tracks forgotten so far (see PipelineOptions.forgetAfterMs). */
  forgotten = 0;

  constructor(
    opts: PipelineOptions = {},
    private readonly sinks: PipelineSinks = {},
  ) {
    this.tracker = new Tracker(opts);
    // DRIP signs and hashes the bytes as sent: they go with each message only when a verifier needs them.
    this.extractor = new RemoteIdExtractor({ keepBadFcs: opts.keepBadFcs, ...(opts.drip ? { keepBytes: true } : {}) });
    this.queue = new FrameQueue(opts.queueCapacity);
    if (opts.forgetAfterMs !== undefined && !(opts.forgetAfterMs > 0)) throw new RangeError(`forgetAfterMs must be a positive number of ms, got ${opts.forgetAfterMs}`);
    this.forgetAfterMs = opts.forgetAfterMs;
  }

  get stats(): ExtractStats {
    return this.extractor.stats;
  }

  /**
   * Handles one frame now; the tracker's clock is the frame's time. `via`: the receiver that heard it, when
   * a hub merges several (rid-hub). A frame marked `late` goes to backfill. Returns the messages the frame held.
   */
  process(f: RawFrame, via?: ReceptionVia): readonly ReceivedMessage[] {
    if (f.late) return this.backfill(f, via);
    this.sinks.frame?.(f);
    const now = f.t * 1000;
    const messages = this.decode(f);
    for (const m of messages) {
      this.sinks.message?.(m);
      const u = this.tracker.ingest(m, now, via);
      if (u) this.sinks.update?.(u);
    }
    // Staleness follows the frames' clock; once a second of that clock is plenty.
    if (now - this.lastTick >= 1000) this.tick(now);
    return messages;
  }

  /**
   * Handles one frame that arrived late, after later ones (rid-hub: older than --late when it came), as the
   * past: to the frame and message outputs as any other, at its own time and marked `late` (a recording
   * keeps the mark, so its replay comes here too), and to the tracker's backfill, which neither moves the
   * pipeline's clock back nor raises alerts. Returns the messages the frame held.
   */
  backfill(f: RawFrame, via?: ReceptionVia): readonly ReceivedMessage[] {
    this.sinks.frame?.(f.late ? f : { ...f, late: true });
    const messages = this.decode(f);
    const at = f.t * 1000;
    for (const m of messages) {
      this.sinks.message?.(m);
      const u = this.tracker.backfill(m, at, via);
      if (u) this.sinks.update?.(u);
    }
    return messages;
  }

  private decode(f: RawFrame): ReceivedMessage[] {
    return this.extractor.fromRecord(f.linkType, f.data, { t: f.t, ...(f.frame !== undefined ? { frame: f.frame } : {}), ...(f.originalLength !== undefined ? { originalLength: f.originalLength } : {}) });
  }

  /** Processes what the live queue holds (at most `max` frames); returns how many. */
  drain(max = Infinity): number {
    let n = 0;
    while (n < max) {
      const f = this.queue.shift();
      if (!f) break;
      this.process(f);
      n++;
    }
    return n;
  }

  /** Replaces the tracker's zones (a zone drawn on the map was saved); the tracks that changed go to the outputs, with their alerts. */
  setZones(zones: readonly Zone[]): void {
    for (const u of this.tracker.setZones(zones)) this.sinks.update?.(u);
  }

  /** Replaces the tracker's allow-list (undefined: none); the tracks whose authorisation changed go to the outputs. */
  setAllowList(entries: readonly AllowEntry[] | undefined): void {
    for (const u of this.tracker.setAllowList(entries)) this.sinks.update?.(u);
  }

  /** Hands a track update made outside ingest and tick (a hub's RSSI estimate) to the outputs. */
  emit(u: TrackUpdate): void {
    this.sinks.update?.(u);
  }

  tick(nowMs: number): void {
    this.lastTick = nowMs;
    for (const u of this.tracker.tick(nowMs)) this.sinks.update?.(u);
    if (this.forgetAfterMs !== undefined && nowMs - this.lastForget >= FORGET_EVERY_MS) {
      this.lastForget = nowMs;
      const keys = this.tracker.prune(this.forgetAfterMs);
      this.forgotten += keys.length;
      if (keys.length > 0) this.sinks.forgotten?.(keys);
    }
  }
}
