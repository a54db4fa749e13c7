/**
 * The parts of an 802.11 management frame the Remote ID builders share: the 24-byte MAC header and the
 * 12 fixed fields of a beacon. All fields little-endian; frames are built without FCS (the radio adds it).
 */

import { putU16le, putU32le } from '../bytes.js';
import { checkU16, macBytes, type MacInput } from './_args.js';

export const FC_BEACON = 0x0080; // type 0 management, subtype 8 — bytes 80 00
export const FC_ACTION = 0x00d0; // type 0 management, subtype 13 — bytes D0 00
export const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** Short preamble + short slot time, what core-c and ArduRemoteID advertise. */
export const DEFAULT_CAPABILITY = 0x0420;

// Information element IDs (re-exported by wifi-elements.ts, their public home).
export const ELEMENT_ID_SSID = 0;
export const ELEMENT_ID_SUPPORTED_RATES = 1;
export const ELEMENT_ID_DS_PARAMETER_SET = 3;
export const ELEMENT_ID_VENDOR_SPECIFIC = 221;

export const MAC_HEADER_SIZE = 24;
const HDR_FC = 0;
const HDR_DURATION = 2;
const HDR_ADDR1 = 4;
const HDR_ADDR2 = 10;
const HDR_ADDR3 = 16;
const HDR_SEQ_CTL = 22;
/** The 12-bit sequence number sits above the 4-bit fragment number. */
const SEQ_SHIFT = 4;
const SEQ_MAX = 0x0fff;

export const BEACON_FIXED_SIZE = 12;
const FIX_TIMESTAMP = 0;
const FIX_INTERVAL = 8;
const FIX_CAPABILITY = 10;
const TWO_POW_32 = 0x1_0000_0000;

export interface MgmtAddresses {
  da: MacInput;
  sa: MacInput;
  bssid: MacInput;
}

export function macHeader(frameControl: number, addr: MgmtAddresses, sequence = 0): Uint8Array {
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > SEQ_MAX) {
    throw new RangeError(`sequence must be an integer 0..${SEQ_MAX}, got ${sequence}`);
  }
  const out = new Uint8Array(MAC_HEADER_SIZE);
  putU16le(out, HDR_FC, frameControl);
  putU16le(out, HDR_DURATION, 0);
  out.set(macBytes('da', addr.da), HDR_ADDR1);
  out.set(macBytes('mac', addr.sa), HDR_ADDR2);
  out.set(macBytes('bssid', addr.bssid), HDR_ADDR3);
  putU16le(out, HDR_SEQ_CTL, sequence << SEQ_SHIFT);
  return out;
}

/** Timestamp (µs, u64), beacon interval (TU), capability information. */
export function beaconFixedFields(timestampUs: number | bigint, intervalTU: number, capability: number): Uint8Array {
  const out = new Uint8Array(BEACON_FIXED_SIZE);
  const [lo, hi] = splitU64(timestampUs);
  putU32le(out, FIX_TIMESTAMP, lo);
  putU32le(out, FIX_TIMESTAMP + 4, hi);
  putU16le(out, FIX_INTERVAL, checkU16('beaconIntervalTU', intervalTU));
  putU16le(out, FIX_CAPABILITY, checkU16('capability', capability));
  return out;
}

function splitU64(v: number | bigint): [number, number] {
  if (typeof v === 'bigint') {
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new RangeError(`timestampUs must fit 64 bits, got ${v}`);
    return [Number(v & 0xffff_ffffn), Number(v >> 32n)];
  }
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`timestampUs must be a non-negative safe integer (or a bigint), got ${v}`);
  }
  return [v % TWO_POW_32, Math.floor(v / TWO_POW_32)];
}

/** One information element `id len data`. */
export function element(id: number, data: Uint8Array): Uint8Array {
  if (data.length > 0xff) throw new RangeError(`element ${id} data is ${data.length} bytes, at most 255 fit`);
  const out = new Uint8Array(2 + data.length);
  out[0] = id;
  out[1] = data.length;
  out.set(data, 2);
  return out;
}
