/**
 * Capture records that decode with something to report, built with the codec's own builders:
 * - a Wi-Fi beacon whose radiotap header announces TLV fields (present bit 28): the link layer still finds
 *   the 802.11 frame, with the warning "radiotap: TLV fields (not parsed)", and its Remote ID decodes;
 * - a beacon cut inside its Open Drone ID vendor element (its length runs past the frame's end).
 */
import { PcapngWriter, buildAirFrames, buildBeaconFrame, buildRadiotap, concatBytes, encodeMessage, LINKTYPE } from '@odid/codec';

export const WARNED_MAC = '02:11:22:33:44:01';
export const TRUNCATED_MAC = '02:11:22:33:44:02';
export const SERIAL = '1581F5FJD228400X0S2K';

const PACK = encodeMessage({
  type: 'messagePack',
  messages: [
    { type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: SERIAL },
    { type: 'selfId', protocolVersion: 2, descType: 0, desc: 'damaged-frames test' },
  ],
});

const TLV_PRESENT_BIT = 1 << 28;

/** Radiotap + beacon whose present word also claims TLV fields: one link warning, two messages. */
export function beaconWithRadiotapWarning(counter = 1): { linkType: number; data: Uint8Array } {
  const [f] = buildAirFrames({ transport: 'wifi-beacon', address: WARNED_MAC, counter, payload: PACK });
  const data = f!.data.slice();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  view.setUint32(4, view.getUint32(4, true) | TLV_PRESENT_BIT, true);
  return { linkType: f!.linkType, data };
}

/** Radiotap + beacon whose ODID element (the last one) is cut 10 bytes before its end. */
export function beaconWithTruncatedOdidElement(counter = 2): { linkType: number; data: Uint8Array } {
  const beacon = buildBeaconFrame({ mac: TRUNCATED_MAC, ssid: 'RID', counter, pack: PACK, timestampUs: 0, beaconIntervalTU: 100, channel: 6 });
  return { linkType: LINKTYPE.IEEE802_11_RADIOTAP, data: concatBytes([buildRadiotap({ freqMHz: 2437, rssi: -60 }), beacon.subarray(0, beacon.length - 10)]) };
}

/** A pcapng with one of each, at t0 and t0 + 1 s. */
export function damagedCapture(t0 = 1_748_772_000): Uint8Array {
  const w = new PcapngWriter();
  const header = w.header();
  const iface = w.addInterface({ linkType: LINKTYPE.IEEE802_11_RADIOTAP });
  return concatBytes([
    header,
    iface.bytes,
    w.packet(iface.id, t0, beaconWithRadiotapWarning().data),
    w.packet(iface.id, t0 + 1, beaconWithTruncatedOdidElement().data),
  ]);
}
