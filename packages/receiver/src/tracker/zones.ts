/**
 * Zones: named areas (a stadium, a prison, an airfield) given as a GeoJSON FeatureCollection (RFC 7946) of
 * Polygon and MultiPolygon features, with an optional altitude band. The tracker says which zones each
 * drone, and separately each operator, is in.
 *
 * A feature's `properties`:
 * - `name` (required): a non-empty string of at most 100 characters, no control characters; features may
 *   share a name (one zone drawn in several pieces);
 * - `floor`, `ceiling` (optional, metres): the zone holds a drone only from `floor` up to `ceiling`
 *   (inclusive). They are compared with the drone's altitude as its track has it — Remote ID geodetic
 *   altitude (WGS-84 HAE) when known, else pressure altitude; DJI and French altitudes as decoded — so give
 *   them in that reference, not as height above ground. A zone with a floor or a ceiling never holds a drone
 *   whose altitude is unknown, and it holds an operator by position alone (an operator stands on the
 *   ground: the band is the drone's airspace).
 *
 * Geometry: positions are [longitude, latitude] (a third number, an altitude, is allowed and ignored);
 * rings are closed (last position = first) and have at least 4 positions; the first ring of a polygon is
 * its outline, the others are holes. Inside is decided by ray casting on longitude/latitude as plane
 * coordinates, which is exact enough for zones of stadium or city size (edges are straight in lon/lat,
 * not great circles: over tens of kilometres an edge bows by metres). A zone may not cross the antimeridian
 * (±180°) or contain a pole: split such a zone at 180°.
 */

import { CONFIG_MAX_BYTES, FileTooLargeError, readFileBoundedSync, ToolkitError, writeFileReplacing } from '@odid/commands';
import { parseJsonText } from './json-text.js';

export interface Zone {
  name: string;
  /** Metres, same reference as the track's altitude (see the top of this file). */
  floor?: number;
  ceiling?: number;
  /** The feature's geometry as validated (type and coordinates only): what zonesToGeoJson writes back. */
  geometry: ZoneGeometry;
  /** [west, south, east, north] of every polygon: a position outside it is outside the zone. */
  bbox: [number, number, number, number];
  /** Per polygon: its rings as flat [lon0, lat0, lon1, lat1, ...] (first the outline, then the holes) and its bbox. */
  readonly polygons: readonly ZonePolygon[];
}

export interface ZonePolygon {
  rings: Float64Array[];
  bbox: [number, number, number, number];
}

export type Position = number[];
export type ZoneGeometry = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

export interface ZoneFeature {
  type: 'Feature';
  properties: { name: string; floor?: number; ceiling?: number };
  geometry: ZoneGeometry;
}

export interface ZoneFeatureCollection {
  type: 'FeatureCollection';
  features: ZoneFeature[];
}

/** A zones file or collection that cannot be used; the message names the source and the feature. */
export type ZonesErrorCode = 'unreadable' | 'too-large' | 'not-json' | 'invalid';

/** Zones that cannot be used: "SOURCE: REASON", the source being the file (or "the drawn zones"). */
export class ZonesError extends ToolkitError {
  override readonly name = 'ZonesError';
  declare readonly code: ZonesErrorCode;
  constructor(code: ZonesErrorCode, source: string, reason: string) {
    super(code, reason, { subject: source });
  }
}

export const ZONE_NAME_MAX = 100;
/** What the file limit is, for messages. */
const SIZE_HINT = 'zones files are a few kilobytes';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? `a string` : typeof v === 'number' ? `the number ${v}` : typeof v);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Validates a parsed GeoJSON value as zones. `source` names it in errors (the file name, "the drawn zones").
 * Throws a ZonesError: `zones.geojson: feature 3: polygon ring 0 has 2 positions, a ring needs at least 4`
 * (features and rings are counted from 0, as in `features[3]`).
 */
export function parseZones(json: unknown, source: string): Zone[] {
  const fail = (what: string): never => {
    throw new ZonesError('invalid', source, what);
  };
  if (!isObject(json)) return fail(`expected a GeoJSON FeatureCollection (an object), got ${kindOf(json)}`);
  if (json.type !== 'FeatureCollection') {
    return fail(`expected a GeoJSON FeatureCollection, got ${typeof json.type === 'string' ? `type "${json.type.slice(0, 40)}"` : 'an object without "type"'}`);
  }
  if (!Array.isArray(json.features)) return fail(`"features" must be an array of Feature objects, got ${kindOf(json.features)}`);
  return json.features.map((f, i) => parseFeature(f, (what) => fail(`feature ${i}: ${what}`)));
}

function parseFeature(f: unknown, fail: (what: string) => never): Zone {
  if (!isObject(f)) return fail(`expected a Feature object, got ${kindOf(f)}`);
  if (f.type !== 'Feature') return fail(`expected "type": "Feature", got ${typeof f.type === 'string' ? `"${f.type.slice(0, 40)}"` : kindOf(f.type)}`);
  const props = f.properties;
  if (!isObject(props)) return fail(`"properties" must be an object with a "name", got ${kindOf(props)}`);
  const name = props.name;
  if (typeof name !== 'string' || name.trim() === '') return fail(`properties.name must be a non-empty string, got ${kindOf(name)}`);
  if ([...name].length > ZONE_NAME_MAX) return fail(`properties.name is longer than ${ZONE_NAME_MAX} characters`);
  if (CONTROL.test(name)) return fail('properties.name holds a control character (a line break, a tab, ...)');
  const band = (key: 'floor' | 'ceiling'): number | undefined => {
    const v = props[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`properties.${key} must be a number of metres, got ${kindOf(v)}`);
    if (v < -1000 || v > 100_000) return fail(`properties.${key} must be -1000..100000 metres, got ${v}`);
    return v;
  };
  const floor = band('floor');
  const ceiling = band('ceiling');
  if (floor !== undefined && ceiling !== undefined && floor > ceiling) return fail(`properties.floor (${floor} m) is above properties.ceiling (${ceiling} m)`);

  const g = f.geometry;
  if (!isObject(g)) return fail(`"geometry" must be a Polygon or MultiPolygon object, got ${kindOf(g)}`);
  let polygons: Position[][][];
  let geometry: ZoneGeometry;
  if (g.type === 'Polygon') {
    const rings = polygonCoordinates(g.coordinates, 'polygon', fail);
    polygons = [rings];
    geometry = { type: 'Polygon', coordinates: rings };
  } else if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return fail(`MultiPolygon coordinates must be a non-empty array of polygons, got ${kindOf(g.coordinates)}`);
    polygons = g.coordinates.map((p, k) => polygonCoordinates(p, `polygon ${k}`, fail));
    geometry = { type: 'MultiPolygon', coordinates: polygons };
  } else {
    return fail(`geometry type ${typeof g.type === 'string' ? `"${g.type.slice(0, 40)}"` : kindOf(g.type)} is not a zone: expected Polygon or MultiPolygon`);
  }

  const compiled = polygons.map(compilePolygon);
  const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of compiled) {
    bbox[0] = Math.min(bbox[0], p.bbox[0]);
    bbox[1] = Math.min(bbox[1], p.bbox[1]);
    bbox[2] = Math.max(bbox[2], p.bbox[2]);
    bbox[3] = Math.max(bbox[3], p.bbox[3]);
  }
  const zone: Zone = { name, geometry, bbox, polygons: compiled };
  if (floor !== undefined) zone.floor = floor;
  if (ceiling !== undefined) zone.ceiling = ceiling;
  return zone;
}

/** Checks one polygon's rings; `what` is "polygon" or "polygon 2" (of a MultiPolygon). Returns clean copies. */
function polygonCoordinates(coordinates: unknown, what: string, fail: (what: string) => never): Position[][] {
  if (!Array.isArray(coordinates) || coordinates.length === 0) return fail(`${what} coordinates must be a non-empty array of rings, got ${kindOf(coordinates)}`);
  return coordinates.map((ring: unknown, r) => {
    const where = `${what} ring ${r}`;
    if (!Array.isArray(ring)) return fail(`${where} must be an array of [longitude, latitude] positions, got ${kindOf(ring)}`);
    if (ring.length < 4) return fail(`${where} has ${ring.length} position${ring.length === 1 ? '' : 's'}, a ring needs at least 4 (the last one repeating the first)`);
    const out = ring.map((p: unknown, k): Position => {
      if (!Array.isArray(p) || p.length < 2 || p.length > 3 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        return fail(`${where} position ${k} must be [longitude, latitude] (numbers), got ${kindOf(p)}${Array.isArray(p) ? ` of ${p.length}` : ''}`);
      }
      const [lon, lat] = p as number[];
      if (lon! < -180 || lon! > 180) return fail(`${where} position ${k}: longitude ${lon} is outside -180..180 (GeoJSON positions are [longitude, latitude])`);
      if (lat! < -90 || lat! > 90) return fail(`${where} position ${k}: latitude ${lat} is outside -90..90 (GeoJSON positions are [longitude, latitude])`);
      return [lon!, lat!];
    });
    const first = out[0]!;
    const last = out[out.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) return fail(`${where} is not closed: its last position must repeat its first`);
    return out;
  });
}

function compilePolygon(rings: Position[][]): ZonePolygon {
  const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const flat = rings.map((ring) => {
    const a = new Float64Array(ring.length * 2);
    ring.forEach(([lon, lat], k) => {
      a[2 * k] = lon!;
      a[2 * k + 1] = lat!;
    });
    return a;
  });
  // The outline bounds the polygon: holes are inside it.
  const outline = flat[0]!;
  for (let k = 0; k < outline.length; k += 2) {
    bbox[0] = Math.min(bbox[0], outline[k]!);
    bbox[1] = Math.min(bbox[1], outline[k + 1]!);
    bbox[2] = Math.max(bbox[2], outline[k]!);
    bbox[3] = Math.max(bbox[3], outline[k + 1]!);
  }
  return { rings: flat, bbox };
}

/** Even-odd ray casting on one closed ring (flat lon/lat pairs). */
function inRing(ring: Float64Array, lon: number, lat: number): boolean {
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = ring[i]!;
    const yi = ring[i + 1]!;
    const xj = ring[j]!;
    const yj = ring[j + 1]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const inBox = (b: readonly number[], lon: number, lat: number): boolean => lon >= b[0]! && lon <= b[2]! && lat >= b[1]! && lat <= b[3]!;

/** Whether the zone's area holds lon/lat (holes respected), ignoring floor and ceiling. */
export function zoneContainsPosition(zone: Zone, lat: number, lon: number): boolean {
  if (!inBox(zone.bbox, lon, lat)) return false;
  for (const p of zone.polygons) {
    if (!inBox(p.bbox, lon, lat) || !inRing(p.rings[0]!, lon, lat)) continue;
    let hole = false;
    for (let r = 1; r < p.rings.length && !hole; r++) hole = inRing(p.rings[r]!, lon, lat);
    if (!hole) return true;
  }
  return false;
}

/**
 * Whether the zone holds a point: its area, and its floor/ceiling when it has them (`alt` in metres; a zone
 * with a band never holds a point without altitude). `ignoreBand`: area only (operators).
 */
export function zoneContains(zone: Zone, point: { lat: number; lon: number; alt?: number | undefined }, ignoreBand = false): boolean {
  if (!ignoreBand && (zone.floor !== undefined || zone.ceiling !== undefined)) {
    const alt = point.alt;
    if (alt === undefined || !Number.isFinite(alt)) return false;
    if (zone.floor !== undefined && alt < zone.floor) return false;
    if (zone.ceiling !== undefined && alt > zone.ceiling) return false;
  }
  return zoneContainsPosition(zone, point.lat, point.lon);
}

/** The names of the zones that hold the point, in the zones' order, each once. */
export function zonesAt(zones: readonly Zone[], point: { lat: number; lon: number; alt?: number | undefined }, ignoreBand = false): string[] {
  const names: string[] = [];
  for (const z of zones) if (!names.includes(z.name) && zoneContains(z, point, ignoreBand)) names.push(z.name);
  return names;
}

/** The zones as a clean GeoJSON FeatureCollection (name, floor, ceiling and geometry only): for the map page. */
export function zonesToGeoJson(zones: readonly Zone[]): ZoneFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: zones.map((z) => {
      const properties: ZoneFeature['properties'] = { name: z.name };
      if (z.floor !== undefined) properties.floor = z.floor;
      if (z.ceiling !== undefined) properties.ceiling = z.ceiling;
      return { type: 'Feature', properties, geometry: z.geometry };
    }),
  };
}

/**
 * Reads and validates a zones file (a local file, at most 1 MiB). Every problem is one ZonesError line
 * naming the file: cannot be read, too large, not JSON (with line and column), not valid zones.
 */
export function loadZonesFile(path: string): Zone[] {
  let text: string;
  try {
    text = readFileBoundedSync(path, { maxBytes: CONFIG_MAX_BYTES, hint: SIZE_HINT }).toString('utf8');
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new ZonesError('too-large', path, e.message);
    throw new ZonesError('unreadable', path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new ZonesError('not-json', path, `not valid JSON: line ${parsed.line}, column ${parsed.column}: ${parsed.problem}`);
  return parseZones(parsed.value, path);
}

/**
 * Validates `collection` (e.g. zones drawn on the map page) with parseZones, then writes it to `path`
 * atomically (a temporary file beside it, flushed, renamed over it: the old file stays whole until the new
 * one is). Returns the zones, for Tracker.setZones. Refuses what loadZonesFile could not read back (over
 * 1 MiB). The collection is written as given (pretty-printed), foreign properties included.
 */
export async function saveZonesFile(path: string, collection: unknown): Promise<Zone[]> {
  const zones = parseZones(collection, path);
  const text = JSON.stringify(collection, null, 2) + '\n';
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > CONFIG_MAX_BYTES) throw new ZonesError('too-large', path, `not saved: ${bytes} bytes is larger than the 1 MiB a zones file may have`);
  await writeFileReplacing(path, text);
  return zones;
}
