/**
 * 802.11 information elements of a management frame body (after the fixed fields), and the vendor-specific
 * ones (ID 221) that carry drone identification: ASTM/ASD-STAN Remote ID, its pre-standard Parrot OUI,
 * DJI DroneID and the French "signalement électronique" (spec digest §3.3, §3.5, §3.7, §7.1). Which OUI and
 * type byte is which kind comes from the payload descriptors (payload-kinds.ts), not from this file.
 *
 * A small local walker on purpose: the generic one in link/ is still being written.
 */

import { DecodeError } from '../errors.js';
import { toHex } from '../bytes.js';
import { ELEMENT_ID_VENDOR_SPECIFIC } from './_mgmt.js';
import { matchesVendorElement } from './payload-kind.js';
import { VENDOR_ELEMENT_KINDS, type VendorElementDescriptor, type VendorElementKind } from './payload-kinds.js';

export { ELEMENT_ID_DS_PARAMETER_SET, ELEMENT_ID_SSID, ELEMENT_ID_SUPPORTED_RATES, ELEMENT_ID_VENDOR_SPECIFIC } from './_mgmt.js';
export { OUI_ASTM_ODID, OUI_PARROT, OUI_TYPE_ODID } from './odid-element.js';
export { OUI_DJI } from './dji-droneid.js';
export { OUI_FRENCH_ID, OUI_TYPE_FRENCH_ID } from './french-id.js';
export type { VendorElementKind } from './payload-kinds.js';

const ELEMENT_HEADER = 2;
const OUI_SIZE = 3;

export interface WifiElement {
  id: number;
  /** Offset of the element ID byte in the walked buffer. */
  offset: number;
  /** The element's contents (what its length byte counts). */
  data: Uint8Array;
}

export interface ElementList {
  elements: WifiElement[];
  /**
   * Set when the buffer ends inside an element (snap length, an FCS left on the frame): the elements
   * before it are complete and returned anyway, as receivers keep them.
   */
  truncated?: DecodeError;
}

/** Splits IE bytes into elements; never reads past the buffer. */
export function walkElements(ies: Uint8Array): ElementList {
  const elements: WifiElement[] = [];
  for (let o = 0; o < ies.length; o += ELEMENT_HEADER + ies[o + 1]!) {
    const cut = elementCut(ies, o);
    if (cut) return { elements, truncated: cut };
    elements.push({ id: ies[o]!, offset: o, data: ies.subarray(o + ELEMENT_HEADER, o + ELEMENT_HEADER + ies[o + 1]!) });
  }
  return { elements };
}

/** Why the element at `o` (< ies.length) runs past the end of the buffer; undefined when it is whole. */
function elementCut(ies: Uint8Array, o: number): DecodeError | undefined {
  if (o + ELEMENT_HEADER > ies.length) return new DecodeError('truncated', o, 'element header cut short', 'ie.length');
  const len = ies[o + 1]!;
  if (o + ELEMENT_HEADER + len <= ies.length) return undefined;
  const reason = `element ${ies[o]} of length ${len} runs past the end (${ies.length - o - ELEMENT_HEADER} bytes left)`;
  return new DecodeError('truncated', o, reason, 'ie');
}

export interface VendorElement {
  /** The kind of its descriptor (payload-kinds.ts), 'other' for elements of no kind listed there. */
  kind: VendorElementKind;
  /** "fa:0b:bc" style. */
  oui: string;
  /** Offset of the element ID byte in the walked buffer. */
  offset: number;
  /** The element contents after the 3 OUI bytes (so it starts with the OUI type byte). */
  body: Uint8Array;
  /** How to read it (payload-kind.ts); undefined for 'other'. */
  descriptor: VendorElementDescriptor | undefined;
}

/** Classifies one element; undefined unless it is a vendor-specific element long enough to hold an OUI. */
export function classifyVendorElement(element: WifiElement): VendorElement | undefined {
  const d = element.data;
  if (element.id !== ELEMENT_ID_VENDOR_SPECIFIC || d.length < OUI_SIZE) return undefined;
  return vendorElement(d, element.offset);
}

/** A vendor element whose contents (from the OUI, at least OUI_SIZE bytes) are `d`. */
function vendorElement(d: Uint8Array, offset: number): VendorElement {
  const descriptor = vendorElementDescriptor(d);
  return { kind: descriptor ? descriptor.kind : 'other', oui: formatOui(d), offset, body: d.subarray(OUI_SIZE), descriptor };
}

/** The first listed kind whose OUI and type byte the element contents (from the OUI) carry. */
function vendorElementDescriptor(d: Uint8Array): VendorElementDescriptor | undefined {
  for (const kind of VENDOR_ELEMENT_KINDS) if (matchesVendorElement(kind, d)) return kind;
  return undefined;
}

export interface VendorElementList {
  vendor: VendorElement[];
  truncated?: DecodeError;
}

/**
 * All vendor-specific elements of IE bytes, classified, in frame order: walkElements and
 * classifyVendorElement in one pass, without an object for each of the other elements (a beacon of an
 * access point has a dozen).
 */
export function findVendorElements(ies: Uint8Array): VendorElementList {
  const vendor: VendorElement[] = [];
  for (let o = 0; o < ies.length; o += ELEMENT_HEADER + ies[o + 1]!) {
    const cut = elementCut(ies, o);
    if (cut) return { vendor, truncated: cut };
    const len = ies[o + 1]!;
    if (ies[o] === ELEMENT_ID_VENDOR_SPECIFIC && len >= OUI_SIZE) vendor.push(vendorElement(ies.subarray(o + ELEMENT_HEADER, o + ELEMENT_HEADER + len), o));
  }
  return { vendor };
}

/** OUI strings by their 24 bits, built once each (at most MAX_OUI_NAMES kept: beacons carry a handful of OUIs). */
const ouiNames = new Map<number, string>();
const MAX_OUI_NAMES = 4096;

function formatOui(d: Uint8Array): string {
  const key = (d[0]! << 16) | (d[1]! << 8) | d[2]!;
  let name = ouiNames.get(key);
  if (name === undefined) {
    if (ouiNames.size >= MAX_OUI_NAMES) ouiNames.clear();
    name = `${toHex(d, 0, 1)}:${toHex(d, 1, 2)}:${toHex(d, 2, 3)}`;
    ouiNames.set(key, name);
  }
  return name;
}
