/**
 * What the hub's RSSI estimates cost (rssi-estimates.ts), without a broker:
 *
 * 1. One estimate (rssi-position.ts) with the default and with calibrated models, from 3, 6 and 12
 *    receivers on a ring 1.5 km across, a drone among them (readings from a log-distance model with noise).
 * 2. One calibration fit (rssi-calibration.ts) over a receiver's full store (640 pairs of 200 drones).
 * 3. The hub's estimates over a fleet (the hub bench's: 200 drones, 20 receivers on a 3 km ring, their
 *    positions in their statuses, frames taken by the hub without a broker), its calibration warm (two
 *    minutes of pairs fed after the first seconds: calibrationHistory), ticking as rid-hub does: each
 *    tick's wall-clock length, the longest, how often each track was estimated, the estimates' share of a
 *    core; then every track estimated at once without a budget, for the cost of one estimate in place.
 *
 * Costs are CPU time (process.cpuUsage: a shared machine's other load does not count, the process's own
 * helper threads do); tick lengths are wall-clock, as the hub's loop feels them.
 *
 * `node --import tsx --conditions=@odid/source packages/receiver/bench/hub-estimates.bench.ts [--drones 200]
 * [--receivers 20] [--warm-seconds 15] [--seconds 10]`. Takes about one core for half a minute at full size.
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BroadcastTransport } from '@odid/codec';
import { distance, ManualClock } from '@odid/position';
import { rssiAt, SimulatedScene } from '@odid/transmitter';
import { Hub } from '../src/hub/hub.js';
import { HubReceivers } from '../src/hub/receivers.js';
import { PathLossCalibration, SAMPLE_EVERY_MS } from '../src/hub/rssi-calibration.js';
import { RssiEstimates, TICK_EVERY_MS } from '../src/hub/rssi-estimates.js';
import { estimateFromRssi, PATH_LOSS_MODELS, type ReceiverPathLoss, type RssiReading } from '../src/hub/rssi-position.js';
import { Pipeline } from '../src/pipeline.js';
import { rng } from '../../../test/support/random.js';
import { buildFleet } from './fleet.js';
import { receiverPlaces, SharedAir, type Place } from './hub-air.js';

const ORIGIN = { lat: 46.95, lon: 7.45 };
const M_PER_DEG = 111_195;
const at = (east: number, north: number): { lat: number; lon: number } => ({ lat: ORIGIN.lat + north / M_PER_DEG, lon: ORIGIN.lon + east / (M_PER_DEG * Math.cos(ORIGIN.lat * (Math.PI / 180))) });

/** CPU ms this process has used (every thread: a shared machine's other load does not count). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Mean CPU ms per call of `fn` over `n` calls (after n/4 calls to let the JIT settle). */
function timePerCall(n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < n / 4; i++) fn(i);
  const t0 = cpuMs();
  for (let i = 0; i < n; i++) fn(i);
  return (cpuMs() - t0) / n;
}

function oneEstimate(): string[] {
  const random = rng(5);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const lines: string[] = [];
  for (const count of [3, 6, 12]) {
    const places = Array.from({ length: count }, (_, i) => at(750 * Math.sin((2 * Math.PI * i) / count), 750 * Math.cos((2 * Math.PI * i) / count)));
    const models: ReceiverPathLoss[] = places.map(() => ({ referenceDbm: -40 + 4 * gauss(), exponent: 2.4 + 0.3 * random(), shadowingDb: 1.5 }));
    const calibrated = { receivers: new Map(models.map((m, i) => [`rx${i}`, m])), powerSpreadDb: 1.5 };
    // 64 drones among the receivers, their readings under the calibrated models.
    const sets: RssiReading[][] = Array.from({ length: 64 }, () => {
      const drone = at(1000 * random() - 500, 1000 * random() - 500);
      return places.map((p, i) => ({ receiver: `rx${i}`, ...p, rssi: models[i]!.referenceDbm - 10 * models[i]!.exponent * Math.log10(Math.max(1, distance(drone, p))) + 2 * gauss() }));
    });
    const def = timePerCall(200, (i) => estimateFromRssi(sets[i % sets.length]!, PATH_LOSS_MODELS['ble-legacy']));
    const cal = timePerCall(200, (i) => estimateFromRssi(sets[i % sets.length]!, calibrated));
    lines.push(`one estimate, ${count} receivers: default model ${def.toFixed(3)} ms, calibrated ${cal.toFixed(3)} ms`);
  }
  return lines;
}

function oneFit(): string {
  const random = rng(6);
  // Refitting at every call: each call is a fit.
  const cal = new PathLossCalibration({ refitEveryMs: 0 });
  const drones = 200;
  let t = 0;
  // Enough rounds for the store to be full (640 pairs), each drone at its own distance, moving.
  for (let round = 0; round < 20; round++, t += SAMPLE_EVERY_MS) {
    for (let d = 0; d < drones; d++) {
      const m = 300 + 3000 * random();
      cal.add('rx', 'ble-legacy', `d${d}`, m, -40 - 26 * Math.log10(m) + 2 * random(), t);
    }
  }
  let k = 0;
  const ms = timePerCall(200, () => cal.model('rx', 'ble-legacy', new Set([`d${k++ % drones}`]), t));
  return `one calibration fit over ${cal.pairsOf('rx', 'ble-legacy')} pairs of ${drones} drones: ${ms.toFixed(3)} ms`;
}

/**
 * Two minutes of pairs for the calibration, as if the hub had heard the fleet that long: per track, link
 * and receiver, a pair every SAMPLE_EVERY_MS at a distance swinging about the drone's present one, its RSSI
 * from the air's model (rssiAt) with 2 dB of noise. (The bench's scenes are seconds long: too short for a
 * drone's distances to spread enough for a slope.)
 */
function calibrationHistory(pipeline: Pipeline, hub: Hub, places: readonly Place[], nowMs: number): number {
  const random = rng(8);
  const calibration = hub.estimates.calibration!;
  let added = 0;
  for (let t = nowMs - 120_000; t < nowMs; t += SAMPLE_EVERY_MS) {
    for (const track of pipeline.tracker.tracks()) {
      if (!track.position) continue;
      for (const link of track.links.values()) {
        places.forEach((p, i) => {
          const m = distance(track.position!, { lat: p.latitude, lon: p.longitude }) * (1 + 0.4 * Math.sin(t / 20_000 + i));
          const rssi = rssiAt(m, link.transport as BroadcastTransport) + 2 * (random() - 0.5) * Math.sqrt(3);
          if (calibration.add(`rx${i}`, link.transport, link.address, m, rssi, t)) added++;
        });
      }
    }
  }
  return added;
}

function fleet(drones: number, receivers: number, warmS: number, seconds: number): string[] {
  const scene = buildFleet({ drones });
  const startMs = Date.UTC(2025, 5, 1, 10, 0, 0);
  const clock = new ManualClock(startMs);
  const places = receiverPlaces(receivers, SimulatedScene.centre(scene));
  const air = new SharedAir(scene, clock, places);
  const receiversState = new HubReceivers();
  places.forEach((p, i) => receiversState.status(`rx${i}`, { rx: `rx${i}`, boot: 1, sent: startMs / 1000, online: true, position: { lat: p.latitude, lon: p.longitude } }, startMs, false));
  const pipeline = new Pipeline({ staleAfterMs: 5000, lostAfterMs: 30000 });
  let hubMs = startMs;
  // As rid-hub makes it: the default budget, a tick every TICK_EVERY_MS.
  const hub = new Hub(pipeline, receiversState, { now: () => hubMs });
  const ticks: number[] = [];
  let estimatesCpuMs = 0;
  let longestCpuMs = 0;
  let madeBefore = 0;
  let calibratedBefore = 0;
  let deferredBefore = 0;
  let caughtUpBefore = 0;
  let pairs = 0;
  const end = startMs + (warmS + seconds) * 1000;
  // Once the tracks have positions, before the first tick (a fit found wanting is kept as none for 10 s).
  const historyAt = startMs + Math.max(1, Math.min(3, Math.floor(warmS))) * 1000;
  for (let t = startMs + TICK_EVERY_MS; t <= end; t += TICK_EVERY_MS) {
    clock.set(t);
    hubMs = t;
    air.due().forEach((heard, i) => {
      for (const f of heard) hub.take({ t: f.t, linkType: f.linkType, data: f.data, receiver: `rx${i}` });
    });
    if ((t - startMs) % 1000 === 0) pipeline.tick(t);
    if (t === historyAt) pairs = calibrationHistory(pipeline, hub, places, t);
    if (t < historyAt) continue;
    const c0 = cpuMs();
    const t0 = performance.now();
    hub.tick();
    const took = performance.now() - t0;
    const cpu = cpuMs() - c0;
    if (t === startMs + warmS * 1000) {
      madeBefore = hub.estimates.made;
      calibratedBefore = hub.estimates.calibrated;
    }
    if (t === startMs + warmS * 1000) {
      deferredBefore = hub.estimates.deferred;
      caughtUpBefore = hub.estimates.caughtUp;
    }
    if (t > startMs + warmS * 1000) {
      ticks.push(took);
      estimatesCpuMs += cpu;
      longestCpuMs = Math.max(longestCpuMs, cpu);
    }
  }
  ticks.sort((a, b) => a - b);
  const e = hub.estimates;
  const tracks = pipeline.tracker.tracks().length;
  const made = e.made - madeBefore;
  // Every track once, unbudgeted, on the same calibration: what an estimate costs here.
  const all = new RssiEstimates(pipeline.tracker, receiversState, { budgetMs: Infinity, calibration: e.calibration! });
  const a0 = cpuMs();
  all.tick(hubMs);
  const allMs = cpuMs() - a0;
  return [
    `fleet: ${drones} drones x ${receivers} receivers, ${tracks} tracks, ${pairs} calibration pairs of history; ${warmS} s of scene to warm up, then ${seconds} s measured, a tick every ${TICK_EVERY_MS} ms`,
    `  ticks (wall clock, a shared machine's preemption included): p50 ${ticks[ticks.length >> 1]!.toFixed(2)} ms, p99 ${ticks[Math.floor(ticks.length * 0.99)]!.toFixed(2)} ms, longest ${ticks[ticks.length - 1]!.toFixed(1)} ms (${longestCpuMs.toFixed(1)} CPU ms); ` +
      `${e.deferred - deferredBefore} of ${ticks.length} left tracks to the next, ${e.caughtUp - caughtUpBefore} caught up`,
    `  ${made} estimates (${e.calibrated - calibratedBefore} calibrated) = one per track every ${((tracks * seconds) / made).toFixed(1)} s; ` +
      `${estimatesCpuMs.toFixed(0)} CPU ms over ${seconds} s = ${((estimatesCpuMs / (seconds * 1000)) * 100).toFixed(1)} % of one core`,
    `  every track at once, unbudgeted: ${all.made} estimates (${all.calibrated} calibrated) in ${allMs.toFixed(0)} CPU ms = ${(allMs / Math.max(1, all.made)).toFixed(2)} ms each`,
  ];
}

export function runHubEstimatesBench(argv: string[] = process.argv.slice(2)): void {
  const { values } = parseArgs({ args: argv, options: { drones: { type: 'string' }, receivers: { type: 'string' }, 'warm-seconds': { type: 'string' }, seconds: { type: 'string' } } });
  for (const l of oneEstimate()) console.log(l);
  console.log(oneFit());
  for (const l of fleet(Number(values.drones ?? 200), Number(values.receivers ?? 20), Number(values['warm-seconds'] ?? 15), Number(values.seconds ?? 10))) console.log(l);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runHubEstimatesBench();
