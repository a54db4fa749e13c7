/**
 * Every DRIP hash, for HHIT suite 5 (remote-id-spec.md §6.1, §6.3): cSHAKE128 from @noble/hashes (pure JS,
 * audited). The codec lays out what is hashed (detHead, manifestHashInput, linkHashInput, pagedMessageBytes)
 * and keeps no runtime dependency; the hashing is here.
 *
 * - the ORCHID hash of a DET: cSHAKE128(first 8 DET bytes ‖ HI, 64 bits, N = "", S = HHIT_CONTEXT_ID);
 * - the Manifest hashes: cSHAKE128(data, 64 bits, N = "", S = "Remote ID Auth Hash").
 */

import { cshake128 } from '@noble/hashes/sha3-addons.js';
import {
  DET_PREFIX,
  DET_SIZE,
  DRIP_HASH_SIZE,
  ED25519_HI_SIZE,
  EncodeError,
  HHIT_SUITE_ED25519,
  ORCHID_HASH_SIZE,
  detFields,
  detHead,
  fromHex,
  linkHashInput,
  manifestHashInput,
  pagedMessageBytes,
  type DripLink,
  type DripManifest,
  type Unsigned,
} from '@odid/codec';

/** cSHAKE128 customization string S of the ORCHID hash (RFC 9374's HHIT context ID). */
export const HHIT_CONTEXT_ID: Uint8Array = fromHex('00b5a69c795df5d5f0087f56843f2c40');
/** The cSHAKE128 customization string S of the Manifest hashes. */
export const AUTH_HASH_CUSTOMIZATION = 'Remote ID Auth Hash';

const AUTH_HASH_S = new TextEncoder().encode(AUTH_HASH_CUSTOMIZATION);

/** The ORCHID hash: cSHAKE128(first 8 DET bytes ‖ HI, 64 bits, N = "", S = HHIT_CONTEXT_ID). */
export function orchidHash(head: Uint8Array, hi: Uint8Array): Uint8Array {
  const x = new Uint8Array(head.length + hi.length);
  x.set(head);
  x.set(hi, head.length);
  return cshake128(x, { personalization: HHIT_CONTEXT_ID, dkLen: ORCHID_HASH_SIZE });
}

/** The DET of a Host Identity under an RAA and HDA. Only suite 5 (Ed25519, 32-byte HI) is computed. */
export function detFromHostIdentity(hi: Uint8Array, raa: number, hda: number, suite = HHIT_SUITE_ED25519): Uint8Array {
  if (suite !== HHIT_SUITE_ED25519) throw new EncodeError('out-of-range', 'det.suite', suite, `${HHIT_SUITE_ED25519} (Ed25519 with cSHAKE128)`);
  const head = detHead(raa, hda, suite);
  if (!(hi instanceof Uint8Array) || hi.length !== ED25519_HI_SIZE) throw new EncodeError('invalid', 'det.hi', hi, `a ${ED25519_HI_SIZE}-byte Ed25519 public key`);
  const out = new Uint8Array(DET_SIZE);
  out.set(head);
  out.set(orchidHash(head, hi), 8);
  return out;
}

/**
 * Whether a DET is the one its own RAA, HDA and suite give for this HI (prefix included). False for anything
 * that cannot be one: a wrong length, another prefix, a suite this toolkit does not compute.
 */
export function detMatchesHostIdentity(det: Uint8Array, hi: Uint8Array): boolean {
  if (!(det instanceof Uint8Array) || det.length !== DET_SIZE || !(hi instanceof Uint8Array) || hi.length !== ED25519_HI_SIZE) return false;
  const f = detFields(det);
  if (f.prefix !== DET_PREFIX || f.suite !== HHIT_SUITE_ED25519) return false;
  return bytesEqual(detFromHostIdentity(hi, f.raa, f.hda, f.suite), det);
}

/** The suite-5 hash of any bytes: a message, a pack, concatenated pages, a Broadcast Endorsement. */
export function dripHash(data: Uint8Array): Uint8Array {
  return cshake128(data, { personalization: AUTH_HASH_S, dkLen: DRIP_HASH_SIZE });
}

/** A paged message (Authentication) on a legacy transport: its 25-byte pages, in page order, hashed as one. */
export const pagedMessageHash = (pages: readonly Uint8Array[]): Uint8Array => dripHash(pagedMessageBytes(pages));

/** The current-manifest hash: of previous ‖ 8 zero bytes ‖ link hash ‖ message hashes. The next Manifest's "previous". */
export const currentManifestHash = (previous: Uint8Array, linkHash: Uint8Array, messageHashes: readonly Uint8Array[]): Uint8Array =>
  dripHash(manifestHashInput(previous, linkHash, messageHashes));

/** The hash a Manifest carries for an endorsement: over its 136 bytes after the SAM type (linkHashInput says why). */
export const linkHash = (link: DripLink): Uint8Array => dripHash(linkHashInput(link));

/**
 * An unsigned Manifest with its current hash computed from the others. The first Manifest of a flight takes
 * a random nonce as `previousHash`; each later one the current hash of the one before.
 */
export function makeManifest(m: Omit<Unsigned<DripManifest>, 'type' | 'currentHash'>): Unsigned<DripManifest> {
  return { ...m, type: 'manifest', currentHash: currentManifestHash(m.previousHash, m.linkHash, m.messageHashes) };
}

/** Whether a Manifest's current hash is the hash of its own contents. */
export function manifestHashConsistent(m: Pick<DripManifest, 'previousHash' | 'currentHash' | 'linkHash' | 'messageHashes'>): boolean {
  return bytesEqual(currentManifestHash(m.previousHash, m.linkHash, m.messageHashes), m.currentHash);
}

/** Whether two byte strings are equal, looking at every byte whatever the first difference. */
function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
