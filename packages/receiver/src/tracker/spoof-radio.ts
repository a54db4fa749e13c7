/**
 * The strongest signal physics allows from a distance: free-space path loss (Friis), the least any real path
 * loses, from the most a transmitter of the transport may radiate. A receiver hearing a drone louder than
 * that is hearing something closer than the drone says it is.
 */

import type { Transport } from '@odid/codec';

/** 20·log10(4π/c) in dB, for metres and hertz. */
const FSPL_CONSTANT_DB = -147.55;
/** The lowest BLE advertising channel (37, 2402 MHz): the lowest frequency loses least. */
const BLE_LOWEST_HZ = 2_402e6;
/** A Wi-Fi transport heard on an unknown channel: channel 1 (2412 MHz). */
const WIFI_DEFAULT_HZ = 2_412e6;

/** Free-space path loss in dB over `metres` (at least 1 m: the formula means nothing nearer) at `hz`. */
export function freeSpaceLossDb(metres: number, hz: number): number {
  return 20 * Math.log10(Math.max(1, metres)) + 20 * Math.log10(hz) + FSPL_CONSTANT_DB;
}

/** Centre frequency of a Wi-Fi channel: 1-13 at 2407 + 5n MHz, 14 at 2484 MHz, 5 GHz ones at 5000 + 5n MHz. */
export function wifiChannelHz(channel: number): number {
  if (channel === 14) return 2_484e6;
  return (channel <= 14 ? 2_407 + 5 * channel : 5_000 + 5 * channel) * 1e6;
}

/** The frequency a link's loss is worked out at: its Wi-Fi channel's when known, else the lowest it may use. */
export function linkFrequencyHz(transport: Transport, channel: number | undefined): number {
  if (transport === 'ble-legacy' || transport === 'ble-extended') return BLE_LOWEST_HZ;
  return channel !== undefined && channel >= 1 && channel <= 200 ? wifiChannelHz(channel) : WIFI_DEFAULT_HZ;
}

export interface RadioLimits {
  maxBleEirpDbm: number;
  maxWifiEirpDbm: number;
  rssiMarginDb: number;
}

/** The strongest RSSI (dBm) a transmitter of `transport` can give at `metres` in free space, with the margin. */
export function maxRssiDbm(transport: Transport, channel: number | undefined, metres: number, limits: RadioLimits): number {
  const ble = transport === 'ble-legacy' || transport === 'ble-extended';
  const eirp = ble ? limits.maxBleEirpDbm : limits.maxWifiEirpDbm;
  return eirp + limits.rssiMarginDb - freeSpaceLossDb(metres, linkFrequencyHz(transport, channel));
}
