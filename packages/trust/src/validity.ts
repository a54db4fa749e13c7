/**
 * Validity windows (VNB..VNA, seconds since 2019) against a clock in ms, with an allowance for clock skew
 * between the signer and this receiver: the one check of "times valid" for endorsements and UA evidence.
 */

import { DRIP_EPOCH_MS, dripTimeText } from '@odid/codec';

/** What a verifier allows between its clock and the signer's, unless told otherwise: 30 s. */
export const DEFAULT_CLOCK_SKEW_S = 30;

export type WindowProblem = { problem: 'not-yet-valid' | 'expired' | 'inverted'; reason: string };

/** Why `nowMs` is outside VNB..VNA (each end widened by `skewS`), or undefined when it is inside. */
export function windowProblem(vnb: number, vna: number, nowMs: number, skewS: number): WindowProblem | undefined {
  const now = Math.floor((nowMs - DRIP_EPOCH_MS) / 1000);
  if (vna < vnb) return { problem: 'inverted', reason: `its validity ends (VNA ${vna}, ${dripTimeText(vna)}) before it starts (VNB ${vnb}, ${dripTimeText(vnb)})` };
  if (now + skewS < vnb) return { problem: 'not-yet-valid', reason: `not valid before ${dripTimeText(vnb)} (VNB ${vnb}; now ${now}, ${vnb - now} s early, ${skewS} s skew allowed)` };
  if (now - skewS > vna) return { problem: 'expired', reason: `expired at ${dripTimeText(vna)} (VNA ${vna}; now ${now}, ${now - vna} s late, ${skewS} s skew allowed)` };
  return undefined;
}
