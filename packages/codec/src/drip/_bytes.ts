/** Byte helpers the DRIP files share (internal). */

import { EncodeError } from '../errors.js';
import { requireInt } from '../messages/fields.js';

/** Whether two byte strings are equal, looking at every byte whatever the first difference. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** A copy of `n` bytes at `offset` (structures hold copies, never views into a radio buffer). */
export const take = (b: Uint8Array, offset: number, n: number): Uint8Array => b.slice(offset, offset + n);

/** An encoder's check of a fixed-size byte field. */
export function requireBytes(field: string, v: unknown, size: number): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== size) throw new EncodeError(v === undefined ? 'missing' : 'invalid', field, v instanceof Uint8Array ? `${v.length} bytes` : v, `${size} bytes`);
  return v;
}

/** An encoder's check of a VNB/VNA: u32 seconds since 2019-01-01T00:00:00Z. */
export const requireTime = (field: string, v: unknown): number => requireInt(field, v, 0, 0xffffffff);
