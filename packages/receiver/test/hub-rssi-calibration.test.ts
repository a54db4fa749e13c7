/**
 * The path-loss calibration on synthetic pairs: drones at known distances from one receiver, their readings
 * made from a known model (reference, exponent), each drone's own power offset and noise, seeded. What is
 * checked: the fit finds the model and the spreads; nothing before enough drones and pairs; a drone's own
 * pairs never enter the model that judges it (the fit without its fold, one fit for every drone of that
 * fold), and a liar among honest drones barely moves the others'; implausible pairs are refused; memory is
 * bounded per drone and per receiver; a forgotten drone is gone.
 */

import { describe, expect, it } from 'vitest';
import { CAPACITY, foldOf, FOLDS, MIN_DISTANCE_M, MIN_PAIRS, MIN_SOURCES, PathLossCalibration, PER_SOURCE, REFIT_EVERY_MS, SAMPLE_EVERY_MS } from '../src/hub/rssi-calibration.js';
import { Random } from '../../../test/support/random.js';

const REFERENCE = -41;
const EXPONENT = 2.6;
/** A standard normal draw (Box-Muller). */
const gauss = (r: Random): number => Math.sqrt(-2 * Math.log(1 - r.float())) * Math.cos(2 * Math.PI * r.float());

interface Drone {
  source: string;
  power: number;
  /** Metres from the receiver at step i. */
  at: (i: number) => number;
}

/** `count` drones, each flying between its own nearest and farthest distance, powers spread by `powerDb`. */
function fleet(r: Random, count: number, powerDb: number, prefix = 'd'): Drone[] {
  return Array.from({ length: count }, (_, k) => {
    const near = 150 + 600 * r.float();
    const far = near * (1.5 + 2 * r.float());
    const phase = r.float() * 2 * Math.PI;
    return { source: `${prefix}${k}`, power: powerDb * gauss(r), at: (i: number) => near + ((far - near) * (1 + Math.sin(phase + i / 7))) / 2 };
  });
}

/** Feeds `steps` rounds of pairs (one per drone per SAMPLE_EVERY_MS), readings with `noiseDb` of noise. */
function feed(cal: PathLossCalibration, drones: Drone[], steps: number, noiseDb: number, r: Random, from = 0): number {
  let t = from;
  for (let i = 0; i < steps; i++, t += SAMPLE_EVERY_MS) {
    for (const d of drones) {
      const m = d.at(i);
      cal.add('rx', 'ble-legacy', d.source, m, REFERENCE + d.power - 10 * EXPONENT * Math.log10(m) + noiseDb * gauss(r), t);
    }
  }
  return t;
}

describe('PathLossCalibration', () => {
  it('finds the reference, the exponent and the spreads of drones heard at known distances', () => {
    const r = new Random(41);
    const cal = new PathLossCalibration();
    const t = feed(cal, fleet(r, 12, 2), 40, 1.5, r);
    const m = cal.model('rx', 'ble-legacy', new Set(), t)!;
    expect(m).toBeDefined();
    expect(m.exponent).toBeCloseTo(EXPONENT, 0);
    expect(Math.abs(m.exponent - EXPONENT)).toBeLessThan(0.15);
    expect(Math.abs(m.referenceDbm - REFERENCE)).toBeLessThan(2);
    // The reading's spread, with the fit's own uncertainty: at least the noise, not much more.
    expect(m.shadowingDb).toBeGreaterThanOrEqual(1.4);
    expect(m.shadowingDb).toBeLessThan(2.5);
    // Twelve drones of 2 dB spread: a rough but bounded measure of it.
    expect(m.powerSpreadDb).toBeGreaterThan(1);
    expect(m.powerSpreadDb).toBeLessThan(3.5);
    expect(m.sources).toBe(12);
    // Another receiver or transport has nothing.
    expect(cal.model('rx', 'wifi-beacon', new Set(), t)).toBeUndefined();
    expect(cal.model('other', 'ble-legacy', new Set(), t)).toBeUndefined();
  });

  it('has no model before enough drones and pairs, and takes one pair per drone per sampling interval', () => {
    const r = new Random(42);
    const cal = new PathLossCalibration();
    // Too few drones, however many pairs each.
    const t = feed(cal, fleet(r, MIN_SOURCES - 1, 1), 40, 1, r);
    expect(cal.model('rx', 'ble-legacy', new Set(), t)).toBeUndefined();
    // Enough drones, too few pairs.
    const few = new PathLossCalibration();
    const end = feed(few, fleet(r, MIN_SOURCES + 2, 1), Math.floor(MIN_PAIRS / (MIN_SOURCES + 2)) - 1, 1, r);
    expect(few.model('rx', 'ble-legacy', new Set(), end)).toBeUndefined();
    // Sampling: a second pair from one drone within the interval is refused.
    const c = new PathLossCalibration();
    expect(c.add('rx', 'ble-legacy', 'a', 500, -110, 0)).toBe(true);
    expect(c.add('rx', 'ble-legacy', 'a', 510, -110, SAMPLE_EVERY_MS - 1)).toBe(false);
    expect(c.add('rx', 'ble-legacy', 'b', 510, -110, SAMPLE_EVERY_MS - 1)).toBe(true);
    expect(c.add('rx', 'ble-legacy', 'a', 520, -110, SAMPLE_EVERY_MS)).toBe(true);
    expect(c.pairsOf('rx', 'ble-legacy')).toBe(3);
  });

  it('never fits a drone\'s own pairs into the model that judges it; a liar barely moves the model of the others', () => {
    const r = new Random(43);
    const honest = fleet(r, 10, 1.5);
    const cal = new PathLossCalibration();
    const clean = new PathLossCalibration();
    // The liar reports positions three times farther than it is: its readings look 12 dB too loud.
    const liar: Drone = { source: 'liar', power: 0, at: (i) => 3 * (200 + 10 * i) };
    let t = 0;
    for (let i = 0; i < 40; i++, t += SAMPLE_EVERY_MS) {
      for (const d of honest) {
        const m = d.at(i);
        const y = REFERENCE + d.power - 10 * EXPONENT * Math.log10(m) + 1.5 * gauss(r);
        cal.add('rx', 'ble-legacy', d.source, m, y, t);
        clean.add('rx', 'ble-legacy', d.source, m, y, t);
      }
      const trueM = liar.at(i) / 3;
      cal.add('rx', 'ble-legacy', liar.source, liar.at(i), REFERENCE - 10 * EXPONENT * Math.log10(trueM) + 1.5 * gauss(r), t);
    }
    const judged = cal.model('rx', 'ble-legacy', new Set(['liar', 'some-other-address']), t)!;
    // Exactly the model of the honest drones outside the folds of its addresses: the liar's pairs are not in it.
    const folds = new Set([foldOf('liar'), foldOf('some-other-address')]);
    const sameFolds = honest.filter((d) => folds.has(foldOf(d.source))).map((d) => d.source);
    const without = clean.model('rx', 'ble-legacy', new Set(sameFolds), t)!;
    expect(judged).toEqual(without);
    expect(judged.sources).toBe(honest.length - sameFolds.length);
    // With the liar in (the model that judges an honest drone), one drone of eleven moves it little.
    const withLiar = cal.model('rx', 'ble-legacy', new Set(['d0']), t)!;
    expect(Math.abs(withLiar.exponent - EXPONENT)).toBeLessThan(0.3);
    expect(Math.abs(withLiar.referenceDbm - REFERENCE)).toBeLessThan(3);
    // Forgotten (it was found spoofing): gone from every model.
    cal.forget(['liar']);
    expect(cal.model('rx', 'ble-legacy', new Set(), t)).toEqual(clean.model('rx', 'ble-legacy', new Set(), t));
  });

  it('cross-fits: every drone of a fold is judged by the one fit without that fold, which holds none of their pairs', () => {
    const r = new Random(45);
    const drones = fleet(r, 40, 1.5);
    const cal = new PathLossCalibration();
    const t = feed(cal, drones, 30, 1.5, r);
    const byFold = new Map<number, string[]>();
    for (const d of drones) byFold.set(foldOf(d.source), [...(byFold.get(foldOf(d.source)) ?? []), d.source]);
    // Forty drones fill every fold (the hash spreads them).
    expect(byFold.size).toBe(FOLDS);
    const all = cal.model('rx', 'ble-legacy', new Set(), t)!;
    expect(all.sources).toBe(40);
    for (const [fold, sources] of byFold) {
      const judging = cal.model('rx', 'ble-legacy', new Set([sources[0]!]), t)!;
      // One fit per fold, not one per drone judged.
      for (const s of sources) expect(cal.model('rx', 'ble-legacy', new Set([s]), t), `fold ${fold}`).toBe(judging);
      expect(judging.sources, `fold ${fold}`).toBe(40 - sources.length);
      // None of the fold's pairs: the same fit as a calibration that never heard its drones.
      const others = new PathLossCalibration();
      const r2 = new Random(45);
      feed(others, fleet(r2, 40, 1.5), 30, 1.5, r2);
      others.forget(sources);
      expect(judging).toEqual(others.model('rx', 'ble-legacy', new Set(), t));
    }
  });

  it('keeps its fits for REFIT_EVERY_MS, then refits with what came since', () => {
    const r = new Random(44);
    const cal = new PathLossCalibration();
    const drones = fleet(r, 8, 1);
    let t = feed(cal, drones, 20, 1, r);
    const first = cal.model('rx', 'ble-legacy', new Set(), t)!;
    t = feed(cal, drones, 2, 1, r, t);
    expect(cal.model('rx', 'ble-legacy', new Set(), t)).toBe(first);
    t = feed(cal, drones, Math.ceil(REFIT_EVERY_MS / SAMPLE_EVERY_MS), 1, r, t);
    expect(cal.model('rx', 'ble-legacy', new Set(), t)).not.toBe(first);
  });

  it('refuses implausible pairs and stays bounded', () => {
    const c = new PathLossCalibration({ sampleEveryMs: 0 });
    let t = 0;
    // Too near (the drone's height dominates), too far, no number, beyond any radio, louder than free space allows.
    expect(c.add('rx', 'ble-legacy', 'a', MIN_DISTANCE_M - 1, -80, t++)).toBe(false);
    expect(c.add('rx', 'ble-legacy', 'a', 50_000, -120, t++)).toBe(false);
    expect(c.add('rx', 'ble-legacy', 'a', Number.NaN, -100, t++)).toBe(false);
    expect(c.add('rx', 'ble-legacy', 'a', 500, Number.POSITIVE_INFINITY, t++)).toBe(false);
    expect(c.add('rx', 'ble-legacy', 'a', 500, -300, t++)).toBe(false);
    expect(c.add('rx', 'ble-legacy', 'a', 1000, -30, t++)).toBe(false);
    expect(c.pairsOf('rx', 'ble-legacy')).toBe(0);
    // One drone: at most PER_SOURCE of its newest.
    for (let i = 0; i < PER_SOURCE * 3; i++) c.add('rx', 'ble-legacy', 'a', 500 + i, -110, t++);
    expect(c.pairsOf('rx', 'ble-legacy')).toBe(PER_SOURCE);
    // Many drones: at most CAPACITY.
    for (let i = 0; i < CAPACITY * 2; i++) c.add('rx', 'ble-legacy', `s${i}`, 500 + i, -110, t++);
    expect(c.pairsOf('rx', 'ble-legacy')).toBe(CAPACITY);
  });
});
