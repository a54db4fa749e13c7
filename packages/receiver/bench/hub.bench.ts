/**
 * rid-hub under load: N receivers around a venue, each hearing the same fleet of simulated drones (the
 * load benchmark's fleet: distinct identities, BLE 4/5 and Wi-Fi, 10 frames/s a drone), merged by one hub.
 *
 * 1. Offline, one core flat out: every receiver's frames for a few seconds of scene, batched and CBOR-encoded
 *    as the publisher does, then decoded, checked, de-duplicated and tracked by the hub as fast as it goes
 *    (no broker): the hub's frames per CPU-second (goal: 50,000).
 * 2. Live, through a real mosquitto on loopback: the receivers publish from child processes
 *    (hub-receivers.ts: the real publisher, frames stamped when received, the air made once for a process's
 *    receivers by hub-air.ts, its drones out of step and its receivers started at their own moments, as at a
 *    venue), the hub runs in this process as rid-hub does (its warm-up, its tick, RSSI estimates included);
 *    measured: frames/s taken, latency from a frame's reception at its receiver to the hub having tracked it
 *    (p50/p99/max over the whole run; goal p99 ≤ 250 ms, the publisher's 100 ms batching included), the
 *    same over the first seconds alone (the hub meeting every drone at once), the batches (MQTT messages) a
 *    second and their size, where the latency goes (receiver, broker, hub: hub-stages.ts), how late each
 *    process's event loop ran and what held it longest, the CPU of the hub, mosquitto and the receivers'
 *    processes (and of the machine: others' load shows), peak RSS. It runs first, so that the offline
 *    part's leftovers in memory are not counted as the live hub's.
 *
 * `node --import tsx --conditions=@odid/source packages/receiver/bench/hub.bench.ts [--receivers 20]
 * [--drones 200] [--seconds 30] [--offline-seconds 3] [--offline-only] [--no-positions]
 * [--receiver-processes 1] [--batch-ms 100]`. Needs mosquitto (scripts/setup.sh) for the live part.
 * --no-positions: the receivers' statuses give no position, so the hub makes no RSSI estimates (to see what
 * they cost). --receiver-processes: the receivers shared between K processes (each makes the whole air, so
 * more CPU in all; it shows whether the load generator holds the hub's latency up). --batch-ms: the
 * publishers' batch interval (mqtt-publish.ts BATCH_MS). With --cpu-prof (and --cpu-prof-dir=DIR) or
 * --trace-gc, the receivers' processes are profiled or traced too. Do not run it at full size on a machine
 * others are using: it takes most of two cores.
 */

import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createHistogram, monitorEventLoopDelay, PerformanceObserver, type RecordableHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ManualClock } from '@odid/position';
import { SimulatedScene } from '@odid/transmitter';
import { Hub } from '../src/hub/hub.js';
import { MqttHubSource, type HubBatch, type HubFrame } from '../src/hub/mqtt-source.js';
import { HubReceivers } from '../src/hub/receivers.js';
import { BATCH_MS } from '../src/outputs/mqtt-publish.js';
import { decodeFrameBatch, encodeFrameBatch, type WireFrame } from '../src/outputs/mqtt-schema.js';
import { Pipeline } from '../src/pipeline.js';
import { warmUpHub } from '../src/warm-up.js';
import { startMosquitto } from '../../../test/support/mosquitto.js';
import { buildFleet } from './fleet.js';
import { receiverPlaces, SharedAir } from './hub-air.js';
import type { ReceiversCommand, ReceiversMessage } from './hub-receivers.js';
import { coreCount, machineBusySeconds, processCpuSeconds, StageTimes } from './hub-stages.js';
import { machine } from './receiver.bench.js';

const MB = 1024 * 1024;
const RECEIVERS_PROCESS = fileURLToPath(new URL('./hub-receivers.ts', import.meta.url));
/** After the receivers stop, how long the hub may take to catch up before the run is cut. */
const DRAIN_MS = 10_000;
/** The run's first seconds, also shown apart: the hub meets every drone at once (all its tracks made). */
const START_S = 2;

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
  /** The receivers' batches (MQTT messages) and their bytes. */
  batches: number;
  bytes: number;
  taken: number;
  tracked: number;
  late: number;
  framesPerS: number;
  stages: StageTimes;
  /** The same, of the frames received in the first START_S seconds. */
  start: StageTimes;
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
  /** The receivers' processes: the worst of their event loops, and what held them longest. */
  receiversLoopDelayP99Ms: number;
  receiversLoopDelayMaxMs: number;
  receiversLongestStepMs: number;
  receiversLongestStepAirMs: number;
  receiversGcLongestMs: number;
  receiversGcPercent: number;
  receiverProcesses: number;
  peakRssMb: number;
  tracks: number;
}

interface LiveOptions {
  receivers: number;
  drones: number;
  seconds: number;
  positions: boolean;
  /** Receivers' processes to share the receivers between. */
  processes: number;
  /** The publishers' batch interval. */
  batchMs: number;
}

async function live({ receivers, drones, seconds, positions, processes, batchMs }: LiveOptions): Promise<LiveResult> {
  const broker = await startMosquitto();
  const site = 'bench';
  const children: ChildProcess[] = [];
  try {
    const stages = new StageTimes();
    const start = new StageTimes();
    let startUntil = Infinity;
    let batch: HubBatch | undefined;
    const source = new MqttHubSource({ target: { protocol: 'mqtt', host: '127.0.0.1', port: broker.port }, security: {}, site, clientId: 'bench-hub', onBatch: (b) => (batch = b) });
    const pipeline = new Pipeline({ staleAfterMs: 5000, lostAfterMs: 30000 });
    const hub = new Hub(pipeline, source.receivers);
    source.on('frame', (f: HubFrame) => {
      hub.take(f);
      // The frame's time as its receiver stamped it (before any clock correction): one clock on one machine.
      if (!batch) return;
      const t = f.t * 1000 - batch.offsetMs;
      const done = Date.now();
      stages.add(t, batch.sentMs, batch.arrivedMs, done);
      if (t < startUntil) start.add(t, batch.sentMs, batch.arrivedMs, done);
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

    // The receivers, a share of the ring per process; each process's start-up (compiling, building the fleet,
    // connecting) is not the hub's: the run starts when every one is ready.
    const shares = Array.from({ length: processes }, (_, k) => {
      const first = Math.floor((k * receivers) / processes);
      return { first, count: Math.floor(((k + 1) * receivers) / processes) - first };
    }).filter((share) => share.count > 0);
    const diagnostics = process.execArgv.filter((a) => /^--(cpu-prof|heap-prof|trace-gc)/.test(a));
    // One air for all of them: the same start.
    const airStart = Date.now();
    for (const { first, count } of shares) {
      children.push(
        fork(RECEIVERS_PROCESS, [String(broker.port), site, String(receivers), String(drones), String(seconds), String(first), String(count), String(airStart), String(batchMs), ...(positions ? [] : ['--no-positions'])], {
          // A CPU profile or GC trace asked of the bench is taken of the receivers too.
          execArgv: ['--import', 'tsx', '--conditions=@odid/source', ...diagnostics],
        }),
      );
    }
    const messages = children.map((child) => {
      const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`a receivers' process ended (${code}) before reporting`))));
      return (kind: ReceiversMessage['kind']): Promise<ReceiversMessage> => Promise.race([new Promise<ReceiversMessage>((resolve) => child.on('message', (m: ReceiversMessage) => m.kind === kind && resolve(m))), exited]);
    });
    const all = (kind: ReceiversMessage['kind']): Promise<ReceiversMessage[]> => Promise.all(messages.map((message) => message(kind)));
    await all('ready');
    const cpu = process.cpuUsage();
    estimatesMs = 0;
    estimatesFrom = hub.estimates.made;
    tickTimes.estimates.reset();
    tickTimes.pipeline.reset();
    const mosquittoPid = broker.pid();
    const mosquittoCpu = mosquittoPid === undefined ? undefined : processCpuSeconds(mosquittoPid);
    const machineCpu = machineBusySeconds();
    const started = Date.now();
    startUntil = started + START_S * 1000;
    loopDelay.enable();
    gc.on = true;
    const finished = all('done');
    for (const child of children) child.send({ kind: 'start' } satisfies ReceiversCommand);
    const dones = (await finished) as Extract<ReceiversMessage, { kind: 'done' }>[];
    const sum = (f: (d: (typeof dones)[number]) => number): number => dones.reduce((n, d) => n + f(d), 0);
    const worst = (f: (d: (typeof dones)[number]) => number): number => Math.max(...dones.map(f));
    const worstStep = dones.reduce((a, d) => (d.longestStepMs > a.longestStepMs ? d : a));
    const done = {
      published: sum((d) => d.published),
      dropped: sum((d) => d.dropped),
      batches: sum((d) => d.batches),
      bytes: sum((d) => d.bytes),
      cpuS: sum((d) => d.cpuS),
      wallS: worst((d) => d.wallS),
      loopDelayP99Ms: worst((d) => d.loopDelayP99Ms),
      loopDelayMaxMs: worst((d) => d.loopDelayMaxMs),
      gcLongestMs: worst((d) => d.gcLongestMs),
      gcPercent: sum((d) => d.gcPercent * d.wallS) / sum((d) => d.wallS),
    };
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
      batches: done.batches,
      bytes: done.bytes,
      taken: hub.stats.frames,
      tracked: hub.stats.tracked,
      late: hub.stats.late,
      framesPerS: hub.stats.frames / seconds,
      stages,
      start,
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
      receiversLongestStepMs: worstStep.longestStepMs,
      receiversLongestStepAirMs: worstStep.longestStepAirMs,
      receiversGcLongestMs: done.gcLongestMs,
      receiversGcPercent: done.gcPercent,
      receiverProcesses: children.length,
      peakRssMb: peakRss / MB,
      tracks: pipeline.tracker.tracks().length,
    };
  } finally {
    // A receivers' process that failed leaves the others waiting for a start that never comes.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
    await broker.stop();
  }
}

const ms = (v: number): string => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(1) : v.toFixed(0));
const pct = (v: number | undefined): string => (v === undefined ? '?' : v.toFixed(1));

export async function runHubBench(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { receivers: { type: 'string' }, drones: { type: 'string' }, seconds: { type: 'string' }, 'offline-seconds': { type: 'string' }, 'offline-only': { type: 'boolean' }, 'no-positions': { type: 'boolean' }, 'receiver-processes': { type: 'string' }, 'batch-ms': { type: 'string' } } });
  const receivers = Number(values.receivers ?? 20);
  const drones = Number(values.drones ?? 200);
  const seconds = Number(values.seconds ?? 30);
  const offlineSeconds = Number(values['offline-seconds'] ?? 3);
  const receiverProcesses = Number(values['receiver-processes'] ?? 1);
  if (!Number.isInteger(receiverProcesses) || receiverProcesses < 1) throw new RangeError(`--receiver-processes must be a whole number from 1, got ${values['receiver-processes']}`);
  const batchMs = Number(values['batch-ms'] ?? BATCH_MS);
  if (!(batchMs >= 10 && batchMs <= 1000)) throw new RangeError(`--batch-ms must be from 10 to 1000, got ${values['batch-ms']}`);
  console.log(`hub bench: ${receivers} receivers x ${drones} drones; ${machine()}`);
  const printOffline = (): void => {
    const o = offline(receivers, drones, offlineSeconds);
    console.log(`offline: ${o.frames} frames in ${o.cpuS.toFixed(2)} CPU-s: ${Math.round(o.framesPerCpuS)} frames per CPU-second (goal 50,000); ${o.tracks} tracks`);
  };
  if (values['offline-only']) return printOffline();
  // Live first: the hub's RSS and GC are its own, not the offline part's leftovers.
  const l = await live({ receivers, drones, seconds, positions: !values['no-positions'], processes: receiverProcesses, batchMs });
  const s = l.stages;
  console.log(
    `live: ${l.taken}/${l.published} frames taken (${l.tracked} tracked, ${l.late} late${l.dropped ? `, ${l.dropped} dropped by the receivers' spools` : ''}) at ${Math.round(l.framesPerS)} frames/s; ` +
      `reception -> tracked p50 ${ms(s.percentile('total', 50))} ms, p99 ${ms(s.percentile('total', 99))} ms (goal 250: ${s.percentile('total', 99) <= 250 ? 'met' : 'missed'}), max ${ms(s.max('total'))} ms; peak RSS ${l.peakRssMb.toFixed(0)} MB; ${l.tracks} tracks`,
  );
  console.log(
    `the first ${START_S} s (the hub meets every drone): reception -> tracked p99 ${ms(l.start.percentile('total', 99))} ms, max ${ms(l.start.max('total'))} ms; ` +
      `batches: ${Math.round(l.batches / seconds)} a second, ${(l.bytes / l.batches / 1024).toFixed(1)} KiB each (${((l.bytes / seconds) / MB).toFixed(1)} MB/s)`,
  );
  console.log(
    `stages p50/p99 ms: receiver (reception -> batch sent; batching ≤ ${batchMs}) ${ms(s.percentile('receiver', 50))}/${ms(s.percentile('receiver', 99))}, ` +
      `broker (sent -> hub message) ${ms(s.percentile('broker', 50))}/${ms(s.percentile('broker', 99))}, ` +
      `hub (message -> tracked) ${ms(s.percentile('hub', 50))}/${ms(s.percentile('hub', 99))}; event loop delay p99/max ms: hub ${ms(l.hubLoopDelayP99Ms)}/${ms(l.hubLoopDelayMaxMs)} ` +
      `(longest: pipeline tick ${ms(l.pipelineTickMaxMs)}, RSSI estimates ${ms(l.estimatesTickMaxMs)}, GC pause ${ms(l.hubGcLongestMs)}; GC ${pct(l.hubGcPercent)} % of the time), receivers ${ms(l.receiversLoopDelayP99Ms)}/${ms(l.receiversLoopDelayMaxMs)} ` +
      `(longest: step ${ms(l.receiversLongestStepMs)}, of it the air ${ms(l.receiversLongestStepAirMs)}; GC pause ${ms(l.receiversGcLongestMs)}; GC ${pct(l.receiversGcPercent)} % of the time)`,
  );
  console.log(
    `cpu (% of one core): hub ${pct(l.cpu.hub)}, mosquitto ${pct(l.cpu.mosquitto)}, receivers' process${l.receiverProcesses > 1 ? `es (${l.receiverProcesses})` : ''} ${pct(l.cpu.receivers)}; ` +
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
