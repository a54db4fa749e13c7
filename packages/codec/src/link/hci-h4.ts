/**
 * HCI over H4 (DLT 187 LINKTYPE_BLUETOOTH_HCI_H4, DLT 201 ..._WITH_PHDR = 4-byte big-endian direction,
 * 0 sent / 1 received, before the H4 packet). A receiver only needs the controller's advertising
 * reports: H4 type 0x04 (event), event 0x3E (LE Meta), subevents 0x02 (LE Advertising Report) and 0x0D
 * (LE Extended Advertising Report). Everything else yields no frame.
 *
 * DLT 254 (LINKTYPE_BLUETOOTH_LINUX_MONITOR: what Wireshark's "bluetooth-monitor" interface and btmon's
 * btsnoop files, datalink 2001, hold) carries the same events: a 4-byte big-endian header (adapter index
 * u16, opcode u16: libpcap pcap/bluetooth.h, opcodes from Linux include/net/bluetooth/hci_mon.h), and for
 * opcode 3 (HCI_MON_EVENT_PKT) the event without the H4 type byte. Other opcodes (commands, ACL, index and
 * system notes) yield no frame.
 *
 * Report layout. Core v5.x Vol 4 Part E 7.7.65.2 lists the LE Advertising Report parameters with an
 * [i] index, and the Core 4.0 text was widely read as parameter-major (all Event_Type[i], then all
 * Address_Type[i], ...). We read them report after report (Event_Type, Address_Type, Address,
 * Data_Length, Data, RSSI), which is how Linux (net/bluetooth/hci_event.c: struct
 * hci_ev_le_advertising_info, RSSI byte after data), BlueZ btmon and Nordic's SoftDevice Controller
 * (sdc_hci_le_adv_report_array_params_t, documented from Core v6.3 7.7.65.2) lay them out; the two
 * readings only differ when Num_Reports > 1 (not checked against the Core PDF itself here). The
 * extended report (7.7.65.13) is read the same way: 24 fixed bytes, then data.
 */

import { DecodeError, EncodeError } from '../errors.js';
import { formatMac, putU16le, u16be, u16le, u32be } from '../bytes.js';
import { macBytes } from './ble-ll.js';
import type { BleAdvFrame, BleFragment, BlePduName, BlePhy, LinkResult } from './types.js';

const PHDR_LENGTH = 4;
const PHDR_RECEIVED = 1;
const H4_EVENT = 0x04;
const EVT_LE_META = 0x3e;
export const LE_SUBEVENT_ADVERTISING_REPORT = 0x02;
export const LE_SUBEVENT_EXT_ADVERTISING_REPORT = 0x0d;

// Event: event code, parameter length, then parameters (subevent, Num_Reports, ...).
const EVT_CODE = 0;
const EVT_PLEN = 1;
const EVT_PARAMS = 2;
/** Linux monitor header: adapter index u16 BE, opcode u16 BE. */
const MONITOR_HEADER = 4;
const MONITOR_OPCODE = 2;
const MONITOR_EVENT_PKT = 3;
const MAX_PARAMS = 255;
const MAX_REPORTS = 0x19;

const ADDRESS_LENGTH = 6;
/** Legacy report: type, address type, address, data length, (data), RSSI. */
const LEGACY_FIXED = 1 + 1 + ADDRESS_LENGTH + 1 + 1;
const LEGACY_MAX_DATA = 31;
/** Extended report fixed part (before data), offsets within a report. */
const X_EVENT_TYPE = 0; // u16
const X_ADDR_TYPE = 2;
const X_ADDR = 3;
const X_PRIMARY_PHY = 9;
const X_SECONDARY_PHY = 10;
const X_SID = 11;
const X_TX_POWER = 12;
const X_RSSI = 13;
const X_PERIODIC_INTERVAL = 14; // u16
const X_DIRECT_ADDR_TYPE = 16;
const X_DATA_LENGTH = 23;
const EXT_FIXED = 24;

const RSSI_UNAVAILABLE = 127;
const TX_POWER_UNAVAILABLE = 127;
const SID_NONE = 0xff;
const ADDR_ANONYMOUS = 0xff;

// Extended report Event_Type bits.
const ET_CONNECTABLE = 0x01;
const ET_SCANNABLE = 0x02;
const ET_DIRECTED = 0x04;
const ET_SCAN_RESPONSE = 0x08;
const ET_LEGACY = 0x10;
const ET_STATUS_SHIFT = 5;
const ET_RESERVED = 0xff80;

/** HCI legacy report event types (not the LL PDU numbering: HCI 3 = ADV_NONCONN_IND, LL 2). */
const HCI_LEGACY_NAMES: readonly BlePduName[] = ['ADV_IND', 'ADV_DIRECT_IND', 'ADV_SCAN_IND', 'ADV_NONCONN_IND', 'SCAN_RSP'];
/** Extended-report event types with the legacy bit, per 7.7.65.13. */
const LEGACY_EXT_TYPES: Readonly<Record<number, BlePduName>> = {
  0x13: 'ADV_IND',
  0x15: 'ADV_DIRECT_IND',
  0x12: 'ADV_SCAN_IND',
  0x10: 'ADV_NONCONN_IND',
  0x1b: 'SCAN_RSP', // to an ADV_IND
  0x1a: 'SCAN_RSP', // to an ADV_SCAN_IND
};
const FRAGMENTS: readonly (BleFragment | undefined)[] = ['complete', 'more', 'truncated', undefined];
/** HCI PHY codes: primary 1 = 1M, 3 = Coded; secondary also 2 = 2M, 0 = none. */
const HCI_PHYS: readonly (BlePhy | undefined)[] = [undefined, '1M', '2M', 'coded'];

/** DLT 187 record (H4 packet). */
export function decodeHciH4Record(data: Uint8Array): LinkResult {
  return decodeH4(data, 0);
}

/** DLT 201 record (direction + H4 packet). */
export function decodeHciH4PhdrRecord(data: Uint8Array): LinkResult {
  if (data.length < PHDR_LENGTH) {
    throw new DecodeError('truncated', 0, `H4 direction header needs ${PHDR_LENGTH} bytes, ${data.length} present`, 'hci.direction');
  }
  return decodeH4(data, PHDR_LENGTH);
}

/** DLT 254 record (Linux monitor header + packet). */
export function decodeLinuxMonitorRecord(data: Uint8Array): LinkResult {
  if (data.length < MONITOR_HEADER) {
    throw new DecodeError('truncated', 0, `Linux monitor header needs ${MONITOR_HEADER} bytes, ${data.length} present`, 'hci_mon');
  }
  if (u16be(data, MONITOR_OPCODE) !== MONITOR_EVENT_PKT) return { frames: [], warnings: [] };
  return decodeEvent(data, MONITOR_HEADER);
}

function decodeH4(data: Uint8Array, o: number): LinkResult {
  if (o >= data.length) throw new DecodeError('truncated', o, 'empty H4 packet', 'hci');
  if (data[o] !== H4_EVENT) return { frames: [], warnings: [] };
  return decodeEvent(data, o + 1);
}

/** An HCI event starting at `o` (its event code): the advertising reports it carries. */
function decodeEvent(data: Uint8Array, o: number): LinkResult {
  const warnings: string[] = [];
  const frames: BleAdvFrame[] = [];
  if (o + EVT_PARAMS > data.length) {
    throw new DecodeError('truncated', o, 'HCI event header needs 2 bytes', 'hci.event');
  }
  const plen = data[o + EVT_PLEN]!;
  const p = o + EVT_PARAMS;
  const end = p + plen;
  if (end > data.length) {
    throw new DecodeError('truncated', o + EVT_PLEN, `HCI event declares ${plen} parameter bytes, ${data.length - p} present`, 'hci.event.length');
  }
  if (end < data.length) warnings.push(`hci: ${data.length - end} bytes after the event`);
  if (data[o + EVT_CODE] !== EVT_LE_META || plen < 2) return { frames, warnings };
  const sub = data[p]!;
  if (sub !== LE_SUBEVENT_ADVERTISING_REPORT && sub !== LE_SUBEVENT_EXT_ADVERTISING_REPORT) return { frames, warnings };
  const num = data[p + 1]!;
  if (num === 0 || num > MAX_REPORTS) warnings.push(`hci: Num_Reports ${num} outside 1..${MAX_REPORTS}`);
  let r = p + 2;
  for (let i = 0; i < num; i++) {
    r = sub === LE_SUBEVENT_ADVERTISING_REPORT ? legacyReport(data, r, end, i, frames, warnings) : extReport(data, r, end, i, frames, warnings);
  }
  if (r < end) warnings.push(`hci: ${end - r} bytes after the last report`);
  return { frames, warnings };
}

function legacyReport(data: Uint8Array, r: number, end: number, i: number, frames: BleAdvFrame[], warnings: string[]): number {
  if (r + LEGACY_FIXED > end) {
    throw new DecodeError('malformed', r, `advertising report ${i} needs ${LEGACY_FIXED} bytes, ${end - r} left`, `hci.report[${i}]`);
  }
  const dataLen = data[r + 8]!;
  const d = r + 9;
  if (d + dataLen + 1 > end) {
    throw new DecodeError('malformed', r + 8, `advertising report ${i} data length ${dataLen} runs past the event`, `hci.report[${i}].dataLength`);
  }
  if (dataLen > LEGACY_MAX_DATA) warnings.push(`hci: report ${i} carries ${dataLen} data bytes (> ${LEGACY_MAX_DATA})`);
  const type = data[r]!;
  let pdu = HCI_LEGACY_NAMES[type];
  if (pdu === undefined) {
    warnings.push(`hci: report ${i} has reserved event type ${type}`);
    pdu = 'UNKNOWN';
  }
  const addrType = data[r + 1]!;
  const rssi = (data[d + dataLen]! << 24) >> 24;
  const f: BleAdvFrame = {
    kind: 'ble',
    pdu,
    extended: false,
    address: formatMac(data, r + 2, true),
    addressRandom: (addrType & 1) === 1,
    advData: data.subarray(d, d + dataLen),
    crc: 'unchecked',
  };
  if (rssi !== RSSI_UNAVAILABLE) f.rssi = rssi;
  frames.push(f);
  return d + dataLen + 1;
}

function extReport(data: Uint8Array, r: number, end: number, i: number, frames: BleAdvFrame[], warnings: string[]): number {
  if (r + EXT_FIXED > end) {
    throw new DecodeError('malformed', r, `extended report ${i} needs ${EXT_FIXED} bytes, ${end - r} left`, `hci.report[${i}]`);
  }
  const dataLen = data[r + X_DATA_LENGTH]!;
  const d = r + EXT_FIXED;
  if (d + dataLen > end) {
    throw new DecodeError('malformed', r + X_DATA_LENGTH, `extended report ${i} data length ${dataLen} runs past the event`, `hci.report[${i}].dataLength`);
  }
  const et = u16le(data, r + X_EVENT_TYPE);
  if (et & ET_RESERVED) warnings.push(`hci: report ${i} event type 0x${et.toString(16)} has reserved bits set`);
  const legacy = (et & ET_LEGACY) !== 0;
  let pdu: BlePduName;
  if (legacy) {
    pdu = LEGACY_EXT_TYPES[et & 0x1f] ?? 'UNKNOWN';
    if (pdu === 'UNKNOWN') warnings.push(`hci: report ${i} legacy event type 0x${(et & 0x1f).toString(16)} is not allowed`);
  } else {
    pdu = et & ET_SCAN_RESPONSE ? 'AUX_SCAN_RSP' : 'AUX_ADV_IND';
  }
  const status = (et >> ET_STATUS_SHIFT) & 3;
  const fragment = FRAGMENTS[status];
  if (fragment === undefined) warnings.push(`hci: report ${i} reserved data status 3`);

  const f: BleAdvFrame = { kind: 'ble', pdu, extended: !legacy, advData: data.subarray(d, d + dataLen), crc: 'unchecked' };
  const addrType = data[r + X_ADDR_TYPE]!;
  if (addrType !== ADDR_ANONYMOUS) {
    f.address = formatMac(data, r + X_ADDR, true);
    f.addressRandom = (addrType & 1) === 1;
  }
  const phy = HCI_PHYS[data[r + X_SECONDARY_PHY]!] ?? HCI_PHYS[data[r + X_PRIMARY_PHY]!];
  if (phy !== undefined) f.phy = phy;
  const sid = data[r + X_SID]!;
  if (sid !== SID_NONE) f.sid = sid;
  const tx = (data[r + X_TX_POWER]! << 24) >> 24;
  if (tx !== TX_POWER_UNAVAILABLE) f.txPower = tx;
  const rssi = (data[r + X_RSSI]! << 24) >> 24;
  if (rssi !== RSSI_UNAVAILABLE) f.rssi = rssi;
  if (fragment !== undefined) f.fragment = fragment;
  frames.push(f);
  return d + dataLen;
}

// ---------------------------------------------------------------------------------------------------
// Builders (fake HCI controller, test captures).

export interface HciBuildOptions {
  /** Prefix the DLT 201 direction header (received). Default false (DLT 187 / raw H4). */
  phdr?: boolean;
}

export interface HciLegacyReport {
  pdu: 'ADV_IND' | 'ADV_DIRECT_IND' | 'ADV_SCAN_IND' | 'ADV_NONCONN_IND' | 'SCAN_RSP';
  address: string;
  /** HCI address type 0..3; default 1 (random). */
  addressType?: number;
  data: Uint8Array;
  /** dBm; undefined = 127 (not available). */
  rssi?: number;
}

export interface HciExtReport {
  /** Event_Type bits 4..0 (connectable, scannable, directed, scan response, legacy). Default 0. */
  properties?: number;
  fragment?: BleFragment;
  /** undefined = anonymous (address type 0xFF). */
  address?: string;
  addressType?: number;
  primaryPhy?: '1M' | 'coded';
  /** undefined = no secondary PHY (legacy). */
  secondaryPhy?: BlePhy;
  sid?: number;
  txPower?: number;
  rssi?: number;
  periodicInterval?: number;
  data: Uint8Array;
}

/** Event_Type properties for the common cases. */
export const HCI_EXT_PROPS = {
  CONNECTABLE: ET_CONNECTABLE,
  SCANNABLE: ET_SCANNABLE,
  DIRECTED: ET_DIRECTED,
  SCAN_RESPONSE: ET_SCAN_RESPONSE,
  LEGACY: ET_LEGACY,
  /** Legacy ADV_NONCONN_IND seen through an extended scan. */
  LEGACY_ADV_NONCONN_IND: 0x10,
} as const;

const PHY_CODE: Record<BlePhy, number> = { '1M': 1, '2M': 2, coded: 3 };

/** An LE Advertising Report event (subevent 0x02), as H4 bytes. */
export function buildHciLeAdvertisingReport(reports: readonly HciLegacyReport[], opts: HciBuildOptions = {}): Uint8Array {
  checkCount(reports.length);
  let size = 2;
  for (const rep of reports) size += LEGACY_FIXED + rep.data.length;
  const out = eventBuffer(size, LE_SUBEVENT_ADVERTISING_REPORT, reports.length, opts);
  let o = out.length - size + 2;
  for (let i = 0; i < reports.length; i++) {
    const rep = reports[i]!;
    const type = HCI_LEGACY_NAMES.indexOf(rep.pdu);
    if (type < 0) throw new EncodeError('invalid', `reports[${i}].pdu`, rep.pdu, HCI_LEGACY_NAMES.join(', '));
    if (rep.data.length > LEGACY_MAX_DATA) {
      throw new EncodeError('out-of-range', `reports[${i}].data.length`, rep.data.length, `0..${LEGACY_MAX_DATA}`);
    }
    out[o] = type;
    out[o + 1] = byteIn(rep.addressType ?? 1, 0, 3, `reports[${i}].addressType`);
    putAddress(out, o + 2, rep.address, `reports[${i}].address`);
    out[o + 8] = rep.data.length;
    out.set(rep.data, o + 9);
    o += 9 + rep.data.length;
    out[o++] = signedByte(rep.rssi, RSSI_UNAVAILABLE, `reports[${i}].rssi`);
  }
  return out;
}

/** An LE Extended Advertising Report event (subevent 0x0D), as H4 bytes. */
export function buildHciLeExtAdvertisingReport(reports: readonly HciExtReport[], opts: HciBuildOptions = {}): Uint8Array {
  checkCount(reports.length);
  let size = 2;
  for (const rep of reports) size += EXT_FIXED + rep.data.length;
  const out = eventBuffer(size, LE_SUBEVENT_EXT_ADVERTISING_REPORT, reports.length, opts);
  let o = out.length - size + 2;
  for (let i = 0; i < reports.length; i++) {
    const rep = reports[i]!;
    const at = `reports[${i}]`;
    const props = byteIn(rep.properties ?? 0, 0, 0x1f, `${at}.properties`);
    const status = FRAGMENTS.indexOf(rep.fragment ?? 'complete');
    if (status < 0) throw new EncodeError('invalid', `${at}.fragment`, rep.fragment, "'complete', 'more' or 'truncated'");
    putU16le(out, o + X_EVENT_TYPE, props | (status << ET_STATUS_SHIFT));
    if (rep.address === undefined) {
      out[o + X_ADDR_TYPE] = ADDR_ANONYMOUS;
    } else {
      out[o + X_ADDR_TYPE] = byteIn(rep.addressType ?? 1, 0, 3, `${at}.addressType`);
      putAddress(out, o + X_ADDR, rep.address, `${at}.address`);
    }
    const primary = rep.primaryPhy ?? '1M';
    if (primary !== '1M' && primary !== 'coded') throw new EncodeError('invalid', `${at}.primaryPhy`, primary, "'1M' or 'coded'");
    out[o + X_PRIMARY_PHY] = PHY_CODE[primary];
    if (rep.secondaryPhy !== undefined) {
      const code = PHY_CODE[rep.secondaryPhy];
      if (code === undefined) throw new EncodeError('invalid', `${at}.secondaryPhy`, rep.secondaryPhy, "'1M', '2M' or 'coded'");
      out[o + X_SECONDARY_PHY] = code;
    }
    out[o + X_SID] = rep.sid === undefined ? SID_NONE : byteIn(rep.sid, 0, 15, `${at}.sid`);
    out[o + X_TX_POWER] = signedByte(rep.txPower, TX_POWER_UNAVAILABLE, `${at}.txPower`);
    out[o + X_RSSI] = signedByte(rep.rssi, RSSI_UNAVAILABLE, `${at}.rssi`);
    const interval = rep.periodicInterval ?? 0;
    if (!(Number.isInteger(interval) && interval >= 0 && interval <= 0xffff)) {
      throw new EncodeError('out-of-range', `${at}.periodicInterval`, interval, '0..65535');
    }
    putU16le(out, o + X_PERIODIC_INTERVAL, interval);
    out[o + X_DIRECT_ADDR_TYPE] = 0; // direct address (7 bytes) left zero: undirected
    out[o + X_DATA_LENGTH] = rep.data.length;
    out.set(rep.data, o + EXT_FIXED);
    o += EXT_FIXED + rep.data.length;
  }
  return out;
}

function checkCount(n: number): void {
  if (n < 1 || n > MAX_REPORTS) throw new EncodeError('out-of-range', 'reports.length', n, `1..${MAX_REPORTS}`);
}

/** H4 event buffer with the LE Meta header filled in; `params` counts subevent + Num_Reports + reports. */
function eventBuffer(params: number, subevent: number, num: number, opts: HciBuildOptions): Uint8Array {
  if (params > MAX_PARAMS) {
    throw new EncodeError('out-of-range', 'reports', params, `at most ${MAX_PARAMS} parameter bytes in one HCI event`);
  }
  const h4 = opts.phdr ? PHDR_LENGTH : 0;
  // The event follows the H4 type byte.
  const e = h4 + 1;
  const out = new Uint8Array(e + EVT_PARAMS + params);
  if (opts.phdr) out[3] = PHDR_RECEIVED; // u32 BE 1 = received
  out[h4] = H4_EVENT;
  out[e + EVT_CODE] = EVT_LE_META;
  out[e + EVT_PLEN] = params;
  out[e + EVT_PARAMS] = subevent;
  out[e + EVT_PARAMS + 1] = num;
  return out;
}

function putAddress(out: Uint8Array, o: number, mac: string, field: string): void {
  const a = macBytes(mac, field);
  for (let k = 0; k < ADDRESS_LENGTH; k++) out[o + k] = a[ADDRESS_LENGTH - 1 - k]!; // LSB first
}

function byteIn(v: number, lo: number, hi: number, field: string): number {
  if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new EncodeError('out-of-range', field, v, `${lo}..${hi}`);
  return v;
}

function signedByte(v: number | undefined, unavailable: number, field: string): number {
  if (v === undefined) return unavailable;
  if (!(Number.isInteger(v) && v >= -127 && v <= 126)) throw new EncodeError('out-of-range', field, v, '-127..126 (127 = not available)');
  return v & 0xff;
}

// The direction word is informational; exported for readers that want it.
export function hciDirection(data: Uint8Array): 'sent' | 'received' | undefined {
  if (data.length < PHDR_LENGTH) return undefined;
  return u32be(data, 0) === PHDR_RECEIVED ? 'received' : 'sent';
}
