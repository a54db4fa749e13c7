/**
 * The session recording the map page offers (session.cbor, cli/web-map.ts): every frame taken, bounded in
 * memory by keeping the latest, read back by the receiver's own recording reader as the frames written.
 */

import { describe, expect, it } from 'vitest';
import { SESSION_RECORDING_MAX_BYTES, SessionRecording } from '../src/outputs/web/session-recording.js';
import { readRecordingSync, type RecordingHeader } from '../src/outputs/recording.js';
import type { RawFrame } from '../src/sources/types.js';

/** Frame `i`: its own time, link type and bytes (lengths vary from 1 to 300). */
function frame(i: number): RawFrame {
  const data = new Uint8Array(1 + ((i * 37) % 300));
  for (let k = 0; k < data.length; k++) data[k] = (i + k) & 0xff;
  return { t: 1_750_000_000 + i / 1000, linkType: [127, 256, 201][i % 3]!, data };
}

function read(bytes: Uint8Array): { header: RecordingHeader | undefined; frames: RawFrame[] } {
  let header: RecordingHeader | undefined;
  const frames = [...readRecordingSync(bytes, { onHeader: (h) => (header = h) })];
  return { header, frames };
}

const same = (got: RawFrame, want: RawFrame): void => {
  expect(got.t).toBe(want.t);
  expect(got.linkType).toBe(want.linkType);
  expect([...got.data]).toEqual([...want.data]);
};

describe('the session recording of the map page', () => {
  it('is a recording of every frame written, in order', async () => {
    const rec = new SessionRecording();
    const written = Array.from({ length: 3000 }, (_, i) => frame(i));
    for (const f of written) rec.write(f);
    const { header, frames } = read(await rec.bytes());
    expect(header).toMatchObject({ format: 'odid-recording', application: 'rid-scan --web' });
    expect(frames).toHaveLength(written.length);
    frames.forEach((f, i) => same(f, written[i]!));
    expect(rec.dropped).toBe(0);
  });

  it('keeps the latest frames within its bound, and says how many it let go', async () => {
    const max = 4 * SessionRecording.BLOCK_BYTES;
    const rec = new SessionRecording(max);
    const n = 20_000; // ~3.2 MB of frames
    for (let i = 0; i < n; i++) {
      rec.write(frame(i));
      expect(rec.bytesHeld).toBeLessThanOrEqual(max);
    }
    const { frames } = read(await rec.bytes());
    expect(frames.length).toBe(rec.frames);
    expect(frames.length + rec.dropped).toBe(n);
    expect(frames.length).toBeGreaterThan(3000);
    // The latest, in order, up to the very last.
    const first = Math.round((frames[0]!.t - 1_750_000_000) * 1000);
    expect(first).toBe(n - frames.length);
    frames.forEach((f, i) => same(f, frame(first + i)));
    // A frame too large for a block is left out, and counted.
    rec.write({ t: 1, linkType: 127, data: new Uint8Array(SessionRecording.BLOCK_BYTES) });
    expect(rec.dropped).toBe(n - frames.length + 1);
    // The bound by default: a few megabytes, not the 64 MB it was.
    expect(SESSION_RECORDING_MAX_BYTES).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it('is exported in steps while frames keep coming, holding those there when it was asked for', async () => {
    const rec = new SessionRecording(8 * SessionRecording.BLOCK_BYTES);
    let i = 0;
    for (; i < 12_000; i++) rec.write(frame(i));
    const before = rec.frames;
    const firstHeld = i - before;
    const exported = rec.bytes();
    // The receiver goes on between the export's steps: enough frames to go past the bound meanwhile.
    let steps = 0;
    await new Promise<void>((resolve) => {
      const more = (): void => {
        for (let k = 0; k < 2000; k++) rec.write(frame(i++));
        if (++steps < 10) setImmediate(more);
        else resolve();
      };
      setImmediate(more);
    });
    const { frames } = read(await exported);
    expect(steps).toBe(10);
    expect(frames).toHaveLength(before);
    frames.forEach((f, k) => same(f, frame(firstHeld + k)));
    // The next export has the frames since.
    const after = read(await rec.bytes()).frames;
    expect(Math.round((after.at(-1)!.t - 1_750_000_000) * 1000)).toBe(i - 1);
  });
});
