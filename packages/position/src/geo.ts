/**
 * Geodesy for the whole toolkit: WGS-84 <-> local East-North-Up, great-circle distance, bearing and
 * destination, course from velocity. Local ENU keeps the simulator's path geometry flat and exact to
 * centimetres over a few km. Great-circle results use a sphere, off by at most ~0.5 % from the ellipsoid:
 * far below what Remote ID positions (metres to tens of metres) and a receiver's own GNSS fix can tell apart.
 */

const A = 6378137.0; // WGS-84 semi-major axis, m
const F = 1 / 298.257223563;
const E2 = F * (2 - F); // first eccentricity squared
/** IUGG mean Earth radius, metres: the sphere of distance(), bearing() and destinationPoint(). */
export const EARTH_RADIUS_M = 6371008.8;

const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;

export interface LatLon {
  lat: number;
  lon: number;
}

export interface Enu {
  e: number;
  n: number;
  u: number;
}

/** Degrees into 0..<360 (also maps -0 and 360 to 0). */
export function normalizeDegrees(deg: number): number {
  const d = deg % 360;
  const r = d < 0 ? d + 360 : d;
  // 359.99999999999994 + rounding can yield exactly 360; the interface promises < 360.
  return r >= 360 || Object.is(r, -0) ? 0 : r;
}

/** Signed smallest difference b - a in degrees, in -180..180. */
export function angleDiff(a: number, b: number): number {
  const d = normalizeDegrees(b - a);
  return d > 180 ? d - 360 : d;
}

/** Course over ground (degrees true) from north/east velocity; undefined when not moving. */
export function courseFromVelocity(vNorth: number, vEast: number): number | undefined {
  if (vNorth === 0 && vEast === 0) return undefined;
  return normalizeDegrees(Math.atan2(vEast, vNorth) * DEG);
}

/** Great-circle (haversine) distance in metres. */
export function distance(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The point reached from `from` after `meters` along a great circle starting at `bearingDeg` degrees true. */
export function destinationPoint(from: LatLon, bearingDeg: number, meters: number): LatLon {
  const ang = meters / EARTH_RADIUS_M;
  const brg = bearingDeg * RAD;
  const lat1 = from.lat * RAD;
  const lon1 = from.lon * RAD;
  const sinLat2 = Math.sin(lat1) * Math.cos(ang) + Math.cos(lat1) * Math.sin(ang) * Math.cos(brg);
  const lat2 = Math.asin(sinLat2);
  const lon2 = lon1 + Math.atan2(Math.sin(brg) * Math.sin(ang) * Math.cos(lat1), Math.cos(ang) - Math.sin(lat1) * sinLat2);
  return { lat: lat2 * DEG, lon: ((((lon2 * DEG + 180) % 360) + 360) % 360) - 180 };
}

/** A usable position: finite, in range, and not the 0/0 that Remote ID and DJI use for "unknown". */
export function isKnownPosition(lat: number, lon: number): boolean {
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return false;
  if (lat === 0 && lon === 0) return false;
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
}

/** Initial great-circle bearing from a to b, degrees true 0..<360. */
export function bearing(a: LatLon, b: LatLon): number {
  const p1 = a.lat * RAD;
  const p2 = b.lat * RAD;
  const dl = (b.lon - a.lon) * RAD;
  const y = Math.sin(dl) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return normalizeDegrees(Math.atan2(y, x) * DEG);
}

export function geodeticToEcef(lat: number, lon: number, h: number): [number, number, number] {
  const sp = Math.sin(lat * RAD);
  const cp = Math.cos(lat * RAD);
  const n = A / Math.sqrt(1 - E2 * sp * sp);
  return [(n + h) * cp * Math.cos(lon * RAD), (n + h) * cp * Math.sin(lon * RAD), (n * (1 - E2) + h) * sp];
}

export function ecefToGeodetic(x: number, y: number, z: number): { lat: number; lon: number; alt: number } {
  const p = Math.hypot(x, y);
  const lon = Math.atan2(y, x);
  let lat = Math.atan2(z, p * (1 - E2));
  let h = 0;
  // Converges to sub-millimetre in a handful of steps anywhere near the surface.
  for (let i = 0; i < 6; i++) {
    const sp = Math.sin(lat);
    const n = A / Math.sqrt(1 - E2 * sp * sp);
    h = Math.abs(Math.cos(lat)) > 1e-12 ? p / Math.cos(lat) - n : Math.abs(z) - n * (1 - E2);
    lat = Math.atan2(z, p * (1 - (E2 * n) / (n + h)));
  }
  return { lat: lat * DEG, lon: lon * DEG, alt: h };
}

/** A local tangent plane (East-North-Up) anchored at an origin. */
export class LocalFrame {
  private readonly o: [number, number, number];
  private readonly sLat: number;
  private readonly cLat: number;
  private readonly sLon: number;
  private readonly cLon: number;

  constructor(readonly origin: LatLon & { alt?: number }) {
    this.o = geodeticToEcef(origin.lat, origin.lon, origin.alt ?? 0);
    this.sLat = Math.sin(origin.lat * RAD);
    this.cLat = Math.cos(origin.lat * RAD);
    this.sLon = Math.sin(origin.lon * RAD);
    this.cLon = Math.cos(origin.lon * RAD);
  }

  toEnu(lat: number, lon: number, alt = this.origin.alt ?? 0): Enu {
    const [x, y, z] = geodeticToEcef(lat, lon, alt);
    const dx = x - this.o[0];
    const dy = y - this.o[1];
    const dz = z - this.o[2];
    return {
      e: -this.sLon * dx + this.cLon * dy,
      n: -this.sLat * this.cLon * dx - this.sLat * this.sLon * dy + this.cLat * dz,
      u: this.cLat * this.cLon * dx + this.cLat * this.sLon * dy + this.sLat * dz,
    };
  }

  fromEnu(e: number, n: number, u = 0): { lat: number; lon: number; alt: number } {
    const x = this.o[0] - this.sLon * e - this.sLat * this.cLon * n + this.cLat * this.cLon * u;
    const y = this.o[1] + this.cLon * e - this.sLat * this.sLon * n + this.cLat * this.sLon * u;
    const z = this.o[2] + this.cLat * n + this.sLat * u;
    return ecefToGeodetic(x, y, z);
  }
}
