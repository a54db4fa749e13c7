/**
 * `odid decode` of compressed captures made by the real gzip, zstd and lz4 from the project's own: the same
 * JSONL as the plain file, from a file (a .gz file through node:zlib) and from stdin (the codec's own
 * decoders); damage keeps the lines before it, says what and where, and exits as for other damaged captures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { odid } from '../../../test/support/run-cli.js';
import { fixturePath } from '../../../test/support/fixtures.js';

const BT5 = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng');
const BEACONS = fixturePath('captures', 'opendroneid+wireshark-dissector', 'history', 'beacon_sample.898e76b.pcap');
const dir = mkdtempSync(path.join(tmpdir(), 'odid-compressed-'));

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
const closing = (stderr: string): string => stderr.trim().split('\n').pop()!;

describe('odid decode of compressed captures', () => {
  const plainBytes = new Uint8Array(readFileSync(BT5));
  const plain = odid(['decode', BT5]);

  it('gzip, zstd and lz4 (and several gzip members) give the plain file\'s lines, from a file and from stdin', () => {
    expect(plain.status).toBe(0);
    expect(plain.stdout.split('\n').length).toBeGreaterThan(1000);
    const variants: [string, string, Uint8Array][] = [
      ['gzip', 'capture.pcapng.gz', run('gzip', ['-c'], plainBytes)],
      ['zstd', 'capture.pcapng.zst', run('zstd', ['-q', '-c'], plainBytes)],
      ['lz4', 'capture.pcapng.lz4', run('lz4', ['-q', '-c'], plainBytes)],
      ['gzip', 'members.gz', new Uint8Array(Buffer.concat([run('gzip', ['-c'], plainBytes.subarray(0, 40_000)), run('gzip', ['-c'], plainBytes.subarray(40_000))]))],
      // The name says nothing: the first bytes do.
      ['zstd', 'capture.pcapng', run('zstd', ['-q', '-c'], plainBytes)],
    ];
    for (const [format, name, bytes] of variants) {
      const file = odid(['decode', write(name, bytes)]);
      expect(file.status, name).toBe(0);
      expect(file.stdout, name).toBe(plain.stdout);
      expect(closing(file.stderr)).toBe(closing(plain.stderr).replace('pcapng:', `pcapng (${format}):`));
      const stdin = odid(['decode', '-'], bytes);
      expect(stdin.status, name).toBe(0);
      expect(stdin.stdout, name).toBe(plain.stdout);
      expect(closing(stdin.stderr)).toBe(closing(file.stderr));
    }
  });

  it('a truncated .gz: the lines of what zlib can inflate of it, the warning, exit 0; the same from stdin', () => {
    const packed = run('gzip', ['-c'], new Uint8Array(readFileSync(BEACONS)));
    const cut = packed.subarray(0, packed.length >> 1);
    // What the codec must find in it: zlib's inflation of the cut file, decoded as a plain capture.
    const inflated = gunzipSync(cut, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const want = odid(['decode', write('prefix.pcap', inflated)]);
    const file = odid(['decode', write('cut.pcap.gz', cut)]);
    expect(file.status).toBe(0);
    expect(file.stdout).toBe(want.stdout);
    expect(file.stdout.split('\n').length).toBeGreaterThan(10);
    expect(file.stderr).toContain(`odid decode: warning: byte ${inflated.length} (after frame`);
    expect(file.stderr).toContain(`gzip: the input ends inside a member's compressed data (compressed byte ${cut.length})`);
    expect(closing(file.stderr)).toMatch(/^odid decode: pcap \(gzip\): \d+ frames/);
    const stdin = odid(['decode', '-'], cut);
    expect(stdin.status).toBe(0);
    expect(stdin.stdout).toBe(file.stdout);
    expect(stdin.stderr).toBe(file.stderr);
    const summary = odid(['decode', '--summary', write('cut2.pcap.gz', cut)]);
    expect(summary.stdout).toMatch(/capture\.compressed-truncated\s+1/);
  });

  it('a corrupted .zst: the lines before the damage, the warning with its id, exit 0', () => {
    const first = plainBytes.subarray(0, 50_000);
    const a = run('zstd', ['-q', '-c'], first);
    const b = new Uint8Array(run('zstd', ['-q', '-c'], plainBytes.subarray(50_000)));
    // Spoil the second frame's data: everything from its middle on becomes 0xff.
    b.fill(0xff, b.length >> 1);
    const bytes = new Uint8Array(Buffer.concat([a, b]));
    const file = odid(['decode', '--warnings', 'warning', write('corrupt.pcapng.zst', bytes)]);
    expect(file.status).toBe(0);
    expect(file.stderr).toMatch(/zstd: .*\(compressed byte \d+\); nothing after it is read \[capture\.compressed-corrupt\]/);
    const lines = file.stdout.trim().split('\n');
    const all = plain.stdout.trim().split('\n');
    // A prefix of the plain file's lines, and at least those of the first frame.
    expect(all.slice(0, lines.length)).toEqual(lines);
    expect(lines.length).toBeGreaterThanOrEqual(odid(['decode', write('first.pcapng', first)]).stdout.trim().split('\n').length);
    expect(odid(['decode', '-'], bytes).stdout).toBe(odid(['decode', write('corrupt2.pcapng.zst', bytes)]).stdout);
  });

  it('a .gz with nothing readable in it is no capture: exit 1, as for any other non-capture', () => {
    const bad = new Uint8Array(run('gzip', ['-c'], plainBytes));
    bad[2] = 7; // an unknown compression method
    const r = odid(['decode', write('bad.gz', bad)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('gzip: unknown compression method 7 (compressed byte 2)');
    expect(closing(r.stderr)).toBe('odid decode: unknown format (gzip): 0 frames, 0 with Remote ID, 0 messages');
  });

  it('--help says compressed captures are read', () => {
    expect(odid(['decode', '--help']).stdout).toMatch(/Compressed captures \(gzip, zstd, lz4 frames/);
  });
});
