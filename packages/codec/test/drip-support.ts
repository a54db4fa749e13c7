/**
 * What the DRIP tests share: Ed25519 from node:crypto and the suite-5 hashes (cSHAKE128 from @noble/hashes,
 * a devDependency: the codec computes neither signatures nor hashes, and has no runtime dependency; tests,
 * like callers, pass them in), and keys with their DETs. @odid/trust has the real hashing and its vectors.
 */
import { cshake128 } from '@noble/hashes/sha3-addons.js';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { detHead, fromHex, linkHashInput, manifestHashInput, type DripLink, type DripManifest, type Ed25519, type Unsigned } from '../src/index.js';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key (the HI) follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export const nodeEd25519: Ed25519<KeyObject> = {
  sign: (privateKey, message) => new Uint8Array(sign(null, message, privateKey)),
  verify: (publicKey, message, signature) => {
    try {
      return verify(null, message, createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }), signature);
    } catch {
      return false;
    }
  },
};

/** The Manifest hash of suite 5: cSHAKE128(data, 64 bits, S = "Remote ID Auth Hash"). */
export const dripHash = (data: Uint8Array): Uint8Array => cshake128(data, { personalization: new TextEncoder().encode('Remote ID Auth Hash'), dkLen: 8 });
export const linkHash = (link: DripLink): Uint8Array => dripHash(linkHashInput(link));

/** An unsigned Manifest with its current hash (over manifestHashInput). */
export function makeManifest(m: Omit<Unsigned<DripManifest>, 'type' | 'currentHash'>): Unsigned<DripManifest> {
  return { ...m, type: 'manifest', currentHash: dripHash(manifestHashInput(m.previousHash, m.linkHash, m.messageHashes)) };
}

/** The DET of a suite-5 HI: the head and cSHAKE128(head ‖ HI, 64 bits, S = RFC 9374's HHIT context ID). */
export function detOf(hi: Uint8Array, raa: number, hda: number): Uint8Array {
  const head = detHead(raa, hda, 5);
  const x = new Uint8Array([...head, ...hi]);
  return new Uint8Array([...head, ...cshake128(x, { personalization: fromHex('00b5a69c795df5d5f0087f56843f2c40'), dkLen: 8 })]);
}

export interface TestKey {
  privateKey: KeyObject;
  hi: Uint8Array;
  det: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** A key pair with its DET under (raa, hda); `seed` (32 bytes) makes it the same on every run. */
export function testKey(raa: number, hda: number, seed?: Uint8Array): TestKey {
  const privateKey = seed
    ? createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' })
    : generateKeyPairSync('ed25519').privateKey;
  const hi = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length));
  return { privateKey, hi, det: detOf(hi, raa, hda), sign: (m) => nodeEd25519.sign!(privateKey, m) };
}
