/**
 * Great-circle geometry on a spherical Earth: distance (haversine), initial bearing, and the point at a
 * distance and bearing. The sphere is off by at most ~0.5 % from the WGS-84 ellipsoid, far below what
 * Remote ID positions (metres to tens of metres) and a receiver's own GNSS fix can tell apart.
 */

export interface LatLon {
  /** Degrees, WGS-84. */
  lat: number;
  lon: number;
}

/** IUGG mean Earth radius, metres. */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine: stable for small distances, unlike the cosine law). */
export function distanceMeters(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  // min() guards against h creeping above 1 by rounding for antipodal points.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing (forward azimuth) from a to b, degrees clockwise from true north, 0 <= x < 360. */
export function initialBearing(a: LatLon, b: LatLon): number {
  const lat1 = a.lat * RAD;
  const lat2 = b.lat * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const y = Math.sin(dLon) * Math.cos(lat2);
  const x = Math.cos(lat1) * Math.sin(lat2) - Math.sin(lat1) * Math.cos(lat2) * Math.cos(dLon);
  return normalizeDegrees(Math.atan2(y, x) / RAD);
}

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

/** 0 <= x < 360; -0 becomes 0. */
export function normalizeDegrees(deg: number): number {
  const d = deg % 360;
  return d < 0 ? d + 360 : d + 0;
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
