/**
 * Many receivers, one picture, through a real broker: mosquitto started on loopback with a generated
 * configuration (test/support/mosquitto.ts), receivers publishing with the real publisher (rid-scan
 * --publish's output) from pipelines fed by the simulated scene, and a hub (rid-hub's source, Hub and
 * pipeline) merging them. What is checked: one track per drone with every receiver's RSSI, each
 * transmission counted once; a broker killed and restarted mid-run loses no frame within the spool bound;
 * a receiver's wrong clock is measured and corrected; frames that arrive too late are counted, not merged;
 * a hub that restarts sees every receiver at once (retained status) and takes frames again.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@odid/position';
import { SimulatedScene, demoScene, type SceneDrone } from '@odid/transmitter';
import { Hub } from '../src/hub/hub.js';
import { MqttHubSource } from '../src/hub/mqtt-source.js';
import type { BrokerTarget } from '../src/outputs/mqtt-connect.js';
import { openMqttPublisher, type MqttPublisher } from '../src/outputs/mqtt-publish.js';
import { Pipeline } from '../src/pipeline.js';
import type { RawFrame } from '../src/sources/types.js';
import { startMosquitto, type Mosquitto } from '../../../test/support/mosquitto.js';
import { waitFor } from '../../../test/contract/harness.js';

let broker: Mosquitto;
let target: BrokerTarget;
beforeAll(async () => {
  broker = await startMosquitto({ persistence: true });
  target = { protocol: 'mqtt', host: '127.0.0.1', port: broker.port };
}, 30_000);
afterAll(async () => broker?.stop());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let sites = 0;
/** A site of its own per test: no test sees another's retained statuses. */
const newSite = (): string => `t${process.pid}-${sites++}`;

/** A receiver: its own pipeline (as rid-scan's), publishing what it decodes. */
async function receiver(site: string, id: string, opts: { now?: () => number; spoolMaxBytes?: number; spoolDir?: string } = {}): Promise<{ publisher: MqttPublisher; pipeline: Pipeline; errors: Error[] }> {
  const errors: Error[] = [];
  const publisher = await openMqttPublisher({
    target,
    security: {},
    site,
    receiver: id,
    spoolMaxBytes: opts.spoolMaxBytes ?? 16 << 20,
    ...(opts.spoolDir ? { spoolDir: opts.spoolDir } : {}),
    statusMs: 500,
    onError: (e) => errors.push(e),
    ...(opts.now ? { now: opts.now } : {}),
  });
  cleanups.push(() => publisher.close());
  const pipeline = new Pipeline({}, { frame: (f) => publisher.write(f), message: (m) => publisher.message(m) });
  return { publisher, pipeline, errors };
}

/** The hub, as rid-hub puts it together. */
async function hub(site: string, opts: { now?: () => number; clientId?: string } = {}): Promise<{ hub: Hub; source: MqttHubSource; pipeline: Pipeline; errors: Error[] }> {
  const errors: Error[] = [];
  const source = new MqttHubSource({ target, security: {}, site, reconnectMs: 200, clientId: opts.clientId ?? `hub-${site}`, ...(opts.now ? { now: opts.now } : {}) });
  const pipeline = new Pipeline({ staleAfterMs: 60_000, lostAfterMs: 120_000 });
  const h = new Hub(pipeline, source.receivers, opts.now ? { now: opts.now } : {});
  source.on('frame', (f) => h.take(f));
  source.on('error', (e) => errors.push(e));
  await source.start();
  cleanups.push(() => source.stop());
  return { hub: h, source, pipeline, errors };
}

/**
 * The demo scene's air heard at several places at once: one scene per receiver on one clock that follows
 * the wall clock, so every receiver hears the same transmissions (the same bytes), each with the signal
 * its distance gives. Runs for `seconds`, then stops.
 */
async function air(receivers: { pipeline: Pipeline; at: { latitude: number; longitude: number } }[], seconds: number, drones: SceneDrone[] = demoScene()): Promise<void> {
  const clock = new ManualClock(Date.now());
  const scenes = receivers.map((r) => new SimulatedScene({ drones, clock, receiver: r.at, flightElapsedS: 60 }));
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    clock.set(Date.now());
    scenes.forEach((scene, i) => {
      for (const f of scene.due()) receivers[i]!.pipeline.process({ t: f.t, linkType: f.linkType, data: f.data } satisfies RawFrame);
    });
    await new Promise((r) => setTimeout(r, 20));
  }
}

const CENTRE = SimulatedScene.centre(demoScene());
const place = (dLat: number, dLon: number): { latitude: number; longitude: number } => ({ latitude: CENTRE.latitude + dLat, longitude: CENTRE.longitude + dLon });

describe('rid-hub merges receivers published through a real mosquitto', () => {
  it('three receivers hearing the same drones: one track per drone, every receiver\'s RSSI on its links, each transmission counted once', async () => {
    const site = newSite();
    const h = await hub(site);
    const rx = await Promise.all(['north', 'east', 'south'].map((id) => receiver(site, id)));
    const at = [place(0.004, 0), place(0, 0.006), place(-0.01, 0)];
    await air(rx.map((r, i) => ({ pipeline: r.pipeline, at: at[i]! })), 4);
    await Promise.all(rx.map((r) => r.publisher.close()));
    const published = rx.reduce((n, r) => n + r.publisher.stats().frames, 0);
    await waitFor(() => h.hub.stats.frames === published, `the hub to take all ${published} published frames`, 15_000);

    // The same drones as each receiver saw on its own (the first one's tracker as the reference).
    const reference = rx[0]!.pipeline.tracker.tracks().filter((t) => t.uasId);
    const merged = h.pipeline.tracker.tracks().filter((t) => t.uasId);
    expect(reference.length).toBeGreaterThanOrEqual(3);
    expect(merged.map((t) => t.uasId).sort()).toEqual(reference.map((t) => t.uasId).sort());
    expect(new Set(merged.map((t) => t.uasId)).size, 'one track per drone').toBe(merged.length);
    for (const track of merged) {
      const mine = reference.find((t) => t.uasId === track.uasId)!;
      // Each transmission once: as many messages as one receiver counted, not three times as many.
      expect(track.messages, `${track.uasId} messages`).toBe(mine.messages);
      for (const [key, link] of track.links) {
        expect([...(link.receivers?.keys() ?? [])].sort(), `${track.uasId} ${key} receivers`).toEqual(['east', 'north', 'south']);
        // Each receiver's own signal, as that receiver measured it on its own.
        ['north', 'east', 'south'].forEach((id, i) => {
          const own = rx[i]!.pipeline.tracker.tracks().find((t) => t.uasId === track.uasId)!.links.get(key)!;
          const heard = link.receivers!.get(id)!;
          expect(heard.rssi, `${track.uasId} ${key} at ${id}`).toBe(own.rssi);
          expect(heard.messages, `${track.uasId} ${key} messages at ${id}`).toBe(own.messages);
          expect(heard.lastSeen).toBe(own.lastSeen);
        });
      }
    }
    // The receivers stand apart: what they hear differs.
    const signals = merged.flatMap((t) => [...t.links.values()].map((l) => new Set([...l.receivers!.values()].map((r) => r.rssi)).size));
    expect(Math.max(...signals)).toBe(3);
    // Two of every three frames were another receiver's copy.
    expect(h.hub.stats.duplicates).toBe(h.hub.stats.tracked * 2);
    const receivers = h.source.receivers.list();
    expect(receivers.map((r) => r.id)).toEqual(['east', 'north', 'south']);
    for (const r of receivers) {
      expect(r.missingBatches).toBe(0);
      expect(r.late).toBe(0);
      expect(r.corrected).toBe(false);
      expect(Math.abs(r.offsetMs!)).toBeLessThan(500);
    }
    expect(h.errors).toEqual([]);
  }, 60_000);

  it('the broker killed and restarted mid-run: no frame lost within the spool bound, and the outage reported', async () => {
    const site = newSite();
    const h = await hub(site);
    const r = await receiver(site, 'gate');
    const drones = demoScene().slice(0, 2);
    await air([{ pipeline: r.pipeline, at: CENTRE }], 1.5, drones);
    await broker.kill('SIGTERM');
    // Frames go on while the broker is away: they wait in the spool.
    await air([{ pipeline: r.pipeline, at: CENTRE }], 1.5, drones);
    expect(r.publisher.stats().connected).toBe(false);
    expect(r.publisher.stats().spooledFrames).toBeGreaterThan(0);
    await broker.restart();
    await air([{ pipeline: r.pipeline, at: CENTRE }], 1.5, drones);
    await r.publisher.close();
    const s = r.publisher.stats();
    expect(s.droppedFrames).toBe(0);
    await waitFor(() => h.source.receivers.get('gate')?.frames === s.frames, `all ${s.frames} published frames at the hub`, 15_000);
    const seen = h.source.receivers.get('gate')!;
    expect(seen.missingBatches).toBe(0);
    expect(r.errors.map((e) => (e as { code?: string }).code)).toContain('unreachable');
    // Spooled frames arrived more than --late after they were heard: counted, not merged.
    expect(seen.late).toBeGreaterThan(0);
    expect(h.hub.stats.tracked + h.hub.stats.late).toBe(s.frames);
  }, 60_000);

  it('a spool full while the broker is away drops its oldest frames: counted, in the status, said once', async () => {
    const site = newSite();
    const h = await hub(site);
    const r = await receiver(site, 'tiny', { spoolMaxBytes: 8 * 1024 });
    await broker.kill('SIGTERM');
    let dropped = 0;
    try {
      await air([{ pipeline: r.pipeline, at: CENTRE }], 3);
      dropped = r.publisher.stats().droppedFrames;
      expect(dropped).toBeGreaterThan(0);
      expect(r.publisher.stats().spoolBytes).toBeLessThanOrEqual(8 * 1024);
      expect(r.errors.filter((e) => (e as { code?: string }).code === 'spool-full')).toHaveLength(1);
    } finally {
      await broker.restart();
    }
    await waitFor(() => (h.source.receivers.get('tiny')?.status?.dropped?.spool ?? 0) >= dropped, 'the status to carry the drops', 15_000);
    await r.publisher.close();
    const s = r.publisher.stats();
    await waitFor(() => h.source.receivers.get('tiny')?.frames === s.frames - s.droppedFrames, 'what the spool kept at the hub', 15_000);
  }, 60_000);

  it("a receiver whose clock is an hour ahead: the hub measures the offset, corrects its frames' times and merges them", async () => {
    const site = newSite();
    const h = await hub(site);
    const HOUR = 3_600_000;
    const skewed = await receiver(site, 'skewed', { now: () => Date.now() + HOUR });
    // Its radio stamps frames on its own clock, an hour ahead.
    const ahead = { pipeline: { process: (f: RawFrame) => skewed.pipeline.process({ ...f, t: f.t + HOUR / 1000 }) } as unknown as Pipeline, at: CENTRE };
    await air([ahead], 3, demoScene().slice(0, 2));
    await skewed.publisher.close();
    const s = skewed.publisher.stats();
    await waitFor(() => h.source.receivers.get('skewed')?.frames === s.frames, 'the skewed receiver\'s frames', 15_000);
    const view = h.source.receivers.get('skewed')!;
    expect(view.corrected).toBe(true);
    expect(view.offsetMs! / 1000).toBeCloseTo(-3600, 0);
    expect(view.late).toBe(0);
    expect(h.hub.stats.ahead).toBe(0);
    const tracks = h.pipeline.tracker.tracks().filter((t) => t.uasId);
    expect(tracks.length).toBe(2);
    // On the hub's clock, not an hour ahead.
    for (const t of tracks) expect(Math.abs(t.lastSeen - Date.now())).toBeLessThan(10_000);
  }, 60_000);

  it('a hub that restarts sees every receiver at once (retained status) and merges their frames again', async () => {
    const site = newSite();
    const rx = await Promise.all(['a', 'b'].map((id) => receiver(site, id)));
    const first = await hub(site, { clientId: `hub-restart-${site}` });
    await air(rx.map((r, i) => ({ pipeline: r.pipeline, at: place(i * 0.002, 0) })), 1.5, demoScene().slice(0, 2));
    await waitFor(() => first.source.receivers.list().length === 2, 'both receivers at the first hub');
    await first.source.stop();

    const second = await hub(site, { clientId: `hub-restart-${site}` });
    // Their retained statuses arrive on subscribing, before any new frame.
    await waitFor(() => second.source.receivers.list().filter((r) => r.status?.online).length === 2, 'both receivers known from their retained status', 5_000);
    await air(rx.map((r, i) => ({ pipeline: r.pipeline, at: place(i * 0.002, 0) })), 1.5, demoScene().slice(0, 2));
    await waitFor(() => second.pipeline.tracker.tracks().filter((t) => t.uasId).length === 2, 'the drones tracked again by the restarted hub', 10_000);
    for (const t of second.pipeline.tracker.tracks().filter((t) => t.uasId)) {
      expect([...t.links.values()].some((l) => l.receivers?.has('a') && l.receivers?.has('b'))).toBe(true);
    }
  }, 60_000);
});
