/**
 * `rid-scan --replay` of compressed captures and recordings, made by the real gzip, zstd and lz4: the same
 * tracks as the plain file, from a file (a .gz one through node:zlib) or stdin; a truncated one gives its
 * tracks so far with the codec's warning, exit 0, as a damaged capture does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test/support/fixtures.js';
import { ridScan } from '../../../test/support/run-cli.js';

const BT5 = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng');
const dir = mkdtempSync(path.join(tmpdir(), 'rid-compressed-'));

function run(cmd: string, args: string[], input: Uint8Array): Uint8Array {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  return new Uint8Array(r.stdout);
}
const write = (name: string, bytes: Uint8Array): string => {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
};
const counts = (stderr: string): string | undefined => /rid-scan: \d+ frames, .*/.exec(stderr)?.[0];

describe('rid-scan --replay of compressed input', () => {
  const bytes = new Uint8Array(readFileSync(BT5));
  const plain = ridScan(['--replay', BT5, '--fast', '--once', '--json']);

  it('an lz4 file, a gzip file and zstd on stdin give the plain capture\'s tracks', () => {
    expect(plain.status, plain.stderr).toBe(0);
    const tracks = JSON.parse(plain.stdout) as unknown[];
    expect(tracks.length).toBeGreaterThan(0);
    const runs = [
      ridScan(['--replay', write('flight.pcapng.lz4', run('lz4', ['-q', '-c'], bytes)), '--fast', '--once', '--json']),
      ridScan(['--replay', write('flight.pcapng.gz', run('gzip', ['-c'], bytes)), '--fast', '--once', '--json']),
      ridScan(['--replay', '-', '--fast', '--once', '--json'], run('zstd', ['-q', '-c'], bytes)),
    ];
    for (const r of runs) {
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(tracks);
      expect(counts(r.stderr)).toBe(counts(plain.stderr));
    }
  });

  it('a compressed recording replays as the recording does', () => {
    const recording = path.join(dir, 'flight.cbor');
    const rec = ridScan(['--replay', BT5, '--fast', '--once', '--record', recording]);
    expect(rec.status, rec.stderr).toBe(0);
    const fromRecording = ridScan(['--replay', recording, '--fast', '--once', '--json']);
    expect(fromRecording.status, fromRecording.stderr).toBe(0);
    const packed = ridScan(['--replay', write('flight.cbor.zst', run('zstd', ['-q', '-c'], new Uint8Array(readFileSync(recording)))), '--fast', '--once', '--json']);
    expect(packed.status, packed.stderr).toBe(0);
    expect(JSON.parse(packed.stdout)).toEqual(JSON.parse(fromRecording.stdout));
  });

  it('a truncated .gz: the tracks so far, the warning, exit 0', () => {
    const packed = run('gzip', ['-c'], bytes);
    const r = ridScan(['--replay', write('cut.pcapng.gz', packed.subarray(0, packed.length >> 1)), '--fast', '--once', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`gzip: the input ends inside a member's compressed data (compressed byte ${packed.length >> 1})`);
    expect((JSON.parse(r.stdout) as unknown[]).length).toBeGreaterThan(0);
    const frames = Number(/rid-scan: (\d+) frames/.exec(r.stderr)?.[1]);
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThan(Number(/rid-scan: (\d+) frames/.exec(plain.stderr)?.[1]));
  });

  it('a .gz whose data is damaged before any capture header: one line saying so, not "not a capture"', () => {
    const bad = new Uint8Array(run('gzip', ['-c'], bytes));
    bad[3] = 0xe0; // reserved flags
    const r = ridScan(['--replay', write('bad.gz', bad), '--fast', '--once', '--json']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('gzip: unknown header flags set (compressed byte 3)');
  });
});
