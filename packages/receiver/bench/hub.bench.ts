/**
 * rid-hub under load: N receivers around a venue, each hearing the same fleet of simulated drones (the
 * load benchmark's fleet: distinct identities, BLE 4/5 and Wi-Fi, 10 frames/s a drone), merged by one hub.
 *
 * 1. Offline, one core flat out: every receiver's frames for a few seconds of scene, batched and CBOR-encoded
 *    as the publisher does, then decoded, checked, de-duplicated and tracked by the hub as fast as it goes
 *    (no broker): the hub's frames per CPU-second (goal: 50,000).
 * 2. Live, through a real mosquitto on loopback: the receivers publish from another process (one scene per
 *    receiver on a clock that follows the wall clock, frames stamped as received), the hub runs in this
 *    process as rid-hub does; measured: frames/s taken, the hub's CPU, latency from a frame's reception at
 *    its receiver to the hub having tracked it (p50/p99; goal p99 ≤ 250 ms, the publisher's 100 ms batching
 *    included), peak RSS.
 *
 * `node --import tsx --conditions=@odid/source packages/receiver/bench/hub.bench.ts [--receivers 20]
 * [--drones 200] [--seconds 30] [--offline-seconds 3] [--offline-only]`. Needs mosquitto (scripts/setup.sh)
 * for the live part. Do not run it at full size on a machine others are using: it takes two cores.
 */

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ManualClock } from '@odid/position';
import { SimulatedScene } from '@odid/transmitter';
import type { ReceivedMessage } from '@odid/codec';
import { Hub } from '../src/hub/hub.js';
import { MqttHubSource, type HubFrame } from '../src/hub/mqtt-source.js';
import { HubReceivers } from '../src/hub/receivers.js';
import { openMqttPublisher } from '../src/outputs/mqtt-publish.js';
import { decodeFrameBatch, encodeFrameBatch, type WireFrame } from '../src/outputs/mqtt-schema.js';
import { Pipeline } from '../src/pipeline.js';
import { startMosquitto } from '../../../test/support/mosquitto.js';
import { buildFleet } from './fleet.js';
import { machine } from './receiver.bench.js';

const PUBLISHER_FLAG = '--publisher';
const MB = 1024 * 1024;

/** Receiver i stands on a ring of 3 km around the fleet's centre. */
function receiverPlaces(n: number, centre: { latitude: number; longitude: number }): { latitude: number; longitude: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    return { latitude: centre.latitude + 0.027 * Math.cos(a), longitude: centre.longitude + 0.04 * Math.sin(a) };
  });
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Part 1: decode + merge as fast as one core goes. */
function offline(receivers: number, drones: number, seconds: number): { frames: number; cpuS: number; framesPerCpuS: number; tracks: number } {
  const fleet = buildFleet({ drones });
  const startMs = Date.UTC(2025, 5, 1, 10, 0, 0);
  const clock = new ManualClock(startMs);
  const places = receiverPlaces(receivers, SimulatedScene.centre(fleet));
  const scenes = places.map((receiver) => new SimulatedScene({ drones: fleet, clock, receiver }));
  // Every receiver's batches, in the order they would arrive: one per receiver per 100 ms.
  const batches: { rx: string; bytes: Uint8Array; hubMs: number }[] = [];
  const seq = new Array<number>(receivers).fill(0);
  for (let t = startMs + 100; t <= startMs + seconds * 1000; t += 100) {
    clock.set(t);
    scenes.forEach((scene, i) => {
      const frames: WireFrame[] = scene.due().map((f) => ({ t: f.t, linkType: f.linkType, data: f.data, transport: f.transport, rssi: f.rssi }));
      if (frames.length) batches.push({ rx: `rx${i}`, bytes: encodeFrameBatch({ rx: `rx${i}`, boot: startMs, seq: seq[i]!++, frames }, t / 1000), hubMs: t + 20 });
    });
  }
  let hubMs = startMs;
  const receiversState = new HubReceivers();
  const pipeline = new Pipeline({ staleAfterMs: 5000, lostAfterMs: 30000 });
  const hub = new Hub(pipeline, receiversState, { now: () => hubMs });
  const before = process.cpuUsage();
  let frames = 0;
  for (const b of batches) {
    hubMs = b.hubMs;
    const batch = decodeFrameBatch(b.bytes);
    const offset = receiversState.batch(b.rx, batch, hubMs, false) ?? 0;
    for (const f of batch.frames) hub.take({ t: f.t + offset / 1000, linkType: f.linkType, data: f.data, receiver: b.rx });
    frames += batch.frames.length;
    if (hubMs % 1000 < 100) pipeline.tick(hubMs);
  }
  const used = process.cpuUsage(before);
  const cpuS = (used.user + used.system) / 1e6;
  return { frames, cpuS, framesPerCpuS: frames / cpuS, tracks: pipeline.tracker.tracks().length };
}

/** The receivers' process: one scene and one publisher per receiver, frames stamped on the wall clock. */
async function publishers(port: number, site: string, receivers: number, drones: number, seconds: number): Promise<void> {
  const fleet = buildFleet({ drones });
  const clock = new ManualClock(Date.now());
  const places = receiverPlaces(receivers, SimulatedScene.centre(fleet));
  const scenes = places.map((receiver) => new SimulatedScene({ drones: fleet, clock, receiver }));
  const pubs = await Promise.all(places.map((_, i) => openMqttPublisher({ target: { protocol: 'mqtt', host: '127.0.0.1', port }, security: {}, site, receiver: `rx${i}`, spoolMaxBytes: 16 * MB })));
  const until = Date.now() + seconds * 1000;
  await new Promise<void>((resolve) => {
    const step = (): void => {
      clock.set(Date.now());
      scenes.forEach((scene, i) => {
        for (const f of scene.due()) {
          pubs[i]!.write({ t: Date.now() / 1000, linkType: f.linkType, data: f.data });
          // What the receiver's decoder would say of it; only frames with a message are published.
          pubs[i]!.message({ transport: f.transport, mac: '02:00:00:00:00:00', rssi: f.rssi } as unknown as ReceivedMessage);
        }
      });
      if (Date.now() >= until) return resolve();
      setTimeout(step, 5);
    };
    step();
  });
  await Promise.all(pubs.map((p) => p.close()));
  process.send?.({ published: pubs.reduce((n, p) => n + p.stats().frames, 0) });
}

async function live(receivers: number, drones: number, seconds: number): Promise<Record<string, number>> {
  const broker = await startMosquitto();
  const site = 'bench';
  try {
    const source = new MqttHubSource({ target: { protocol: 'mqtt', host: '127.0.0.1', port: broker.port }, security: {}, site, clientId: 'bench-hub' });
    const pipeline = new Pipeline({ staleAfterMs: 5000, lostAfterMs: 30000 });
    const hub = new Hub(pipeline, source.receivers);
    const latencies = new Float64Array(8 << 20);
    let n = 0;
    source.on('frame', (f: HubFrame) => {
      hub.take(f);
      if (n < latencies.length) latencies[n++] = Date.now() - f.t * 1000;
    });
    await source.start();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const tick = setInterval(() => pipeline.tick(Date.now()), 100);
    const before = process.cpuUsage();
    const started = Date.now();
    const child = fork(fileURLToPath(import.meta.url), [PUBLISHER_FLAG, String(broker.port), site, String(receivers), String(drones), String(seconds)], { execArgv: ['--import', 'tsx', '--conditions=@odid/source'] });
    const published = await new Promise<number>((resolve) => child.on('message', (m: { published: number }) => resolve(m.published)));
    const deadline = Date.now() + 10_000;
    while (hub.stats.frames < published && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const wall = (Date.now() - started) / 1000;
    const used = process.cpuUsage(before);
    clearInterval(sampler);
    clearInterval(tick);
    await source.stop();
    const sorted = latencies.slice(0, n).sort();
    return {
      published,
      taken: hub.stats.frames,
      tracked: hub.stats.tracked,
      late: hub.stats.late,
      framesPerS: hub.stats.frames / seconds,
      hubCpuPercent: ((used.user + used.system) / 1e6 / wall) * 100,
      latencyP50Ms: percentile(sorted, 50),
      latencyP99Ms: percentile(sorted, 99),
      latencyMaxMs: sorted[sorted.length - 1] ?? NaN,
      peakRssMb: peakRss / MB,
      tracks: pipeline.tracker.tracks().length,
    };
  } finally {
    await broker.stop();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === PUBLISHER_FLAG) {
    const [port, site, receivers, drones, seconds] = process.argv.slice(3);
    await publishers(Number(port), site!, Number(receivers), Number(drones), Number(seconds));
    return;
  }
  const { values } = parseArgs({ options: { receivers: { type: 'string' }, drones: { type: 'string' }, seconds: { type: 'string' }, 'offline-seconds': { type: 'string' }, 'offline-only': { type: 'boolean' } } });
  const receivers = Number(values.receivers ?? 20);
  const drones = Number(values.drones ?? 200);
  const seconds = Number(values.seconds ?? 30);
  const offlineSeconds = Number(values['offline-seconds'] ?? 3);
  console.log(`hub bench: ${receivers} receivers x ${drones} drones; ${machine()}`);
  const o = offline(receivers, drones, offlineSeconds);
  console.log(`offline: ${o.frames} frames in ${o.cpuS.toFixed(2)} CPU-s: ${Math.round(o.framesPerCpuS)} frames per CPU-second (goal 50,000); ${o.tracks} tracks`);
  if (values['offline-only']) return;
  const l = await live(receivers, drones, seconds);
  console.log(
    `live: ${l.taken}/${l.published} frames taken (${l.tracked} tracked, ${l.late} late) at ${Math.round(l.framesPerS!)} frames/s; hub CPU ${l.hubCpuPercent!.toFixed(1)} % of one core; ` +
      `reception -> tracked p50 ${l.latencyP50Ms!.toFixed(0)} ms, p99 ${l.latencyP99Ms!.toFixed(0)} ms (goal 250), max ${l.latencyMaxMs!.toFixed(0)} ms; peak RSS ${l.peakRssMb!.toFixed(0)} MB; ${l.tracks} tracks`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
