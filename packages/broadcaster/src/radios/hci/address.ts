/**
 * Random static device addresses (Bluetooth Core v5.4 Vol 6 Part B §1.3.2.1): the two most significant bits
 * are 0b11, and the 46 random bits are neither all 0 nor all 1. A broadcaster makes one per start, as
 * ArduRemoteID does at boot, and its legacy and long-range adverts share it.
 */

import { randomBytes } from 'node:crypto';

/** n random octets; injectable for deterministic tests. */
export type RandomSource = (n: number) => Uint8Array;
export const cryptoRandom: RandomSource = (n) => new Uint8Array(randomBytes(n));

const STATIC_MARK = 0xc0;
const RANDOM_BITS_MASK = 0x3f;
/** Draws that all hit a forbidden pattern mean a broken random source, not bad luck (p = 2^-45 each). */
const MAX_DRAWS = 8;

/** "C0:11:22:33:44:55" -> octets most significant first; undefined when it is not an address. */
function parse(address: string): number[] | undefined {
  const parts = address.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  return parts.map((p) => parseInt(p, 16));
}

export function isRandomStaticAddress(address: string): boolean {
  const b = parse(address);
  if (b === undefined || (b[0]! & STATIC_MARK) !== STATIC_MARK) return false;
  const random = [b[0]! & RANDOM_BITS_MASK, ...b.slice(1)];
  const allZero = random.every((x) => x === 0);
  const allOne = (random[0] === RANDOM_BITS_MASK) && random.slice(1).every((x) => x === 0xff);
  return !allZero && !allOne;
}

/** A new random static address, printed most significant octet first ("C3:5A:..."). */
export function randomStaticAddress(random: RandomSource = cryptoRandom): string {
  for (let i = 0; i < MAX_DRAWS; i++) {
    const r = random(6);
    if (r.length !== 6) throw new RangeError(`the random source returned ${r.length} octets, 6 were asked for`);
    const b = Array.from(r);
    b[0] = (b[0]! & RANDOM_BITS_MASK) | STATIC_MARK;
    const address = b.map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':');
    if (isRandomStaticAddress(address)) return address;
  }
  throw new RangeError(`the random source gave ${MAX_DRAWS} forbidden addresses in a row (all random bits 0 or 1): it is not random`);
}
