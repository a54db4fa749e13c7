/** BLE advertising data: the ODID service-data AD, built and found among other ADs, and real adverts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, describeCorpus } from '../../../test/support/fixtures.js';
import { concatBytes, fromHex, toHex } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import { buildExtendedAdvData, buildLegacyAdvData, findOdidServiceData } from '../src/framing/index.js';

// §2.8 / §3.1: the Location message of the constructed BT4 example, and a one-message pack from the vectors.
const LOCATION = fromHex('122624160a42bf241b6ed1b4b69808ac0870086b53150e0200');
const PACK = fromHex('f2190152004742522d4f502d31323341424344000000000000000000');
const FLAGS_AD = fromHex('020106'); // Flags: LE General Discoverable, BR/EDR not supported
const SHORT_NAME_AD = fromHex('050944724944'); // Complete Local Name "DrID"
const NAME_AD = fromHex('0d09417264755265'); // Complete Local Name "ArduRe", cut: length 0x0d claims 12 bytes

const decodeError = (fn: () => unknown): DecodeError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
};

describe('buildLegacyAdvData', () => {
  it('is the 31-byte AD of §3.1', () => {
    const ad = buildLegacyAdvData(7, LOCATION);
    expect(ad.length).toBe(31);
    expect(toHex(ad)).toBe('1e16faff0d07' + toHex(LOCATION));
  });
  it('refuses anything but one 25-byte message and counters outside 0..255', () => {
    expect(() => buildLegacyAdvData(0, PACK)).toThrow(RangeError);
    expect(() => buildLegacyAdvData(0, LOCATION.subarray(1))).toThrow(RangeError);
    expect(() => buildLegacyAdvData(256, LOCATION)).toThrow(RangeError);
    expect(() => buildLegacyAdvData(-1, LOCATION)).toThrow(RangeError);
    expect(() => buildLegacyAdvData(1.5, LOCATION)).toThrow(RangeError);
  });
});

describe('buildExtendedAdvData', () => {
  it('is one AD of length pack + 5', () => {
    const ad = buildExtendedAdvData(0x0c, PACK);
    expect(toHex(ad)).toBe((PACK.length + 5).toString(16) + '16faff0d0c' + toHex(PACK));
  });
  it('accepts 1..9 messages and refuses other sizes', () => {
    const pack9 = new Uint8Array(3 + 9 * 25);
    expect(buildExtendedAdvData(0, pack9)[0]).toBe(233);
    expect(() => buildExtendedAdvData(0, new Uint8Array(3 + 10 * 25))).toThrow(RangeError);
    expect(() => buildExtendedAdvData(0, new Uint8Array(3))).toThrow(RangeError);
    expect(() => buildExtendedAdvData(0, PACK.subarray(0, PACK.length - 1))).toThrow(RangeError);
  });
});

describe('findOdidServiceData', () => {
  it('finds the legacy AD alone, with the payload offset', () => {
    const found = findOdidServiceData(buildLegacyAdvData(7, LOCATION))!;
    expect(found.counter).toBe(7);
    expect(found.offset).toBe(6);
    expect(toHex(found.payload)).toBe(toHex(LOCATION));
  });

  it('finds it after Flags and a name, and before other ADs', () => {
    const adv = concatBytes([FLAGS_AD, SHORT_NAME_AD, buildExtendedAdvData(3, PACK), FLAGS_AD]);
    const found = findOdidServiceData(adv)!;
    expect(found.counter).toBe(3);
    expect(found.offset).toBe(FLAGS_AD.length + SHORT_NAME_AD.length + 6);
    expect(toHex(found.payload)).toBe(toHex(PACK));
  });

  it('skips other service data: another UUID, or FFFA with another app code', () => {
    const otherUuid = fromHex('0616aafe0d0102');
    const otherApp = fromHex('0616faff0e0102');
    const adv = concatBytes([otherUuid, otherApp, buildLegacyAdvData(9, LOCATION)]);
    expect(findOdidServiceData(adv)?.counter).toBe(9);
    expect(findOdidServiceData(concatBytes([otherUuid, otherApp]))).toBeUndefined();
  });

  it('stops at a zero length (zero padding) and on an empty buffer', () => {
    expect(findOdidServiceData(new Uint8Array(0))).toBeUndefined();
    expect(findOdidServiceData(concatBytes([FLAGS_AD, new Uint8Array(28)]))).toBeUndefined();
    expect(findOdidServiceData(concatBytes([FLAGS_AD, Uint8Array.of(0), buildLegacyAdvData(1, LOCATION)]))).toBeUndefined();
  });

  it('throws truncated when an AD length runs past the end before the ODID AD', () => {
    const e = decodeError(() => findOdidServiceData(concatBytes([FLAGS_AD, NAME_AD])));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(FLAGS_AD.length);
    // The ODID AD itself cut short by one byte.
    const cut = buildLegacyAdvData(1, LOCATION).subarray(0, 30);
    expect(decodeError(() => findOdidServiceData(cut)).code).toBe('truncated');
  });

  it('returns the ODID AD even when a later AD is broken (it stops at the first match)', () => {
    const adv = concatBytes([buildLegacyAdvData(2, LOCATION), NAME_AD]);
    expect(findOdidServiceData(adv)?.counter).toBe(2);
  });

  it('throws truncated for an ODID AD too short to hold the counter; skips too-short service data', () => {
    expect(decodeError(() => findOdidServiceData(fromHex('0416faff0d'))).code).toBe('truncated');
    expect(findOdidServiceData(fromHex('0316faff'))).toBeUndefined();
    expect(findOdidServiceData(fromHex('0516faff0d00'))).toMatchObject({ counter: 0, payload: new Uint8Array(0) });
  });
});

describeCorpus('real adverts (captures/reference)', () => {
  interface RefFrame {
    index: string;
    hex_kind: string;
    frame_hex: string;
    counter?: number;
    payload_hex?: string;
  }
  const frames = (file: string): RefFrame[] =>
    (JSON.parse(readFileSync(corpusPath('reference', file), 'utf8')) as { frames: RefFrame[] }).frames;

  it('BT5 AdvData from bkerler/DroneID (ble_ad): counter and pack as the reference found them', () => {
    const records = frames('bkerler+DroneID__extracted__selftest.hex.json').filter((f) => f.hex_kind === 'ble_ad');
    expect(records.length).toBe(2);
    for (const r of records) {
      const found = findOdidServiceData(fromHex(r.frame_hex))!;
      expect(found.counter, r.index).toBe(r.counter);
      expect(toHex(found.payload), r.index).toBe(r.payload_hex);
    }
  });

  it('a BT5 AUX_ADV_IND PDU (sdrmm): AdvData after the extended header', () => {
    const r = frames('Newspicel+sdrmm__extracted__remote_id_tests.hex.json').find((f) => f.hex_kind === 'ble_pdu')!;
    const pdu = fromHex(r.frame_hex);
    // PDU header (2), then the extended header: length in bits 5..0 of its first byte (Core spec Vol 6 B 2.3.4).
    const payload = pdu.subarray(2, 2 + pdu[1]!);
    const advData = payload.subarray(1 + (payload[0]! & 0x3f));
    const found = findOdidServiceData(advData)!;
    expect(found.counter).toBe(r.counter);
    expect(toHex(found.payload)).toBe(r.payload_hex);
  });

  it('BT4 service data (sutt0n): rebuilt as the 31-byte AD and found again', () => {
    const records = frames('sutt0n+depin-open-droneid__extracted__bluetooth_packet_data.hex.json');
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      const svc = fromHex(r.frame_hex); // app code 0x0D, counter, message
      expect(svc[0]).toBe(0x0d);
      const found = findOdidServiceData(buildLegacyAdvData(svc[1]!, svc.subarray(2, 27)))!;
      expect(found.counter, r.index).toBe(r.counter);
      expect(toHex(found.payload), r.index).toBe(r.payload_hex);
    }
  });
});
