import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../src/clock.js';
import { Emitter } from '../src/sources/emitter.js';
import {
  angleDiff,
  bearing,
  courseFromVelocity,
  distance,
  isStale,
  LocalFrame,
  normalizeDegrees,
  StaticSource,
  type Fix,
} from '../src/index.js';

describe('clock', () => {
  it('ManualClock moves only when told, never backwards', () => {
    const c = new ManualClock(1_000);
    expect(c.now()).toBe(1_000);
    c.advance(3_600_000);
    expect(c.now()).toBe(3_601_000);
    expect(() => c.advance(-1)).toThrow(/>= 0/);
    c.set(5);
    expect(c.now()).toBe(5);
  });

  it('systemClock follows Date.now', () => {
    const before = Date.now();
    const t = systemClock.now();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });
});

describe('isStale', () => {
  const fix: Fix = { time: 10_000, latitude: 1, longitude: 2 };
  it('applies the 1 s freshness rule by default', () => {
    expect(isStale(fix, 10_000)).toBe(false);
    expect(isStale(fix, 11_000)).toBe(false);
    expect(isStale(fix, 11_001)).toBe(true);
    expect(isStale(fix, 9_000)).toBe(false); // from the future: not stale
    expect(isStale(fix, 13_000, 5_000)).toBe(false);
    expect(isStale(undefined, 0)).toBe(true);
  });
});

describe('Emitter', () => {
  class E extends Emitter<{ x: number; error: Error }> {
    fire(n: number): void {
      this.emit('x', n);
    }
  }

  it('delivers to listeners, supports off, and routes listener exceptions to error listeners', () => {
    const e = new E();
    const got: number[] = [];
    const errors: Error[] = [];
    const cb = (n: number): void => void got.push(n);
    e.on('x', cb);
    e.on('x', () => {
      throw new Error('listener bug');
    });
    e.on('error', (err) => errors.push(err));
    e.fire(1);
    e.off('x', cb);
    e.fire(2);
    expect(got).toEqual([1]);
    expect(errors.map((x) => x.message)).toEqual(['listener bug', 'listener bug']);
  });
});

describe('geo', () => {
  it('normalizes angles into 0..<360', () => {
    expect(normalizeDegrees(360)).toBe(0);
    expect(normalizeDegrees(-0)).toBe(0);
    expect(normalizeDegrees(-90)).toBe(270);
    expect(normalizeDegrees(725)).toBe(5);
    expect(normalizeDegrees(-1e-14)).toBeLessThan(360);
    expect(angleDiff(350, 10)).toBe(20);
    expect(angleDiff(10, 350)).toBe(-20);
  });

  it('computes course from north/east velocity', () => {
    expect(courseFromVelocity(1, 0)).toBe(0);
    expect(courseFromVelocity(0, 1)).toBe(90);
    expect(courseFromVelocity(-1, 0)).toBe(180);
    expect(courseFromVelocity(0, -1)).toBe(270);
    expect(courseFromVelocity(-1, -1)).toBeCloseTo(225, 10);
    expect(courseFromVelocity(0, 0)).toBeUndefined();
  });

  it('great-circle distance and bearing agree with known values', () => {
    // One degree of latitude on the mean sphere: 111.195 km.
    expect(distance({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111_195, -1);
    expect(bearing({ lat: 47, lon: 7 }, { lat: 48, lon: 7 })).toBeCloseTo(0, 9);
    expect(bearing({ lat: 47, lon: 7 }, { lat: 46, lon: 7 })).toBeCloseTo(180, 9);
    expect(bearing({ lat: 0, lon: 7 }, { lat: 0, lon: 8 })).toBeCloseTo(90, 9);
    expect(bearing({ lat: 0, lon: 8 }, { lat: 0, lon: 7 })).toBeCloseTo(270, 9);
    // Across the antimeridian: east is still east.
    expect(bearing({ lat: 0, lon: 179.9 }, { lat: 0, lon: -179.9 })).toBeCloseTo(90, 6);
  });

  it('ENU round trip is exact to the millimetre, and 1 km east is 1 km away', () => {
    const f = new LocalFrame({ lat: 47.3977, lon: 8.5456, alt: 488 });
    for (const [e, n, u] of [[1000, 0, 0], [-2500, 4000, 120], [0, -30_000, 10]] as const) {
      const g = f.fromEnu(e, n, u);
      const back = f.toEnu(g.lat, g.lon, g.alt);
      expect(back.e).toBeCloseTo(e, 3);
      expect(back.n).toBeCloseTo(n, 3);
      expect(back.u).toBeCloseTo(u, 3);
    }
    const east = f.fromEnu(1000, 0, 0);
    expect(east.lat).toBeCloseTo(47.3977, 4);
    expect(distance({ lat: 47.3977, lon: 8.5456 }, east)).toBeCloseTo(1000, -1);
  });
});

describe('StaticSource', () => {
  it('reports its point stamped with the clock, only while started', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const src = new StaticSource({ latitude: 47.3977, longitude: 8.5456, altitude: 488, clock, intervalMs: 0 });
    const fixes: Fix[] = [];
    src.on('fix', (f) => fixes.push(f));
    expect(src.latest()).toBeUndefined();
    await src.start();
    expect(fixes).toHaveLength(1);
    clock.advance(3_600_000);
    const f = src.latest()!;
    expect(f).toMatchObject({ time: clock.now(), latitude: 47.3977, longitude: 8.5456, altitudeGeo: 488, height: 0, speedHorizontal: 0, status: 'ground', fixType: '3d' });
    expect(isStale(f, clock.now())).toBe(false);
    src.tick();
    expect(fixes.map((x) => x.time)).toEqual([Date.UTC(2025, 0, 1), clock.now()]);
    await src.stop();
    expect(src.latest()).toBeUndefined();
    expect(src.tick()).toBeUndefined();
  });

  it('emits on its timer', async () => {
    const src = new StaticSource({ latitude: 1, longitude: 2, clock: systemClock, intervalMs: 10 });
    let n = 0;
    src.on('fix', () => n++);
    await src.start();
    await new Promise((r) => setTimeout(r, 80));
    await src.stop();
    const after = n;
    expect(after).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 30));
    expect(n).toBe(after);
    expect(src.name).toBe('static:1,2');
  });

  it('rejects impossible coordinates with the field in the message', () => {
    const clock = new ManualClock();
    expect(() => new StaticSource({ latitude: 91, longitude: 0, clock })).toThrow(/latitude must be degrees in -90\.\.90, got 91/);
    expect(() => new StaticSource({ latitude: 0, longitude: -181, clock })).toThrow(/longitude/);
    expect(() => new StaticSource({ latitude: 0, longitude: 0, altitude: NaN, clock })).toThrow(/altitude/);
  });
});
