/**
 * DRIP timestamps (VNB, VNA) are u32 seconds since 2019-01-01T00:00:00Z, the epoch of F3411's Authentication
 * and System timestamps (remote-id-spec.md §6.2). The draft's example values read as Unix times: a verifier
 * checks them against its own clock and never accepts either reading blindly.
 */

import { EncodeError } from '../errors.js';

/** 2019-01-01T00:00:00Z in ms since the Unix epoch (Unix 1 546 300 800 s). */
export const DRIP_EPOCH_MS = Date.UTC(2019, 0, 1);
/** The last second a u32 counts: 2155-02-07T06:28:15Z. */
export const DRIP_TIME_MAX = 0xffffffff;

/** Seconds since 2019 (whole, rounded down) of a time in ms since the Unix epoch. */
export function dripTime(ms: number): number {
  const s = Math.floor((ms - DRIP_EPOCH_MS) / 1000);
  if (!Number.isFinite(s) || s < 0 || s > DRIP_TIME_MAX) {
    throw new EncodeError('out-of-range', 'drip.time', ms, `a time from 2019-01-01 to 2155-02-07 (ms since the epoch)`);
  }
  return s;
}

/** ms since the Unix epoch of seconds since 2019. */
export const dripTimeToMs = (seconds: number): number => DRIP_EPOCH_MS + seconds * 1000;

/** ISO 8601 text of seconds since 2019, for messages. */
export const dripTimeText = (seconds: number): string => new Date(dripTimeToMs(seconds)).toISOString().replace('.000Z', 'Z');
