/**
 * The frames to inject for one transmission: exactly the 802.11 frames the codec builds for the
 * simulated air and the pcapng sink (buildAirFrames), with their receive-side radiotap header swapped
 * for the minimal transmit one of spec digest §8 (`00 00 08 00 00 00 00 00`: version 0, length 8, no
 * fields), which leaves rate and power to the driver.
 */

import { buildAirFrames, concatBytes, parseRadiotap } from '@odid/codec';
import type { Transmission } from '@odid/transmitter';

export const MINIMAL_RADIOTAP: Readonly<Uint8Array> = Uint8Array.of(0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00);

/** radiotap + frame -> minimal radiotap + the same frame. */
export function withMinimalRadiotap(record: Uint8Array): Uint8Array {
  const { headerLength } = parseRadiotap(record);
  return concatBytes([MINIMAL_RADIOTAP, record.subarray(headerLength)]);
}

export interface TxFrameOptions {
  /** Transmitter address (SA, and BSSID of the beacon). */
  mac: string;
  channel: number;
  /** Beacon TSF timestamp, µs. */
  timestampUs: number;
  /** 12-bit sequence number of the first frame (NAN uses two). */
  sequence: number;
  ssid?: string;
  beaconIntervalTU?: number;
}

/** One frame for wifi-beacon; the NAN sync beacon and the service discovery frame for wifi-nan. */
export function injectionFrames(t: Transmission, o: TxFrameOptions): Uint8Array[] {
  if (t.transport !== 'wifi-beacon' && t.transport !== 'wifi-nan') {
    throw new RangeError(`injection carries Wi-Fi transports only, got ${t.transport}`);
  }
  const records = buildAirFrames({
    transport: t.transport,
    address: o.mac,
    counter: t.counter,
    payload: t.payload,
    timestampUs: o.timestampUs,
    sequence: o.sequence,
    channel: o.channel,
    ...(o.ssid !== undefined ? { ssid: o.ssid } : {}),
    ...(o.beaconIntervalTU !== undefined ? { beaconIntervalTU: o.beaconIntervalTU } : {}),
  });
  return records.map((r) => withMinimalRadiotap(r.data));
}
