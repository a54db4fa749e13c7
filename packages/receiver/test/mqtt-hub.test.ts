/**
 * Many receivers, one picture, through a real broker: mosquitto started on loopback with a generated
 * configuration (test/support/mosquitto.ts), receivers publishing with the real publisher (rid-scan
 * --publish's output) from pipelines fed by the simulated scene, and a hub (rid-hub's source, Hub and
 * pipeline) merging them. What is checked: one track per drone with every receiver's RSSI, each
 * transmission counted once; a broker killed and restarted mid-run loses no frame within the spool bound;
 * a receiver's wrong clock is measured and corrected; frames that arrive late (a receiver's spool replayed
 * when its broker link comes back) are merged as the past — the hub's track of a drone only that receiver
 * heard holds the positions of the outage, its recording holds the frames, marked late, and another
 * receiver's copies are not counted twice; a hub that restarts sees every receiver at once (retained
 * status) and takes frames again; a hub away and back loses no batch its session kept (none acknowledged
 * without being taken, as it stops or as the backlog pours in on connecting), and on the broker settings
 * docs/mqtt.md asks for, the session keeps more than mosquitto's default 1,000 batches.
 */

import { generateKeyPairSync } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LINKTYPE } from '@odid/codec';
import { ManualClock } from '@odid/position';
import { SimulatedScene, demoScene, type SceneDrone } from '@odid/transmitter';
import { Hub, LATE_AFTER_MS } from '../src/hub/hub.js';
import { MqttHubSource, type HubBatch } from '../src/hub/mqtt-source.js';
import type { BrokerTarget } from '../src/outputs/mqtt-connect.js';
import { BATCH_MS, openMqttPublisher, type MqttPublisher } from '../src/outputs/mqtt-publish.js';
import { encodeFrameBatch } from '../src/outputs/mqtt-schema.js';
import { rawPublicKey } from '../src/outputs/receiver-key.js';
import { createEvidenceRecordingWriter } from '../src/outputs/recording-chain.js';
import { verifyRecording } from '../src/outputs/recording-verify.js';
import { readRecordingSync } from '../src/outputs/recording.js';
import { Pipeline } from '../src/pipeline.js';
import type { Track } from '../src/tracker/types.js';
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
async function receiver(site: string, id: string, opts: { now?: () => number; spoolMaxBytes?: number; spoolDir?: string; port?: number } = {}): Promise<{ publisher: MqttPublisher; pipeline: Pipeline; errors: Error[] }> {
  const errors: Error[] = [];
  const publisher = await openMqttPublisher({
    target: opts.port ? { ...target, port: opts.port } : target,
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

/** The hub, as rid-hub puts it together; with `record`, its frames go there too (as --record's). */
async function hub(
  site: string,
  opts: { now?: () => number; clientId?: string; onBatch?: (b: HubBatch) => void; record?: { write(f: RawFrame): void } } = {},
): Promise<{ hub: Hub; source: MqttHubSource; pipeline: Pipeline; errors: Error[] }> {
  const errors: Error[] = [];
  const source = new MqttHubSource({ target, security: {}, site, reconnectMs: 200, clientId: opts.clientId ?? `hub-${site}`, ...(opts.now ? { now: opts.now } : {}), ...(opts.onBatch ? { onBatch: opts.onBatch } : {}) });
  const record = opts.record;
  const pipeline = new Pipeline({ staleAfterMs: 60_000, lostAfterMs: 120_000 }, record ? { frame: (f) => record.write(f) } : {});
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
async function air(receivers: Listener[], seconds: number, drones: SceneDrone[] = demoScene()): Promise<void> {
  const clock = new ManualClock(Date.now());
  const scenes = receivers.map((r) => new SimulatedScene({ drones, clock, receiver: r.at, flightElapsedS: 60 }));
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    clock.set(Date.now());
    scenes.forEach((scene, i) => {
      const r = receivers[i]!;
      for (const f of scene.due()) if (!r.hears || r.hears(f.drone)) r.pipeline.process({ t: f.t, linkType: f.linkType, data: f.data } satisfies RawFrame);
    });
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A receiver's place in the air: `hears` (default: every drone) names the drones in its range. */
interface Listener {
  pipeline: Pipeline;
  at: { latitude: number; longitude: number };
  hears?: (drone: string) => boolean;
}

/** A TCP relay from a receiver to the broker: cut() drops its connections and refuses new ones until restore(). */
async function relay(port: number): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  let down = false;
  const sockets = new Set<Socket>();
  const keep = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = createServer((client) => {
    keep(client);
    if (down) return void client.destroy();
    const upstream = connect(port, '127.0.0.1');
    keep(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A drone's track by its scene name (the receivers' own trackers) or UAS ID. */
const trackOf = (p: Pipeline, uasId: string): Track => {
  const t = p.tracker.tracks().find((x) => x.uasId === uasId);
  expect(t, `a track of ${uasId}`).toBeDefined();
  return t!;
};

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
    // Frames go on while the broker is away: they wait in the spool, for longer than --late (the first
    // of them must arrive late however quickly the broker comes back).
    await air([{ pipeline: r.pipeline, at: CENTRE }], (LATE_AFTER_MS + 1000) / 1000, drones);
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
    // Spooled frames arrived more than --late after they were heard: counted, and merged as the past.
    expect(seen.late).toBeGreaterThan(0);
    expect(h.hub.stats.tracked).toBe(s.frames);
    // So the hub's tracks hold everything the receiver heard, the outage included, as the receiver's own do.
    const own = r.pipeline.tracker.tracks().filter((t) => t.uasId);
    expect(own.length).toBe(2);
    for (const mine of own) {
      const merged = trackOf(h.pipeline, mine.uasId!);
      expect(merged.history.points(), `${mine.uasId} history`).toEqual(mine.history.points());
      expect(merged.messages, `${mine.uasId} messages`).toBe(mine.messages);
      expect(merged.spoofing, `${mine.uasId} spoofing evidence`).toEqual([]);
    }
  }, 60_000);

  it("a receiver whose broker link drops for longer than --late: once its spool comes, the hub's track of a drone only it heard holds the outage, the recording its frames, and another receiver's copies count once", async () => {
    const site = newSite();
    const { privateKey } = generateKeyPairSync('ed25519');
    const chunks: Uint8Array[] = [];
    const recording = createEvidenceRecordingWriter({ write: (c: Uint8Array) => void chunks.push(Uint8Array.from(c)) }, { key: { privateKey, publicKey: rawPublicKey(privateKey) }, software: 'test' });
    const h = await hub(site, { record: recording });
    const link = await relay(broker.port);
    cleanups.push(() => link.close());
    const drones = demoScene().slice(0, 2);
    const [shared, alone] = drones.map((d) => d.name) as [string, string];
    const north = await receiver(site, 'north');
    const south = await receiver(site, 'south', { port: link.port });
    const listeners: Listener[] = [
      { pipeline: north.pipeline, at: place(0.002, 0), hears: (d) => d === shared },
      { pipeline: south.pipeline, at: place(-0.002, 0) },
    ];
    await air(listeners, 1.5, drones);
    link.cut();
    const cutMs = Date.now();
    await air(listeners, (LATE_AFTER_MS + 3000) / 1000, drones);
    const restoredMs = Date.now();
    expect(south.publisher.stats().connected).toBe(false);
    link.restore();
    await air(listeners, 2, drones);
    await Promise.all([north.publisher.close(), south.publisher.close()]);
    const sent = { north: north.publisher.stats(), south: south.publisher.stats() };
    expect(sent.south.droppedFrames).toBe(0);
    expect(south.errors.map((e) => (e as { code?: string }).code)).toContain('unreachable');
    await waitFor(() => h.source.receivers.get('north')?.frames === sent.north.frames && h.source.receivers.get('south')?.frames === sent.south.frames, 'every published frame at the hub', 15_000);
    await recording.close();

    expect(h.source.receivers.get('north')!.late).toBe(0);
    expect(h.source.receivers.get('south')!.late).toBeGreaterThan(0);
    expect(h.hub.stats.frames).toBe(h.hub.stats.tracked + h.hub.stats.duplicates);

    // The drone only south heard: the hub's track holds every position south had, the outage's among them.
    const aloneId = south.pipeline.tracker.tracks().find((t) => t.uasId && !north.pipeline.tracker.tracks().some((n) => n.uasId === t.uasId))?.uasId;
    expect(aloneId, `${alone}, heard by south alone`).toBeDefined();
    const own = trackOf(south.pipeline, aloneId!);
    const merged = trackOf(h.pipeline, aloneId!);
    const outage = own.history.points().filter((p) => p.t > cutMs + 500 && p.t < restoredMs - 500);
    expect(outage.length).toBeGreaterThan(2);
    expect(merged.history.points()).toEqual(own.history.points());
    expect(merged.messages).toBe(own.messages);
    expect(merged.spoofing).toEqual([]);

    // The drone both heard: each transmission once (south's late copies recognised), every receiver's hearing whole.
    const northTracks = north.pipeline.tracker.tracks().filter((t) => t.uasId);
    expect(northTracks).toHaveLength(1);
    const sharedId = northTracks[0]!.uasId!;
    const both = trackOf(h.pipeline, sharedId);
    expect(both.messages).toBe(northTracks[0]!.messages);
    for (const [key, l] of both.links) {
      expect(l.receivers?.get('south')?.messages, `${key} at south`).toBe(trackOf(south.pipeline, sharedId).links.get(key)!.messages);
      expect(l.receivers?.get('north')?.messages, `${key} at north`).toBe(northTracks[0]!.links.get(key)!.messages);
    }
    expect(both.spoofing).toEqual([]);

    // The recording: each transmission once, sealed; south's spool among its frames, at their own times, marked late.
    const bytes = Buffer.concat(chunks);
    const report = await verifyRecording([bytes]);
    expect(report.status).toBe('complete');
    expect(report.frames).toBe(h.hub.stats.tracked);
    const recorded = [...readRecordingSync(bytes)];
    const late = recorded.filter((f) => f.late);
    expect(late.length).toBeGreaterThan(0);
    expect(report.lateFrames).toBe(late.length);
    const at = (fs: typeof recorded): Set<number> => new Set(fs.map((f) => Math.round(f.t * 1000)));
    const [lateTimes, allTimes] = [at(late), at(recorded)];
    // Those spooled for longer than --late arrived late; the last ones may have come in time after the reconnection.
    const spooledLong = outage.filter((p) => p.t < restoredMs - LATE_AFTER_MS);
    expect(spooledLong.length).toBeGreaterThan(0);
    for (const p of outage) expect(allTimes.has(Math.round(p.t)), `a frame at ${p.t}`).toBe(true);
    for (const p of spooledLong) expect(lateTimes.has(Math.round(p.t)), `a late frame at ${p.t}`).toBe(true);
    // A replay of the recording gives the hub's tracks again, the past taken as the past.
    const replay = new Pipeline({ staleAfterMs: 60_000, lostAfterMs: 120_000 });
    for (const f of recorded) replay.process(f);
    expect(trackOf(replay, aloneId!).history.points()).toEqual(merged.history.points());
    expect(trackOf(replay, sharedId).messages).toBe(both.messages);
    for (const t of replay.tracker.tracks()) expect(t.spoofing, `${t.uasId ?? t.key} spoofing evidence in the replay`).toEqual([]);
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

  it('a hub away and back gets every batch sent meanwhile: none acknowledged and dropped as it stops or as it starts', async () => {
    const site = newSite();
    const rx = await receiver(site, 'a');
    const seen = new Set<number>();
    const first = await hub(site, { clientId: `hub-away-${site}`, onBatch: (b) => seen.add(b.seq) });
    const flying = air([{ pipeline: rx.pipeline, at: place(0, 0) }], 3, demoScene().slice(0, 3));
    await waitFor(() => seen.size >= 5, 'batches at the first hub');
    // Stopped mid-stream; while it is away, the broker queues the batches for its session. The next run
    // gets them right after connecting, all in its first reads.
    await first.source.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await hub(site, { clientId: `hub-away-${site}`, onBatch: (b) => seen.add(b.seq) });
    await flying;
    await waitFor(() => rx.publisher.stats().acked === rx.publisher.stats().batches, 'every batch acknowledged by the broker');
    const sent = rx.publisher.stats().batches;
    await waitFor(() => seen.size === sent, `all ${sent} batches at one hub or the other`, 5_000).catch(() => undefined);
    expect([...Array(sent).keys()].filter((seq) => !seen.has(seq))).toEqual([]);
  }, 60_000);

  it("a hub away while 1,500 batches come (mosquitto's default queue holds 1,000): on the deployment settings, it gets them all", async () => {
    const site = newSite();
    const clientId = `hub-queue-${site}`;
    // The hub's session exists (its subscription kept), then it goes away.
    await (await hub(site, { clientId })).source.stop();
    const { connect: connectMqtt } = await import('mqtt');
    const rx = connectMqtt({ host: '127.0.0.1', port: broker.port, protocolVersion: 4, clientId: `rx-${site}` });
    cleanups.push(() => void rx.end(true));
    await new Promise((resolve) => rx.once('connect', resolve));
    const frame = { t: Date.now() / 1000, linkType: LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, data: new Uint8Array(40) };
    const batches = 1500;
    for (let seq = 0; seq < batches; seq++) {
      const bytes = encodeFrameBatch({ rx: 'a', boot: 1, seq, frames: [frame] }, Date.now() / 1000);
      await new Promise((resolve, reject) => rx.publish(`rid/${site}/a/frames`, Buffer.from(bytes), { qos: 1 }, (e) => (e ? reject(e) : resolve(undefined))));
    }
    const seen = new Set<number>();
    await hub(site, { clientId, onBatch: (b) => seen.add(b.seq) });
    await waitFor(() => seen.size === batches, `all ${batches} batches queued for the hub`, 10_000).catch(() => undefined);
    expect(seen.size).toBe(batches);
  }, 60_000);
  it("a receiver's batches keep their cadence through a stalled event loop: the one held goes late, the next on time", async () => {
    const site = newSite();
    const rx = await receiver(site, 'a');
    // One real transmission, heard once more just before the stall: the batch the stall holds is not empty.
    const clock = new ManualClock(Date.now());
    const scene = new SimulatedScene({ drones: demoScene().slice(0, 1), clock, receiver: CENTRE });
    clock.set(scene.nextDue());
    const [one] = scene.due();
    const sent: number[] = [];
    let stalledAfter: number | undefined;
    await hub(site, {
      onBatch: (b) => {
        sent.push(b.sentMs);
        if (sent.length !== 6) return;
        // The loop held 130 ms from 20 ms after a batch: a timer re-armed from when it ran (setInterval)
        // would then close every later batch half an interval off the cadence.
        setTimeout(() => {
          stalledAfter = sent.length;
          rx.pipeline.process({ t: Date.now() / 1000, linkType: one!.linkType, data: one!.data });
          const until = performance.now() + 130;
          while (performance.now() < until);
        }, 20);
      },
    });
    const flying = air([{ pipeline: rx.pipeline, at: place(0, 0) }], 3);
    await waitFor(() => stalledAfter !== undefined && sent.length >= stalledAfter + 9, 'batches after the stall', 10_000);
    await flying;
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    const cadence = median(sent.slice(0, stalledAfter).map((t) => t % BATCH_MS));
    /** How far off the cadence a batch was sent, ms (-50 to 50). */
    const off = (t: number): number => ((t - cadence + BATCH_MS * 1.5) % BATCH_MS) - BATCH_MS / 2;
    // The batch held by the stall went late (after a gap of at least the stall: an offset from the cadence
    // would read modulo the interval); the ones after it are back on the cadence.
    const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
    expect(Math.max(...gaps.slice(stalledAfter! - 1, stalledAfter! + 2))).toBeGreaterThan(BATCH_MS + 20);
    expect(median(sent.slice(stalledAfter! + 1).map((t) => Math.abs(off(t))))).toBeLessThan(15);
  }, 30_000);
});
