/**
 * 802.11 information elements of a management frame body (after the fixed fields), and the vendor-specific
 * ones (ID 221) that carry drone identification: ASTM/ASD-STAN Remote ID, its pre-standard Parrot OUI,
 * DJI DroneID and the French "signalement électronique" (spec digest §3.3, §3.5, §3.7, §7.1).
 *
 * A small local walker on purpose: the generic one in link/ is still being written.
 */

import { DecodeError } from '../errors.js';
import { toHex } from '../bytes.js';

export const ELEMENT_ID_SSID = 0;
export const ELEMENT_ID_SUPPORTED_RATES = 1;
export const ELEMENT_ID_DS_PARAMETER_SET = 3;
export const ELEMENT_ID_VENDOR_SPECIFIC = 221;

/** OUIs as transmitted (compare bytes, never integers: Kismet stores the DJI one byte-reversed). */
export const OUI_ASTM_ODID = [0xfa, 0x0b, 0xbc] as const;
export const OUI_PARROT = [0x90, 0x3a, 0xe6] as const;
export const OUI_DJI = [0x26, 0x37, 0x12] as const;
export const OUI_FRENCH_ID = [0x6a, 0x5c, 0x35] as const;
/** Vendor OUI type byte of Open Drone ID (same value under the ASTM and the Parrot OUI). */
export const OUI_TYPE_ODID = 0x0d;
/** Vendor OUI type byte of the French signalement électronique. */
export const OUI_TYPE_FRENCH_ID = 0x01;

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
  let o = 0;
  while (o < ies.length) {
    if (o + ELEMENT_HEADER > ies.length) {
      return { elements, truncated: new DecodeError('truncated', o, 'element header cut short', 'ie.length') };
    }
    const len = ies[o + 1]!;
    const end = o + ELEMENT_HEADER + len;
    if (end > ies.length) {
      const reason = `element ${ies[o]} of length ${len} runs past the end (${ies.length - o - ELEMENT_HEADER} bytes left)`;
      return { elements, truncated: new DecodeError('truncated', o, reason, 'ie') };
    }
    elements.push({ id: ies[o]!, offset: o, data: ies.subarray(o + ELEMENT_HEADER, end) });
    o = end;
  }
  return { elements };
}

export type VendorElementKind =
  | 'odid' // FA:0B:BC type 0x0D, ASTM F3411 / ASD-STAN
  | 'odidParrot' // 90:3A:E6 type 0x0D, pre-standard, same payload
  | 'dji' // 26:37:12, DJI DroneID
  | 'frenchId' // 6A:5C:35 type 0x01
  | 'other';

export interface VendorElement {
  kind: VendorElementKind;
  /** "fa:0b:bc" style. */
  oui: string;
  /** Offset of the element ID byte in the walked buffer. */
  offset: number;
  /** The element contents after the 3 OUI bytes (so it starts with the OUI type byte). */
  body: Uint8Array;
}

/** Classifies one element; undefined unless it is a vendor-specific element long enough to hold an OUI. */
export function classifyVendorElement(element: WifiElement): VendorElement | undefined {
  const d = element.data;
  if (element.id !== ELEMENT_ID_VENDOR_SPECIFIC || d.length < OUI_SIZE) return undefined;
  const body = d.subarray(OUI_SIZE);
  return { kind: vendorKind(d, body[0]), oui: formatOui(d), offset: element.offset, body };
}

function vendorKind(d: Uint8Array, ouiType: number | undefined): VendorElementKind {
  if (sameOui(d, OUI_ASTM_ODID) && ouiType === OUI_TYPE_ODID) return 'odid';
  if (sameOui(d, OUI_PARROT) && ouiType === OUI_TYPE_ODID) return 'odidParrot';
  if (sameOui(d, OUI_DJI)) return 'dji';
  if (sameOui(d, OUI_FRENCH_ID) && ouiType === OUI_TYPE_FRENCH_ID) return 'frenchId';
  return 'other';
}

export interface VendorElementList {
  vendor: VendorElement[];
  truncated?: DecodeError;
}

/** All vendor-specific elements of IE bytes, classified, in frame order. */
export function findVendorElements(ies: Uint8Array): VendorElementList {
  const { elements, truncated } = walkElements(ies);
  const vendor: VendorElement[] = [];
  for (const e of elements) {
    const v = classifyVendorElement(e);
    if (v) vendor.push(v);
  }
  return truncated ? { vendor, truncated } : { vendor };
}

function sameOui(d: Uint8Array, oui: readonly [number, number, number]): boolean {
  return d[0] === oui[0] && d[1] === oui[1] && d[2] === oui[2];
}

function formatOui(d: Uint8Array): string {
  return `${toHex(d, 0, 1)}:${toHex(d, 1, 2)}:${toHex(d, 2, 3)}`;
}
