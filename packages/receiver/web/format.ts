/**
 * Words and units for the decoded fields (docs/decoded-json.md), and the small formatters the page uses.
 * Pure: no DOM. Text from the air goes through `air()` (the codec's displayText: control and invisible
 * characters shown as escapes), and the DOM code inserts every string as text, never as markup.
 */

import {
  ALTITUDE_UNKNOWN,
  AUTH_TYPE as AUTH_TYPES,
  CATEGORY_EU as CATEGORIES_EU,
  CLASS_EU as CLASSES_EU,
  CLASSIFICATION_TYPE as CLASSIFICATION_TYPES,
  DESC_TYPE as DESC_TYPES,
  DIRECTION_FIELD,
  HEIGHT_TYPE as HEIGHT_TYPES,
  HORIZONTAL_ACCURACY,
  ID_TYPE as ID_TYPES,
  LOCATION_TIMESTAMP_FIELD,
  OPERATOR_ID_TYPE as OPERATOR_ID_TYPES,
  OPERATOR_LOCATION_TYPE as OPERATOR_LOCATION_TYPES,
  SPEED_ACCURACY as SPEED_ACCURACIES,
  SPEED_HORIZONTAL_FIELD,
  SPEED_VERTICAL_FIELD,
  VERTICAL_ACCURACY,
  displayText,
  type EnumMeta,
} from '@odid/codec';

/** A text field as the drone sent it, made visible: escapes for control/invisible characters, capped. */
export const air = (s: string | null | undefined, max = 120): string => (s === null || s === undefined ? '—' : s === '' ? '(empty)' : displayText(s, { max }));

const named = (names: readonly string[], reserved = 'reserved') => (v: number): string => `${v} ${names[v] ?? reserved}`;
/** A value and its name from the codec's tables; else whether it is private or reserved. */
const enumText = (e: EnumMeta) => (v: number): string => `${v} ${e.names[v] ?? (e.privateFrom !== undefined && v >= e.privateFrom ? 'private' : 'reserved')}`;

export const ID_TYPE = enumText(ID_TYPES);
// The page's own wording for these two (the codec's: "free fall / parachute", "ground").
export const UA_TYPE = named([
  'none', 'aeroplane', 'helicopter or multirotor', 'gyroplane', 'hybrid lift (VTOL)', 'ornithopter', 'glider', 'kite', 'free balloon',
  'captive balloon', 'airship', 'free-fall/parachute', 'rocket', 'tethered powered aircraft', 'ground obstacle', 'other',
]);
export const STATUS = named(['undeclared', 'on ground', 'airborne', 'EMERGENCY', 'remote ID system failure']);
export const HEIGHT_TYPE = enumText(HEIGHT_TYPES);
export const HORIZ_ACCURACY = enumText(HORIZONTAL_ACCURACY);
export const VERT_ACCURACY = enumText(VERTICAL_ACCURACY);
export const SPEED_ACCURACY = enumText(SPEED_ACCURACIES);
export const OPERATOR_LOCATION_TYPE = enumText(OPERATOR_LOCATION_TYPES);
export const CLASSIFICATION_TYPE = enumText(CLASSIFICATION_TYPES);
export const CATEGORY_EU = enumText(CATEGORIES_EU);
export const CLASS_EU = enumText(CLASSES_EU);
export const AUTH_TYPE = enumText(AUTH_TYPES);
export const DESC_TYPE = enumText(DESC_TYPES);
export const OPERATOR_ID_TYPE = enumText(OPERATOR_ID_TYPES);

/** Seconds since 2019-01-01T00:00:00Z (auth and System timestamps). */
const ODID_EPOCH_S = 1_546_300_800;

const unknownOr = (sentinel: number, f: (v: number) => string) => (v: number): string => (v === sentinel ? `${v} (unknown)` : f(v));
const metres = (v: number): string => `${v} m`;
const altitude = unknownOr(ALTITUDE_UNKNOWN, metres);
const degrees = (v: number): string => `${v}°`;

/** How each field of a decoded message is shown: its value with unit or meaning. Fields not listed are shown as they are. */
export const FIELD_TEXT: Record<string, Record<string, (v: number) => string>> = {
  basicId: { idType: ID_TYPE, uaType: UA_TYPE },
  location: {
    status: STATUS,
    direction: unknownOr(DIRECTION_FIELD.unknown, (v) => (v > DIRECTION_FIELD.max ? `${v}° (out of range)` : `${v}° true`)),
    speedHorizontal: unknownOr(SPEED_HORIZONTAL_FIELD.unknown, (v) => `${v} m/s`),
    speedVertical: unknownOr(SPEED_VERTICAL_FIELD.unknown, (v) => `${v} m/s`),
    latitude: degrees,
    longitude: degrees,
    altitudeBaro: altitude,
    altitudeGeo: altitude,
    heightType: HEIGHT_TYPE,
    height: altitude,
    horizAccuracy: HORIZ_ACCURACY,
    vertAccuracy: VERT_ACCURACY,
    baroAccuracy: VERT_ACCURACY,
    speedAccuracy: SPEED_ACCURACY,
    tsAccuracy: (v) => (v === 0 ? '0 (unknown)' : `within ${(v / 10).toFixed(1)} s`),
    timestamp: unknownOr(LOCATION_TIMESTAMP_FIELD.unknown, (v) => `${v} s after the hour`),
  },
  system: {
    operatorLocationType: OPERATOR_LOCATION_TYPE,
    classificationType: CLASSIFICATION_TYPE,
    operatorLatitude: degrees,
    operatorLongitude: degrees,
    areaRadius: metres,
    areaCeiling: altitude,
    areaFloor: altitude,
    categoryEU: CATEGORY_EU,
    classEU: CLASS_EU,
    operatorAltitudeGeo: altitude,
    timestamp: (v) => (v === 0 ? '0 (not set)' : `${v} (${isoTime(ODID_EPOCH_S + v)})`),
  },
  auth: { authType: AUTH_TYPE, length: (v) => `${v} bytes`, timestamp: (v) => `${v} (${isoTime(ODID_EPOCH_S + v)})` },
  selfId: { descType: DESC_TYPE },
  operatorId: { operatorIdType: OPERATOR_ID_TYPE },
};

/** Text fields that came from the air: shown through air(). */
export const AIR_TEXT_FIELDS: ReadonlySet<string> = new Set(['uasId', 'desc', 'operatorId', 'serialNumber', 'uuid', 'droneId', 'purpose', 'id', 'ansiCtaId', 'productName', 'warnings']);

/** One field's value as text: with its unit or meaning when known, air text made visible, objects as key=value. */
export function fieldText(group: string, key: string, v: unknown): string {
  if (typeof v === 'number') {
    const f = FIELD_TEXT[group]?.[key];
    return f ? f(v) : String(v);
  }
  if (typeof v === 'string') return AIR_TEXT_FIELDS.has(key) ? air(v) : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map((x) => (typeof x === 'string' ? air(x) : JSON.stringify(x))).join('; ');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${typeof x === 'string' ? air(x) : typeof x === 'object' ? JSON.stringify(x) : String(x)}`)
      .join(', ');
  }
  return String(v);
}

export function isoTime(sec: number): string {
  if (!Number.isFinite(sec)) return '—';
  const d = new Date(sec * 1000);
  return Number.isNaN(d.getTime()) ? String(sec) : d.toISOString().replace('.000Z', 'Z');
}

/** Clock time of the day (UTC) with tenths: the message table and the replay slider. */
export function clockTime(sec: number): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return String(sec);
  return `${d.toISOString().slice(11, 21)}Z`;
}

export function distanceText(m: number | undefined): string {
  if (m === undefined) return '—';
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(m < 10_000 ? 2 : 1)} km`;
}

export function bearingText(deg: number | undefined): string {
  if (deg === undefined) return '';
  const points = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];
  return `${Math.round(deg)}° ${points[Math.round(deg / 45) % 8]}`;
}

/** "3 s ago", "2 min ago", "1 h 5 min ago". */
export function agoText(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s ago`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
}

export function coordText(lat: number, lon: number): string {
  return `${lat.toFixed(6)}, ${lon.toFixed(6)}`;
}
