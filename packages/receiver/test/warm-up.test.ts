import { describe, expect, it } from 'vitest';
import { demoScene } from '@odid/transmitter';
import { BROADCAST_TRANSPORTS } from '@odid/codec';
import { warmUp } from '../src/warm-up.js';

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
});
