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
    // A point's time alone, counted as `at` counts, across the ring's turn.
    for (const i of [0, 1, 25, 49, -1, -2, -50]) expect(g.timeAt(i)).toBe(g.at(i)!.t);
    expect(g.timeAt(50)).toBeUndefined();
    expect(g.timeAt(-51)).toBeUndefined();
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

  it('inserts late points in time order, growing past its first columns: the same points as appending them in order', () => {
    const given = Array.from({ length: 90 }, (_, i) => pt(i, i % 4 === 0 ? {} : { alt: 100 + i, speed: 3.5, course: (i * 7) % 360 }));
    // Arrival order: every fifth point first, then the others newest first (a spool replayed backwards is the worst case).
    const order = [...given.filter((_, i) => i % 5 === 0), ...given.filter((_, i) => i % 5 !== 0).reverse()];
    const h = new PositionHistory(1000);
    for (const p of order) expect(h.insert(p)).toBe(true);
    expect(h.points()).toEqual(given);
    const inOrder = new PositionHistory(1000);
    for (const p of given) inOrder.append(p);
    expect(h.points()).toEqual(inOrder.points());
  });

  it('insert drops a repeat of the point before it, an exact repeat at the same time, and the same fix stamped a little earlier', () => {
    const h = new PositionHistory(10);
    for (const i of [0, 4, 8]) h.insert(pt(i, { alt: 50 }));
    // A hover: the place of the point before it, later.
    expect(h.insert({ ...pt(0, { alt: 50 }), t: pt(2).t })).toBe(false);
    // The same point again, at its own time.
    expect(h.insert(pt(4, { alt: 50 }))).toBe(false);
    // The same fix by another path, stamped 40 ms before the one held.
    expect(h.insert({ ...pt(8, { alt: 50 }), t: pt(8).t - 40 })).toBe(false);
    // Not repeats: another altitude; the same place as the next point but seconds before it (it went there and back).
    expect(h.insert({ ...pt(4), alt: 51, t: pt(5).t })).toBe(true);
    expect(h.insert({ ...pt(8, { alt: 50 }), t: pt(2).t })).toBe(true);
    expect(h.points().map((p) => [p.t, p.lat, p.alt])).toEqual([
      [pt(0).t, pt(0).lat, 50],
      [pt(2).t, pt(8).lat, 50],
      [pt(4).t, pt(4).lat, 50],
      [pt(5).t, pt(4).lat, 51],
      [pt(8).t, pt(8).lat, 50],
    ]);
  });

  it('insert at the limit: a point older than all held is dropped, another drops the oldest; the ring stays in time order as it turns', () => {
    const h = new PositionHistory(5);
    for (let i = 0; i < 12; i += 2) h.append(pt(i));
    // Full, and the ring has turned: 2, 4, 6, 8, 10.
    expect(h.points().map((p) => p.t)).toEqual([2, 4, 6, 8, 10].map((i) => pt(i).t));
    expect(h.insert(pt(1))).toBe(false);
    expect(h.length).toBe(5);
    expect(h.insert(pt(7))).toBe(true);
    expect(h.points().map((p) => p.t)).toEqual([4, 6, 7, 8, 10].map((i) => pt(i).t));
    expect(h.insert(pt(3))).toBe(false);
    expect(h.insert(pt(5))).toBe(true);
    expect(h.insert(pt(9))).toBe(true);
    expect(h.insert(pt(11))).toBe(true);
    expect(h.points()).toEqual([7, 8, 9, 10, 11].map((i) => pt(i)));
    expect(h.at(-1)).toEqual(pt(11));
    expect(h.at(0)).toEqual(pt(7));
    // Many more, in random order, through a ring that keeps turning: the newest seven, in order.
    const g = new PositionHistory(7);
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const times = Array.from({ length: 200 }, (_, i) => i).sort(() => next() - 0.5);
    for (const i of times) g.insert(pt(i));
    expect(g.points()).toEqual([193, 194, 195, 196, 197, 198, 199].map((i) => pt(i)));
  });

  it('refuses a limit that is not a whole number of points', () => {
    expect(() => new PositionHistory(0)).toThrow(/at least 1, got 0/);
    expect(() => new PositionHistory(2.5)).toThrow(/whole number/);
  });
});
