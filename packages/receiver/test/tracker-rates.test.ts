import { describe, expect, it } from 'vitest';
import { RateMeter } from '../src/tracker/rates.js';

const T0 = 1_700_000_000_000;

/** `hz` receptions per second of `kind` from `fromS` to `toS` (seconds after T0, end excluded). */
function feed(m: RateMeter, kind: string, hz: number, fromS: number, toS: number): void {
  for (let t = fromS * 1000; t < toS * 1000; t += 1000 / hz) m.add(kind, T0 + t);
}

describe('RateMeter', () => {
  it('counts receptions per second over the sliding window, per message type, in first-heard order', () => {
    const m = new RateMeter(10_000);
    feed(m, 'location', 4, 0, 30);
    feed(m, 'basicId', 1, 0, 30);
    expect(m.rates(T0 + 29_999)).toEqual({ location: 4, basicId: 1 });
    expect(Object.keys(m.rates(T0 + 29_999))).toEqual(['location', 'basicId']);
  });

  it('divides a young track by its own age (at least 1 s)', () => {
    const m = new RateMeter(10_000);
    feed(m, 'location', 1, 0, 2);
    expect(m.rates(T0 + 1999)).toEqual({ location: 1 });
    const one = new RateMeter(10_000);
    one.add('system', T0);
    expect(one.rates(T0 + 10)).toEqual({ system: 1 });
  });

  it('falls to 0 as silence slides the window on, and counts nothing newer than now', () => {
    const m = new RateMeter(10_000);
    feed(m, 'location', 2, 0, 20);
    // (15, 25]: 15.5 .. 19.5 s.
    expect(m.rates(T0 + 25_000)).toEqual({ location: 0.9 });
    expect(m.rates(T0 + 31_000)).toEqual({ location: 0 });
    const early = new RateMeter(10_000);
    feed(early, 'location', 2, 0, 20);
    // Read at 15 s: the receptions of 15..20 s are in the future of that reading.
    expect(early.rates(T0 + 14_999)).toEqual({ location: 2 });
  });

  it('late frames (out of order) are counted, and expire like the others', () => {
    const m = new RateMeter(10_000);
    feed(m, 'location', 2, 10, 20);
    m.add('location', T0 + 9_500); // arrives last, belongs earlier
    m.add('location', T0 + 19_900);
    expect(m.rates(T0 + 19_999)).toEqual({ location: 2.1 });
    // (12, 22]: the late 9.5 s reception and those up to 12 s are gone; 12.5 .. 19.5 s and 19.9 s remain.
    expect(m.rates(T0 + 22_000)).toEqual({ location: 1.6 });
    m.add('location', T0 + 22_100);
    expect(m.rates(T0 + 22_200)).toEqual({ location: 1.7 });
  });

  it('keeps at most 4096 receptions of a type between two reads (a flood)', () => {
    const m = new RateMeter(10_000);
    for (let i = 0; i < 10_000; i++) m.add('auth', T0 + 5_000 + i * 0.1);
    // Heard for one second: the newest 4096 in one second.
    expect(m.rates(T0 + 6_000)).toEqual({ auth: 4096 });
  });

  it('current() hands back the same object while no rate changed', () => {
    const m = new RateMeter(10_000);
    feed(m, 'location', 1, 0, 20);
    const a = m.current(T0 + 19_100, {});
    expect(m.current(T0 + 19_200, a)).toBe(a);
    m.add('location', T0 + 19_300);
    const b = m.current(T0 + 19_400, a);
    expect(b).not.toBe(a);
    expect(b).toEqual({ location: 1.1 });
  });

  it('absorbs another meter: both series merged in time order', () => {
    const a = new RateMeter(10_000);
    const b = new RateMeter(10_000);
    feed(a, 'location', 1, 0, 20);
    feed(b, 'location', 1, 10.5, 20);
    feed(b, 'system', 1, 0, 20);
    a.absorb(b);
    expect(a.rates(T0 + 19_999)).toEqual({ location: 2, system: 1 });
    a.add('location', T0 + 19_999);
    expect(a.rates(T0 + 19_999)).toEqual({ location: 2.1, system: 1 });
  });
});
