/**
 * The advertising reports inside one HCI event packet, every field kept as the controller sent it.
 *
 * noble's own report events are not enough: 'leExtendedAdvertisingReport' leaves out the primary and
 * secondary PHY and the SID, and folds address types 2/3 and anonymous (0xFF) into public/random. So the
 * source reads the H4 packets noble's HCI socket delivers, the very bytes btmon would capture, and this
 * module splits an LE Advertising Report (0x3E/0x02) or LE Extended Advertising Report (0x3E/0x0D) into
 * its reports (Core Vol 4 Part E §7.7.65.2 and §7.7.65.13, read report after report as Linux does).
 */

import { formatMac } from '@odid/codec';

const H4_EVENT = 0x04;
const EVT_LE_META = 0x3e;
const SUBEVT_ADVERTISING_REPORT = 0x02;
const SUBEVT_EXT_ADVERTISING_REPORT = 0x0d;
/** H4 type, event code, parameter length, subevent, Num_Reports. */
const FIRST_REPORT = 5;
/** Legacy: Event_Type, Address_Type, Address (6), Data_Length, then Data and RSSI. */
const LEGACY_FIXED = 9;
/** Extended: 24 octets before Data (§7.7.65.13). */
const EXT_FIXED = 24;

export interface LegacyAdvReport {
  kind: 'legacy';
  /** 0 ADV_IND, 1 ADV_DIRECT_IND, 2 ADV_SCAN_IND, 3 ADV_NONCONN_IND, 4 SCAN_RSP. */
  eventType: number;
  /** 0 public, 1 random, 2/3 identity addresses resolved by the controller. */
  addressType: number;
  /** Lowercase, most significant octet first. */
  address: string;
  data: Uint8Array;
  /** Signed dBm; 127 = not available. */
  rssi: number;
}

export interface ExtAdvReport {
  kind: 'extended';
  /** The 16-bit Event_Type: properties in bits 0..4, data status in bits 5..6. */
  eventType: number;
  /** As legacy, plus 0xFF = anonymous (then `address` is all zero). */
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
  rssi: number;
  periodicInterval: number;
  directAddressType: number;
  directAddress: string;
  data: Uint8Array;
}

export type AdvReport = LegacyAdvReport | ExtAdvReport;

export interface ParsedEvent {
  reports: AdvReport[];
  /** Why the rest of the event could not be read (the reports before it are kept). */
  problem?: string;
}

const signed8 = (v: number): number => (v << 24) >> 24;

/** The advertising reports in one H4 packet; none for any other packet. Never throws. */
export function parseAdvertisingReports(packet: Uint8Array): ParsedEvent {
  const reports: AdvReport[] = [];
  if (packet.length < FIRST_REPORT || packet[0] !== H4_EVENT || packet[1] !== EVT_LE_META) return { reports };
  const sub = packet[3];
  if (sub !== SUBEVT_ADVERTISING_REPORT && sub !== SUBEVT_EXT_ADVERTISING_REPORT) return { reports };
  const end = 3 + packet[2]!;
  if (end > packet.length) return { reports, problem: `event declares ${packet[2]} parameter octets but carries ${packet.length - 3}` };
  const num = packet[4]!;
  let o = FIRST_REPORT;
  for (let i = 0; i < num; i++) {
    const r = sub === SUBEVT_ADVERTISING_REPORT ? legacyAt(packet, o, end) : extendedAt(packet, o, end);
    if (typeof r === 'string') return { reports, problem: `report ${i + 1} of ${num}: ${r}` };
    reports.push(r.report);
    o = r.next;
  }
  return { reports };
}

function legacyAt(p: Uint8Array, o: number, end: number): { report: LegacyAdvReport; next: number } | string {
  if (o + LEGACY_FIXED + 1 > end) return `needs ${LEGACY_FIXED + 1} octets, ${end - o} left`;
  const len = p[o + 8]!;
  const rssiAt = o + LEGACY_FIXED + len;
  if (rssiAt >= end) return `Data_Length ${len} runs past the event`;
  return {
    report: {
      kind: 'legacy',
      eventType: p[o]!,
      addressType: p[o + 1]!,
      address: formatMac(p, o + 2, true),
      data: p.slice(o + LEGACY_FIXED, rssiAt),
      rssi: signed8(p[rssiAt]!),
    },
    next: rssiAt + 1,
  };
}

function extendedAt(p: Uint8Array, o: number, end: number): { report: ExtAdvReport; next: number } | string {
  if (o + EXT_FIXED > end) return `needs ${EXT_FIXED} octets, ${end - o} left`;
  const len = p[o + 23]!;
  const next = o + EXT_FIXED + len;
  if (next > end) return `Data_Length ${len} runs past the event`;
  return {
    report: {
      kind: 'extended',
      eventType: p[o]! | (p[o + 1]! << 8),
      addressType: p[o + 2]!,
      address: formatMac(p, o + 3, true),
      primaryPhy: p[o + 9]!,
      secondaryPhy: p[o + 10]!,
      sid: p[o + 11]!,
      txPower: signed8(p[o + 12]!),
      rssi: signed8(p[o + 13]!),
      periodicInterval: p[o + 14]! | (p[o + 15]! << 8),
      directAddressType: p[o + 16]!,
      directAddress: formatMac(p, o + 17, true),
      data: p.slice(o + EXT_FIXED, next),
    },
    next,
  };
}

/** Extended-report data status (Event_Type bits 5..6). */
export function dataStatus(r: ExtAdvReport): 'complete' | 'more' | 'truncated' | 'reserved' {
  return (['complete', 'more', 'truncated', 'reserved'] as const)[(r.eventType >> 5) & 3]!;
}
