/**
 * The RSSI position estimator on synthetic geometry: receivers at known places, a drone, and readings made
 * from the transport's own path-loss model (an exponent and a drone power drawn within the model's range)
 * plus shadowing noise, over seeded trials. The estimate must hold the true position within its (99 %)
 * radius in at least 97 % of them, the radius must stay finite and say how crude the default model is, and
 * odd input (receivers on a line, at one place, NaN readings, two receivers) must give a bounded answer or
 * none. Calibrated receiver models (each its own reference and exponent, the drone's power the one unknown)
 * must hold the drone as often with a much smaller radius.
 */

import { describe, expect, it } from 'vitest';
import { distance } from '@odid/position';
import { estimateFromRssi, MIN_RADIUS_M, PATH_LOSS_MODELS, type ReceiverPathLoss, type RssiReading } from '../src/hub/rssi-position.js';

const ORIGIN = { lat: 52.52, lon: 13.405 };
const M_PER_DEG = 111_195;
/** A place `east`, `north` metres from ORIGIN. */
const at = (east: number, north: number): { lat: number; lon: number } => ({
  lat: ORIGIN.lat + north / M_PER_DEG,
  lon: ORIGIN.lon + east / (M_PER_DEG * Math.cos(ORIGIN.lat * (Math.PI / 180))),
});

/** mulberry32: a small seeded generator, so a failing trial can be run again. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A standard normal draw (Box-Muller). */
const gauss = (rand: () => number): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

const model = PATH_LOSS_MODELS['ble-legacy'];

/** Readings of a drone at `drone` by receivers at `places`, from the model with this exponent, power and noise. */
function readings(drone: { lat: number; lon: number }, places: { lat: number; lon: number }[], exponent: number, p0: number, noiseDb: number, rand: () => number): RssiReading[] {
  return places.map((p, i) => ({ receiver: `rx${i}`, ...p, rssi: p0 - 10 * exponent * Math.log10(Math.max(1, distance(drone, p))) + noiseDb * gauss(rand) }));
}

describe('estimateFromRssi', () => {
  it('a drone inside a triangle of receivers: within the radius in at least 97 % of seeded trials, the radius finite', () => {
    const triangle = [at(0, 600), at(520, -300), at(-520, -300)];
    const trials = 200;
    let inside = 0;
    const radii: number[] = [];
    const errors: number[] = [];
    for (let seed = 1; seed <= trials; seed++) {
      const rand = seeded(seed);
      // A point inside the triangle (barycentric), an exponent and a drone power within the model's range.
      let u = rand();
      let v = rand();
      if (u + v > 1) [u, v] = [1 - u, 1 - v];
      const drone = at(520 * (u - v), -300 + 900 * (1 - u - v));
      const exponent = 2 + 0.8 * rand();
      const p0 = model.referenceDbm + (rand() * 2 - 1) * model.referenceSpreadDb;
      const est = estimateFromRssi(readings(drone, triangle, exponent, p0, 4, rand), model);
      expect(est, `seed ${seed}`).toBeDefined();
      const miss = distance(drone, est!);
      errors.push(miss);
      radii.push(est!.radius);
      if (miss <= est!.radius) inside++;
    }
    expect(inside / trials, `within radius in ${inside} of ${trials}`).toBeGreaterThanOrEqual(0.97);
    radii.sort((a, b) => a - b);
    const median = radii[trials >> 1]!;
    expect(median).toBeGreaterThanOrEqual(MIN_RADIUS_M);
    // Honest and crude: with the drone's power and the exponent unknown, the 99 % region over a 1 km
    // triangle is most of the grid (which reaches 2× the receivers' spread, 1.2 km, from their centre).
    expect(median).toBeLessThan(2000);
    // And the estimate itself is better than guessing the triangle's centre for most trials.
    errors.sort((a, b) => a - b);
    expect(errors[trials >> 1]!).toBeLessThan(median);
  });

  it('noise-free readings from the reference model put the drone within a few tens of metres, with the readings used strongest first', () => {
    const places = [at(0, 500), at(450, -250), at(-450, -250), at(0, 0)];
    const drone = at(120, 80);
    const est = estimateFromRssi(readings(drone, places, 2.5, model.referenceDbm, 0, () => 0.5), model)!;
    expect(distance(drone, est)).toBeLessThan(40);
    expect(est.radius).toBeGreaterThanOrEqual(MIN_RADIUS_M);
    expect(distance(drone, est)).toBeLessThanOrEqual(est.radius);
    expect(est.readings.map((r) => r.rssi)).toEqual([...est.readings.map((r) => r.rssi)].sort((a, b) => b - a));
    expect(est.readings[0]!.receiver).toBe('rx3');
  });

  it('receivers on a line cannot tell which side: the radius covers the mirror image, so it still holds the drone', () => {
    const line = [at(-500, 0), at(0, 0), at(500, 0)];
    const drone = at(100, 250);
    const est = estimateFromRssi(readings(drone, line, 2.5, model.referenceDbm, 0, () => 0.5), model)!;
    expect(est).toBeDefined();
    expect(distance(drone, est)).toBeLessThanOrEqual(est.radius);
    const mirror = at(100, -250);
    expect(distance(mirror, est)).toBeLessThanOrEqual(est.radius);
  });

  it('no estimate from fewer than three places: two receivers, three at two places, NaN or impossible readings', () => {
    const drone = at(0, 0);
    const three = [at(0, 400), at(400, -200), at(-400, -200)];
    const good = readings(drone, three, 2.5, model.referenceDbm, 0, () => 0.5);
    expect(estimateFromRssi(good.slice(0, 2), model)).toBeUndefined();
    expect(estimateFromRssi([good[0]!, { ...good[1]!, lat: good[0]!.lat, lon: good[0]!.lon }, good[0]!], model)).toBeUndefined();
    expect(estimateFromRssi([good[0]!, good[1]!, { ...good[2]!, rssi: Number.NaN }], model)).toBeUndefined();
    expect(estimateFromRssi([good[0]!, good[1]!, { ...good[2]!, rssi: 500 }], model)).toBeUndefined();
    expect(estimateFromRssi([good[0]!, good[1]!, { ...good[2]!, lat: Number.POSITIVE_INFINITY }], model)).toBeUndefined();
    expect(estimateFromRssi([], model)).toBeUndefined();
    // Three readings, all at one place: a distance from one place, no position.
    expect(estimateFromRssi(good.map((r) => ({ ...r, lat: ORIGIN.lat, lon: ORIGIN.lon })), model)).toBeUndefined();
    // A receiver duplicated (the same place twice) beside two others still makes three places.
    expect(estimateFromRssi([...good, { ...good[0]!, receiver: 'twin' }], model)).toBeDefined();
  });

  it('readings that disagree with each other widen the radius instead of pretending', () => {
    const places = [at(0, 500), at(450, -250), at(-450, -250), at(0, -600), at(600, 300)];
    const drone = at(100, 350);
    const consistent = readings(drone, places, 2.5, model.referenceDbm, 0, () => 0.5);
    // One receiver 30 dB louder than any place of the drone allows together with the others.
    const odd = consistent.map((r, i) => (i === 3 ? { ...r, rssi: r.rssi + 30 } : r));
    const a = estimateFromRssi(consistent, model)!;
    const b = estimateFromRssi(odd, model)!;
    expect(b.radius).toBeGreaterThan(a.radius);
  });

  it('is bounded: many receivers are cut to the strongest, far-apart ones keep a finite grid', () => {
    const rand = seeded(7);
    const many = Array.from({ length: 200 }, (_, i) => ({ receiver: `r${i}`, ...at(2000 * rand() - 1000, 2000 * rand() - 1000), rssi: -60 - 30 * rand() }));
    const est = estimateFromRssi(many, model)!;
    expect(est.readings.length).toBe(12);
    expect(Number.isFinite(est.radius)).toBe(true);
    const far = [at(0, 0), { lat: ORIGIN.lat + 1, lon: ORIGIN.lon }, { lat: ORIGIN.lat, lon: ORIGIN.lon + 1 }].map((p, i) => ({ receiver: `f${i}`, ...p, rssi: -80 }));
    const wide = estimateFromRssi(far, model);
    expect(wide === undefined || Number.isFinite(wide.radius)).toBe(true);
  });

  it('calibrated receivers (each its own reference and exponent, the drone\'s power unknown): as honest, a fraction of the radius', () => {
    const triangle = [at(0, 600), at(520, -300), at(-520, -300)];
    const models: ReceiverPathLoss[] = [
      { referenceDbm: -40, exponent: 2.4, shadowingDb: 1.2 },
      { referenceDbm: -35, exponent: 2.6, shadowingDb: 1.2 },
      { referenceDbm: -44, exponent: 2.7, shadowingDb: 1.2 },
    ];
    const calibrated = { receivers: new Map(models.map((m, i) => [`rx${i}`, m])), powerSpreadDb: 1.5 };
    const trials = 200;
    let inside = 0;
    const radii: number[] = [];
    const defaultRadii: number[] = [];
    for (let seed = 1; seed <= trials; seed++) {
      const rand = seeded(1000 + seed);
      let u = rand();
      let v = rand();
      if (u + v > 1) [u, v] = [1 - u, 1 - v];
      const drone = at(520 * (u - v), -300 + 900 * (1 - u - v));
      const power = 1.5 * gauss(rand);
      const heard = triangle.map((p, i) => ({ receiver: `rx${i}`, ...p, rssi: models[i]!.referenceDbm + power - 10 * models[i]!.exponent * Math.log10(Math.max(1, distance(drone, p))) + 1.2 * gauss(rand) }));
      const est = estimateFromRssi(heard, calibrated)!;
      expect(est.calibrated).toBe(true);
      radii.push(est.radius);
      if (distance(drone, est) <= est.radius) inside++;
      defaultRadii.push(estimateFromRssi(heard, model)!.radius);
    }
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    expect(inside / trials, `within radius in ${inside} of ${trials}`).toBeGreaterThanOrEqual(0.97);
    expect(median(radii), `${median(radii)} vs ${median(defaultRadii)}`).toBeLessThan(0.35 * median(defaultRadii));
    expect(median(radii)).toBeGreaterThanOrEqual(MIN_RADIUS_M);

    // A receiver without a model is left out; fewer than three with one, no calibrated estimate.
    const drone = at(50, 50);
    const heard = [...triangle, at(0, -700)].map((p, i) => ({ receiver: `rx${i}`, ...p, rssi: -45 - 26 * Math.log10(distance(drone, p)) }));
    expect(estimateFromRssi(heard, calibrated)!.readings.map((r) => r.receiver).sort()).toEqual(['rx0', 'rx1', 'rx2']);
    expect(estimateFromRssi(heard, { ...calibrated, receivers: new Map([...calibrated.receivers].slice(0, 2)) })).toBeUndefined();
    expect(estimateFromRssi(heard, { ...calibrated, powerSpreadDb: 0 })).toBeUndefined();
    expect(estimateFromRssi(heard, { ...calibrated, receivers: new Map([...calibrated.receivers].map(([k, m]) => [k, { ...m, shadowingDb: Number.NaN }])) })).toBeUndefined();
    expect(estimateFromRssi(heard, model)!.calibrated).toBe(false);
  });
});
