import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../src/bytes.js';
import { DecodeError, EncodeError } from '../src/errors.js';
import {
  HCI_EXT_PROPS,
  LE_SUBEVENT_ADVERTISING_REPORT,
  LE_SUBEVENT_EXT_ADVERTISING_REPORT,
  LINKTYPE,
  buildHciLeAdvertisingReport,
  buildHciLeExtAdvertisingReport,
  buildHciReportEvent,
  decodeLinkFrame,
  hciDirection,
  splitHciAdvReports,
  type BleAdvFrame,
} from '../src/link/index.js';
import { hciReportFrame } from '../src/link/hci-h4.js';

const AD = fromHex('1e16faff0d07 122624160a42bf241b6ed1b4b69808ac0870086b53150e0200');

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

const frames = (linkType: number, b: Uint8Array) => decodeLinkFrame(linkType, b).frames as BleAdvFrame[];

describe('HCI LE Advertising Report (subevent 0x02)', () => {
  it('builder layout: H4 04, 3E, length, 02, num, per report type/addr type/addr LSB first/len/data/rssi', () => {
    const b = buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: fromHex('020106'), rssi: -60 }]);
    expect(toHex(b)).toBe('043e0f' + '0201' + '03' + '01' + '5544332211c0' + '03' + '020106' + 'c4');
  });

  it('round trip through DLT 187 and DLT 201, several reports, HCI event-type numbering', () => {
    const reports = [
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: AD, rssi: -71 },
      { pdu: 'ADV_IND', address: '00:11:22:33:44:55', addressType: 0, data: fromHex('020106') },
      { pdu: 'SCAN_RSP', address: 'c0:11:22:33:44:56', data: new Uint8Array(0), rssi: 5 },
      { pdu: 'ADV_SCAN_IND', address: 'c0:11:22:33:44:57', addressType: 3, data: fromHex('00') },
      { pdu: 'ADV_DIRECT_IND', address: 'c0:11:22:33:44:58', data: new Uint8Array(0) },
    ] as const;
    for (const phdr of [false, true]) {
      const b = buildHciLeAdvertisingReport(reports, { phdr });
      const link = phdr ? LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR : LINKTYPE.BLUETOOTH_HCI_H4;
      const r = decodeLinkFrame(link, b);
      expect(r.diagnostics).toEqual([]);
      const fs = r.frames as BleAdvFrame[];
      expect(fs.map((f) => f.pdu)).toEqual(reports.map((x) => x.pdu));
      expect(fs.map((f) => f.address)).toEqual(reports.map((x) => x.address));
      expect(fs.map((f) => f.addressRandom)).toEqual([true, false, true, true, true]);
      expect(fs.map((f) => f.rssi)).toEqual([-71, undefined, 5, undefined, undefined]);
      expect(toHex(fs[0]!.advData)).toBe(toHex(AD));
      for (const f of fs) expect(f).toMatchObject({ kind: 'ble', extended: false, crc: 'unchecked' });
      if (phdr) expect(hciDirection(b)).toBe('received');
    }
  });

  it('reserved event type is a warning with pdu UNKNOWN', () => {
    const b = buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'c0:11:22:33:44:55', data: new Uint8Array(0) }]);
    b[5] = 9;
    const r = decodeLinkFrame(187, b);
    expect((r.frames[0] as BleAdvFrame).pdu).toBe('UNKNOWN');
    expect(r.diagnostics.map((d) => d.id)).toEqual(['link.hci-reserved-event-type']);
  });

  it('bounds: a report running past the event is malformed, a short event truncated', () => {
    const b = buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'c0:11:22:33:44:55', data: fromHex('020106') }]);
    const lying = b.slice();
    lying[13] = 40; // data length
    expect(decodeError(() => decodeLinkFrame(187, lying)).code).toBe('malformed');
    const many = b.slice();
    many[4] = 2; // Num_Reports 2, only one present
    expect(decodeError(() => decodeLinkFrame(187, many)).code).toBe('malformed');
    expect(decodeError(() => decodeLinkFrame(187, b.subarray(0, b.length - 1))).code).toBe('truncated');
    expect(decodeError(() => decodeLinkFrame(201, fromHex('000001'))).code).toBe('truncated');
    expect(decodeError(() => decodeLinkFrame(187, new Uint8Array(0))).code).toBe('truncated');
  });

  it('other packets and events give no frame', () => {
    expect(decodeLinkFrame(187, fromHex('02 0100 0000')).frames).toEqual([]); // ACL
    expect(decodeLinkFrame(187, fromHex('04 0e 04 01 0c20 00')).frames).toEqual([]); // Command Complete
    expect(decodeLinkFrame(187, fromHex('04 3e 02 01 00')).frames).toEqual([]); // LE Connection Complete (cut)
  });

  it('builder validation', () => {
    expect(() => buildHciLeAdvertisingReport([])).toThrow(EncodeError);
    expect(() => buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'c0:11:22:33:44:55', data: new Uint8Array(32) }])).toThrow(EncodeError);
    expect(() => buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'nope', data: new Uint8Array(1) }])).toThrow(EncodeError);
    const big = Array.from({ length: 7 }, () => ({ pdu: 'ADV_IND' as const, address: 'c0:11:22:33:44:55', data: AD }));
    expect(() => buildHciLeAdvertisingReport(big)).toThrow(EncodeError);
  });
});

describe('HCI LE Extended Advertising Report (subevent 0x0D)', () => {
  it('round trip: extended coded report with SID, TX power, fragments', () => {
    const pack = new Uint8Array(200).fill(0x42);
    const b = buildHciLeExtAdvertisingReport(
      [
        { address: 'e0:7d:ea:eb:2f:1c', addressType: 0, primaryPhy: 'coded', secondaryPhy: 'coded', sid: 1, txPower: 8, rssi: -90, fragment: 'more', data: pack.subarray(0, 100) },
        { address: 'e0:7d:ea:eb:2f:1c', addressType: 0, primaryPhy: 'coded', secondaryPhy: 'coded', sid: 1, rssi: -90, fragment: 'complete', data: pack.subarray(100, 120) },
      ],
      { phdr: true },
    );
    const r = decodeLinkFrame(LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, b);
    expect(r.diagnostics).toEqual([]);
    const [a, c] = r.frames as BleAdvFrame[];
    expect(a).toMatchObject({ pdu: 'AUX_ADV_IND', extended: true, address: 'e0:7d:ea:eb:2f:1c', addressRandom: false, phy: 'coded', sid: 1, txPower: 8, rssi: -90, fragment: 'more', crc: 'unchecked' });
    expect(a!.advData).toHaveLength(100);
    expect(c).toMatchObject({ fragment: 'complete', sid: 1 });
    expect(c!.txPower).toBeUndefined();
    expect(c!.advData).toHaveLength(20);
  });

  it('fixed layout: event type u16, 24 bytes before the data', () => {
    const b = buildHciLeExtAdvertisingReport([{ address: 'c0:11:22:33:44:55', primaryPhy: '1M', secondaryPhy: '2M', sid: 3, rssi: -50, fragment: 'truncated', data: fromHex('0201') }]);
    expect(toHex(b)).toBe(
      '043e1c' + '0d01' + '4000' + '01' + '5544332211c0' + '01' + '02' + '03' + '7f' + 'ce' + '0000' + '00' + '000000000000' + '02' + '0201',
    );
    expect(frames(187, b)[0]).toMatchObject({ fragment: 'truncated', phy: '2M', sid: 3, rssi: -50 });
  });

  it('legacy bit: legacy PDU names, extended false; anonymous and no-ADI reports', () => {
    const b = buildHciLeExtAdvertisingReport([
      { properties: HCI_EXT_PROPS.LEGACY_ADV_NONCONN_IND, address: 'c0:11:22:33:44:55', data: AD },
      { properties: 0x13, address: 'c0:11:22:33:44:55', data: AD },
      { properties: 0x1b, address: 'c0:11:22:33:44:55', data: new Uint8Array(0) },
      { properties: HCI_EXT_PROPS.SCAN_RESPONSE | HCI_EXT_PROPS.SCANNABLE, data: new Uint8Array(0) },
    ]);
    const fs = frames(187, b);
    expect(fs.map((f) => f.pdu)).toEqual(['ADV_NONCONN_IND', 'ADV_IND', 'SCAN_RSP', 'AUX_SCAN_RSP']);
    expect(fs.map((f) => f.extended)).toEqual([false, false, false, true]);
    expect(fs[3]!.address).toBeUndefined();
    expect(fs[0]!.sid).toBeUndefined();
    expect(fs[0]!.phy).toBe('1M');
  });

  it('reserved data status and disallowed legacy combinations are warnings', () => {
    const b = buildHciLeExtAdvertisingReport([{ properties: 0x11, address: 'c0:11:22:33:44:55', data: new Uint8Array(0) }]);
    b[5]! |= 0x60; // data status 3
    const r = decodeLinkFrame(187, b);
    expect((r.frames[0] as BleAdvFrame).pdu).toBe('UNKNOWN');
    expect(r.diagnostics.map((d) => d.id)).toEqual(['link.hci-reserved-event-type', 'link.hci-reserved-data-status']);
  });

  it('a report shorter than its 24 fixed bytes is malformed; trailing bytes warn', () => {
    const b = buildHciLeExtAdvertisingReport([{ address: 'c0:11:22:33:44:55', data: new Uint8Array(0) }]);
    const cut = b.slice(0, b.length - 2);
    cut[2] = cut.length - 3;
    expect(decodeError(() => decodeLinkFrame(187, cut)).code).toBe('malformed');
    const longer = concatBytes([b, fromHex('00')]);
    expect(decodeLinkFrame(187, longer).diagnostics).toEqual([
      { id: 'link.hci-trailing-bytes', severity: 'warning', group: 'link', offset: b.length, detail: 'hci: 1 bytes after the event' },
    ]);
  });

  it('builder validation', () => {
    expect(() => buildHciLeExtAdvertisingReport([{ data: new Uint8Array(230) }])).toThrow(EncodeError);
    expect(buildHciLeExtAdvertisingReport([{ data: new Uint8Array(229) }]).length).toBe(3 + 255);
    expect(() => buildHciLeExtAdvertisingReport([{ sid: 16, data: new Uint8Array(0) }])).toThrow(EncodeError);
    expect(() => buildHciLeExtAdvertisingReport([{ rssi: 127, data: new Uint8Array(0) }])).toThrow(EncodeError);
  });
});

describe('Bluetooth Linux monitor (DLT 254: Wireshark bluetooth-monitor, btmon btsnoop 2001)', () => {
  /** A DLT 254 record: adapter index and opcode (big-endian), then the packet without its H4 type byte. */
  const monitor = (adapter: number, opcode: number, packet: Uint8Array): Uint8Array =>
    concatBytes([new Uint8Array([adapter >> 8, adapter & 0xff, opcode >> 8, opcode & 0xff]), packet]);
  const EVENT_PKT = 3;

  it('an event packet (opcode 3) carries the same reports as H4: legacy and extended', () => {
    const legacy = buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: AD, rssi: -71 }]);
    const ext = buildHciLeExtAdvertisingReport([{ address: 'e0:7d:ea:eb:2f:1c', primaryPhy: 'coded', secondaryPhy: 'coded', sid: 1, rssi: -90, fragment: 'complete', data: AD }]);
    for (const h4 of [legacy, ext]) {
      const r = decodeLinkFrame(LINKTYPE.BLUETOOTH_LINUX_MONITOR, monitor(1, EVENT_PKT, h4.subarray(1)));
      expect(r.diagnostics).toEqual([]);
      expect(r.frames).toHaveLength(1);
      expect(r.frames).toEqual(decodeLinkFrame(LINKTYPE.BLUETOOTH_HCI_H4, h4).frames);
    }
    expect((frames(254, monitor(0, EVENT_PKT, legacy.subarray(1)))[0]!)).toMatchObject({ address: 'c0:11:22:33:44:55', rssi: -71, extended: false });
  });

  it('commands, ACL data, index and system notes give no frame', () => {
    const legacy = buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: AD }]);
    for (const opcode of [0, 1, 2, 4, 5, 8, 12, 13]) expect(decodeLinkFrame(254, monitor(0, opcode, legacy.subarray(1))).frames).toEqual([]);
  });

  it('a short header is truncated; an event running past the record is too', () => {
    const e = decodeError(() => decodeLinkFrame(254, fromHex('000000')));
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/Linux monitor header needs 4 bytes, 3 present/);
    const legacy = buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: AD }]);
    expect(decodeError(() => decodeLinkFrame(254, monitor(0, EVENT_PKT, legacy.subarray(1, legacy.length - 2)))).code).toBe('truncated');
    expect(decodeError(() => decodeLinkFrame(254, monitor(0, EVENT_PKT, fromHex('3e')))).code).toBe('truncated');
  });
});

describe('splitHciAdvReports: the one reading of the report events', () => {
  /** The H4 packet's event starts after the type byte; its first report after type, code, length, subevent, Num_Reports. */
  const split = (h4: Uint8Array) => splitHciAdvReports(h4, 1);
  const R = 5;

  it('legacy: several reports, every field kept as sent, with where each report lies', () => {
    const b = buildHciLeAdvertisingReport([
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', addressType: 1, data: AD, rssi: -71 },
      { pdu: 'SCAN_RSP', address: '00:1b:dc:00:00:01', addressType: 2, data: fromHex('020106') },
      { pdu: 'ADV_IND', address: '00:1b:dc:00:00:02', addressType: 3, data: new Uint8Array(0), rssi: 20 },
    ]);
    const e = split(b);
    expect(e).toMatchObject({ subevent: LE_SUBEVENT_ADVERTISING_REPORT, numReports: 3, diagnostics: [] });
    expect(e.error).toBeUndefined();
    const at0 = R;
    const at1 = at0 + 10 + AD.length;
    const at2 = at1 + 10 + 3;
    expect(e.reports).toEqual([
      { kind: 'legacy', offset: at0, length: 10 + AD.length, eventType: 3, addressType: 1, address: 'c0:11:22:33:44:55', data: AD, rssi: -71 },
      { kind: 'legacy', offset: at1, length: 13, eventType: 4, addressType: 2, address: '00:1b:dc:00:00:01', data: fromHex('020106'), rssi: 127 },
      { kind: 'legacy', offset: at2, length: 10, eventType: 0, addressType: 3, address: '00:1b:dc:00:00:02', data: new Uint8Array(0), rssi: 20 },
    ]);
    expect(at2 + 10).toBe(b.length);
    // Data is a view into the event, not a copy.
    expect(e.reports[0]!.data.buffer).toBe(b.buffer);
  });

  it('extended: every field, address types 2/3 and anonymous, PHYs, SID, TX power, periodic interval, direct address, data status', () => {
    const b = buildHciLeExtAdvertisingReport([
      { properties: HCI_EXT_PROPS.CONNECTABLE | HCI_EXT_PROPS.DIRECTED, fragment: 'more', address: 'c0:11:22:33:44:55', addressType: 2, primaryPhy: 'coded', secondaryPhy: '2M', sid: 4, txPower: -3, rssi: -88, periodicInterval: 0x1234, data: AD.subarray(0, 10) },
      { properties: HCI_EXT_PROPS.LEGACY_ADV_NONCONN_IND, address: 'c0:11:22:33:44:56', addressType: 3, data: AD },
      { fragment: 'truncated', primaryPhy: 'coded', secondaryPhy: 'coded', data: new Uint8Array(0) },
    ]);
    // The builders leave the direct address zero: put one in (a directed advert), as a controller would.
    const r0 = R;
    b.set(fromHex('01 665544332211'), r0 + 16);
    const e = split(b);
    expect(e).toMatchObject({ subevent: LE_SUBEVENT_EXT_ADVERTISING_REPORT, numReports: 3, diagnostics: [] });
    expect(e.reports).toEqual([
      {
        kind: 'extended',
        offset: r0,
        length: 24 + 10,
        eventType: 0x25,
        dataStatus: 'more',
        addressType: 2,
        address: 'c0:11:22:33:44:55',
        primaryPhy: 3,
        secondaryPhy: 2,
        sid: 4,
        txPower: -3,
        rssi: -88,
        periodicInterval: 0x1234,
        directAddressType: 1,
        directAddress: '11:22:33:44:55:66',
        data: AD.subarray(0, 10),
      },
      {
        kind: 'extended',
        offset: r0 + 34,
        length: 24 + AD.length,
        eventType: 0x10,
        dataStatus: 'complete',
        addressType: 3,
        address: 'c0:11:22:33:44:56',
        primaryPhy: 1,
        secondaryPhy: 0,
        sid: 0xff,
        txPower: 127,
        rssi: 127,
        periodicInterval: 0,
        directAddressType: 0,
        directAddress: '00:00:00:00:00:00',
        data: AD,
      },
      expect.objectContaining({ offset: r0 + 34 + 24 + AD.length, length: 24, eventType: 0x40, dataStatus: 'truncated', addressType: 0xff, primaryPhy: 3, secondaryPhy: 3 }),
    ]);
  });

  it('a report running past the event after good ones: the good ones are kept, with the error the link decoder throws', () => {
    const b = buildHciLeAdvertisingReport([
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: AD, rssi: -70 },
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:56', data: AD, rssi: -70 },
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:57', data: AD, rssi: -70 },
    ]);
    const dataLength = R + 2 * (10 + AD.length) + 8; // of the third report
    b[dataLength] = 200;
    const e = split(b);
    expect(e.reports.map((r) => r.address)).toEqual(['c0:11:22:33:44:55', 'c0:11:22:33:44:56']);
    expect(e.numReports).toBe(3);
    expect(e.error).toBeInstanceOf(DecodeError);
    expect(e.error).toMatchObject({ code: 'malformed', offset: dataLength, path: 'hci.report[2].dataLength' });
    const thrown = decodeError(() => decodeLinkFrame(187, b));
    expect([thrown.code, thrown.offset, thrown.path, thrown.message]).toEqual([e.error!.code, e.error!.offset, e.error!.path, e.error!.message]);

    // An extended report cut inside its 24 fixed bytes, after a good one.
    const x = buildHciLeExtAdvertisingReport([
      { address: 'c0:11:22:33:44:55', data: AD },
      { address: 'c0:11:22:33:44:56', data: AD },
    ]);
    const cut = x.slice(0, R + 24 + AD.length + 20);
    cut[2] = cut.length - 3;
    const c = split(cut);
    expect(c.reports).toHaveLength(1);
    expect(c.error).toMatchObject({ code: 'malformed', offset: R + 24 + AD.length, path: 'hci.report[1]' });
  });

  it('reserved values are kept as sent, each with a diagnostic at its byte', () => {
    const legacy = buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'c0:11:22:33:44:55', data: new Uint8Array(0) }]);
    legacy[R] = 7; // Event_Type
    legacy[R + 1] = 0x42; // Address_Type
    const l = split(legacy);
    expect(l.reports[0]).toMatchObject({ eventType: 7, addressType: 0x42 });
    expect(l.diagnostics).toEqual([{ id: 'link.hci-reserved-event-type', severity: 'warning', group: 'link', offset: R, detail: 'hci: report 0 has reserved event type 7' }]);

    const ext = buildHciLeExtAdvertisingReport([{ properties: 0x11, address: 'c0:11:22:33:44:55', data: new Uint8Array(0) }]);
    ext[R]! |= 0xe0; // data status 3, bit 7 reserved
    ext[R + 1] = 0x01; // bit 8 reserved
    ext[R + 9] = 0x02; // Primary_PHY 2M (reserved for the primary channel)
    ext[R + 11] = 0x20; // SID 0x20
    const x = split(ext);
    expect(x.reports[0]).toMatchObject({ eventType: 0x1f1, dataStatus: 'reserved', primaryPhy: 2, sid: 0x20 });
    expect(x.diagnostics.map((d) => [d.id, d.offset])).toEqual([
      ['link.hci-reserved-event-type', R],
      ['link.hci-reserved-event-type', R],
      ['link.hci-reserved-data-status', R],
    ]);

    const oversized = buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'c0:11:22:33:44:55', data: new Uint8Array(31) }]);
    const big = concatBytes([oversized.subarray(0, R + 9), new Uint8Array(1), oversized.subarray(R + 9)]);
    big[2]! += 1;
    big[R + 8] = 32;
    expect(split(big).diagnostics.map((d) => [d.id, d.offset])).toEqual([['link.hci-oversized-report', R + 8]]);
    expect(split(big).reports[0]!.data).toHaveLength(32);

    const none = fromHex('04 3e 02 02 00');
    expect(split(none)).toMatchObject({ subevent: 2, numReports: 0, reports: [] });
    expect(split(none).diagnostics.map((d) => [d.id, d.offset])).toEqual([['link.hci-report-count', 4]]);
  });

  it('a cut event, other events, bytes left over; offsets count from the start of the buffer given', () => {
    const b = buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'c0:11:22:33:44:55', data: fromHex('020106') }]);
    const cut = split(b.subarray(0, 10));
    expect(cut).toMatchObject({ subevent: 2, numReports: 1, reports: [], error: { code: 'truncated', offset: 2, path: 'hci.event.length' } });
    expect(split(b.subarray(0, 4))).toMatchObject({ subevent: 2, numReports: 0, error: { code: 'truncated' } }); // cut before Num_Reports
    expect(split(fromHex('04 3e')).error).toMatchObject({ code: 'truncated', offset: 1, path: 'hci.event' });
    expect(split(fromHex('04 3e 01 02'))).toEqual({ numReports: 0, reports: [], diagnostics: [] }); // no Num_Reports: not a report event
    expect(split(fromHex('04 0e 04 01 0c20 00'))).toEqual({ numReports: 0, reports: [], diagnostics: [] });
    expect(split(fromHex('04 3e 13 01 00000100'))).toMatchObject({ reports: [], error: { code: 'truncated' } }); // another subevent, cut
    expect(split(fromHex('04 3e 13 01 00000100')).subevent).toBeUndefined();

    const extra = concatBytes([b.subarray(0, 2), new Uint8Array([b[2]! + 2]), b.subarray(3), fromHex('aabb cc')]);
    expect(split(extra).diagnostics.map((d) => [d.id, d.offset, d.detail])).toEqual([
      ['link.hci-trailing-bytes', b.length + 2, 'hci: 1 bytes after the event'],
      ['link.hci-trailing-bytes', b.length, 'hci: 2 bytes after the last report'],
    ]);
    const phdr = buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'c0:11:22:33:44:55', data: fromHex('020106') }], { phdr: true });
    expect(splitHciAdvReports(phdr, 5).reports[0]).toMatchObject({ offset: 4 + R, length: 13 });
  });

  it('the link decoders make their frames and diagnostics from it', () => {
    const b = buildHciLeExtAdvertisingReport([
      { properties: 0x1b, address: 'c0:11:22:33:44:55', data: AD, rssi: -40 },
      { fragment: 'more', address: 'c0:11:22:33:44:56', addressType: 0, primaryPhy: 'coded', secondaryPhy: 'coded', sid: 2, txPower: 4, data: AD },
    ]);
    b[R + 1] = 0x80; // reserved bit 15 of the first report
    const e = split(b);
    const r = decodeLinkFrame(187, b);
    expect(r.diagnostics).toEqual(e.diagnostics);
    expect(r.frames).toEqual(e.reports.map(hciReportFrame));
    expect(r.frames[0]).toEqual({ kind: 'ble', pdu: 'SCAN_RSP', extended: false, advData: AD, crc: 'unchecked', address: 'c0:11:22:33:44:55', addressRandom: true, phy: '1M', rssi: -40, fragment: 'complete' });
    expect((r.frames[0] as BleAdvFrame).advData.byteOffset).toBe(b.byteOffset + e.reports[0]!.offset + 24);
  });
});

describe('splitHciAdvReports on any bytes', () => {
  it('never throws; its reports lie within the event, in order, each re-wrapped decoding to its own frame', () => {
    // Built events (without the H4 byte), then a few bytes changed and the end maybe cut: mostly reports.
    const address = fc.constant('c0:11:22:33:44:55');
    const legacy = fc.record({
      pdu: fc.constantFrom('ADV_IND', 'ADV_DIRECT_IND', 'ADV_SCAN_IND', 'ADV_NONCONN_IND', 'SCAN_RSP'),
      address,
      addressType: fc.integer({ min: 0, max: 3 }),
      data: fc.uint8Array({ maxLength: 31 }),
      rssi: fc.integer({ min: -127, max: 126 }),
    });
    const ext = fc.record({ properties: fc.integer({ min: 0, max: 31 }), fragment: fc.constantFrom('complete', 'more', 'truncated'), address, sid: fc.integer({ min: 0, max: 15 }), data: fc.uint8Array({ maxLength: 30 }) });
    const built = fc.oneof(
      fc.array(legacy, { minLength: 1, maxLength: 4 }).map((r) => buildHciLeAdvertisingReport(r)),
      fc.array(ext, { minLength: 1, maxLength: 4 }).map((r) => buildHciLeExtAdvertisingReport(r)),
    );
    const damaged = fc.tuple(built, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 3 }), fc.nat(8)).map(([b, changes, cut]) => {
      const e = b.slice(1);
      for (const [at, v] of changes) e[at % e.length] = v;
      return cut < 4 ? e.subarray(0, e.length - cut) : e;
    });
    fc.assert(
      fc.property(fc.oneof(damaged, fc.uint8Array({ maxLength: 300 })), (data) => {
        const e = splitHciAdvReports(data);
        let next = 4;
        for (const r of e.reports) {
          expect(r.offset).toBe(next);
          next = r.offset + r.length;
          expect(next).toBeLessThanOrEqual(2 + data[1]!);
          expect(r.data.buffer).toBe(data.buffer);
          const alone = buildHciReportEvent(data, r);
          const again = splitHciAdvReports(alone, 1);
          expect(again.reports).toEqual([{ ...r, offset: 5 }]);
          expect(decodeLinkFrame(187, alone).frames).toEqual([hciReportFrame(r)]);
        }
        if (e.error) expect(e.error).toBeInstanceOf(DecodeError);
        else if (e.subevent !== undefined) expect(e.reports).toHaveLength(e.numReports);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('buildHciReportEvent: one split report in an event of its own', () => {
  it('each report of a three-report event comes out as the builder writes it alone; a lone report as the event itself', () => {
    const reps = [
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: AD, rssi: -71 },
      { pdu: 'ADV_IND', address: '00:11:22:33:44:55', addressType: 0, data: fromHex('020106') },
      { pdu: 'SCAN_RSP', address: 'c0:11:22:33:44:56', addressType: 3, data: new Uint8Array(0), rssi: 5 },
    ] as const;
    const b = buildHciLeAdvertisingReport(reps);
    const e = splitHciAdvReports(b, 1);
    e.reports.forEach((r, i) => {
      expect(toHex(buildHciReportEvent(b, r))).toBe(toHex(buildHciLeAdvertisingReport([reps[i]!])));
      expect(toHex(buildHciReportEvent(b, r, { phdr: true }))).toBe(toHex(buildHciLeAdvertisingReport([reps[i]!], { phdr: true })));
    });
    const one = buildHciLeExtAdvertisingReport([{ address: 'c0:11:22:33:44:55', sid: 1, fragment: 'more', primaryPhy: 'coded', secondaryPhy: 'coded', data: AD }], { phdr: true });
    one.set(fromHex('02 665544332211'), 4 + 5 + 16); // a direct address, which the builders cannot write
    one[4 + 5 + 1]! |= 0x80; // and a reserved Event_Type bit
    expect(toHex(buildHciReportEvent(one, splitHciAdvReports(one, 5).reports[0]!, { phdr: true }))).toBe(toHex(one));
  });

  it('refuses a report that is not within the bytes given', () => {
    const b = buildHciLeAdvertisingReport([{ pdu: 'ADV_IND', address: 'c0:11:22:33:44:55', data: AD }]);
    const [r] = splitHciAdvReports(b, 1).reports;
    expect(() => buildHciReportEvent(b.subarray(0, b.length - 1), r!)).toThrow(EncodeError);
  });
});
