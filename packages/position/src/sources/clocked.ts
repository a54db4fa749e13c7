/**
 * Base for sources whose position is a pure function of time (static, sim): latest() is computed on
 * demand from the injected clock, so it is never stale, and a timer only paces the 'fix' events.
 */
import type { Clock } from '../clock.js';
import { Emitter } from './emitter.js';
import type { Fix, PositionSource, SourceEvents } from './types.js';

export interface ClockedOptions {
  clock: Clock;
  /** Period of 'fix' events in real ms; 0 = no timer, call tick() yourself (tests with a ManualClock). */
  intervalMs?: number;
}

export abstract class ClockedSource extends Emitter<SourceEvents> implements PositionSource {
  abstract readonly name: string;
  protected readonly clock: Clock;
  private readonly intervalMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;

  constructor(opts: ClockedOptions) {
    super();
    this.clock = opts.clock;
    this.intervalMs = opts.intervalMs ?? 1000;
    if (!Number.isFinite(this.intervalMs) || this.intervalMs < 0) {
      throw new RangeError(`intervalMs must be a number >= 0 (0 = no timer), got ${opts.intervalMs}`);
    }
  }

  /** The fix this source reports at time `ms`: pure, so a scheduler can sample exact instants. */
  abstract positionAt(ms: number): Fix;

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.tick();
    if (this.intervalMs > 0) this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  latest(): Fix | undefined {
    return this.running ? this.positionAt(this.clock.now()) : undefined;
  }

  /** Emit a 'fix' for the clock's current time (only while started). */
  tick(): Fix | undefined {
    const fix = this.latest();
    if (fix) this.emit('fix', fix);
    return fix;
  }
}
