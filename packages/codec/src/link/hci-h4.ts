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
 * The events are split into reports by hci-reports.ts (the report layout and why it is read report after
 * report); here each report becomes a BleAdvFrame.
 */

import { DecodeError, EncodeError } from '../errors.js';
import { putU16le, u16be, u32be } from '../bytes.js';
import { macBytes } from './ble-ll.js';
import {
  ADDR_ANONYMOUS,
  ADDRESS_LENGTH,
  DATA_STATUSES,
  ET_CONNECTABLE,
  ET_DIRECTED,
  ET_LEGACY,
  ET_PROPERTIES,
  ET_SCANNABLE,
  ET_SCAN_RESPONSE,
  ET_STATUS_SHIFT,
  EVT_CODE,
  EVT_LE_META,
  EVT_PARAMS,
  EVT_PLEN,
  EXT_FIXED,
  HCI_LEGACY_PDUS,
  LEGACY_EXT_PDUS,
  LEGACY_FIXED,
  LEGACY_MAX_DATA,
  LE_SUBEVENT_ADVERTISING_REPORT,
  LE_SUBEVENT_EXT_ADVERTISING_REPORT,
  L_ADDR,
  L_ADDR_TYPE,
  L_DATA,
  L_DATA_LENGTH,
  MAX_PARAMS,
  MAX_REPORTS,
  RSSI_UNAVAILABLE,
  SID_NONE,
  TX_POWER_UNAVAILABLE,
  X_ADDR,
  X_ADDR_TYPE,
  X_DATA_LENGTH,
  X_DIRECT_ADDR_TYPE,
  X_EVENT_TYPE,
  X_PERIODIC_INTERVAL,
  X_PRIMARY_PHY,
  X_RSSI,
  X_SECONDARY_PHY,
  X_SID,
  X_TX_POWER,
  splitHciAdvReports,
  type HciAdvReport,
  type HciExtAdvReport,
  type HciLegacyAdvReport,
} from './hci-reports.js';
import type { BleAdvFrame, BleFragment, BlePduName, BlePhy, LinkResult } from './types.js';

export { LE_SUBEVENT_ADVERTISING_REPORT, LE_SUBEVENT_EXT_ADVERTISING_REPORT };

const PHDR_LENGTH = 4;
const PHDR_RECEIVED = 1;
const H4_EVENT = 0x04;
/** Linux monitor header: adapter index u16 BE, opcode u16 BE. */
const MONITOR_HEADER = 4;
const MONITOR_OPCODE = 2;
const MONITOR_EVENT_PKT = 3;

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
  if (u16be(data, MONITOR_OPCODE) !== MONITOR_EVENT_PKT) return { frames: [], diagnostics: [] };
  return decodeEvent(data, MONITOR_HEADER);
}

function decodeH4(data: Uint8Array, o: number): LinkResult {
  if (o >= data.length) throw new DecodeError('truncated', o, 'empty H4 packet', 'hci');
  if (data[o] !== H4_EVENT) return { frames: [], diagnostics: [] };
  return decodeEvent(data, o + 1);
}

/** An HCI event starting at `o` (its event code): a frame per advertising report, or the first damage. */
function decodeEvent(data: Uint8Array, o: number): LinkResult {
  const event = splitHciAdvReports(data, o);
  if (event.error) throw event.error;
  return { frames: event.reports.map(hciReportFrame), diagnostics: event.diagnostics };
}

/** One report as the frame the receive path reads (what a BleAdvFrame has no field for is left out). */
export function hciReportFrame(r: HciAdvReport): BleAdvFrame {
  return r.kind === 'legacy' ? legacyFrame(r) : extFrame(r);
}

function legacyFrame(r: HciLegacyAdvReport): BleAdvFrame {
  const f: BleAdvFrame = {
    kind: 'ble',
    pdu: HCI_LEGACY_PDUS[r.eventType] ?? 'UNKNOWN',
    extended: false,
    address: r.address,
    addressRandom: (r.addressType & 1) === 1,
    advData: r.data,
    crc: 'unchecked',
  };
  if (r.rssi !== RSSI_UNAVAILABLE) f.rssi = r.rssi;
  return f;
}

function extFrame(r: HciExtAdvReport): BleAdvFrame {
  const et = r.eventType;
  const legacy = (et & ET_LEGACY) !== 0;
  let pdu: BlePduName;
  if (legacy) pdu = LEGACY_EXT_PDUS[et & ET_PROPERTIES] ?? 'UNKNOWN';
  else pdu = et & ET_SCAN_RESPONSE ? 'AUX_SCAN_RSP' : 'AUX_ADV_IND';
  const f: BleAdvFrame = { kind: 'ble', pdu, extended: !legacy, advData: r.data, crc: 'unchecked' };
  if (r.addressType !== ADDR_ANONYMOUS) {
    f.address = r.address;
    f.addressRandom = (r.addressType & 1) === 1;
  }
  const phy = HCI_PHYS[r.secondaryPhy] ?? HCI_PHYS[r.primaryPhy];
  if (phy !== undefined) f.phy = phy;
  if (r.sid !== SID_NONE) f.sid = r.sid;
  if (r.txPower !== TX_POWER_UNAVAILABLE) f.txPower = r.txPower;
  if (r.rssi !== RSSI_UNAVAILABLE) f.rssi = r.rssi;
  if (r.dataStatus !== 'reserved') f.fragment = r.dataStatus;
  return f;
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
    const type = HCI_LEGACY_PDUS.indexOf(rep.pdu);
    if (type < 0) throw new EncodeError('invalid', `reports[${i}].pdu`, rep.pdu, HCI_LEGACY_PDUS.join(', '));
    if (rep.data.length > LEGACY_MAX_DATA) {
      throw new EncodeError('out-of-range', `reports[${i}].data.length`, rep.data.length, `0..${LEGACY_MAX_DATA}`);
    }
    out[o] = type;
    out[o + L_ADDR_TYPE] = byteIn(rep.addressType ?? 1, 0, 3, `reports[${i}].addressType`);
    putAddress(out, o + L_ADDR, rep.address, `reports[${i}].address`);
    out[o + L_DATA_LENGTH] = rep.data.length;
    out.set(rep.data, o + L_DATA);
    o += L_DATA + rep.data.length;
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
    const props = byteIn(rep.properties ?? 0, 0, ET_PROPERTIES, `${at}.properties`);
    const status = DATA_STATUSES.indexOf(rep.fragment ?? 'complete');
    if (status < 0 || DATA_STATUSES[status] === 'reserved') throw new EncodeError('invalid', `${at}.fragment`, rep.fragment, "'complete', 'more' or 'truncated'");
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

/**
 * One report of an event split by splitHciAdvReports(data), alone in an event of its own (Num_Reports 1),
 * as H4 bytes: the report's bytes as received, none rebuilt. What a controller that sends one report per
 * event would have sent; byte for byte the event itself when it held only that report.
 */
export function buildHciReportEvent(data: Uint8Array, report: HciAdvReport, opts: HciBuildOptions = {}): Uint8Array {
  if (!(report.offset >= 0 && report.offset + report.length <= data.length)) {
    throw new EncodeError('out-of-range', 'report.offset', report.offset, `a report within the ${data.length} bytes given`);
  }
  const sub = report.kind === 'legacy' ? LE_SUBEVENT_ADVERTISING_REPORT : LE_SUBEVENT_EXT_ADVERTISING_REPORT;
  const out = eventBuffer(2 + report.length, sub, 1, opts);
  out.set(data.subarray(report.offset, report.offset + report.length), out.length - report.length);
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
