import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, putU32le } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import {
  LINKTYPE,
  MGMT_SUBTYPE,
  crc32,
  decodeLinkFrame,
  parseManagementFrame,
  stripFcs,
  type WifiFrame,
} from '../src/link/index.js';
import { walkElements } from '../src/framing/wifi-elements.js';

// §3.3 sample beacon: header, fixed fields, DS parameter set, SSID, a (short) ODID vendor element.
const HEADER = fromHex('80 00 0000 ffffffffffff 84cca8604324 84cca8604324 000d');
const FIXED = fromHex('0000000000000000 b80b 2104');
const IES = fromHex('03 01 06  00 0e 4742522d4f502d313233414243 44  dd 07 fa0bbc 0d d0 f0 19');
const BEACON = concatBytes([HEADER, FIXED, IES]);

// §3.4 NAN service discovery frame: action, DA 51:6f:9a:01:00:00, body starts with category 04.
const NAN_SDF = fromHex('d0 00 0000 516f9a010000 84cca8604324 506f9a010179 1000  04 09 506f9a13 03 0300 010203');

function withFcs(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame);
  putU32le(out, frame.length, crc32(frame));
  return out;
}

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('parseManagementFrame', () => {
  it('beacon: addresses, sequence, 12 fixed bytes before the elements', () => {
    const h = parseManagementFrame(BEACON);
    expect(h).toMatchObject({
      subtype: MGMT_SUBTYPE.BEACON,
      addr1: 'ff:ff:ff:ff:ff:ff',
      addr2: '84:cc:a8:60:43:24',
      addr3: '84:cc:a8:60:43:24',
      seq: 0xd0,
      frag: 0,
      htc: false,
      protected: false,
      bodyOffset: 24,
      fixedLength: 12,
    });
    const w = walkElements(BEACON.subarray(h.bodyOffset + h.fixedLength));
    expect(w.truncated).toBeUndefined();
    expect(w.elements.map((e) => e.id)).toEqual([3, 0, 221]);
    expect(new TextDecoder().decode(w.elements[1]!.data)).toBe('GBR-OP-123ABCD');
    expect(Array.from(w.elements[2]!.data.subarray(0, 4))).toEqual([0xfa, 0x0b, 0xbc, 0x0d]);
  });

  it('+HTC/Order bit: 28-byte header', () => {
    const f = BEACON.slice();
    f[1] = 0x80;
    const htc = concatBytes([f.subarray(0, 24), fromHex('00000000'), f.subarray(24)]);
    const h = parseManagementFrame(htc);
    expect(h).toMatchObject({ htc: true, bodyOffset: 28, fixedLength: 12 });
    expect(walkElements(htc.subarray(40)).elements.map((e) => e.id)).toEqual([3, 0, 221]);
  });

  it('action frame (NAN SDF): no fixed fields, the category starts the body', () => {
    const h = parseManagementFrame(NAN_SDF);
    expect(h).toMatchObject({ subtype: MGMT_SUBTYPE.ACTION, bodyOffset: 24, fixedLength: 0, addr1: '51:6f:9a:01:00:00', addr3: '50:6f:9a:01:01:79' });
    expect(NAN_SDF[h.bodyOffset]).toBe(0x04);
  });

  it('probe response has 12 fixed bytes too; protected bit is reported', () => {
    const f = BEACON.slice();
    f[0] = 0x50;
    f[1] = 0x40;
    expect(parseManagementFrame(f)).toMatchObject({ subtype: MGMT_SUBTYPE.PROBE_RESP, fixedLength: 12, protected: true });
  });

  it('rejects short, non-management and wrong-version frames with DecodeError', () => {
    expect(decodeError(() => parseManagementFrame(BEACON.subarray(0, 23))).code).toBe('truncated');
    expect(decodeError(() => parseManagementFrame(BEACON.subarray(0, 30))).code).toBe('truncated'); // fixed fields cut
    const data = BEACON.slice();
    data[0] = 0x08; // data frame
    expect(decodeError(() => parseManagementFrame(data)).code).toBe('unsupported');
    data[0] = 0x81; // protocol version 1
    expect(decodeError(() => parseManagementFrame(data)).code).toBe('unsupported');
  });
});

describe('walkElements (framing) on 802.11 bodies', () => {
  it('a truncated last element is reported, earlier elements stay', () => {
    const w = walkElements(fromHex('00 03 414243  dd 09 fa0bbc0d'));
    expect(w.elements.map((e) => [e.id, e.offset, e.data.length])).toEqual([[0, 0, 3]]);
    expect(w.truncated?.code).toBe('truncated');
  });

  it('a lone ID byte at the end is reported', () => {
    const w = walkElements(fromHex('00 00 dd'));
    expect(w.elements.map((e) => e.id)).toEqual([0]);
    expect(w.truncated?.code).toBe('truncated');
  });
});

describe('FCS', () => {
  it('stripFcs present: ok or bad, always 4 bytes off', () => {
    const f = withFcs(BEACON);
    expect(stripFcs(f, 'present')).toMatchObject({ fcs: 'ok' });
    expect(stripFcs(f, 'present').frame.length).toBe(BEACON.length);
    const bad = f.slice();
    bad[5]! ^= 0x80;
    expect(stripFcs(bad, 'present').fcs).toBe('bad');
    expect(stripFcs(bad, 'present').frame.length).toBe(BEACON.length);
    expect(decodeError(() => stripFcs(Uint8Array.of(1, 2, 3), 'present')).code).toBe('truncated');
  });

  it('stripFcs absent / unknown', () => {
    expect(stripFcs(BEACON, 'absent')).toEqual({ frame: BEACON, fcs: 'absent' });
    expect(stripFcs(withFcs(BEACON), 'unknown').fcs).toBe('ok');
    expect(stripFcs(BEACON, 'unknown')).toEqual({ frame: BEACON, fcs: 'unknown' });
    expect(stripFcs(new Uint8Array(0), 'unknown').fcs).toBe('unknown');
  });

  it('DLT 105: FCS stripped only when it matches', () => {
    const a = decodeLinkFrame(LINKTYPE.IEEE802_11, withFcs(BEACON)).frames[0] as WifiFrame;
    expect(a.fcs).toBe('ok');
    expect(a.frame.length).toBe(BEACON.length);
    const b = decodeLinkFrame(LINKTYPE.IEEE802_11, BEACON).frames[0] as WifiFrame;
    expect(b).toMatchObject({ kind: 'wifi', fcs: 'unknown' });
    expect(b.frame.length).toBe(BEACON.length);
    expect(b.frame.buffer).toBe(BEACON.buffer); // a view, not a copy
  });
});
