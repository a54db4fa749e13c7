/**
 * Receptions per second of each message type over a sliding window (spec §4.1: Location at least 1/s,
 * static messages at least 1 per 3 s). Counts every reception, so a drone heard on BT4 and Wi-Fi shows the
 * sum of both.
 */

/** Receptions kept per message type at most: bounds the memory of a flood between two reads. */
const MAX_KEPT = 4096;
const INITIAL_CAPACITY = 16;
/**
 * A late reception is put in its place among at most this many newer ones; one later than that (or more
 * than a window older than the newest) means time went backwards — captures played one after another, a
 * clock step — and the newer times, which belong to the timeline left behind, are dropped.
 */
const LATE_MAX = 64;

/** Counts the work the meters do (times moved, dropped or looked at), for tests that bound it. */
export interface RateWork {
  steps: number;
}

/**
 * One message type's reception times in a ring, always in time order (oldest first). A ring, not an array
 * pushed at one end and cut at the other: a tracker records every message of every track, and each cut of
 * an array left garbage that lived just long enough to cost a full GC.
 *
 * Every operation costs O(1) amortised whatever the timestamps do: in order, a time is appended; a late
 * one moves at most LATE_MAX newer ones; a jump backwards drops the newer ones (each time is dropped at
 * most once after it was added); expired times leave from the front; counting up to a time in the past
 * is a binary search (at most 12 steps in 4096).
 */
class Series {
  /** A plain array of doubles: small rings stay on the JS heap, where a typed array's would not. */
  private times: number[] = new Array<number>(INITIAL_CAPACITY).fill(0);
  private head = 0;
  private size = 0;
  /** The rate as of the last update. */
  rate = 0;
  /** The rate in the object `current` handed out last. */
  handedOut = Number.NaN;

  constructor(
    readonly kind: string,
    private readonly windowMs: number,
    private readonly work: RateWork | undefined,
  ) {}

  private at(k: number): number {
    return this.times[(this.head + k) % this.times.length]!;
  }

  private put(k: number, t: number): void {
    this.times[(this.head + k) % this.times.length] = t;
  }

  add(t: number): void {
    let steps = 1;
    if (this.size > 0 && t < this.at(this.size - 1)) {
      // How many kept times are newer than t (looked at up to LATE_MAX + 1 of them).
      let newer = 0;
      while (newer < this.size && newer <= LATE_MAX && this.at(this.size - 1 - newer) > t) newer++;
      steps += newer;
      if (newer > LATE_MAX || t < this.at(this.size - 1) - this.windowMs) {
        // Time went backwards: the newer times belong to the timeline left behind.
        while (this.size > 0 && this.at(this.size - 1) > t) {
          this.size--;
          steps++;
        }
      } else {
        this.makeRoom();
        // Late: into its place, the newer ones one step up.
        for (let k = this.size - 1; k >= this.size - newer; k--) this.put(k + 1, this.at(k));
        this.put(this.size - newer, t);
        this.size++;
        if (this.work) this.work.steps += steps + newer;
        return;
      }
    }
    this.makeRoom();
    this.put(this.size, t);
    this.size++;
    if (this.work) this.work.steps += steps;
  }

  /** Room for one more: the ring grows up to MAX_KEPT, then the oldest gives way. */
  private makeRoom(): void {
    if (this.size < this.times.length) return;
    if (this.size >= MAX_KEPT) {
      this.head = (this.head + 1) % this.times.length;
      this.size--;
    } else this.resize(Math.min(MAX_KEPT, this.size * 2));
  }

  /** Drops the times at or before `cutoff`. */
  dropUntil(cutoff: number): void {
    let steps = 1;
    while (this.size > 0 && this.times[this.head]! <= cutoff) {
      this.head = (this.head + 1) % this.times.length;
      this.size--;
      steps++;
    }
    if (this.work) this.work.steps += steps;
  }

  /** Times at or before `nowMs` (those kept: see dropUntil). */
  countUntil(nowMs: number): number {
    if (this.size === 0 || this.at(this.size - 1) <= nowMs) {
      if (this.work) this.work.steps++;
      return this.size;
    }
    // Some are newer than nowMs (a reading of the past): the first of them, by binary search.
    let lo = 0;
    let hi = this.size - 1;
    let steps = 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid) <= nowMs) lo = mid + 1;
      else hi = mid;
      steps++;
    }
    if (this.work) this.work.steps += steps;
    return lo;
  }

  all(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.size; k++) out.push(this.at(k));
    return out;
  }

  /** Replaces the content with `sorted` (time order), keeping the newest MAX_KEPT. */
  reset(sorted: readonly number[]): void {
    const keep = sorted.slice(Math.max(0, sorted.length - MAX_KEPT));
    this.times = keep.length >= INITIAL_CAPACITY ? keep : keep.concat(new Array<number>(INITIAL_CAPACITY - keep.length).fill(0));
    this.head = 0;
    this.size = keep.length;
  }

  private resize(capacity: number): void {
    const grown = new Array<number>(capacity).fill(0);
    for (let k = 0; k < this.size; k++) grown[k] = this.at(k);
    this.times = grown;
    this.head = 0;
  }
}

export class RateMeter {
  /** In the order kinds were first heard: the order of the keys in every answer. */
  private readonly series: Series[] = [];
  private readonly byKind = new Map<string, Series>();
  private first: number | undefined;
  private lastAnswer: Record<string, number> | undefined;
  private lastAnswerKinds = 0;

  constructor(
    private readonly windowMs: number,
    /** Counts the work done (tests). */
    private readonly work?: RateWork,
  ) {}

  add(kind: string, atMs: number): void {
    this.first = this.first === undefined ? atMs : Math.min(this.first, atMs);
    let s = this.byKind.get(kind);
    if (!s) s = this.newSeries(kind);
    s.add(atMs);
  }

  /**
   * Rates at `nowMs`, per second. A young track divides by its own age (at least 1 s), so a drone heard for
   * two seconds at 1 Hz reads 1/s, not 0.2/s; silence makes rates fall to 0 as the window slides on.
   */
  rates(nowMs: number): Record<string, number> {
    if (this.first === undefined) return {};
    this.update(nowMs);
    return this.answer();
  }

  /**
   * rates(nowMs), except that when every rate equals the one in `previous` — the object this meter handed
   * out last — `previous` itself is returned. The tracker reads rates on every message and tick of every
   * track; in a steady stream they rarely change, and this way nothing is allocated for them.
   */
  current(nowMs: number, previous: Record<string, number>): Record<string, number> {
    if (this.first === undefined) return {};
    this.update(nowMs);
    if (previous === this.lastAnswer && this.lastAnswerKinds === this.series.length) {
      let same = true;
      for (const s of this.series) if (s.rate !== s.handedOut) same = false;
      if (same) return previous;
    }
    const out = this.answer();
    for (const s of this.series) s.handedOut = s.rate;
    this.lastAnswer = out;
    this.lastAnswerKinds = this.series.length;
    return out;
  }

  absorb(other: RateMeter): void {
    for (const o of other.series) {
      const mine = this.byKind.get(o.kind) ?? this.newSeries(o.kind);
      // Sorted now, whatever either side held before.
      mine.reset([...mine.all(), ...o.all()].sort((a, b) => a - b));
    }
    if (other.first !== undefined) this.first = this.first === undefined ? other.first : Math.min(this.first, other.first);
  }

  private newSeries(kind: string): Series {
    const s = new Series(kind, this.windowMs, this.work);
    this.series.push(s);
    this.byKind.set(kind, s);
    return s;
  }

  /** Drops what left the window and recomputes every kind's rate. */
  private update(nowMs: number): void {
    const span = Math.max(1000, Math.min(this.windowMs, nowMs - this.first!));
    const cutoff = nowMs - this.windowMs;
    for (const s of this.series) {
      s.dropUntil(cutoff);
      s.rate = Math.round((s.countUntil(nowMs) / (span / 1000)) * 100) / 100;
    }
  }

  private answer(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.series) out[s.kind] = s.rate;
    return out;
  }
}
