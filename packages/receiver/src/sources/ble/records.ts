/**
 * One advertising report -> one DLT 201 record (LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR: direction "received"
 * + the H4 event), built with the codec's HCI report builders. A report that arrived alone in its event
 * comes out byte for byte as btmon captured it, so live reception, recordings and pcapng exports share
 * the codec's decode path, including its reassembly of extended-report fragments.
 *
 * Left out (the builders write them as zero): an extended report's Event_Type reserved bits and its
 * direct address, which only directed adverts carry and Remote ID never uses.
 */

import { LINKTYPE, buildHciLeAdvertisingReport, buildHciLeExtAdvertisingReport, type HciExtReport, type HciLegacyReport } from '@odid/codec';
import { dataStatus, type AdvReport, type ExtAdvReport, type LegacyAdvReport } from './hci-reports.js';

export const BLE_RECORD_LINKTYPE = LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR;

const NOT_AVAILABLE = 127;
const ANONYMOUS = 0xff;
const NO_SID = 0xff;
const LEGACY_PDUS: readonly HciLegacyReport['pdu'][] = ['ADV_IND', 'ADV_DIRECT_IND', 'ADV_SCAN_IND', 'ADV_NONCONN_IND', 'SCAN_RSP'];
const PRIMARY_PHYS: Readonly<Record<number, HciExtReport['primaryPhy']>> = { 1: '1M', 3: 'coded' };
const SECONDARY_PHYS: Readonly<Record<number, HciExtReport['secondaryPhy']>> = { 1: '1M', 2: '2M', 3: 'coded' };

/** The report as a DLT 201 record. Throws (RangeError, or the codec's EncodeError) naming a field the controller got wrong. */
export function reportToRecord(r: AdvReport): Uint8Array {
  return r.kind === 'legacy' ? legacyRecord(r) : extendedRecord(r);
}

function legacyRecord(r: LegacyAdvReport): Uint8Array {
  const pdu = LEGACY_PDUS[r.eventType];
  if (pdu === undefined) throw new RangeError(`advertising report from ${r.address} has reserved Event_Type ${r.eventType}`);
  const rep: HciLegacyReport = { pdu, address: r.address, addressType: r.addressType, data: r.data };
  if (r.rssi !== NOT_AVAILABLE) rep.rssi = r.rssi;
  return buildHciLeAdvertisingReport([rep], { phdr: true });
}

function extendedRecord(r: ExtAdvReport): Uint8Array {
  const status = dataStatus(r);
  if (status === 'reserved') throw new RangeError(`extended report from ${r.address} has the reserved data status 3`);
  const primaryPhy = PRIMARY_PHYS[r.primaryPhy];
  if (primaryPhy === undefined) throw new RangeError(`extended report from ${r.address} has Primary_PHY 0x${r.primaryPhy.toString(16)}`);
  const rep: HciExtReport = { properties: r.eventType & 0x1f, fragment: status, primaryPhy, data: r.data };
  if (r.addressType !== ANONYMOUS) {
    rep.address = r.address;
    rep.addressType = r.addressType;
  }
  if (r.secondaryPhy !== 0) {
    const phy = SECONDARY_PHYS[r.secondaryPhy];
    if (phy === undefined) throw new RangeError(`extended report from ${r.address} has Secondary_PHY 0x${r.secondaryPhy.toString(16)}`);
    rep.secondaryPhy = phy;
  }
  if (r.sid !== NO_SID) rep.sid = r.sid;
  if (r.txPower !== NOT_AVAILABLE) rep.txPower = r.txPower;
  if (r.rssi !== NOT_AVAILABLE) rep.rssi = r.rssi;
  if (r.periodicInterval !== 0) rep.periodicInterval = r.periodicInterval;
  return buildHciLeExtAdvertisingReport([rep], { phdr: true });
}
