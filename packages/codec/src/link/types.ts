/**
 * What the link layers hand upwards: one captured record (link type + bytes) becomes zero or more
 * normalised radio frames. Byte fields are subarray views into the record, never copies, so a frame is
 * only valid as long as the caller keeps the record's buffer unchanged.
 */

import type { Diagnostic, LinkLayerId } from '../diagnostics.js';

/**
 * FCS of an 802.11 frame: 'ok'/'bad' when the 4 trailing bytes were known (or found) to be an FCS and were
 * checked and stripped; 'absent' when the capture says there is none; 'unknown' when nothing says and the
 * last 4 bytes did not match a CRC-32 (so they were left in place); 'not-captured' when the header says it
 * is there but the capture cut the record short (snap length) before its end, so it cannot be checked
 * (whatever part of it was captured is stripped).
 */
export type FcsStatus = 'ok' | 'bad' | 'absent' | 'unknown' | 'not-captured';

export interface WifiFrame {
  kind: 'wifi';
  /** The 802.11 MAC frame, FCS stripped. */
  frame: Uint8Array;
  /** dBm (radiotap antenna signal, or the radio header's dBm signal). */
  rssi?: number;
  freqMHz?: number;
  channel?: number;
  /** Data rate from the radio header, kb/s (radiotap: the legacy rate). */
  rateKbps?: number;
  fcs: FcsStatus;
}

/**
 * Advertising-channel PDU names of the LE link layer (Core Vol 6 Part B 2.3). Type 7 has several names
 * that the bits alone cannot tell apart: the channel and sniffer metadata decide (see ble-ll.ts).
 * 'UNKNOWN' is used only for HCI reports whose event type is reserved.
 */
export type BlePduName =
  | 'ADV_IND'
  | 'ADV_DIRECT_IND'
  | 'ADV_NONCONN_IND'
  | 'SCAN_REQ'
  | 'SCAN_RSP'
  | 'CONNECT_IND'
  | 'ADV_SCAN_IND'
  | 'ADV_EXT_IND'
  | 'AUX_ADV_IND'
  | 'AUX_CHAIN_IND'
  | 'AUX_SYNC_IND'
  | 'AUX_SCAN_RSP'
  | 'UNKNOWN';

export type BlePhy = '1M' | '2M' | 'coded';

/** HCI extended report data status: whether more fragments of the same advert follow. */
export type BleFragment = 'complete' | 'more' | 'truncated';

export interface BleAdvFrame {
  kind: 'ble';
  pdu: BlePduName;
  /** True for extended advertising (PDU type 7, or an HCI extended report without the legacy bit). */
  extended: boolean;
  /**
   * The advertiser's address (AdvA) as printed: lowercase aa:bb:.., most significant byte first. Absent for
   * extended PDUs without AdvA (AUX_CHAIN_IND, anonymous adverts).
   */
  address?: string;
  addressRandom?: boolean;
  /** The AD structures (empty if none). */
  advData: Uint8Array;
  rssi?: number;
  /** BLE channel index 0..39 (37..39 primary advertising). */
  channel?: number;
  phy?: BlePhy;
  crc: 'ok' | 'bad' | 'unchecked';
  /** Advertising set ID and data ID from the ADI (extended PDUs) or the HCI report. */
  sid?: number;
  did?: number;
  /** TX power (dBm) from the extended header or HCI report, when given. */
  txPower?: number;
  /** HCI extended reports only: fragments of one advert must be joined by the layer above. */
  fragment?: BleFragment;
}

export type LinkFrame = WifiFrame | BleAdvFrame;

/**
 * Diagnostics are what a capture got wrong that did not stop decoding (bad CRC, reserved bits, ...): only
 * ids with a layer, which the receive path counts per layer.
 */
export interface LinkResult {
  frames: LinkFrame[];
  diagnostics: LinkDiagnostic[];
}

export type LinkDiagnostic = Diagnostic<LinkLayerId>;
