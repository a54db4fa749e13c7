/**
 * The BLE source's byte handling, without noble: reports (split by the codec) recorded as DLT 201
 * records of their own, the reports refused, the 0xFFFA pre-filter and the fragment gate. And the promise
 * that nothing here loads noble until a source starts.
 */

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  buildExtendedAdvData,
  buildHciLeAdvertisingReport,
  buildHciLeExtAdvertisingReport,
  buildLegacyAdvData,
  decodeHciH4PhdrRecord,
  encodeMessage,
  splitHciAdvReports,
  type HciAdvReport,
  type HciExtAdvReport,
  type HciExtReport,
} from '@odid/codec';
import { forgetDiscoveries, type NobleLike } from '../src/sources/ble/noble.js';
import { BleSource, RemoteIdGate, hasOdidServiceData, reportFault, reportToRecord } from '../src/sources/ble.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const MESSAGE = encodeMessage({ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' });
const ODID_LEGACY = buildLegacyAdvData(3, MESSAGE);
const FLAGS = [0x02, 0x01, 0x06];
const PACK = encodeMessage({
  type: 'messagePack',
  messages: [
    { type: 'basicId', idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' },
    ...Array.from({ length: 8 }, (_, i) => ({ type: 'auth' as const, authType: 1, dataPage: i, ...(i === 0 ? { lastPageIndex: 7, length: 150, timestamp: 1000 } : {}), authData: i === 0 ? '00'.repeat(17) : '11'.repeat(23) })),
  ],
});
const ODID_PACK_AD = buildExtendedAdvData(5, PACK); // 234 octets

/** The reports of an H4 packet, as the source splits them. */
const split = (event: Uint8Array) => splitHciAdvReports(event, 1).reports;

describe('reportToRecord', () => {
  it('each report of a two-report event becomes the event a controller sending it alone would have sent', () => {
    const reps = [
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', addressType: 1, data: ODID_LEGACY, rssi: -70 },
      { pdu: 'SCAN_RSP', address: '00:1b:dc:00:00:01', addressType: 2, data: Uint8Array.from(FLAGS) },
    ] as const;
    const event = buildHciLeAdvertisingReport(reps);
    const reports = split(event);
    expect(reports.map((r) => reportToRecord(event, r)).map(hex)).toEqual(reps.map((r) => '00000001' + hex(buildHciLeAdvertisingReport([r]))));
  });

  it('an extended report alone in its event is recorded byte for byte, and decodes with every field', () => {
    const rep: HciExtReport = {
      properties: 0,
      fragment: 'more',
      address: 'c0:11:22:33:44:55',
      addressType: 1,
      primaryPhy: 'coded',
      secondaryPhy: '2M',
      sid: 4,
      txPower: -3,
      rssi: -88,
      periodicInterval: 0x30,
      data: ODID_PACK_AD.subarray(0, 200),
    };
    const event = buildHciLeExtAdvertisingReport([rep]);
    const record = reportToRecord(event, split(event)[0]!);
    expect(hex(record)).toBe('00000001' + hex(event));
    expect(decodeHciH4PhdrRecord(record).frames[0]).toMatchObject({ fragment: 'more', phy: '2M', sid: 4, address: 'c0:11:22:33:44:55', rssi: -88, txPower: -3 });
  });

  it('keeps an anonymous advert anonymous, a legacy PDU seen by an extended scan legacy, and what the builders cannot write', () => {
    const anon: HciExtReport = { properties: 0, data: ODID_LEGACY, primaryPhy: 'coded', secondaryPhy: 'coded' };
    const legacyBit: HciExtReport = { properties: 0x10, address: 'c0:11:22:33:44:55', data: ODID_LEGACY, rssi: -50 };
    const directed = buildHciLeExtAdvertisingReport([{ properties: 0x04, address: 'c0:11:22:33:44:55', data: ODID_LEGACY }]);
    directed.set([0x01, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11], 5 + 16); // Direct_Address_Type, Direct_Address
    directed[5 + 1] = 0x80; // a reserved Event_Type bit: recorded as received, the decoder warns
    for (const event of [buildHciLeExtAdvertisingReport([anon]), buildHciLeExtAdvertisingReport([legacyBit]), directed]) {
      expect(hex(reportToRecord(event, split(event)[0]!))).toBe('00000001' + hex(event));
    }
    expect(split(buildHciLeExtAdvertisingReport([anon]))[0]!.addressType).toBe(0xff);
    expect(decodeHciH4PhdrRecord(reportToRecord(directed, split(directed)[0]!)).diagnostics.map((d) => d.id)).toEqual(['link.hci-reserved-event-type']);
  });

  it('refuses what the Core spec reserves and RSSI/TX power 0x80, naming it', () => {
    const legacy = buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: ODID_LEGACY, rssi: -70 }]);
    const ext = buildHciLeExtAdvertisingReport([{ address: 'c0:11:22:33:44:55', sid: 1, data: ODID_LEGACY }]);
    const rssiAt = legacy.length - 1;
    /** [what, event, byte offset, value, expected refusal (undefined: recorded)] */
    const cases: [string, Uint8Array, number, number, RegExp | undefined][] = [
      ['legacy Event_Type 7', legacy, 5, 7, /advertising report from c0:11:22:33:44:55 has reserved Event_Type 7/],
      ['legacy Address_Type 4', legacy, 6, 4, /reserved Address_Type 0x4/],
      ['legacy Address_Type 3', legacy, 6, 3, undefined],
      ['legacy RSSI -128', legacy, rssiAt, 0x80, /has RSSI -128/],
      ['legacy RSSI 127 (not available)', legacy, rssiAt, 0x7f, undefined],
      ['extended data status 3', ext, 5, 0x60, /extended report from c0:11:22:33:44:55 has the reserved data status 3/],
      ['extended Primary_PHY 2', ext, 5 + 9, 2, /Primary_PHY 0x2/],
      ['extended Secondary_PHY 4', ext, 5 + 10, 4, /Secondary_PHY 0x4/],
      ['extended Address_Type 0x10', ext, 5 + 2, 0x10, /reserved Address_Type 0x10/],
      ['extended Address_Type 0xff (anonymous)', ext, 5 + 2, 0xff, undefined],
      ['extended SID 0x10', ext, 5 + 11, 0x10, /reserved Advertising_SID 0x10/],
      ['extended SID 0xff (no ADI)', ext, 5 + 11, 0xff, undefined],
      ['extended TX power -128', ext, 5 + 12, 0x80, /has TX_Power -128/],
      ['extended RSSI -128', ext, 5 + 13, 0x80, /has RSSI -128/],
    ];
    for (const [what, event, at, value, refusal] of cases) {
      const bad = Uint8Array.from(event);
      bad[at] = value;
      const [r] = split(bad);
      if (refusal === undefined) expect(hex(reportToRecord(bad, r!)), what).toBe('00000001' + hex(bad));
      else expect(() => reportToRecord(bad, r!), what).toThrow(refusal);
      expect(reportFault(r!) === undefined, what).toBe(refusal === undefined);
    }
    const oversized = buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'c0:11:22:33:44:55', data: new Uint8Array(31) }]);
    const big = Uint8Array.from([...oversized.subarray(0, 14), 0, ...oversized.subarray(14)]);
    big[2]! += 1;
    big[13] = 32;
    expect(() => reportToRecord(big, split(big)[0]!)).toThrow(/carries 32 data octets \(at most 31\)/);
  });
});

describe('hasOdidServiceData', () => {
  it.each([
    ['a legacy Remote ID advert', hex(ODID_LEGACY), true],
    ['flags, then Remote ID', hex(Uint8Array.from([...FLAGS, ...ODID_LEGACY.subarray(0, 28)])), true],
    ['the first fragment of a pack (structure longer than the data)', hex(ODID_PACK_AD.subarray(0, 64)), true],
    ['only the 4-octet header', '1e16faff', true],
    ['Eddystone service data (0xFEAA)', '0c16aafe10000102030405060708', false],
    ['manufacturer data that contains 16 fa ff', '08ffffff0316faff00', false],
    ['a header cut after the UUID low octet', '1e16fa', false],
    ['zero-length padding before Remote ID', '0201060000' + hex(ODID_LEGACY).slice(0, 20), false],
    ['nothing', '', false],
  ])('%s -> %s', (_name, adHex, expected) => {
    expect(hasOdidServiceData(Buffer.from(adHex, 'hex'))).toBe(expected);
  });
});

describe('RemoteIdGate', () => {
  const ext = (address: string, status: 0 | 1 | 2, data: Uint8Array, sid = 1): HciExtAdvReport => ({
    kind: 'extended',
    offset: 5,
    length: 24 + data.length,
    eventType: status << 5,
    dataStatus: (['complete', 'more', 'truncated'] as const)[status],
    addressType: 1,
    address,
    primaryPhy: 3,
    secondaryPhy: 3,
    sid,
    txPower: 127,
    rssi: -60,
    periodicInterval: 0,
    directAddressType: 0,
    directAddress: '00:00:00:00:00:00',
    data,
  });
  const A = 'c0:00:00:00:00:0a';
  const B = 'c0:00:00:00:00:0b';
  const other = Uint8Array.from([0xfe, 0xff, 0xff, 0xff, ...new Array<number>(0xfe - 3).fill(1)]);

  it('holds a chain until its last fragment, then lets all of it through, in order', () => {
    const gate = new RemoteIdGate<string>();
    expect(gate.offer(ext(A, 1, ODID_PACK_AD.subarray(0, 100)), 'a1')).toEqual([]);
    expect(gate.offer(ext(B, 1, other.subarray(0, 100)), 'b1')).toEqual([]); // another advertiser, interleaved
    expect(gate.offer(ext(A, 1, ODID_PACK_AD.subarray(100, 200)), 'a2')).toEqual([]);
    expect(gate.pendingChains).toBe(2);
    expect(gate.offer(ext(B, 0, other.subarray(100)), 'b2')).toEqual([]); // not Remote ID: dropped whole
    expect(gate.offer(ext(A, 0, ODID_PACK_AD.subarray(200)), 'a3')).toEqual(['a1', 'a2', 'a3']);
    expect(gate.pendingChains).toBe(0);
  });

  it('passes single reports by their content; the same address with another SID is another chain', () => {
    const gate = new RemoteIdGate<string>();
    const legacy = (data: Uint8Array): HciAdvReport => ({ kind: 'legacy', offset: 5, length: 10 + data.length, eventType: 3, addressType: 1, address: A, data, rssi: -1 });
    expect(gate.offer(legacy(ODID_LEGACY), 'l')).toEqual(['l']);
    expect(gate.offer(legacy(Uint8Array.from(FLAGS)), 'f')).toEqual([]);
    expect(gate.offer(ext(A, 0, ODID_PACK_AD), 'whole')).toEqual(['whole']);
    expect(gate.offer(ext(A, 1, ODID_PACK_AD.subarray(0, 50), 1), 's1')).toEqual([]);
    expect(gate.offer(ext(A, 0, ODID_PACK_AD, 2), 's2')).toEqual(['s2']);
    expect(gate.offer(ext(A, 0, ODID_PACK_AD.subarray(50), 1), 's1b')).toEqual(['s1', 's1b']);
  });

  it('a truncated Remote ID chain still goes on (the extractor counts it as fragment-lost)', () => {
    const gate = new RemoteIdGate<string>();
    gate.offer(ext(A, 1, ODID_PACK_AD.subarray(0, 100)), 'x1');
    expect(gate.offer(ext(A, 2, ODID_PACK_AD.subarray(100, 120)), 'x2')).toEqual(['x1', 'x2']);
  });

  it('gives up chains longer than any advert can be, and the oldest when too many are open', () => {
    const gate = new RemoteIdGate<number>({ maxChains: 2 });
    for (let i = 0; i < 8; i++) gate.offer(ext(A, 1, other), i); // 8 x 255 > 1650 octets
    expect(gate.droppedChains).toBe(1);
    expect(gate.pendingChains).toBe(1); // the fragments after the overflow start a new chain
    gate.offer(ext(B, 1, ODID_PACK_AD.subarray(0, 10)), 100);
    gate.offer(ext('c0:00:00:00:00:0c', 1, ODID_PACK_AD.subarray(0, 10)), 200);
    expect(gate.droppedChains).toBe(2);
    expect(gate.offer(ext(A, 0, ODID_PACK_AD), 9)).toEqual([9]); // A's chain was the one evicted
  });
});

describe('forgetDiscoveries', () => {
  it("clears noble's Peripherals and its GAP layer's per-address memory", () => {
    let cleaned = 0;
    const gap = { _discoveries: { 'c0:00:00:00:00:01': {} } as Record<string, unknown> };
    const noble = { _cleanupPeriperals: () => void cleaned++, _bindings: { _gap: gap } } as unknown as NobleLike;
    forgetDiscoveries(noble);
    expect(cleaned).toBe(1);
    expect(gap._discoveries).toEqual({});
    expect(() => forgetDiscoveries({} as NobleLike)).not.toThrow(); // another noble without these fields
  });
});

describe('loading', () => {
  it('importing the BLE source and constructing one loads no noble (rid-scan --sim never touches Bluetooth)', () => {
    const source = new BleSource({ hciDevice: 0 });
    expect(source.name).toBe('ble:hci0');
    expect(source.description).toBe('not started');
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /[\\/]@stoprocent[\\/](noble|bluetooth-hci-socket)[\\/]/.test(k));
    expect(loaded).toEqual([]);
  });
});
