/**
 * The advertising reports of one HCI event, every parameter as the controller sent it: the toolkit's one
 * reading of LE Advertising Report (LE Meta subevent 0x02, Core Vol 4 Part E 7.7.65.2) and LE Extended
 * Advertising Report (0x0D, 7.7.65.13). The link decoders (hci-h4.ts) turn the reports into BleAdvFrames;
 * a live receiver reading a controller's HCI socket splits its events here too, and keeps what frames
 * leave out (PHY codes, address types 2/3, the direct address, the offsets of each report's bytes).
 *
 * Report layout. Core v5.x 7.7.65.2 lists the LE Advertising Report parameters with an [i] index, and the
 * Core 4.0 text was widely read as parameter-major (all Event_Type[i], then all Address_Type[i], ...). We
 * read them report after report (Event_Type, Address_Type, Address, Data_Length, Data, RSSI), which is how
 * Linux (net/bluetooth/hci_event.c: struct hci_ev_le_advertising_info, RSSI byte after data), BlueZ btmon
 * and Nordic's SoftDevice Controller (sdc_hci_le_adv_report_array_params_t, documented from Core v6.3
 * 7.7.65.2) lay them out; the two readings only differ when Num_Reports > 1 (not checked against the Core
 * PDF itself here). The extended report (7.7.65.13) is read the same way: 24 fixed bytes, then data.
 *
 * The writers of this layout (buildHciLeAdvertisingReport & co.) are in hci-h4.ts and share the constants
 * below.
 */

import { DecodeError } from '../errors.js';
import { diagnostic } from '../diagnostics.js';
import { formatMac, u16le } from '../bytes.js';
import type { BleFragment, BlePduName, LinkDiagnostic } from './types.js';

export const EVT_LE_META = 0x3e;
export const LE_SUBEVENT_ADVERTISING_REPORT = 0x02;
export const LE_SUBEVENT_EXT_ADVERTISING_REPORT = 0x0d;

// Event: event code, parameter length, then parameters (subevent, Num_Reports, reports).
export const EVT_CODE = 0;
export const EVT_PLEN = 1;
export const EVT_PARAMS = 2;
export const MAX_PARAMS = 255;
export const MAX_REPORTS = 0x19;

export const ADDRESS_LENGTH = 6;
/** Legacy report: Event_Type, Address_Type, Address, Data_Length, (Data), RSSI. */
export const L_ADDR_TYPE = 1;
export const L_ADDR = 2;
export const L_DATA_LENGTH = 8;
export const L_DATA = 9;
export const LEGACY_FIXED = L_DATA + 1;
export const LEGACY_MAX_DATA = 31;
/** Extended report fixed part (before data), offsets within a report. */
export const X_EVENT_TYPE = 0; // u16
export const X_ADDR_TYPE = 2;
export const X_ADDR = 3;
export const X_PRIMARY_PHY = 9;
export const X_SECONDARY_PHY = 10;
export const X_SID = 11;
export const X_TX_POWER = 12;
export const X_RSSI = 13;
export const X_PERIODIC_INTERVAL = 14; // u16
export const X_DIRECT_ADDR_TYPE = 16;
export const X_DIRECT_ADDR = 17;
export const X_DATA_LENGTH = 23;
export const EXT_FIXED = 24;

export const RSSI_UNAVAILABLE = 127;
export const TX_POWER_UNAVAILABLE = 127;
export const SID_NONE = 0xff;
export const ADDR_ANONYMOUS = 0xff;

// Extended report Event_Type bits.
export const ET_CONNECTABLE = 0x01;
export const ET_SCANNABLE = 0x02;
export const ET_DIRECTED = 0x04;
export const ET_SCAN_RESPONSE = 0x08;
export const ET_LEGACY = 0x10;
export const ET_PROPERTIES = 0x1f;
export const ET_STATUS_SHIFT = 5;
export const ET_RESERVED = 0xff80;

/** HCI legacy report event types by value (not the LL PDU numbering: HCI 3 = ADV_NONCONN_IND, LL 2); 5.. reserved. */
export const HCI_LEGACY_PDUS = ['ADV_IND', 'ADV_DIRECT_IND', 'ADV_SCAN_IND', 'ADV_NONCONN_IND', 'SCAN_RSP'] as const satisfies readonly BlePduName[];
/** The extended-report event types with the legacy bit that 7.7.65.13 allows (properties bits 0..4). */
export const LEGACY_EXT_PDUS: Readonly<Record<number, BlePduName>> = {
  0x13: 'ADV_IND',
  0x15: 'ADV_DIRECT_IND',
  0x12: 'ADV_SCAN_IND',
  0x10: 'ADV_NONCONN_IND',
  0x1b: 'SCAN_RSP', // to an ADV_IND
  0x1a: 'SCAN_RSP', // to an ADV_SCAN_IND
};
/** Extended report data status (Event_Type bits 5..6) by value. */
export const DATA_STATUSES: readonly HciDataStatus[] = ['complete', 'more', 'truncated', 'reserved'];

export type HciDataStatus = BleFragment | 'reserved';

interface ReportBytes {
  /** Where the report's first byte (its Event_Type) is in the buffer handed to splitHciAdvReports. */
  offset: number;
  /** The report's size in bytes: data[offset .. offset + length) is the whole report. */
  length: number;
}

/** One report of an LE Advertising Report event (7.7.65.2). */
export interface HciLegacyAdvReport extends ReportBytes {
  kind: 'legacy';
  /** 0 ADV_IND, 1 ADV_DIRECT_IND, 2 ADV_SCAN_IND, 3 ADV_NONCONN_IND, 4 SCAN_RSP; 5.. reserved. */
  eventType: number;
  /** 0 public, 1 random, 2/3 identity addresses the controller resolved. */
  addressType: number;
  /** Lowercase aa:bb:..., most significant byte first. */
  address: string;
  /** Data_Length bytes of AD structures (a view into the event, not a copy). */
  data: Uint8Array;
  /** Signed dBm; 127 = not available. */
  rssi: number;
}

/** One report of an LE Extended Advertising Report event (7.7.65.13). */
export interface HciExtAdvReport extends ReportBytes {
  kind: 'extended';
  /** The 16-bit Event_Type: properties in bits 0..4 (HCI_EXT_PROPS), data status in bits 5..6, 7.. reserved. */
  eventType: number;
  /** Event_Type bits 5..6 by name. */
  dataStatus: HciDataStatus;
  /** As legacy, plus 0xFF = anonymous (then `address` is whatever the controller put there). */
  addressType: number;
  address: string;
  /** 1 LE 1M, 3 LE Coded. */
  primaryPhy: number;
  /** 0 none (legacy PDU), 1 LE 1M, 2 LE 2M, 3 LE Coded. */
  secondaryPhy: number;
  /** 0..15; 0xFF = no ADI field. */
  sid: number;
  /** Signed dBm; 127 = not available. */
  txPower: number;
  /** Signed dBm; 127 = not available. */
  rssi: number;
  /** Units of 1.25 ms; 0 = no periodic advertising. */
  periodicInterval: number;
  /** Of directed adverts: the address they were sent to (zero otherwise). */
  directAddressType: number;
  directAddress: string;
  data: Uint8Array;
}

export type HciAdvReport = HciLegacyAdvReport | HciExtAdvReport;

/** What one HCI event holds, as far as it could be read. */
export interface HciAdvReportEvent {
  /** LE_SUBEVENT_ADVERTISING_REPORT or ..._EXT_...; absent for any other event, which holds no reports. */
  subevent?: number;
  /** Num_Reports as the event declares it (0 for other events, or when the event is cut before it). */
  numReports: number;
  /** The reports read, in order: all of them, or those before `error`. */
  reports: HciAdvReport[];
  /** What is wrong but was read anyway (reserved values, bytes left over). */
  diagnostics: LinkDiagnostic[];
  /**
   * Why reading stopped: the event is cut ('truncated'), or report `reports.length` runs past it
   * ('malformed'). Offsets are in the buffer handed over. A link decoder throws it; a live source may keep
   * the reports read before it.
   */
  error?: DecodeError;
}

const signed8 = (v: number): number => (v << 24) >> 24;

/**
 * Splits the HCI event whose event code is at `data[at]` into its advertising reports; any other event
 * yields none. Never throws: a cut event or a report running past the event ends the reading with
 * `error`, the reports before it kept.
 */
export function splitHciAdvReports(data: Uint8Array, at = 0): HciAdvReportEvent {
  const out: HciAdvReportEvent = { numReports: 0, reports: [], diagnostics: [] };
  if (at + EVT_PARAMS > data.length) {
    out.error = new DecodeError('truncated', at, 'HCI event header needs 2 bytes', 'hci.event');
    return out;
  }
  const plen = data[at + EVT_PLEN]!;
  const p = at + EVT_PARAMS;
  const end = p + plen;
  // Known even when the event is cut, so a reader can tell a broken advertising report from other events.
  const sub = data[p];
  if (data[at + EVT_CODE] === EVT_LE_META && plen >= 2 && (sub === LE_SUBEVENT_ADVERTISING_REPORT || sub === LE_SUBEVENT_EXT_ADVERTISING_REPORT)) {
    out.subevent = sub;
    out.numReports = data[p + 1] ?? 0;
  }
  if (end > data.length) {
    out.error = new DecodeError('truncated', at + EVT_PLEN, `HCI event declares ${plen} parameter bytes, ${data.length - p} present`, 'hci.event.length');
    return out;
  }
  const diagnostics = out.diagnostics;
  if (end < data.length) diagnostics.push(diagnostic('link.hci-trailing-bytes', `hci: ${data.length - end} bytes after the event`, { offset: end }));
  if (out.subevent === undefined) return out;
  const num = out.numReports;
  if (num === 0 || num > MAX_REPORTS) diagnostics.push(diagnostic('link.hci-report-count', `hci: Num_Reports ${num} outside 1..${MAX_REPORTS}`, { offset: p + 1 }));
  const read = out.subevent === LE_SUBEVENT_ADVERTISING_REPORT ? legacyReport : extReport;
  let r = p + 2;
  for (let i = 0; i < num; i++) {
    const next = read(data, r, end, i, out);
    if (next === undefined) return out;
    r = next;
  }
  if (r < end) diagnostics.push(diagnostic('link.hci-trailing-bytes', `hci: ${end - r} bytes after the last report`, { offset: r }));
  return out;
}

/** Reads report `i` at `r` into `out`; the offset after it, or undefined with `out.error` set. */
function legacyReport(data: Uint8Array, r: number, end: number, i: number, out: HciAdvReportEvent): number | undefined {
  if (r + LEGACY_FIXED > end) {
    out.error = new DecodeError('malformed', r, `advertising report ${i} needs ${LEGACY_FIXED} bytes, ${end - r} left`, `hci.report[${i}]`);
    return undefined;
  }
  const dataLen = data[r + L_DATA_LENGTH]!;
  const d = r + L_DATA;
  if (d + dataLen + 1 > end) {
    out.error = new DecodeError('malformed', r + L_DATA_LENGTH, `advertising report ${i} data length ${dataLen} runs past the event`, `hci.report[${i}].dataLength`);
    return undefined;
  }
  if (dataLen > LEGACY_MAX_DATA) {
    out.diagnostics.push(diagnostic('link.hci-oversized-report', `hci: report ${i} carries ${dataLen} data bytes (> ${LEGACY_MAX_DATA})`, { offset: r + L_DATA_LENGTH }));
  }
  const type = data[r]!;
  if (type >= HCI_LEGACY_PDUS.length) {
    out.diagnostics.push(diagnostic('link.hci-reserved-event-type', `hci: report ${i} has reserved event type ${type}`, { offset: r }));
  }
  out.reports.push({
    kind: 'legacy',
    offset: r,
    length: LEGACY_FIXED + dataLen,
    eventType: type,
    addressType: data[r + L_ADDR_TYPE]!,
    address: formatMac(data, r + L_ADDR, true),
    data: data.subarray(d, d + dataLen),
    rssi: signed8(data[d + dataLen]!),
  });
  return d + dataLen + 1;
}

function extReport(data: Uint8Array, r: number, end: number, i: number, out: HciAdvReportEvent): number | undefined {
  if (r + EXT_FIXED > end) {
    out.error = new DecodeError('malformed', r, `extended report ${i} needs ${EXT_FIXED} bytes, ${end - r} left`, `hci.report[${i}]`);
    return undefined;
  }
  const dataLen = data[r + X_DATA_LENGTH]!;
  const d = r + EXT_FIXED;
  if (d + dataLen > end) {
    out.error = new DecodeError('malformed', r + X_DATA_LENGTH, `extended report ${i} data length ${dataLen} runs past the event`, `hci.report[${i}].dataLength`);
    return undefined;
  }
  const et = u16le(data, r + X_EVENT_TYPE);
  const where = { offset: r + X_EVENT_TYPE };
  if (et & ET_RESERVED) out.diagnostics.push(diagnostic('link.hci-reserved-event-type', `hci: report ${i} event type 0x${et.toString(16)} has reserved bits set`, where));
  if (et & ET_LEGACY && LEGACY_EXT_PDUS[et & ET_PROPERTIES] === undefined) {
    out.diagnostics.push(diagnostic('link.hci-reserved-event-type', `hci: report ${i} legacy event type 0x${(et & ET_PROPERTIES).toString(16)} is not allowed`, where));
  }
  const dataStatus = DATA_STATUSES[(et >> ET_STATUS_SHIFT) & 3]!;
  if (dataStatus === 'reserved') out.diagnostics.push(diagnostic('link.hci-reserved-data-status', `hci: report ${i} reserved data status 3`, where));
  out.reports.push({
    kind: 'extended',
    offset: r,
    length: EXT_FIXED + dataLen,
    eventType: et,
    dataStatus,
    addressType: data[r + X_ADDR_TYPE]!,
    address: formatMac(data, r + X_ADDR, true),
    primaryPhy: data[r + X_PRIMARY_PHY]!,
    secondaryPhy: data[r + X_SECONDARY_PHY]!,
    sid: data[r + X_SID]!,
    txPower: signed8(data[r + X_TX_POWER]!),
    rssi: signed8(data[r + X_RSSI]!),
    periodicInterval: u16le(data, r + X_PERIODIC_INTERVAL),
    directAddressType: data[r + X_DIRECT_ADDR_TYPE]!,
    directAddress: directAddress(data, r + X_DIRECT_ADDR),
    data: data.subarray(d, d + dataLen),
  });
  return d + dataLen;
}

const NO_ADDRESS = '00:00:00:00:00:00';

/** Undirected adverts (nearly all) leave the direct address zero: that string needs no formatting. */
function directAddress(data: Uint8Array, o: number): string {
  for (let k = 0; k < ADDRESS_LENGTH; k++) if (data[o + k] !== 0) return formatMac(data, o, true);
  return NO_ADDRESS;
}
