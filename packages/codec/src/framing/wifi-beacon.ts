/**
 * Wi-Fi Beacon Remote ID (F3411-22a; spec digest §3.3): the vendor-specific element
 * `DD len FA 0B BC 0D counter pack`, and a whole beacon frame around it for transmitters.
 * Receivers should also look in probe responses: the element is the same.
 */

import { concatBytes } from '../bytes.js';
import { checkByte, checkPack, type MacInput } from './_args.js';
import {
  BROADCAST,
  DEFAULT_CAPABILITY,
  ELEMENT_ID_DS_PARAMETER_SET,
  ELEMENT_ID_SSID,
  ELEMENT_ID_SUPPORTED_RATES,
  ELEMENT_ID_VENDOR_SPECIFIC,
  FC_BEACON,
  beaconFixedFields,
  element,
  macHeader,
} from './_mgmt.js';
import { OUI_ASTM_ODID, OUI_TYPE_ODID, parseOdidBeaconElement, type OdidBeaconPayload } from './odid-element.js';
import { classifyVendorElement, findVendorElements, type VendorElement } from './wifi-elements.js';

export { parseOdidBeaconElement, type OdidBeaconPayload } from './odid-element.js';

/** Supported Rates content core-c sends: one basic rate, 6 Mb/s (0x80 basic flag | 12 × 500 kb/s). */
export const DEFAULT_SUPPORTED_RATES = new Uint8Array([0x8c]);
const SSID_MAX = 32;

// Offsets inside the ODID vendor element.
const IE_OUI = 2;
const IE_OUI_TYPE = 5;
const IE_COUNTER = 6;
const IE_PAYLOAD = 7;

/** An element whose descriptor says it carries Open Drone ID (either OUI). */
const isOdidElement = (v: VendorElement | undefined): boolean => v?.descriptor?.content === 'odid';

/** `DD len FA 0B BC 0D counter pack`. */
export function buildOdidBeaconElement(counter: number, pack: Uint8Array): Uint8Array {
  checkPack(pack);
  const data = new Uint8Array(IE_PAYLOAD - IE_OUI + pack.length);
  data.set(OUI_ASTM_ODID, 0);
  data[IE_OUI_TYPE - IE_OUI] = OUI_TYPE_ODID;
  data[IE_COUNTER - IE_OUI] = checkByte('counter', counter);
  data.set(pack, IE_PAYLOAD - IE_OUI);
  return element(ELEMENT_ID_VENDOR_SPECIFIC, data);
}

/**
 * The first ODID element in a beacon's or probe response's IE bytes, or undefined. A truncated element
 * after a complete ODID one does not hide it; an ODID element that is itself cut short (its OUI and type
 * visible, its length past the end) throws DecodeError 'truncated' rather than passing for "no Remote ID".
 */
export function findOdidBeaconPayload(ies: Uint8Array): OdidBeaconPayload | undefined {
  const { vendor, truncated } = findVendorElements(ies);
  const odid = vendor.find(isOdidElement);
  if (odid) return parseOdidBeaconElement(ies, odid.offset);
  if (truncated) {
    const o = truncated.offset;
    const cut = classifyVendorElement({ id: ies[o]!, offset: o, data: ies.subarray(o + IE_OUI) });
    if (isOdidElement(cut)) throw truncated;
  }
  return undefined;
}

export interface BeaconFrameOptions {
  /** Transmitter address, also used as BSSID. */
  mac: MacInput;
  /** 0..32 bytes; text is sent as UTF-8. Remote ID does not define it: receivers must not filter on it. */
  ssid: string | Uint8Array;
  counter: number;
  pack: Uint8Array;
  /** TSF timer in µs. Passed in, never read from a clock here. */
  timestampUs: number | bigint;
  /** 1 TU = 1024 µs; ArduRemoteID uses 1000 / rate. */
  beaconIntervalTU: number;
  /** Default 0x0420 (short preamble, short slot time). */
  capability?: number;
  /** Adds a DS Parameter Set element (current channel) after Supported Rates when given. */
  channel?: number;
  /** 12-bit sequence number; real drivers overwrite it. Default 0. */
  sequence?: number;
}

/**
 * A complete beacon frame without FCS: MAC header (DA broadcast, SA = BSSID = mac), fixed fields, then the
 * SSID, Supported Rates, optional DS Parameter Set and ODID vendor elements, in element-ID order.
 */
export function buildBeaconFrame(opts: BeaconFrameOptions): Uint8Array {
  const ssid = typeof opts.ssid === 'string' ? new TextEncoder().encode(opts.ssid) : opts.ssid;
  if (ssid.length > SSID_MAX) throw new RangeError(`ssid must be at most ${SSID_MAX} bytes, got ${ssid.length}`);
  const parts = [
    macHeader(FC_BEACON, { da: BROADCAST, sa: opts.mac, bssid: opts.mac }, opts.sequence),
    beaconFixedFields(opts.timestampUs, opts.beaconIntervalTU, opts.capability ?? DEFAULT_CAPABILITY),
    element(ELEMENT_ID_SSID, ssid),
    element(ELEMENT_ID_SUPPORTED_RATES, DEFAULT_SUPPORTED_RATES),
  ];
  if (opts.channel !== undefined) {
    parts.push(element(ELEMENT_ID_DS_PARAMETER_SET, Uint8Array.of(checkByte('channel', opts.channel))));
  }
  parts.push(buildOdidBeaconElement(opts.counter, opts.pack));
  return concatBytes(parts);
}
