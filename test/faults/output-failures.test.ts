/**
 * No fault may lose an export. Output paths are checked before the run starts (a missing or read-only
 * directory is one line and exit 2, before anything is read or created); a write that fails mid-run (a
 * full disk: /dev/full) stops only that output with one line, the others are finished, and the exit status
 * is 1. For rid-scan, rid-broadcast and odid encode, run built, as a user runs them.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUnprivileged, expectNoStackTrace, lines, makeCapture, run, runUnprivileged, scratchDir } from '../support/faults.js';

const work = scratchDir();
const capture = work.file('flight.pcapng');
/** A file name whose writes fail with ENOSPC: a symlink to /dev/full (exports need a .geojson/.kml name). */
const full = (name: string): string => {
  const f = work.file(name);
  if (!existsSync(f)) symlinkSync('/dev/full', f);
  return f;
};

beforeAll(() => {
  makeCapture(capture, 60);
  writeFileSync(work.file('messages.jsonl'), '{"type":"selfId","descType":0,"desc":"Survey flight"}\n{"type":"basicId","idType":1,"uaType":2,"uasId":"1581F5FHB229F00202DR"}\n');
});
afterAll(() => work.cleanup());

const geojsonFeatures = (file: string): number => (JSON.parse(readFileSync(file, 'utf8')) as { type: string; features: unknown[] }).features.length;

describe('rid-scan: one failing output loses no other', () => {
  it('--record /dev/full --out ok.geojson: one line about /dev/full, ok.geojson written, exit 1', () => {
    const ok = work.file('ok.geojson');
    const r = run('rid-scan', ['--replay', capture, '--fast', '--once', '--record', '/dev/full', '--out', ok]);
    expectNoStackTrace(r.stderr);
    expect(r.status, r.stderr).toBe(1);
    expect(lines(r.stderr).filter((l) => /ENOSPC|no space/i.test(l))).toEqual([expect.stringMatching(/^rid-scan: --record \/dev\/full: cannot write: ENOSPC.*that output stopped, the others go on$/)]);
    expect(geojsonFeatures(ok)).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/\d+ frames, \d+ messages.*--record \/dev\/full incomplete/);
  });

  it('an export that cannot be written at the end (a full disk) does not skip the exports after it', () => {
    const kml = work.file('after.kml');
    const jsonl = work.file('updates.jsonl');
    const r = run('rid-scan', ['--replay', capture, '--fast', '--once', '--out', full('full.geojson'), '--out', kml, '--out', jsonl]);
    expectNoStackTrace(r.stderr);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/--out .*full\.geojson: cannot write: ENOSPC/);
    expect(readFileSync(kml, 'utf8')).toMatch(/<\/kml>\n$/);
    expect(readFileSync(jsonl, 'utf8').split('\n').length).toBeGreaterThan(10);
  });

  it('--out into a missing directory fails before the run: one line, exit 2, nothing else created', () => {
    const rec = work.file('never.cbor');
    // A scene that would take long to run: the check comes first, so this ends at once.
    const r = run('rid-scan', ['--sim', '--fast', '--once', '--duration', '600000', '--record', rec, '--out', work.file('missing/tracks.geojson')], { timeoutMs: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([`rid-scan: --out ${work.file('missing/tracks.geojson')}: directory ${work.file('missing')} does not exist`]);
    expect(existsSync(rec)).toBe(false);
  });

  it('every output option is checked: --record, --pcapng, --jsonl into a missing directory, a directory as a file', () => {
    for (const option of ['--record', '--pcapng', '--jsonl']) {
      const r = run('rid-scan', ['--replay', capture, '--fast', '--once', option, work.file('missing/out')]);
      expect(r.status).toBe(2);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^rid-scan: ${option} .*: directory .* does not exist$`))]);
    }
    mkdirSync(work.file('a-dir.jsonl'), { recursive: true });
    const dir = run('rid-scan', ['--replay', capture, '--fast', '--once', '--out', work.file('a-dir.jsonl')]);
    expect(dir.status).toBe(2);
    expect(lines(dir.stderr)).toEqual([expect.stringMatching(/a-dir\.jsonl: is a directory; give a file name$/)]);
  });

  it.skipIf(asUnprivileged === undefined)('a read-only directory (as an unprivileged user: root writes anywhere) fails before the run', () => {
    const ro = work.file('read-only');
    mkdirSync(ro, { recursive: true, mode: 0o555 });
    for (const option of ['--out', '--record']) {
      const target = `${ro}/tracks.${option === '--out' ? 'geojson' : 'cbor'}`;
      const r = runUnprivileged('rid-scan', ['--replay', capture, '--fast', '--once', option, target], work.dir);
      expect(r.status, r.stderr).toBe(2);
      expect(lines(r.stderr)).toEqual([`rid-scan: ${option} ${target}: directory ${ro} is not writable (EACCES)`]);
      expect(existsSync(target)).toBe(false);
    }
  });
});

describe('rid-broadcast --pcapng and odid encode --pcapng: a bad output is one line, not a stack trace', () => {
  it('rid-broadcast --pcapng into a missing directory: one line, exit 2', () => {
    const r = run('rid-broadcast', ['--clock', 'simulated', '--duration', '60', '--pcapng', work.file('missing/air.pcapng')]);
    expectNoStackTrace(r.stderr);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([`rid-broadcast: --pcapng ${work.file('missing/air.pcapng')}: directory ${work.file('missing')} does not exist`]);
  });

  it('rid-broadcast --pcapng /dev/full: one line, stops, exit 1', () => {
    const r = run('rid-broadcast', ['--clock', 'simulated', '--duration', '600000', '--pcapng', '/dev/full'], { timeoutMs: 30_000 });
    expectNoStackTrace(r.stderr);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(lines(r.stderr).filter((l) => /ENOSPC/.test(l))).toEqual(['rid-broadcast: --pcapng /dev/full: cannot write: ENOSPC: no space left on device, write; stopping']);
  });

  it('odid encode --pcapng into a missing directory: one line, exit 2, before reading the input', () => {
    const r = run('odid', ['encode', work.file('messages.jsonl'), '--pcapng', work.file('missing/enc.pcapng'), '--transport', 'wifi-beacon']);
    expectNoStackTrace(r.stderr);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([`odid: --pcapng ${work.file('missing/enc.pcapng')}: directory ${work.file('missing')} does not exist`]);
  });

  it('odid encode --pcapng onto a full disk: one line, exit 1', () => {
    const r = run('odid', ['encode', work.file('messages.jsonl'), '--pcapng', full('full.pcapng'), '--transport', 'wifi-beacon']);
    expectNoStackTrace(r.stderr);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^odid encode: --pcapng .*full\.pcapng: cannot write: ENOSPC/)]);
  });
});
