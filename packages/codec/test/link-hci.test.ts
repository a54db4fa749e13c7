import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../src/bytes.js';
import { DecodeError, EncodeError } from '../src/errors.js';
import {
  HCI_EXT_PROPS,
  LINKTYPE,
  buildHciLeAdvertisingReport,
  buildHciLeExtAdvertisingReport,
  decodeLinkFrame,
  hciDirection,
  type BleAdvFrame,
} from '../src/link/index.js';

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
      expect(r.warnings).toEqual([]);
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
    expect(r.warnings).toHaveLength(1);
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
    expect(r.warnings).toEqual([]);
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
    expect(r.warnings).toHaveLength(2);
  });

  it('a report shorter than its 24 fixed bytes is malformed; trailing bytes warn', () => {
    const b = buildHciLeExtAdvertisingReport([{ address: 'c0:11:22:33:44:55', data: new Uint8Array(0) }]);
    const cut = b.slice(0, b.length - 2);
    cut[2] = cut.length - 3;
    expect(decodeError(() => decodeLinkFrame(187, cut)).code).toBe('malformed');
    const longer = concatBytes([b, fromHex('00')]);
    expect(decodeLinkFrame(187, longer).warnings).toEqual(['hci: 1 bytes after the event']);
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
      expect(r.warnings).toEqual([]);
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
