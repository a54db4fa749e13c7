/**
 * Rates cost O(1) per message whatever the timestamps do. Replays of captures played one after another
 * (time jumps backwards at each join) used to cost a scan of every kept reception per message: one 50 MB
 * capture took 3.1 s, five copies 77 s. The work is counted through the meter's step counter (no wall time).
 */
import { describe, expect, it } from 'vitest';
import { RateMeter, type RateWork } from '../../packages/receiver/src/tracker/rates.js';
import { rng as seededRandom } from '../support/random.js';

const T0 = 1_700_000_000_000;
const WINDOW = 10_000;
/** Steps allowed per reception (add + the reading after it): a constant, however the times go. */
const STEPS_PER_RECEPTION = 40;

/** Feeds `times` (ms) as the tracker does: one reception, then a reading of the rates at its time. */
function replay(times: readonly number[], kinds = ['location', 'basicId', 'system']): RateWork {
  const work: RateWork = { steps: 0 };
  const m = new RateMeter(WINDOW, work);
  let rates: Record<string, number> = {};
  times.forEach((t, i) => {
    m.add(kinds[i % kinds.length]!, t);
    rates = m.current(t, rates);
  });
  return work;
}

/** `copies` captures of `perCopy` receptions at `hz`, played one after another: time jumps back at each join. */
function concatenated(copies: number, perCopy: number, hz: number): number[] {
  const one = Array.from({ length: perCopy }, (_, i) => T0 + (i * 1000) / hz);
  return Array.from({ length: copies }, () => one).flat();
}

describe('RateMeter: bounded work per reception, whatever the timestamps do', () => {
  it('200,000 receptions of five captures played one after another (time jumps back four times)', () => {
    const times = concatenated(5, 40_000, 20);
    const work = replay(times);
    expect(work.steps).toBeGreaterThan(0);
    expect(work.steps).toBeLessThan(STEPS_PER_RECEPTION * times.length);
  });

  it('200,000 receptions jumping back by more than the window every 50 receptions (a clock stepping back and forth)', () => {
    const times: number[] = [];
    for (let i = 0; i < 200_000; i++) times.push(T0 + (i % 50) * 100 + (Math.floor(i / 50) % 2) * 60_000);
    const work = replay(times);
    expect(work.steps).toBeGreaterThan(0);
    expect(work.steps).toBeLessThan(STEPS_PER_RECEPTION * times.length);
  });

  it('200,000 receptions in a flood (4096 kept per type), every one late by a random amount up to 30 s', () => {
    const random = seededRandom(7);
    const times: number[] = [];
    for (let i = 0; i < 200_000; i++) times.push(T0 + i * 0.5 - random() * 30_000);
    const work = replay(times, ['auth']);
    expect(work.steps).toBeGreaterThan(0);
    expect(work.steps).toBeLessThan(STEPS_PER_RECEPTION * 3 * times.length);
  });

  it('in-order input: the same rates as counting every reception in (now - window, now] (newest 4096 per type)', () => {
    const random = seededRandom(11);
    for (let run = 0; run < 20; run++) {
      const m = new RateMeter(WINDOW);
      const kept = new Map<string, number[]>();
      let first: number | undefined;
      let t = T0;
      for (let i = 0; i < 2000; i++) {
        t += random() < 0.1 ? random() * 15_000 : random() * 300;
        const kind = ['location', 'basicId', 'system'][Math.floor(random() * 3)]!;
        m.add(kind, t);
        first ??= t;
        kept.set(kind, [...(kept.get(kind) ?? []), t].slice(-4096));
        if (random() < 0.2) {
          const now = t + random() * 12_000;
          const span = Math.max(1000, Math.min(WINDOW, now - first));
          const expected: Record<string, number> = {};
          for (const [k, list] of kept) expected[k] = Math.round((list.filter((x) => x > now - WINDOW && x <= now).length / (span / 1000)) * 100) / 100;
          expect(m.rates(now)).toEqual(expected);
          // What left the window is gone for good (the meter drops it too).
          for (const [k, list] of kept) kept.set(k, list.filter((x) => x > now - WINDOW));
        }
      }
    }
  });
});
