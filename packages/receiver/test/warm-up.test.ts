import { describe, expect, it } from 'vitest';
import { demoScene } from '@odid/transmitter';
import { BROADCAST_TRANSPORTS } from '@odid/codec';
import { warmUp, warmUpHub } from '../src/warm-up.js';

describe('warmUp', () => {
  it('runs the demo scene through a scratch pipeline: every air transport, every drone tracked', () => {
    const r = warmUp({ receiverPosition: { lat: 46.9, lon: 7.4 } }, 3000);
    expect(r.frames).toBeGreaterThanOrEqual(3000);
    // Every transport but BT4 carries packs: more messages than frames.
    expect(r.messages).toBeGreaterThan(r.frames);
    expect(r.transports).toEqual([...BROADCAST_TRANSPORTS].sort());
    expect(r.tracks).toBe(demoScene().length);
    expect(r.collected).toBe(true);
    expect(r.ms).toBeGreaterThan(0);
  });

  it('refuses a frame count that is not a whole number', () => {
    expect(() => warmUp({}, 0)).toThrow(/whole number >= 1, got 0/);
    expect(() => warmUp({}, 1.5)).toThrow(RangeError);
  });

  it('warms rid-hub\'s path: three receivers\' copies through a scratch hub, and its RSSI estimates, default and calibrated', () => {
    const r = warmUpHub({}, 3000);
    expect(r.frames).toBeGreaterThanOrEqual(3000);
    expect(r.transports).toEqual([...BROADCAST_TRANSPORTS].sort());
    expect(r.tracks).toBe(demoScene().length);
    // Each transmission heard by three receivers: the first copy decoded, the other two only their signal.
    expect(r.duplicates).toBeGreaterThan(r.frames / 2);
    // Estimates on the hub's tick: BLE legacy's with calibrated models (its calibration fed first), the others' with the default ones.
    expect(r.calibrated).toBeGreaterThan(0);
    expect(r.estimates).toBeGreaterThan(r.calibrated);
    expect(r.collected).toBe(true);
    expect(() => warmUpHub({}, 0)).toThrow(RangeError);
  });
});
