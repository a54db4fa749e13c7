/**
 * DLT 272 LINKTYPE_NORDIC_BLE: the nRF Sniffer for Bluetooth LE's UART packet, then the LE packet from
 * the access address (CI byte after it on LE Coded). Layout per Wireshark packet-nordic_ble.c and the
 * spec digest §3.6; header versions 1..3:
 *
 *   0 board ID
 *   1 v>=2: payload length u16 LE (bytes after this 7-byte header) | v1: header length u8, payload length u8
 *   3 protocol version, 4 packet counter u16, 6 packet ID
 *   7 event header length (10), 8 flags, 9 channel index, 10 RSSI magnitude, 11 event counter u16,
 *   13 timestamp (v3) or delta time (v<3) u32, then the LE packet at 7 + event header length.
 *
 * and the legacy header (v0, firmware before 1.0), marked by 0xBEEF where the board ID would be:
 *
 *   0 0xBE 0xEF, 2 packet ID, 3 packet counter u16, 5 two unused bytes, 7 payload length u8 (bytes after
 *   this 8-byte header), then flags, channel, RSSI, event counter and delta time at the same offsets as
 *   above (8..16, no event header length byte: its size is fixed) and the LE packet at 17.
 *
 * Flags: bit 0 CRC OK; advertising packets on secondary channels: bits 2..1 aux type; bits 6..4 PHY.
 */

import { DecodeError } from '../errors.js';
import { diagnostic } from '../diagnostics.js';
import { u16le } from '../bytes.js';
import { parseBleLlPacket } from './ble-ll.js';
import type { BlePhy, LinkDiagnostic, LinkResult } from './types.js';

// Byte 0 (board ID) is informational only.
const PAYLOAD_LENGTH = 1; // u16 in v>=2
const V1_HEADER_LENGTH = 1;
const V1_PAYLOAD_LENGTH = 2;
const PROTOCOL_VERSION = 3;
const PACKET_ID = 6;
const UART_HEADER_LENGTH = 7; // board ID + 6-byte UART header
const EVENT_HEADER_LENGTH = 7;
const FLAGS = 8;
const CHANNEL = 9;
const RSSI = 10;
/** Event header: length, flags, channel, RSSI, event counter (2), time (4). */
const MIN_EVENT_HEADER = 10;

const LEGACY_MARKER_0 = 0xbe;
const LEGACY_MARKER_1 = 0xef;
// Legacy (v0) header.
const V0_PACKET_ID = 2;
const V0_PAYLOAD_LENGTH = 7;
const V0_UART_HEADER_LENGTH = 8;
/** The LE packet follows flags (8) .. delta time (13..16). */
const V0_ACCESS_ADDRESS = 17;
const NEWEST_VERSION = 3;

/** Packet IDs carrying a radio packet. */
export const NORDIC_PACKET_ID = {
  /** v3: advertising physical channel PDU. */
  EVENT_PACKET_ADVERTISING: 0x02,
  /** v3: data physical channel PDU; v1/v2: any packet (the access address tells). */
  EVENT_PACKET_DATA: 0x06,
} as const;

const FLAG_CRC_OK = 0x01;
const AUX_TYPE_SHIFT = 1;
const PHY_SHIFT = 4;
const PHY_MASK = 0x07;
const FIRST_PRIMARY_CHANNEL = 37;
const LAST_CHANNEL = 39;
const PHY_NAMES: readonly BlePhy[] = ['1M', '2M', 'coded'];

/** DLT 272 record -> zero or one BleAdvFrame. */
export function decodeNordicBleRecord(data: Uint8Array): LinkResult {
  const diagnostics: LinkDiagnostic[] = [];
  const n = data.length;
  const legacy = n >= 2 && data[0] === LEGACY_MARKER_0 && data[1] === LEGACY_MARKER_1;
  const minimum = legacy ? V0_ACCESS_ADDRESS : UART_HEADER_LENGTH + MIN_EVENT_HEADER;
  if (n < minimum) {
    throw new DecodeError('truncated', 0, `nRF Sniffer ${legacy ? 'legacy ' : ''}header needs ${minimum} bytes, ${n} present`, 'nordic');
  }
  let version = legacy ? 0 : data[PROTOCOL_VERSION]!;
  if (!legacy && version === 0) throw new DecodeError('unsupported', PROTOCOL_VERSION, 'nRF Sniffer protocol version 0 without the 0xBEEF marker', 'nordic.version');
  if (version > NEWEST_VERSION) {
    diagnostics.push(diagnostic('link.nordic-version', `nordic: protocol version ${version} unknown, read as ${NEWEST_VERSION}`, { offset: PROTOCOL_VERSION }));
    version = NEWEST_VERSION;
  }

  // Total record length the header claims.
  const lengthAt = version === 0 ? V0_PAYLOAD_LENGTH : PAYLOAD_LENGTH;
  const total =
    version === 0
      ? V0_UART_HEADER_LENGTH + data[V0_PAYLOAD_LENGTH]!
      : version === 1
        ? data[V1_HEADER_LENGTH]! + 1 + data[V1_PAYLOAD_LENGTH]!
        : UART_HEADER_LENGTH + u16le(data, PAYLOAD_LENGTH);
  if (total > n) {
    throw new DecodeError('truncated', lengthAt, `nRF Sniffer record claims ${total} bytes, ${n} present`, 'nordic.payloadLength');
  }
  if (total < n) diagnostics.push(diagnostic('link.nordic-trailing-bytes', `nordic: ${n - total} bytes after the payload`, { offset: total }));

  // v1, v2 and the legacy header name every radio packet EVENT_PACKET_DATA (the access address tells which).
  const idAt = version === 0 ? V0_PACKET_ID : PACKET_ID;
  const id = data[idAt]!;
  if (version === NEWEST_VERSION) {
    if (id === NORDIC_PACKET_ID.EVENT_PACKET_DATA) return { frames: [], diagnostics };
    if (id !== NORDIC_PACKET_ID.EVENT_PACKET_ADVERTISING) return noPacket(id, idAt, diagnostics);
  } else if (id !== NORDIC_PACKET_ID.EVENT_PACKET_DATA) {
    return noPacket(id, idAt, diagnostics);
  }

  let aaAt = V0_ACCESS_ADDRESS;
  if (version !== 0) {
    const eventLen = data[EVENT_HEADER_LENGTH]!;
    if (eventLen < MIN_EVENT_HEADER) {
      throw new DecodeError('malformed', EVENT_HEADER_LENGTH, `nRF event header length ${eventLen} < ${MIN_EVENT_HEADER}`, 'nordic.eventHeaderLength');
    }
    aaAt = UART_HEADER_LENGTH + eventLen;
  }
  if (aaAt > total) {
    throw new DecodeError('truncated', version === 0 ? V0_PAYLOAD_LENGTH : EVENT_HEADER_LENGTH, `nRF event header runs past the record of ${total} bytes`, 'nordic.eventHeaderLength');
  }

  const flags = data[FLAGS]!;
  const phyCode = (flags >> PHY_SHIFT) & PHY_MASK;
  const phy = PHY_NAMES[phyCode];
  if (phy === undefined) diagnostics.push(diagnostic('link.nordic-reserved-phy', `nordic: reserved PHY value ${phyCode} (parsed as uncoded)`, { offset: FLAGS }));
  const ch = data[CHANNEL]!;
  const channel = ch <= LAST_CHANNEL ? ch : undefined;
  if (channel === undefined) diagnostics.push(diagnostic('link.nordic-channel', `nordic: channel index ${ch} out of range 0..39`, { offset: CHANNEL }));
  const snifferOk = (flags & FLAG_CRC_OK) !== 0;

  const frame = parseBleLlPacket(
    data,
    aaAt,
    total,
    {
      coded: phy === 'coded',
      channel,
      auxType: channel !== undefined && channel < FIRST_PRIMARY_CHANNEL ? (flags >> AUX_TYPE_SHIFT) & 3 : undefined,
      phy,
      rssi: -data[RSSI]!, // stored as a magnitude
    },
    diagnostics,
  );
  if (frame === undefined) return { frames: [], diagnostics };
  if (frame.crc === 'unchecked') {
    frame.crc = snifferOk ? 'ok' : 'bad';
    if (!snifferOk) diagnostics.push(diagnostic('link.bad-crc', 'ble: sniffer reports a bad CRC', { offset: FLAGS }));
  } else if ((frame.crc === 'ok') !== snifferOk) {
    diagnostics.push(diagnostic('link.nordic-crc-disagrees', `nordic: sniffer says CRC ${snifferOk ? 'OK' : 'bad'}, computed ${frame.crc}`, { offset: FLAGS }));
  }
  return { frames: [frame], diagnostics };
}

/** A sniffer event other than a radio packet (status, ping...): nothing to decode. */
function noPacket(id: number, idAt: number, diagnostics: LinkDiagnostic[]): LinkResult {
  diagnostics.push(diagnostic('link.nordic-no-packet', `nordic: packet ID 0x${id.toString(16)} carries no radio packet`, { offset: idAt }));
  return { frames: [], diagnostics };
}
