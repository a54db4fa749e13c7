/**
 * A deterministic simulated flight: ground wait, vertical climb, then the route's waypoints at cruise
 * speed with turns of finite rate, looping forever or landing at the end. Position is a pure function of
 * time (positionAt), so a scheduler driven by a ManualClock can sample exact instants.
 */
import { ClockedSource, type ClockedOptions } from './clocked.js';
import { bearing, LocalFrame, normalizeDegrees } from '../geo.js';
import { DEFAULT_ROUTE, loadRoute, ROUTE_DEFAULTS, type Route } from './route.js';
import { closedPath, dedupe, openPath, type P2, type Path, type PathSample } from './sim-path.js';
import type { Fix } from './types.js';

export interface SimulatedFlightOptions extends Partial<ClockedOptions> {
  clock: ClockedOptions['clock'];
  /** Defaults to DEFAULT_ROUTE. Validated again here, so a hand-built object gets the same errors as a file. */
  route?: Route;
  /** ms since epoch at which the simulated drone is powered on (default: clock.now() at construction). */
  startTime?: number;
}

/** Nominal accuracies a good GNSS receiver would report (95 %). */
const SIM_ACCURACY = { horizontalAccuracy: 3, verticalAccuracy: 4, speedAccuracy: 0.5 } as const;

type Knot = P2 & { alt: number };

interface Leg {
  path: Path;
  /** (distance, altitude above takeoff) pairs, increasing distance. */
  knots: [number, number][];
}

export interface SimulatedFlightTimeline {
  startTime: number;
  groundMs: number;
  climbMs: number;
  /** From the end of the climb to where the loop starts (or to the last waypoint if not looping). */
  transitMs: number;
  /** One lap of the loop; undefined for a route that lands. */
  lapMs: number | undefined;
  /** Landing descent at the end of a route that does not loop. */
  descentMs: number | undefined;
}

export class SimulatedFlightSource extends ClockedSource {
  readonly name: string;
  readonly route: Route;
  readonly timeline: SimulatedFlightTimeline;
  private readonly frame: LocalFrame;
  private readonly originAlt: number;
  private readonly speed: number;
  private readonly climbRate: number;
  private readonly descentRate: number;
  private readonly climbTo: number;
  private readonly transit: Leg;
  private readonly lap: Leg | undefined;
  private readonly endAlt: number;

  constructor(opts: SimulatedFlightOptions) {
    super({ clock: opts.clock, intervalMs: opts.intervalMs ?? 200 });
    const route = loadRoute(opts.route ?? DEFAULT_ROUTE);
    this.route = route;
    this.name = `sim:${route.name}`;
    const first = route.waypoints[0]!;
    const origin = route.origin ?? { lat: first.lat, lon: first.lon };
    this.originAlt = route.origin?.alt ?? ROUTE_DEFAULTS.originAlt;
    this.frame = new LocalFrame({ lat: origin.lat, lon: origin.lon, alt: this.originAlt });
    this.speed = route.speed;
    this.climbRate = route.takeoff?.climbRate ?? ROUTE_DEFAULTS.climbRate;
    this.descentRate = route.takeoff?.descentRate ?? ROUTE_DEFAULTS.descentRate;
    const turnRateRad = ((route.turnRate ?? ROUTE_DEFAULTS.turnRate) * Math.PI) / 180;
    const radius = this.speed / turnRateRad;

    const wps: Knot[] = route.waypoints.map((w) => ({ ...this.frame.toEnu(w.lat, w.lon, this.originAlt), alt: w.alt }));
    this.climbTo = first.alt;
    const home: Knot = { e: 0, n: 0, alt: first.alt };

    if (route.loop) {
      const loop = closedPath(dedupe(wps, true), radius);
      const p0 = loop.points[loop.points.length - 1]!;
      const p1 = loop.points[0]!;
      const mid: Knot = { ...loop.start, alt: (p0.alt + p1.alt) / 2 };
      this.lap = { path: loop.path, knots: knotsOf(loop.path, loop.points, mid, mid) };
      const t = openPath([home, p0, mid], radius);
      this.transit = { path: t.path, knots: knotsOf(t.path, t.points) };
      this.endAlt = mid.alt;
    } else {
      const t = openPath([home, ...wps], radius);
      this.transit = { path: t.path, knots: knotsOf(t.path, t.points) };
      this.lap = undefined;
      this.endAlt = wps[wps.length - 1]!.alt;
    }

    this.timeline = {
      startTime: opts.startTime ?? opts.clock.now(),
      groundMs: (route.takeoff?.groundSeconds ?? ROUTE_DEFAULTS.groundSeconds) * 1000,
      climbMs: (this.climbTo / this.climbRate) * 1000,
      transitMs: (this.transit.path.length / this.speed) * 1000,
      lapMs: this.lap ? (this.lap.path.length / this.speed) * 1000 : undefined,
      descentMs: this.lap ? undefined : (this.endAlt / this.descentRate) * 1000,
    };
  }

  positionAt(ms: number): Fix {
    const tl = this.timeline;
    let t = ms - tl.startTime;
    const base = { time: ms, ...SIM_ACCURACY, fixType: '3d' as const };

    if (t < tl.groundMs) return { ...base, ...this.hover({ e: 0, n: 0 }, 0, 0, this.courseAtStart()), status: 'ground' };
    t -= tl.groundMs;
    if (t < tl.climbMs) return { ...base, ...this.hover({ e: 0, n: 0 }, (t / 1000) * this.climbRate, this.climbRate, this.courseAtStart()), status: 'airborne' };
    t -= tl.climbMs;

    let s = (t / 1000) * this.speed;
    if (s < this.transit.path.length) {
      return { ...base, ...this.cruise(this.transit, s), status: 'airborne' };
    }
    if (this.lap) {
      s = (s - this.transit.path.length) % this.lap.path.length;
      return { ...base, ...this.cruise(this.lap, s), status: 'airborne' };
    }

    // Not looping: descend at the last waypoint, then sit on the ground there.
    const end = this.transit.path.length > 0 ? this.transit.path.at(this.transit.path.length) : { e: 0, n: 0, course: NaN };
    const course = Number.isNaN(end.course) ? this.courseAtStart() : this.trueCourse(end);
    t -= tl.transitMs;
    const descentMs = tl.descentMs ?? 0;
    if (t < descentMs) return { ...base, ...this.hover(end, this.endAlt - (t / 1000) * this.descentRate, -this.descentRate, course), status: 'airborne' };
    return { ...base, ...this.hover(end, 0, 0, course), status: 'ground' };
  }

  private hover(p: P2, h: number, vs: number, course: number | undefined): Omit<Fix, 'time'> {
    const g = this.frame.fromEnu(p.e, p.n, 0);
    return {
      latitude: g.lat,
      longitude: g.lon,
      altitudeGeo: this.originAlt + h,
      // Standard-atmosphere stand-in: a simulated barometer reads the geodetic altitude.
      altitudeBaro: this.originAlt + h,
      height: h,
      speedHorizontal: 0,
      speedVertical: vs,
      ...(course === undefined ? {} : { direction: course }),
    };
  }

  private cruise(leg: Leg, s: number): Omit<Fix, 'time'> {
    const p = leg.path.at(s);
    const { h, slope } = interpolate(leg.knots, s);
    return { ...this.hover(p, h, slope * this.speed, this.trueCourse(p)), speedHorizontal: this.speed };
  }

  /** Grid course -> true course: the bearing from the point to one metre ahead along the path. */
  private trueCourse(p: PathSample): number {
    const r = (p.course * Math.PI) / 180;
    const a = this.frame.fromEnu(p.e, p.n, 0);
    const b = this.frame.fromEnu(p.e + Math.sin(r), p.n + Math.cos(r), 0);
    return normalizeDegrees(bearing(a, b));
  }

  private courseAtStart(): number | undefined {
    const path = this.transit.path.length > 0 ? this.transit.path : this.lap?.path;
    return path ? this.trueCourse(path.at(0)) : undefined;
  }
}

/** Altitude knots along a path: each vertex at its turn's middle, plus optional start/end points. */
function knotsOf(path: Path, points: Knot[], start?: Knot, end?: Knot): [number, number][] {
  const knots: [number, number][] = [];
  if (start) knots.push([0, start.alt]);
  points.forEach((p, i) => knots.push([path.vertexDistance[i]!, p.alt]));
  if (end) knots.push([path.length, end.alt]);
  return knots;
}

/** Linear altitude between knots; slope in m of altitude per m of path. */
function interpolate(knots: [number, number][], s: number): { h: number; slope: number } {
  for (let i = 1; i < knots.length; i++) {
    const [s0, h0] = knots[i - 1]!;
    const [s1, h1] = knots[i]!;
    if (s <= s1 || i === knots.length - 1) {
      if (s1 - s0 < 1e-9) return { h: h1, slope: 0 };
      const f = Math.min(Math.max((s - s0) / (s1 - s0), 0), 1);
      return { h: h0 + (h1 - h0) * f, slope: (h1 - h0) / (s1 - s0) };
    }
  }
  return { h: knots[0]?.[1] ?? 0, slope: 0 };
}
