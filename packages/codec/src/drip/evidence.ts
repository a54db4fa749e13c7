/**
 * UA Signed Evidence, the frame of the Wrapper, Manifest and Frame (remote-id-spec.md §6.3): after the SAM
 * type byte come VNB (4), VNA (4), the evidence (0..112), the UA DET (16) and the UA's signature (64) over
 * everything before it except the SAM type byte.
 */

import { u32le, putU32le } from '../bytes.js';
import { DecodeError, EncodeError } from '../errors.js';
import { DET_SIZE } from './det.js';
import { EVIDENCE_MAX, SIGNATURE_SIZE, UA_SIGNED_OVERHEAD } from './limits.js';
import { requireBytes, requireTime, take } from './_bytes.js';
import type { UaSigned } from './types.js';

/** Where the evidence starts in the authentication data (after SAM type, VNB and VNA). */
export const EVIDENCE_OFFSET = 9;

export interface UaSignedParts extends UaSigned {
  /** A copy of the evidence bytes. */
  evidence: Uint8Array;
}

/** The common parts of a UA-signed structure; `kind` names it in errors ("wrapper" → drip.wrapper.*). */
export function decodeUaSigned(data: Uint8Array, kind: string): UaSignedParts {
  const body = data.length - 1;
  if (body < UA_SIGNED_OVERHEAD) {
    throw new DecodeError('truncated', data.length, `a DRIP ${kind} needs at least ${UA_SIGNED_OVERHEAD} bytes after the SAM type, ${body} present`, `drip.${kind}`);
  }
  const n = body - UA_SIGNED_OVERHEAD;
  if (n > EVIDENCE_MAX) throw new DecodeError('malformed', EVIDENCE_OFFSET, `evidence of ${n} bytes is longer than the ${EVIDENCE_MAX} allowed`, `drip.${kind}.evidence`);
  return {
    vnb: u32le(data, 1),
    vna: u32le(data, 5),
    evidence: take(data, EVIDENCE_OFFSET, n),
    uaDet: take(data, EVIDENCE_OFFSET + n, DET_SIZE),
    signature: take(data, EVIDENCE_OFFSET + n + DET_SIZE, SIGNATURE_SIZE),
  };
}

/** VNB ‖ VNA ‖ evidence ‖ UA DET: what the UA signs. */
export function uaSignedBytes(s: Omit<UaSigned, 'signature'>, evidence: Uint8Array, kind: string): Uint8Array {
  const out = new Uint8Array(8 + evidence.length + DET_SIZE);
  putU32le(out, 0, requireTime(`drip.${kind}.vnb`, s.vnb));
  putU32le(out, 4, requireTime(`drip.${kind}.vna`, s.vna));
  out.set(evidence, 8);
  out.set(requireBytes(`drip.${kind}.uaDet`, s.uaDet, DET_SIZE), 8 + evidence.length);
  return out;
}

/** SAM type byte, the signed bytes (with `evidence` as sent) and the signature. */
export function encodeUaSigned(samType: number, s: UaSigned, evidence: Uint8Array, kind: string): Uint8Array {
  if (evidence.length > EVIDENCE_MAX) throw new EncodeError('out-of-range', `drip.${kind}.evidence`, `${evidence.length} bytes`, `at most ${EVIDENCE_MAX} bytes`);
  const signed = uaSignedBytes(s, evidence, kind);
  const out = new Uint8Array(1 + signed.length + SIGNATURE_SIZE);
  out[0] = samType;
  out.set(signed, 1);
  out.set(requireBytes(`drip.${kind}.signature`, s.signature, SIGNATURE_SIZE), 1 + signed.length);
  return out;
}
