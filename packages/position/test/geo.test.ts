/** geo.ts against published great-circle values (spherical Earth, mean radius). */
import { describe, expect, it } from 'vitest';
import { EARTH_RADIUS_M, destinationPoint, distance, bearing, isKnownPosition } from '../src/geo.js';

const dms = (d: number, m: number, s: number): number => Math.sign(d) * (Math.abs(d) + m / 60 + s / 3600);

describe('geo', () => {
  it("Land's End to John o' Groats: 968.9 km, initial bearing 009°07′11″", () => {
    // The worked example of the haversine and bearing formulas (R = 6371 km gives 968.9 km).
    const landsEnd = { lat: dms(50, 3, 59), lon: -dms(5, 42, 53) };
    const johnOGroats = { lat: dms(58, 38, 38), lon: -dms(3, 4, 12) };
    expect((distance(landsEnd, johnOGroats) / EARTH_RADIUS_M) * 6371).toBeCloseTo(968.9, 1);
    expect(bearing(landsEnd, johnOGroats)).toBeCloseTo(dms(9, 7, 11), 3);
  });

  it('Baghdad (35°N 45°E) to Osaka (35°N 135°E): initial bearing 60°', () => {
    expect(bearing({ lat: 35, lon: 45 }, { lat: 35, lon: 135 })).toBeCloseTo(60.0, 0);
    // And the way back starts at 360 - 60.
    expect(bearing({ lat: 35, lon: 135 }, { lat: 35, lon: 45 })).toBeCloseTo(300.0, 0);
  });

  it('one degree of latitude is R·π/180; the cardinal bearings are exact', () => {
    expect(distance({ lat: 10, lon: 20 }, { lat: 11, lon: 20 })).toBeCloseTo((EARTH_RADIUS_M * Math.PI) / 180, 6);
    expect(bearing({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBe(0);
    expect(bearing({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(90, 12);
    expect(bearing({ lat: 0, lon: 0 }, { lat: -1, lon: 0 })).toBeCloseTo(180, 12);
    expect(bearing({ lat: 0, lon: 0 }, { lat: 0, lon: -1 })).toBeCloseTo(270, 12);
    expect(distance({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(Math.PI * EARTH_RADIUS_M, 3);
  });

  it('destinationPoint is the inverse of distance and bearing, across the antimeridian too', () => {
    for (const [from, course, dist] of [
      [{ lat: 52.52, lon: 13.405 }, 45, 500],
      [{ lat: -33.86, lon: 151.2 }, 300, 12_345],
      [{ lat: 10, lon: 179.99 }, 90, 5_000],
    ] as const) {
      const to = destinationPoint(from, course, dist);
      expect(distance(from, to)).toBeCloseTo(dist, 6);
      expect(bearing(from, to)).toBeCloseTo(course, 6);
      expect(Math.abs(to.lon)).toBeLessThanOrEqual(180);
    }
  });

  it('0/0 and out-of-range coordinates are not positions', () => {
    expect(isKnownPosition(0, 0)).toBe(false);
    expect(isKnownPosition(0, 0.0001)).toBe(true);
    expect(isKnownPosition(91, 0)).toBe(false);
    expect(isKnownPosition(10, -181)).toBe(false);
    expect(isKnownPosition(Number.NaN, 1)).toBe(false);
  });
});
