import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAirFrames, encodeSingleMessage, type BroadcastTransport } from '@odid/codec';
import { SERIAL, beaconWithRadiotapWarning, beaconWithTruncatedOdidElement, damagedCapture } from '../../../test/support/damaged-frames.js';
import { ridScan } from '../../../test/support/run-cli.js';
import { Pipeline } from '../src/pipeline.js';
import type { RawFrame } from '../src/sources/types.js';

const T0 = 1_748_772_000;

/** One BT4 frame carrying a Basic ID for `serial` from `address`, at `t` seconds. */
function basicIdFrame(serial: string, address: string, t: number, transport: BroadcastTransport = 'ble-legacy'): RawFrame {
  const payload = encodeSingleMessage({ type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: serial });
  const [f] = buildAirFrames({ transport, address, counter: t & 0xff, payload });
  return { t, linkType: f!.linkType, data: f!.data };
}

describe('Pipeline', () => {
  it('frames in, tracks out, on the frames\u2019 clock; the queue counts what it drops', () => {
    const p = new Pipeline({ queueCapacity: 2 });
    for (let i = 0; i < 3; i++) p.queue.push(basicIdFrame('1581F5FJD228400X0S2K', 'c3:4a:10:00:00:01', T0 + i));
    expect(p.queue.dropped).toBe(1);
    expect(p.drain()).toBe(2);
    expect(p.tracker.tracks().map((t) => [t.uasId, t.messages, t.firstSeen])).toEqual([['1581F5FJD228400X0S2K', 2, (T0 + 1) * 1000]]);
  });

  it('forgetAfterMs: tracks lost for longer are forgotten (counted); without it every track is kept', () => {
    const told: string[] = [];
    const forgetting = new Pipeline({ lostAfterMs: 30_000, forgetAfterMs: 10 * 60_000 }, { forgotten: (keys) => told.push(...keys) });
    const keeping = new Pipeline({ lostAfterMs: 30_000 });
    for (const p of [forgetting, keeping]) {
      p.process(basicIdFrame('1581F5FJD228400X0S2K', 'c3:4a:10:00:00:01', T0));
      p.process(basicIdFrame('1581F5FHB229F00202DR', 'c3:4a:10:00:00:02', T0 + 5 * 60));
      // Eleven minutes after the first drone fell silent, four after the second did; a tick a second.
      for (let s = 1; s <= 11 * 60; s++) p.tick((T0 + s) * 1000);
    }
    expect(forgetting.tracker.tracks().map((t) => t.uasId)).toEqual(['1581F5FHB229F00202DR']);
    expect(forgetting.forgotten).toBe(1);
    // The outputs are told which (a live map drops it).
    expect(told).toHaveLength(1);
    expect(forgetting.tracker.get(told[0]!)).toBeUndefined();
    expect(keeping.tracker.tracks().map((t) => t.uasId)).toEqual(['1581F5FJD228400X0S2K', '1581F5FHB229F00202DR']);
    expect(keeping.forgotten).toBe(0);
    // The aircraft coming back starts a new track.
    forgetting.process(basicIdFrame('1581F5FJD228400X0S2K', 'c3:4a:10:00:00:01', T0 + 11 * 60 + 1));
    expect(forgetting.tracker.tracks().map((t) => t.uasId).sort()).toEqual(['1581F5FHB229F00202DR', '1581F5FJD228400X0S2K']);
  });

  it('counts link-layer warnings and truncated elements beside drops; the warned frame still makes its track', () => {
    const p = new Pipeline();
    for (const [i, r] of [beaconWithRadiotapWarning(), beaconWithTruncatedOdidElement()].entries()) p.process({ t: T0 + i, ...r });
    expect(p.stats.linkWarnings).toEqual({ radiotap: 1 });
    expect(p.stats.truncatedElements).toEqual({ odid: 1 });
    expect(p.stats.dropped).toEqual({ malformed: 1 });
    expect(p.tracker.tracks().map((t) => t.uasId)).toEqual([SERIAL]);
  });

  it('rid-scan prints those counts in its closing counts line', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rid-')), 'damaged.pcapng');
    writeFileSync(file, damagedCapture(T0));
    const r = ridScan(['--replay', file, '--fast', '--once', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).map((t: { uasId: string }) => t.uasId)).toEqual([SERIAL]);
    expect(r.stderr).toMatch(/rid-scan: 2 frames, 2 messages, dropped 1 malformed, link warnings 1 radiotap, truncated elements 1 odid/);
  });

  it('refuses a forgetAfterMs that is not a positive number', () => {
    expect(() => new Pipeline({ forgetAfterMs: 0 })).toThrow(/forgetAfterMs must be a positive number of ms, got 0/);
  });
});
