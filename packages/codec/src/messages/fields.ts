/**
 * One small converter per wire field: unit, resolution, range and "unknown" value, with the reference
 * implementation's (opendroneid-core-c) rounding, so that encoding is byte-exact with it. The reference
 * keeps speeds, altitudes, direction and the location timestamp in C `float`; `f32` reproduces that so a
 * value sitting on a rounding or truncation boundary lands where the reference puts it.
 */

import { EncodeError } from '../errors.js';
import {
  DIRECTION_FIELD,
  LOCATION_TIMESTAMP_FIELD,
  SPEED_HORIZONTAL_FIELD,
  SPEED_HORIZONTAL_HIGH_RESOLUTION,
  SPEED_VERTICAL_FIELD,
} from './location-meta.js';
import { ALTITUDE_FIELD, LATITUDE_FIELD, LONGITUDE_FIELD } from './meta.js';
import { AREA_RADIUS_FIELD } from './system-meta.js';

const f32 = Math.fround;

/** Round half away from zero, as C's round()/roundf() do (Math.round rounds -0.5 to -0). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** 359.5..360 rounds to a full turn, which is north: the encoder takes directions up to 360. */
const FULL_TURN = 360;

/** What the encoder takes, from the message tables (the standard's ranges, and each field's "unknown"). */
export const LIMITS = {
  direction: { min: DIRECTION_FIELD.min, max: FULL_TURN, unknown: DIRECTION_FIELD.unknown },
  speedHorizontal: { min: SPEED_HORIZONTAL_FIELD.min, max: SPEED_HORIZONTAL_FIELD.max, unknown: SPEED_HORIZONTAL_FIELD.unknown },
  speedVertical: { min: SPEED_VERTICAL_FIELD.min, max: SPEED_VERTICAL_FIELD.max, unknown: SPEED_VERTICAL_FIELD.unknown },
  latitude: { min: LATITUDE_FIELD.min, max: LATITUDE_FIELD.max },
  longitude: { min: LONGITUDE_FIELD.min, max: LONGITUDE_FIELD.max },
  altitude: { min: ALTITUDE_FIELD.min, max: ALTITUDE_FIELD.max, unknown: ALTITUDE_FIELD.unknown },
  locationTimestamp: { min: LOCATION_TIMESTAMP_FIELD.min, max: LOCATION_TIMESTAMP_FIELD.max, unknown: LOCATION_TIMESTAMP_FIELD.unknown },
  areaRadius: { min: AREA_RADIUS_FIELD.min, max: AREA_RADIUS_FIELD.max },
} as const;

/** Speeds up to 63.75 m/s use 0.25 m/s steps; above, 0.75 m/s steps offset by 63.75. */
const SPEED_LOW_STEP = SPEED_HORIZONTAL_FIELD.resolution;
const SPEED_HIGH_STEP = SPEED_HORIZONTAL_HIGH_RESOLUTION;
const SPEED_LOW_MAX = 255 * SPEED_LOW_STEP; // 63.75
const VSPEED_STEP = SPEED_VERTICAL_FIELD.resolution;
/** Wire units per degree and per second: whole numbers, so that decoding divides by an exact 1e7 and 10. */
const LATLON_SCALE = Math.round(1 / LATITUDE_FIELD.resolution);
const TIMESTAMP_SCALE = Math.round(1 / LOCATION_TIMESTAMP_FIELD.resolution);
/** Raw 0 is the lowest altitude, which is also "unknown". */
const ALT_OFFSET = -ALTITUDE_FIELD.min;
const ALT_STEP = ALTITUDE_FIELD.resolution;
const AREA_RADIUS_STEP = AREA_RADIUS_FIELD.resolution;

/** The ranges in words, for encode errors (built once: the encoder is hot). */
const { direction: D, speedHorizontal: SH, speedVertical: SV, altitude: ALT, locationTimestamp: TS, areaRadius: AR } = LIMITS;
const DIRECTION_ALLOWED = `${D.min}..${D.max} degrees, or ${D.unknown} (unknown)`;
const SPEED_HORIZONTAL_ALLOWED = `${SH.min}..${SH.max} m/s, or ${SH.unknown} (unknown)`;
const SPEED_VERTICAL_ALLOWED = `${SV.min}..${SV.max} m/s, or ${SV.unknown} (unknown)`;
const ALTITUDE_ALLOWED = `${ALT.min}..${ALT.max} m (${ALT.unknown} = unknown)`;
const LOCATION_TIMESTAMP_ALLOWED = `${TS.min}..${TS.max} s after the hour, or ${TS.unknown} (unknown)`;
const AREA_RADIUS_ALLOWED = `${AR.min}..${AR.max} m`;

export function requireNumber(field: string, v: unknown, allowed: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new EncodeError(v === undefined ? 'missing' : 'invalid', field, v, allowed);
  return v;
}

/** An integer field (enum or count) within [min, max]. */
export function requireInt(field: string, v: unknown, min: number, max: number): number {
  // The words are built only for an error: encoders call this for every field.
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  const allowed = `an integer ${min}..${max}`;
  const n = requireNumber(field, v, allowed);
  if (!Number.isInteger(n) || n < min || n > max) throw new EncodeError('out-of-range', field, v, allowed);
  return n;
}

// ---- direction: byte 0..179 plus the E/W bit selecting the 180..359 half; 361 = unknown (181 + E/W).
export function encodeDirection(field: string, v: unknown): { raw: number; ew: number } {
  const allowed = DIRECTION_ALLOWED;
  const d = f32(requireNumber(field, v, allowed));
  if (d < LIMITS.direction.min || d > LIMITS.direction.unknown || (d > LIMITS.direction.max && d < LIMITS.direction.unknown)) {
    throw new EncodeError('out-of-range', field, v, allowed);
  }
  let deg = roundHalfAway(d);
  if (deg === FULL_TURN) deg = 0; // 359.5..360 is north, not 180 with the E/W bit
  return deg < 180 ? { raw: deg, ew: 0 } : { raw: deg - 180, ew: 1 };
}
export const decodeDirection = (raw: number, ew: number): number => raw + (ew ? 180 : 0);

// ---- horizontal speed
export function encodeSpeedHorizontal(field: string, v: unknown, highRange = false): { raw: number; mult: number } {
  const { min, max, unknown } = LIMITS.speedHorizontal;
  const allowed = SPEED_HORIZONTAL_ALLOWED;
  const s = f32(requireNumber(field, v, allowed));
  if (s < min || s > unknown || (s > max && s < unknown)) throw new EncodeError('out-of-range', field, v, allowed);
  if (s < SPEED_LOW_MAX || (s === SPEED_LOW_MAX && !highRange)) return { raw: Math.min(255, Math.round(f32(s / SPEED_LOW_STEP))), mult: 0 };
  return { raw: Math.min(255, Math.round(f32(f32(s - SPEED_LOW_MAX) / SPEED_HIGH_STEP))), mult: 1 };
}
export const decodeSpeedHorizontal = (raw: number, mult: number): number =>
  mult ? raw * SPEED_HIGH_STEP + SPEED_LOW_MAX : raw * SPEED_LOW_STEP;

// ---- vertical speed: signed byte in 0.5 m/s, truncated toward zero like the reference
export function encodeSpeedVertical(field: string, v: unknown): number {
  const { min, max, unknown } = LIMITS.speedVertical;
  const allowed = SPEED_VERTICAL_ALLOWED;
  const s = f32(requireNumber(field, v, allowed));
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

// ---- altitudes and heights: u16 of (metres + 1000) / 0.5, truncated; raw 0 = -1000 m = unknown
export function encodeAltitude(field: string, v: unknown): number {
  const { min, max } = LIMITS.altitude;
  const allowed = ALTITUDE_ALLOWED;
  const a = f32(requireNumber(field, v, allowed));
  if (a < min || a > max) throw new EncodeError('out-of-range', field, v, allowed);
  return Math.min(0xffff, Math.max(0, Math.trunc(f32(a + ALT_OFFSET) / ALT_STEP)));
}
export const decodeAltitude = (raw: number): number => raw * ALT_STEP - ALT_OFFSET;

// ---- location timestamp: tenths of a second after the full hour; 0xFFFF = unknown
export function encodeLocationTimestamp(field: string, v: unknown): number {
  const { min, max, unknown } = LIMITS.locationTimestamp;
  const allowed = LOCATION_TIMESTAMP_ALLOWED;
  const s = requireNumber(field, v, allowed);
  if (s === unknown) return 0xffff;
  const t = f32(s);
  if (t < min || t > max) throw new EncodeError('out-of-range', field, v, allowed);
  return Math.min(max * TIMESTAMP_SCALE, roundHalfAway(f32(t * TIMESTAMP_SCALE)));
}
export const decodeLocationTimestamp = (raw: number): number => (raw === 0xffff ? LOCATION_TIMESTAMP_FIELD.unknown : raw / TIMESTAMP_SCALE);

// ---- area radius: u8 of metres / 10, floored
export function encodeAreaRadius(field: string, v: unknown): number {
  const { min, max } = LIMITS.areaRadius;
  const allowed = AREA_RADIUS_ALLOWED;
  const r = requireNumber(field, v, allowed);
  if (r < min || r > max) throw new EncodeError('out-of-range', field, v, allowed);
  return Math.floor(Math.trunc(r) / AREA_RADIUS_STEP);
}
export const decodeAreaRadius = (raw: number): number => raw * AREA_RADIUS_STEP;

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
