/**
 * Receptions per second of each message type over a sliding window (spec §4.1: Location at least 1/s,
 * static messages at least 1 per 3 s). Counts every reception, so a drone heard on BT4 and Wi-Fi shows the
 * sum of both.
 */

export class RateMeter {
  private readonly times = new Map<string, number[]>();
  private first: number | undefined;

  constructor(private readonly windowMs: number) {}

  add(kind: string, atMs: number): void {
    this.first = this.first === undefined ? atMs : Math.min(this.first, atMs);
    let list = this.times.get(kind);
    if (!list) this.times.set(kind, (list = []));
    list.push(atMs);
    // Bound the memory of a flood between two reads.
    if (list.length > 4096) list.splice(0, list.length - 4096);
  }

  /**
   * Rates at `nowMs`, per second. A young track divides by its own age (at least 1 s), so a drone heard for
   * two seconds at 1 Hz reads 1/s, not 0.2/s; silence makes rates fall to 0 as the window slides on.
   */
  rates(nowMs: number): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.first === undefined) return out;
    const span = Math.max(1000, Math.min(this.windowMs, nowMs - this.first));
    for (const [kind, list] of this.times) {
      const cutoff = nowMs - this.windowMs;
      let drop = 0;
      while (drop < list.length && list[drop]! <= cutoff) drop++;
      if (drop) list.splice(0, drop);
      const inWindow = list.filter((t) => t <= nowMs).length;
      out[kind] = Math.round((inWindow / (span / 1000)) * 100) / 100;
    }
    return out;
  }

  absorb(other: RateMeter): void {
    for (const [kind, list] of other.times) {
      const mine = this.times.get(kind) ?? [];
      this.times.set(kind, mine.concat(list).sort((a, b) => a - b));
    }
    if (other.first !== undefined) this.first = this.first === undefined ? other.first : Math.min(this.first, other.first);
  }
}
