/**
 * The spoofing checks' parts on their own, at their edges: the physics of rssi-impossible, the serials
 * dji-odid-mismatch takes for one drone, what counts as a counter stepping back, when reported and observed
 * motion are compared at all, and the bounded memory of which address sent which IDs.
 */
import { describe, expect, it } from 'vitest';
import { destinationPoint } from '@odid/position';
import { CounterStats } from '../src/tracker/counters.js';
import { AddressIds } from '../src/tracker/spoof-addresses.js';
import { MotionSamples } from '../src/tracker/spoof-motion.js';
import { freeSpaceLossDb, linkFrequencyHz, maxRssiDbm, wifiChannelHz } from '../src/tracker/spoof-radio.js';
import { ctaSerialsOf, djiSerialsOf, isCtaFormDjiSerial, serialsCorrespond } from '../src/tracker/spoof-serials.js';

describe('rssi-impossible: free space', () => {
  it('path loss by Friis: 20·log10(d) + 20·log10(f) − 147.55', () => {
    // 1 km at 2.4 GHz: the textbook 100 dB; ten times the distance, 20 dB more.
    expect(freeSpaceLossDb(1000, 2.4e9)).toBeCloseTo(100.05, 1);
    expect(freeSpaceLossDb(10_000, 2.4e9) - freeSpaceLossDb(1000, 2.4e9)).toBeCloseTo(20, 6);
    // Nearer than a metre the formula means nothing: taken as 1 m.
    expect(freeSpaceLossDb(0.01, 2.4e9)).toBe(freeSpaceLossDb(1, 2.4e9));
  });

  it('at the frequency that loses least: BLE channel 37, a Wi-Fi link on its channel, 2.4 GHz when unknown', () => {
    expect(linkFrequencyHz('ble-legacy', 38)).toBe(2402e6);
    expect(linkFrequencyHz('ble-extended', 20)).toBe(2402e6);
    expect(wifiChannelHz(6)).toBe(2437e6);
    expect(wifiChannelHz(14)).toBe(2484e6);
    expect(wifiChannelHz(149)).toBe(5745e6);
    expect(linkFrequencyHz('wifi-nan', 149)).toBe(5745e6);
    expect(linkFrequencyHz('wifi-beacon', undefined)).toBe(2412e6);
    expect(linkFrequencyHz('dji-wifi', 9999)).toBe(2412e6);
  });

  it('the bound: EIRP + margin − loss; Wi-Fi may radiate more, and 5 GHz loses more', () => {
    const limits = { maxBleEirpDbm: 20, maxWifiEirpDbm: 36, rssiMarginDb: 15 };
    expect(maxRssiDbm('ble-legacy', 37, 1000, limits)).toBeCloseTo(20 + 15 - freeSpaceLossDb(1000, 2402e6), 6);
    expect(maxRssiDbm('wifi-beacon', 6, 1000, limits) - maxRssiDbm('ble-legacy', 37, 1000, limits)).toBeCloseTo(16 - 20 * Math.log10(2437 / 2402), 6);
    expect(maxRssiDbm('wifi-beacon', 149, 1000, limits)).toBeLessThan(maxRssiDbm('wifi-beacon', 6, 1000, limits) - 7);
  });
});

describe('dji-odid-mismatch: which serials are one drone', () => {
  const CTA = '1581F6N8A23B2ML3Y3KR';
  it('the CTA serial itself, cut to the 16-character field, or (older DJI serials) the part after code and length', () => {
    expect(serialsCorrespond(CTA, CTA)).toBe(true);
    expect(serialsCorrespond(CTA.slice(0, 16), CTA)).toBe(true);
    expect(serialsCorrespond('6N8A23B2ML3Y3KR', CTA)).toBe(true);
    expect(serialsCorrespond(CTA.slice(0, 15), CTA)).toBe(false);
    expect(serialsCorrespond('0K1CG6G3AH8V2M', CTA)).toBe(false);
    expect(serialsCorrespond('', CTA)).toBe(false);
    expect(djiSerialsOf(CTA)).toEqual([CTA, '6N8A23B2ML3Y3KR', CTA.slice(0, 16)]);
    expect(ctaSerialsOf('0K1CG6G3AH8V2M')).toEqual(['0K1CG6G3AH8V2M', '1581E0K1CG6G3AH8V2M']);
    expect(ctaSerialsOf(CTA.slice(0, 16))).toEqual([CTA.slice(0, 16)]);
  });

  it('only a DroneID serial in CTA form can contradict a Remote ID serial', () => {
    expect(isCtaFormDjiSerial(CTA)).toBe(true);
    expect(isCtaFormDjiSerial(CTA.slice(0, 16))).toBe(true);
    // An older DJI serial, and a cut one whose length character says it is whole at 16.
    expect(isCtaFormDjiSerial('0K1CG6G3AH8V2M')).toBe(false);
    expect(isCtaFormDjiSerial('1581B12345678901')).toBe(true);
    expect(isCtaFormDjiSerial('1581B1234567890')).toBe(false);
  });
});

describe('counter-backwards: what a step back is', () => {
  it('a step back without a long silence, by more than two (a reordered frame is not one); a long silence is a restart', () => {
    const c = new CounterStats(256, 30_000);
    let f = 0;
    const at = (value: number, ms: number): number | undefined => c.observe(value, ms, ++f);
    expect(at(10, 0)).toBeUndefined();
    expect(at(11, 100)).toBeUndefined();
    expect(at(10, 200)).toBeUndefined(); // one back: came late
    expect(at(9, 300)).toBeUndefined(); // again by one
    expect(at(200, 400)).toBe(9); // 9 -> 200 is 65 back
    expect(at(201, 500)).toBeUndefined();
    expect(at(255, 600)).toBeUndefined();
    expect(at(3, 700)).toBeUndefined(); // wraps forward
    expect(at(0, 40_000)).toBeUndefined(); // after 39 s of silence: a restart, counted as a reset only
    expect(c.resets).toBe(4);
  });

  it('the same frame heard twice is one value', () => {
    const c = new CounterStats(256, 30_000);
    expect(c.observe(50, 0, 'f1')).toBeUndefined();
    expect(c.observe(50, 0, 'f1')).toBeUndefined();
    expect(c.observe(20, 10, 'f2')).toBe(50);
  });
});

describe('motion-mismatch: when there is something to compare', () => {
  const limits = { motionWindowMs: 15_000, motionToleranceMps: 3, motionToleranceRatio: 0.25 };
  const from = { lat: 47, lon: 7.5 };

  type Step = (s: number) => { at: { lat: number; lon: number }; speed?: number; course?: number };
  /** Every comparison made, with the time (s) of the fix that made it. */
  function comparisons(samples: MotionSamples, seconds: number, step: Step, everyMs = 500) {
    const out: { s: number; c: NonNullable<ReturnType<MotionSamples['compare']>> }[] = [];
    for (let ms = 0; ms <= seconds * 1000; ms += everyMs) {
      const p = step(ms / 1000);
      samples.add(ms, p.at.lat, p.at.lon, p.speed, p.course, 10);
      const c = samples.compare();
      if (c) out.push({ s: ms / 1000, c });
    }
    return out;
  }
  const run = (samples: MotionSamples, seconds: number, step: Step, everyMs = 500) => comparisons(samples, seconds, step, everyMs).at(-1)?.c;

  it('honest straight flight: compared once 15 s are there, within tolerance', () => {
    const m = new MotionSamples(limits);
    expect(run(m, 14, (s) => ({ at: destinationPoint(from, 90, 10 * s), speed: 10, course: 90 }))).toBeUndefined();
    const c = run(new MotionSamples(limits), 20, (s) => ({ at: destinationPoint(from, 90, 10 * s), speed: 10, course: 90 }))!;
    expect(c.mismatch).toBe(false);
    expect(c.seconds).toBe(15);
    expect(c.reportedMps).toBeCloseTo(10, 6);
    expect(c.observedMps).toBeCloseTo(10, 2);
    expect(c.observedCourseDeg).toBeCloseTo(90, 0);
    expect(c.missM).toBeLessThan(1);
    expect(c.toleranceM).toBeCloseTo(10 + 10 + 3 * 15 + 0.25 * 150, 6);
  });

  it('a silence over 5 s, or a speed not reported, leaves nothing to compare; once a second at most', () => {
    const lying = () => ({ at: from, speed: 20, course: 0 });
    expect(comparisons(new MotionSamples(limits), 60, lying, 6000)).toEqual([]);
    // No speed from 10.5 to 11.5 s: no stretch that holds them is compared (the first after ends past 26.5 s).
    const gap = comparisons(new MotionSamples(limits), 40, (s) => ({ at: from, ...(s > 10 && s < 12 ? {} : { speed: 20, course: 0 }) }));
    expect(gap[0]!.s).toBe(27);
    const every = comparisons(new MotionSamples(limits), 30, lying);
    expect(every.map((x) => x.s)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(every.every((x) => x.c.mismatch)).toBe(true);
  });

  it('a speed without a course: only moving farther than it allows counts', () => {
    const slowClaim = run(new MotionSamples(limits), 20, (s) => ({ at: destinationPoint(from, 0, 20 * s), speed: 5 }))!;
    expect(slowClaim.speedOnly).toBe(true);
    expect(slowClaim.mismatch).toBe(true);
    // Circling fast in one place moves nowhere: no contradiction without a course.
    const circling = run(new MotionSamples(limits), 20, (s) => ({ at: destinationPoint(from, s * 24, 30), speed: 12 }))!;
    expect(circling.speedOnly).toBe(true);
    expect(circling.mismatch).toBe(false);
  });

  it('fixes closer than 250 ms add nothing (one fix heard over three radios)', () => {
    const m = new MotionSamples(limits);
    expect(m.add(0, 47, 7.5, 0, undefined, 10)).toBe(true);
    expect(m.add(100, 47, 7.5, 0, undefined, 10)).toBe(false);
    expect(m.add(250, 47, 7.5, 0, undefined, 10)).toBe(true);
    expect(m.add(200, 47, 7.5, 0, undefined, 10)).toBe(false);
  });
});

describe('id-cycling: the memory of addresses', () => {
  const serial = (v: string) => ({ slot: 'serial' as const, value: v });
  const session = (v: string) => ({ slot: 'session' as const, value: v });

  it('a second serial is cycling, a second session ID is not (a new flight), a third is', () => {
    const ids = new AddressIds(60_000);
    expect(ids.heard('a', [serial('S1'), session('x1')], 0)).toBeUndefined();
    expect(ids.heard('a', [serial('S1'), session('x2')], 1000)).toBeUndefined();
    expect(ids.heard('a', [session('x3')], 2000)).toMatchObject([{ slot: 'session', ids: [session('x1'), session('x2'), session('x3')], spanMs: 2000 }]);
    expect(ids.heard('b', [serial('S1')], 0)).toBeUndefined();
    expect(ids.heard('b', [serial('S2')], 500)).toMatchObject([{ slot: 'serial', ids: [serial('S1'), serial('S2')] }]);
  });

  it('IDs older than the window are forgotten', () => {
    const ids = new AddressIds(60_000);
    ids.heard('a', [serial('S1')], 0);
    expect(ids.heard('a', [serial('S2')], 61_000)).toBeUndefined();
  });

  it('bounded however many addresses a flood invents: the first heard are forgotten first, a recent one is kept', () => {
    const ids = new AddressIds(60_000);
    ids.heard('first', [serial('S1')], 0);
    for (let i = 0; i < 5000; i++) ids.heard(`flood-${i}`, [serial(`F${i}`)], 1);
    ids.heard('recent', [serial('R1')], 2);
    expect(ids.heard('first', [serial('S2')], 3)).toBeUndefined();
    expect(ids.heard('recent', [serial('R2')], 3)).toMatchObject([{ slot: 'serial' }]);
  });

  it('bounded however fast a spoofer cycles: at most 32 IDs per address are kept', () => {
    const ids = new AddressIds(60_000);
    let last;
    for (let i = 0; i < 1000; i++) last = ids.heard('a', [serial(`S${i}`)], i);
    expect(last![0]!.ids).toHaveLength(32);
    expect(last![0]!.ids[31]).toEqual(serial('S999'));
  });
});
