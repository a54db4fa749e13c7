import { describe, expect, it } from 'vitest';
import { PositionHistory } from '../src/tracker/history.js';
import type { TrackPoint } from '../src/tracker/types.js';

const pt = (i: number, extra: Partial<TrackPoint> = {}): TrackPoint => ({ t: 1_700_000_000_000 + i * 500.25, lat: 46.9 + i * 1e-5, lon: 7.4 - i * 1e-5, ...extra });

describe('PositionHistory', () => {
  it('keeps every point, oldest first, exactly as given while under the limit (growing past its first columns)', () => {
    const h = new PositionHistory(1000);
    const given = Array.from({ length: 100 }, (_, i) => pt(i, i % 3 === 0 ? {} : { alt: 110.5 + i, speed: 12.25, course: i % 360 }));
    for (const p of given) expect(h.append(p)).toBe(true);
    expect(h.length).toBe(100);
    expect(h.points()).toEqual(given);
    expect([...h]).toEqual(given);
    expect(h.at(0)).toEqual(given[0]);
    expect(h.at(-1)).toEqual(given[99]);
    expect(h.at(100)).toBeUndefined();
    expect(h.at(-101)).toBeUndefined();
  });

  it('leaves out absent altitude, speed and course rather than inventing them', () => {
    const h = new PositionHistory(10);
    h.append(pt(0));
    h.append(pt(1, { speed: 0 }));
    expect(Object.keys(h.at(0)!)).toEqual(['t', 'lat', 'lon']);
    expect(h.at(1)).toEqual({ ...pt(1), speed: 0 });
  });

  it('drops a repeat of the last position (same lat, lon and altitude), not of an older one', () => {
    const h = new PositionHistory(10);
    expect(h.append(pt(0, { alt: 100.5 }))).toBe(true);
    expect(h.append({ ...pt(0, { alt: 100.5 }), t: 9 })).toBe(false);
    expect(h.append(pt(0, { alt: 101 }))).toBe(true);
    expect(h.append(pt(0))).toBe(true);
    expect(h.append(pt(0))).toBe(false);
    expect(h.append(pt(1))).toBe(true);
    expect(h.append(pt(0))).toBe(true);
    expect(h.length).toBe(5);
  });

  it('at the limit drops the oldest, for as long as points keep coming', () => {
    const h = new PositionHistory(7);
    for (let i = 0; i < 30; i++) h.append(pt(i, { alt: i }));
    expect(h.length).toBe(7);
    expect(h.points()).toEqual(Array.from({ length: 7 }, (_, k) => pt(23 + k, { alt: 23 + k })));
    expect(h.at(-1)).toEqual(pt(29, { alt: 29 }));
    // A limit reached while growing (16, 32, 48, then 50), and the ring turning more than once.
    const g = new PositionHistory(50);
    for (let i = 0; i < 170; i++) g.append(pt(i));
    expect(g.points()).toEqual(Array.from({ length: 50 }, (_, k) => pt(120 + k)));
  });

  it('stores altitude, speed and course as 32-bit floats: exact on ODID steps, within 1e-7 otherwise', () => {
    const h = new PositionHistory(4);
    h.append(pt(0, { alt: -999.5, speed: 254.25, course: 359 }));
    h.append(pt(1, { alt: 31767, speed: 0.25, course: 0 }));
    h.append(pt(2, { speed: Math.hypot(3.1, 4.7), course: 56.59 }));
    expect(h.at(0)).toEqual(pt(0, { alt: -999.5, speed: 254.25, course: 359 }));
    expect(h.at(1)).toEqual(pt(1, { alt: 31767, speed: 0.25, course: 0 }));
    expect(h.at(2)!.speed).toBeCloseTo(Math.hypot(3.1, 4.7), 6);
    expect(h.at(2)!.course).toBeCloseTo(56.59, 5);
  });

  it('absorbs another history: both in time order, repeats dropped, the newest within the limit kept', () => {
    const a = new PositionHistory(5);
    const b = new PositionHistory(5);
    for (const i of [0, 2, 4, 6]) a.append(pt(i));
    for (const i of [1, 3, 5, 7]) b.append(pt(i));
    a.absorb(b);
    expect(a.points().map((p) => p.t)).toEqual([3, 4, 5, 6, 7].map((i) => pt(i).t));
    const c = new PositionHistory(10);
    c.append(pt(1));
    const d = new PositionHistory(10);
    d.append({ ...pt(1), t: pt(1).t + 5 });
    c.absorb(d);
    expect(c.length).toBe(1);
  });

  it('refuses a limit that is not a whole number of points', () => {
    expect(() => new PositionHistory(0)).toThrow(/at least 1, got 0/);
    expect(() => new PositionHistory(2.5)).toThrow(/whole number/);
  });
});
