import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PcapngWriter } from '@odid/codec';
import { ReplaySource } from '../src/sources/replay.js';

/** A pcapng of frames at these capture times (seconds); the bytes do not matter to the replay's pacing. */
function capture(times: number[]): Uint8Array {
  const w = new PcapngWriter();
  const header = w.header();
  const iface = w.addInterface({ linkType: 127, name: 'wifi', tsresol: 6 });
  return Buffer.concat([header, iface.bytes, ...times.map((t) => w.packet(iface.id, t, new Uint8Array(40)))]);
}

afterEach(() => vi.restoreAllMocks());

describe('replay pacing', () => {
  it('a gap longer than setTimeout can wait is waited in steps, never with an overflowing timer', async () => {
    // A clock that the timers move: every setTimeout fires at once, having advanced the time by its delay.
    let now = 1_700_000_000_000;
    const delays: number[] = [];
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
      delays.push(ms);
      now += ms;
      queueMicrotask(fn);
      return 0 as unknown as NodeJS.Timeout;
    }) as typeof setTimeout);

    const thirtyDays = 30 * 86_400;
    const source = new ReplaySource({ path: 'gap.pcapng', input: Readable.from([capture([1000, 1000 + thirtyDays])]), speed: 1 });
    const frames: number[] = [];
    source.on('frame', (f) => frames.push(f.t));
    await source.start();
    await source.done();

    expect(frames).toEqual([1000, 1000 + thirtyDays]);
    expect(delays.length).toBeGreaterThan(1);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(delays.reduce((a, b) => a + b, 0)).toBeCloseTo(thirtyDays * 1000, -1);
  });
});
