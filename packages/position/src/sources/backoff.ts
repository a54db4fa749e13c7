/** Exponential reconnect delays: quick first retry, capped so a long outage is still polled. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 500;
    this.maxMs = opts.maxMs ?? 30_000;
    if (!(this.initialMs > 0 && this.maxMs >= this.initialMs)) {
      throw new RangeError(`backoff: need 0 < initialMs <= maxMs, got ${this.initialMs} and ${this.maxMs}`);
    }
  }

  /** Delay before the next attempt; doubles each time up to maxMs. */
  next(): number {
    const d = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return d;
  }

  /** After a connection that worked, start again from the short delay. */
  reset(): void {
    this.attempt = 0;
  }
}
