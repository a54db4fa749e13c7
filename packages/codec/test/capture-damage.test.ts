/**
 * Damaged captures: truncation, corrupt length fields, garbage in the middle. The reader must return
 * every intact record, say where the damage is, and never throw or hang.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capturePath, corpusAvailable, corpusPlaceholder, describeCorpusData, itCorpus, needsCorpus } from '../../../test/support/fixtures.js';
import { CaptureReader, detectCaptureFormat, type CaptureRecord, type CaptureWarning } from '../src/capture/index.js';
import { rng, randomChunks } from '../../../test/support/random.js';

const load = (...p: string[]): Uint8Array => new Uint8Array(readFileSync(capturePath(...p)));
const SMALL_PCAP = ['opendroneid+wireshark-dissector', 'odid_wifi_bcn_sample.pcap'];
const BIG_PCAP = ['opendroneid+wireshark-dissector', 'history', 'beacon_sample.898e76b.pcap'];
const SMALL_PCAPNG = ['bkerler+DroneID', 'examples', 'dji_air3.pcapng'];
const BIG_PCAPNG = ['sutt0n+depin-open-droneid', 'beacon_frames_howlong.pcap'];

function readChunks(chunks: Iterable<Uint8Array>): { records: CaptureRecord[]; warnings: CaptureWarning[] } {
  const reader = new CaptureReader();
  const records: CaptureRecord[] = [];
  for (const c of chunks) records.push(...reader.push(c));
  records.push(...reader.end());
  return { records, warnings: reader.warnings };
}
const readAll = (bytes: Uint8Array) => readChunks([bytes]);

const randomBytes = (n: number, seed: number) => {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
};

/** Identity of a record for comparisons: its time and bytes (frame numbers shift after a lost record). */
const key = (r: CaptureRecord) => `${r.timestamp}/${r.linkType}/${Buffer.from(r.data).toString('hex')}`;

/** Byte range [start, end) of every record in the intact file, taken from where the reader found them. */
interface Span {
  start: number;
  end: number;
  key: string;
}
function pcapSpans(file: Uint8Array): Span[] {
  // Records follow one another from the end of the 24-byte file header, each a 16-byte header and its data.
  let o = 24;
  return readAll(file).records.map((r) => ({ start: o, end: (o += 16 + r.data.length), key: key(r) }));
}
/** Block boundaries of an intact little-endian pcapng (used to know where a cut falls, not to count). */
function pcapngBlocks(file: Uint8Array): { start: number; end: number; type: number }[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out = [];
  for (let o = 0; o < file.length; ) {
    const len = dv.getUint32(o + 4, true);
    out.push({ start: o, end: o + len, type: dv.getUint32(o, true) });
    o += len;
  }
  return out;
}
function pcapngSpans(file: Uint8Array): Span[] {
  const recs = readAll(file).records;
  const epbs = pcapngBlocks(file).filter((b) => b.type === 6);
  expect(epbs).toHaveLength(recs.length);
  return recs.map((r, i) => ({ ...epbs[i]!, key: key(r) }));
}

const insert = (file: Uint8Array, at: number, extra: Uint8Array) => {
  const out = new Uint8Array(file.length + extra.length);
  out.set(file.subarray(0, at));
  out.set(extra, at);
  out.set(file.subarray(at), at + extra.length);
  return out;
};

describe('truncated captures', () => {
  for (const [path, spansOf, headerEnd] of [
    [SMALL_PCAP, pcapSpans, 24],
    [SMALL_PCAPNG, pcapngSpans, 0],
  ] as const) {
    (needsCorpus(...path) ? itCorpus : it)(`${path.at(-1)} cut at every byte: every record before the cut, one warning at the cut structure`, () => {
      const file = load(...path);
      const spans = spansOf(file);
      // Structure boundaries: cuts there leave a well-formed (shorter) file.
      const boundaries = new Set<number>([headerEnd, ...spans.map((s) => s.end)]);
      const blocks = path === SMALL_PCAPNG ? pcapngBlocks(file) : [];
      for (const b of blocks) boundaries.add(b.end);
      for (let cut = 1; cut < file.length; cut++) {
        const { records, warnings } = readAll(file.subarray(0, cut));
        expect(records.map(key)).toEqual(spans.filter((s) => s.end <= cut).map((s) => s.key));
        if (boundaries.has(cut)) {
          expect(warnings).toEqual([]);
          continue;
        }
        // Too few bytes to tell the format by (4 for pcap, 8 for pcapng): not a capture at all.
        expect(warnings.map((w) => w.id)).toEqual([detectCaptureFormat(file.subarray(0, cut)) ? 'capture.truncated' : 'capture.unknown-format']);
        // The warning points at the start of the structure the cut went through.
        const within = cut < headerEnd ? 0 : (blocks.length ? blocks : spans).find((s) => s.start < cut && cut < s.end)!.start;
        expect(warnings[0]!.offset).toBe(within);
      }
    });
  }

  for (const path of [BIG_PCAP, BIG_PCAPNG]) {
    (needsCorpus(...path) ? itCorpus : it)(`${path.at(-1)} cut at a dense sample of offsets, pushed in random chunks`, () => {
      const file = load(...path);
      const spans = path === BIG_PCAP ? pcapSpans(file) : pcapngSpans(file);
      const rand = rng(7);
      for (let cut = 30; cut < file.length; cut += 397) {
        const { records, warnings } = readChunks(randomChunks(file.subarray(0, cut), rand, 3000));
        expect(records.map(key)).toEqual(spans.filter((s) => s.end <= cut).map((s) => s.key));
        expect(warnings.length).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe('corrupt length fields', () => {
  const file = load(...BIG_PCAP);
  const spans = pcapSpans(file);
  const k = 400;
  const victim = spans[k]!;
  const others = spans.filter((_, i) => i !== k).map((s) => s.key);
  const patch = (edit: (dv: DataView) => void) => {
    const copy = file.slice();
    edit(new DataView(copy.buffer));
    return copy;
  };

  const cases: [string, Uint8Array][] = [
    ['pcap incl_len beyond the snaplen', patch((dv) => dv.setUint32(victim.start + 8, 0x00ff0000, true))],
    ['pcap incl_len above orig_len', patch((dv) => dv.setUint32(victim.start + 8, dv.getUint32(victim.start + 8, true) + 20, true))],
    [
      'pcap incl_len and orig_len both 20 too long (self-consistent)',
      patch((dv) => {
        dv.setUint32(victim.start + 8, dv.getUint32(victim.start + 8, true) + 20, true);
        dv.setUint32(victim.start + 12, dv.getUint32(victim.start + 12, true) + 20, true);
      }),
    ],
    ['pcap incl_len huge but under the snaplen', patch((dv) => {
        dv.setUint32(victim.start + 8, 200_000, true);
        dv.setUint32(victim.start + 12, 200_000, true);
      }),],
  ];
  for (const [name, damaged] of cases) {
    it(`${name}: every other record comes out, one warning at the record`, () => {
      for (const chunks of [[damaged], [...randomChunks(damaged, rng(3), 5000)]]) {
        const { records, warnings } = readChunks(chunks);
        expect(records.map(key)).toEqual(others);
        expect(records.map((r) => r.frame)).toEqual(others.map((_, i) => i + 1));
        expect(warnings.map((w) => w.id)).toEqual(['capture.bad-header']);
        expect(warnings[0]!.offset).toBe(victim.start);
        expect(warnings[0]!.frame).toBe(k);
      }
    });
  }

  it('pcap incl_len 8 too short: the record comes out cut short, all others intact, the warning is inside it', () => {
    const damaged = patch((dv) => dv.setUint32(victim.start + 8, dv.getUint32(victim.start + 8, true) - 8, true));
    const { records, warnings } = readAll(damaged);
    expect(records.map(key).filter((_, i) => i !== k)).toEqual(others);
    expect(records[k]!.data.length).toBe(victim.end - victim.start - 16 - 8);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.offset).toBe(victim.end - 8);
  });

  if (!corpusAvailable) {
    corpusPlaceholder('pcapng length fields (a corpus capture)');
    return;
  }
  const ngFile = load(...BIG_PCAPNG);
  const ngSpans = pcapngSpans(ngFile);
  const ngVictim = ngSpans[k]!;
  const ngOthers = ngSpans.filter((_, i) => i !== k).map((s) => s.key);
  const ngPatch = (edit: (dv: DataView) => void) => {
    const copy = ngFile.slice();
    edit(new DataView(copy.buffer));
    return copy;
  };
  const len = ngVictim.end - ngVictim.start;
  const ngCases: [string, Uint8Array][] = [
    ['pcapng total length 4 too long', ngPatch((dv) => dv.setUint32(ngVictim.start + 4, len + 4, true))],
    ['pcapng total length 4 too short', ngPatch((dv) => dv.setUint32(ngVictim.start + 4, len - 4, true))],
    ['pcapng total length not a multiple of 4', ngPatch((dv) => dv.setUint32(ngVictim.start + 4, len + 2, true))],
    ['pcapng total length below 12', ngPatch((dv) => dv.setUint32(ngVictim.start + 4, 8, true))],
    ['pcapng total length huge', ngPatch((dv) => dv.setUint32(ngVictim.start + 4, 0x7ffffff0, true))],
    ['pcapng trailing length copy differs', ngPatch((dv) => dv.setUint32(ngVictim.end - 4, len + 8, true))],
    ['pcapng block type unknown with a bad length', ngPatch((dv) => {
        dv.setUint32(ngVictim.start, 0x77777777, true);
        dv.setUint32(ngVictim.start + 4, 3, true);
      }),],
    ['pcapng captured length beyond the block', ngPatch((dv) => dv.setUint32(ngVictim.start + 20, len, true))],
    ['pcapng interface id out of range', ngPatch((dv) => dv.setUint32(ngVictim.start + 8, 5, true))],
  ];
  for (const [name, damaged] of ngCases) {
    it(`${name}: every other record comes out, one warning at the block`, () => {
      for (const chunks of [[damaged], [...randomChunks(damaged, rng(5), 5000)]]) {
        const { records, warnings } = readChunks(chunks);
        expect(records.map(key)).toEqual(ngOthers);
        expect(warnings.map((w) => w.id)).toEqual(['capture.bad-header']);
        expect(warnings[0]!.offset).toBe(ngVictim.start);
      }
    });
  }
});

describe('garbage in the middle', () => {
  for (const [path, spansOf] of [
    [BIG_PCAP, pcapSpans],
    [BIG_PCAPNG, pcapngSpans],
  ] as const) {
    if (!corpusAvailable && needsCorpus(...path)) {
      corpusPlaceholder(`${path.at(-1)}: garbage in the middle`);
      continue;
    }
    const file = load(...path);
    const spans = spansOf(file);
    const all = spans.map((s) => s.key);

    for (const [kind, garbage] of [
      ['random', randomBytes(100, 11)],
      ['zero', new Uint8Array(100)],
      ['0xff', new Uint8Array(100).fill(0xff)],
      ['odd-length random', randomBytes(101, 12)],
    ] as const) {
      it(`${path.at(-1)}: 100 ${kind} bytes between two records lose nothing and are reported where they are`, () => {
        const at = spans[300]!.start;
        const damaged = insert(file, at, garbage);
        for (const chunks of [[damaged], [...randomChunks(damaged, rng(9), 2000)]]) {
          const { records, warnings } = readChunks(chunks);
          expect(records.map(key)).toEqual(all);
          expect(warnings).toHaveLength(1);
          expect(warnings[0]!.offset).toBe(at);
          expect(warnings[0]).toMatchObject({ id: 'capture.bad-header', severity: 'warning', group: 'capture' });
          // The words say how much was skipped (people read them; the id is what programs match).
          expect(warnings[0]!.detail).toContain(`${garbage.length} bytes skipped`);
        }
      });
    }

    it(`${path.at(-1)}: 100 random bytes inside a record spare every other record`, () => {
      const victim = spans[500]!;
      const damaged = insert(file, victim.start + 40, randomBytes(100, 13));
      const { records, warnings } = readAll(damaged);
      const others = all.filter((_, i) => i !== 500);
      // Every other record, in order; the damaged one is dropped or (pcap) comes out altered.
      const known = new Set(others);
      expect(records.map(key).filter((x) => known.has(x))).toEqual(others);
      expect(records.length).toBeGreaterThanOrEqual(all.length - 1);
      expect(records.length).toBeLessThanOrEqual(all.length);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.offset).toBeGreaterThanOrEqual(victim.start);
      expect(warnings[0]!.offset).toBeLessThanOrEqual(victim.end + 100);
    });

    it(`${path.at(-1)}: garbage right after the file header is skipped`, () => {
      const at = spans[0]!.start;
      const { records, warnings } = readAll(insert(file, at, randomBytes(333, 17)));
      expect(records.map(key)).toEqual(all);
      expect(warnings.map((w) => w.offset)).toEqual([at]);
    });
  }
});

/** A little-endian µs pcap of `n` records of `size` bytes, record i at time t(i). */
function syntheticPcap(n: number, size: number, t: (i: number) => number): Uint8Array {
  const rec = 16 + size;
  const file = new Uint8Array(24 + n * rec);
  const v = new DataView(file.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  for (let i = 0; i < n; i++) {
    const o = 24 + i * rec;
    const ts = t(i);
    v.setUint32(o, Math.floor(ts), true);
    v.setUint32(o + 4, Math.round((ts % 1) * 1e6), true);
    v.setUint32(o + 8, size, true);
    v.setUint32(o + 12, size, true);
    for (let j = 0; j < size; j++) file[o + 16 + j] = (i * 7 + j) & 0xff;
  }
  return file;
}

describe('unusual but intact timing', () => {
  it('a capture from a device without a clock (times from 0 s) reads with no warning', () => {
    const file = syntheticPcap(50, 60, (i) => i * 0.01);
    for (const chunks of [[file], [...randomChunks(file, rng(2), 50)]]) {
      const { records, warnings } = readChunks(chunks);
      expect(warnings).toEqual([]);
      expect(records).toHaveLength(50);
    }
  });

  it('a clock step of more than a day costs one warning and no record', () => {
    const file = syntheticPcap(40, 60, (i) => (i < 20 ? 1_600_000_000 : 1_700_000_000) + i * 0.01);
    const { records, warnings } = readAll(file);
    expect(records).toHaveLength(40);
    expect(warnings).toHaveLength(1);
    // At the first record of the new time.
    expect(warnings[0]!.offset).toBe(24 + 20 * 76);
  });

  it('garbage in place of the first record header: the rest is found, nothing invented', () => {
    const file = load(...SMALL_PCAP);
    const spans = pcapSpans(file);
    const damaged = file.slice();
    damaged.set(randomBytes(16, 5), 24);
    const { records, warnings } = readAll(damaged);
    expect(records.map(key)).toEqual(spans.slice(1).map((s) => s.key));
    expect(warnings.map((w) => w.offset)).toEqual([24]);
  });
});

describe('btsnoop damage', () => {
  const t0 = 1_700_000_000_000_000n + 0x00dcddb30f2f8000n;
  const recs = Array.from({ length: 40 }, (_, i) => Uint8Array.from({ length: 5 + (i % 9) }, (_, j) => (0x04 + i + j) & 0xff));
  const file = (() => {
    const parts: number[] = [0x62, 0x74, 0x73, 0x6e, 0x6f, 0x6f, 0x70, 0, 0, 0, 0, 1, 0, 0, 0x03, 0xea];
    const u32 = (v: number) => parts.push(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    recs.forEach((d, i) => {
      const t = t0 + BigInt(i) * 12_345n;
      u32(d.length);
      u32(d.length);
      u32(i & 3);
      u32(0);
      u32(Number(t >> 32n));
      u32(Number(t & 0xffffffffn));
      parts.push(...d);
    });
    return Uint8Array.from(parts);
  })();
  const starts: number[] = [];
  recs.reduce((o, d) => (starts.push(o), o + 24 + d.length), 16);

  it('100 garbage bytes between two records lose nothing', () => {
    const whole = readAll(file).records.map(key);
    expect(whole).toHaveLength(40);
    const at = starts[20]!;
    for (const chunks of [[insert(file, at, randomBytes(100, 8))], [...randomChunks(insert(file, at, randomBytes(100, 8)), rng(4), 60)]]) {
      const { records, warnings } = readChunks(chunks);
      expect(records.map(key)).toEqual(whole);
      expect(warnings.map((w) => w.offset)).toEqual([at]);
    }
  });

  it('a corrupt length loses only that record', () => {
    const whole = readAll(file).records.map(key);
    const damaged = file.slice();
    new DataView(damaged.buffer).setUint32(starts[10]! + 4, 0x7fffffff);
    const { records, warnings } = readAll(damaged);
    expect(records.map(key)).toEqual(whole.filter((_, i) => i !== 10));
    expect(warnings.map((w) => w.offset)).toEqual([starts[10]]);
  });
});

describeCorpusData('robustness', () => {
  it('terminates quickly on megabytes of noise behind each file header', () => {
    const noise = randomBytes(2_000_000, 21);
    for (const header of [load(...SMALL_PCAP).subarray(0, 24), load(...SMALL_PCAPNG).subarray(0, 28 + 100)]) {
      const t = performance.now();
      const { records, warnings } = readChunks(randomChunks(Uint8Array.from([...header, ...noise]), rng(1), 65536));
      expect(performance.now() - t).toBeLessThan(10_000);
      expect(records.length).toBeLessThan(5);
      expect(warnings.length).toBeGreaterThanOrEqual(1);
    }
  });

  const files = [SMALL_PCAP, SMALL_PCAPNG, ['opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap']].map((p) => ({
    file: load(...p),
    spans: p.at(-1)!.endsWith('.pcapng') ? pcapngSpans(load(...p)) : pcapSpans(load(...p)),
  }));

  it('any cut-out slice loses only the records it touches', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 4000 }), (fi, pos, n, chunk) => {
        const { file, spans } = files[fi]!;
        const a = spans[0]!.start + Math.floor(pos * (file.length - spans[0]!.start - 1));
        const b = Math.min(file.length, a + n);
        const damaged = new Uint8Array(file.length - (b - a));
        damaged.set(file.subarray(0, a));
        damaged.set(file.subarray(b), a);
        const { records } = readChunks(randomChunks(damaged, rng(chunk), chunk));
        const got = new Set(records.map(key));
        for (const s of spans) if (s.end <= a || s.start >= b) expect(got.has(s.key)).toBe(true);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('any inserted junk loses only the record it lands in', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 300 }), (fi, pos, junk) => {
        const { file, spans } = files[fi]!;
        const at = spans[0]!.start + Math.floor(pos * (file.length - spans[0]!.start));
        const { records } = readAll(insert(file, at, junk));
        const got = new Set(records.map(key));
        for (const s of spans) if (s.end <= at || s.start >= at) expect(got.has(s.key)).toBe(true);
      }),
      { numRuns: 300, seed: 43 },
    );
  });

  it('random byte flips never make it throw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }), (fi, flips) => {
        const file = files[fi]!.file.slice();
        for (const [p, v] of flips) file[Math.floor(p * file.length)] = v;
        const { records } = readChunks(randomChunks(file, rng(flips.length), 300));
        expect(records.length).toBeLessThanOrEqual(files[fi]!.spans.length + 20);
      }),
      { numRuns: 300, seed: 44 },
    );
  });
});
