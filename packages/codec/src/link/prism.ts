/**
 * The Prism monitor-mode header of linux-wlan-ng and HostAP (DLT 119), as Wireshark's
 * packet-ieee80211-prism.c reads it:
 *
 *   0 message code u32 (0x44, or 0x41), 4 message length u32 (144), 8 device name [16],
 *   24 ten items of { DID u32, status u16 (0: supplied), length u16, data u32 }: host time, MAC time,
 *   channel, RSSI, signal quality, signal, noise, rate (500 kb/s), is-TX, frame length.
 *
 * Fields are in the byte order of the capturing host: the message code tells which (as Wireshark checks,
 * big-endian first). The header is always 144 bytes, whatever the length field says. Items are known by
 * their DID, in either of the two numberings drivers used; the RSSI item is the signal in dBm. A record
 * starting with an AVS version word is an AVS header (avs.ts); one with neither code is, as Wireshark takes
 * it, a bare 802.11 frame. Nothing says whether an FCS ends the frame: it is stripped only where it matches.
 */

import { DecodeError } from '../errors.js';
import { diagnostic } from '../diagnostics.js';
import { u16be, u16le, u32be, u32le } from '../bytes.js';
import { decodeAvsRecord, isAvsHeader } from './avs.js';
import { missingBytes, wifiFrameAfterHeader } from './ieee80211.js';
import type { LinkDiagnostic, LinkResult, WifiFrame } from './types.js';

const MSG_CODE = 0;
const MSG_LENGTH = 4;
const ITEMS = 24;
const ITEM_SIZE = 12;
const ITEM_STATUS = 4;
const ITEM_DATA = 8;
const PRISM_HEADER_LENGTH = 144;

/** Message codes of the two DID numberings (Wireshark's TYPE1 and TYPE2). */
const MSG_CODE_TYPE1 = 0x44;
const MSG_CODE_TYPE2 = 0x41;
const STATUS_SUPPLIED = 0;

/** DIDs: TYPE1 items are (n << 16) | 0x44, TYPE2 ones (n << 12) | 0x41, n = 1 host time .. 10 frame length. */
const ITEM_CHANNEL = 3;
const ITEM_RSSI = 4;
const ITEM_RATE = 8;

/** rssi is reported in -255..127 dBm (decoded-json.md); anything else is not a plausible dBm. */
const RSSI_MIN = -255;
const RSSI_MAX = 127;
/** The highest 802.11 channel number (6 GHz channel 233), the top of decoded-json.md's channel range. */
const CHANNEL_MAX = 233;

/** The item number (1..10, as in the layout above) a DID names; undefined for DIDs of neither numbering. */
function itemNumber(did: number): number | undefined {
  if ((did & 0xff00ffff) === MSG_CODE_TYPE1) return (did >>> 16) & 0xff;
  if ((did & 0xffff0fff) === MSG_CODE_TYPE2) return (did >>> 12) & 0x0f;
  return undefined;
}

/** DLT 119 record -> one WifiFrame. `originalLength`: the record's length before the capture cut it. */
export function decodePrismRecord(data: Uint8Array, originalLength?: number): LinkResult {
  const n = data.length;
  if (n < 4) throw new DecodeError('truncated', 0, `Prism header needs ${PRISM_HEADER_LENGTH} bytes, ${n} present`, 'prism');
  if (isAvsHeader(data)) return decodeAvsRecord(data, originalLength);

  const diagnostics: LinkDiagnostic[] = [];
  const missing = missingBytes(data, originalLength);
  const codeBe = u32be(data, MSG_CODE);
  const codeLe = u32le(data, MSG_CODE);
  const isCode = (c: number): boolean => c === MSG_CODE_TYPE1 || c === MSG_CODE_TYPE2;
  if (!isCode(codeBe) && !isCode(codeLe)) {
    diagnostics.push(diagnostic('link.prism-no-header', `prism: message code 0x${codeLe.toString(16)} is not a Prism one: read as bare 802.11`, { offset: MSG_CODE }));
    return { frames: [wifiFrameAfterHeader(data, 0, { known: 'unknown', missing }, diagnostics)], diagnostics };
  }
  if (n < PRISM_HEADER_LENGTH) {
    throw new DecodeError('truncated', 0, `Prism header needs ${PRISM_HEADER_LENGTH} bytes, ${n} present`, 'prism');
  }
  const be = isCode(codeBe);
  const u32 = be ? u32be : u32le;
  const u16 = be ? u16be : u16le;
  const msgLength = u32(data, MSG_LENGTH);
  if (msgLength !== PRISM_HEADER_LENGTH) {
    diagnostics.push(diagnostic('link.prism-length', `prism: message length ${msgLength}, read as ${PRISM_HEADER_LENGTH}`, { offset: MSG_LENGTH }));
  }
  const frame = wifiFrameAfterHeader(data, PRISM_HEADER_LENGTH, { known: 'unknown', missing }, diagnostics);
  for (let at = ITEMS; at < PRISM_HEADER_LENGTH; at += ITEM_SIZE) {
    if (u16(data, at + ITEM_STATUS) !== STATUS_SUPPLIED) continue;
    readItem(itemNumber(u32(data, at)), u32(data, at + ITEM_DATA), frame);
  }
  return { frames: [frame], diagnostics };
}

/** The items a receiver uses; the first of each counts. */
function readItem(item: number | undefined, value: number, frame: WifiFrame): void {
  switch (item) {
    case ITEM_CHANNEL:
      if (frame.channel === undefined && value > 0 && value <= CHANNEL_MAX) frame.channel = value;
      break;
    case ITEM_RSSI: {
      const dbm = value | 0;
      if (frame.rssi === undefined && dbm >= RSSI_MIN && dbm <= RSSI_MAX) frame.rssi = dbm;
      break;
    }
    case ITEM_RATE:
      if (frame.rateKbps === undefined && value > 0) frame.rateKbps = value * 500;
      break;
  }
}
