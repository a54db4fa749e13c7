/**
 * rid-hub under load: N receivers around a venue, each hearing the same fleet of simulated drones (the
 * load benchmark's fleet: distinct identities, BLE 4/5 and Wi-Fi, 10 frames/s a drone), merged by one hub.
 *
 * 1. Offline, one core flat out: every receiver's frames for a few seconds of scene, batched and CBOR-encoded
 *    as the publisher does, then decoded, checked, de-duplicated and tracked by the hub as fast as it goes
 *    (no broker): the hub's frames per CPU-second (goal: 50,000).
 * 2. Live, through a real mosquitto on loopback: the receivers publish from a child process
 *    (hub-receivers.ts: the real publisher, frames stamped when received, the air made once for all of them
 *    by hub-air.ts), the hub runs in this process as rid-hub does (its warm-up, its tick, RSSI estimates
 *    included);
 *    measured: frames/s taken, latency from a frame's reception at its receiver to the hub having tracked it
 *    (p50/p99; goal p99 ≤ 250 ms, the publisher's 100 ms batching included) and where it goes (receiver,
 *    broker, hub: hub-stages.ts), the CPU of the hub, mosquitto and the receivers' process (and of the
 *    machine: others' load shows), peak RSS. It runs first, so that the offline part's leftovers in memory
 *    are not counted as the live hub's.
 *
 * `node --import tsx --conditions=@odid/source packages/receiver/bench/hub.bench.ts [--receivers 20]
 * [--drones 200] [--seconds 30] [--offline-seconds 3] [--offline-only] [--no-positions]`. Needs mosquitto
 * (scripts/setup.sh) for the live part. --no-positions: the receivers' statuses give no position, so the hub
 * makes no RSSI estimates (to see what they cost). Do not run it at full size on a machine others are using:
 * it takes most of two cores.
 */

import { fork } from 'node:child_process';
import path from 'node:path';
import { createHistogram, monitorEventLoopDelay, PerformanceObserver, type RecordableHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ManualClock } from '@odid/position';
import { SimulatedScene } from '@odid/transmitter';
import { Hub } from '../src/hub/hub.js';
import { MqttHubSource, type HubBatch, type HubFrame } from '../src/hub/mqtt-source.js';
import { HubReceivers } from '../src/hub/receivers.js';
import { decodeFrameBatch, encodeFrameBatch, type WireFrame } from '../src/outputs/mqtt-schema.js';
import { Pipeline } from '../src/pipeline.js';
import { warmUpHub } from '../src/warm-up.js';
import { startMosquitto } from '../../../test/support/mosquitto.js';
import { buildFleet } from './fleet.js';
import { receiverPlaces, SharedAir } from './hub-air.js';
import type { ReceiversMessage } from './hub-receivers.js';
import { coreCount, machineBusySeconds, processCpuSeconds, StageTimes } from './hub-stages.js';
import { machine } from './receiver.bench.js';

const MB = 1024 * 1024;
const RECEIVERS_PROCESS = fileURLToPath(new URL('./hub-receivers.ts', import.meta.url));
/** After the receivers stop, how long the hub may take to catch up before the run is cut. */
const DRAIN_MS = 10_000;

/** Part 1: decode + merge as fast as one core goes. */
function offline(receivers: number, drones: number, seconds: number): { frames: number; cpuS: number; framesPerCpuS: number; tracks: number } {
  const fleet = buildFleet({ drones });
  const startMs = Date.UTC(2025, 5, 1, 10, 0, 0);
  const clock = new ManualClock(startMs);
  const air = new SharedAir(fleet, clock, receiverPlaces(receivers, SimulatedScene.centre(fleet)));
  // Every receiver's batches, in the order they would arrive: one per receiver per 100 ms.
  const batches: { rx: string; bytes: Uint8Array; hubMs: number }[] = [];
  const seq = new Array<number>(receivers).fill(0);
  for (let t = startMs + 100; t <= startMs + seconds * 1000; t += 100) {
    clock.set(t);
    air.due().forEach((heard, i) => {
      const frames: WireFrame[] = heard.map((f) => ({ t: f.t, linkType: f.linkType, data: f.data, transport: f.transport, rssi: f.rssi }));
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

interface LiveResult {
  published: number;
  /** By the receivers' spools. */
  dropped: number;
  taken: number;
  tracked: number;
  late: number;
  framesPerS: number;
  stages: StageTimes;
  /** % of one core over the run, per process; machine: % of all cores, others: what the rest of the machine took. */
  cpu: { hub: number; mosquitto: number | undefined; receivers: number; machine: number | undefined; others: number | undefined };
  /** The hub's event loop: how late it ran, and the longest its tick's two parts took. */
  hubLoopDelayP99Ms: number;
  hubLoopDelayMaxMs: number;
  pipelineTickMaxMs: number;
  estimatesTickMaxMs: number;
  /** RSSI estimates made, and the share of one core their ticks took (wall clock). */
  estimates: number;
  estimatesPercent: number;
  /** The hub's longest GC pause, and the share of the run spent in GC. */
  hubGcLongestMs: number;
  hubGcPercent: number;
  receiversLoopDelayP99Ms: number;
  receiversLoopDelayMaxMs: number;
  peakRssMb: number;
  tracks: number;
}

async function live(receivers: number, drones: number, seconds: number, positions: boolean): Promise<LiveResult> {
  const broker = await startMosquitto();
  const site = 'bench';
  try {
    const stages = new StageTimes();
    let batch: HubBatch | undefined;
    const source = new MqttHubSource({ target: { protocol: 'mqtt', host: '127.0.0.1', port: broker.port }, security: {}, site, clientId: 'bench-hub', onBatch: (b) => (batch = b) });
    const pipeline = new Pipeline({ staleAfterMs: 5000, lostAfterMs: 30000 });
    const hub = new Hub(pipeline, source.receivers);
    source.on('frame', (f: HubFrame) => {
      hub.take(f);
      // The frame's time as its receiver stamped it (before any clock correction): one clock on one machine.
      if (batch) stages.add(f.t * 1000 - batch.offsetMs, batch.sentMs, batch.arrivedMs, Date.now());
    });
    // As rid-hub: the hub's path compiled before it subscribes.
    warmUpHub({ staleAfterMs: 5000, lostAfterMs: 30000 });
    await source.start();
    let lastReceiversTick = 0;
    const tickTimes = { pipeline: createHistogram(), estimates: createHistogram() };
    let estimatesMs = 0;
    let estimatesFrom = 0;
    const timed = (h: RecordableHistogram, work: () => void): number => {
      const t0 = performance.now();
      work();
      const took = performance.now() - t0;
      h.record(Math.max(1, Math.round(took * 1000)));
      return took;
    };
    // rid-hub's tick: the pipeline, the RSSI estimates, the receivers' rates.
    const tick = setInterval(() => {
      const now = Date.now();
      timed(tickTimes.pipeline, () => pipeline.tick(now));
      estimatesMs += timed(tickTimes.estimates, () => hub.tick());
      if (now - lastReceiversTick >= 1000) {
        source.receivers.tick(now);
        lastReceiversTick = now;
      }
    }, 100);
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    // Garbage collection pauses the hub's loop like any work: the longest pause, and their total.
    const gc = { longestMs: 0, totalMs: 0, on: false };
    const gcObserver = new PerformanceObserver((list) => {
      if (!gc.on) return;
      for (const e of list.getEntries()) {
        gc.longestMs = Math.max(gc.longestMs, e.duration);
        gc.totalMs += e.duration;
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

    const child = fork(RECEIVERS_PROCESS, [String(broker.port), site, String(receivers), String(drones), String(seconds), ...(positions ? [] : ['--no-positions'])], { execArgv: ['--import', 'tsx', '--conditions=@odid/source'] });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the receivers' process ended (${code}) before reporting`))));
    const message = (kind: ReceiversMessage['kind']): Promise<ReceiversMessage> => Promise.race([new Promise<ReceiversMessage>((resolve) => child.on('message', (m: ReceiversMessage) => m.kind === kind && resolve(m))), exited]);
    // The run starts when the receivers do: their start-up (compiling, building the fleet) is not the hub's.
    await message('publishing');
    const cpu = process.cpuUsage();
    estimatesMs = 0;
    estimatesFrom = hub.estimates.made;
    tickTimes.estimates.reset();
    tickTimes.pipeline.reset();
    const mosquittoPid = broker.pid();
    const mosquittoCpu = mosquittoPid === undefined ? undefined : processCpuSeconds(mosquittoPid);
    const machineCpu = machineBusySeconds();
    const started = Date.now();
    loopDelay.enable();
    gc.on = true;
    const done = (await message('done')) as Extract<ReceiversMessage, { kind: 'done' }>;
    const deadline = Date.now() + DRAIN_MS;
    while (hub.stats.frames < done.published && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const wall = (Date.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const mosquittoNow = mosquittoPid === undefined ? undefined : processCpuSeconds(mosquittoPid);
    const machineNow = machineBusySeconds();
    loopDelay.disable();
    gcObserver.disconnect();
    clearInterval(sampler);
    clearInterval(tick);
    await source.stop();
    const percent = (cpuS: number | undefined, overS: number): number | undefined => (cpuS === undefined ? undefined : (cpuS / overS) * 100);
    const hubCpu = percent((used.user + used.system) / 1e6, wall)!;
    const mosquittoCpuPercent = percent(mosquittoNow !== undefined && mosquittoCpu !== undefined ? mosquittoNow - mosquittoCpu : undefined, wall);
    const receiversCpu = percent(done.cpuS, done.wallS)!;
    const machinePercent = percent(machineNow !== undefined && machineCpu !== undefined ? machineNow - machineCpu : undefined, wall * coreCount());
    // What the machine did besides the three processes, in % of one core (the receivers' share over the whole window is an estimate).
    const others = machinePercent === undefined ? undefined : Math.max(0, (machinePercent * coreCount()) - hubCpu - (mosquittoCpuPercent ?? 0) - (receiversCpu * done.wallS) / wall);
    return {
      published: done.published,
      dropped: done.dropped,
      taken: hub.stats.frames,
      tracked: hub.stats.tracked,
      late: hub.stats.late,
      framesPerS: hub.stats.frames / seconds,
      stages,
      cpu: { hub: hubCpu, mosquitto: mosquittoCpuPercent, receivers: receiversCpu, machine: machinePercent, others },
      hubLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      hubLoopDelayMaxMs: loopDelay.max / 1e6,
      hubGcLongestMs: gc.longestMs,
      hubGcPercent: (gc.totalMs / 1000 / wall) * 100,
      pipelineTickMaxMs: tickTimes.pipeline.max / 1000,
      estimatesTickMaxMs: tickTimes.estimates.max / 1000,
      estimates: hub.estimates.made - estimatesFrom,
      estimatesPercent: (estimatesMs / 1000 / wall) * 100,
      receiversLoopDelayP99Ms: done.loopDelayP99Ms,
      receiversLoopDelayMaxMs: done.loopDelayMaxMs,
      peakRssMb: peakRss / MB,
      tracks: pipeline.tracker.tracks().length,
    };
  } finally {
    await broker.stop();
  }
}

const ms = (v: number): string => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(1) : v.toFixed(0));
const pct = (v: number | undefined): string => (v === undefined ? '?' : v.toFixed(1));

export async function runHubBench(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { receivers: { type: 'string' }, drones: { type: 'string' }, seconds: { type: 'string' }, 'offline-seconds': { type: 'string' }, 'offline-only': { type: 'boolean' }, 'no-positions': { type: 'boolean' } } });
  const receivers = Number(values.receivers ?? 20);
  const drones = Number(values.drones ?? 200);
  const seconds = Number(values.seconds ?? 30);
  const offlineSeconds = Number(values['offline-seconds'] ?? 3);
  console.log(`hub bench: ${receivers} receivers x ${drones} drones; ${machine()}`);
  const printOffline = (): void => {
    const o = offline(receivers, drones, offlineSeconds);
    console.log(`offline: ${o.frames} frames in ${o.cpuS.toFixed(2)} CPU-s: ${Math.round(o.framesPerCpuS)} frames per CPU-second (goal 50,000); ${o.tracks} tracks`);
  };
  if (values['offline-only']) return printOffline();
  // Live first: the hub's RSS and GC are its own, not the offline part's leftovers.
  const l = await live(receivers, drones, seconds, !values['no-positions']);
  const s = l.stages;
  console.log(
    `live: ${l.taken}/${l.published} frames taken (${l.tracked} tracked, ${l.late} late${l.dropped ? `, ${l.dropped} dropped by the receivers' spools` : ''}) at ${Math.round(l.framesPerS)} frames/s; ` +
      `reception -> tracked p50 ${ms(s.percentile('total', 50))} ms, p99 ${ms(s.percentile('total', 99))} ms (goal 250), max ${ms(s.max('total'))} ms; peak RSS ${l.peakRssMb.toFixed(0)} MB; ${l.tracks} tracks`,
  );
  console.log(
    `stages p50/p99 ms: receiver (reception -> batch sent; batching ≤ 100) ${ms(s.percentile('receiver', 50))}/${ms(s.percentile('receiver', 99))}, ` +
      `broker (sent -> hub message) ${ms(s.percentile('broker', 50))}/${ms(s.percentile('broker', 99))}, ` +
      `hub (message -> tracked) ${ms(s.percentile('hub', 50))}/${ms(s.percentile('hub', 99))}; event loop delay p99/max ms: hub ${ms(l.hubLoopDelayP99Ms)}/${ms(l.hubLoopDelayMaxMs)} ` +
      `(longest: pipeline tick ${ms(l.pipelineTickMaxMs)}, RSSI estimates ${ms(l.estimatesTickMaxMs)}, GC pause ${ms(l.hubGcLongestMs)}; GC ${pct(l.hubGcPercent)} % of the time), receivers ${ms(l.receiversLoopDelayP99Ms)}/${ms(l.receiversLoopDelayMaxMs)}`,
  );
  console.log(
    `cpu (% of one core): hub ${pct(l.cpu.hub)}, mosquitto ${pct(l.cpu.mosquitto)}, receivers' process ${pct(l.cpu.receivers)}; ` +
      `machine ${pct(l.cpu.machine)} % of ${coreCount()} cores busy, other processes ${pct(l.cpu.others)} % of one core`,
  );
  console.log(`RSSI estimates: ${l.estimates} made; their ticks took ${pct(l.estimatesPercent)} % of one core (wall clock), the longest ${ms(l.estimatesTickMaxMs)} ms`);
  printOffline();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runHubBench().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
