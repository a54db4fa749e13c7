/**
 * PPI, the Per-Packet Information header (DLT 192: CACE/AirPcap, Kismet), as Wireshark's packet-ppi.c reads
 * it. All little-endian:
 *
 *   0 version u8 (0), 1 flags u8 (bit 0: fields 32-bit aligned), 2 header length u16 (fields included),
 *   4 DLT u32 of the packet after the header, then fields: type u16, data length u16, data.
 *
 * Field 2, 802.11-Common (20 bytes): TSFT u64, flags u16 (0x1 FCS present, 0x2 TSFT in ms, 0x4 FCS invalid,
 * 0x8 PHY error), rate u16 (500 kb/s), channel frequency u16 (MHz), channel flags u16, FHSS hopset u8 and
 * pattern u8, dBm antenna signal i8, dBm antenna noise i8 (-128, and 0 as some drivers write, mean none).
 * The 802.11n fields (3, 4, 5) and the others are stepped over: every record is one MPDU, aggregated or not.
 * The packet starts at the header length; DLT 105 (802.11) is read with the 802.11-Common facts, DLT 127
 * (radiotap) by the radiotap decoder; any other DLT is refused, not guessed.
 */

import { DecodeError } from '../errors.js';
import { diagnostic } from '../diagnostics.js';
import { u16le, u32le } from '../bytes.js';
import { missingBytes, wifiFrameAfterHeader, type FcsEvidence } from './ieee80211.js';
import { channelFromFreq, decodeRadiotapRecord } from './radiotap.js';
import type { LinkDiagnostic, LinkResult } from './types.js';

const HDR_VERSION = 0;
const HDR_FLAGS = 1;
const HDR_LENGTH = 2;
const HDR_DLT = 4;
const HDR_MIN_LENGTH = 8;
const FLAG_ALIGNED = 0x01;
const FIELD_HEADER = 4;
const FIELD_ALIGN = 4;

const DLT_IEEE802_11 = 105;
const DLT_RADIOTAP = 127;

/** PPI field types read here. */
const FIELD_80211_COMMON = 2;
const COMMON_LENGTH = 20;
// 802.11-Common layout, from the start of its data.
const COMMON_FLAGS = 8;
const COMMON_RATE = 10;
const COMMON_FREQ = 12;
const COMMON_SIGNAL = 18;
const COMMON_FLAG_FCS = 0x0001;
const COMMON_FLAG_FCS_INVALID = 0x0004;
/** dBm values that mean "not measured": -128 by the spec, 0 by some drivers (Wireshark ignores both). */
const SIGNAL_NONE = -128;

/** What the 802.11-Common field says, when there is one. */
interface Common {
  flags: number;
  rateKbps?: number;
  freqMHz?: number;
  rssi?: number;
}

/** DLT 192 record -> one WifiFrame. `originalLength`: the record's length before the capture cut it. */
export function decodePpiRecord(data: Uint8Array, originalLength?: number): LinkResult {
  const n = data.length;
  if (n < HDR_MIN_LENGTH) {
    throw new DecodeError('truncated', 0, `PPI header needs ${HDR_MIN_LENGTH} bytes, ${n} present`, 'ppi');
  }
  if (data[HDR_VERSION] !== 0) {
    throw new DecodeError('unsupported', HDR_VERSION, `PPI version ${data[HDR_VERSION]} (only 0 exists)`, 'ppi.version');
  }
  const headerLength = u16le(data, HDR_LENGTH);
  if (headerLength < HDR_MIN_LENGTH) {
    throw new DecodeError('malformed', HDR_LENGTH, `PPI header length ${headerLength} < ${HDR_MIN_LENGTH}`, 'ppi.length');
  }
  if (headerLength > n) {
    throw new DecodeError('truncated', HDR_LENGTH, `PPI header length ${headerLength} > ${n} bytes in record`, 'ppi.length');
  }
  const dlt = u32le(data, HDR_DLT);
  if (dlt !== DLT_IEEE802_11 && dlt !== DLT_RADIOTAP) {
    throw new DecodeError('unsupported', HDR_DLT, `PPI carries link type ${dlt}, not 802.11 (105) or radiotap (127)`, 'ppi.dlt');
  }

  const diagnostics: LinkDiagnostic[] = [];
  const common = readFields(data, headerLength, (data[HDR_FLAGS]! & FLAG_ALIGNED) !== 0, diagnostics);
  const missing = missingBytes(data, originalLength);

  if (dlt === DLT_RADIOTAP) {
    // Wireshark hands the packet to the radiotap dissector: its header, not PPI's fields, describes the radio.
    let inner: LinkResult;
    try {
      inner = decodeRadiotapRecord(data.subarray(headerLength), originalLength === undefined ? undefined : originalLength - headerLength);
    } catch (e) {
      throw e instanceof DecodeError ? e.within(headerLength, 'ppi') : e;
    }
    for (const d of inner.diagnostics) diagnostics.push(d.offset === undefined ? d : { ...d, offset: d.offset + headerLength });
    return { frames: inner.frames, diagnostics };
  }

  // Without 802.11-Common nothing says whether an FCS follows (Wireshark: fcs_len -1).
  const evidence: FcsEvidence = { known: common === undefined ? 'unknown' : common.flags & COMMON_FLAG_FCS ? 'present' : 'absent', missing };
  if (common !== undefined && common.flags & COMMON_FLAG_FCS_INVALID) evidence.badFlag = 'link.ppi-bad-fcs-flag';
  const frame = wifiFrameAfterHeader(data, headerLength, evidence, diagnostics);
  if (common?.rssi !== undefined) frame.rssi = common.rssi;
  if (common?.freqMHz !== undefined) {
    frame.freqMHz = common.freqMHz;
    const ch = channelFromFreq(common.freqMHz);
    if (ch !== undefined) frame.channel = ch;
  }
  if (common?.rateKbps !== undefined) frame.rateKbps = common.rateKbps;
  return { frames: [frame], diagnostics };
}

/** Walks the fields up to the header length; returns the first 802.11-Common field's facts. */
function readFields(data: Uint8Array, end: number, aligned: boolean, diagnostics: LinkDiagnostic[]): Common | undefined {
  let common: Common | undefined;
  let off = HDR_MIN_LENGTH;
  while (off < end) {
    if (off + FIELD_HEADER > end) {
      diagnostics.push(diagnostic('link.ppi-malformed-field', `ppi: a field header runs past the header length ${end}`, { offset: off }));
      break;
    }
    const type = u16le(data, off);
    const len = u16le(data, off + 2);
    const at = off + FIELD_HEADER;
    if (at + len > end) {
      diagnostics.push(diagnostic('link.ppi-malformed-field', `ppi: field type ${type} of ${len} bytes runs past the header length ${end}`, { offset: off }));
      break;
    }
    if (type === FIELD_80211_COMMON && common === undefined) {
      if (len === COMMON_LENGTH) common = readCommon(data, at);
      else diagnostics.push(diagnostic('link.ppi-malformed-field', `ppi: 802.11-Common field of ${len} bytes, not ${COMMON_LENGTH}`, { offset: off }));
    }
    off = at + len;
    // Aligned headers pad each field to 4 bytes from the start of the header.
    if (aligned) off += (FIELD_ALIGN - (off % FIELD_ALIGN)) % FIELD_ALIGN;
  }
  return common;
}

function readCommon(data: Uint8Array, at: number): Common {
  const common: Common = { flags: u16le(data, at + COMMON_FLAGS) };
  const rate = u16le(data, at + COMMON_RATE);
  if (rate !== 0) common.rateKbps = rate * 500;
  const freq = u16le(data, at + COMMON_FREQ);
  if (freq !== 0) common.freqMHz = freq;
  const signal = (data[at + COMMON_SIGNAL]! << 24) >> 24;
  if (signal !== SIGNAL_NONE && signal !== 0) common.rssi = signal;
  return common;
}
