/**
 * DLT 256 LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR: a 10-byte pseudo-header, then the LE packet from the
 * access address (with a CI byte on LE Coded) to the CRC. Layout per tcpdump.org's link-type page and
 * Wireshark packet-btle_rf.c (spec digest §3.6):
 *   0 RF channel u8 (physical 0..39: 0 = 2402 MHz = adv ch 37, 12 = ch 38, 39 = ch 39)
 *   1 signal i8 dBm, 2 noise i8 dBm, 3 access-address offenses u8, 4 reference AA u32, 8 flags u16.
 */

import { DecodeError, EncodeError } from '../errors.js';
import { diagnostic } from '../diagnostics.js';
import { putU16le, u16le } from '../bytes.js';
import { BLE_CRC_LENGTH, bleCrcMatches } from './ble-crc.js';
import { BLE_AUX_TYPE, BLE_PDU_TYPE, parseBleLlPacket } from './ble-ll.js';
import type { BlePhy, LinkDiagnostic, LinkResult } from './types.js';

const RF_CHANNEL = 0;
const SIGNAL = 1;
const FLAGS = 8;
export const BLE_PHDR_LENGTH = 10;

/** Pseudo-header flag bits. */
export const BLE_PHDR_FLAG = {
  DEWHITENED: 0x0001,
  SIGNAL_VALID: 0x0002,
  NOISE_VALID: 0x0004,
  DECRYPTED: 0x0008,
  REF_AA_VALID: 0x0010,
  AA_OFFENSES_VALID: 0x0020,
  CHANNEL_ALIASED: 0x0040,
  CRC_CHECKED: 0x0400,
  CRC_VALID: 0x0800,
  MIC_CHECKED: 0x1000,
  MIC_VALID: 0x2000,
} as const;

const PDU_TYPE_MASK = 0x0380;
const PDU_TYPE_SHIFT = 7;
/** For the aux-advertising PDU type, the MIC bits carry the aux type instead (0x3000). */
const AUX_TYPE_SHIFT = 12;
const PHY_SHIFT = 14;

/** Values of the PDU-type field (flags 0x0380). */
export const BLE_PHDR_PDU = {
  ADV_OR_DATA: 0,
  AUX_ADV: 1,
  DATA_C2P: 2,
  DATA_P2C: 3,
  CIS_C2P: 4,
  CIS_P2C: 5,
  BIS: 6,
} as const;

const PHY_NAMES: readonly (BlePhy | undefined)[] = ['1M', '2M', 'coded', undefined];
const PHY_CODES: Record<BlePhy, number> = { '1M': 0, '2M': 1, coded: 2 };

const PHYSICAL_CH38 = 12;
const LAST_CHANNEL = 39;

/** Physical RF channel (0..39, ascending frequency) -> BLE channel index; undefined if out of range. */
export function rfChannelToIndex(rf: number): number | undefined {
  if (rf === 0) return 37;
  if (rf === PHYSICAL_CH38) return 38;
  if (rf === LAST_CHANNEL) return 39;
  if (rf >= 1 && rf < PHYSICAL_CH38) return rf - 1;
  if (rf > PHYSICAL_CH38 && rf < LAST_CHANNEL) return rf - 2;
  return undefined;
}

/** BLE channel index 0..39 -> physical RF channel. */
export function indexToRfChannel(index: number): number {
  if (index === 37) return 0;
  if (index === 38) return PHYSICAL_CH38;
  if (index === 39) return LAST_CHANNEL;
  return index <= 10 ? index + 1 : index + 2;
}

/** DLT 256 record -> zero or one BleAdvFrame (data-channel and isochronous packets give none). */
export function decodeBlePhdrRecord(data: Uint8Array): LinkResult {
  const diagnostics: LinkDiagnostic[] = [];
  if (data.length < BLE_PHDR_LENGTH) {
    throw new DecodeError('truncated', 0, `BLE pseudo-header needs ${BLE_PHDR_LENGTH} bytes, ${data.length} present`, 'blePhdr');
  }
  const flags = u16le(data, FLAGS);
  const pduType = (flags & PDU_TYPE_MASK) >> PDU_TYPE_SHIFT;
  if (pduType >= BLE_PHDR_PDU.DATA_C2P && pduType <= BLE_PHDR_PDU.BIS) return { frames: [], diagnostics };
  if (pduType > BLE_PHDR_PDU.BIS) diagnostics.push(diagnostic('link.ble-phdr-reserved', 'blePhdr: reserved PDU type 7', { offset: FLAGS }));

  const rf = data[RF_CHANNEL]!;
  const channel = rfChannelToIndex(rf);
  if (channel === undefined) diagnostics.push(diagnostic('link.ble-phdr-channel', `blePhdr: RF channel ${rf} out of range 0..39`, { offset: RF_CHANNEL }));
  const phyCode = flags >>> PHY_SHIFT;
  const phy = PHY_NAMES[phyCode];
  if (phy === undefined) diagnostics.push(diagnostic('link.ble-phdr-reserved', 'blePhdr: reserved PHY value 3 (parsed as uncoded)', { offset: FLAGS }));
  if (!(flags & BLE_PHDR_FLAG.DEWHITENED)) diagnostics.push(diagnostic('link.ble-phdr-whitened', 'blePhdr: packet not flagged de-whitened', { offset: FLAGS }));

  const frame = parseBleLlPacket(
    data,
    BLE_PHDR_LENGTH,
    data.length,
    {
      coded: phy === 'coded',
      channel,
      auxType: pduType === BLE_PHDR_PDU.AUX_ADV ? (flags >> AUX_TYPE_SHIFT) & 3 : undefined,
      phy,
      rssi: flags & BLE_PHDR_FLAG.SIGNAL_VALID ? (data[SIGNAL]! << 24) >> 24 : undefined,
    },
    diagnostics,
  );
  if (frame === undefined) return { frames: [], diagnostics };
  if (flags & BLE_PHDR_FLAG.CRC_CHECKED) {
    const snifferOk = (flags & BLE_PHDR_FLAG.CRC_VALID) !== 0;
    if (frame.crc === 'unchecked') {
      frame.crc = snifferOk ? 'ok' : 'bad';
      if (!snifferOk) diagnostics.push(diagnostic('link.bad-crc', 'ble: sniffer reports a bad CRC', { offset: FLAGS }));
    } else if ((frame.crc === 'ok') !== snifferOk) {
      diagnostics.push(diagnostic('link.ble-phdr-crc-disagrees', `blePhdr: sniffer says CRC ${snifferOk ? 'valid' : 'invalid'}, computed ${frame.crc}`, { offset: FLAGS }));
    }
  }
  return { frames: [frame], diagnostics };
}

export interface BlePhdrBuild {
  /** BLE channel index 0..39. */
  channel: number;
  /** dBm; sets "signal valid". */
  rssi?: number;
  /** Default '1M'. With 'coded' the packet must carry its CI byte after the AA. */
  phy?: BlePhy;
  /** Aux type of a type-7 PDU on a secondary channel (BLE_AUX_TYPE); default AUX_ADV_IND. */
  auxType?: number;
}

/**
 * Wraps an LE packet (AA .. CRC, as built by buildBleAdvPdu) in a DLT 256 record: de-whitened, signal
 * valid when rssi is given, CRC checked and its verdict computed from the packet, the PHY, and for type-7
 * PDUs on secondary channels the PDU-type field = 1 (auxiliary advertising) with the aux type.
 */
export function buildBlePhdrRecord(packet: Uint8Array, meta: BlePhdrBuild): Uint8Array {
  const { channel, rssi } = meta;
  const phy = meta.phy ?? '1M';
  if (!(Number.isInteger(channel) && channel >= 0 && channel <= LAST_CHANNEL)) {
    throw new EncodeError('out-of-range', 'channel', channel, 'a BLE channel index 0..39');
  }
  if (rssi !== undefined && !(Number.isInteger(rssi) && rssi >= -128 && rssi <= 127)) {
    throw new EncodeError('out-of-range', 'rssi', rssi, 'an integer dBm in -128..127');
  }
  const auxType = meta.auxType ?? BLE_AUX_TYPE.AUX_ADV_IND;
  if (!(Number.isInteger(auxType) && auxType >= 0 && auxType <= 3)) throw new EncodeError('out-of-range', 'auxType', auxType, '0..3');
  if (PHY_CODES[phy] === undefined) throw new EncodeError('invalid', 'phy', phy, "'1M', '2M' or 'coded'");
  const coded = phy === 'coded';
  const hdr = 4 + (coded ? 1 : 0);
  if (packet.length < hdr + 2 + BLE_CRC_LENGTH || hdr + 2 + packet[hdr + 1]! + BLE_CRC_LENGTH !== packet.length) {
    throw new EncodeError('invalid', 'packet', packet.length, `AA${coded ? ' + CI' : ''} + header + payload + CRC, consistent with the length byte`);
  }
  if (coded && packet[4]! > 1) throw new EncodeError('invalid', 'packet[4]', packet[4], 'a coding indicator 0 or 1 (LE Coded packet)');

  let flags = BLE_PHDR_FLAG.DEWHITENED | BLE_PHDR_FLAG.CRC_CHECKED | (PHY_CODES[phy] << PHY_SHIFT);
  if (bleCrcMatches(packet, hdr, packet.length - BLE_CRC_LENGTH)) flags |= BLE_PHDR_FLAG.CRC_VALID;
  if (rssi !== undefined) flags |= BLE_PHDR_FLAG.SIGNAL_VALID;
  if ((packet[hdr]! & 0x0f) === BLE_PDU_TYPE.EXTENDED && channel < 37) {
    flags |= (BLE_PHDR_PDU.AUX_ADV << PDU_TYPE_SHIFT) | (auxType << AUX_TYPE_SHIFT);
  }
  const out = new Uint8Array(BLE_PHDR_LENGTH + packet.length);
  out[RF_CHANNEL] = indexToRfChannel(channel);
  if (rssi !== undefined) out[SIGNAL] = rssi & 0xff;
  putU16le(out, FLAGS, flags);
  out.set(packet, BLE_PHDR_LENGTH);
  return out;
}
