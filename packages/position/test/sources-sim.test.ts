import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { angleDiff, bearing, DEFAULT_ROUTE, LocalFrame, loadRoute, RouteError, SimulatedFlightSource, type Fix, type Route } from '../src/index.js';

const T0 = Date.UTC(2025, 5, 1, 10, 0, 0);
const frame = new LocalFrame({ lat: 47, lon: 7.5, alt: 500 });
const enu = (f: Fix) => frame.toEnu(f.latitude, f.longitude, 500);
const groundDist = (a: Fix, b: Fix): number => {
  const p = enu(a);
  const q = enu(b);
  return Math.hypot(p.e - q.e, p.n - q.n);
};

function sim(route?: Route): SimulatedFlightSource {
  return new SimulatedFlightSource({ clock: new ManualClock(T0), ...(route ? { route } : {}), intervalMs: 0 });
}

describe('SimulatedFlightSource on the default route', () => {
  const s = sim();
  const tl = s.timeline;
  const cruiseStart = T0 + tl.groundMs + tl.climbMs;

  it('waits on the ground, then climbs vertically to 100 m', () => {
    const g = s.positionAt(T0 + 5_000);
    expect(g).toMatchObject({ status: 'ground', height: 0, speedHorizontal: 0, speedVertical: 0, altitudeGeo: 500, fixType: '3d' });
    expect(g.latitude).toBeCloseTo(47, 9);
    expect(g.longitude).toBeCloseTo(7.5, 9);
    expect(s.positionAt(T0 - 60_000).status).toBe('ground'); // before power-on: still parked

    const c = s.positionAt(T0 + tl.groundMs + 20_000);
    expect(c.status).toBe('airborne');
    expect(c.speedVertical).toBe(2.5);
    expect(c.height).toBeCloseTo(50, 9);
    expect(c.altitudeGeo).toBeCloseTo(550, 9);
    expect(c.speedHorizontal).toBe(0);
    expect(tl.climbMs).toBe(40_000); // 100 m at 2.5 m/s

    const top = s.positionAt(cruiseStart);
    expect(top.height).toBeCloseTo(100, 6);
    expect(top.speedHorizontal).toBe(12);
  });

  it('flies a ~1.5 km loop at 12 m/s that repeats exactly', () => {
    const lapM = ((tl.lapMs ?? 0) / 1000) * 12;
    expect(lapM).toBeGreaterThan(1300);
    expect(lapM).toBeLessThan(1500);
    const t = cruiseStart + tl.transitMs + 12_345;
    const a = s.positionAt(t);
    const b = s.positionAt(t + tl.lapMs! * 7);
    expect(groundDist(a, b)).toBeLessThan(1e-3);
    expect(b.height).toBeCloseTo(a.height!, 6);
    expect(b.direction).toBeCloseTo(a.direction!, 6);
  });

  it('is consistent over an hour: speed, course and vertical speed match the movement; turns are smooth', () => {
    const dt = 100;
    let prev = s.positionAt(cruiseStart);
    let maxTurnRate = 0;
    let maxSpeedErr = 0;
    let maxCourseErr = 0;
    let maxVsErr = 0;
    for (let t = cruiseStart + dt; t < cruiseStart + 3_600_000; t += dt) {
      const f = s.positionAt(t);
      expect(f.direction).toBeGreaterThanOrEqual(0);
      expect(f.direction).toBeLessThan(360);
      const d = groundDist(prev, f);
      maxSpeedErr = Math.max(maxSpeedErr, Math.abs(d / (dt / 1000) - 12));
      // Course = the bearing of a short chord centred on the sample.
      const mid = s.positionAt(t - dt / 2);
      const p1 = s.positionAt(t - dt / 2 - 10);
      const p2 = s.positionAt(t - dt / 2 + 10);
      maxCourseErr = Math.max(maxCourseErr, Math.abs(angleDiff(bearing({ lat: p1.latitude, lon: p1.longitude }, { lat: p2.latitude, lon: p2.longitude }), mid.direction!)));
      maxTurnRate = Math.max(maxTurnRate, Math.abs(angleDiff(prev.direction!, f.direction!)) / (dt / 1000));
      // Vertical speed steps at waypoints (linear altitude per leg): compare only within a leg.
      if (f.speedVertical === prev.speedVertical) maxVsErr = Math.max(maxVsErr, Math.abs((f.height! - prev.height!) / (dt / 1000) - mid.speedVertical!));
      expect(f.status).toBe('airborne');
      expect(f.altitudeGeo).toBeCloseTo(500 + f.height!, 9);
      prev = f;
    }
    expect(maxSpeedErr).toBeLessThan(0.01);
    expect(maxCourseErr).toBeLessThan(0.05);
    expect(maxTurnRate).toBeLessThan(15.05); // configured 15 deg/s; no instant course jumps
    expect(maxTurnRate).toBeGreaterThan(14); // and it does turn
    expect(maxVsErr).toBeLessThan(0.01);
  });

  it('climbs and descends between waypoints with the matching vertical speed', () => {
    const heights: number[] = [];
    const vs: number[] = [];
    for (let t = cruiseStart; t < cruiseStart + tl.transitMs + tl.lapMs!; t += 500) {
      const f = s.positionAt(t);
      heights.push(f.height!);
      vs.push(f.speedVertical!);
    }
    expect(Math.max(...heights)).toBeCloseTo(120, 0);
    expect(Math.min(...heights)).toBeCloseTo(100, 6);
    expect(Math.max(...vs)).toBeGreaterThan(0.3);
    expect(Math.min(...vs)).toBeLessThan(-0.3);
  });

  it('passes close to every waypoint (turns cut corners by at most the fillet)', () => {
    const wps = DEFAULT_ROUTE.waypoints;
    const best = wps.map(() => Infinity);
    for (let t = cruiseStart; t < cruiseStart + tl.transitMs + tl.lapMs!; t += 200) {
      const f = s.positionAt(t);
      wps.forEach((w, i) => {
        best[i] = Math.min(best[i]!, groundDist(f, { time: 0, latitude: w.lat, longitude: w.lon }));
      });
    }
    // 90 degree turns at 12 m/s and 15 deg/s: radius 45.8 m, so the arc misses the corner by ~19 m.
    for (const d of best) expect(d).toBeLessThan(25);
  });

  it('is deterministic and emits ticks from the injected clock', async () => {
    const clock = new ManualClock(T0);
    const a = new SimulatedFlightSource({ clock, intervalMs: 0 });
    const b = new SimulatedFlightSource({ clock, startTime: T0, intervalMs: 0 });
    const got: Fix[] = [];
    a.on('fix', (f) => got.push(f));
    expect(a.latest()).toBeUndefined();
    await a.start();
    for (let i = 0; i < 3600; i++) {
      clock.advance(1000);
      a.tick();
    }
    await a.stop();
    expect(got).toHaveLength(3601);
    expect(got[3600]!.time).toBe(T0 + 3_600_000);
    expect(got[3600]).toEqual(b.positionAt(T0 + 3_600_000));
  });
});

describe('SimulatedFlightSource on a custom route', () => {
  it('flies to the waypoints and lands at the last one when not looping', () => {
    const route = loadRoute({
      name: 'out and land',
      origin: { lat: 47, lon: 7.5, alt: 500 },
      speed: 10,
      waypoints: [
        { lat: 47.001, lon: 7.5, alt: 30 },
        { lat: 47.001, lon: 7.502, alt: 30 },
      ],
      loop: false,
      takeoff: { groundSeconds: 0, climbRate: 3, descentRate: 2 },
    });
    const s = sim(route);
    const tl = s.timeline;
    expect(tl.lapMs).toBeUndefined();
    expect(tl.descentMs).toBe(15_000);
    const endCruise = T0 + tl.climbMs + tl.transitMs;
    const desc = s.positionAt(endCruise + 5_000);
    expect(desc).toMatchObject({ status: 'airborne', speedVertical: -2, speedHorizontal: 0 });
    expect(desc.height).toBeCloseTo(20, 6);
    const landed = s.positionAt(endCruise + 60_000);
    expect(landed).toMatchObject({ status: 'ground', height: 0, speedVertical: 0 });
    expect(landed.latitude).toBeCloseTo(47.001, 6);
    expect(landed.longitude).toBeCloseTo(7.502, 6);
    // Heading east on the last leg, and still pointing that way after landing.
    expect(landed.direction).toBeCloseTo(90, 0);
  });

  it('handles a two-point back-and-forth loop (180 degree reversals) without NaN', () => {
    const s = sim(loadRoute({ name: 'shuttle', speed: 8, loop: true, waypoints: [{ lat: 47, lon: 7.5, alt: 20 }, { lat: 47.002, lon: 7.5, alt: 20 }] }));
    for (let t = T0; t < T0 + 600_000; t += 250) {
      const f = s.positionAt(t);
      for (const v of Object.values(f)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    }
  });
});

describe('loadRoute', () => {
  const good = { name: 'r', speed: 5, loop: true, waypoints: [{ lat: 1, lon: 1, alt: 10 }, { lat: 1.001, lon: 1, alt: 10 }] };
  const fails = (r: unknown): RouteError => {
    try {
      loadRoute(r);
    } catch (e) {
      expect(e).toBeInstanceOf(RouteError);
      return e as RouteError;
    }
    throw new Error('expected a RouteError');
  };

  it('accepts JSON text and objects, and the default route', () => {
    expect(loadRoute(JSON.stringify(good)).waypoints).toHaveLength(2);
    expect(loadRoute(DEFAULT_ROUTE)).toEqual(DEFAULT_ROUTE);
  });

  it('names the offending field', () => {
    expect(fails('{nope').field).toBe('route');
    expect(fails({ ...good, speed: undefined }).message).toMatch(/^route\.speed: must be a number, got nothing/);
    expect(fails({ ...good, speed: 0 }).message).toMatch(/route\.speed: must be > 0/);
    expect(fails({ ...good, loop: 'yes' }).field).toBe('route.loop');
    expect(fails({ ...good, name: '' }).field).toBe('route.name');
    expect(fails({ ...good, sped: 5 }).message).toMatch(/route\.sped: unknown field \(accepted: name, origin, speed/);
    expect(fails({ ...good, waypoints: [] }).field).toBe('route.waypoints');
    expect(fails({ ...good, waypoints: [good.waypoints[0], { lat: 95, lon: 1, alt: 1 }] }).field).toBe('route.waypoints[1].lat');
    expect(fails({ ...good, waypoints: [good.waypoints[0], { lat: 1, lon: 1 }] }).field).toBe('route.waypoints[1].alt');
    expect(fails({ ...good, origin: { lat: 1 } }).field).toBe('route.origin.lon');
    expect(fails({ ...good, takeoff: { climbRate: -1 } }).field).toBe('route.takeoff.climbRate');
    expect(fails({ ...good, waypoints: [good.waypoints[0], { lat: 2, lon: 1, alt: 1 }] }).message).toMatch(/route\.waypoints\[1\]: 11\d\.\d km from the origin/);
    expect(fails({ ...good, waypoints: [good.waypoints[0]] }).message).toMatch(/at least 2 different waypoints/);
  });
});
