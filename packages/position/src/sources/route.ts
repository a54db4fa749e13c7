/**
 * The simulator's route file: format, validation (errors name the field) and the built-in default.
 *
 * {
 *   "name": "test loop",
 *   "origin": { "lat": 47.0, "lon": 7.5, "alt": 500 },      // takeoff point; alt = ground HAE in m (default 0)
 *   "speed": 12,                                              // cruise ground speed, m/s
 *   "turnRate": 15,                                           // deg/s, finite so the course turns smoothly
 *   "waypoints": [{ "lat": 47.0009, "lon": 7.5007, "alt": 100 }],  // alt = m above takeoff
 *   "loop": true,                                             // false: land at the last waypoint
 *   "takeoff": { "groundSeconds": 10, "climbRate": 2.5, "descentRate": 1.5 }
 * }
 */
import { ToolkitError } from '@odid/commands';
import { LocalFrame } from '../geo.js';

export interface RouteWaypoint {
  lat: number;
  lon: number;
  /** m above takeoff. */
  alt: number;
}

export interface Route {
  name: string;
  /** Takeoff point; defaults to the first waypoint at 0 m HAE. alt = ground height above ellipsoid. */
  origin?: { lat: number; lon: number; alt?: number };
  /** Cruise ground speed, m/s. */
  speed: number;
  /** Turn rate in deg/s (default 15). */
  turnRate?: number;
  waypoints: RouteWaypoint[];
  loop: boolean;
  takeoff?: {
    /** Seconds on the ground before the climb starts (default 10). */
    groundSeconds?: number;
    /** m/s (default 2.5). */
    climbRate?: number;
    /** m/s, for landing at the end of a route that does not loop (default 1.5). */
    descentRate?: number;
  };
}

export const ROUTE_DEFAULTS = { turnRate: 15, groundSeconds: 10, climbRate: 2.5, descentRate: 1.5, originAlt: 0 } as const;

/** Routes are flown in a flat local frame: keep them within this radius of the origin. */
const MAX_RANGE_M = 50_000;

/**
 * A ~1.5 km rectangle over farmland on the Swiss plateau: take off, climb to 100 m, cruise at 12 m/s,
 * a gentle climb to 120 m on the east leg and back down on the north leg.
 */
export const DEFAULT_ROUTE: Route = {
  name: 'default loop (Swiss plateau, ~1.5 km)',
  origin: { lat: 47.0, lon: 7.5, alt: 500 },
  speed: 12,
  turnRate: 15,
  waypoints: [
    { lat: 47.0008994, lon: 7.5006574, alt: 100 },
    { lat: 47.0008993, lon: 7.5065737, alt: 100 },
    { lat: 47.0035976, lon: 7.506574, alt: 120 },
    { lat: 47.0035978, lon: 7.5006574, alt: 100 },
  ],
  loop: true,
  takeoff: { groundSeconds: 10, climbRate: 2.5, descentRate: 1.5 },
};

/** A route that cannot be flown: the field at fault and what is wrong with it. */
export class RouteError extends ToolkitError {
  override readonly name = 'RouteError';
  declare readonly code: 'bad-route';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super('bad-route', problem, { subject: field });
  }
}

type Obj = Record<string, unknown>;

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : String(JSON.stringify(v) ?? v));

function object(v: unknown, field: string, allowed: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RouteError(field, `must be an object, got ${show(v)}`);
  for (const k of Object.keys(v)) {
    // Typos ("sped") would otherwise silently fall back to defaults.
    if (!allowed.includes(k)) throw new RouteError(`${field}.${k}`, `unknown field (accepted: ${allowed.join(', ')})`);
  }
  return v as Obj;
}

function num(o: Obj, key: string, field: string, min: number, max: number, opts: { optional?: boolean; exclusiveMin?: boolean } = {}): number | undefined {
  const v = o[key];
  if (v === undefined && opts.optional) return undefined;
  const f = `${field}.${key}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RouteError(f, `must be a number, got ${show(v)}`);
  if (v < min || v > max || (opts.exclusiveMin && v === min)) {
    throw new RouteError(f, `must be ${opts.exclusiveMin ? '>' : '>='} ${min} and <= ${max}, got ${v}`);
  }
  return v;
}

/** Parse and validate a route from JSON text or an already parsed object. */
export function loadRoute(json: unknown): Route {
  let data = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (e) {
      throw new RouteError('route', `not valid JSON (${(e as Error).message})`);
    }
  }
  const r = object(data, 'route', ['name', 'origin', 'speed', 'turnRate', 'waypoints', 'loop', 'takeoff']);
  if (typeof r.name !== 'string' || r.name.trim() === '') throw new RouteError('route.name', `must be a non-empty string, got ${show(r.name)}`);
  const speed = num(r, 'speed', 'route', 0, 100, { exclusiveMin: true })!;
  const turnRate = num(r, 'turnRate', 'route', 0, 360, { optional: true, exclusiveMin: true });
  if (typeof r.loop !== 'boolean') throw new RouteError('route.loop', `must be true or false, got ${show(r.loop)}`);

  if (!Array.isArray(r.waypoints) || r.waypoints.length === 0) {
    throw new RouteError('route.waypoints', `must be a non-empty array of {lat, lon, alt}, got ${show(r.waypoints)}`);
  }
  const waypoints = r.waypoints.map((w, i): RouteWaypoint => {
    const f = `route.waypoints[${i}]`;
    const o = object(w, f, ['lat', 'lon', 'alt']);
    return { lat: num(o, 'lat', f, -90, 90)!, lon: num(o, 'lon', f, -180, 180)!, alt: num(o, 'alt', f, 0, 30_000)! };
  });

  let origin: Route['origin'];
  if (r.origin !== undefined) {
    const o = object(r.origin, 'route.origin', ['lat', 'lon', 'alt']);
    const alt = num(o, 'alt', 'route.origin', -1000, 30_000, { optional: true });
    origin = { lat: num(o, 'lat', 'route.origin', -90, 90)!, lon: num(o, 'lon', 'route.origin', -180, 180)!, ...(alt === undefined ? {} : { alt }) };
  }

  let takeoff: Route['takeoff'];
  if (r.takeoff !== undefined) {
    const o = object(r.takeoff, 'route.takeoff', ['groundSeconds', 'climbRate', 'descentRate']);
    const groundSeconds = num(o, 'groundSeconds', 'route.takeoff', 0, 86_400, { optional: true });
    const climbRate = num(o, 'climbRate', 'route.takeoff', 0, 50, { optional: true, exclusiveMin: true });
    const descentRate = num(o, 'descentRate', 'route.takeoff', 0, 50, { optional: true, exclusiveMin: true });
    takeoff = {
      ...(groundSeconds === undefined ? {} : { groundSeconds }),
      ...(climbRate === undefined ? {} : { climbRate }),
      ...(descentRate === undefined ? {} : { descentRate }),
    };
  }

  const route: Route = {
    name: r.name,
    ...(origin ? { origin } : {}),
    speed,
    ...(turnRate === undefined ? {} : { turnRate }),
    waypoints,
    loop: r.loop,
    ...(takeoff ? { takeoff } : {}),
  };

  const o0 = origin ?? waypoints[0]!;
  const frame = new LocalFrame({ lat: o0.lat, lon: o0.lon });
  waypoints.forEach((w, i) => {
    const p = frame.toEnu(w.lat, w.lon, 0);
    const d = Math.hypot(p.e, p.n);
    if (d > MAX_RANGE_M) {
      throw new RouteError(`route.waypoints[${i}]`, `${(d / 1000).toFixed(1)} km from the origin; the simulator flies in a flat local frame, keep routes within ${MAX_RANGE_M / 1000} km`);
    }
  });
  if (route.loop) {
    const distinct = new Set(waypoints.map((w) => `${w.lat},${w.lon}`));
    if (distinct.size < 2) throw new RouteError('route.waypoints', 'a looping route needs at least 2 different waypoints');
  }
  return route;
}
