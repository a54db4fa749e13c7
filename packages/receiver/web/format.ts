/**
 * Words and units for the decoded fields (docs/decoded-json.md), and the small formatters the page uses.
 * Pure: no DOM. Text from the air goes through `air()` (the codec's displayText: control and invisible
 * characters shown as escapes), and the DOM code inserts every string as text, never as markup.
 */

import { displayText } from '@odid/codec';

/** A text field as the drone sent it, made visible: escapes for control/invisible characters, capped. */
export const air = (s: string | null | undefined, max = 120): string => (s === null || s === undefined ? '—' : s === '' ? '(empty)' : displayText(s, { max }));

const named = (names: readonly string[], reserved = 'reserved') => (v: number): string => `${v} ${names[v] ?? reserved}`;

export const ID_TYPE = named(['none', 'serial number (ANSI/CTA-2063-A)', 'CAA registration ID', 'UTM-assigned UUID', 'specific session ID']);
export const UA_TYPE = named([
  'none', 'aeroplane', 'helicopter or multirotor', 'gyroplane', 'hybrid lift (VTOL)', 'ornithopter', 'glider', 'kite', 'free balloon',
  'captive balloon', 'airship', 'free-fall/parachute', 'rocket', 'tethered powered aircraft', 'ground obstacle', 'other',
]);
export const STATUS = named(['undeclared', 'on ground', 'airborne', 'EMERGENCY', 'remote ID system failure']);
export const HEIGHT_TYPE = named(['above take-off', 'above ground level']);
export const HORIZ_ACCURACY = named(['unknown', '< 18.52 km', '< 7.408 km', '< 3.704 km', '< 1.852 km', '< 926 m', '< 555.6 m', '< 185.2 m', '< 92.6 m', '< 30 m', '< 10 m', '< 3 m', '< 1 m']);
export const VERT_ACCURACY = named(['unknown', '< 150 m', '< 45 m', '< 25 m', '< 10 m', '< 3 m', '< 1 m']);
export const SPEED_ACCURACY = named(['unknown', '< 10 m/s', '< 3 m/s', '< 1 m/s', '< 0.3 m/s']);
export const OPERATOR_LOCATION_TYPE = named(['take-off point', 'live GNSS', 'fixed location']);
export const CLASSIFICATION_TYPE = named(['undeclared', 'European Union']);
export const CATEGORY_EU = named(['undeclared', 'open', 'specific', 'certified']);
export const CLASS_EU = named(['undeclared', 'C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6']);
export const AUTH_TYPE = (v: number): string =>
  `${v} ${['none', 'UAS ID signature', 'operator ID signature', 'message set signature', 'authentication by network remote ID', 'specific authentication method'][v] ?? (v >= 10 ? 'private' : 'reserved')}`;
export const DESC_TYPE = (v: number): string => `${v} ${['text description', 'emergency description', 'extended status'][v] ?? (v >= 201 ? 'private' : 'reserved')}`;
export const OPERATOR_ID_TYPE = (v: number): string => `${v} ${v === 0 ? 'operator ID' : v >= 201 ? 'private' : 'reserved'}`;

/** Seconds since 2019-01-01T00:00:00Z (auth and System timestamps). */
const ODID_EPOCH_S = 1_546_300_800;

const unknownOr = (sentinel: number, f: (v: number) => string) => (v: number): string => (v === sentinel ? `${v} (unknown)` : f(v));
const metres = (v: number): string => `${v} m`;
const altitude = unknownOr(-1000, metres);
const degrees = (v: number): string => `${v}°`;

/** How each field of a decoded message is shown: its value with unit or meaning. Fields not listed are shown as they are. */
export const FIELD_TEXT: Record<string, Record<string, (v: number) => string>> = {
  basicId: { idType: ID_TYPE, uaType: UA_TYPE },
  location: {
    status: STATUS,
    direction: (v) => (v === 361 ? '361 (unknown)' : v > 359 ? `${v}° (out of range)` : `${v}° true`),
    speedHorizontal: unknownOr(255, (v) => `${v} m/s`),
    speedVertical: unknownOr(63, (v) => `${v} m/s`),
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
    timestamp: unknownOr(65535, (v) => `${v} s after the hour`),
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
