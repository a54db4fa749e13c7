/**
 * Inputs that end early or are no input at all, given to the built rid-scan as a user would:
 * - a recording cut short (a crash, a full disk) gives everything before the cut — tracks, exports — with a
 *   warning, exit 0 (as a damaged capture does);
 * - garbage, an empty file, a directory, a missing file: one clear line, a non-zero exit, and no output
 *   file created; the same for garbage or nothing on stdin.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, lines, makeCapture, run, scratchDir } from '../support/faults.js';

const work = scratchDir();
const capture = work.file('flight.pcapng');
const recording = work.file('flight.cbor');
let fullFrames = 0;

const framesOf = (stderr: string): number => Number(/(\d+) frames, \d+ messages/.exec(stderr)?.[1] ?? NaN);

beforeAll(() => {
  makeCapture(capture, 60);
  const r = run('rid-scan', ['--replay', capture, '--fast', '--once', '--record', recording]);
  expect(r.status, r.stderr).toBe(0);
  fullFrames = framesOf(r.stderr);
  expect(fullFrames).toBeGreaterThan(100);
});
afterAll(() => work.cleanup());

describe('rid-scan --replay of a recording cut short', () => {
  it('every frame before the cut comes through — the JSON tracks and the export — with the warning, exit 0', () => {
    const bytes = readFileSync(recording);
    const cut = work.file('cut.cbor');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const geojson = work.file('cut.geojson');
    const r = run('rid-scan', ['--replay', cut, '--fast', '--once', '--json', '--out', geojson]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: the recording ends inside item \d+ \(a frame\): cut short/);
    expectNoStackTrace(r.stderr);
    const tracks = JSON.parse(r.stdout.toString('utf8')) as { uasId: string; transports: string[] }[];
    expect(tracks.map((t) => t.uasId)).toEqual(['1581F5FHB229F00202DR']);
    const frames = framesOf(r.stderr);
    expect(frames).toBeGreaterThan(fullFrames / 3);
    expect(frames).toBeLessThan(fullFrames);
    const fc = JSON.parse(readFileSync(geojson, 'utf8')) as { type: string; features: { properties: { kind: string } }[] };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f) => f.properties.kind)).toContain('drone');
  });

  it('cut inside the last frame: all the others come through', () => {
    const bytes = readFileSync(recording);
    const cut = work.file('cut-end.cbor');
    // rid-scan's recordings end with their closing seal ({ "kind": "seal", ... }): the last frame is just before it.
    const closingSeal = bytes.lastIndexOf(Buffer.from([0x64, ...Buffer.from('kind'), 0x64, ...Buffer.from('seal')]));
    expect(closingSeal).toBeGreaterThan(0);
    writeFileSync(cut, bytes.subarray(0, closingSeal - 8));
    const r = run('rid-scan', ['--replay', cut, '--fast', '--once', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cut short/);
    expect(framesOf(r.stderr)).toBe(fullFrames - 1);
  });
});

describe('rid-scan --replay of something that is not a capture', () => {
  const cases: [string, () => string, RegExp][] = [
    ['garbage', () => (writeFileSync(work.file('garbage.pcap'), '<!DOCTYPE html><html>not a capture</html>\n'), work.file('garbage.pcap')), /is neither a pcap, pcapng or btsnoop capture nor a recording/],
    ['an empty file', () => (writeFileSync(work.file('empty.pcapng'), ''), work.file('empty.pcapng')), /is empty/],
    ['a directory', () => (mkdirSync(work.file('captures'), { recursive: true }), work.file('captures')), /is a directory/],
    ['a missing file', () => work.file('no-such.pcapng'), /cannot open .*no such file/],
  ];
  for (const [what, make, message] of cases) {
    it(`${what}: one line, exit non-zero, no output file created`, () => {
      const out = work.file(`${what.replace(/\W/g, '-')}.geojson`);
      const rec = work.file(`${what.replace(/\W/g, '-')}.cbor`);
      const r = run('rid-scan', ['--replay', make(), '--fast', '--once', '--json', '--out', out, '--record', rec]);
      expect(r.status).not.toBe(0);
      expect(r.status).not.toBeNull();
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout.toString('utf8')).toBe('');
      expect(existsSync(out)).toBe(false);
      expect(existsSync(rec)).toBe(false);
    });
  }

  it('garbage or nothing on stdin: one line, exit 1', () => {
    const garbage = run('rid-scan', ['--replay', '-', '--fast', '--once'], { input: 'GET / HTTP/1.1\r\nHost: example\r\n\r\n' });
    expect(garbage.status).toBe(1);
    expect(lines(garbage.stderr)).toEqual(['rid-scan: standard input is neither a pcap, pcapng or btsnoop capture nor a recording']);
    const empty = run('rid-scan', ['--replay', '-', '--fast', '--once'], { input: '' });
    expect(empty.status).toBe(1);
    expect(lines(empty.stderr)).toEqual(['rid-scan: standard input is empty: not a capture or a recording']);
  });
});
