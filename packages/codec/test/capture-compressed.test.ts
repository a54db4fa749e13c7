/**
 * Compressed captures, as the real tools write them (gzip, zstd, lz4 in its frame format) from the project's
 * own captures, read by the codec's own decompressors (the browser's path: CaptureReader undoes the
 * compression itself). The records must be exactly those of the uncompressed file however the input is
 * chunked; damage to the compressed data keeps every record before it and raises its diagnostic; hostile
 * input never throws or hangs, and memory stays flat however much comes out.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test/support/fixtures.js';
import { randomChunks, Random, rng } from '../../../test/support/random.js';
import { tshark } from '../../../test/support/tshark.js';
import {
  CaptureReader,
  createDecompressor,
  DecompressError,
  detectCompression,
  type CaptureRecord,
  type CaptureWarning,
  type CompressionFormat,
} from '../src/capture/index.js';
import { DIAGNOSTICS } from '../src/diagnostics.js';

const DIR = ['opendroneid+wireshark-dissector'];
const CAPTURES = ['odid_bt5_lr_sample.pcapng', 'odid_wifi_sample.pcap', 'odid_wifi_bcn_sample.pcap', 'history/beacon_sample.898e76b.pcap'];
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath('captures', ...DIR, ...name.split('/'))));
const BT5 = load('odid_bt5_lr_sample.pcapng');

/** Runs a compressor or decompressor on bytes; `lenient` keeps what it wrote even when it fails (a damaged input). */
function tool(cmd: string, args: string[], input: Uint8Array, lenient = false): Uint8Array {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}): run scripts/setup.sh to install it`);
  if (r.status !== 0 && !lenient) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** The ways the tools write each format; the first of each is the plain `-c`. */
const WRITERS: { name: string; format: CompressionFormat; compress: (b: Uint8Array) => Uint8Array }[] = [
  { name: 'gzip -c', format: 'gzip', compress: (b) => tool('gzip', ['-c'], b) },
  { name: 'gzip -9 of a named file (FNAME in the header)', format: 'gzip', compress: (b) => gzipNamedFile(b) },
  { name: 'zstd -c', format: 'zstd', compress: (b) => tool('zstd', ['-q', '-c'], b) },
  { name: 'zstd -19 --no-check -c', format: 'zstd', compress: (b) => tool('zstd', ['-q', '-19', '--no-check', '-c'], b) },
  { name: 'zstd --ultra -22 -c', format: 'zstd', compress: (b) => tool('zstd', ['-q', '--ultra', '-22', '-c'], b) },
  { name: 'lz4 -c', format: 'lz4', compress: (b) => tool('lz4', ['-q', '-c'], b) },
  { name: 'lz4 -c -BD -B4 -BX --content-size (linked 64 KiB blocks, block checksums)', format: 'lz4', compress: (b) => tool('lz4', ['-q', '-c', '-BD', '-B4', '-BX', '--content-size'], b) },
];

function gzipNamedFile(b: Uint8Array): Uint8Array {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'odid-gz-')), 'capture.pcapng');
  writeFileSync(file, b);
  return tool('gzip', ['-9', '-c', file], new Uint8Array(0));
}

function read(chunks: Iterable<Uint8Array>): { records: CaptureRecord[]; warnings: CaptureWarning[]; reader: CaptureReader } {
  const reader = new CaptureReader();
  const records: CaptureRecord[] = [];
  for (const c of chunks) records.push(...reader.push(c));
  records.push(...reader.end());
  return { records, warnings: reader.warnings, reader };
}

/** Everything about a record but object identity. */
const summary = (r: CaptureRecord) => ({ ...r, data: Buffer.from(r.data).toString('hex') });
const ids = (ws: CaptureWarning[]) => ws.map((w) => w.id);
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

describe('compressed captures decode to exactly the records of the plain file', () => {
  for (const name of CAPTURES) {
    const plain = load(name);
    const want = read([plain]);
    for (const w of WRITERS) {
      it(`${name}, ${w.name}`, () => {
        const packed = w.compress(plain);
        expect(detectCompression(packed)).toBe(w.format);
        const whole = read([packed]);
        expect(whole.reader.compression).toBe(w.format);
        expect(whole.reader.format).toBe(want.reader.format);
        expect(whole.records.map(summary)).toEqual(want.records.map(summary));
        expect(whole.warnings).toEqual(want.warnings);
        expect(whole.reader.bytesRead).toBe(packed.length);
        expect(whole.reader.captureBytesRead).toBe(plain.length);
        // However the pieces fall: a few bytes at a time, and at random.
        const r = rng(packed.length);
        const random = read(randomChunks(packed, r, 3000));
        expect(random.records.map(summary)).toEqual(want.records.map(summary));
        const small = read(randomChunks(packed, r, 7));
        expect(small.records.map(summary)).toEqual(want.records.map(summary));
        expect(small.warnings).toEqual(want.warnings);
      });
    }
  }

  it('byte by byte, for every format', () => {
    const want = read([BT5]).records.map(summary);
    for (const w of WRITERS.filter((x) => x.name.endsWith(' -c'))) {
      const packed = w.compress(BT5);
      expect(read(randomChunks(packed, () => 0, 1)).records.map(summary), w.name).toEqual(want);
    }
  });

  it('several gzip members (cat a.gz b.gz c.gz) and several zstd and lz4 frames', () => {
    const plain = load('history/beacon_sample.898e76b.pcap');
    const want = read([plain]).records.map(summary);
    // Cut anywhere (inside records too): the members' data joined is the file.
    const cuts = [0, 20_000, 77_777, plain.length];
    const parts = cuts.slice(1).map((end, i) => plain.subarray(cuts[i], end));
    for (const w of WRITERS.filter((x) => x.name.endsWith(' -c'))) {
      const joined = cat(...parts.map((p) => w.compress(p)));
      const got = read(randomChunks(joined, rng(7), 4096));
      expect(got.records.map(summary), w.name).toEqual(want);
      expect(got.warnings, w.name).toEqual([]);
    }
  });

  it('tshark reads the same gzip file to the same number of frames', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'odid-gz-'));
    for (const name of ['odid_bt5_lr_sample.pcapng', 'odid_wifi_sample.pcap']) {
      const file = path.join(dir, `${path.basename(name)}.gz`);
      const packed = tool('gzip', ['-c'], load(name));
      writeFileSync(file, packed);
      const frames = tshark(['-r', file, '-T', 'fields', '-e', 'frame.number']).trim().split('\n').length;
      expect(read([packed]).records.length).toBe(frames);
    }
  });

  it('zero padding after the last member or frame is ignored, as gzip and zlib ignore it', () => {
    const want = read([BT5]).records.map(summary);
    for (const w of WRITERS.filter((x) => x.name.endsWith(' -c'))) {
      const got = read([cat(w.compress(BT5), new Uint8Array(4096))]);
      expect(got.records.map(summary), w.name).toEqual(want);
      expect(got.warnings, w.name).toEqual([]);
    }
  });

  it('compressed data that is not a capture, or nothing, says so', () => {
    const text = read([tool('gzip', ['-c'], new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'))]);
    expect(text.reader.format).toBeUndefined();
    expect(text.reader.compression).toBe('gzip');
    expect(ids(text.warnings)).toEqual(['capture.unknown-format']);
    expect(text.warnings[0]!.detail).toMatch(/the gzip data holds no pcap, pcapng or btsnoop file \(it starts 474554/);
    const empty = read([tool('zstd', ['-q', '-c'], new Uint8Array(0))]);
    expect(ids(empty.warnings)).toEqual(['capture.empty']);
    expect(empty.warnings[0]!.detail).toBe('the zstd data is empty');
  });
});

describe('damaged compressed data: the records before the damage, and a diagnostic', () => {
  /** What the reader must give for the first L decompressed bytes: the plain file's prefix read as a whole. */
  const prefixRead = (plain: Uint8Array, length: number) => read([plain.subarray(0, length)]);

  it('a truncated .gz yields all that zlib can inflate of it, read as the capture it is, and capture.compressed-truncated', () => {
    const plain = load('history/beacon_sample.898e76b.pcap');
    const packed = tool('gzip', ['-c'], plain);
    for (const cut of [600, packed.length >> 1, packed.length - 100, packed.length - 9, packed.length - 3]) {
      const cutFile = packed.subarray(0, cut);
      const got = read(randomChunks(cutFile, rng(cut), 999));
      // zlib, told not to insist on the end, hands out everything it could inflate; gzip -dc as much, bar its last byte or so.
      const byGzip = gunzipSync(cutFile, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
      expect(got.reader.captureBytesRead, `cut at ${cut}`).toBe(byGzip);
      expect(tool('gzip', ['-dc'], cutFile, true).length).toBeLessThanOrEqual(byGzip);
      const want = prefixRead(plain, byGzip);
      expect(got.records.map(summary)).toEqual(want.records.map(summary));
      expect(got.records.length).toBeGreaterThan(0);
      const truncated = got.warnings.filter((w) => w.id === 'capture.compressed-truncated');
      expect(truncated).toHaveLength(1);
      expect(truncated[0]!.offset).toBe(byGzip);
      expect(truncated[0]!.detail).toContain(`(compressed byte ${cut})`);
      // The container's own view of the cut comes after it, as for an uncompressed file cut there.
      expect(got.warnings.filter((w) => w.id !== 'capture.compressed-truncated')).toEqual(want.warnings);
    }
  });

  it('a corrupted .zst (a damaged block header in its second frame) yields the first frame\'s records and capture.compressed-corrupt', () => {
    const plain = BT5;
    const first = plain.subarray(0, 50_000);
    const a = tool('zstd', ['-q', '-c'], first);
    const b = new Uint8Array(tool('zstd', ['-q', '-c'], plain.subarray(50_000)));
    // Frame header: magic, descriptor, then its optional fields; the first block header follows.
    const fhd = b[4]!;
    const headerLen = 4 + 1 + (fhd & 0x20 ? 0 : 1) + [0, 1, 2, 4][fhd & 3]! + [fhd & 0x20 ? 1 : 0, 2, 4, 8][fhd >>> 6]!;
    b[headerLen] = b[headerLen]! | 0x06; // block type 3: reserved
    const got = read(randomChunks(cat(a, b), rng(3), 2048));
    expect(got.reader.captureBytesRead).toBe(first.length);
    const want = prefixRead(plain, first.length);
    expect(got.records.map(summary)).toEqual(want.records.map(summary));
    const corrupt = got.warnings.find((w) => w.id === 'capture.compressed-corrupt')!;
    expect(corrupt.offset).toBe(first.length);
    expect(corrupt.detail).toBe(`zstd: a block of the reserved type (compressed byte ${a.length + headerLen}); nothing after it is read`);
    expect(DIAGNOSTICS['capture.compressed-corrupt'].severity).toBe('warning');
  });

  it('a damaged lz4 block fails its checksum: the blocks before it are read', () => {
    const packed = new Uint8Array(tool('lz4', ['-q', '-c', '-B4', '-BX'], BT5));
    // Descriptor: magic, FLG, BD, HC; then the first block's size, data and checksum; the second block's data.
    const firstSize = Buffer.from(packed).readUInt32LE(7);
    const second = 7 + 4 + (firstSize & 0x7fffffff) + 4;
    packed[second + 4 + 10] = packed[second + 4 + 10]! ^ 0xff;
    const got = read([packed]);
    expect(got.reader.captureBytesRead).toBe(64 * 1024);
    expect(got.records.map(summary)).toEqual(prefixRead(BT5, 64 * 1024).records.map(summary));
    expect(got.warnings.find((w) => w.id === 'capture.compressed-corrupt')!.detail).toBe(`lz4: a block checksum does not match (compressed byte ${second}); nothing after it is read`);
  });

  it('a gzip member whose CRC does not match: its records are read, and the mismatch is said', () => {
    const packed = new Uint8Array(tool('gzip', ['-c'], BT5));
    packed[packed.length - 6] = packed[packed.length - 6]! ^ 0x01;
    const got = read([packed]);
    expect(got.records.map(summary)).toEqual(read([BT5]).records.map(summary));
    expect(ids(got.warnings)).toEqual(['capture.compressed-corrupt']);
    expect(got.warnings[0]!.detail).toMatch(/^gzip: incorrect data check \(CRC-32\)/);
  });

  it('garbage after the last member or frame: every record, and capture.compressed-trailing', () => {
    for (const w of WRITERS.filter((x) => x.name.endsWith(' -c'))) {
      const packed = w.compress(BT5);
      const got = read([cat(packed, new TextEncoder().encode('garbage after the data'))]);
      expect(got.records.map(summary), w.name).toEqual(read([BT5]).records.map(summary));
      expect(ids(got.warnings), w.name).toEqual(['capture.compressed-trailing']);
      expect(got.warnings[0]!.detail).toContain(`(compressed byte ${packed.length})`);
    }
  });

  it('windows and blocks larger than allowed are refused before anything is allocated for them', () => {
    // A zstd frame asking for a 1 GiB window (window log 30), then a raw block.
    const zstdHuge = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, (30 - 10) << 3, 0x01 | (5 << 3), 0, 0, 1, 2, 3, 4, 5);
    const z = read([zstdHuge]);
    expect(ids(z.warnings)).toEqual(['capture.compressed-corrupt']);
    expect(z.warnings[0]!.detail).toMatch(/needs a window of 1024 MiB, more than the 128 MiB zstd allows/);
    // An lz4 frame of 64 KiB blocks whose first block says 4 MiB.
    const lz4 = new Uint8Array(tool('lz4', ['-q', '-c', '-B4'], BT5));
    lz4.set([0, 0, 0x40, 0], 7);
    const l = read([lz4]);
    expect(ids(l.warnings)).toEqual(['capture.compressed-corrupt']);
    expect(l.warnings[0]!.detail).toMatch(/a block of 4194304 bytes, more than the frame's maximum of 65536/);
  });

  it('a decompressor throws only DecompressError, after emitting what came before', () => {
    const packed = tool('gzip', ['-c'], BT5);
    const d = createDecompressor('gzip');
    const out: Uint8Array[] = [];
    d.push(packed.subarray(0, 3000), (p) => out.push(p));
    let error: unknown;
    try {
      d.end((p) => out.push(p));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecompressError);
    expect((error as DecompressError).code).toBe('truncated');
    expect((error as DecompressError).compressedOffset).toBe(3000);
    expect(Buffer.concat(out)).toEqual(Buffer.from(BT5.subarray(0, Buffer.concat(out).length)));
    expect(Buffer.concat(out).length).toBe(gunzipSync(packed.subarray(0, 3000), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).length);
  });
});

describe('hostile compressed input', () => {
  it('mutated gzip, zstd and lz4 files never throw and never hang; what they yield is read as a capture', () => {
    const r = new Random(0xc0ffee);
    for (const w of WRITERS) {
      const packed = w.compress(BT5);
      for (let n = 0; n < 150; n++) {
        const m = new Uint8Array(packed);
        const kind = r.int(3);
        let input: Uint8Array = m;
        if (kind === 0) for (let k = 0; k < 1 + r.int(8); k++) m[r.int(m.length)] = r.int(256);
        else if (kind === 1) input = m.subarray(0, r.int(m.length));
        else {
          const at = r.int(m.length);
          input = cat(m.subarray(0, at), r.bytes(1 + r.int(200)), m.subarray(at));
        }
        const started = performance.now();
        const got = read(randomChunks(input, () => r.float(), 5000));
        expect(performance.now() - started, `${w.name}, mutation ${n}`).toBeLessThan(3000);
        for (const warning of got.warnings) expect(warning.id.startsWith('capture.')).toBe(true);
      }
    }
  }, 120_000);

  it('memory stays flat: 256 MiB decompressed from each format holds no more than a window', () => {
    const zeros = new Uint8Array(256 << 20);
    for (const [format, args] of [
      ['gzip', ['-1', '-c']],
      ['zstd', ['-q', '-1', '-c']],
      ['lz4', ['-q', '-c']],
    ] as const) {
      const packed = tool(format, [...args], zeros);
      const reader = new CaptureReader();
      const before = process.memoryUsage().arrayBuffers;
      let peak = 0;
      for (let i = 0; i < packed.length; i += 16 * 1024) {
        reader.push(packed.subarray(i, i + 16 * 1024));
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
      }
      reader.end();
      expect(reader.captureBytesRead, format).toBe(zeros.length);
      // Everything kept would be 256 MiB; a window and the garbage not yet collected is far less.
      expect(peak, format).toBeLessThan(96 << 20);
    }
  }, 60_000);
});
