/**
 * DJI DroneID and the French signalement électronique, against the hex extracts in captures/ and the
 * decodings others produced (captures/reference). The reference implementation (core-c) has no decoder for
 * either, so its JSONs give only the element bytes it located; decoded values come from the RUB-SysSec
 * OcuSync decoding (and scapy-uas-remoteid's, recorded beside it) and from hand decoding per the spec digest.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusPath, describeCorpusData, itCorpus } from '../../../test/support/fixtures.js';
import { concatBytes, fromHex, toHex } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import type { Diagnostic } from '../src/diagnostics.js';
import {
  DJI_ALTITUDE_SCALE_FEET,
  DJI_PRODUCT_TYPES,
  findVendorElements,
  parseDjiDroneId,
  parseDjiFlightInfoRecord,
  parseFrenchId,
  type DjiFlightInfoV1,
  type DjiFlightInfoV2,
  type DjiFlightPurpose,
} from '../src/framing/index.js';

/**
 * A decoder run with a diagnostic sink: what it returns and the ids it raised. The record's `warnings` (the
 * decoded JSON) are checked to be the words of those diagnostics, in order.
 */
function raising<T extends { warnings: string[] }>(decode: (report: (d: Diagnostic) => void) => T): { r: T; ids: string[] } {
  const seen: Diagnostic[] = [];
  const r = decode((d) => seen.push(d));
  expect(r.warnings).toEqual(seen.map((d) => d.detail));
  expect(seen.every((d) => d.group === 'framing')).toBe(true);
  return { r, ids: seen.map((d) => d.id) };
}

/** `name<TAB>kind<TAB>hex` lines of a captures/ hex extract; `#` lines are provenance comments. */
function hexExtract(path: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (!corpusAvailable) return out; // without the corpus, nothing (here and below): the tests reading it are skipped
  for (const line of readFileSync(corpusPath(path), 'utf8').split('\n')) {
    const [name, , hex] = line.split('\t');
    if (name && hex && !line.startsWith('#')) out.set(name, fromHex(hex));
  }
  return out;
}
const referenceFrames = (file: string): Array<Record<string, unknown>> =>
  !corpusAvailable ? [] : (JSON.parse(readFileSync(corpusPath('reference', file), 'utf8')) as { frames: Array<Record<string, unknown>> }).frames;

const BEACON_IES = 36; // 24-byte MAC header + 12 fixed fields
const DJI_BODY_HEADER = 4; // vendor_type, unk, unk, subcommand
const deg = (rad1e7: number): number => (rad1e7 / 1e7) * (180 / Math.PI);
const decodeError = (fn: () => unknown): DecodeError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
};

describe('DJI DroneID', () => {
  const mavic = hexExtract('llorencroma+DJIDroneIDspoofer/extracted/replay_mavic.hex');
  const scapy = hexExtract('aeburriel+scapy-uas-remoteid/extracted/test_wifi_dji.hex');

  itCorpus('the hex extracts and the reference JSONs hold the same element bodies', () => {
    const ref = referenceFrames('llorencroma+DJIDroneIDspoofer__extracted__replay_mavic.hex.json');
    expect(ref.map((f) => f.payload_hex)).toEqual([toHex(mavic.get('vendor_payload')!), toHex(mavic.get('vendor_payload2')!)]);
    expect(toHex(scapy.get('dji_mavic_payload_flightinfo_0x10')!)).toBe(toHex(mavic.get('vendor_payload')!));
  });

  itCorpus('Mavic (captured, no GPS fix) 0x10: a version-2 record', () => {
    const r = parseDjiDroneId(mavic.get('vendor_payload')!) as DjiFlightInfoV2;
    expect(r).toMatchObject({
      type: 'djiFlightInfo',
      layout: 'v2',
      version: 2,
      sequence: 1613,
      stateInfo: 0x1f33,
      serialNumber: '0K1CG6G3AH8V2M', // the serial the spoofer's author gives for this drone
      longitude: 0,
      latitude: 0,
      altitude: -17,
      height: 12,
      speedNorth: 0,
      speedEast: 0,
      speedUp: 0,
      yaw: 173.28,
      gpsTime: 1606999389061, // 2020-12-03T12:43:09Z
      homeLongitude: 0,
      homeLatitude: 0,
      productType: 24,
      productName: 'Mavic Air', // the spoofer's SSID says MAVIC-AIR
      uuid: '',
      warnings: [],
    });
    // The app (pilot) position is set although the drone has no fix: 46.76 N 7.60 E, near Thun (CH).
    expect(r.pilotLatitude).toBeCloseTo(46.762552, 6);
    expect(r.pilotLongitude).toBeCloseTo(7.600514, 6);
    // No GPS: the state bits agree with the zero position and say the altitude is not valid.
    expect(r.state).toMatchObject({ serialValid: true, privacyOff: true, gpsValid: false, altitudeValid: false, inAir: true });
  });

  itCorpus('Mavic 0x11 (flight purpose): serial read; the following bytes do not fit the known layout', () => {
    const { r, ids } = raising((report) => parseDjiDroneId(mavic.get('vendor_payload2')!, {}, report) as DjiFlightPurpose);
    expect(r.type).toBe('djiFlightPurpose');
    // Its first character differs from the 0x10 record's ('3' vs '0'): as captured, unexplained.
    expect(r.serialNumber).toBe('3K1CG6G3AH8V2M');
    // Byte 16 (drone-ID length) is 0xCC: not a length that fits the 10-byte slot, so flagged, not trusted.
    expect(ids).toEqual(['framing.dji-length-overflow']);
    expect(r.warnings).toEqual(['drone ID length 204 exceeds its 10-byte slot; truncated']);
    expect(r.droneId).toBe('\u00aa\u0002');
    expect(r.purpose).toBe('');
  });

  itCorpus('ESP8266 throwie (synthetic spoofer) 0x10: a version-1 record, whose positions are lat-first', () => {
    const frame = scapy.get('dji_throwie_beacon')!;
    const dji = findVendorElements(frame.subarray(BEACON_IES)).vendor.filter((v) => v.kind === 'dji');
    expect(dji.length).toBe(1);
    const { r, ids } = raising((report) => parseDjiDroneId(dji[0]!.body, {}, report) as DjiFlightInfoV1);
    expect(r).toMatchObject({
      layout: 'v1',
      version: 1,
      sequence: 90,
      stateInfo: 0x0fd7,
      serialNumber: 'DroneID is crap!',
      altitude: 246,
      height: 211,
      speedNorth: 2.16,
      speedEast: 1.71,
      speedUp: 0.59,
      pitch: 1.92,
      roll: 2.44,
      yaw: 0.64,
      productType: 16,
      productName: 'Mavic Pro',
      uuid: '195741',
    });
    // This spoofer writes latitude where DJI (real OcuSync record below) puts longitude: the swapped values
    // land outside ±90° and are flagged instead of silently believed (Ventura CA; home = DJI HQ, Shenzhen).
    expect(r.longitude).toBeCloseTo(34.346941, 6);
    expect(r.latitude).toBeCloseTo(-119.062045, 6);
    expect(r.homeLongitude).toBeCloseTo(22.53702, 5);
    expect(r.homeLatitude).toBeCloseTo(113.952321, 6);
    expect(ids).toEqual(['framing.dji-position-range', 'framing.dji-position-range']);
  });

  describeCorpusData('OcuSync record (DJI Mavic Air 2, RUB-SysSec sample) against RUB and scapy-uas-remoteid', () => {
    const frame = hexExtract('RUB-SysSec+DroneSecurity/extracted/mavic_air_2_decoded.hex').get('mavic_air_2_burst3')!;
    const ref = referenceFrames('RUB-SysSec+DroneSecurity__extracted__mavic_air_2_decoded.hex.json')[0]!;
    const rub = ref.rub_droneid_packet as Record<string, number | string | boolean>;
    const scapyLayers = ref['scapy_uas_remoteid_DJIPacket(58 62 13 + frame[1:])'] as Array<Record<string, unknown>>;
    const scapyInfo = scapyLayers.find((l) => l._layer === 'DJI Flight Reg Info')!;
    // [length 0x58][0x10][87-byte v2 record][CRC-16]
    const record = frame.subarray(2, 2 + 87);
    const r = parseDjiFlightInfoRecord(record) as DjiFlightInfoV2;
    const feet = parseDjiFlightInfoRecord(record, { altitudeScale: DJI_ALTITUDE_SCALE_FEET }) as DjiFlightInfoV2;

    it('the frame header: length 88, subcommand 0x10', () => {
      expect(frame[0]).toBe(rub.pkt_len);
      expect(frame[1]).toBe(rub.unk);
      expect(r.layout).toBe('v2');
    });

    it('identity and integers match RUB exactly', () => {
      expect(r.version).toBe(rub.version);
      expect(r.sequence).toBe(rub.sequence_number);
      expect(r.stateInfo).toBe(rub.state_info);
      expect(r.serialNumber).toBe(rub.serial_number);
      expect(r.raw.speedNorth).toBe(rub.v_north); // RUB keeps raw cm/s
      expect(r.raw.speedEast).toBe(rub.v_east);
      expect(r.raw.speedUp).toBe(rub.v_up);
      expect(r.raw.yaw).toBe(rub.d_1_angle); // RUB does not name or scale this field
      expect(r.gpsTime).toBe(rub.gps_time);
      expect(r.productName).toBe(rub.device_type);
      expect(r.raw.uuidLength).toBe(rub.uuid_len);
      expect(r.uuid).toBe(rub.uuid);
      expect(r.warnings).toEqual([]);
    });

    it('positions: RUB is raw / 174533.0 (a rounded constant), ours raw·180/(π·1e7), scapy agrees with ours', () => {
      const pairs: Array<[number, number, string, string]> = [
        [r.longitude, r.raw.longitude, 'longitude', 'longitude'],
        [r.latitude, r.raw.latitude, 'latitude', 'latitude'],
        [r.pilotLatitude, r.raw.pilotLatitude, 'app_lat', 'personLatitude'],
        [r.pilotLongitude, r.raw.pilotLongitude, 'app_lon', 'personLongitude'],
        [r.homeLongitude, r.raw.homeLongitude, 'longitude_home', 'homeLongitude'],
        [r.homeLatitude, r.raw.homeLatitude, 'latitude_home', 'homeLatitude'],
      ];
      for (const [ours, raw, rubName, scapyName] of pairs) {
        expect(rub[rubName] as number, rubName).toBeCloseTo(raw / 174533.0, 8);
        expect(ours, rubName).toBeCloseTo(deg(raw), 12);
        expect(Math.abs(ours - (scapyInfo[scapyName] as number)), scapyName).toBeLessThan(1e-9);
      }
    });

    it('altitude/height: metres by default; the feet reading reproduces RUB', () => {
      expect([r.raw.altitude, r.raw.height]).toEqual([141, 42]);
      expect([r.altitude, r.height]).toEqual([141, 42]);
      expect(Math.abs(feet.altitude - (rub.altitude as number))).toBeLessThan(0.01);
      expect(Math.abs(feet.height - (rub.height as number))).toBeLessThan(0.01);
      // scapy-uas-remoteid divides by 10: recorded, not followed (see dji-droneid.ts for the evidence).
      expect([scapyInfo.altitude, scapyInfo.height]).toEqual([r.raw.altitude / 10, r.raw.height / 10]);
      expect(r.state).toMatchObject({ altitudeValid: true, gpsValid: true, homePointSet: true });
    });

    it('fields we cannot map to scapy-uas-remoteid, and why', () => {
      // It reads velocities unsigned (655.34 m/s for raw −2); we read them signed.
      expect(scapyInfo.xSpeed).toBe((r.raw.speedNorth + 65536) / 100);
      expect(r.speedNorth).toBe(-0.02);
      // It adds 180° to yaw (the spoofer's heading − 180 convention); we keep raw / 100.
      expect(scapyInfo.yaw).toBeCloseTo(r.yaw + 180, 9);
      // A v2 record has no pitch or roll.
      expect([scapyInfo.pitch, scapyInfo.roll]).toEqual([null, null]);
      expect('pitch' in r).toBe(false);
    });
  });

  itCorpus('a spoofer-built beacon (sdrmm DJI_BEACON): decodes, v2 layout, the spoofer\'s random values as they are', () => {
    const ref = referenceFrames('Newspicel+sdrmm__extracted__remote_id_tests.hex.json').find((f) => f.index === 'DJI_BEACON')!;
    const r = parseDjiDroneId(fromHex(ref.payload_hex as string));
    expect(r).toMatchObject({ type: 'djiFlightInfo', layout: 'v2', serialNumber: 'EPUGT0787GWS5II6' });
  });

  it('the blank record of buggy Mavic firmware: decoded with a warning, not an error', () => {
    const { r, ids } = raising((report) => parseDjiDroneId(concatBytes([fromHex('58621300'), new Uint8Array(87)]), {}, report));
    expect(r).toMatchObject({ type: 'djiFlightInfo', layout: 'partial', version: 0, serialNumber: '', longitude: 0, latitude: 0 });
    expect(ids).toEqual(['framing.dji-blank']);
    expect(raising((report) => parseDjiDroneId(fromHex('58621300'), {}, report)).ids).toEqual(['framing.dji-blank']);
  });

  itCorpus('unknown layouts keep only the common fields; an over-long UUID length is flagged', () => {
    const v3 = mavic.get('vendor_payload')!.slice();
    v3[DJI_BODY_HEADER] = 3;
    const { r, ids } = raising((report) => parseDjiDroneId(v3, {}, report));
    expect(r).toMatchObject({ layout: 'partial', version: 3, serialNumber: '0K1CG6G3AH8V2M' });
    expect(ids).toEqual(['framing.dji-unknown-layout']);
    const shortV2 = mavic.get('vendor_payload')!.subarray(0, DJI_BODY_HEADER + 80);
    expect(parseDjiDroneId(shortV2)).toMatchObject({ layout: 'partial', version: 2 });
    const longUuid = mavic.get('vendor_payload')!.slice();
    longUuid[DJI_BODY_HEADER + 66] = 40;
    const u = raising((report) => parseDjiDroneId(longUuid, {}, report) as DjiFlightInfoV2);
    expect(u.ids).toEqual(['framing.dji-length-overflow']);
    expect(u.r.warnings).toEqual(['UUID length 40 exceeds its 20-byte slot; truncated']);
  });

  itCorpus('errors: short header, short record (offsets relative to the element body), unknown subcommand', () => {
    expect(decodeError(() => parseDjiDroneId(fromHex('586213'))).code).toBe('truncated');
    const short = decodeError(() => parseDjiDroneId(mavic.get('vendor_payload')!.subarray(0, 20)));
    expect([short.code, short.offset, short.path]).toEqual(['truncated', 20, 'dji.flightInfo']);
    expect(decodeError(() => parseDjiDroneId(mavic.get('vendor_payload2')!.subarray(0, 30))).code).toBe('truncated');
    expect(decodeError(() => parseDjiDroneId(fromHex('5862131200'))).code).toBe('unsupported');
    expect(decodeError(() => parseDjiDroneId(fromHex('586213000001'))).code).toBe('unsupported');
  });

  it('product table: the §7.1 rows', () => {
    expect(DJI_PRODUCT_TYPES[58]).toBe('Mavic Air 2');
    expect(DJI_PRODUCT_TYPES[70]).toBe('Mini SE');
    expect(DJI_PRODUCT_TYPES[13]).toBeUndefined();
    expect(Object.keys(DJI_PRODUCT_TYPES).length).toBe(49);
  });
});

describe('French signalement électronique', () => {
  // Without the corpus: no frame (its two tests are skipped), the synthetic ones still run.
  const frame = hexExtract('aeburriel+scapy-uas-remoteid/extracted/test_wifi_sgdsn.hex').get('sgdsn_french_beacon') ?? new Uint8Array(0);
  const ref = referenceFrames('aeburriel+scapy-uas-remoteid__extracted__test_wifi_sgdsn.hex.json')[0]!;
  const vendor = findVendorElements(frame.subarray(BEACON_IES)).vendor;

  itCorpus('is found as the frenchId vendor element, with the body the reference located', () => {
    expect(vendor.map((v) => [v.kind, v.oui])).toEqual([['frenchId', '6a:5c:35']]);
    expect(toHex(vendor[0]!.body)).toBe(ref.payload_hex);
  });

  itCorpus('decodes (DJI drone, Avignon area): big-endian TLVs, ANSI/CTA serial instead of a French ID', () => {
    const r = parseFrenchId(vendor[0]!.body);
    expect(r).toEqual({
      type: 'frenchId',
      protocolVersion: 1,
      ansiCtaId: '1581E0M6DF7700119BY',
      latitude: 0x00430fd5 / 1e5,
      longitude: 0x00075a4f / 1e5,
      altitude: 37,
      height: 17,
      takeoffLatitude: 0x00430fde / 1e5,
      takeoffLongitude: 0x00075a57 / 1e5,
      speedHorizontal: 1,
      course: 331,
      warnings: [],
    });
    expect(r.latitude).toBeCloseTo(43.94965, 9);
    expect(r.longitude).toBeCloseTo(4.81871, 9);
    // DJI puts the same serial in the SSID, which the reference recorded.
    expect(ref.ssid).toBe(`DJI-${r.ansiCtaId}`);
  });

  it('prints degrees as the 1e-5 integers they are (no binary float noise)', () => {
    // 4394965 × 1e-5 is 43.94965 in binary floating point; the decoded value must read 43.94965.
    const r = parseFrenchId(fromHex('01' + '040400430fd5' + '050400007592'));
    expect(JSON.stringify([r.latitude, r.longitude])).toBe('[43.94965,0.30098]');
  });

  it('reads negative values as signed big-endian', () => {
    const r = parseFrenchId(fromHex('01' + '0404fffffc18' + '0602ff9c' + '0a01ff'));
    expect(r.latitude).toBeCloseTo(-0.01, 12);
    expect(r.altitude).toBe(-100);
    expect(r.speedHorizontal).toBe(-1);
  });

  it('flags missing mandatory TLVs, unknown and repeated ones', () => {
    const { r, ids } = raising((report) => parseFrenchId(fromHex('01' + '010101' + '0c0100' + '010101' + '021e' + '41'.repeat(28) + '0000'), report));
    expect(r.protocolVersion).toBe(1);
    expect(r.id).toBe('A'.repeat(28));
    // TLVs 4..11 (eight mandatory fields) are absent.
    expect(ids).toEqual(['framing.french-unknown-tlv', 'framing.french-repeated-tlv', ...Array<string>(8).fill('framing.french-missing-tlv')]);
    expect(r.warnings).toContain('mandatory latitude missing');
    expect(raising((report) => parseFrenchId(fromHex('01'), report)).ids).toContain('framing.french-no-identifier');
  });

  it('errors: another OUI type, a TLV past the end, a known TLV of the wrong size', () => {
    expect(decodeError(() => parseFrenchId(fromHex('02010101'))).code).toBe('malformed');
    expect(decodeError(() => parseFrenchId(new Uint8Array(0))).code).toBe('truncated');
    expect(decodeError(() => parseFrenchId(fromHex('010404000000'))).code).toBe('truncated');
    expect(decodeError(() => parseFrenchId(fromHex('0104'))).code).toBe('truncated');
    const wrong = decodeError(() => parseFrenchId(fromHex('0104020001')));
    expect([wrong.code, wrong.offset, wrong.path]).toEqual(['malformed', 2, 'frenchId.latitude']);
  });
});
