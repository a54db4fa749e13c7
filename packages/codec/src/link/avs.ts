/**
 * The AVS capture header of linux-wlan-ng ("wlancap", DLT 163; Prism records can carry it too, prism.ts),
 * as Wireshark's packet-ieee80211-wlancap.c reads it. All big-endian:
 *
 *   0 version u32 (0x80211001 v1, 0x80211002 v2), 4 header length u32 (64 for v1, 80 for v2),
 *   8 mactime u64, 16 hosttime u64, 24 PHY type u32, 28 channel u32, 32 data rate u32, 36 antenna u32,
 *   40 priority u32, 44 SSI type u32, 48 SSI signal i32, 52 SSI noise i32, 56 preamble u32, 60 encoding u32;
 *   v2 adds 64 sequence u32, 68 drops u32, 72 receiver address [6], 78 padding [2].
 *
 * The 802.11 frame starts at the header length. Channel: below 256 a channel number, below 10000 a frequency
 * in MHz, else in kHz (not used). Data rate: in 100 kb/s below 100000, else in b/s. SSI type 2: the signal is
 * in dBm. Nothing says whether an FCS ends the frame (the format says it always does, 0xFFFFFFFF when the
 * hardware gives none, but Wireshark does not assume one): it is stripped only where it matches.
 */

import { DecodeError } from '../errors.js';
import { diagnostic } from '../diagnostics.js';
import { u32be } from '../bytes.js';
import { missingBytes, wifiFrameAfterHeader } from './ieee80211.js';
import { channelFromFreq } from './radiotap.js';
import type { LinkDiagnostic, LinkResult, WifiFrame } from './types.js';

const VERSION = 0;
const LENGTH = 4;
const PHY_TYPE = 24;
const CHANNEL = 28;
const DATA_RATE = 32;
const SSI_TYPE = 44;
const SSI_SIGNAL = 48;
const MIN_LENGTH = 8;

/** The version word: this base plus the version number. */
const AVS_MAGIC_BASE = 0x80211000;
const MAGIC_MASK = 0xffffff00;
/** Header length each known version needs for its fields. */
const FIELDS_LENGTH: Readonly<Record<number, number>> = { 1: 64, 2: 80 };

const PHY_FHSS = 1;
/** PHY types whose channel numbers are 5 GHz ones (Wireshark maps 7 and 8 to 802.11a). */
const PHY_5GHZ = new Set([7, 8]);
const SSI_DBM = 2;
const CHANNEL_NUMBER_BELOW = 256;
/** The highest 802.11 channel number (6 GHz channel 233), the top of decoded-json.md's channel range. */
const CHANNEL_MAX = 233;
const FREQ_MHZ_BELOW = 10000;
const RATE_100KBPS_BELOW = 100000;
/** rssi is reported in -255..127 dBm (decoded-json.md); anything else is not a plausible dBm. */
const RSSI_MIN = -255;
const RSSI_MAX = 127;

/** Whether a record starts with an AVS version word (how a Prism record tells it carries one). */
export const isAvsHeader = (data: Uint8Array): boolean => data.length >= 4 && (u32be(data, VERSION) & MAGIC_MASK) >>> 0 === AVS_MAGIC_BASE;

/** DLT 163 record -> one WifiFrame. `originalLength`: the record's length before the capture cut it. */
export function decodeAvsRecord(data: Uint8Array, originalLength?: number): LinkResult {
  const n = data.length;
  if (n < MIN_LENGTH) {
    throw new DecodeError('truncated', 0, `AVS header needs ${MIN_LENGTH} bytes, ${n} present`, 'avs');
  }
  const word = u32be(data, VERSION);
  if (!isAvsHeader(data)) {
    throw new DecodeError('unsupported', VERSION, `not an AVS header (version word 0x${word.toString(16)})`, 'avs.version');
  }
  const version = word - AVS_MAGIC_BASE;
  const headerLength = u32be(data, LENGTH);
  if (headerLength < MIN_LENGTH) {
    throw new DecodeError('malformed', LENGTH, `AVS header length ${headerLength} < ${MIN_LENGTH}`, 'avs.length');
  }
  if (headerLength > n) {
    throw new DecodeError('truncated', LENGTH, `AVS header length ${headerLength} > ${n} bytes in record`, 'avs.length');
  }
  const fieldsLength = FIELDS_LENGTH[version];
  const diagnostics: LinkDiagnostic[] = [];
  if (fieldsLength === undefined) {
    diagnostics.push(diagnostic('link.avs-version', `avs: version ${version} unknown, its fields are not read`, { offset: VERSION }));
  } else if (headerLength < fieldsLength) {
    throw new DecodeError('malformed', LENGTH, `AVS v${version} header length ${headerLength} < the ${fieldsLength} bytes of its fields`, 'avs.length');
  }
  const frame = wifiFrameAfterHeader(data, headerLength, { known: 'unknown', missing: missingBytes(data, originalLength) }, diagnostics);
  if (fieldsLength !== undefined) readFields(data, frame);
  return { frames: [frame], diagnostics };
}

function readFields(data: Uint8Array, frame: WifiFrame): void {
  const phy = u32be(data, PHY_TYPE);
  const channel = u32be(data, CHANNEL);
  // A hopping radio packs hop set, pattern and index in the channel word: no channel number.
  if (phy !== PHY_FHSS && channel !== 0) {
    if (channel < CHANNEL_NUMBER_BELOW) {
      if (channel <= CHANNEL_MAX) {
        frame.channel = channel;
        const freq = channelToFreq(channel, PHY_5GHZ.has(phy));
        if (freq !== undefined) frame.freqMHz = freq;
      }
    } else if (channel < FREQ_MHZ_BELOW) {
      frame.freqMHz = channel;
      const ch = channelFromFreq(channel);
      if (ch !== undefined) frame.channel = ch;
    }
  }
  const rate = u32be(data, DATA_RATE);
  const rateKbps = rate < RATE_100KBPS_BELOW ? rate * 100 : rate / 1000;
  // Wireshark keeps only rates it can give in 500 kb/s steps.
  if (rateKbps !== 0 && rateKbps % 500 === 0) frame.rateKbps = rateKbps;
  if (u32be(data, SSI_TYPE) === SSI_DBM) {
    const signal = u32be(data, SSI_SIGNAL) | 0;
    if (signal >= RSSI_MIN && signal <= RSSI_MAX) frame.rssi = signal;
  }
}

/** Centre frequency of a channel number: 2.4 GHz channels for b/g radios, 5 GHz (and 4.9 GHz) ones for a. */
function channelToFreq(channel: number, fiveGhz: boolean): number | undefined {
  if (!fiveGhz) {
    if (channel === 14) return 2484;
    return channel < 14 ? 2407 + channel * 5 : undefined;
  }
  return channel >= 182 && channel <= 196 ? 4000 + channel * 5 : 5000 + channel * 5;
}
