/**
 * Runs the schedule: starts the radios (one that cannot start is reported with its fix, the others keep
 * running), then hands each due transmission to its radio, in real time or — with a file or pipe sink
 * only — as fast as the machine can on a simulated clock.
 */

import type { Clock, ManualClock } from '@odid/position';
import { RadioError, type Radio } from './radios/types.js';
import { type Transmission } from '@odid/transmitter';
import { composeErrorMessage, ToolkitError, type BroadcastTransport } from '@odid/codec';
import type { Scheduler } from '@odid/transmitter';

export interface BroadcasterOptions {
  scheduler: Scheduler;
  radios: Radio[];
  clock: Clock;
  /** Where human-readable notes go (stderr in the CLI). */
  log?: (line: string) => void;
  /** Called after every transmission (statistics, dry-run printing). */
  onTransmit?: (t: Transmission) => void;
}

/** With a simulated clock, the longest the broadcaster runs before letting the event loop in (ms). */
const SLICE_MS = 20;

export class Broadcaster {
  private readonly byTransport = new Map<BroadcastTransport, Radio>();
  readonly failed: RadioError[] = [];
  transmissions = 0;

  constructor(private readonly opts: BroadcasterOptions) {}

  /** Starts every radio; returns the transports that run. Throws only if none can. */
  async start(): Promise<BroadcastTransport[]> {
    for (const radio of this.opts.radios) {
      try {
        await radio.start();
        this.byTransport.set(radio.transport, radio);
        this.opts.log?.(`${radio.transport}: ${radio.description}`);
      } catch (e) {
        const err = e instanceof RadioError ? e : new RadioError('failed', radio.transport, (e as Error).message, 'see hardware/README.md', { cause: e });
        this.failed.push(err);
        this.opts.log?.(composeErrorMessage(err.reason, { subject: `${err.transport} cannot start`, fix: err.fix }));
      }
    }
    if (this.byTransport.size === 0) {
      throw new ToolkitError('no-transport', 'no transport could start (the lines above say why)', { fix: 'correct one of them, or broadcast into a capture with --pcapng FILE' });
    }
    return [...this.byTransport.keys()];
  }

  private async send(list: Transmission[]): Promise<void> {
    for (const t of list) {
      const radio = this.byTransport.get(t.transport);
      if (!radio) continue;
      await radio.transmit(t);
      this.transmissions++;
      this.opts.onTransmit?.(t);
    }
  }

  /**
   * Simulated time: jumps the clock from one due time to the next until `untilMs`, or until `signal` aborts.
   * Every SLICE_MS of work the event loop gets a turn (a signal, a closed pipe), so stopping takes no longer.
   */
  async runSimulated(clock: ManualClock, untilMs: number, signal?: AbortSignal): Promise<void> {
    const s = this.opts.scheduler;
    let sliceEnd = Date.now() + SLICE_MS;
    for (let next = s.nextDue(); next <= untilMs && !signal?.aborted; next = s.nextDue()) {
      if (next > clock.now()) clock.set(next);
      await this.send(s.due());
      if (Date.now() >= sliceEnd) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceEnd = Date.now() + SLICE_MS;
      }
    }
    if (!signal?.aborted && clock.now() < untilMs) clock.set(untilMs);
  }

  /** Real time: sleeps until each due time; stops at `untilMs` or when `signal` aborts. */
  async runRealtime(untilMs: number, signal?: AbortSignal): Promise<void> {
    const s = this.opts.scheduler;
    while (!signal?.aborted) {
      const next = s.nextDue();
      if (next > untilMs) break;
      const wait = next - this.opts.clock.now();
      if (wait > 0) await sleep(wait, signal);
      if (signal?.aborted) break;
      await this.send(s.due());
    }
  }

  async stop(): Promise<void> {
    for (const r of this.byTransport.values()) {
      try {
        await r.stop();
      } catch (e) {
        this.opts.log?.(`${r.transport}: stopping failed: ${(e as Error).message}`);
      }
    }
  }
}

/**
 * Waits `ms`, or less if `signal` aborts. Resolves either way; the abort listener comes off the signal when
 * the timer fires, so a flight-long run on one signal never holds more than one.
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
