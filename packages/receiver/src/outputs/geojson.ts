/**
 * Tracks as a GeoJSON FeatureCollection (RFC 7946): per track a LineString of its history, a Point for the
 * drone and, when known, Points for its operator and home point. Positions are [lon, lat] or
 * [lon, lat, alt] with alt in metres (Remote ID's geodetic altitude is height above the WGS-84 ellipsoid,
 * as RFC 7946 asks). Every feature has `kind` and `key` so a map can style and group them.
 */

import { ALTITUDE_UNKNOWN } from '@odid/codec';
import type { Track, TrackPoint } from '../tracker/types.js';

export type Position = [number, number] | [number, number, number];

export interface PointGeometry {
  type: 'Point';
  coordinates: Position;
}
export interface LineStringGeometry {
  type: 'LineString';
  coordinates: Position[];
}
export interface Feature {
  type: 'Feature';
  id: string;
  geometry: PointGeometry | LineStringGeometry;
  properties: Record<string, unknown>;
}
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}

export interface GeoJsonOptions {
  /** Leave out tracks in state 'lost' (default: include them). */
  skipLost?: boolean;
  /** Leave out the history LineStrings (default: include). */
  skipHistory?: boolean;
}

export type FeatureKind = 'track' | 'drone' | 'operator' | 'home';

export function tracksToGeoJson(tracks: Iterable<Track>, opts: GeoJsonOptions = {}): FeatureCollection {
  const features: Feature[] = [];
  for (const t of tracks) {
    if (opts.skipLost && t.state === 'lost') continue;
    const base = { key: t.key, uasId: t.uasId ?? null, state: t.state, flags: [...t.flags] };
    if (!opts.skipHistory && t.history.length >= 2) {
      const points = t.history.points();
      // One dimensionality for the whole line: 3D only when every point has an altitude.
      const with3d = points.every((p) => p.alt !== undefined);
      features.push({
        type: 'Feature',
        id: `${t.key}/track`,
        geometry: { type: 'LineString', coordinates: points.map((p) => position(p, with3d)) },
        properties: { kind: 'track', ...base, points: points.length, start: points[0]!.t / 1000, end: points[points.length - 1]!.t / 1000 },
      });
    }
    if (t.position) {
      const p = t.position;
      features.push({
        type: 'Feature',
        id: `${t.key}/drone`,
        geometry: { type: 'Point', coordinates: position(p, p.alt !== undefined) },
        properties: {
          kind: 'drone',
          ...base,
          idType: t.idType ?? null,
          uaType: t.uaType ?? null,
          time: p.t / 1000,
          altitude: p.alt ?? null,
          height: t.location && t.location.height !== ALTITUDE_UNKNOWN ? t.location.height : null,
          speed: p.speed ?? null,
          course: p.course ?? null,
          operatorId: t.operatorId?.operatorId ?? null,
          selfId: t.selfId?.desc ?? null,
          transports: [...t.transports],
          lastSeen: t.lastSeen / 1000,
          ...(t.distance !== undefined && { distance: round1(t.distance), bearing: round1(t.bearing!) }),
        },
      });
    }
    if (t.operator) {
      const o = t.operator;
      features.push({
        type: 'Feature',
        id: `${t.key}/operator`,
        geometry: { type: 'Point', coordinates: o.alt !== undefined ? [o.lon, o.lat, o.alt] : [o.lon, o.lat] },
        properties: {
          kind: 'operator',
          ...base,
          source: o.source,
          time: o.t / 1000,
          operatorId: t.operatorId?.operatorId ?? null,
          ...(t.operatorDistance !== undefined && { distance: round1(t.operatorDistance), bearing: round1(t.operatorBearing!) }),
        },
      });
    }
    if (t.home) {
      const h = t.home;
      features.push({
        type: 'Feature',
        id: `${t.key}/home`,
        geometry: { type: 'Point', coordinates: h.alt !== undefined ? [h.lon, h.lat, h.alt] : [h.lon, h.lat] },
        properties: { kind: 'home', ...base, source: h.source, time: h.t / 1000 },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}

const position = (p: TrackPoint, with3d: boolean): Position => (with3d && p.alt !== undefined ? [p.lon, p.lat, p.alt] : [p.lon, p.lat]);
const round1 = (v: number): number => Math.round(v * 10) / 10;
