/**
 * DRIP authentication data, whichever structure it holds: the SAM type byte picks the decoder. One function,
 * `dripSignedBytes`, says what each structure's signer signs (never the SAM type byte); `signDrip` and
 * `verifyDripSignature` apply the caller's Ed25519 to those bytes.
 */

import { fromHex } from '../bytes.js';
import { DecodeError, EncodeError } from '../errors.js';
import type { AssembledAuth } from '../messages/auth-pages.js';
import { decodeFrame, encodeFrame, frameSignedBytes } from './frame.js';
import { DRIP_MAX_AUTH_LENGTH, SIGNATURE_SIZE } from './limits.js';
import { decodeLink, encodeLink, linkSignedBytes } from './link.js';
import { decodeManifest, encodeManifest, manifestSignedBytes } from './manifest.js';
import { decodeWrapper, encodeWrapper, wrapperSignedBytes } from './wrapper.js';
import { SAM_TYPE, type DripAuth, type DripKind, type Ed25519, type Unsigned, type UnsignedDripAuth } from './types.js';

/** Auth type 5, Specific Authentication Method: the authentication data starts with a SAM type byte. */
export const AUTH_TYPE_SAM = 5;

const KIND_OF_SAM = new Map<number, DripKind>(Object.entries(SAM_TYPE).map(([k, v]) => [v, k as DripKind]));

/** The DRIP structure a SAM type byte announces, or undefined for any other SAM type. */
export const dripKindOf = (samType: number): DripKind | undefined => KIND_OF_SAM.get(samType);

/**
 * Decodes DRIP authentication data: the `Length` bytes of an assembled auth-type-5 message, SAM type byte
 * first. Only DecodeError, whose offset counts from the SAM type byte and whose path names the field
 * ("drip.wrapper.evidence").
 */
export function decodeDripAuth(authData: Uint8Array): DripAuth {
  if (!(authData instanceof Uint8Array) || authData.length === 0) throw new DecodeError('truncated', 0, 'no authentication data: a DRIP message starts with its SAM type', 'drip.samType');
  if (authData.length > DRIP_MAX_AUTH_LENGTH) {
    throw new DecodeError('out-of-range', DRIP_MAX_AUTH_LENGTH, `${authData.length} bytes of authentication data, DRIP allows at most ${DRIP_MAX_AUTH_LENGTH}`, 'drip.length');
  }
  switch (dripKindOf(authData[0]!)) {
    case 'link':
      return decodeLink(authData);
    case 'wrapper':
      return decodeWrapper(authData);
    case 'manifest':
      return decodeManifest(authData);
    case 'frame':
      return decodeFrame(authData);
    default:
      throw new DecodeError('unsupported', 0, `SAM type ${authData[0]} is not a DRIP structure (${Object.values(SAM_TYPE).join(', ')})`, 'drip.samType');
  }
}

/** A DRIP structure from an assembled Authentication message; auth types other than 5 are 'unsupported'. */
export function decodeDripAssembled(auth: Pick<AssembledAuth, 'authType' | 'authData'>): DripAuth {
  if (auth.authType !== AUTH_TYPE_SAM) throw new DecodeError('unsupported', 0, `auth type ${auth.authType} is not ${AUTH_TYPE_SAM} (specific authentication method)`, 'drip.authType');
  return decodeDripAuth(fromHex(auth.authData));
}

/** The authentication data of a structure, SAM type byte first (at most 201 bytes: check before paging). */
export function encodeDripAuth(s: DripAuth): Uint8Array {
  const out = encodeBody(s);
  if (out.length > DRIP_MAX_AUTH_LENGTH) throw new EncodeError('out-of-range', `drip.${s.type}`, `${out.length} bytes`, `at most ${DRIP_MAX_AUTH_LENGTH} bytes of authentication data`);
  return out;
}

function encodeBody(s: DripAuth): Uint8Array {
  switch (s?.type) {
    case 'link':
      return encodeLink(s);
    case 'wrapper':
      return encodeWrapper(s);
    case 'manifest':
      return encodeManifest(s);
    case 'frame':
      return encodeFrame(s);
    default:
      throw new EncodeError('invalid', 'drip.type', (s as { type?: unknown } | undefined)?.type, 'link, wrapper, manifest or frame');
  }
}

/**
 * The bytes a structure's signer signs and a verifier checks: a Link's first 72 bytes, or VNB ‖ VNA ‖
 * evidence ‖ UA DET for the others (an extended wrapper's evidence is its pack's messages: `withPackEvidence`).
 * The SAM type byte is never signed.
 */
export function dripSignedBytes(s: UnsignedDripAuth): Uint8Array {
  switch (s?.type) {
    case 'link':
      return linkSignedBytes(s);
    case 'wrapper':
      return wrapperSignedBytes(s);
    case 'manifest':
      return manifestSignedBytes(s);
    case 'frame':
      return frameSignedBytes(s);
    default:
      throw new EncodeError('invalid', 'drip.type', (s as { type?: unknown } | undefined)?.type, 'link, wrapper, manifest or frame');
  }
}

/** The structure with its signature: `sign` gets dripSignedBytes and returns a 64-byte Ed25519 signature. */
export function signDrip<T extends DripAuth>(unsigned: Unsigned<T>, sign: (message: Uint8Array) => Uint8Array): T {
  const signature = sign(dripSignedBytes(unsigned as UnsignedDripAuth));
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_SIZE) {
    throw new EncodeError('invalid', `drip.${unsigned.type}.signature`, signature, `a ${SIGNATURE_SIZE}-byte Ed25519 signature`);
  }
  return { ...unsigned, signature } as T;
}

/**
 * Whether `publicKey` (the signer's HI: the parent's for a Link, the UA's otherwise) signed the structure.
 * Never throws: a structure whose signed bytes cannot be formed, or an Ed25519 that throws, is false.
 */
export function verifyDripSignature(s: DripAuth, publicKey: Uint8Array, ed25519: Ed25519): boolean {
  try {
    if (!(s.signature instanceof Uint8Array) || s.signature.length !== SIGNATURE_SIZE) return false;
    return ed25519.verify(publicKey, dripSignedBytes(s), s.signature) === true;
  } catch {
    return false;
  }
}
