/**
 * The calibrated RSSI estimate in a simulated scene, without a broker: three receivers about 1.2 km apart
 * (their antennas 5 dB hot and 4 dB deaf, which no default model knows), a dozen honest drones flying loops
 * among and around them, each with its own power, and a hub taking the receivers' frames as rid-hub does.
 * The air's RSSI comes from SimulatedScene's `rssi` hook: a log-distance model of its own (−38 dBm at 1 m,
 * exponent 2.6: not the default model's), 4 dB of fast fading on every frame (the hub's smoothing averages
 * most of it away), 0.5 dB of shadowing that varies over the ground, and each drone's power drawn with a
 * 1 dB spread; seeded, so a run is the same every time.
 *
 * After the hub has heard the honest drones for a while, five spoofers appear: each flies among the
 * receivers while reporting a position 300 to 500 m away; and a drone that sends no position at all. What is
 * checked: every estimate is then made with calibrated models; their radius is a fraction of the default
 * model's on the same readings; honest drones lie within the radius (99 % nominal) in at least 97 % of
 * their estimates and are never flagged; the spoofers 400 to 500 m off are flagged, with the evidence; the
 * silent drone is within its estimate's radius; the spoofers' pairs were forgotten by the calibration.
 */

import { describe, expect, it } from 'vitest';
import { RemoteIdExtractor } from '@odid/codec';
import { DEFAULT_ROUTE, distance, ManualClock } from '@odid/position';
import { demoScene, offsetRoute, SimulatedScene, type HeardFrame, type SceneDrone } from '@odid/transmitter';
import { Hub } from '../src/hub/hub.js';
import { HubReceivers } from '../src/hub/receivers.js';
import { estimateFromRssi, PATH_LOSS_MODELS } from '../src/hub/rssi-position.js';
import { Pipeline } from '../src/pipeline.js';
import { Random } from '../../../test/support/random.js';

const ORIGIN = DEFAULT_ROUTE.origin!;
const M_PER_DEG = 111_195;
const COS_LAT = Math.cos(ORIGIN.lat * (Math.PI / 180));
/** A place `east`, `north` metres from the scene's origin. */
const place = (east: number, north: number): { lat: number; lon: number } => ({ lat: ORIGIN.lat + north / M_PER_DEG, lon: ORIGIN.lon + east / (M_PER_DEG * COS_LAT) });
const eastOf = (p: { lon: number }): number => (p.lon - ORIGIN.lon) * M_PER_DEG * COS_LAT;
const northOf = (p: { lat: number }): number => (p.lat - ORIGIN.lat) * M_PER_DEG;

/** An equilateral triangle of side 1200 m about the origin; each receiver's own gain. */
const SIDE = 1200;
const R = SIDE / Math.sqrt(3);
const RECEIVERS = [
  { id: 'north', at: place(0, R), gainDb: 0 },
  { id: 'south-east', at: place((R * Math.sqrt(3)) / 2, -R / 2), gainDb: 5 },
  { id: 'south-west', at: place((-R * Math.sqrt(3)) / 2, -R / 2), gainDb: -4 },
];

/** The air's model. */
const REFERENCE_DBM = -38;
const EXPONENT = 2.6;
const FADING_DB = 4;
const SHADOWING_DB = 0.5;
const POWER_SPREAD_DB = 1;
/** Seconds of honest drones alone, then seconds with the spoofers and the silent drone. */
const WARM_S = 120;
const MEASURE_S = 100;

const rand = new Random(12);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand.float())) * Math.cos(2 * Math.PI * rand.float());

interface Flyer extends SceneDrone {
  uasId: string;
  powerDb: number;
  /** Where it reports being, from where it is: (east, north) metres. */
  lie: readonly [number, number];
}

const base = demoScene()[0]!;
let serial = 0;
/** A BLE legacy drone flying the default loop centred on (east, north), reporting `lie` metres away. */
function flyer(name: string, east: number, north: number, speed: number, lie: readonly [number, number] = [0, 0], startAfterS = 0): Flyer {
  serial++;
  const uasId = `1581F5FJD2284${String(serial).padStart(7, '0')}`;
  const hex = serial.toString(16).padStart(2, '0');
  // The default loop spans 50-500 m east and 100-400 m north of its origin.
  return {
    ...base,
    name,
    uasId,
    identity: { ...base.identity, basicIds: [{ ...base.identity.basicIds[0]!, uasId }] },
    transports: ['ble-legacy'],
    route: offsetRoute(DEFAULT_ROUTE, name, east - 275 + lie[0], north - 250 + lie[1], speed),
    addresses: { ble: `c3:4a:20:00:00:${hex}`, wifi: `02:4a:20:00:00:${hex}` },
    startAfterS,
    powerDb: POWER_SPREAD_DB * gauss(),
    lie,
  };
}

const HONEST = ([[0, 0], [350, 150], [-350, 150], [0, -400], [300, -300], [-300, -300], [0, 400], [-500, 0], [500, 0], [150, -100], [-150, 250], [200, 450]] as const).map(([e, n], i) =>
  flyer(`honest-${i}`, e, n, 8 + (i % 5) * 2),
);
const SPOOFERS = (
  [
    [100, 0, 300, 0],
    [-200, 100, 0, -400],
    [0, -150, -350, 350],
    [-100, 200, 500, 0],
    [250, 50, -300, -300],
  ] as const
).map(([e, n, le, ln], i) => flyer(`spoofer-${i}`, e, n, 10, [le, ln], WARM_S));
const SILENT = flyer('silent', -100, -50, 10, [0, 0], WARM_S);
const ALL = [...HONEST, ...SPOOFERS, SILENT];
const BY_NAME = new Map(ALL.map((d) => [d.name, d]));

/** Shadowing over the ground per drone and receiver: three plane waves 150-400 m long. */
const waves = new Map<string, { kx: number; ky: number; phase: number }[]>();
function shadowing(key: string, east: number, north: number): number {
  let w = waves.get(key);
  if (!w) {
    w = [0, 1, 2].map(() => {
      const k = (2 * Math.PI) / (150 + 250 * rand.float());
      const dir = 2 * Math.PI * rand.float();
      return { kx: k * Math.cos(dir), ky: k * Math.sin(dir), phase: 2 * Math.PI * rand.float() };
    });
    waves.set(key, w);
  }
  return ((SHADOWING_DB * Math.SQRT2) / Math.sqrt(3)) * w.reduce((s, v) => s + Math.sin(v.kx * east + v.ky * north + v.phase), 0);
}

/** Where each drone truly is, as its last frame left it. */
const truth = new Map<string, { lat: number; lon: number }>();

/** What receiver `rx` reads of a frame: from where the drone truly is (a spoofer's lie taken off). */
const heardBy =
  (rx: (typeof RECEIVERS)[number]) =>
  (h: HeardFrame): number => {
    const d = BY_NAME.get(h.drone.name)!;
    const at = { lat: h.lat - d.lie[1] / M_PER_DEG, lon: h.lon - d.lie[0] / (M_PER_DEG * COS_LAT) };
    truth.set(d.name, at);
    const metres = Math.max(1, distance(at, rx.at));
    return REFERENCE_DBM + rx.gainDb + d.powerDb - 10 * EXPONENT * Math.log10(metres) + shadowing(`${d.name}|${rx.id}`, eastOf(at), northOf(at)) + FADING_DB * gauss();
  };

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;

describe('the hub\'s RSSI estimate, calibrated from the drones it hears (simulated scene)', () => {
  it('shrinks the radius, flags positions 400-500 m off, never an honest drone', () => {
    const start = Date.UTC(2026, 0, 1, 12);
    const clock = new ManualClock(start);
    const receivers = new HubReceivers();
    for (const r of RECEIVERS) receivers.status(r.id, { rx: r.id, boot: 1, sent: start / 1000, online: true, position: r.at }, start, false);
    const pipeline = new Pipeline({ staleAfterMs: 60_000, lostAfterMs: 120_000 });
    // Every track each second, however fast the machine: the figures below are the estimates', not the
    // scheduler's (the tick's time budget: hub-rssi-estimates.test.ts).
    const hub = new Hub(pipeline, receivers, { now: () => clock.now(), estimates: { budgetMs: Infinity } });
    const scenes = RECEIVERS.map((r) => new SimulatedScene({ drones: ALL, clock, receiver: { latitude: r.at.lat, longitude: r.at.lon }, flightElapsedS: 60, rssi: heardBy(r) }));
    const extractor = new RemoteIdExtractor();

    const byUasId = new Map(ALL.map((d) => [d.uasId, d]));
    const honest = { radii: [] as number[], defaultRadii: [] as number[], inside: 0, count: 0, flagged: [] as string[] };
    const silent = { inside: 0, count: 0, radii: [] as number[] };
    const spoofOut = new Map<string, number>();
    let madeAtMeasure = 0;
    let calibratedAtMeasure = 0;
    let lastMade = 0;

    for (let t = start; t <= start + (WARM_S + MEASURE_S) * 1000; t += 50) {
      clock.set(t);
      scenes.forEach((scene, i) => {
        for (const f of scene.due()) {
          // The silent drone's Location messages never reach any receiver.
          if (f.drone === SILENT.name && extractor.fromRecord(f.linkType, f.data, {}).some((m) => m.message.type === 'location')) continue;
          hub.take({ t: f.t, linkType: f.linkType, data: f.data, receiver: RECEIVERS[i]!.id });
        }
      });
      if ((t - start) % 1000 !== 0) continue;
      pipeline.tick(t);
      hub.tick();
      if (t - start === WARM_S * 1000) {
        madeAtMeasure = hub.estimates.made;
        calibratedAtMeasure = hub.estimates.calibrated;
      }
      if (hub.estimates.made === lastMade) continue;
      lastMade = hub.estimates.made;
      if (t - start <= WARM_S * 1000) continue;
      for (const track of pipeline.tracker.tracks()) {
        const e = track.estimate;
        if (!e || e.t !== pipeline.tracker.now) continue;
        const d = byUasId.get(track.uasId ?? '')!;
        expect(d, track.uasId).toBeDefined();
        if (d.name.startsWith('honest')) {
          honest.count++;
          honest.radii.push(e.radius);
          if (distance(track.position!, e) <= e.radius) honest.inside++;
          if (track.flags.includes('position-vs-rssi')) honest.flagged.push(`${d.name} at ${(t - start) / 1000} s`);
          // The default model on the same readings, now and then (it costs a grid pass).
          if (honest.count % 5 === 0) {
            const readings = e.receivers.map((r) => ({ receiver: r.id, ...RECEIVERS.find((x) => x.id === r.id)!.at, rssi: r.rssi }));
            honest.defaultRadii.push(estimateFromRssi(readings, PATH_LOSS_MODELS[e.transport])!.radius);
          }
        } else if (d === SILENT) {
          silent.count++;
          silent.radii.push(e.radius);
          if (distance(truth.get(d.name)!, e) <= e.radius) silent.inside++;
        } else if (distance(track.position!, e) > e.radius + 100) spoofOut.set(d.name, (spoofOut.get(d.name) ?? 0) + 1);
      }
    }

    const calibratedMedian = median(honest.radii);
    const defaultMedian = median(honest.defaultRadii);
    const summary =
      `honest: ${honest.count} estimates, radius median ${calibratedMedian.toFixed(0)} m calibrated vs ${defaultMedian.toFixed(0)} m default, ` +
      `${honest.inside} within it; silent drone: ${silent.inside} of ${silent.count} within ${median(silent.radii).toFixed(0)} m; ` +
      `spoofers outside radius + 100 m: ${SPOOFERS.map((s) => `${Math.hypot(...s.lie).toFixed(0)} m ${spoofOut.get(s.name) ?? 0}`).join(', ')}`;
    console.log(summary);

    // Every estimate of the measured part is calibrated (the default model is for the start alone).
    expect(calibratedAtMeasure, 'calibrated once the honest drones had been heard').toBeGreaterThan(0);
    expect(hub.estimates.calibrated - calibratedAtMeasure).toBe(hub.estimates.made - madeAtMeasure);
    // Much tighter, still honest: the 99 % circle holds the drone.
    expect(honest.count).toBeGreaterThan(HONEST.length * (MEASURE_S - 5));
    expect(calibratedMedian, summary).toBeLessThan(0.3 * defaultMedian);
    expect(calibratedMedian, summary).toBeLessThan(700);
    expect(honest.inside / honest.count, summary).toBeGreaterThanOrEqual(0.97);
    // Zero false flags, at any second, and no evidence left behind.
    expect(honest.flagged).toEqual([]);
    for (const track of pipeline.tracker.tracks()) {
      const d = byUasId.get(track.uasId ?? '')!;
      if (d.name.startsWith('honest')) expect(track.spoofing.filter((s) => s.flag === 'position-vs-rssi'), d.name).toEqual([]);
    }
    // The spoofers 400-500 m off are caught, with the evidence.
    for (const s of SPOOFERS.filter((x) => Math.hypot(...x.lie) >= 400)) {
      const track = pipeline.tracker.tracks().find((x) => x.uasId === s.uasId)!;
      const evidence = track.spoofing.find((x) => x.flag === 'position-vs-rssi');
      expect(evidence, `${s.name}, ${Math.hypot(...s.lie).toFixed(0)} m off; ${summary}`).toBeDefined();
      expect(evidence!.values.distanceM!).toBeGreaterThan(evidence!.values.radiusM! + evidence!.values.marginM!);
      expect(evidence!.receivers!.map((r) => r.id).sort()).toEqual(RECEIVERS.map((r) => r.id).sort());
    }
    // The silent drone: no position of its own, its estimate holds where it is.
    const silentTrack = pipeline.tracker.tracks().find((x) => x.uasId === SILENT.uasId)!;
    expect(silentTrack.position).toBeUndefined();
    expect(silent.count).toBeGreaterThan(MEASURE_S - 10);
    expect(silent.inside / silent.count, summary).toBeGreaterThanOrEqual(0.97);
    // A flagged spoofer's pairs are forgotten: the calibration holds the honest drones and at most the
    // one spoofer never flagged.
    const flaggedSpoofers = SPOOFERS.filter((s) => pipeline.tracker.tracks().find((x) => x.uasId === s.uasId)!.flags.includes('spoofing-suspect'));
    for (const r of RECEIVERS) {
      const m = hub.estimates.calibration!.model(r.id, 'ble-legacy', new Set(), clock.now())!;
      expect(m.sources).toBeLessThanOrEqual(ALL.length - 1 - flaggedSpoofers.length);
      expect(m.sources).toBeGreaterThanOrEqual(HONEST.length);
    }
  }, 180_000);
});
