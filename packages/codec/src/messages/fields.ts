/**
 * One small converter per wire field: unit, resolution, range and "unknown" value, with the reference
 * implementation's (opendroneid-core-c) rounding, so that encoding is byte-exact with it. The reference
 * keeps speeds, altitudes, direction and the location timestamp in C `float`; `f32` reproduces that so a
 * value sitting on a rounding or truncation boundary lands where the reference puts it.
 */

import { EncodeError } from '../errors.js';

const f32 = Math.fround;

/** Round half away from zero, as C's round()/roundf() do (Math.round rounds -0.5 to -0). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export const LIMITS = {
  direction: { min: 0, max: 360, unknown: 361 },
  speedHorizontal: { min: 0, max: 254.25, unknown: 255 },
  speedVertical: { min: -62, max: 62, unknown: 63 },
  latitude: { min: -90, max: 90 },
  longitude: { min: -180, max: 180 },
  altitude: { min: -1000, max: 31767.5, unknown: -1000 },
  locationTimestamp: { min: 0, max: 3600, unknown: 65535 },
  areaRadius: { min: 0, max: 2550 },
} as const;

/** Speeds up to 63.75 m/s use 0.25 m/s steps; above, 0.75 m/s steps offset by 63.75. */
const SPEED_LOW_STEP = 0.25;
const SPEED_HIGH_STEP = 0.75;
const SPEED_LOW_MAX = 255 * SPEED_LOW_STEP; // 63.75
const VSPEED_STEP = 0.5;
const LATLON_SCALE = 1e7;
const ALT_OFFSET = 1000;
const ALT_STEP = 0.5;

export function requireNumber(field: string, v: unknown, allowed: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new EncodeError(v === undefined ? 'missing' : 'invalid', field, v, allowed);
  return v;
}

/** An integer field (enum or count) within [min, max]. */
export function requireInt(field: string, v: unknown, min: number, max: number): number {
  const allowed = `an integer ${min}..${max}`;
  const n = requireNumber(field, v, allowed);
  if (!Number.isInteger(n) || n < min || n > max) throw new EncodeError('out-of-range', field, v, allowed);
  return n;
}

// ---- direction: byte 0..179 plus the E/W bit selecting the 180..359 half; 361 = unknown (181 + E/W).
export function encodeDirection(field: string, v: unknown): { raw: number; ew: number } {
  const allowed = '0..360 degrees, or 361 (unknown)';
  const d = f32(requireNumber(field, v, allowed));
  if (d < LIMITS.direction.min || d > LIMITS.direction.unknown || (d > LIMITS.direction.max && d < LIMITS.direction.unknown)) {
    throw new EncodeError('out-of-range', field, v, allowed);
  }
  let deg = roundHalfAway(d);
  if (deg === 360) deg = 0; // 359.5..360 is north, not 180 with the E/W bit
  return deg < 180 ? { raw: deg, ew: 0 } : { raw: deg - 180, ew: 1 };
}
export const decodeDirection = (raw: number, ew: number): number => raw + (ew ? 180 : 0);

// ---- horizontal speed
export function encodeSpeedHorizontal(field: string, v: unknown, highRange = false): { raw: number; mult: number } {
  const allowed = '0..254.25 m/s, or 255 (unknown)';
  const s = f32(requireNumber(field, v, allowed));
  const { min, max, unknown } = LIMITS.speedHorizontal;
  if (s < min || s > unknown || (s > max && s < unknown)) throw new EncodeError('out-of-range', field, v, allowed);
  if (s < SPEED_LOW_MAX || (s === SPEED_LOW_MAX && !highRange)) return { raw: Math.min(255, Math.round(f32(s / SPEED_LOW_STEP))), mult: 0 };
  return { raw: Math.min(255, Math.round(f32(f32(s - SPEED_LOW_MAX) / SPEED_HIGH_STEP))), mult: 1 };
}
export const decodeSpeedHorizontal = (raw: number, mult: number): number =>
  mult ? raw * SPEED_HIGH_STEP + SPEED_LOW_MAX : raw * SPEED_LOW_STEP;

// ---- vertical speed: signed byte in 0.5 m/s, truncated toward zero like the reference
export function encodeSpeedVertical(field: string, v: unknown): number {
  const allowed = '-62..62 m/s, or 63 (unknown)';
  const s = f32(requireNumber(field, v, allowed));
  const { min, max, unknown } = LIMITS.speedVertical;
  if (s < min || s > unknown || (s > max && s < unknown)) throw new EncodeError('out-of-range', field, v, allowed);
  return Math.trunc(s / VSPEED_STEP) & 0xff;
}
export const decodeSpeedVertical = (rawSigned: number): number => rawSigned * VSPEED_STEP;

// ---- latitude / longitude: int32 of degrees × 1e7, rounded half away from zero
export function encodeLatLon(field: string, v: unknown, limit: number): number {
  const allowed = `-${limit}..${limit} degrees`;
  const d = requireNumber(field, v, allowed);
  if (d < -limit || d > limit) throw new EncodeError('out-of-range', field, v, allowed);
  return roundHalfAway(d * LATLON_SCALE);
}
export const decodeLatLon = (raw: number): number => raw / LATLON_SCALE;

// ---- altitudes and heights: u16 of (metres + 1000) / 0.5, truncated; 0 = -1000 m = unknown
export function encodeAltitude(field: string, v: unknown): number {
  const allowed = '-1000..31767.5 m (-1000 = unknown)';
  const a = f32(requireNumber(field, v, allowed));
  if (a < LIMITS.altitude.min || a > LIMITS.altitude.max) throw new EncodeError('out-of-range', field, v, allowed);
  return Math.min(0xffff, Math.max(0, Math.trunc(f32(a + ALT_OFFSET) / ALT_STEP)));
}
export const decodeAltitude = (raw: number): number => raw * ALT_STEP - ALT_OFFSET;

// ---- location timestamp: tenths of a second after the full hour; 0xFFFF = unknown
export function encodeLocationTimestamp(field: string, v: unknown): number {
  const allowed = '0..3600 s after the hour, or 65535 (unknown)';
  const s = requireNumber(field, v, allowed);
  if (s === LIMITS.locationTimestamp.unknown) return 0xffff;
  const t = f32(s);
  if (t < LIMITS.locationTimestamp.min || t > LIMITS.locationTimestamp.max) throw new EncodeError('out-of-range', field, v, allowed);
  return Math.min(36000, roundHalfAway(f32(t * 10)));
}
export const decodeLocationTimestamp = (raw: number): number => (raw === 0xffff ? 65535 : raw / 10);

// ---- area radius: u8 of metres / 10, floored
export function encodeAreaRadius(field: string, v: unknown): number {
  const allowed = '0..2550 m';
  const r = requireNumber(field, v, allowed);
  if (r < LIMITS.areaRadius.min || r > LIMITS.areaRadius.max) throw new EncodeError('out-of-range', field, v, allowed);
  return Math.floor(Math.trunc(r) / 10);
}
export const decodeAreaRadius = (raw: number): number => raw * 10;

// ---- text: Latin-1 bytes, NUL padded (decoded-json.md "Text fields")
export function encodeLatin1(field: string, v: unknown, out: Uint8Array, offset: number, size: number): void {
  if (typeof v !== 'string') throw new EncodeError(v === undefined ? 'missing' : 'invalid', field, v, `a string of at most ${size} characters`);
  if (v.length > size) throw new EncodeError('out-of-range', field, v, `at most ${size} characters (has ${v.length})`);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c > 0xff) throw new EncodeError('invalid', field, v, `Latin-1 characters only (U+${c.toString(16).toUpperCase().padStart(4, '0')} at index ${i})`);
    out[offset + i] = c;
  }
}

/** Raw bytes from lowercase/uppercase hex, at most `size` of them, zero padded. */
export function encodeHexField(field: string, v: unknown, out: Uint8Array, offset: number, size: number): void {
  const allowed = `hex of at most ${size} bytes`;
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v)) throw new EncodeError(v === undefined ? 'missing' : 'invalid', field, v, allowed);
  if (v.length / 2 > size) throw new EncodeError('out-of-range', field, v, `${allowed} (has ${v.length / 2})`);
  for (let i = 0; i < v.length / 2; i++) out[offset + i] = parseInt(v.substr(2 * i, 2), 16);
}
