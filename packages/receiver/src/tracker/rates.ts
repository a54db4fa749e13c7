/**
 * Receptions per second of each message type over a sliding window (spec §4.1: Location at least 1/s,
 * static messages at least 1 per 3 s). Counts every reception, so a drone heard on BT4 and Wi-Fi shows the
 * sum of both.
 */

/** One message type's reception times, oldest first unless a late frame came in (`ordered` false). */
interface Series {
  kind: string;
  /** Times from index `head` on; the ones before it left the window (dropped in bulk, not one by one). */
  times: number[];
  head: number;
  ordered: boolean;
  /** The rate as of the last update. */
  rate: number;
  /** The rate in the object `current` handed out last. */
  handedOut: number;
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
    if (!s) this.byKind.set(kind, (s = this.newSeries(kind, [])));
    const list = s.times;
    if (list.length > s.head && atMs < list[list.length - 1]!) s.ordered = false;
    list.push(atMs);
    // Bound the memory of a flood between two reads.
    if (list.length - s.head > 4096) s.head = list.length - 4096;
    if (s.head >= 64 && s.head * 2 >= list.length) {
      list.splice(0, s.head);
      s.head = 0;
    }
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
      const mine = this.byKind.get(o.kind);
      const merged = (mine ? mine.times.slice(mine.head) : []).concat(o.times.slice(o.head)).sort((a, b) => a - b);
      // Sorted now, whatever either side held before.
      if (mine) {
        mine.times = merged;
        mine.head = 0;
        mine.ordered = true;
      } else this.byKind.set(o.kind, this.newSeries(o.kind, merged));
    }
    if (other.first !== undefined) this.first = this.first === undefined ? other.first : Math.min(this.first, other.first);
  }

  private newSeries(kind: string, times: number[]): Series {
    const s: Series = { kind, times, head: 0, ordered: true, rate: 0, handedOut: Number.NaN };
    this.series.push(s);
    return s;
  }

  /** Drops what left the window and recomputes every kind's rate. */
  private update(nowMs: number): void {
    const span = Math.max(1000, Math.min(this.windowMs, nowMs - this.first!));
    const cutoff = nowMs - this.windowMs;
    for (const s of this.series) {
      const list = s.times;
      const end = list.length;
      let head = s.head;
      while (head < end && list[head]! <= cutoff) head++;
      s.head = head;
      let inWindow = end - head;
      // In time order, only a tail newer than nowMs can be outside the window.
      if (s.ordered) while (inWindow > 0 && list[head + inWindow - 1]! > nowMs) inWindow--;
      else {
        inWindow = 0;
        for (let i = head; i < end; i++) if (list[i]! <= nowMs) inWindow++;
        if (head === end) s.ordered = true;
      }
      s.rate = Math.round((inWindow / (span / 1000)) * 100) / 100;
    }
  }

  private answer(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.series) out[s.kind] = s.rate;
    return out;
  }
}
