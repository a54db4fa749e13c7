/**
 * Time for the Wi-Fi sources: the clock and the timers together, so a test can run minutes of channel
 * hopping or scanning in a few milliseconds with a fake that moves time only when told.
 */

export interface Timers {
  /** ms since the Unix epoch. */
  now(): number;
  setTimeout(cb: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Timers that move only when told (like ManualClock of @odid/position): deterministic tests and replays. */
export class ManualTimers implements Timers {
  private t: number;
  private seq = 0;
  private readonly due = new Map<number, { at: number; cb: () => void }>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(cb: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.due.set(id, { at: this.t + Math.max(0, ms), cb });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.due.size;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due in order (each at its own due time)
   * and letting the promise chains it starts settle before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`ManualTimers.advance: ms must be >= 0, got ${ms}`);
    const end = this.t + ms;
    for (;;) {
      let nextId: number | undefined;
      let next: { at: number; cb: () => void } | undefined;
      for (const [id, d] of this.due) if (d.at <= end && (!next || d.at < next.at)) [nextId, next] = [id, d];
      if (!next || nextId === undefined) break;
      this.due.delete(nextId);
      this.t = next.at;
      next.cb();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets pending promise callbacks (several hops deep) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}
