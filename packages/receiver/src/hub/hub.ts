/**
 * Many receivers, one picture: the frames of every receiver (MqttHubSource) into one pipeline, so one
 * drone heard by several receivers is one track, each of its links keeping every receiver's RSSI and
 * last-heard time (tracker/link.ts, ReceptionVia).
 *
 * For each frame, on the hub's clock:
 * - stamped more than aheadMs after the hub's clock: refused, counted against its receiver (a clock the
 *   offset measurement has not caught up with, or a forged time), so it cannot drag the picture forward;
 * - older than lateAfterMs (a spool replayed after an outage, a receiver far behind): late — counted per
 *   receiver, and taken in as the past, not as news: a copy of a transmission another receiver brought in
 *   (heard-copies.ts, bounded by count) only adds its receiver's hearing of the link; the first copy goes
 *   to Pipeline.backfill — to the outputs at its own time, marked late (--record keeps the mark, so a
 *   replay of it does the same), and to the tracker's backfill (tracker/backfill.ts), which puts its
 *   positions into the history in time order, creates the track of a drone heard only there, and leaves
 *   rates, counter statistics, spoofing checks and alerts alone, since they would read the past as new;
 * - the first copy of a transmission (duplicates.ts): decoded and tracked as a local radio's frame, and
 *   handed to the outputs (so --record, --pcapng and --jsonl hold each transmission once);
 * - a later copy from another receiver: only that receiver's view of the link is updated.
 * Frames within lateAfterMs of each other from different receivers may arrive out of order; the tracker
 * puts such a fix into the history in time order, and it becomes the track's position only when newer
 * (positions.ts).
 * On its tick (not per frame, and a few milliseconds of it at most) the hub estimates where each track is
 * from its receivers' RSSI (rssi-estimates.ts) and hands the changed tracks to the pipeline's outputs.
 */

import type { Pipeline } from '../pipeline.js';
import { DUPLICATE_WINDOW_MS, FirstCopies, transmissionOf } from './duplicates.js';
import { HeardCopies, type HeardCopy } from './heard-copies.js';
import type { HubFrame } from './mqtt-source.js';
import type { HubReceivers } from './receivers.js';
import { RssiEstimates, type RssiEstimatesOptions } from './rssi-estimates.js';

/** A frame older than this, by the hub's clock, is late: taken in as the past. */
export const LATE_AFTER_MS = 2000;
/** A frame stamped further ahead of the hub's clock than this is refused. */
export const AHEAD_MS = 2000;

export interface HubOptions {
  lateAfterMs?: number;
  aheadMs?: number;
  duplicateWindowMs?: number;
  /** Hub clock, ms (tests move it). */
  now?: () => number;
  /** The RSSI position estimates (rssi-estimates.ts). */
  estimates?: RssiEstimatesOptions;
}

export interface HubStats {
  /** Frames taken from the source: tracked + duplicates + ahead. */
  frames: number;
  /** First copies decoded and tracked (in time, or late as the past). */
  tracked: number;
  /** Later copies from other receivers (their signal taken), in time or late. */
  duplicates: number;
  /** Frames that arrived late (among those tracked or duplicates): taken in as the past. */
  late: number;
  /** Frames stamped too far ahead of the hub's clock: refused. */
  ahead: number;
}

export class Hub {
  readonly stats: HubStats = { frames: 0, tracked: 0, duplicates: 0, late: 0, ahead: 0 };
  private readonly firstCopies: FirstCopies;
  /** First copies for longer, for the late frames. */
  private readonly heard = new HeardCopies();
  private readonly lateAfterMs: number;
  private readonly aheadMs: number;
  private readonly now: () => number;
  readonly estimates: RssiEstimates;

  constructor(
    readonly pipeline: Pipeline,
    readonly receivers: HubReceivers,
    opts: HubOptions = {},
  ) {
    this.firstCopies = new FirstCopies(opts.duplicateWindowMs ?? DUPLICATE_WINDOW_MS);
    this.lateAfterMs = opts.lateAfterMs ?? LATE_AFTER_MS;
    this.aheadMs = opts.aheadMs ?? AHEAD_MS;
    this.now = opts.now ?? Date.now;
    this.estimates = new RssiEstimates(pipeline.tracker, receivers, opts.estimates);
  }

  /**
   * The hub's tick (rid-hub calls it with the pipeline's, every TICK_EVERY_MS): the RSSI estimates of the
   * tracks whose turn is due, within the tick's time budget (rssi-estimates.ts), so the frames waiting
   * behind it wait milliseconds, not the whole fleet's estimates; the tracks they changed go to the
   * pipeline's outputs.
   */
  tick(): void {
    for (const u of this.estimates.tick(this.now())) this.pipeline.emit(u);
  }

  /** One frame from a receiver, now. */
  take(f: HubFrame): void {
    this.stats.frames++;
    const hubMs = this.now();
    const at = f.t * 1000;
    if (at > hubMs + this.aheadMs) {
      this.stats.ahead++;
      this.receivers.rejected(f.receiver, `a frame stamped ${((at - hubMs) / 1000).toFixed(1)} s ahead of the hub's clock`, hubMs);
      return;
    }
    const late = at < hubMs - this.lateAfterMs;
    if (late) {
      this.stats.late++;
      this.receivers.late(f.receiver);
    }
    const tx = transmissionOf(f.linkType, f.data);
    const first = tx && (late ? this.heard.copyOf(tx.key, f.receiver, at) : this.firstCopies.get(tx.key, hubMs));
    const via = { receiver: f.receiver };
    if (first && first.receiver !== f.receiver) {
      // The tracker keeps a receiver's signal and last-heard from its newest reception only: a late copy adds its count.
      if (this.pipeline.tracker.hearAgain(first.transport, first.address, via, { messages: first.messages, rssi: tx.rssi, channel: tx.channel }, at)) {
        this.stats.duplicates++;
        this.receivers.duplicate(f.receiver);
        return;
      }
    }
    const messages = late ? this.pipeline.backfill(f, via) : this.pipeline.process(f, via);
    this.stats.tracked++;
    if (tx && messages.length > 0) {
      const copy: HeardCopy = { receiver: f.receiver, transport: messages[0]!.transport, address: messages[0]!.mac, messages: messages.length, at };
      if (!late && !first) this.firstCopies.remember(tx.key, copy, hubMs);
      // Its latest copy taken, even a repeat of its own (a message sent again unchanged): what a late copy is matched against.
      this.heard.remember(tx.key, copy);
    }
  }
}
