/**
 * Great-circle geometry on a spherical Earth: distance (haversine), initial bearing, and the point at a
 * distance and bearing. The sphere is off by at most ~0.5 % from the WGS-84 ellipsoid, far below what
 * Remote ID positions (metres to tens of metres) and a receiver's own GNSS fix can tell apart.
 */

// Distance and bearing are the broadcaster's (one implementation for the whole toolkit).
import { bearing, distance, normalizeDegrees, type LatLon } from '@odid/broadcaster';

export { normalizeDegrees, type LatLon };

/** IUGG mean Earth radius, metres (the radius the shared distance() uses). */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export const distanceMeters = (a: LatLon, b: LatLon): number => distance(a, b);

/** Initial bearing (forward azimuth) from a to b, degrees clockwise from true north, 0 <= x < 360. */
export const initialBearing = (a: LatLon, b: LatLon): number => bearing(a, b);

/** The point reached from `from` after `distance` metres along a great circle starting at `bearing` degrees. */
export function destinationPoint(from: LatLon, bearing: number, distance: number): LatLon {
  const ang = distance / EARTH_RADIUS_M;
  const brg = bearing * RAD;
  const lat1 = from.lat * RAD;
  const lon1 = from.lon * RAD;
  const sinLat2 = Math.sin(lat1) * Math.cos(ang) + Math.cos(lat1) * Math.sin(ang) * Math.cos(brg);
  const lat2 = Math.asin(sinLat2);
  const lon2 = lon1 + Math.atan2(Math.sin(brg) * Math.sin(ang) * Math.cos(lat1), Math.cos(ang) - Math.sin(lat1) * sinLat2);
  return { lat: lat2 / RAD, lon: normalizeLongitude(lon2 / RAD) };
}


function normalizeLongitude(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** A usable position: finite, in range, and not the 0/0 that Remote ID and DJI use for "unknown". */
export function isKnownPosition(lat: number, lon: number): boolean {
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return false;
  if (lat === 0 && lon === 0) return false;
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
}
