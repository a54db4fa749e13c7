/**
 * 64-bit tick counts <-> float seconds. Today's timestamps in ns (~1.7e18) exceed 2^53, so the split
 * into whole seconds and a remainder is done in 16-bit limbs to stay exact before the one final rounding.
 */

import { EncodeError } from '../errors.js';

const TWO16 = 65_536;
const TWO32 = 4_294_967_296;
const TWO53 = 9_007_199_254_740_992;
/** Limb division stays exact while remainder * 2^16 < 2^53. */
const MAX_LIMB_DIVISOR = 2 ** 37;

/** Remainder carried between the limbs of ticksToSeconds (module state: no allocation per record). */
let rem = 0;

/** Ticks per second for a pcapng if_tsresol value: 10^-v, or 2^-(v & 0x7f) when the high bit is set. */
export function tsresolToTicksPerSecond(tsresol: number): number {
  return tsresol & 0x80 ? 2 ** (tsresol & 0x7f) : 10 ** tsresol;
}

/** Seconds represented by the unsigned 64-bit tick count hi:lo. */
export function ticksToSeconds(hi: number, lo: number, ticksPerSecond: number): number {
  const ticks = hi * TWO32 + lo;
  // Exact integer below 2^53: one division rounds correctly.
  if (ticks < TWO53 || ticksPerSecond >= MAX_LIMB_DIVISOR) return ticks / ticksPerSecond;
  const d = ticksPerSecond;
  rem = 0;
  const q3 = divStep(hi >>> 16, d);
  const q2 = divStep(hi & 0xffff, d);
  const q1 = divStep(lo >>> 16, d);
  const q0 = divStep(lo & 0xffff, d);
  return ((q3 * TWO16 + q2) * TWO16 + q1) * TWO16 + q0 + rem / d;
}

function divStep(limb: number, d: number): number {
  const cur = rem * TWO16 + limb;
  let q = Math.floor(cur / d);
  let r = cur - q * d;
  // The float quotient may round across an integer; fix the off-by-one.
  if (r < 0) {
    q--;
    r += d;
  } else if (r >= d) {
    q++;
    r -= d;
  }
  rem = r;
  return q;
}

/**
 * Whole seconds and the fraction in ticks. The fraction is rounded to the nearest tick with carry into
 * the seconds, so 0.9999999999 s at µs resolution gives 1 s + 0, never 0 s + 1000000 µs.
 */
export function splitSeconds(seconds: number, ticksPerSecond: number, field: string): { sec: number; frac: number } {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new EncodeError('out-of-range', field, seconds, 'a finite number of seconds ≥ 0');
  }
  let sec = Math.floor(seconds);
  let frac = Math.round((seconds - sec) * ticksPerSecond);
  if (frac >= ticksPerSecond) {
    sec += 1;
    frac -= ticksPerSecond;
  }
  return { sec, frac };
}

/** Unsigned 64-bit tick count (hi, lo) for `seconds`, rounded to the nearest tick. */
export function secondsToTicks(seconds: number, ticksPerSecond: number, field: string): { hi: number; lo: number } {
  const { sec, frac } = splitSeconds(seconds, ticksPerSecond, field);
  const direct = sec * ticksPerSecond + frac;
  if (direct < TWO53) {
    const hi = Math.floor(direct / TWO32);
    return { hi, lo: direct - hi * TWO32 };
  }
  if (sec < TWO32 && ticksPerSecond <= TWO32) {
    // sec * tps + frac = (secHi * tps) * 2^16 + (secLo * tps + frac), every partial product < 2^49.
    const y = Math.floor(sec / TWO16) * ticksPerSecond;
    const x = (sec % TWO16) * ticksPerSecond + frac;
    const yh = Math.floor(y / TWO16);
    const z = (y - yh * TWO16) * TWO16 + x;
    const carry = Math.floor(z / TWO32);
    return { hi: yh + carry, lo: z - carry * TWO32 };
  }
  const big = BigInt(sec) * BigInt(ticksPerSecond) + BigInt(frac);
  if (big >= 1n << 64n) {
    throw new EncodeError('out-of-range', field, seconds, 'a time that fits 64 bits of ticks at this resolution');
  }
  return { hi: Number(big >> 32n), lo: Number(big & 0xffffffffn) };
}
