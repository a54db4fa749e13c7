/**
 * Reading command parameters the way a controller checks them: every field read states its allowed range,
 * and the first value outside it rejects the whole command with a status code and a reason the test can read.
 */

import { ERR } from './spec.js';

/** A command the fake refuses: the status a real controller would return, and why (for test failures). */
export class Reject extends Error {
  constructor(
    readonly status: number,
    readonly why: string,
  ) {
    super(why);
  }
}

export const invalid = (why: string): Reject => new Reject(ERR.INVALID_PARAMETERS, why);
export const disallowed = (why: string): Reject => new Reject(ERR.COMMAND_DISALLOWED, why);
export const unsupported = (why: string): Reject => new Reject(ERR.UNSUPPORTED_FEATURE_OR_PARAMETER, why);

const hex = (v: number): string => `0x${v.toString(16)}`;

export class Params {
  constructor(readonly bytes: Uint8Array) {}

  get length(): number {
    return this.bytes.length;
  }

  u8(at: number, field: string, lo = 0, hi = 0xff): number {
    return this.range(this.bytes[at]!, field, lo, hi);
  }

  i8(at: number): number {
    return (this.bytes[at]! << 24) >> 24;
  }

  u16(at: number, field: string, lo = 0, hi = 0xffff): number {
    return this.range(this.bytes[at]! | (this.bytes[at + 1]! << 8), field, lo, hi);
  }

  u24(at: number, field: string, lo = 0, hi = 0xffffff): number {
    return this.range(this.bytes[at]! | (this.bytes[at + 1]! << 8) | (this.bytes[at + 2]! << 16), field, lo, hi);
  }

  u64(at: number): bigint {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[at + i]!);
    return v;
  }

  /** A 6-byte BD_ADDR, kept little-endian as on the wire. */
  address(at: number): Uint8Array {
    return this.bytes.slice(at, at + 6);
  }

  slice(at: number, length: number): Uint8Array {
    return this.bytes.slice(at, at + length);
  }

  private range(v: number, field: string, lo: number, hi: number): number {
    if (v < lo || v > hi) throw invalid(`${field} ${hex(v)} outside ${hex(lo)}..${hex(hi)}`);
    return v;
  }
}
