/**
 * What a hub knows of each receiver publishing to it: its latest status (position, health, spool), its
 * clock against the hub's (ClockOffset), and what arrived from it — frames, batches seen twice (QoS 1
 * resends, a spool replayed after a crash), batches missing, frames late or refused. Everything shown in
 * the hub's receivers table and closing lines comes from here.
 */

import type { FrameBatch, ReceiverStatus } from '../outputs/mqtt-schema.js';
import { ClockOffset } from './clock-offset.js';

/**
 * An offset beyond this is a receiver clock that is wrong (no NTP, a replay's capture time): its frames
 * are moved onto the hub's clock by the measured offset, and the table says so. Within it, frame times
 * are taken as they are: a synchronised clock's offset is the network's few milliseconds.
 */
export const CLOCK_TOLERANCE_MS = 500;
/** Batch numbers remembered per run, to recognise one that arrives twice. */
const SEQ_MEMORY = 4096;
/** Runs (boots) of one receiver remembered: a spool left by an earlier run may still be arriving. */
const RUNS_REMEMBERED = 4;

/** One run of a receiver: which batch numbers came. */
class SeqWindow {
  highest = -1;
  private readonly seen = new Set<number>();
  /** Batch numbers skipped so far and not (yet) arrived. */
  missing = 0;

  /** False when `seq` already came (or is too old to tell, which is counted the same). */
  take(seq: number): boolean {
    if (seq <= this.highest - SEQ_MEMORY || this.seen.has(seq)) return false;
    this.seen.add(seq);
    if (seq > this.highest) {
      // The first batch of a run this hub sees sets where it starts: a hub that joins late lost nothing.
      if (this.highest >= 0) this.missing += seq - this.highest - 1;
      this.highest = seq;
      if (this.seen.size > SEQ_MEMORY * 2) for (const s of this.seen) if (s <= this.highest - SEQ_MEMORY) this.seen.delete(s);
    } else this.missing--;
    return true;
  }
}

/** One receiver, as the hub tables and tests read it. */
export interface ReceiverView {
  readonly id: string;
  /** From its status: false once it said goodbye or the broker announced its last will. */
  readonly online: boolean;
  readonly status?: ReceiverStatus;
  /** Hub clock (ms) of the last message from it. */
  readonly lastHeard: number;
  /** Frames taken from it. */
  readonly frames: number;
  /** Frames per second over the last tick. */
  readonly rate: number;
  /** Batches that arrived twice (ignored), and batch numbers never seen. */
  readonly duplicateBatches: number;
  readonly missingBatches: number;
  /** Messages refused as malformed (with the latest reason). */
  readonly rejected: number;
  readonly lastRejection?: string;
  /** Frames older than --late when they arrived: merged as the past (see Hub). */
  readonly late: number;
  /** Frames heard by another receiver first: only this receiver's RSSI and last-heard were taken. */
  readonly duplicates: number;
  /** Add to the receiver's times to get the hub's, ms (undefined before its first fresh message). */
  readonly offsetMs?: number;
  /** The offset is beyond CLOCK_TOLERANCE_MS: its frames' times are corrected by it. */
  readonly corrected: boolean;
}

class ReceiverState implements ReceiverView {
  online = true;
  status?: ReceiverStatus;
  lastHeard = 0;
  frames = 0;
  rate = 0;
  private framesAtTick = 0;
  private tickAt = 0;
  duplicateBatches = 0;
  rejected = 0;
  lastRejection?: string;
  late = 0;
  duplicates = 0;
  readonly clock = new ClockOffset();
  private readonly runs = new Map<number, SeqWindow>();

  constructor(readonly id: string) {}

  get missingBatches(): number {
    let n = 0;
    for (const w of this.runs.values()) n += w.missing;
    return n;
  }

  get offsetMs(): number | undefined {
    return this.clock.offsetMs;
  }

  get corrected(): boolean {
    const o = this.clock.offsetMs;
    return o !== undefined && Math.abs(o) > CLOCK_TOLERANCE_MS;
  }

  run(boot: number): SeqWindow {
    let w = this.runs.get(boot);
    if (!w) {
      this.runs.set(boot, (w = new SeqWindow()));
      if (this.runs.size > RUNS_REMEMBERED) this.runs.delete(Math.min(...this.runs.keys()));
    }
    return w;
  }

  tick(now: number): void {
    if (this.tickAt && now > this.tickAt) this.rate = ((this.frames - this.framesAtTick) * 1000) / (now - this.tickAt);
    this.framesAtTick = this.frames;
    this.tickAt = now;
  }
}

export class HubReceivers {
  private readonly byId = new Map<string, ReceiverState>();

  private state(id: string): ReceiverState {
    let s = this.byId.get(id);
    if (!s) this.byId.set(id, (s = new ReceiverState(id)));
    return s;
  }

  /**
   * A frames message from receiver `id` arrived at `hubMs`. Returns the offset to add to its frames' times
   * (0 within tolerance), or undefined when the batch already came (a resend: ignore it). `retained`: the
   * broker kept it from before (its `sent` says nothing about the clock now).
   */
  batch(id: string, batch: FrameBatch, hubMs: number, retained: boolean): number | undefined {
    const s = this.state(id);
    s.lastHeard = hubMs;
    if (!retained) s.clock.add(batch.sent * 1000, hubMs);
    if (!s.run(batch.boot).take(batch.seq)) {
      s.duplicateBatches++;
      return undefined;
    }
    s.frames += batch.frames.length;
    return s.corrected ? s.offsetMs! : 0;
  }

  status(id: string, status: ReceiverStatus, hubMs: number, retained: boolean): void {
    const s = this.state(id);
    // Not a clock sample: before its first frame a receiver's status carries its wall clock, while what
    // must be put on the hub's clock is its frames' clock (a replay's is in the past).
    if (!retained) s.lastHeard = hubMs;
    s.status = status;
    s.online = status.online;
  }

  rejected(id: string, reason: string, hubMs: number): void {
    const s = this.state(id);
    s.lastHeard = hubMs;
    s.rejected++;
    s.lastRejection = reason;
  }

  late(id: string): void {
    this.state(id).late++;
  }

  duplicate(id: string): void {
    this.state(id).duplicates++;
  }

  /** Moves the frames/s of every receiver on (the hub calls it about once a second). */
  tick(hubMs: number): void {
    for (const s of this.byId.values()) s.tick(hubMs);
  }

  get(id: string): ReceiverView | undefined {
    return this.byId.get(id);
  }

  /** Every receiver heard of, by ID. */
  list(): ReceiverView[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
