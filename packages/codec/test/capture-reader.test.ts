import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capturePath, itCorpus, needsCorpus } from '../../../test/support/fixtures.js';
import {
  CaptureReader,
  DETECT_BYTES,
  detectCaptureFormat,
  LINKTYPE_BLUETOOTH_HCI_H4,
  LINKTYPE_BLUETOOTH_LINUX_MONITOR,
  BTSNOOP_LINKTYPE_BASE,
  type CaptureRecord,
  type CaptureWarning,
} from '../src/capture/index.js';
import { rng, randomChunks } from '../../../test/support/random.js';

const load = (...p: string[]): Uint8Array => new Uint8Array(readFileSync(capturePath(...p)));

function readChunks(chunks: Iterable<Uint8Array>): { records: CaptureRecord[]; warnings: CaptureWarning[]; reader: CaptureReader } {
  const reader = new CaptureReader();
  const records: CaptureRecord[] = [];
  for (const c of chunks) records.push(...reader.push(c));
  records.push(...reader.end());
  return { records, warnings: reader.warnings, reader };
}
const readAll = (bytes: Uint8Array) => readChunks([bytes]);



/** What must survive any chunking: everything but object identity. */
const summary = (r: CaptureRecord) => ({ ...r, data: Buffer.from(r.data).toString('hex') });

/**
 * Expected values, read off each file with Wireshark's own tools (tshark 4.x / capinfos): format, frame
 * count, link type, sum of frame.cap_len, and frame.time_epoch of the first and last frame. No count here
 * comes from walking the files with code written for this test.
 */
const REAL_FILES = [
  { path: ['opendroneid+wireshark-dissector', 'history', 'beacon_sample.0bec396.pcap'], format: 'pcap', frames: 239, linkType: 127, bytes: 50608, first: 1620484553.45619, last: 1620484560.639232 },
  { path: ['opendroneid+wireshark-dissector', 'history', 'beacon_sample.898e76b.pcap'], format: 'pcap', frames: 816, linkType: 127, bytes: 141212, first: 1620849804.822861, last: 1620849820.22381 },
  { path: ['opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap'], format: 'pcap', frames: 63, linkType: 127, bytes: 6132, first: 1620849805.191866, last: 1620849819.994699 },
  { path: ['opendroneid+wireshark-dissector', 'odid_wifi_bcn_sample.pcap'], format: 'pcap', frames: 21, linkType: 127, bytes: 4347, first: 1621633931.161999, last: 1621633945.961949 },
  { path: ['opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng'], format: 'pcapng', frames: 274, linkType: 272, bytes: 74254, first: 1696390917.558003, last: 1696390935.168293 },
  { path: ['bkerler+DroneID', 'examples', 'wireless_RID_test_linux_transmitter.pcapng'], format: 'pcapng', frames: 21, linkType: 127, bytes: 8568, first: 1728056719.009951374, last: 1728056723.105967252 },
  { path: ['bkerler+DroneID', 'examples', 'dji_air3.pcapng'], format: 'pcapng', frames: 12, linkType: 127, bytes: 2391, first: 1728307374.047936698, last: 1728307384.647609729 },
  // A pcapng file despite its name.
  { path: ['sutt0n+depin-open-droneid', 'beacon_frames_howlong.pcap'], format: 'pcapng', frames: 1614, linkType: 127, bytes: 202924, first: 1720294265.36734344, last: 1720295052.923909574 },
  { path: ['sutt0n+depin-open-droneid', 'packet-data', 'capture_output.pcap'], format: 'pcapng', frames: 139, linkType: 127, bytes: 8593, first: 1720292776.994281083, last: 1720292795.406555909 },
  { path: ['sutt0n+depin-open-droneid', 'packet-data', 'capture_output-01.cap'], format: 'pcap', frames: 75, linkType: 105, bytes: 4468, first: 1720292440.230408, last: 1720292459.876784 },
  // Two interfaces (nRF 272 and an unused radiotap 127); all 125 frames are on interface 0.
  { path: ['ayumu-kasuga+remoteID_packet_reader_loop_script', 'remoteID_capture.pcapng'], format: 'pcapng', frames: 125, linkType: 272, bytes: 6733, first: 1744338981.365176, last: 1744338983.202435 },
] as const;

describe('CaptureReader on the real captures', () => {
  for (const f of REAL_FILES) {
    (needsCorpus(...f.path) ? itCorpus : it)(`${f.path.at(-1)}: ${f.frames} ${f.format} frames, link type ${f.linkType}, no warnings`, () => {
      const { records, warnings, reader } = readAll(load(...f.path));
      expect(warnings).toEqual([]);
      expect(reader.format).toBe(f.format);
      expect(records).toHaveLength(f.frames);
      expect(records.map((r) => r.frame)).toEqual(Array.from({ length: f.frames }, (_, i) => i + 1));
      expect(new Set(records.map((r) => r.linkType))).toEqual(new Set([f.linkType]));
      expect(new Set(records.map((r) => r.interfaceId))).toEqual(new Set([0]));
      expect(records.reduce((n, r) => n + r.data.length, 0)).toBe(f.bytes);
      expect(records.every((r) => r.originalLength === r.data.length)).toBe(true);
      expect(records[0]!.timestamp).toBeCloseTo(f.first, 6);
      expect(records.at(-1)!.timestamp).toBeCloseTo(f.last, 6);
    });
  }

  it('the first nRF frame of odid_bt5_lr_sample starts with the sniffer header of §3.6', () => {
    const { records } = readAll(load('opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng'));
    // board 03, payload length 0x0108, protocol version 03, ..., event header length 0x0a
    const d = records[0]!.data;
    expect([d[0], d[1], d[2], d[3], d[7]]).toEqual([0x03, 0x08, 0x01, 0x03, 0x0a]);
  });

  itCorpus('gives the same records for random chunk sizes on every real file', () => {
    const rand = rng(1);
    for (const f of REAL_FILES) {
      const bytes = load(...f.path);
      const whole = readAll(bytes).records.map(summary);
      for (const max of [1, 7, 100, 4096, 70_000]) {
        const got = readChunks(randomChunks(bytes, rand, max));
        expect(got.warnings).toEqual([]);
        expect(got.records.map(summary)).toEqual(whole);
      }
    }
  });

  for (const path of [
    ['opendroneid+wireshark-dissector', 'odid_wifi_bcn_sample.pcap'],
    ['bkerler+DroneID', 'examples', 'dji_air3.pcapng'],
  ]) {
    (needsCorpus(...path) ? itCorpus : it)(`gives the same records whatever byte the input is split at: ${path.at(-1)}`, () => {
      const bytes = load(...path);
      const whole = readAll(bytes).records.map(summary);
      for (let s = 0; s <= bytes.length; s++) {
        const got = readChunks([bytes.subarray(0, s), bytes.subarray(s)]);
        expect(got.warnings).toEqual([]);
        expect(got.records.map(summary)).toEqual(whole);
      }
      const bytewise = readChunks(randomChunks(bytes, () => 0, 1));
      expect(bytewise.records.map(summary)).toEqual(whole);
    });
  }

  it('returns records as they complete, without waiting for end()', () => {
    const bytes = load('opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap');
    const reader = new CaptureReader();
    const early = reader.push(bytes);
    // The last record waits only for a following header or the end of input.
    expect(early).toHaveLength(62);
    expect(reader.end()).toHaveLength(1);
    expect(reader.bytesRead).toBe(bytes.length);
  });

  it('hands out views into the chunk for records inside it and copies for records across chunks', () => {
    const bytes = load('opendroneid+wireshark-dissector', 'odid_wifi_bcn_sample.pcap');
    const a = bytes.slice(0, 2000);
    const b = bytes.slice(2000);
    const reader = new CaptureReader();
    const recs = [...reader.push(a), ...reader.push(b), ...reader.end()];
    for (const r of recs) {
      const start = r.data.byteOffset;
      if (r.data.buffer === a.buffer) expect(start + r.data.length).toBeLessThanOrEqual(a.length);
      else if (r.data.buffer !== b.buffer) expect(r.data.buffer.byteLength).toBe(r.data.length); // a fresh copy
    }
    expect(recs.filter((r) => r.data.buffer === a.buffer).length).toBeGreaterThan(5);
    expect(recs.filter((r) => r.data.buffer === b.buffer).length).toBeGreaterThan(5);
  });
});

describe('CaptureReader memory', () => {
  it('buffers only the unfinished tail of a large stream', () => {
    // ~6 MB synthetic pcap, 20,000 records of 300 bytes, fed in 64 KiB and in 1..500-byte chunks.
    const n = 20_000;
    const rec = 16 + 300;
    const file = new Uint8Array(24 + n * rec);
    const dv = new DataView(file.buffer);
    dv.setUint32(0, 0xa1b2c3d4, true);
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setUint32(16, 65535, true);
    dv.setUint32(20, 127, true);
    for (let i = 0; i < n; i++) {
      const o = 24 + i * rec;
      dv.setUint32(o, 1_700_000_000 + Math.floor(i / 100), true);
      dv.setUint32(o + 4, (i % 100) * 10_000, true);
      dv.setUint32(o + 8, 300, true);
      dv.setUint32(o + 12, 300, true);
      file.fill(i & 0xff, o + 16, o + rec);
    }
    for (const max of [65_536, 500]) {
      const reader = new CaptureReader();
      let count = 0;
      let peak = 0;
      for (const c of randomChunks(file, rng(max), max)) {
        count += reader.push(c).length;
        peak = Math.max(peak, reader.bufferedBytes);
      }
      count += reader.end().length;
      expect(count).toBe(n);
      expect(reader.warnings).toEqual([]);
      // At most one record plus the following header is ever held back.
      expect(peak).toBeLessThanOrEqual(2 * rec);
    }
  });
});

/** Byte builder for hand-made files in either byte order. */
class Bytes {
  private readonly parts: number[] = [];
  constructor(private readonly le: boolean) {}
  u8(...v: number[]): this {
    this.parts.push(...v);
    return this;
  }
  u16(v: number): this {
    return this.le ? this.u8(v & 0xff, v >>> 8) : this.u8(v >>> 8, v & 0xff);
  }
  u32(v: number): this {
    const b = [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    return this.u8(...(this.le ? b.reverse() : b));
  }
  bytes(b: ArrayLike<number>): this {
    return this.u8(...Array.from(b));
  }
  get length(): number {
    return this.parts.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** A pcapng block: body is everything between the length fields. */
function block(le: boolean, type: number, body: Uint8Array): Uint8Array {
  const len = 12 + body.length;
  return new Bytes(le).u32(type).u32(len).bytes(body).u32(len).build();
}
function option(le: boolean, code: number, value: ArrayLike<number>): Bytes {
  const b = new Bytes(le).u16(code).u16(value.length).bytes(value);
  while (b.length % 4) b.u8(0);
  return b;
}
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

describe('CaptureReader: pcap variants', () => {
  for (const le of [true, false]) {
    for (const ns of [false, true]) {
      it(`${le ? 'little' : 'big'}-endian pcap with ${ns ? 'nanosecond' : 'microsecond'} timestamps`, () => {
        const f = new Bytes(le).u32(ns ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(1000).u32(105);
        f.u32(1_600_000_000).u32(ns ? 123_456_789 : 123_456).u32(3).u32(60).u8(1, 2, 3);
        f.u32(1_600_000_001).u32(ns ? 999_999_999 : 999_999).u32(0).u32(5);
        const { records, warnings } = readAll(f.build());
        expect(warnings).toEqual([]);
        expect(records.map(summary)).toEqual([
          { frame: 1, timestamp: 1_600_000_000 + (ns ? 123_456_789 / 1e9 : 123_456 / 1e6), linkType: 105, interfaceId: 0, data: '010203', originalLength: 60, flags: undefined },
          { frame: 2, timestamp: 1_600_000_001 + (ns ? 999_999_999 / 1e9 : 999_999 / 1e6), linkType: 105, interfaceId: 0, data: '', originalLength: 5, flags: undefined },
        ]);
      });
    }
  }
});

describe('CaptureReader: pcapng structure', () => {
  /** Hand-built section: NRB, IDBs with options, EPB with flags, SPB, obsolete PB, ISB, custom block. */
  function section(le: boolean): Uint8Array {
    const shb = block(le, 0x0a0d0d0a, new Bytes(le).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff).bytes(option(le, 4, [0x41]).build()).u32(0).build());
    const nrb = block(le, 4, new Bytes(le).u16(1).u16(8).u8(10, 0, 0, 1).u8(0x61, 0x00, 0, 0).u16(0).u16(0).build());
    // Interface 0: 802.11 radiotap, µs (default), snaplen 10 (applies to the SPB).
    const idb0 = block(le, 1, new Bytes(le).u16(127).u16(0).u32(10).bytes(option(le, 2, [0x77, 0x30]).build()).u32(0).build());
    // Interface 1: nRF BLE, 2^-10 s ticks, offset +1000 s.
    // if_tsoffset is a signed 64-bit count of seconds in the section's byte order.
    const tsoffVal = le ? Uint8Array.from([0xe8, 0x03, 0, 0, 0, 0, 0, 0]) : Uint8Array.from([0, 0, 0, 0, 0, 0, 0x03, 0xe8]);
    const idb1 = block(le, 1, new Bytes(le).u16(272).u16(0).u32(0).bytes(option(le, 9, [0x80 | 10]).build()).bytes(option(le, 14, tsoffVal).build()).u32(0).build());
    // EPB on interface 1: ticks = 1_000_000 * 1024 + 512 -> 1_000_000.5 s + 1000 s offset; flags option.
    const ticks = 1_000_000 * 1024 + 512;
    const epb = block(le, 6, new Bytes(le).u32(1).u32(Math.floor(ticks / 2 ** 32)).u32(ticks % 2 ** 32).u32(5).u32(9).u8(1, 2, 3, 4, 5, 0, 0, 0).bytes(option(le, 2, new Bytes(le).u32(0x00000001).build()).build()).u32(0).build());
    const isb = block(le, 5, new Bytes(le).u32(0).u32(0).u32(0).build());
    // SPB: original 12 bytes, snaplen 10 -> 10 captured (padded to 12).
    const spb = block(le, 3, new Bytes(le).u32(12).u8(...Array.from({ length: 12 }, (_, i) => 0xa0 + i)).build());
    const custom = block(le, 0xbad, new Bytes(le).u32(32473).u8(9, 9, 9, 9).build());
    // Obsolete Packet Block on interface 0: µs ticks.
    const us = 1_600_000_000_250_000;
    const pb = block(le, 2, new Bytes(le).u16(0).u16(0).u32(Math.floor(us / 2 ** 32)).u32(us % 2 ** 32).u32(2).u32(2).u8(0xbe, 0xef, 0, 0).u32(0).build());
    return cat(shb, nrb, idb0, idb1, epb, isb, spb, custom, pb);
  }

  // The custom block between the SPB and the PB takes a frame number, as in Wireshark (capture-frame-numbers.test.ts).
  const expected = (frame0: number) => [
    { frame: frame0 + 1, timestamp: 1_000_000.5 + 1000, linkType: 272, interfaceId: 1, data: '0102030405', originalLength: 9, flags: 1 },
    { frame: frame0 + 2, timestamp: 0, linkType: 127, interfaceId: 0, data: 'a0a1a2a3a4a5a6a7a8a9', originalLength: 12, flags: undefined },
    { frame: frame0 + 4, timestamp: 1_600_000_000.25, linkType: 127, interfaceId: 0, data: 'beef', originalLength: 2, flags: undefined },
  ];

  for (const le of [true, false]) {
    it(`reads a ${le ? 'little' : 'big'}-endian section with every block kind`, () => {
      const { records, warnings } = readAll(section(le));
      expect(warnings).toEqual([]);
      expect(records.map(summary)).toEqual(expected(0));
    });
  }

  it('switches byte order per section, restarts interface ids and keeps frame numbers running', () => {
    const file = cat(section(true), section(false), section(true));
    const whole = readAll(file);
    expect(whole.warnings).toEqual([]);
    expect(whole.records.map(summary)).toEqual([...expected(0), ...expected(4), ...expected(8)]);
    for (let s = 0; s <= file.length; s++) {
      expect(readChunks([file.subarray(0, s), file.subarray(s)]).records.map(summary)).toEqual(whole.records.map(summary));
    }
  });

  it('warns about, and skips, a packet naming an interface the section does not have', () => {
    const le = true;
    const shb = block(le, 0x0a0d0d0a, new Bytes(le).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff).build());
    const idb = block(le, 1, new Bytes(le).u16(1).u16(0).u32(0).build());
    const epb = (iface: number) => block(le, 6, new Bytes(le).u32(iface).u32(0).u32(7).u32(1).u32(1).u8(0xaa, 0, 0, 0).build());
    const { records, warnings } = readAll(cat(shb, idb, epb(0), epb(3), epb(0)));
    expect(records.map((r) => r.frame)).toEqual([1, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.offset).toBe(shb.length + idb.length + 36);
    expect(warnings[0]!.id).toBe('capture.bad-header');
    expect(warnings[0]!.detail).toContain('interface 3');
  });
});

describe('CaptureReader: btsnoop', () => {
  /** µs since 0000-01-01 for a Unix time in whole µs. */
  const btTime = (unixUs: number) => BigInt(unixUs) + 0x00dcddb30f2f8000n;
  function btsnoop(datalink: number, recs: { flags: number; data: number[]; unixUs: number; orig?: number }[]): Uint8Array {
    const f = new Bytes(false).bytes([0x62, 0x74, 0x73, 0x6e, 0x6f, 0x6f, 0x70, 0]).u32(1).u32(datalink);
    for (const r of recs) {
      const t = btTime(r.unixUs);
      f.u32(r.orig ?? r.data.length).u32(r.data.length).u32(r.flags).u32(0).u32(Number(t >> 32n)).u32(Number(t & 0xffffffffn)).bytes(r.data);
    }
    return f.build();
  }
  const t0 = 1_700_000_000_123_456;

  it('detects the format from "btsnoop\\0"', () => {
    expect(detectCaptureFormat(btsnoop(1002, []))).toBe('btsnoop');
  });

  it('datalink 1002 (H4): data as stored, link type 187, flags kept, µs timestamps from year 0', () => {
    const file = btsnoop(1002, [
      { flags: 3, data: [0x04, 0x3e, 0x02, 0x01, 0x02], unixUs: t0 },
      { flags: 2, data: [0x01, 0x0c, 0x20, 0x02, 0x01, 0x00], unixUs: t0 + 1_500_000 },
    ]);
    const { records, warnings, reader } = readAll(file);
    expect(reader.format).toBe('btsnoop');
    expect(warnings).toEqual([]);
    expect(records.map(summary)).toEqual([
      { frame: 1, timestamp: t0 / 1e6, linkType: LINKTYPE_BLUETOOTH_HCI_H4, interfaceId: 0, data: '043e020102', originalLength: 5, flags: 3 },
      { frame: 2, timestamp: (t0 + 1_500_000) / 1e6, linkType: LINKTYPE_BLUETOOTH_HCI_H4, interfaceId: 0, data: '010c20020100', originalLength: 6, flags: 2 },
    ]);
  });

  it('datalink 1001 (bare HCI): the H4 type is derived from the flags and prepended', () => {
    const file = btsnoop(1001, [
      { flags: 3, data: [0x3e, 0x01], unixUs: t0 }, // received command/event: event
      { flags: 2, data: [0x0c, 0x20], unixUs: t0 }, // sent command/event: command
      { flags: 1, data: [0x40, 0x20], unixUs: t0, orig: 10 }, // data: ACL
    ]);
    const { records, warnings } = readAll(file);
    expect(warnings).toEqual([]);
    expect(records.map((r) => [Buffer.from(r.data).toString('hex'), r.originalLength, r.linkType])).toEqual([
      ['043e01', 3, 187],
      ['010c20', 3, 187],
      ['024020', 11, 187],
    ]);
  });

  it('datalink 2001 (monitor): the LINKTYPE 254 adapter/opcode header is rebuilt from the flags', () => {
    const { records, warnings } = readAll(btsnoop(2001, [{ flags: (1 << 16) | 3, data: [0x0e, 0x04], unixUs: t0 }]));
    expect(warnings).toEqual([]);
    expect(records.map((r) => [Buffer.from(r.data).toString('hex'), r.originalLength, r.linkType])).toEqual([['000100030e04', 6, LINKTYPE_BLUETOOTH_LINUX_MONITOR]]);
  });

  it('an unmapped datalink keeps its bytes under a private link type, with one warning', () => {
    const { records, warnings } = readAll(btsnoop(1003, [{ flags: 0, data: [1, 2], unixUs: t0 }]));
    expect(records.map((r) => r.linkType)).toEqual([BTSNOOP_LINKTYPE_BASE + 1003]);
    expect(warnings.map((w) => w.id)).toEqual(['capture.unknown-datalink']);
  });

  it('survives every split point and truncation at every byte', () => {
    const recs = Array.from({ length: 12 }, (_, i) => ({ flags: i & 3, data: Array.from({ length: 3 + i }, (_, j) => (i * 16 + j) & 0xff), unixUs: t0 + i * 1000 }));
    const file = btsnoop(1002, recs);
    const whole = readAll(file).records.map(summary);
    expect(whole).toHaveLength(12);
    const ends: number[] = [];
    let o = 16;
    for (const r of recs) ends.push((o += 24 + r.data.length));
    for (let s = 0; s <= file.length; s++) {
      expect(readChunks([file.subarray(0, s), file.subarray(s)]).records.map(summary)).toEqual(whole);
      if (s === 0) continue;
      const cut = readAll(file.subarray(0, s));
      const complete = ends.filter((e) => e <= s).length;
      expect(cut.records.map(summary)).toEqual(whole.slice(0, complete));
      expect(cut.warnings.map((w) => w.id)).toEqual(s === 16 || ends.includes(s) ? [] : [s < DETECT_BYTES ? 'capture.unknown-format' : 'capture.truncated']);
    }
  });
});

describe('detectCaptureFormat', () => {
  it('knows the four pcap magics, pcapng and btsnoop, and nothing else', () => {
    expect(detectCaptureFormat(Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1))).toBe('pcap');
    expect(detectCaptureFormat(Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4))).toBe('pcap');
    expect(detectCaptureFormat(Uint8Array.of(0x4d, 0x3c, 0xb2, 0xa1))).toBe('pcap');
    expect(detectCaptureFormat(Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d))).toBe('pcap');
    expect(detectCaptureFormat(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0))).toBe('pcapng');
    expect(detectCaptureFormat(Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0))).toBeUndefined();
    expect(detectCaptureFormat(Uint8Array.of(0xd4, 0xc3))).toBeUndefined();
  });

  it('the reader warns once on input it does not recognise and on empty input', () => {
    const junk = readAll(Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff));
    expect(junk.records).toEqual([]);
    expect(junk.warnings.map((w) => w.id)).toEqual(['capture.unknown-format']);
    expect(junk.reader.format).toBeUndefined();
    expect(readAll(new Uint8Array(0)).warnings.map((w) => [w.id, w.offset])).toEqual([['capture.empty', 0]]);
  });

  it('reports warnings through onWarning instead of collecting them when asked', () => {
    const seen: CaptureWarning[] = [];
    const reader = new CaptureReader({ onWarning: (w) => seen.push(w) });
    reader.push(Uint8Array.of(1, 2, 3));
    reader.end();
    expect(seen).toHaveLength(1);
    expect(reader.warnings).toEqual([]);
  });
});
