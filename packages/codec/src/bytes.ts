/** Small byte helpers shared by every layer. Uint8Array only: the codec must run in a browser. */

import { DecodeError } from './errors.js';
import { FieldStringCache } from './field-string-cache.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[bytes[i]!];
  return s;
}

/** Parses hex, tolerating whitespace, ':' and '-' separators and a leading 0x. */
export function fromHex(text: string): Uint8Array {
  const clean = text.trim().replace(/^0x/i, '').replace(/[\s:-]/g, '');
  if (clean.length % 2 !== 0) {
    throw new DecodeError('malformed', clean.length >> 1, `hex has an odd number of digits (${clean.length})`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(clean.charCodeAt(2 * i));
    const lo = hexDigit(clean.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new DecodeError('malformed', i, `"${clean.slice(2 * i, 2 * i + 2)}" is not a hex byte`);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
export const i16le = (b: Uint8Array, o: number): number => ((b[o]! | (b[o + 1]! << 8)) << 16) >> 16;
export const u32le = (b: Uint8Array, o: number): number =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
export const i32le = (b: Uint8Array, o: number): number =>
  b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
export const u16be = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
export const u32be = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

export function putU16le(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
export function putU32le(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/**
 * A fixed-size text field: bytes up to the last non-NUL byte, each byte as the code point of the same
 * value (Latin-1), so no byte is ever lost or replaced. Interior NULs are kept.
 */
export function readLatin1Field(b: Uint8Array, start: number, size: number): string {
  let end = start + size;
  while (end > start && b[end - 1] === 0) end--;
  // fromCharCode maps each byte to the same code point (TextDecoder's "latin1" is really windows-1252).
  if (end - start <= SHORT_TEXT) return shortLatin1(b, start, end - start);
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

/** Remote ID's text fields are 20 and 23 bytes; a fixed-arity fromCharCode builds them four times faster than apply(). */
const SHORT_TEXT = 24;

/**
 * The n <= 24 bytes at s as Latin-1: fromCharCode of 24 bytes, cut to n. Bytes past n, even past the end of b
 * (undefined: code point 0), are read and cut off.
 */
function shortLatin1(b: Uint8Array, s: number, n: number): string {
  const t = String.fromCharCode(
    b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!,
    b[s + 12]!, b[s + 13]!, b[s + 14]!, b[s + 15]!, b[s + 16]!, b[s + 17]!, b[s + 18]!, b[s + 19]!, b[s + 20]!, b[s + 21]!, b[s + 22]!, b[s + 23]!,
  );
  return n === SHORT_TEXT ? t : t.slice(0, n);
}

/** Formats 6 bytes as a lowercase colon MAC. `reversed` for BLE, which sends addresses LSB first. */
export function formatMac(b: Uint8Array, o: number, reversed = false): string {
  // Each transmitter is heard again and again: its address string is built once (field-string-cache.ts).
  if (o >= 0 && o + MAC_SIZE <= b.length) return (reversed ? MAC_REVERSED : MAC_FORWARD).get(b, o);
  return buildMac(b, o, reversed);
}

const MAC_SIZE = 6;

function buildMac(b: Uint8Array, o: number, reversed: boolean): string {
  let s = '';
  for (let i = 0; i < MAC_SIZE; i++) {
    if (i) s += ':';
    s += HEX[b[reversed ? o + MAC_SIZE - 1 - i : o + i]!];
  }
  return s;
}

const MAC_FORWARD = new FieldStringCache(MAC_SIZE, (b, o) => buildMac(b, o, false));
const MAC_REVERSED = new FieldStringCache(MAC_SIZE, (b, o) => buildMac(b, o, true));

export function parseMac(mac: string): Uint8Array {
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new RangeError(`"${mac}" is not a MAC address (expected six hex pairs such as 02:11:22:33:44:55)`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
