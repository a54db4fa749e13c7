/**
 * What a broadcasting UA signs with: its private key and the endorsement its HDA issued for it, as the
 * transmitter's DripSigner takes them (structurally: this package does not depend on the transmitter). The
 * key stays here; the transmitter only ever calls `sign` and `hash`.
 */

import { detToText, toHex, type DripLink } from '@odid/codec';
import type { KeyObject } from 'node:crypto';
import { hostIdentityOf, nodeEd25519 } from './ed25519.js';
import { readEndorsement } from './endorse.js';
import { TrustError } from './errors.js';
import { dripHash } from './hashes.js';
import { readPrivateKey } from './keys.js';

export interface UaSigner {
  readonly uaDet: Uint8Array;
  readonly endorsement: DripLink;
  sign(message: Uint8Array): Uint8Array;
  hash(data: Uint8Array): Uint8Array;
}

/**
 * A signer from the UA's private key and its endorsement (HDA→UA). The endorsement must be of this key: its
 * child HI is the key's public key (and its child DET that HI's hash, which reading it checked). `source`
 * names the endorsement in the error.
 */
export function uaSigner(privateKey: KeyObject, endorsement: DripLink, source = 'the endorsement'): UaSigner {
  const hi = hostIdentityOf(privateKey);
  if (toHex(hi) !== toHex(endorsement.childHi)) {
    throw new TrustError('key-mismatch', source, `endorses DET ${detToText(endorsement.childDet)}, whose key is not the private key given`, 'give the endorsement the HDA issued for this key (rid-keys endorse --child UA.id.json)');
  }
  return {
    uaDet: endorsement.childDet,
    endorsement,
    sign: (message) => nodeEd25519.sign!(privateKey, message),
    hash: dripHash,
  };
}

/** `uaSigner` from files: a private key (PKCS#8 PEM, mode 0600) and an endorsement file (rid-keys endorse). */
export function loadUaSigner(keyFile: string, endorsementFile: string): UaSigner {
  return uaSigner(readPrivateKey(keyFile), readEndorsement(endorsementFile), endorsementFile);
}
