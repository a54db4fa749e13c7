import { describe, expect, it } from 'vitest';
import { EncodeError } from '../src/errors.js';
import { CaptureReader, PcapngWriter, PcapWriter, type CaptureRecord } from '../src/capture/index.js';
import { secondsToTicks, ticksToSeconds, tsresolToTicksPerSecond } from '../src/capture/timestamp.js';
import { rng } from '../../../test/support/random.js';

function readAll(bytes: Uint8Array): { records: CaptureRecord[]; warnings: unknown[] } {
  const reader = new CaptureReader();
  const records = [...reader.push(bytes), ...reader.end()];
  return { records, warnings: reader.warnings };
}
const cat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

const randomData = (r: () => number, n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));

/**
 * A float of seconds cannot hold a nanosecond at today's epoch (its step is ~238 ns near 1.7e9), so
 * timestamps are compared to within that; exact tick values are checked on the written bytes.
 */
const FLOAT_STEP = 4.8e-7;

describe('PcapWriter', () => {
  it('writes the 24-byte header: µs magic, version 2.4, snaplen, link type', () => {
    const h = new PcapWriter().header(127, { snaplen: 65535 });
    expect(hex(h)).toBe('d4c3b2a1' + '02000400' + '00000000' + '00000000' + 'ffff0000' + '7f000000');
    expect(hex(new PcapWriter().header(105, { nanoseconds: true }).subarray(0, 4))).toBe('4d3cb2a1');
  });

  for (const nanoseconds of [false, true]) {
    it(`round-trips data, lengths and ${nanoseconds ? 'ns' : 'µs'} timestamps`, () => {
      const r = rng(nanoseconds ? 2 : 1);
      const w = new PcapWriter();
      const sent = Array.from({ length: 200 }, (_, i) => ({
        t: 1_620_849_805 + i * 0.0137 + r() * 1e-3,
        data: randomData(r, Math.floor(r() * 400)),
        orig: i % 7 === 0 ? 1500 : undefined,
      }));
      const file = cat([w.header(127, { nanoseconds }), ...sent.map((s) => w.packet(s.t, s.data, s.orig))]);
      const { records, warnings } = readAll(file);
      expect(warnings).toEqual([]);
      expect(records).toHaveLength(sent.length);
      records.forEach((rec, i) => {
        const s = sent[i]!;
        expect(rec.frame).toBe(i + 1);
        expect(rec.linkType).toBe(127);
        expect(hex(rec.data)).toBe(hex(s.data));
        expect(rec.originalLength).toBe(s.orig ?? s.data.length);
        expect(Math.abs(rec.timestamp - s.t)).toBeLessThanOrEqual(nanoseconds ? FLOAT_STEP : 0.5e-6 + FLOAT_STEP);
      });
    });
  }

  it('rounds the fraction to the nearest tick and carries into the seconds', () => {
    const w = new PcapWriter();
    w.header(1);
    const rec = (t: number) => {
      const v = dv(w.packet(t, new Uint8Array(0)));
      return [v.getUint32(0, true), v.getUint32(4, true)];
    };
    expect(rec(1_700_000_000.9999996)).toEqual([1_700_000_001, 0]);
    expect(rec(1_700_000_000.2500004)).toEqual([1_700_000_000, 250_000]);
    expect(rec(0.0000015)).toEqual([0, 2]);
    w.header(1, { nanoseconds: true });
    expect(rec(1.5)).toEqual([1, 500_000_000]);
    expect(rec(12.9999999999)).toEqual([13, 0]);
  });

  it('refuses what pcap cannot store', () => {
    const w = new PcapWriter();
    expect(() => w.packet(-1, new Uint8Array(1))).toThrow(EncodeError);
    expect(() => w.packet(Number.NaN, new Uint8Array(1))).toThrow(EncodeError);
    expect(() => w.packet(2 ** 32, new Uint8Array(1))).toThrow(EncodeError);
    expect(() => w.packet(1, new Uint8Array(4), 3)).toThrow(EncodeError);
    expect(() => w.header(70_000)).toThrow(EncodeError);
  });
});

describe('PcapngWriter', () => {
  it('writes an SHB with shb_userappl, an IDB with if_name and if_tsresol, an EPB with epb_flags only when asked', () => {
    const w = new PcapngWriter({ application: 'odid-test' });
    const shb = w.header();
    const v = dv(shb);
    expect(v.getUint32(0, true)).toBe(0x0a0d0d0a);
    expect(v.getUint32(4, true)).toBe(shb.length);
    expect(v.getUint32(shb.length - 4, true)).toBe(shb.length);
    expect(v.getUint32(8, true)).toBe(0x1a2b3c4d);
    // Option 4 (shb_userappl), 9 bytes, padded to 12.
    expect([v.getUint16(24, true), v.getUint16(26, true)]).toEqual([4, 9]);
    expect(Buffer.from(shb.subarray(28, 37)).toString()).toBe('odid-test');

    const { id, bytes: idb } = w.addInterface({ linkType: 272, name: 'nrf0' });
    expect(id).toBe(0);
    const iv = dv(idb);
    expect([iv.getUint32(0, true), iv.getUint16(8, true), iv.getUint32(12, true)]).toEqual([1, 272, 262144]);
    expect([iv.getUint16(16, true), iv.getUint16(18, true), Buffer.from(idb.subarray(20, 24)).toString()]).toEqual([2, 4, 'nrf0']);
    expect([iv.getUint16(24, true), iv.getUint16(26, true), idb[28]]).toEqual([9, 1, 9]);

    const plain = w.packet(0, 1, Uint8Array.of(1, 2, 3));
    expect(plain.length).toBe(28 + 4 + 4); // no options at all
    const flagged = w.packet(0, 1, Uint8Array.of(1, 2, 3), { flags: 0x11 });
    const fv = dv(flagged);
    expect([fv.getUint16(32, true), fv.getUint16(34, true), fv.getUint32(36, true)]).toEqual([2, 4, 0x11]);
    expect(fv.getUint32(40, true)).toBe(0); // opt_endofopt
    expect(fv.getUint32(flagged.length - 4, true)).toBe(flagged.length);
  });

  it('stores exact nanosecond ticks for a timestamp given in seconds', () => {
    const w = new PcapngWriter();
    w.header();
    w.addInterface({ linkType: 127 });
    const v = dv(w.packet(0, 1_728_307_374.25, new Uint8Array(0)));
    const ticks = (BigInt(v.getUint32(12, true)) << 32n) | BigInt(v.getUint32(16, true));
    expect(ticks).toBe(1_728_307_374_250_000_000n);
  });

  it('round-trips two sections with several interfaces of different link types and resolutions', () => {
    const r = rng(3);
    const w = new PcapngWriter();
    const parts: Uint8Array[] = [];
    const sent: { iface: number; linkType: number; t: number; data: Uint8Array; orig?: number; flags?: number; step: number }[] = [];
    const sections = [
      [
        { linkType: 127, tsresol: 9 },
        { linkType: 105, tsresol: 6 },
        { linkType: 272, tsresol: 0x80 | 20 },
      ],
      [
        { linkType: 187, tsresol: 0x80 | 30 },
        { linkType: 256, tsresol: 3 },
      ],
    ];
    for (const ifaces of sections) {
      parts.push(w.header());
      const ids = ifaces.map((f, i) => {
        const { id, bytes } = w.addInterface({ ...f, name: `if${i}` });
        parts.push(bytes);
        return id;
      });
      expect(ids).toEqual(ifaces.map((_, i) => i));
      for (let k = 0; k < 60; k++) {
        const iface = Math.floor(r() * ifaces.length);
        const f = ifaces[iface]!;
        const tps = tsresolToTicksPerSecond(f.tsresol);
        const s = {
          iface,
          linkType: f.linkType,
          t: 1_700_000_000 + k * 0.25 + r(),
          data: randomData(r, Math.floor(r() * 300)),
          orig: k % 5 === 0 ? 4000 : undefined,
          flags: k % 3 === 0 ? Math.floor(r() * 2 ** 32) : undefined,
          step: 1 / tps,
        };
        sent.push(s);
        parts.push(w.packet(iface, s.t, s.data, { originalLength: s.orig, flags: s.flags }));
      }
    }
    const { records, warnings } = readAll(cat(parts));
    expect(warnings).toEqual([]);
    expect(records).toHaveLength(sent.length);
    records.forEach((rec, i) => {
      const s = sent[i]!;
      expect(rec.frame).toBe(i + 1);
      expect(rec.interfaceId).toBe(s.iface);
      expect(rec.linkType).toBe(s.linkType);
      expect(hex(rec.data)).toBe(hex(s.data));
      expect(rec.originalLength).toBe(s.orig ?? s.data.length);
      expect(rec.flags).toBe(s.flags);
      // Within half a tick of the interface's resolution (and the float's own step).
      expect(Math.abs(rec.timestamp - s.t)).toBeLessThanOrEqual(s.step / 2 + FLOAT_STEP);
    });
  });

  it('binary resolutions round-trip exactly: k / 2^20 seconds is a float', () => {
    const w = new PcapngWriter();
    const parts = [w.header(), w.addInterface({ linkType: 1, tsresol: 0x80 | 20 }).bytes];
    const times = [1_700_000_000 + 1 / 2 ** 20, 1_700_000_123 + 777_777 / 2 ** 20, 0, 5.5];
    for (const t of times) parts.push(w.packet(0, t, Uint8Array.of(0xab)));
    expect(readAll(cat(parts)).records.map((r) => r.timestamp)).toEqual(times);
  });

  it('refuses times beyond 64 bits of ticks', () => {
    const w = new PcapngWriter();
    w.header();
    w.addInterface({ linkType: 1, tsresol: 0x80 | 40 });
    expect(() => w.packet(0, 2 ** 25, new Uint8Array(1))).toThrow(EncodeError);
  });

  it('refuses unknown interfaces, bad lengths and negative times; a new section forgets interfaces', () => {
    const w = new PcapngWriter();
    w.header();
    expect(() => w.packet(0, 1, new Uint8Array(1))).toThrow(EncodeError);
    w.addInterface({ linkType: 1 });
    expect(() => w.packet(0, -5, new Uint8Array(1))).toThrow(EncodeError);
    expect(() => w.packet(0, 1, new Uint8Array(4), { originalLength: 2 })).toThrow(EncodeError);
    expect(() => w.addInterface({ linkType: -1 })).toThrow(EncodeError);
    expect(() => w.addInterface({ linkType: 1, tsresol: 300 })).toThrow(EncodeError);
    w.header();
    expect(() => w.packet(0, 1, new Uint8Array(1))).toThrow(EncodeError);
  });

  it('an empty application name leaves the option out', () => {
    const shb = new PcapngWriter({ application: '' }).header();
    expect(shb.length).toBe(28 + 4);
  });
});

describe('timestamp conversions', () => {
  it('secondsToTicks matches exact integer arithmetic at every resolution', () => {
    const r = rng(9);
    for (const tsresol of [0, 3, 6, 9, 12, 0x80 | 10, 0x80 | 30, 0x80 | 40]) {
      const tps = tsresolToTicksPerSecond(tsresol);
      for (let k = 0; k < 200; k++) {
        // Seconds up to what 64 bits of ticks can hold at this resolution.
        const sec = Math.floor(r() * Math.min(4e9, 2 ** 63 / tps));
        const frac = Math.floor(r() * Math.min(tps, 2 ** 20));
        const t = sec + frac / tps;
        const { hi, lo } = secondsToTicks(t, tps, 't');
        const got = (BigInt(hi) << 32n) + BigInt(lo);
        // The float t may sit up to one float step from sec + frac/tps: allow the ticks that step spans.
        const want = BigInt(sec) * BigInt(tps) + BigInt(frac);
        const slack = BigInt(Math.ceil(FLOAT_STEP * 2 * tps)) + 1n;
        expect(got >= want - slack && got <= want + slack).toBe(true);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(lo).toBeLessThan(2 ** 32);
      }
    }
  });

  it('ticksToSeconds is exact before the final rounding, also past 2^53 ticks', () => {
    const r = rng(10);
    for (let k = 0; k < 2000; k++) {
      const sec = Math.floor(r() * 4e9);
      const ns = Math.floor(r() * 1e9);
      const ticks = BigInt(sec) * 1_000_000_000n + BigInt(ns);
      const got = ticksToSeconds(Number(ticks >> 32n), Number(ticks & 0xffffffffn), 1e9);
      expect(got).toBe(sec + ns / 1e9);
    }
    // Exactly at a second boundary, where a float quotient could round the wrong way.
    const t = 1_999_999_999n * 1_000_000_000n - 1n;
    expect(ticksToSeconds(Number(t >> 32n), Number(t & 0xffffffffn), 1e9)).toBe(1_999_999_998 + 999_999_999 / 1e9);
  });
});
