/**
 * What the 8-byte hashes of DRIP Manifests cover (remote-id-spec.md §6.3). The codec lays out the bytes; the
 * hash itself — for HHIT suite 5, cSHAKE128(data, 64 bits, N = "", S = "Remote ID Auth Hash") — is the
 * caller's (@odid/trust: dripHash, currentManifestHash, linkHash), as signatures are, so the codec has no
 * runtime dependency. What is hashed depends on the transport: one 25-byte message (header included, no
 * counter) on a legacy transport, all pages of a paged message concatenated in page order, or the whole
 * message pack (no counter) on an extended transport.
 */

import { concatBytes } from '../bytes.js';
import { EncodeError } from '../errors.js';

/** Bytes of every Manifest hash. */
export const DRIP_HASH_SIZE = 8;

/**
 * What the current-manifest hash is the hash of: previous ‖ 8 zero bytes (its own slot) ‖ link hash ‖
 * message hashes. That hash becomes the next Manifest's "previous".
 */
export function manifestHashInput(previous: Uint8Array, linkHash: Uint8Array, messageHashes: readonly Uint8Array[]): Uint8Array {
  const parts = [previous, new Uint8Array(DRIP_HASH_SIZE), linkHash, ...messageHashes];
  parts.forEach((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== DRIP_HASH_SIZE) throw new EncodeError('invalid', `drip.manifest.hashes[${i}]`, h, `${DRIP_HASH_SIZE} bytes`);
  });
  const all = new Uint8Array(parts.length * DRIP_HASH_SIZE);
  parts.forEach((h, i) => all.set(h, i * DRIP_HASH_SIZE));
  return all;
}

/** A paged message (Authentication) on a legacy transport as a Manifest hashes it: its 25-byte pages in page order, back to back. */
export function pagedMessageBytes(pages: readonly Uint8Array[]): Uint8Array {
  return concatBytes(pages);
}
