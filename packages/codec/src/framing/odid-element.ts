/**
 * The Open Drone ID vendor element of Wi-Fi beacons and probe responses (F3411-22a; spec digest §3.3):
 * `DD len FA 0B BC 0D counter pack`, and its pre-standard twin under Parrot's OUI 90:3A:E6 with the same
 * type and payload. Its two payload descriptors, and the reader they share.
 */

import { DecodeError } from '../errors.js';
import { ELEMENT_ID_VENDOR_SPECIFIC } from './_mgmt.js';
import { matchesVendorElement, type OdidElementPayload } from './payload-kind.js';

/** OUIs as transmitted. */
export const OUI_ASTM_ODID = [0xfa, 0x0b, 0xbc] as const;
export const OUI_PARROT = [0x90, 0x3a, 0xe6] as const;
/** Vendor OUI type byte of Open Drone ID (same value under the ASTM and the Parrot OUI). */
export const OUI_TYPE_ODID = 0x0d;

// Offsets inside the element.
const IE_ID = 0;
const IE_LEN = 1;
const IE_OUI = 2;
const IE_COUNTER = 6;
const IE_PAYLOAD = 7;

export interface OdidBeaconPayload {
  counter: number;
  /** The message pack, as bytes (the messages layer decodes it). */
  payload: Uint8Array;
  /** 'astm' for FA:0B:BC, 'parrot' for the pre-standard 90:3A:E6. */
  oui: 'astm' | 'parrot';
  /** Where `payload` starts in the buffer handed in. */
  offset: number;
}

export const ODID_ELEMENT: OdidElementPayload<'odid'> = {
  carrier: 'vendor-element',
  name: 'odid-beacon',
  kind: 'odid',
  oui: OUI_ASTM_ODID,
  ouiType: OUI_TYPE_ODID,
  transport: 'wifi-beacon',
  malformed: 'framing.malformed-beacon-element',
  content: 'odid',
  unwrap: (ies, offset) => parseOdidBeaconElement(ies, offset),
};

export const ODID_PARROT_ELEMENT: OdidElementPayload<'odidParrot'> = {
  carrier: 'vendor-element',
  name: 'odid-beacon-parrot',
  kind: 'odidParrot',
  oui: OUI_PARROT,
  ouiType: OUI_TYPE_ODID,
  transport: 'wifi-beacon',
  malformed: 'framing.malformed-beacon-element',
  content: 'odid',
  unwrap: (ies, offset) => parseOdidBeaconElement(ies, offset),
};

/**
 * Reads one ODID vendor element starting at `offset` (its 0xDD byte). Throws DecodeError: 'malformed' if it
 * is not an ODID element (other ID, OUI or type), 'truncated' if its length runs past the buffer or leaves
 * no room for the counter.
 */
export function parseOdidBeaconElement(bytes: Uint8Array, offset = 0): OdidBeaconPayload {
  if (offset + IE_OUI > bytes.length) throw new DecodeError('truncated', offset, 'element header cut short', 'ie');
  if (bytes[offset + IE_ID] !== ELEMENT_ID_VENDOR_SPECIFIC) {
    throw new DecodeError('malformed', offset, `element ID ${bytes[offset + IE_ID]} is not 221 (vendor specific)`, 'ie.id');
  }
  const end = offset + IE_OUI + bytes[offset + IE_LEN]!;
  if (end > bytes.length) {
    throw new DecodeError('truncated', offset + IE_LEN, 'vendor element runs past the end of the buffer', 'ie.length');
  }
  if (end < offset + IE_PAYLOAD) {
    throw new DecodeError('truncated', offset + IE_LEN, 'vendor element too short for OUI, type and counter', 'ie.length');
  }
  const data = bytes.subarray(offset + IE_OUI, end);
  const astm = matchesVendorElement(ODID_ELEMENT, data);
  if (!astm && !matchesVendorElement(ODID_PARROT_ELEMENT, data)) {
    const reason = 'vendor element is not Open Drone ID (OUI FA:0B:BC or 90:3A:E6, type 0x0D)';
    throw new DecodeError('malformed', offset + IE_OUI, reason, 'ie.oui');
  }
  return {
    counter: bytes[offset + IE_COUNTER]!,
    payload: bytes.subarray(offset + IE_PAYLOAD, end),
    oui: astm ? 'astm' : 'parrot',
    offset: offset + IE_PAYLOAD,
  };
}
