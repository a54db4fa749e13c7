import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, putU32le } from '../src/bytes.js';
import { DecodeError, EncodeError } from '../src/errors.js';
import {
  LINKTYPE,
  RADIOTAP_FLAG_BAD_FCS,
  RADIOTAP_FLAG_FCS_AT_END,
  buildRadiotap,
  channelFromFreq,
  crc32,
  decodeLinkFrame,
  parseRadiotap,
  type WifiFrame,
} from '../src/link/index.js';

/** A small beacon (header + fixed fields + SSID) to put behind radiotap headers. */
const BEACON = fromHex(
  '8000 0000 ffffffffffff 84cca8604324 84cca8604324 000d 0000000000000000 b80b 2104 0003 414243',
);

function withFcs(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame);
  putU32le(out, frame.length, crc32(frame));
  return out;
}

function expectDecodeError(fn: () => unknown, code: DecodeError['code']): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as DecodeError).code).toBe(code);
    return;
  }
  throw new Error('expected a DecodeError');
}

const wifi = (linkType: number, data: Uint8Array) => {
  const r = decodeLinkFrame(linkType, data);
  expect(r.frames).toHaveLength(1);
  return { f: r.frames[0] as WifiFrame, ids: r.diagnostics.map((d) => d.id) };
};

describe('radiotap parsing', () => {
  it('§3.6 sample header: Flags, Rate, Channel, dBm signal, Antenna, dB signal', () => {
    const h = fromHex('00 7e 11 00 2e 18 00 00 00 02 85 09 a0 00 db 01 01');
    expect(parseRadiotap(h)).toMatchObject({
      headerLength: 17,
      flags: 0,
      fcsAtEnd: false,
      badFcsFlag: false,
      rateKbps: 1000,
      freqMHz: 2437,
      channel: 6,
      rssi: -37,
    });
    const { f, ids } = wifi(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([h, BEACON]));
    expect(ids).toEqual([]);
    expect(f).toMatchObject({ kind: 'wifi', fcs: 'absent', rssi: -37, freqMHz: 2437, channel: 6 });
    expect(Array.from(f.frame)).toEqual(Array.from(BEACON));
  });

  it('TSFT + Flags + Channel + signal: TSFT at 8, pad byte before the 2-aligned Channel', () => {
    // present bits 0,1,3,5; TSFT 8..16, Flags 16, pad 17, Channel 18..22, signal 22; length 23.
    const h = fromHex('00 00 17 00 2b 00 00 00  0102030405060708  10  ee  8509 a000  c4');
    const rt = parseRadiotap(h);
    expect(rt).toMatchObject({ headerLength: 23, flags: 0x10, fcsAtEnd: true, freqMHz: 2437, rssi: -60 });
    expect(rt.tsft).toBe(0x0807060504030201);
  });

  it('extended present bitmap: TSFT aligns to 16 after two bitmap words', () => {
    // word 1 = bits 0,1,3,5 + 31; word 2 = 0; header 12, pad 4, TSFT 16..24, Flags 24, pad, Channel 26, signal 30.
    const h = fromHex('00 00 1f 00 2b 00 00 80 00 00 00 00  aaaaaaaa  1122334455667788  00  ee  6c09 a000  b5');
    const rt = parseRadiotap(h);
    expect(rt).toMatchObject({ headerLength: 31, flags: 0, freqMHz: 2412, channel: 1, rssi: -75 });
    expect(rt.stoppedAt).toBeUndefined();
  });

  it('radiotap namespace restarts (bit 29): the first antenna signal is the combined one', () => {
    // w1: Flags, signal, 29, 31; w2: signal, antenna, 29, 31; w3: signal, antenna. Fields byte-aligned.
    const h = fromHex('00 00 16 00 22 00 00 a0 20 08 00 a0 20 08 00 00  10  c0  c2 00  c5 01');
    const rt = parseRadiotap(h);
    expect(rt).toMatchObject({ headerLength: 22, rssi: -64, fcsAtEnd: true });
    expect(rt.stoppedAt).toBeUndefined();
  });

  it('vendor namespace (bit 30) is skipped by its skip_length, then the radiotap namespace resumes', () => {
    // w1: Flags + vendor NS + ext; w2 (vendor): bit 0 + radiotap NS + ext; w3: dBm signal.
    // data @16: Flags; @18 (2-aligned): OUI 00:11:22, sub 0, skip 3; @24: 3 vendor bytes; @27: signal.
    const h = fromHex('00 00 1c 00 02 00 00 c0 01 00 00 a0 20 00 00 00  05  ff  001122 00 0300  abcdef  d3');
    const rt = parseRadiotap(h);
    expect(rt).toMatchObject({ headerLength: 28, flags: 5, rssi: -45 });
    expect(rt.stoppedAt).toBeUndefined();
  });

  it('XChannel gives the frequency when there is no Channel field', () => {
    // present bit 18 (XChannel, 8 bytes, align 4): flags u32, freq u16, channel, max power.
    const h = fromHex('00 00 10 00 00 00 04 00  40010000 9416 9c 14');
    expect(parseRadiotap(h)).toMatchObject({ freqMHz: 5780, channel: 156 });
  });

  it('a field it cannot size stops field parsing but the frame is still found', () => {
    // bit 28 (TLVs) after Flags; header length 16 says where the frame is.
    const h = fromHex('00 00 10 00 02 00 00 10  00  00 00 00 11 22 33 44');
    const rt = parseRadiotap(h);
    expect(rt.stoppedAt).toMatchObject({ id: 'link.radiotap-unparsed-field', detail: 'radiotap: TLV fields (not parsed)' });
    expect(rt.flags).toBe(0);
    const { f, ids } = wifi(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([h, BEACON]));
    expect(ids).toEqual(['link.radiotap-unparsed-field']);
    expect(f.frame.length).toBe(BEACON.length);
    // Unknown bit in a continued radiotap word (bit 32 + 3 = 35).
    const u = fromHex('00 00 0c 00 00 00 00 80 08 00 00 00');
    expect(parseRadiotap(u).stoppedAt).toMatchObject({ id: 'link.radiotap-unparsed-field', detail: 'radiotap: unknown radiotap field 35' });
  });

  it('fields or bitmaps running past the header length stop parsing (no throw)', () => {
    expect(parseRadiotap(fromHex('00 00 08 00 00 00 00 80')).stoppedAt).toMatchObject({ id: 'link.radiotap-overrun', offset: 8 });
    expect(parseRadiotap(fromHex('00 00 09 00 01 00 00 00 00')).stoppedAt).toMatchObject({ id: 'link.radiotap-overrun', offset: 8 });
  });

  it('unusable headers throw DecodeError', () => {
    expectDecodeError(() => parseRadiotap(fromHex('00 00 08')), 'truncated');
    expectDecodeError(() => parseRadiotap(fromHex('01 00 08 00 00 00 00 00')), 'unsupported');
    expectDecodeError(() => parseRadiotap(fromHex('00 00 04 00 00 00 00 00')), 'malformed');
    expectDecodeError(() => parseRadiotap(fromHex('00 00 20 00 00 00 00 00')), 'truncated');
  });

  it('channelFromFreq covers 2.4, 5 and 6 GHz', () => {
    expect(channelFromFreq(2412)).toBe(1);
    expect(channelFromFreq(2484)).toBe(14);
    expect(channelFromFreq(5745)).toBe(149);
    expect(channelFromFreq(5955)).toBe(1);
    expect(channelFromFreq(1234)).toBeUndefined();
    expect(channelFromFreq(5781)).toBeUndefined();
  });
});

describe('radiotap FCS handling', () => {
  const hdr = (flags: number) => buildRadiotap({ flags, rssi: -40, freqMHz: 2437 });

  it('Flags 0x10 + good FCS: stripped, ok', () => {
    const { f, ids } = wifi(127, concatBytes([hdr(RADIOTAP_FLAG_FCS_AT_END), withFcs(BEACON)]));
    expect(f.fcs).toBe('ok');
    expect(ids).toEqual([]);
    expect(Array.from(f.frame)).toEqual(Array.from(BEACON));
  });

  it('Flags 0x10 + corrupted frame: stripped, bad, warned', () => {
    const rec = concatBytes([hdr(RADIOTAP_FLAG_FCS_AT_END), withFcs(BEACON)]);
    rec[rec.length - 10]! ^= 0x01;
    const { f, ids } = wifi(127, rec);
    expect(f.fcs).toBe('bad');
    expect(f.frame.length).toBe(BEACON.length);
    expect(ids).toEqual(['link.bad-fcs']);
  });

  it('bad-FCS flag without the FCS: bad', () => {
    expect(wifi(127, concatBytes([hdr(RADIOTAP_FLAG_BAD_FCS), BEACON])).f.fcs).toBe('bad');
  });

  it('no Flags field: an FCS is looked for and stripped only if it matches', () => {
    const bare = fromHex('00 00 08 00 00 00 00 00');
    expect(wifi(127, concatBytes([bare, withFcs(BEACON)])).f).toMatchObject({ fcs: 'ok', frame: BEACON });
    const r = wifi(127, concatBytes([bare, BEACON])).f;
    expect(r.fcs).toBe('unknown');
    expect(r.frame.length).toBe(BEACON.length);
  });

  it('FCS flagged on a frame shorter than 4 bytes is truncated', () => {
    expectDecodeError(() => decodeLinkFrame(127, concatBytes([hdr(RADIOTAP_FLAG_FCS_AT_END), Uint8Array.of(1, 2)])), 'truncated');
  });
});

describe('buildRadiotap', () => {
  it('Flags, Rate, Channel, signal with their alignment; parses back', () => {
    const h = buildRadiotap({ rssi: -50, freqMHz: 2437 });
    // 8 header, Flags @8, Rate @9, Channel @10 (2-aligned), signal @14 -> 15 bytes.
    expect(Array.from(h)).toEqual(Array.from(fromHex('00 00 0f 00 2e 00 00 00 00 02 8509 a000 ce')));
    expect(parseRadiotap(h)).toMatchObject({ headerLength: 15, rssi: -50, freqMHz: 2437, channel: 6, rateKbps: 1000, fcsAtEnd: false });
  });

  it('5 GHz defaults to 6 Mb/s OFDM; optional fields can be left out', () => {
    const h = buildRadiotap({ freqMHz: 5745, flags: RADIOTAP_FLAG_FCS_AT_END });
    expect(parseRadiotap(h)).toMatchObject({ freqMHz: 5745, channel: 149, rateKbps: 6000, fcsAtEnd: true });
    expect(parseRadiotap(h).rssi).toBeUndefined();
    const m = buildRadiotap();
    expect(m.length).toBe(10);
    expect(parseRadiotap(m)).toMatchObject({ flags: 0, rateKbps: 1000 });
  });

  it('rejects values the header cannot hold', () => {
    expect(() => buildRadiotap({ rssi: -200 })).toThrow(EncodeError);
    expect(() => buildRadiotap({ freqMHz: 70000 })).toThrow(EncodeError);
    expect(() => buildRadiotap({ rateKbps: 700 })).toThrow(EncodeError);
  });
});
