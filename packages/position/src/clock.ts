/** Wall-clock time source. Injected everywhere so tests can run an hour of flight in milliseconds. */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: deterministic tests. */
export class ManualClock implements Clock {
  private t: number;

  constructor(start: number = Date.UTC(2025, 5, 1, 10, 0, 0)) {
    if (!Number.isFinite(start)) throw new RangeError(`ManualClock: start must be a finite ms timestamp, got ${start}`);
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  advance(ms: number): number {
    // Time never runs backwards: a negative step is a test bug, not a scenario.
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ManualClock.advance: ms must be a finite number >= 0, got ${ms}`);
    this.t += ms;
    return this.t;
  }

  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`ManualClock.set: ms must be finite, got ${ms}`);
    this.t = ms;
  }
}
