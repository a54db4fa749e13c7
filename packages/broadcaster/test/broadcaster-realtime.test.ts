/**
 * Real-time broadcasting sleeps between transmissions on the caller's abort signal: every sleep must take
 * its abort listener off the signal again, or a flight-long run piles up thousands of them (and Node warns
 * "MaxListenersExceededWarning" after the eleventh).
 */
import { getEventListeners } from 'node:events';
import { systemClock } from '@odid/position';
import type { Scheduler, Transmission } from '@odid/transmitter';
import { describe, expect, it } from 'vitest';
import { Broadcaster } from '../src/broadcaster.js';
import type { Radio } from '../src/radios/types.js';

/** A scheduler with one transmission due every `stepMs` of wall-clock time. */
function tickingScheduler(stepMs: number): Scheduler {
  let next = Date.now() + stepMs;
  return {
    nextDue: () => next,
    due: (): Transmission[] => {
      const t: Transmission = { transport: 'wifi-beacon', timeMs: next, counter: 0, payload: new Uint8Array(25) };
      next += stepMs;
      return [t];
    },
  } as unknown as Scheduler;
}

const nullRadio: Radio = {
  transport: 'wifi-beacon',
  description: 'test sink',
  start: async () => {},
  transmit: async () => {},
  stop: async () => {},
};

describe('Broadcaster.runRealtime', () => {
  it('keeps the abort listeners on its signal bounded over many sleeps, and removes them all when done', async () => {
    const ac = new AbortController();
    const counts: number[] = [];
    const b = new Broadcaster({
      scheduler: tickingScheduler(1),
      radios: [nullRadio],
      clock: systemClock,
      onTransmit: () => counts.push(getEventListeners(ac.signal, 'abort').length),
    });
    await b.start();
    await b.runRealtime(Date.now() + 150, ac.signal);
    expect(b.transmissions).toBeGreaterThan(20); // many sleeps happened on the one signal
    expect(Math.max(...counts)).toBeLessThanOrEqual(1);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('still stops promptly when the signal aborts mid-sleep', async () => {
    const ac = new AbortController();
    const b = new Broadcaster({ scheduler: tickingScheduler(60_000), radios: [nullRadio], clock: systemClock });
    await b.start();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 20);
    await b.runRealtime(Date.now() + 120_000, ac.signal);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(b.transmissions).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
});
