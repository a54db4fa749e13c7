/**
 * openCaptureInput, the Node path to a compressed capture: node:zlib inflates a .gz file, the codec's own
 * decoder takes over wherever zlib does not read it cleanly to its end. Whatever the damage, the records and
 * every diagnostic must be exactly those of the codec's pure path (the browser's: CaptureReader decompressing
 * by itself), for files made with the real gzip from the project's captures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CaptureReader, type CaptureRecord, type CaptureWarning } from '@odid/codec';
import { fixturePath } from '../../../test/support/fixtures.js';
import { Random } from '../../../test/support/random.js';
import { openCaptureInput, type CaptureInput } from '../src/capture-input.js';

const capture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath('captures', 'opendroneid+wireshark-dissector', ...name.split('/'))));
const BT5 = capture('odid_bt5_lr_sample.pcapng');
const BEACONS = capture('history/beacon_sample.898e76b.pcap');
const dir = mkdtempSync(path.join(tmpdir(), 'odid-capture-input-'));

function compress(cmd: string, args: string[], input: Uint8Array): Uint8Array {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr}`);
  return new Uint8Array(r.stdout);
}
const gzip = (b: Uint8Array): Uint8Array => compress('gzip', ['-c'], b);
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const flip = (b: Uint8Array, at: number, mask = 0xff): Uint8Array => {
  const c = new Uint8Array(b);
  c[at] = c[at]! ^ mask;
  return c;
};

interface Read {
  records: ReturnType<typeof summary>[];
  warnings: CaptureWarning[];
  format: string | undefined;
  compression: string | undefined;
}
const summary = (r: CaptureRecord) => ({ ...r, data: Buffer.from(r.data).toString('hex') });

/** The browser's path: the reader decompresses by itself. */
function pure(bytes: Uint8Array): Read {
  const reader = new CaptureReader();
  const records: CaptureRecord[] = [];
  for (let i = 0; i < bytes.length; i += 65536) records.push(...reader.push(bytes.subarray(i, i + 65536)));
  records.push(...reader.end());
  return { records: records.map(summary), warnings: reader.warnings, format: reader.format, compression: reader.compression };
}

/** The CLI's and the receiver's path: openCaptureInput before the reader, as they use it. */
async function viaInput(source: CaptureInput): Promise<Read> {
  const reader = new CaptureReader({ ...source.readerOptions });
  const records: CaptureRecord[] = [];
  for await (const chunk of source.chunks) records.push(...reader.push(chunk));
  if (source.failure) reader.decompressionFailed(source.failure);
  records.push(...reader.end());
  return { records: records.map(summary), warnings: reader.warnings, format: reader.format, compression: reader.compression };
}

let files = 0;
const fileOf = (bytes: Uint8Array): string => {
  const file = path.join(dir, `${files++}.gz`);
  writeFileSync(file, bytes);
  return file;
};

const packedBt5 = gzip(BT5);
const packedBeacons = gzip(BEACONS);
const r = new Random(0x5eed);
const VARIANTS: [string, Uint8Array, 'node:zlib' | 'codec'][] = [
  ['one member', packedBeacons, 'node:zlib'],
  ['three members (cat a.gz b.gz c.gz)', cat(gzip(BEACONS.subarray(0, 30_000)), gzip(BEACONS.subarray(30_000, 100_001)), gzip(BEACONS.subarray(100_001))), 'node:zlib'],
  ...[700, 5000, packedBeacons.length >> 1, packedBeacons.length - 20, packedBeacons.length - 8, packedBeacons.length - 1].map(
    (cut): [string, Uint8Array, 'codec'] => [`cut at compressed byte ${cut}`, packedBeacons.subarray(0, cut), 'codec'],
  ),
  ['the CRC-32 flipped', flip(packedBt5, packedBt5.length - 7), 'codec'],
  ['the length flipped', flip(packedBt5, packedBt5.length - 2), 'codec'],
  ['an unknown compression method', flip(packedBt5, 2, 0x01), 'codec'],
  ...Array.from({ length: 12 }, (_, k): [string, Uint8Array, 'codec'] => {
    const at = 12 + r.int(packedBeacons.length - 20);
    return [`deflate data damaged at byte ${at} (${k})`, flip(packedBeacons, at, 1 + r.int(255)), 'codec'];
  }),
  ['garbage after the member', cat(packedBt5, new TextEncoder().encode('garbage')), 'codec'],
  ['zero padding', cat(packedBt5, new Uint8Array(1000)), 'codec'],
  ['zero padding, then garbage (zlib stops at the zero)', cat(packedBt5, new Uint8Array(10), Uint8Array.of(1, 2, 3)), 'codec'],
  ['text, not a capture', gzip(new TextEncoder().encode('not a capture at all')), 'node:zlib'],
  ['an empty member', gzip(new Uint8Array(0)), 'node:zlib'],
];

describe('openCaptureInput: node:zlib for .gz files, with the codec taking over where zlib stops', () => {
  for (const [name, bytes, by] of VARIANTS) {
    it(`${name}: the records and diagnostics of the pure path`, async () => {
      const want = pure(bytes);
      const source = await openCaptureInput(fileOf(bytes), { highWaterMark: 4096 });
      const got = await viaInput(source);
      expect(source.decompressedBy).toBe(by);
      expect(got).toEqual(want);
      if (by === 'node:zlib') expect(got.warnings.some((w) => w.id.startsWith('capture.compressed-'))).toBe(false);
      // Read to the end, unless decompression stopped at damage before it (reading stops there too).
      if (source.failure?.code === 'corrupt') expect(source.bytesRead).toBeLessThanOrEqual(bytes.length);
      else expect(source.bytesRead).toBe(bytes.length);
    });
  }

  it('the damaged ones do raise the compression diagnostics (the comparison above is not vacuous)', () => {
    const raised = VARIANTS.filter(([, bytes]) => pure(bytes).warnings.some((w) => w.id.startsWith('capture.compressed-'))).length;
    expect(raised).toBeGreaterThanOrEqual(VARIANTS.filter(([, , by]) => by === 'codec').length - 2);
  });

  it('a compressed stream (stdin) goes through the codec, to the same records', async () => {
    for (const bytes of [packedBeacons, packedBeacons.subarray(0, 9000), compress('zstd', ['-q', '-c'], BT5), compress('lz4', ['-q', '-c'], BT5)]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => Buffer.from(bytes.subarray(i * 1000, (i + 1) * 1000)));
      const source = await openCaptureInput('-', { stream: Readable.from(chunks) });
      expect(source.decompressedBy).toBe('codec');
      expect(await viaInput(source)).toEqual(pure(bytes));
    }
  });

  it('zstd and lz4 files through the codec, plain files as they are', async () => {
    for (const [bytes, compression] of [
      [compress('zstd', ['-q', '-c'], BT5), 'zstd'],
      [compress('lz4', ['-q', '-c'], BT5), 'lz4'],
      [BT5, undefined],
    ] as const) {
      const source = await openCaptureInput(fileOf(bytes));
      expect(source.compression).toBe(compression);
      expect(source.decompressedBy).toBe(compression && 'codec');
      const got = await viaInput(source);
      expect(got).toEqual(pure(bytes));
      expect(got.records).toEqual(pure(BT5).records);
    }
  });

  it('a file that cannot be opened rejects with the file system error', async () => {
    await expect(openCaptureInput(path.join(dir, 'missing.gz'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
