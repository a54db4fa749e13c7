/**
 * The BLE source's byte handling, without noble: HCI report events split into reports with every field,
 * reports rebuilt as DLT 201 records with the codec's builders, the 0xFFFA pre-filter and the fragment
 * gate. And the promise that nothing here loads noble until a source starts.
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
  type HciExtReport,
} from '@odid/codec';
import { forgetDiscoveries, type NobleLike } from '../src/sources/ble/noble.js';
import { BleSource, RemoteIdGate, hasOdidServiceData, parseAdvertisingReports, reportToRecord, type AdvReport, type ExtAdvReport } from '../src/sources/ble.js';

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

describe('parseAdvertisingReports', () => {
  it('splits a two-report LE Advertising Report and keeps every field', () => {
    const event = buildHciLeAdvertisingReport([
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', addressType: 1, data: ODID_LEGACY, rssi: -70 },
      { pdu: 'SCAN_RSP', address: '00:1b:dc:00:00:01', addressType: 2, data: Uint8Array.from(FLAGS) },
    ]);
    const { reports, problem } = parseAdvertisingReports(event);
    expect(problem).toBeUndefined();
    expect(reports).toEqual([
      { kind: 'legacy', eventType: 3, addressType: 1, address: 'c0:11:22:33:44:55', data: ODID_LEGACY, rssi: -70 },
      { kind: 'legacy', eventType: 4, addressType: 2, address: '00:1b:dc:00:00:01', data: Uint8Array.from(FLAGS), rssi: 127 },
    ]);
    // Each report as its own record: what a controller sending them one per event would have sent.
    expect(hex(reportToRecord(reports[0]!))).toBe(
      '00000001' + hex(buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', addressType: 1, data: ODID_LEGACY, rssi: -70 }])),
    );
  });

  it('reads an extended report completely, and rebuilds it byte for byte', () => {
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
    const [r] = parseAdvertisingReports(event).reports as ExtAdvReport[];
    expect(r).toMatchObject({ kind: 'extended', eventType: 0x20, addressType: 1, primaryPhy: 3, secondaryPhy: 2, sid: 4, txPower: -3, rssi: -88, periodicInterval: 0x30 });
    expect(hex(r!.data)).toBe(hex(ODID_PACK_AD.subarray(0, 200)));
    const record = reportToRecord(r!);
    expect(hex(record)).toBe(hex(buildHciLeExtAdvertisingReport([rep], { phdr: true })));
    expect(decodeHciH4PhdrRecord(record).frames[0]).toMatchObject({ fragment: 'more', phy: '2M', sid: 4, address: 'c0:11:22:33:44:55', rssi: -88, txPower: -3 });
  });

  it('keeps an anonymous advert anonymous, and a legacy PDU seen by an extended scan legacy', () => {
    const anon: HciExtReport = { properties: 0, data: ODID_LEGACY, primaryPhy: 'coded', secondaryPhy: 'coded' };
    const legacyBit: HciExtReport = { properties: 0x10, address: 'c0:11:22:33:44:55', data: ODID_LEGACY, rssi: -50 };
    for (const rep of [anon, legacyBit]) {
      const event = buildHciLeExtAdvertisingReport([rep]);
      const [r] = parseAdvertisingReports(event).reports;
      expect(hex(reportToRecord(r!))).toBe('00000001' + hex(event));
    }
    expect((parseAdvertisingReports(buildHciLeExtAdvertisingReport([anon])).reports[0] as ExtAdvReport).addressType).toBe(0xff);
  });

  it('ignores every other packet', () => {
    for (const p of ['040e0401030c00', '040f0400010d20', '3e0b0201', '02010020000400', '043e130100000100']) {
      expect(parseAdvertisingReports(Buffer.from(p, 'hex'))).toEqual({ reports: [] });
    }
  });

  it('reports a broken event and keeps the reports before the damage', () => {
    const two = buildHciLeAdvertisingReport([
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: ODID_LEGACY, rssi: -70 },
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:56', data: ODID_LEGACY, rssi: -70 },
    ]);
    // Data_Length of the second report claims more than the event holds.
    const bad = Uint8Array.from(two);
    bad[5 + 9 + ODID_LEGACY.length + 1 + 8] = 200;
    const r = parseAdvertisingReports(bad);
    expect(r.reports).toHaveLength(1);
    expect(r.problem).toMatch(/report 2 of 2: Data_Length 200 runs past the event/);
    const short = two.subarray(0, 20);
    expect(parseAdvertisingReports(short).problem).toMatch(/event declares \d+ parameter octets but carries 17/);
  });

  it('refuses to rebuild what the Core spec reserves, naming it', () => {
    const legacy: AdvReport = { kind: 'legacy', eventType: 7, addressType: 0, address: '00:00:00:00:00:01', data: new Uint8Array(0), rssi: -1 };
    expect(() => reportToRecord(legacy)).toThrow(/reserved Event_Type 7/);
    const [ext] = parseAdvertisingReports(buildHciLeExtAdvertisingReport([{ address: 'c0:11:22:33:44:55', data: ODID_LEGACY }])).reports as ExtAdvReport[];
    expect(() => reportToRecord({ ...ext!, eventType: 0x60 })).toThrow(/reserved data status 3/);
    expect(() => reportToRecord({ ...ext!, primaryPhy: 2 })).toThrow(/Primary_PHY 0x2/);
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
  const ext = (address: string, status: 0 | 1 | 2, data: Uint8Array, sid = 1): ExtAdvReport => ({
    kind: 'extended',
    eventType: status << 5,
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
    expect(gate.offer({ kind: 'legacy', eventType: 3, addressType: 1, address: A, data: ODID_LEGACY, rssi: -1 }, 'l')).toEqual(['l']);
    expect(gate.offer({ kind: 'legacy', eventType: 3, addressType: 1, address: A, data: Uint8Array.from(FLAGS), rssi: -1 }, 'f')).toEqual([]);
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
