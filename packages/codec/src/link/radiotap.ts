/**
 * Radiotap (DLT 127, https://www.radiotap.org): version u8, pad u8, length u16 LE, one or more present
 * bitmaps u32 LE (bit 31 = another bitmap follows), then the fields in bit order, each aligned to its
 * natural alignment counted from the start of the header.
 *
 * Namespaces: bit 29 in a bitmap means "the next bitmap restarts the radiotap namespace at bit 0"; bit 30
 * means "a vendor namespace follows": its 6-byte descriptor (OUI, sub-namespace, skip_length u16,
 * 2-aligned) is the data of bit 30, and the vendor's own fields are skip_length opaque bytes right after
 * it, which we step over. A field we cannot size (unknown bit, TLV bit 28) stops field parsing; the
 * 802.11 frame is still found through the header length, so the frame is never lost.
 */

import { DecodeError, EncodeError } from '../errors.js';
import { diagnostic } from '../diagnostics.js';
import { putU16le, putU32le, u16le, u32le } from '../bytes.js';
import { missingBytes, wifiFrameAfterHeader } from './ieee80211.js';
import type { LinkDiagnostic, LinkResult } from './types.js';

// Header layout.
const HDR_VERSION = 0;
const HDR_LENGTH = 2;
const HDR_PRESENT = 4;
const HDR_MIN_LENGTH = 8;

// Present-bitmap bits with a meaning of their own.
const BIT_TSFT = 0;
const BIT_FLAGS = 1;
const BIT_RATE = 2;
const BIT_CHANNEL = 3;
const BIT_DBM_SIGNAL = 5;
const BIT_XCHANNEL = 18;
const BIT_TLV = 28;
const BIT_NS_RADIOTAP = 29;
const BIT_NS_VENDOR = 30;
const BIT_EXT = 31;

/** Flags field bits. */
export const RADIOTAP_FLAG_FCS_AT_END = 0x10;
export const RADIOTAP_FLAG_BAD_FCS = 0x40;

/** Vendor namespace descriptor: OUI(3) sub_namespace(1) skip_length(2), aligned to 2. */
const VENDOR_NS_SIZE = 6;
const VENDOR_NS_ALIGN = 2;
const VENDOR_NS_SKIP = 4;

/** Size and alignment of radiotap-namespace fields 0..27 (radiotap.org defined fields). */
// prettier-ignore
const FIELD_SIZE = Uint8Array.of(
  8, 1, 1, 4, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, // 0 TSFT .. 15 TX flags
  1, 1, 8, 3, 8, 12, 12, 12, 12, 6, 1, 4,         // 16 RTS retries .. 27 L-SIG
);
// prettier-ignore
const FIELD_ALIGN = Uint8Array.of(
  8, 1, 1, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, // FHSS: radiotap.org says u8,u8; Linux and Wireshark align it to 2
  1, 1, 4, 1, 4, 2, 8, 2, 2, 2, 1, 2,
);
const KNOWN_FIELDS = FIELD_SIZE.length;

export interface RadiotapInfo {
  /** Bytes to skip to reach the 802.11 frame. */
  headerLength: number;
  /** The Flags field, if present. */
  flags?: number;
  /** Flags say the frame ends with its FCS (undefined when there is no Flags field). */
  fcsAtEnd?: boolean;
  /** Flags say the driver found the FCS bad. */
  badFcsFlag: boolean;
  /** dBm antenna signal (the first one, which is the combined signal when per-antenna ones follow). */
  rssi?: number;
  freqMHz?: number;
  channel?: number;
  rateKbps?: number;
  /** TSFT (µs), low 53 bits exact. */
  tsft?: number;
  /** Set when field parsing stopped early (unknown field, TLVs, overrun); headerLength is still right. */
  stoppedAt?: LinkDiagnostic;
}

/** 802.11 channel number from a centre frequency (2.4, 4.9, 5 and 6 GHz bands); undefined if none. */
export function channelFromFreq(freqMHz: number): number | undefined {
  if (freqMHz === 2484) return 14;
  if (freqMHz >= 2412 && freqMHz <= 2472) return bandChannel(freqMHz, 2407);
  if (freqMHz >= 5955 && freqMHz <= 7115) return bandChannel(freqMHz, 5950);
  if (freqMHz >= 5000 && freqMHz <= 5925) return bandChannel(freqMHz, 5000);
  if (freqMHz >= 4910 && freqMHz <= 4980) return bandChannel(freqMHz, 4000);
  return undefined;
}

/** Channels sit every 5 MHz from the band's base; anything in between has no channel number. */
const bandChannel = (freqMHz: number, base: number): number | undefined =>
  (freqMHz - base) % 5 === 0 ? (freqMHz - base) / 5 : undefined;

const align = (offset: number, base: number, a: number): number => offset + ((a - ((offset - base) % a)) % a);

/**
 * Parses the radiotap header at data[start]. Throws DecodeError when the header itself is unusable
 * (short, wrong version, length beyond the record); field problems only end field parsing.
 */
export function parseRadiotap(data: Uint8Array, start = 0): RadiotapInfo {
  const avail = data.length - start;
  if (avail < HDR_MIN_LENGTH) {
    throw new DecodeError('truncated', start, `radiotap header needs ${HDR_MIN_LENGTH} bytes, ${avail} present`, 'radiotap');
  }
  if (data[start + HDR_VERSION] !== 0) {
    throw new DecodeError('unsupported', start, `radiotap version ${data[start]} (only 0 exists)`, 'radiotap.version');
  }
  const headerLength = u16le(data, start + HDR_LENGTH);
  if (headerLength < HDR_MIN_LENGTH) {
    throw new DecodeError('malformed', start + HDR_LENGTH, `radiotap length ${headerLength} < ${HDR_MIN_LENGTH}`, 'radiotap.length');
  }
  if (headerLength > avail) {
    throw new DecodeError('truncated', start + HDR_LENGTH, `radiotap length ${headerLength} > ${avail} bytes in record`, 'radiotap.length');
  }
  const end = start + headerLength;
  const info: RadiotapInfo = { headerLength, badFcsFlag: false };

  // Find where the fields start: after the last present word (the one without bit 31).
  let dataOff = start + HDR_PRESENT;
  for (;;) {
    if (dataOff + 4 > end) {
      info.stoppedAt = diagnostic('link.radiotap-overrun', 'radiotap: present bitmaps run past the header length', { offset: dataOff });
      return info;
    }
    const w = u32le(data, dataOff);
    dataOff += 4;
    if (!(w & (1 << BIT_EXT))) break;
  }

  let wordOff = start + HDR_PRESENT;
  let base = 0; // bit number of bit 0 of the current word within its namespace
  let vendor = false; // current word belongs to a vendor namespace (its data already skipped)
  for (;;) {
    const w = u32le(data, wordOff);
    wordOff += 4;
    if (!vendor) {
      // Radiotap namespace fields 0..28 of this word, in bit order.
      const fieldBits = w & 0x1fffffff;
      for (let bit = 0; fieldBits >>> bit !== 0; bit++) {
        if (!((fieldBits >>> bit) & 1)) continue;
        const field = base + bit;
        if (field === BIT_TLV || field >= KNOWN_FIELDS) {
          const what = field === BIT_TLV ? 'TLV fields (not parsed)' : `unknown radiotap field ${field}`;
          info.stoppedAt = diagnostic('link.radiotap-unparsed-field', `radiotap: ${what}`, { offset: dataOff });
          return info;
        }
        const off = align(dataOff, start, FIELD_ALIGN[field]!);
        const size = FIELD_SIZE[field]!;
        if (off + size > end) {
          info.stoppedAt = diagnostic('link.radiotap-overrun', `radiotap: radiotap field ${field} runs past the header length`, { offset: off });
          return info;
        }
        readField(data, off, field, info);
        dataOff = off + size;
      }
    }
    if (w & (1 << BIT_NS_VENDOR)) {
      const off = align(dataOff, start, VENDOR_NS_ALIGN);
      if (off + VENDOR_NS_SIZE > end) {
        info.stoppedAt = diagnostic('link.radiotap-overrun', 'radiotap: vendor namespace descriptor runs past the header length', { offset: off });
        return info;
      }
      dataOff = off + VENDOR_NS_SIZE + u16le(data, off + VENDOR_NS_SKIP);
      if (dataOff > end) {
        info.stoppedAt = diagnostic('link.radiotap-overrun', 'radiotap: vendor namespace data runs past the header length', { offset: off });
        return info;
      }
      vendor = true;
      base = 0;
    } else if (w & (1 << BIT_NS_RADIOTAP)) {
      vendor = false;
      base = 0;
    } else {
      base += 32;
    }
    if (!(w & (1 << BIT_EXT))) return info;
  }
}

function readField(data: Uint8Array, off: number, field: number, info: RadiotapInfo): void {
  // Only the first occurrence counts: later namespaces repeat fields per antenna.
  switch (field) {
    case BIT_TSFT:
      if (info.tsft === undefined) info.tsft = u32le(data, off) + u32le(data, off + 4) * 0x100000000;
      break;
    case BIT_FLAGS:
      if (info.flags === undefined) {
        const f = data[off]!;
        info.flags = f;
        info.fcsAtEnd = (f & RADIOTAP_FLAG_FCS_AT_END) !== 0;
        info.badFcsFlag = (f & RADIOTAP_FLAG_BAD_FCS) !== 0;
      }
      break;
    case BIT_RATE:
      // 0 means "not given" (e.g. HT/VHT frames report their rate in MCS/VHT fields).
      if (info.rateKbps === undefined && data[off]! !== 0) info.rateKbps = data[off]! * 500;
      break;
    case BIT_CHANNEL:
      if (info.freqMHz === undefined) setFreq(info, u16le(data, off));
      break;
    case BIT_DBM_SIGNAL:
      if (info.rssi === undefined) info.rssi = (data[off]! << 24) >> 24;
      break;
    case BIT_XCHANNEL: // flags u32, freq u16, channel u8, max power u8
      if (info.freqMHz === undefined) setFreq(info, u16le(data, off + 4));
      break;
  }
}

function setFreq(info: RadiotapInfo, freq: number): void {
  if (freq === 0) return;
  info.freqMHz = freq;
  const ch = channelFromFreq(freq);
  if (ch !== undefined) info.channel = ch;
}

/** DLT 127 record -> one WifiFrame. `originalLength`: the record's length before the capture cut it (snap length). */
export function decodeRadiotapRecord(data: Uint8Array, originalLength?: number): LinkResult {
  const rt = parseRadiotap(data, 0);
  const diagnostics: LinkDiagnostic[] = [];
  if (rt.stoppedAt !== undefined) diagnostics.push(rt.stoppedAt);
  // Flags present: trust its FCS bit. No Flags field: nothing is known, so look for a matching CRC.
  const known = rt.fcsAtEnd === undefined ? 'unknown' : rt.fcsAtEnd ? 'present' : 'absent';
  const frame = wifiFrameAfterHeader(
    data,
    rt.headerLength,
    { known, missing: missingBytes(data, originalLength), ...(rt.badFcsFlag ? { badFlag: 'link.radiotap-bad-fcs-flag' as const } : {}) },
    diagnostics,
  );
  if (rt.rssi !== undefined) frame.rssi = rt.rssi;
  if (rt.freqMHz !== undefined) frame.freqMHz = rt.freqMHz;
  if (rt.channel !== undefined) frame.channel = rt.channel;
  if (rt.rateKbps !== undefined) frame.rateKbps = rt.rateKbps;
  return { frames: [frame], diagnostics };
}

export interface RadiotapBuildOptions {
  /** dBm antenna signal; omitted when undefined. */
  rssi?: number;
  /** Channel centre frequency; the Channel field is omitted when undefined. */
  freqMHz?: number;
  /** Flags field value (e.g. RADIOTAP_FLAG_FCS_AT_END when the caller appends an FCS). Default 0. */
  flags?: number;
  /** Legacy rate in kb/s, a multiple of 500. Default 1000 on 2.4 GHz, 6000 on 5/6 GHz. */
  rateKbps?: number;
}

// Channel field flags (radiotap.org "Channel").
const CHAN_CCK = 0x0020;
const CHAN_OFDM = 0x0040;
const CHAN_2GHZ = 0x0080;
const CHAN_5GHZ = 0x0100;
const CCK_RATES_KBPS = [1000, 2000, 5500, 11000];

/**
 * A radiotap header for writers: Flags, Rate, Channel (when freqMHz is given) and dBm antenna signal
 * (when rssi is given), laid out with the same alignment rules the parser uses.
 */
export function buildRadiotap(opts: RadiotapBuildOptions = {}): Uint8Array {
  const hasChannel = opts.freqMHz !== undefined;
  const hasSignal = opts.rssi !== undefined;
  if (hasSignal && !(Number.isInteger(opts.rssi) && opts.rssi! >= -128 && opts.rssi! <= 127)) {
    throw new EncodeError('out-of-range', 'radiotap.rssi', opts.rssi, 'an integer dBm in -128..127');
  }
  if (hasChannel && !(Number.isInteger(opts.freqMHz) && opts.freqMHz! > 0 && opts.freqMHz! <= 0xffff)) {
    throw new EncodeError('out-of-range', 'radiotap.freqMHz', opts.freqMHz, 'an integer MHz in 1..65535');
  }
  if (opts.rateKbps !== undefined && !(opts.rateKbps > 0 && opts.rateKbps % 500 === 0 && opts.rateKbps <= 127500)) {
    throw new EncodeError('out-of-range', 'radiotap.rateKbps', opts.rateKbps, 'a multiple of 500 in 500..127500');
  }
  const fiveGhz = hasChannel && opts.freqMHz! >= 4900;
  const rate = opts.rateKbps ?? (fiveGhz ? 6000 : 1000);
  let present = (1 << BIT_FLAGS) | (1 << BIT_RATE);
  if (hasChannel) present |= 1 << BIT_CHANNEL;
  if (hasSignal) present |= 1 << BIT_DBM_SIGNAL;

  // Lay the fields out in bit order with their alignment.
  let len = HDR_MIN_LENGTH;
  const offs = [0, 0, 0, 0, 0, 0];
  for (let bit = 0; bit <= BIT_DBM_SIGNAL; bit++) {
    if (!(present & (1 << bit))) continue;
    len = align(len, 0, FIELD_ALIGN[bit]!);
    offs[bit] = len;
    len += FIELD_SIZE[bit]!;
  }
  const out = new Uint8Array(len);
  putU16le(out, HDR_LENGTH, len);
  putU32le(out, HDR_PRESENT, present);
  out[offs[BIT_FLAGS]!] = (opts.flags ?? 0) & 0xff;
  out[offs[BIT_RATE]!] = rate / 500;
  if (hasChannel) {
    const freq = opts.freqMHz!;
    const mod = !fiveGhz && CCK_RATES_KBPS.includes(rate) ? CHAN_CCK : CHAN_OFDM;
    putU16le(out, offs[BIT_CHANNEL]!, freq);
    putU16le(out, offs[BIT_CHANNEL]! + 2, (fiveGhz ? CHAN_5GHZ : CHAN_2GHZ) | mod);
  }
  if (hasSignal) out[offs[BIT_DBM_SIGNAL]!] = opts.rssi! & 0xff;
  return out;
}
