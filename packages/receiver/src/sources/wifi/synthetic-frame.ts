/**
 * A scan result turned back into the frame it came from, so managed-mode results travel the same decode
 * path as monitor-mode captures: radiotap (frequency, signal) + a beacon or probe response (802.11-2020
 * 9.3.3.3 / 9.3.3.10: MAC header, timestamp, beacon interval, capability) whose elements are the SSID,
 * the DS Parameter Set and the vendor elements iw printed. Other elements are not rebuilt: iw prints
 * them decoded, and nothing Remote ID needs is in them.
 */

import { LINKTYPE, buildRadiotap, concatBytes, parseMac } from '@odid/codec';
import type { ScannedBss, ScannedIeSet } from './iw-scan-parse.js';

const FC_BEACON = 0x80;
const FC_PROBE_RESP = 0x50;
const MAC_HEADER = 24;
const FIXED = 12;

function element(id: number, data: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.of(id, data.length), data]);
}

export interface SyntheticFrame {
  linkType: number;
  data: Uint8Array;
}

export function syntheticFrame(bss: ScannedBss, set: ScannedIeSet): SyntheticFrame {
  const rssi = bss.signalDbm === undefined ? undefined : Math.max(-128, Math.min(127, Math.round(bss.signalDbm)));
  const radiotap = buildRadiotap({
    ...(bss.freqMHz !== undefined && bss.freqMHz > 0 && bss.freqMHz <= 0xffff ? { freqMHz: bss.freqMHz } : {}),
    ...(rssi !== undefined ? { rssi } : {}),
  });
  const head = new Uint8Array(MAC_HEADER + FIXED);
  const view = new DataView(head.buffer);
  head[0] = set.source === 'beacon' ? FC_BEACON : FC_PROBE_RESP;
  head.fill(0xff, 4, 10); // DA: broadcast (the probe response's requester is not in the scan result)
  const mac = parseMac(bss.bssid);
  head.set(mac, 10); // SA
  head.set(mac, 16); // BSSID
  view.setBigUint64(MAC_HEADER, BigInt.asUintN(64, bss.tsf ?? 0n), true);
  view.setUint16(MAC_HEADER + 8, bss.beaconIntervalTU ?? 100, true);
  view.setUint16(MAC_HEADER + 10, bss.capability ?? 0, true);
  const parts = [radiotap, head];
  if (set.ssid !== undefined && set.ssid.length <= 32) parts.push(element(0, set.ssid));
  if (set.channel !== undefined && set.channel <= 0xff) parts.push(element(3, Uint8Array.of(set.channel)));
  parts.push(...set.vendorElements);
  return { linkType: LINKTYPE.IEEE802_11_RADIOTAP, data: concatBytes(parts) };
}
