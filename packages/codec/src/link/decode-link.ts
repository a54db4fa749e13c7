/**
 * One captured record (pcap/pcapng link type + bytes) -> normalised radio frames, through a table of
 * per-link-type decoders (one file per layer). Only DecodeError ever escapes.
 */

import { DecodeError } from '../errors.js';
import { decodeAvsRecord } from './avs.js';
import { decodeBleLlRecord } from './ble-ll.js';
import { decodeBlePhdrRecord } from './ble-phdr.js';
import { decodeHciH4PhdrRecord, decodeHciH4Record, decodeLinuxMonitorRecord } from './hci-h4.js';
import { decodeIeee80211Record } from './ieee80211.js';
import { decodeNordicBleRecord } from './nordic-ble.js';
import { decodePpiRecord } from './ppi.js';
import { decodePrismRecord } from './prism.js';
import { decodeRadiotapRecord } from './radiotap.js';
import type { LinkResult } from './types.js';

/** tcpdump.org LINKTYPE_ values handled here. */
export const LINKTYPE = {
  IEEE802_11: 105,
  IEEE802_11_PRISM: 119,
  IEEE802_11_RADIOTAP: 127,
  IEEE802_11_AVS: 163,
  PPI: 192,
  BLUETOOTH_HCI_H4: 187,
  BLUETOOTH_HCI_H4_WITH_PHDR: 201,
  BLUETOOTH_LE_LL: 251,
  BLUETOOTH_LINUX_MONITOR: 254,
  BLUETOOTH_LE_LL_WITH_PHDR: 256,
  NORDIC_BLE: 272,
} as const;

/**
 * `originalLength`: the record's length before the capture cut it (pcap's orig_len), when the caller knows
 * it. Decoders of headers that say an FCS ends the frame use it to tell an FCS cut off by the snap length
 * (unverifiable) from a bad one.
 */
export type LinkDecoder = (data: Uint8Array, originalLength?: number) => LinkResult;

const DECODERS: ReadonlyMap<number, LinkDecoder> = new Map<number, LinkDecoder>([
  [LINKTYPE.IEEE802_11, decodeIeee80211Record],
  [LINKTYPE.IEEE802_11_PRISM, decodePrismRecord],
  [LINKTYPE.IEEE802_11_RADIOTAP, decodeRadiotapRecord],
  [LINKTYPE.IEEE802_11_AVS, decodeAvsRecord],
  [LINKTYPE.PPI, decodePpiRecord],
  [LINKTYPE.BLUETOOTH_HCI_H4, decodeHciH4Record],
  [LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, decodeHciH4PhdrRecord],
  [LINKTYPE.BLUETOOTH_LE_LL, decodeBleLlRecord],
  [LINKTYPE.BLUETOOTH_LINUX_MONITOR, decodeLinuxMonitorRecord],
  [LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, decodeBlePhdrRecord],
  [LINKTYPE.NORDIC_BLE, decodeNordicBleRecord],
]);

export function isSupportedLinkType(linkType: number): boolean {
  return DECODERS.has(linkType);
}

/** The link types decodeLinkFrame understands, ascending. */
export function supportedLinkTypes(): number[] {
  return [...DECODERS.keys()].sort((a, b) => a - b);
}

/**
 * Decodes one record. Unknown link types throw DecodeError('unsupported'); malformed records throw
 * DecodeError; bad CRC/FCS and oddities come back as diagnostics next to the frames. `originalLength`: the
 * record's length before the capture cut it (CaptureRecord.originalLength), when known.
 */
export function decodeLinkFrame(linkType: number, data: Uint8Array, originalLength?: number): LinkResult {
  const decode = DECODERS.get(linkType);
  if (decode === undefined) {
    throw new DecodeError('unsupported', 0, `link type ${linkType} is not supported`, 'linkType');
  }
  return decode(data, originalLength);
}
