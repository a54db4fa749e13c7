/**
 * DRIP Manifest (SAM type 0x03): the UA signs 8-byte hashes of what it sent before — the previous
 * Manifest's hash, this Manifest's own hash, the hash of its Broadcast Endorsement (BE: HDA→UA), then up
 * to 11 message hashes — so that a receiver can authenticate messages it heard in the clear. The current
 * hash is the caller's to compute (manifestHashInput says over what; @odid/trust's makeManifest does it).
 */

import { DecodeError, EncodeError } from '../errors.js';
import { EVIDENCE_OFFSET, decodeUaSigned, encodeUaSigned, uaSignedBytes } from './evidence.js';
import { DRIP_HASH_SIZE } from './hash.js';
import { MANIFEST_FIXED_HASHES, MANIFEST_MAX_MESSAGE_HASHES } from './limits.js';
import { requireBytes } from './_bytes.js';
import { SAM_TYPE, type DripManifest, type Unsigned } from './types.js';

export function decodeManifest(data: Uint8Array): DripManifest {
  const s = decodeUaSigned(data, 'manifest');
  const n = s.evidence.length;
  if (n % DRIP_HASH_SIZE !== 0) throw new DecodeError('malformed', EVIDENCE_OFFSET, `length ${n} is not a multiple of ${DRIP_HASH_SIZE}`, 'drip.manifest.evidence');
  if (n < MANIFEST_FIXED_HASHES * DRIP_HASH_SIZE) {
    throw new DecodeError('malformed', EVIDENCE_OFFSET, `length ${n} leaves no room for the previous, current and link hashes (${MANIFEST_FIXED_HASHES * DRIP_HASH_SIZE} bytes)`, 'drip.manifest.evidence');
  }
  const hash = (i: number): Uint8Array => s.evidence.slice(i * DRIP_HASH_SIZE, (i + 1) * DRIP_HASH_SIZE);
  const messageHashes: Uint8Array[] = [];
  for (let i = MANIFEST_FIXED_HASHES; i < n / DRIP_HASH_SIZE; i++) messageHashes.push(hash(i));
  return { type: 'manifest', vnb: s.vnb, vna: s.vna, previousHash: hash(0), currentHash: hash(1), linkHash: hash(2), messageHashes, uaDet: s.uaDet, signature: s.signature };
}

/** previous ‖ current ‖ link ‖ message hashes, as signed and sent. */
export function manifestEvidence(m: Omit<Unsigned<DripManifest>, 'type' | 'vnb' | 'vna' | 'uaDet'>): Uint8Array {
  if (!Array.isArray(m.messageHashes) || m.messageHashes.length > MANIFEST_MAX_MESSAGE_HASHES) {
    throw new EncodeError('out-of-range', 'drip.manifest.messageHashes', Array.isArray(m.messageHashes) ? `${m.messageHashes.length} hashes` : m.messageHashes, `0..${MANIFEST_MAX_MESSAGE_HASHES} hashes`);
  }
  const hashes = [
    requireBytes('drip.manifest.previousHash', m.previousHash, DRIP_HASH_SIZE),
    requireBytes('drip.manifest.currentHash', m.currentHash, DRIP_HASH_SIZE),
    requireBytes('drip.manifest.linkHash', m.linkHash, DRIP_HASH_SIZE),
    ...m.messageHashes.map((h, i) => requireBytes(`drip.manifest.messageHashes[${i}]`, h, DRIP_HASH_SIZE)),
  ];
  const out = new Uint8Array(hashes.length * DRIP_HASH_SIZE);
  hashes.forEach((h, i) => out.set(h, i * DRIP_HASH_SIZE));
  return out;
}

export function manifestSignedBytes(m: Unsigned<DripManifest>): Uint8Array {
  return uaSignedBytes(m, manifestEvidence(m), 'manifest');
}

export function encodeManifest(m: DripManifest): Uint8Array {
  return encodeUaSigned(SAM_TYPE.manifest, m, manifestEvidence(m), 'manifest');
}
