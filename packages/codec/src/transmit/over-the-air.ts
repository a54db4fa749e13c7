/**
 * The bytes a transmitter puts on the air for each Remote ID transport, as capture records: Wi-Fi frames
 * behind a radiotap header (DLT 127), BLE advertising PDUs behind the LE pseudo-header (DLT 256). The
 * broadcaster's pcapng sink, the simulated air and `odid encode --pcapng` all write these, so a receiver
 * reads simulated and real traffic through one path. Pure: times and counters are passed in.
 */

import { buildLegacyAdvData, buildExtendedAdvData } from '../framing/ble-service-data.js';
import { buildBeaconFrame } from '../framing/wifi-beacon.js';
import { buildNanServiceDiscoveryFrame, buildNanSyncBeacon } from '../framing/wifi-nan.js';
import { buildBleAdvPdu } from '../link/ble-ll.js';
import { buildBlePhdrRecord } from '../link/ble-phdr.js';
import { LINKTYPE } from '../link/decode-link.js';
import { buildRadiotap } from '../link/radiotap.js';
import { concatBytes } from '../bytes.js';
import type { BroadcastTransport } from '../transports.js';


export interface AirFrame {
  transport: BroadcastTransport;
  linkType: number;
  data: Uint8Array;
}

export interface AirFrameOptions {
  transport: BroadcastTransport;
  /** Transmitter address: BLE AdvA (a random static address) or Wi-Fi SA/BSSID. */
  address: string;
  counter: number;
  /** One 25-byte message for ble-legacy; a message pack for every other transport. */
  payload: Uint8Array;
  /** Wi-Fi TSF in µs (beacon timestamp). */
  timestampUs?: number;
  /** 802.11 sequence number. */
  sequence?: number;
  /** BLE channel index (default 37 for legacy, 10 for the AUX_ADV_IND) or Wi-Fi channel (default 6). */
  channel?: number;
  /** Signal strength to record (simulated reception); absent for what a transmitter writes. */
  rssi?: number;
  /** Wi-Fi beacon SSID (Remote ID does not define it). */
  ssid?: string;
  /** Wi-Fi beacon interval, TU. */
  beaconIntervalTU?: number;
  /** BLE 5 advertising set ID and data ID. */
  sid?: number;
  did?: number;
}

const WIFI_FREQ: Record<number, number> = { 1: 2412, 6: 2437, 11: 2462, 36: 5180, 44: 5220, 149: 5745, 153: 5765 };
const wifiFreq = (channel: number): number => WIFI_FREQ[channel] ?? (channel <= 14 ? 2407 + 5 * channel : 5000 + 5 * channel);

/** The capture records of one transmission: one record, or for NAN the sync beacon and the SDF. */
export function buildAirFrames(o: AirFrameOptions): AirFrame[] {
  switch (o.transport) {
    case 'ble-legacy': {
      const pdu = buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: o.address, advData: buildLegacyAdvData(o.counter, o.payload) });
      const rec = buildBlePhdrRecord(pdu, { channel: o.channel ?? 37, phy: '1M', ...(o.rssi !== undefined ? { rssi: o.rssi } : {}) });
      return [{ transport: o.transport, linkType: LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, data: rec }];
    }
    case 'ble-extended': {
      // The data travels in the AUX_ADV_IND on a secondary channel, LE Coded PHY (S=8) for long range.
      const pdu = buildBleAdvPdu({
        pdu: 'AUX_ADV_IND',
        address: o.address,
        advData: buildExtendedAdvData(o.counter, o.payload),
        sid: o.sid ?? 1,
        did: o.did ?? 0,
        codingIndicator: 0,
      });
      const rec = buildBlePhdrRecord(pdu, { channel: o.channel ?? 10, phy: 'coded', ...(o.rssi !== undefined ? { rssi: o.rssi } : {}) });
      return [{ transport: o.transport, linkType: LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, data: rec }];
    }
    case 'wifi-beacon': {
      const channel = o.channel ?? 6;
      const frame = buildBeaconFrame({
        mac: o.address,
        ssid: o.ssid ?? 'RID',
        counter: o.counter,
        pack: o.payload,
        timestampUs: Math.round(o.timestampUs ?? 0),
        beaconIntervalTU: o.beaconIntervalTU ?? 100,
        channel,
        sequence: (o.sequence ?? 0) & 0xfff,
      });
      return [wifiRecord('wifi-beacon', frame, channel, o.rssi)];
    }
    case 'wifi-nan': {
      const channel = o.channel ?? 6;
      const seq = o.sequence ?? 0;
      const sync = buildNanSyncBeacon({ mac: o.address, timestampUs: Math.round(o.timestampUs ?? 0), sequence: seq & 0xfff });
      const sdf = buildNanServiceDiscoveryFrame({ mac: o.address, counter: o.counter, pack: o.payload, sequence: (seq + 1) & 0xfff });
      return [wifiRecord('wifi-nan', sync, channel, o.rssi), wifiRecord('wifi-nan', sdf, channel, o.rssi)];
    }
  }
}

function wifiRecord(transport: BroadcastTransport, frame: Uint8Array, channel: number, rssi: number | undefined): AirFrame {
  const rt = buildRadiotap({ freqMHz: wifiFreq(channel), ...(rssi !== undefined ? { rssi } : {}) });
  return { transport, linkType: LINKTYPE.IEEE802_11_RADIOTAP, data: concatBytes([rt, frame]) };
}
