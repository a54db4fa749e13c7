/**
 * RSSI position estimates on a hub, through a real broker: mosquitto on loopback (test/support/mosquitto.ts),
 * three receivers at known places publishing with the real publisher (their status carries their position)
 * what pipelines fed by the simulated air decode — each receiver's RSSI set by the scene from its distance
 * to the drone (the transmitter's log-distance model) — and a hub (rid-hub's source, Hub and pipeline)
 * estimating on its tick. What is checked: an honest drone's estimate holds its true position within its
 * radius and raises nothing; a drone whose signal comes from near the receivers while it reports a position
 * 5 km away raises position-vs-rssi with its evidence; a drone that sends no position gets the estimate.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RemoteIdExtractor } from '@odid/codec';
import { distance, ManualClock } from '@odid/position';
import { demoScene, offsetRoute, SimulatedScene, type SceneDrone } from '@odid/transmitter';
import { Hub } from '../src/hub/hub.js';
import { MqttHubSource } from '../src/hub/mqtt-source.js';
import type { BrokerTarget } from '../src/outputs/mqtt-connect.js';
import { openMqttPublisher } from '../src/outputs/mqtt-publish.js';
import { Pipeline } from '../src/pipeline.js';
import { summaryOfJson, trackSummary, SentSummary, applyDelta } from '../src/outputs/web/summary.js';
import { trackToJson } from '../src/tracker/track-json.js';
import type { Track, TrackUpdate } from '../src/tracker/types.js';
import { startMosquitto, type Mosquitto } from '../../../test/support/mosquitto.js';
import { waitFor } from '../../../test/contract/harness.js';
import { repoRoot } from '../../../test/support/fixtures.js';

// The track schema (docs/schemas), as test/contract/json-schemas.test.ts loads it.
const SCHEMA_DIR = path.join(repoRoot, 'docs/schemas');
const ajv = new Ajv2020.default({ strict: true, allErrors: true });
for (const f of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as object);
const trackSchema = ajv.getSchema('https://odid-toolkit.invalid/schemas/track.schema.json')!;
/** The track's JSON, checked against the schema; and its map summary, the same from the track and from its JSON. */
function checked(track: Track): ReturnType<typeof trackToJson> {
  const json = trackToJson(track);
  expect(trackSchema(JSON.parse(JSON.stringify(json))), JSON.stringify(trackSchema.errors)).toBe(true);
  const summary = trackSummary(track);
  expect(summary.estimate).toEqual(json.estimate);
  expect(JSON.parse(JSON.stringify(summary))).toEqual(JSON.parse(JSON.stringify(summaryOfJson(json))));
  return json;
}

let broker: Mosquitto;
let target: BrokerTarget;
beforeAll(async () => {
  broker = await startMosquitto();
  target = { protocol: 'mqtt', host: '127.0.0.1', port: broker.port };
}, 30_000);
afterAll(async () => broker?.stop());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let sites = 0;
const newSite = (): string => `rssi${process.pid}-${sites++}`;

interface Place {
  latitude: number;
  longitude: number;
}

/** The demo's EU multirotor alone (BLE legacy and Long Range), flying its loop north of the demo's centre. */
const drone: SceneDrone = demoScene()[0]!;
const ORIGIN = drone.route.origin ?? drone.route.waypoints[0]!;
const M_PER_DEG = 111_195;
/** A place `east`, `north` metres from the drone's route origin. */
const place = (east: number, north: number): Place => ({
  latitude: ORIGIN.lat + north / M_PER_DEG,
  longitude: ORIGIN.lon + east / (M_PER_DEG * Math.cos(ORIGIN.lat * (Math.PI / 180))),
});
/** Three receivers about the drone's loop. */
const RECEIVERS: { id: string; at: Place }[] = [
  { id: 'north', at: place(0, 700) },
  { id: 'south-east', at: place(650, -450) },
  { id: 'south-west', at: place(-650, -450) },
];

/** A receiver at `at`: its own pipeline (as rid-scan's), publishing what it decodes, its status saying where it is. */
async function receiver(site: string, id: string, at: Place): Promise<Pipeline> {
  const publisher = await openMqttPublisher({ target, security: {}, site, receiver: id, spoolMaxBytes: 16 << 20, statusMs: 300 });
  publisher.setContext({ position: () => ({ lat: at.latitude, lon: at.longitude }) });
  cleanups.push(() => publisher.close());
  return new Pipeline({}, { frame: (f) => publisher.write(f), message: (m) => publisher.message(m) });
}

async function hub(site: string): Promise<{ hub: Hub; pipeline: Pipeline; updates: TrackUpdate[] }> {
  const updates: TrackUpdate[] = [];
  const source = new MqttHubSource({ target, security: {}, site, reconnectMs: 200, clientId: `hub-${site}` });
  const pipeline = new Pipeline({ staleAfterMs: 60_000, lostAfterMs: 120_000 }, { update: (u) => updates.push(u) });
  const h = new Hub(pipeline, source.receivers);
  source.on('frame', (f) => h.take(f));
  await source.start();
  cleanups.push(() => source.stop());
  return { hub: h, pipeline, updates };
}

/**
 * The drone's air heard by every receiver for `seconds`: one scene per receiver on one clock, each scene's
 * receiver at `heardAt[i]` (where the scene computes the RSSI from), `keep` choosing the frames sent on.
 */
async function air(pipelines: Pipeline[], heardAt: Place[], seconds: number, drones: SceneDrone[], keep: (linkType: number, data: Uint8Array) => boolean = () => true, reference?: Pipeline): Promise<void> {
  const clock = new ManualClock(Date.now());
  const scenes = heardAt.map((at) => new SimulatedScene({ drones, clock, receiver: at, flightElapsedS: 60 }));
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    clock.set(Date.now());
    scenes.forEach((scene, i) => {
      for (const f of scene.due()) {
        // Everything the first receiver's air carried, kept or not: where the drone really was.
        if (i === 0) reference?.process({ t: f.t, linkType: f.linkType, data: f.data });
        if (keep(f.linkType, f.data)) pipelines[i]!.process({ t: f.t, linkType: f.linkType, data: f.data });
      }
    });
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the scene through the broker and the hub; returns the hub's track of the drone once the estimate is made. */
async function run(opts: { drones: SceneDrone[]; heardAt?: Place[]; keep?: (linkType: number, data: Uint8Array) => boolean; reference?: Pipeline; key: (t: Track) => boolean }): Promise<{ track: Track; updates: TrackUpdate[] }> {
  const site = newSite();
  const h = await hub(site);
  const pipelines = await Promise.all(RECEIVERS.map((r) => receiver(site, r.id, r.at)));
  // The receivers' statuses (their positions) before the frames.
  await waitFor(() => RECEIVERS.every((r) => h.hub.receivers.get(r.id)?.status?.position), 'every receiver\'s position at the hub', 10_000);
  await air(pipelines, opts.heardAt ?? RECEIVERS.map((r) => r.at), 3, opts.drones, opts.keep, opts.reference);
  let track: Track | undefined;
  await waitFor(
    () => {
      h.hub.tick();
      track = h.pipeline.tracker.tracks().find(opts.key);
      return track?.estimate !== undefined && track.estimate.receivers.length === 3;
    },
    'an estimate from all three receivers',
    15_000,
  );
  return { track: track!, updates: h.updates };
}

describe('rid-hub estimates positions from its receivers\' RSSI (real mosquitto)', () => {
  it('an honest drone: the estimate holds its true position within its radius; nothing is flagged', async () => {
    const { track, updates } = await run({ drones: [drone], key: (t) => t.uasId === '1581F5FJD228400X0S2K' });
    const e = track.estimate!;
    const pos = track.position!;
    expect(pos, 'the drone reports its position').toBeDefined();
    expect(distance(pos, e), `estimate ${e.lat},${e.lon} radius ${e.radius}`).toBeLessThanOrEqual(e.radius);
    expect(e.radius).toBeGreaterThanOrEqual(30);
    // Crude, honestly: readings alike at all three fit "farther out" almost as well, so the circle spans the
    // receivers' area; still well short of the 5 km the spoofing case must tell apart.
    expect(e.radius, JSON.stringify({ e, pos })).toBeLessThan(2500);
    expect(e.receivers.map((r) => r.id).sort()).toEqual(RECEIVERS.map((r) => r.id).sort());
    // The receivers' own smoothed readings, strongest first.
    for (const r of e.receivers) {
      const heard = [...track.links.values()].filter((l) => l.transport === e.transport).map((l) => l.receivers?.get(r.id)?.rssiSmoothed);
      expect(heard).toContain(r.rssi);
    }
    expect(e.receivers.map((r) => r.rssi)).toEqual([...e.receivers.map((r) => r.rssi)].sort((a, b) => b - a));
    expect(track.flags).not.toContain('position-vs-rssi');
    // In the track's JSON (valid by the schema), in the map's summary, and handed to the outputs.
    const json = checked(track);
    expect(json.estimate).toMatchObject({ radius: Math.round(e.radius), transport: e.transport, t: e.t / 1000 });
    expect(json.estimate!.receivers).toHaveLength(3);
    expect(updates.some((u) => u.track === track && u.reason === 'flags')).toBe(true);
  }, 60_000);

  it('a drone reporting a position 5 km from where its signal is heard raises position-vs-rssi with the evidence', async () => {
    // It flies (and reports) a loop 5 km east; the air carries its signal as if it flew the loop among the
    // receivers: each scene's receiver stands 5 km east of the real one.
    const far: SceneDrone = { ...drone, route: offsetRoute(drone.route, 'far loop', 5000, 0) };
    const heardAt = RECEIVERS.map((r) => {
      const p = place(0, 0);
      return { latitude: r.at.latitude, longitude: r.at.longitude + (place(5000, 0).longitude - p.longitude) };
    });
    const { track } = await run({ drones: [far], heardAt, key: (t) => t.uasId === '1581F5FJD228400X0S2K' });
    const e = track.estimate!;
    const d = distance(track.position!, e);
    expect(d).toBeGreaterThan(4000);
    expect(track.flags).toContain('position-vs-rssi');
    expect(track.flags).toContain('spoofing-suspect');
    const evidence = track.spoofing.find((s) => s.flag === 'position-vs-rssi')!;
    expect(evidence.values.distanceM).toBeGreaterThan(4000);
    expect(evidence.values.radiusM).toBe(Math.round(e.radius));
    expect(evidence.values.marginM).toBe(100);
    expect(evidence.values.receivers).toBe(3);
    expect(evidence.receivers!.map((r) => r.id).sort()).toEqual(RECEIVERS.map((r) => r.id).sort());
    expect(evidence.addresses.length).toBeGreaterThan(0);
    expect(evidence.detail).toMatch(/reported position [\d.]+ km from where 3 receivers' ble-[a-z]+ signal puts it \(.*dBm.*\)/);
    const json = checked(track).spoofing!.find((s) => s.flag === 'position-vs-rssi')!;
    expect(json.receivers).toHaveLength(3);
  }, 60_000);

  it('a drone that sends no position gets the estimate, near where it flies', async () => {
    // The same drone over BLE legacy only, its Location messages never heard: Basic ID, System, Self-ID, Operator ID.
    const quiet: SceneDrone = { ...drone, transports: ['ble-legacy'] };
    const extractor = new RemoteIdExtractor();
    const noLocation = (linkType: number, data: Uint8Array): boolean => !extractor.fromRecord(linkType, data, {}).some((m) => m.message.type === 'location');
    const reference = new Pipeline();
    const { track } = await run({ drones: [quiet], keep: noLocation, reference, key: (t) => t.uasId === '1581F5FJD228400X0S2K' });
    expect(track.position).toBeUndefined();
    const e = track.estimate!;
    // Where it really was: its Location messages, as a receiver that heard them decoded them.
    const truth = reference.tracker.tracks().find((t) => t.uasId === '1581F5FJD228400X0S2K')!.position!;
    expect(truth).toBeDefined();
    expect(distance(truth, e), `estimate ${e.lat},${e.lon} radius ${e.radius}`).toBeLessThanOrEqual(e.radius);
    expect(track.flags).not.toContain('position-vs-rssi');
    const json = checked(track);
    expect(json.position).toBeNull();
    // The map gets it through a delta too: a summary made before the estimate, brought up to date.
    const sent = SentSummary.of(Object.create(track, { estimate: { value: undefined } }) as Track);
    const before = sent.summary();
    expect(before.estimate).toBeUndefined();
    const delta = sent.update(track)!;
    expect(delta.estimate).toEqual(json.estimate);
    expect(applyDelta(before, delta).estimate).toEqual(json.estimate);
    expect(json.estimate!.receivers.map((r) => r.id).sort()).toEqual(RECEIVERS.map((r) => r.id).sort());
  }, 60_000);
});
