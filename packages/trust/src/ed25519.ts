/**
 * Ed25519 from node:crypto, in the shape the codec takes (`Ed25519`): signatures over the bytes the DRIP
 * structures name, and raw 32-byte public keys (a DET's Host Identity) turned into Node keys and back.
 */

import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { ED25519_HI_SIZE, SIGNATURE_SIZE, type Ed25519 } from '@odid/codec';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A Node public key from a raw 32-byte Ed25519 key. */
export function publicKeyFromHi(hi: Uint8Array): KeyObject {
  if (hi.length !== ED25519_HI_SIZE) throw new RangeError(`an Ed25519 public key has ${ED25519_HI_SIZE} bytes, not ${hi.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, hi]), format: 'der', type: 'spki' });
}

/** The raw 32-byte public key (the HI) of an Ed25519 key, public or private. */
export function hostIdentityOf(key: KeyObject): Uint8Array {
  const spki = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}

export const nodeEd25519: Ed25519<KeyObject> = {
  sign: (privateKey, message) => new Uint8Array(sign(null, message, privateKey)),
  verify: (publicKey, message, signature) => {
    if (publicKey.length !== ED25519_HI_SIZE || signature.length !== SIGNATURE_SIZE) return false;
    try {
      return verify(null, message, publicKeyFromHi(publicKey), signature);
    } catch {
      // a point that is not on the curve, and the like: no signature verifies with it
      return false;
    }
  },
};
