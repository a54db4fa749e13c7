/**
 * Receptions per second of each message type over a sliding window (spec §4.1: Location at least 1/s,
 * static messages at least 1 per 3 s). Counts every reception, so a drone heard on BT4 and Wi-Fi shows the
 * sum of both.
 */

/** Receptions kept per message type at most: bounds the memory of a flood between two reads. */
const MAX_KEPT = 4096;
const INITIAL_CAPACITY = 16;

/**
 * One message type's reception times in a ring (oldest first unless a late frame came in: `ordered`
 * false). A ring, not an array pushed at one end and cut at the other: a tracker records every message of
 * every track, and each cut of an array left garbage that lived just long enough to cost a full GC.
 */
class Series {
  /** A plain array of doubles: small rings stay on the JS heap, where a typed array's would not. */
  private times: number[] = new Array<number>(INITIAL_CAPACITY).fill(0);
  private head = 0;
  private size = 0;
  ordered = true;
  /** The rate as of the last update. */
  rate = 0;
  /** The rate in the object `current` handed out last. */
  handedOut = Number.NaN;

  constructor(readonly kind: string) {}

  private at(k: number): number {
    return this.times[(this.head + k) % this.times.length]!;
  }

  add(t: number): void {
    if (this.size > 0 && t < this.at(this.size - 1)) this.ordered = false;
    if (this.size === this.times.length) {
      if (this.size >= MAX_KEPT) {
        // Full at the bound: the oldest gives way.
        this.head = (this.head + 1) % this.times.length;
        this.size--;
      } else this.resize(Math.min(MAX_KEPT, this.size * 2));
    }
    this.times[(this.head + this.size) % this.times.length] = t;
    this.size++;
  }

  /** Drops the times at or before `cutoff` (in time order, or all of them when unordered). */
  dropUntil(cutoff: number): void {
    if (this.ordered) {
      while (this.size > 0 && this.times[this.head]! <= cutoff) {
        this.head = (this.head + 1) % this.times.length;
        this.size--;
      }
      return;
    }
    const kept = this.all().filter((t) => t > cutoff);
    this.head = 0;
    this.size = 0;
    for (const t of kept) this.add(t);
    // Nothing out of order is left once the late frames have left the window.
    if (kept.every((t, i) => i === 0 || t >= kept[i - 1]!)) this.ordered = true;
  }

  /** Times at or before `nowMs` (those kept: see dropUntil). */
  countUntil(nowMs: number): number {
    let n = this.size;
    if (this.ordered) {
      // In time order, only a tail newer than nowMs can be outside.
      while (n > 0 && this.at(n - 1) > nowMs) n--;
      return n;
    }
    n = 0;
    for (let k = 0; k < this.size; k++) if (this.at(k) <= nowMs) n++;
    return n;
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
    this.ordered = true;
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

  constructor(private readonly windowMs: number) {}

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
    const s = new Series(kind);
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
