/**
 * The DRIP Entity Tag (DET, RFC 9374 Hierarchical HIT; remote-id-spec.md §6.1): 128 bits made of a 28-bit
 * IPv6 prefix (2001:30::/28), a 14-bit RAA, a 14-bit HDA, an 8-bit HHIT suite and a 64-bit ORCHID hash of
 * the first 64 bits and the Host Identity (HI, for suite 5 the raw 32-byte Ed25519 public key). The DET is
 * self-certifying: whoever has the HI recomputes the hash, so a receiver never trusts a DET↔HI pairing it
 * has not recomputed. The codec lays out the fields; the hash itself (cSHAKE128) is computed by @odid/trust
 * (`detFromHostIdentity`, `detMatchesHostIdentity`), so that the codec needs no runtime dependency.
 */

import { DecodeError, EncodeError } from '../errors.js';
import { requireInt } from '../messages/fields.js';

/** Bytes in a DET. */
export const DET_SIZE = 16;
/** The HHIT prefix 2001:30::/28 as its 28 bits (the first 7 hex digits: 2001003). */
export const DET_PREFIX = 0x2001003;
/** RAA and HDA are 14 bits each. */
export const DET_AUTHORITY_MAX = 0x3fff;
/** HHIT suite 5: EdDSA (Ed25519) keys, cSHAKE128 hashes; the only one this toolkit computes. */
export const HHIT_SUITE_ED25519 = 5;
/** Bytes of a suite-5 Host Identity (the raw Ed25519 public key). */
export const ED25519_HI_SIZE = 32;
/** Bytes of the ORCHID hash at the end of the DET. */
export const ORCHID_HASH_SIZE = 8;

export interface DetFields {
  /** 28 bits; DET_PREFIX for every DET. */
  prefix: number;
  /** Registered Assigning Authority, 0..16383. */
  raa: number;
  /** HHIT Domain Authority, 0..16383. */
  hda: number;
  /** HHIT suite (OGA ID), 0..255. */
  suite: number;
  /** The last 8 bytes. */
  orchidHash: Uint8Array;
}

/** The fields of 16 DET bytes at `offset`. Any 128 bits have fields: check `prefix` to know it is a DET. */
export function detFields(det: Uint8Array, offset = 0): DetFields {
  if (det.length - offset < DET_SIZE) throw new DecodeError('truncated', det.length, `a DET needs ${DET_SIZE} bytes, ${Math.max(0, det.length - offset)} present`, 'det');
  const b = (i: number): number => det[offset + i]!;
  return {
    prefix: ((b(0) << 20) | (b(1) << 12) | (b(2) << 4) | (b(3) >> 4)) >>> 0,
    raa: ((b(3) & 0x0f) << 10) | (b(4) << 2) | (b(5) >> 6),
    hda: ((b(5) & 0x3f) << 8) | b(6),
    suite: b(7),
    orchidHash: det.slice(offset + 8, offset + DET_SIZE),
  };
}

/**
 * The first 8 bytes of a DET: prefix, RAA, HDA and suite — what the ORCHID hash covers besides the HI
 * (orchidHash in @odid/trust hashes them with it).
 */
export function detHead(raa: number, hda: number, suite: number, prefix = DET_PREFIX): Uint8Array {
  requireInt('det.raa', raa, 0, DET_AUTHORITY_MAX);
  requireInt('det.hda', hda, 0, DET_AUTHORITY_MAX);
  requireInt('det.suite', suite, 0, 0xff);
  requireInt('det.prefix', prefix, 0, 0x0fffffff);
  const out = new Uint8Array(8);
  out[0] = (prefix >>> 20) & 0xff;
  out[1] = (prefix >>> 12) & 0xff;
  out[2] = (prefix >>> 4) & 0xff;
  out[3] = ((prefix & 0x0f) << 4) | (raa >> 10);
  out[4] = (raa >> 2) & 0xff;
  out[5] = ((raa & 0x03) << 6) | (hda >> 8);
  out[6] = hda & 0xff;
  out[7] = suite;
  return out;
}

/** The 16 DET bytes of these fields (prefix defaults to DET_PREFIX). */
export function detFromFields(f: Omit<DetFields, 'prefix'> & { prefix?: number }): Uint8Array {
  const head = detHead(f.raa, f.hda, f.suite, f.prefix ?? DET_PREFIX);
  if (!(f.orchidHash instanceof Uint8Array) || f.orchidHash.length !== ORCHID_HASH_SIZE) {
    throw new EncodeError('invalid', 'det.orchidHash', f.orchidHash, `${ORCHID_HASH_SIZE} bytes`);
  }
  const out = new Uint8Array(DET_SIZE);
  out.set(head);
  out.set(f.orchidHash, 8);
  return out;
}

/** The IPv6 text form used by the DRIP documents: eight groups of four lowercase hex digits, nothing elided. */
export function detToText(det: Uint8Array, offset = 0): string {
  if (det.length - offset < DET_SIZE) throw new DecodeError('truncated', det.length, `a DET needs ${DET_SIZE} bytes`, 'det');
  const groups: string[] = [];
  for (let i = 0; i < DET_SIZE; i += 2) groups.push(((det[offset + i]! << 8) | det[offset + i + 1]!).toString(16).padStart(4, '0'));
  return groups.join(':');
}

/**
 * A DET from IPv6 text: the full form, or with one "::" standing for zero groups; hex digits of either case.
 * DecodeError (offset = character index) for anything else. Any 128 bits parse: check the prefix separately.
 */
export function detFromText(text: string): Uint8Array {
  const fail = (at: number, why: string): DecodeError => new DecodeError('malformed', at, `"${text.length > 60 ? `${text.slice(0, 60)}…` : text}" is not a DET in IPv6 notation: ${why}`, 'det');
  if (typeof text !== 'string') throw new DecodeError('malformed', 0, 'a DET must be text', 'det');
  const s = text.trim();
  if (s.length > 39) throw fail(39, 'longer than 39 characters');
  const halves = s.split('::');
  if (halves.length > 2) throw fail(s.indexOf('::', s.indexOf('::') + 2), '"::" may appear once');
  const parse = (part: string, at: number): number[] => {
    if (part === '') return [];
    return part.split(':').map((g, i) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw fail(at + i, `group "${g}" is not 1..4 hex digits`);
      return parseInt(g, 16);
    });
  };
  const head = parse(halves[0]!, 0);
  const tail = halves.length === 2 ? parse(halves[1]!, head.length) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) throw fail(0, `it has ${head.length + tail.length} groups, a DET has 8`);
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(DET_SIZE);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
