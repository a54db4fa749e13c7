/**
 * DRIP Link (SAM type 0x01): a Broadcast Endorsement, 136 bytes after the SAM type byte. The parent (Apex,
 * RAA or HDA) signs the first 72: VNB, VNA, child DET, child HI, parent DET. Chains go Apex→RAA, RAA→HDA,
 * HDA→UA; a receiver follows them up to a key it trusts.
 */

import { u32le, putU32le } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { DET_SIZE, ED25519_HI_SIZE } from './det.js';
import { LINK_SIGNED_SIZE, LINK_SIZE, SIGNATURE_SIZE } from './limits.js';
import { requireBytes, requireTime, take } from './_bytes.js';
import { SAM_TYPE, type DripLink, type Unsigned } from './types.js';

/** Offsets inside the authentication data (the SAM type byte is byte 0). */
const OFF = { vnb: 1, vna: 5, childDet: 9, childHi: 25, parentDet: 57, signature: 73 } as const;

/** A DRIP Link from authentication data that starts with its SAM type byte. */
export function decodeLink(data: Uint8Array): DripLink {
  const body = data.length - 1;
  if (body < LINK_SIZE) throw new DecodeError('truncated', data.length, `a DRIP Link has ${LINK_SIZE} bytes after the SAM type, ${body} present`, 'drip.link');
  if (body > LINK_SIZE) throw new DecodeError('malformed', 1 + LINK_SIZE, `${body - LINK_SIZE} byte(s) after the ${LINK_SIZE}-byte DRIP Link`, 'drip.link');
  return {
    type: 'link',
    vnb: u32le(data, OFF.vnb),
    vna: u32le(data, OFF.vna),
    childDet: take(data, OFF.childDet, DET_SIZE),
    childHi: take(data, OFF.childHi, ED25519_HI_SIZE),
    parentDet: take(data, OFF.parentDet, DET_SIZE),
    signature: take(data, OFF.signature, SIGNATURE_SIZE),
  };
}

/** The 72 bytes the parent signs (the SAM type byte is not signed). */
export function linkSignedBytes(link: Unsigned<DripLink>): Uint8Array {
  const out = new Uint8Array(LINK_SIGNED_SIZE);
  writeSigned(link, out, -1);
  return out;
}

/** SAM type byte and the 136 Link bytes. */
export function encodeLink(link: DripLink): Uint8Array {
  const out = new Uint8Array(1 + LINK_SIZE);
  out[0] = SAM_TYPE.link;
  writeSigned(link, out, 0);
  out.set(requireBytes('drip.link.signature', link.signature, SIGNATURE_SIZE), OFF.signature);
  return out;
}

/** The signed part at OFF + shift (shift -1: without the SAM type byte). */
function writeSigned(link: Unsigned<DripLink>, out: Uint8Array, shift: number): void {
  putU32le(out, OFF.vnb + shift, requireTime('drip.link.vnb', link.vnb));
  putU32le(out, OFF.vna + shift, requireTime('drip.link.vna', link.vna));
  out.set(requireBytes('drip.link.childDet', link.childDet, DET_SIZE), OFF.childDet + shift);
  out.set(requireBytes('drip.link.childHi', link.childHi, ED25519_HI_SIZE), OFF.childHi + shift);
  out.set(requireBytes('drip.link.parentDet', link.parentDet, DET_SIZE), OFF.parentDet + shift);
}

/**
 * The bytes a Manifest's link hash covers for this endorsement: its 136 bytes after the SAM type byte.
 * RFC 9575 can also be read as hashing the Link as a paged message (its pages concatenated,
 * pagedMessageBytes); the draft's example Manifest carries the hash of the 136 bytes (remote-id-spec.md
 * §6.3), so that is the one.
 */
export function linkHashInput(link: DripLink): Uint8Array {
  return encodeLink(link).subarray(1);
}
