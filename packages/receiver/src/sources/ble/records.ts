/**
 * One advertising report -> one DLT 201 record (LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR: direction "received"
 * + the H4 event). The codec split the event (splitHciAdvReports) and re-wraps each report's bytes, as
 * received, in an event of its own: a report that arrived alone in its event comes out byte for byte as
 * btmon captured it, so live reception, recordings and pcapng exports share the codec's decode path,
 * including its reassembly of extended-report fragments.
 *
 * Reports holding values no controller may send are refused rather than recorded (see reportFault).
 */

import { LINKTYPE, buildHciReportEvent, type HciAdvReport, type HciExtAdvReport, type HciLegacyAdvReport } from '@odid/codec';

export const BLE_RECORD_LINKTYPE = LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR;

const LEGACY_EVENT_TYPES = 5;
const LEGACY_MAX_DATA = 31;
const ANONYMOUS = 0xff;
const NO_SID = 0xff;
const MAX_SID = 15;
const MAX_ADDRESS_TYPE = 3;
const PRIMARY_PHYS: ReadonlySet<number> = new Set([1, 3]); // LE 1M, LE Coded
const MAX_SECONDARY_PHY = 3;
/** RSSI and TX power are -127..+20 dBm, 127 = not available: 0x80 is no reading at all. */
const NOT_A_READING = -128;

/** The report `event` holds, as a DLT 201 record. Throws a RangeError naming what the controller got wrong (reportFault). */
export function reportToRecord(event: Uint8Array, report: HciAdvReport): Uint8Array {
  const fault = reportFault(report);
  if (fault !== undefined) throw new RangeError(fault);
  return buildHciReportEvent(event, report, { phdr: true });
}

/**
 * What makes a report unfit to record, or undefined: a value the Core spec (Vol 4 Part E 7.7.65.2 and
 * 7.7.65.13) reserves, or an RSSI/TX power of 0x80; the same reports the codec's HCI builders refuse to
 * write. Reserved Event_Type bits 7..15 of an extended report are no reason: they are recorded as received
 * and the decoder warns about them.
 */
export function reportFault(r: HciAdvReport): string | undefined {
  return r.kind === 'legacy' ? legacyFault(r) : extendedFault(r);
}

function legacyFault(r: HciLegacyAdvReport): string | undefined {
  const from = `advertising report from ${r.address}`;
  if (r.eventType >= LEGACY_EVENT_TYPES) return `${from} has reserved Event_Type ${r.eventType}`;
  if (r.data.length > LEGACY_MAX_DATA) return `${from} carries ${r.data.length} data octets (at most ${LEGACY_MAX_DATA})`;
  if (r.addressType > MAX_ADDRESS_TYPE) return `${from} has reserved Address_Type 0x${hex(r.addressType)}`;
  if (r.rssi === NOT_A_READING) return `${from} has RSSI ${NOT_A_READING}`;
  return undefined;
}

function extendedFault(r: HciExtAdvReport): string | undefined {
  const from = `extended report from ${r.address}`;
  if (r.dataStatus === 'reserved') return `${from} has the reserved data status 3`;
  if (!PRIMARY_PHYS.has(r.primaryPhy)) return `${from} has Primary_PHY 0x${hex(r.primaryPhy)}`;
  if (r.secondaryPhy > MAX_SECONDARY_PHY) return `${from} has Secondary_PHY 0x${hex(r.secondaryPhy)}`;
  if (r.addressType > MAX_ADDRESS_TYPE && r.addressType !== ANONYMOUS) return `${from} has reserved Address_Type 0x${hex(r.addressType)}`;
  if (r.sid > MAX_SID && r.sid !== NO_SID) return `${from} has reserved Advertising_SID 0x${hex(r.sid)}`;
  if (r.txPower === NOT_A_READING) return `${from} has TX_Power ${NOT_A_READING}`;
  if (r.rssi === NOT_A_READING) return `${from} has RSSI ${NOT_A_READING}`;
  return undefined;
}

const hex = (v: number): string => v.toString(16);
