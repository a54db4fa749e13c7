/**
 * Bluetooth LE link-layer packets on the advertising physical channels (Core v5.x Vol 6 Part B 2.1,
 * 2.3): access address (4, LE), on LE Coded a coding-indicator byte (sniffers write it after the AA),
 * PDU header (type bits 3..0, RFU bit 4, ChSel bit 5, TxAdd bit 6, RxAdd bit 7; length byte), payload,
 * CRC-24 (3).
 *
 * Legacy PDUs carry AdvA (+ AdvData); type 7 carries the common extended advertising payload
 * (2.3.4): ext header length (bits 5..0) + AdvMode (bits 7..6), a flags byte, the flagged fields in a
 * fixed order, ACAD, then AdvData. Remote ID BT5 puts AdvA + ADI and the AD in the AUX_ADV_IND; the
 * ADV_EXT_IND on the primary channel has only ADI + AuxPtr and never AdvData.
 */

import { DecodeError, EncodeError } from '../errors.js';
import { diagnostic } from '../diagnostics.js';
import { formatMac, parseMac, u16le, u32le } from '../bytes.js';
import { BLE_CRC_LENGTH, bleCrcMatches, putBleCrc } from './ble-crc.js';
import type { BleAdvFrame, BlePduName, BlePhy, LinkDiagnostic, LinkResult } from './types.js';

/** Access address of every advertising physical channel packet. */
export const BLE_ADV_ACCESS_ADDRESS = 0x8e89bed6;

const AA_LENGTH = 4;
const CI_LENGTH = 1;
const PDU_HEADER_LENGTH = 2;
const ADDRESS_LENGTH = 6;
/** Legacy advertising payloads are at most AdvA (6) + 31 bytes of data. */
const LEGACY_MAX_PAYLOAD = 37;
const LEGACY_MAX_ADV_DATA = 31;
const MAX_PAYLOAD = 255;

// PDU header byte 0.
const HDR_TYPE_MASK = 0x0f;
const HDR_RFU = 0x10;
const HDR_TXADD = 0x40;
const HDR_RXADD = 0x80;

/** Advertising physical channel PDU types (header bits 3..0). */
export const BLE_PDU_TYPE = {
  ADV_IND: 0,
  ADV_DIRECT_IND: 1,
  ADV_NONCONN_IND: 2,
  SCAN_REQ: 3,
  SCAN_RSP: 4,
  CONNECT_IND: 5,
  ADV_SCAN_IND: 6,
  EXTENDED: 7, // ADV_EXT_IND / AUX_ADV_IND / AUX_SCAN_RSP / AUX_SYNC_IND / AUX_CHAIN_IND
  AUX_CONNECT_RSP: 8,
} as const;

const LEGACY_NAMES: readonly BlePduName[] = [
  'ADV_IND',
  'ADV_DIRECT_IND',
  'ADV_NONCONN_IND',
  'SCAN_REQ',
  'SCAN_RSP',
  'CONNECT_IND',
  'ADV_SCAN_IND',
];

/** Sniffer "aux type" numbering (nRF flags bits 2..1, DLT 256 flags 0x3000): same in both. */
export const BLE_AUX_TYPE = { AUX_ADV_IND: 0, AUX_CHAIN_IND: 1, AUX_SYNC_IND: 2, AUX_SCAN_RSP: 3 } as const;
const AUX_NAMES: readonly BlePduName[] = ['AUX_ADV_IND', 'AUX_CHAIN_IND', 'AUX_SYNC_IND', 'AUX_SCAN_RSP'];

// Extended header flags (2.3.4.1) and the size of each flagged field, in wire order.
const EXT_ADVA = 0x01;
const EXT_TARGETA = 0x02;
const EXT_CTEINFO = 0x04;
const EXT_ADI = 0x08;
const EXT_AUXPTR = 0x10;
const EXT_SYNCINFO = 0x20;
const EXT_TXPOWER = 0x40;
const EXT_RFU = 0x80;
const EXT_LEN_MASK = 0x3f;
const ADI_LENGTH = 2;
const CTEINFO_LENGTH = 1;
const AUXPTR_LENGTH = 3;
const SYNCINFO_LENGTH = 18;
const TXPOWER_LENGTH = 1;
const ADI_DID_MASK = 0x0fff;
const ADI_SID_SHIFT = 12;

const FIRST_PRIMARY_CHANNEL = 37;
const EMPTY = new Uint8Array(0);

export interface BleLlOptions {
  /** LE Coded PHY: a coding-indicator byte follows the access address. */
  coded?: boolean;
  /** BLE channel index 0..39, when the capture knows it (37..39 = primary advertising channels). */
  channel?: number;
  /** Sniffer-supplied aux PDU type for type-7 PDUs on secondary channels (BLE_AUX_TYPE). */
  auxType?: number;
  /** Check the CRC (default true). Only possible with the advertising access address. */
  checkCrc?: boolean;
  /** Copied onto the frame. */
  phy?: BlePhy;
  rssi?: number;
}

/**
 * Parses one link-layer packet in data[start, end) (end defaults to the buffer's end). Returns
 * undefined for packets that are not advertising PDUs (data channel access address, AUX_CONNECT_RSP).
 * Structural errors throw DecodeError with offsets into `data`; CRC failure is `crc: 'bad'` plus a
 * diagnostic; bytes after the CRC are a diagnostic.
 */
export function parseBleLlPacket(
  data: Uint8Array,
  start = 0,
  end = data.length,
  opts: BleLlOptions = {},
  diagnostics: LinkDiagnostic[] = [],
): BleAdvFrame | undefined {
  if (end > data.length) end = data.length;
  const hdr = start + AA_LENGTH + (opts.coded ? CI_LENGTH : 0);
  if (hdr + PDU_HEADER_LENGTH > end) {
    throw new DecodeError('truncated', start, `BLE packet needs ${hdr + PDU_HEADER_LENGTH - start} bytes before the payload, ${end - start} present`, 'ble');
  }
  const aa = u32le(data, start);
  const h0 = data[hdr]!;
  const type = h0 & HDR_TYPE_MASK;
  const len = data[hdr + 1]!;
  const p = hdr + PDU_HEADER_LENGTH;
  const crcAt = p + len;
  if (crcAt + BLE_CRC_LENGTH > end) {
    throw new DecodeError('truncated', hdr + 1, `BLE PDU length ${len} + CRC needs ${crcAt + BLE_CRC_LENGTH - p} bytes, ${end - p} present`, 'ble.length');
  }

  const advAa = aa === BLE_ADV_ACCESS_ADDRESS;
  // Periodic advertising (AUX_SYNC_IND) uses its own AA and CRC preset; parse it only when a sniffer
  // tells us that is what it is, and leave its CRC unchecked.
  const periodic = !advAa && opts.auxType === BLE_AUX_TYPE.AUX_SYNC_IND && type === BLE_PDU_TYPE.EXTENDED;
  if (!advAa && !periodic) return undefined;
  if (type === BLE_PDU_TYPE.AUX_CONNECT_RSP) return undefined;
  if (type > BLE_PDU_TYPE.AUX_CONNECT_RSP) {
    throw new DecodeError('unsupported', hdr, `reserved advertising PDU type ${type}`, 'ble.pduType');
  }

  let crc: BleAdvFrame['crc'] = 'unchecked';
  if (advAa && opts.checkCrc !== false) {
    crc = bleCrcMatches(data, hdr, crcAt) ? 'ok' : 'bad';
    if (crc === 'bad') diagnostics.push(diagnostic('link.bad-crc', 'ble: bad CRC', { offset: crcAt }));
  }
  if (crcAt + BLE_CRC_LENGTH < end) {
    diagnostics.push(diagnostic('link.ble-trailing-bytes', `ble: ${end - crcAt - BLE_CRC_LENGTH} bytes after the CRC`, { offset: crcAt + BLE_CRC_LENGTH }));
  }
  if (h0 & HDR_RFU) diagnostics.push(diagnostic('link.ble-reserved-bits', 'ble: reserved PDU header bit 4 set', { offset: hdr }));

  let frame: BleAdvFrame;
  try {
    frame =
      type === BLE_PDU_TYPE.EXTENDED
        ? parseExtended(data, p, len, h0, opts, diagnostics)
        : parseLegacy(data, p, len, h0, type, diagnostics);
  } catch (e) {
    // A corrupted packet usually fails both ways; say so, the CRC explains the structure.
    if (crc === 'bad' && e instanceof DecodeError) throw new DecodeError(e.code, e.offset, `${e.reason} (and the CRC is bad)`, e.path);
    throw e;
  }
  frame.crc = crc;
  if (opts.channel !== undefined) frame.channel = opts.channel;
  if (opts.phy !== undefined) frame.phy = opts.phy;
  if (opts.rssi !== undefined) frame.rssi = opts.rssi;
  return frame;
}

function parseLegacy(data: Uint8Array, p: number, len: number, h0: number, type: number, diagnostics: LinkDiagnostic[]): BleAdvFrame {
  const name = LEGACY_NAMES[type]!;
  // SCAN_REQ (ScanA, AdvA) and CONNECT_IND (InitA, AdvA, LLData) name the advertiser second, typed by RxAdd.
  const second = type === BLE_PDU_TYPE.SCAN_REQ || type === BLE_PDU_TYPE.CONNECT_IND;
  const need = second ? 2 * ADDRESS_LENGTH : ADDRESS_LENGTH;
  if (len < need) {
    throw new DecodeError('malformed', p - 1, `${name} payload of ${len} bytes cannot hold its addresses (${need})`, 'ble.length');
  }
  if (len > LEGACY_MAX_PAYLOAD) {
    diagnostics.push(diagnostic('link.ble-oversized-pdu', `ble: ${name} payload ${len} bytes exceeds the legacy maximum ${LEGACY_MAX_PAYLOAD}`, { offset: p - 1 }));
  }
  const carriesData =
    type === BLE_PDU_TYPE.ADV_IND ||
    type === BLE_PDU_TYPE.ADV_NONCONN_IND ||
    type === BLE_PDU_TYPE.SCAN_RSP ||
    type === BLE_PDU_TYPE.ADV_SCAN_IND;
  return {
    kind: 'ble',
    pdu: name,
    extended: false,
    address: formatMac(data, second ? p + ADDRESS_LENGTH : p, true),
    addressRandom: (h0 & (second ? HDR_RXADD : HDR_TXADD)) !== 0,
    advData: carriesData ? data.subarray(p + ADDRESS_LENGTH, p + len) : EMPTY,
    crc: 'unchecked',
  };
}

function parseExtended(
  data: Uint8Array,
  p: number,
  len: number,
  h0: number,
  opts: BleLlOptions,
  diagnostics: LinkDiagnostic[],
): BleAdvFrame {
  if (len < 1) throw new DecodeError('malformed', p - 1, 'extended advertising PDU with an empty payload', 'ble.length');
  const extLen = data[p]! & EXT_LEN_MASK;
  const extEnd = p + 1 + extLen;
  const payloadEnd = p + len;
  if (extEnd > payloadEnd) {
    throw new DecodeError('malformed', p, `extended header length ${extLen} exceeds the ${len}-byte payload`, 'ble.extHeader.length');
  }
  const frame: BleAdvFrame = { kind: 'ble', pdu: 'AUX_ADV_IND', extended: true, advData: EMPTY, crc: 'unchecked' };
  let flags = 0;
  if (extLen > 0) {
    flags = data[p + 1]!;
    if (flags & EXT_RFU) diagnostics.push(diagnostic('link.ble-reserved-bits', 'ble: reserved extended header flag bit 7 set', { offset: p + 1 }));
    let o = p + 2;
    if (flags & EXT_ADVA) {
      o = need(o, ADDRESS_LENGTH, extEnd, 'AdvA');
      frame.address = formatMac(data, o - ADDRESS_LENGTH, true);
      frame.addressRandom = (h0 & HDR_TXADD) !== 0;
    }
    if (flags & EXT_TARGETA) o = need(o, ADDRESS_LENGTH, extEnd, 'TargetA');
    if (flags & EXT_CTEINFO) o = need(o, CTEINFO_LENGTH, extEnd, 'CTEInfo');
    if (flags & EXT_ADI) {
      o = need(o, ADI_LENGTH, extEnd, 'ADI');
      const adi = u16le(data, o - ADI_LENGTH);
      frame.did = adi & ADI_DID_MASK;
      frame.sid = adi >> ADI_SID_SHIFT;
    }
    if (flags & EXT_AUXPTR) o = need(o, AUXPTR_LENGTH, extEnd, 'AuxPtr');
    if (flags & EXT_SYNCINFO) o = need(o, SYNCINFO_LENGTH, extEnd, 'SyncInfo');
    if (flags & EXT_TXPOWER) {
      o = need(o, TXPOWER_LENGTH, extEnd, 'TxPower');
      frame.txPower = (data[o - 1]! << 24) >> 24;
    }
    // Whatever is left up to extEnd is ACAD: not advertising data, skipped.
  }
  frame.advData = data.subarray(extEnd, payloadEnd);
  frame.pdu = extendedName(opts, flags, frame.advData.length);
  return frame;
}

/** Advances past a flagged extended-header field, or throws if it does not fit the header. */
function need(o: number, size: number, extEnd: number, field: string): number {
  if (o + size > extEnd) {
    throw new DecodeError('malformed', o, `extended header field ${field} (${size} bytes) runs past the header length`, `ble.extHeader.${field}`);
  }
  return o + size;
}

/**
 * Type 7 names: primary channels carry ADV_EXT_IND; on secondary channels the sniffer's aux type
 * decides, defaulting to AUX_ADV_IND. With no channel at all (DLT 251) a packet with an AuxPtr and no
 * AdvData is taken for ADV_EXT_IND.
 */
function extendedName(opts: BleLlOptions, flags: number, advDataLength: number): BlePduName {
  const ch = opts.channel;
  if (ch !== undefined && ch >= FIRST_PRIMARY_CHANNEL) return 'ADV_EXT_IND';
  if (opts.auxType !== undefined) return AUX_NAMES[opts.auxType & 3]!;
  if (ch === undefined && advDataLength === 0 && flags & EXT_AUXPTR) return 'ADV_EXT_IND';
  return 'AUX_ADV_IND';
}

const NO_OPTIONS: BleLlOptions = {};

/**
 * DLT 251 LINKTYPE_BLUETOOTH_LE_LL record: the bare packet, access address to CRC. No PHY, channel or
 * signal metadata and never a CI byte (LE Coded captures need DLT 256 or 272).
 */
export function decodeBleLlRecord(data: Uint8Array): LinkResult {
  const diagnostics: LinkDiagnostic[] = [];
  const frame = parseBleLlPacket(data, 0, data.length, NO_OPTIONS, diagnostics);
  return { frames: frame === undefined ? [] : [frame], diagnostics };
}

export interface BleAdvPduBuild {
  pdu: 'ADV_NONCONN_IND' | 'AUX_ADV_IND';
  /** Advertiser address as printed, e.g. "c0:11:22:33:44:55" (sent LSB first). */
  address: string;
  /** TxAdd. Default true: Remote ID transmitters use random static addresses. */
  addressRandom?: boolean;
  advData: Uint8Array;
  /** AUX_ADV_IND only: ADI fields. Default 0. */
  sid?: number;
  did?: number;
  /** AUX_ADV_IND only: add the TxPower field (dBm). */
  txPower?: number;
  /** Write a coding-indicator byte after the AA (LE Coded captures): 0 = S8, 1 = S2. */
  codingIndicator?: 0 | 1;
}

/**
 * Builds AA + [CI] + PDU + CRC for ADV_NONCONN_IND (AdvA, AdvData) or AUX_ADV_IND (AdvMode 0,
 * extended header AdvA + ADI [+ TxPower], AdvData), with the advertising access address and CRC preset.
 */
export function buildBleAdvPdu(b: BleAdvPduBuild): Uint8Array {
  const addr = macBytes(b.address);
  const aux = b.pdu === 'AUX_ADV_IND';
  if (!aux && b.pdu !== 'ADV_NONCONN_IND') {
    throw new EncodeError('invalid', 'pdu', b.pdu, '"ADV_NONCONN_IND" or "AUX_ADV_IND"');
  }
  const sid = b.sid ?? 0;
  const did = b.did ?? 0;
  if (aux && !(Number.isInteger(sid) && sid >= 0 && sid <= 15)) throw new EncodeError('out-of-range', 'sid', sid, '0..15');
  if (aux && !(Number.isInteger(did) && did >= 0 && did <= ADI_DID_MASK)) throw new EncodeError('out-of-range', 'did', did, '0..4095');
  const hasTx = aux && b.txPower !== undefined;
  if (hasTx && !(Number.isInteger(b.txPower) && b.txPower! >= -127 && b.txPower! <= 126)) {
    throw new EncodeError('out-of-range', 'txPower', b.txPower, '-127..126 dBm');
  }
  const extLen = aux ? 1 + ADDRESS_LENGTH + ADI_LENGTH + (hasTx ? TXPOWER_LENGTH : 0) : 0;
  const payloadLen = aux ? 1 + extLen + b.advData.length : ADDRESS_LENGTH + b.advData.length;
  const maxData = aux ? MAX_PAYLOAD - 1 - extLen : LEGACY_MAX_ADV_DATA;
  if (b.advData.length > maxData) {
    throw new EncodeError('out-of-range', 'advData.length', b.advData.length, `at most ${maxData} bytes for ${b.pdu}`);
  }
  const ci = b.codingIndicator;
  if (ci !== undefined && ci !== 0 && ci !== 1) throw new EncodeError('out-of-range', 'codingIndicator', ci, '0 (S8) or 1 (S2)');

  const hdr = AA_LENGTH + (ci !== undefined ? CI_LENGTH : 0);
  const out = new Uint8Array(hdr + PDU_HEADER_LENGTH + payloadLen + BLE_CRC_LENGTH);
  out[0] = BLE_ADV_ACCESS_ADDRESS & 0xff;
  out[1] = (BLE_ADV_ACCESS_ADDRESS >>> 8) & 0xff;
  out[2] = (BLE_ADV_ACCESS_ADDRESS >>> 16) & 0xff;
  out[3] = BLE_ADV_ACCESS_ADDRESS >>> 24;
  if (ci !== undefined) out[AA_LENGTH] = ci;
  out[hdr] = (aux ? BLE_PDU_TYPE.EXTENDED : BLE_PDU_TYPE.ADV_NONCONN_IND) | (b.addressRandom === false ? 0 : HDR_TXADD);
  out[hdr + 1] = payloadLen;
  let o = hdr + PDU_HEADER_LENGTH;
  if (aux) {
    out[o++] = extLen; // AdvMode 0: non-connectable, non-scannable
    out[o++] = EXT_ADVA | EXT_ADI | (hasTx ? EXT_TXPOWER : 0);
  }
  for (let i = 0; i < ADDRESS_LENGTH; i++) out[o + i] = addr[ADDRESS_LENGTH - 1 - i]!;
  o += ADDRESS_LENGTH;
  if (aux) {
    const adi = (sid << ADI_SID_SHIFT) | did;
    out[o++] = adi & 0xff;
    out[o++] = adi >>> 8;
    if (hasTx) out[o++] = b.txPower! & 0xff;
  }
  out.set(b.advData, o);
  o += b.advData.length;
  putBleCrc(out, hdr, o);
  return out;
}

/** Parses a printed MAC for builders, turning a bad string into an EncodeError. */
export function macBytes(mac: string, field = 'address'): Uint8Array {
  try {
    return parseMac(mac);
  } catch {
    throw new EncodeError('invalid', field, mac, 'six hex pairs such as c0:11:22:33:44:55');
  }
}
