/**
 * Receiver under load, in real time on one event loop: 1,000 simulated drones (distinct identities,
 * addresses and routes; BLE 4, BLE 5 long range, Wi-Fi Beacon and NAN) put 10,000 frames/s on the air for
 * 60 s. A producer timer pushes the frames that are due into the pipeline's bounded queue every ~1 ms, each
 * stamped with its arrival time (process.hrtime); the consumer drains the queue on the same event loop, and
 * the tracker is ticked every 100 ms, as rid-scan does. Measured: frames the queue dropped, latency from a
 * frame's arrival to each track update it caused, peak RSS, CPU time.
 *
 * The frames (real bytes from buildAirFrames, counters and positions moving) are made before the clock
 * starts, in other processes, and read back from temporary files during the run: see frame-pool.ts.
 *
 * Run alone: `node --import tsx packages/receiver/bench/receiver.bench.ts [--seconds 60] [--drones 1000]
 * [--drain-ms 0] [--tick-ms 100] [--history-limit N] [--trace]`. --drain-ms 0 drains as soon as the
 * producer has pushed (setImmediate); --drain-ms 100 drains on rid-scan's 100 ms interval instead.
 * --history-limit sets the tracker's positions kept per track; --trace logs every second.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SimulatedScene } from '@odid/broadcaster';
import { Pipeline } from '../src/pipeline.js';
import type { RawFrame } from '../src/sources/types.js';
import type { TrackUpdate } from '../src/tracker/types.js';
import { FRAMES_PER_DRONE_PER_S, buildFleet } from './fleet.js';
import { PoolReader, SLICE_FLAG, buildFramePool, type PoolSummary } from './frame-pool.js';

export interface ReceiverBenchOptions {
  seconds?: number;
  drones?: number;
  /** 0: drain as soon as frames were pushed; N: drain every N ms (rid-scan: 100). */
  drainMs?: number;
  /** Tracker tick period, ms (rid-scan: 100). */
  tickMs?: number;
  /** The tracker's historyLimit (positions kept per track); its default when absent. */
  historyLimit?: number;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
  /** Logs one line per second of the run: frames, queue depth, worst latency, GC, CPU, RSS. */
  trace?: boolean;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export interface ReceiverBenchResult {
  machine: string;
  drones: number;
  seconds: number;
  drainMs: number;
  tickMs: number;
  historyLimit: number | undefined;
  pool: PoolSummary;
  offered: number;
  offeredPerS: number;
  processed: number;
  dropped: number;
  maxQueue: number;
  messages: number;
  updates: number;
  tracks: number;
  flagged: Record<string, number>;
  /** Arrival (push) -> track update, ms; the whole run. */
  latency: LatencySummary;
  /** The same for frames that arrived after the first `warmupSeconds` (JIT warm-up, 1,000 tracks created). */
  steady: LatencySummary;
  warmupSeconds: number;
  /** Scheduled arrival -> track update, ms: adds the producer timer's own lateness. */
  latencyFromDue: LatencySummary;
  peakRssMb: number;
  baselineRssMb: number;
  maxRssMb: number;
  heapUsedMb: number;
  cpuSeconds: number;
  wallSeconds: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** The same frames through a fresh pipeline as fast as one core goes (see offlineThroughput). */
  offline: { frames: number; perCpuSecond: number };
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} cores), Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Latencies in 10 µs buckets up to 2 s; beyond that only the count and the maximum. */
class Histogram {
  private static readonly BUCKET_NS = 10_000;
  private readonly buckets = new Uint32Array(200_000);
  count = 0;
  maxNs = 0;

  add(ns: number): void {
    const b = Math.min(this.buckets.length - 1, Math.max(0, Math.floor(ns / Histogram.BUCKET_NS)));
    this.buckets[b]!++;
    this.count++;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  /** Upper edge of the bucket holding quantile q, ms. */
  quantile(q: number): number {
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let b = 0; b < this.buckets.length; b++) {
      seen += this.buckets[b]!;
      if (seen >= rank && seen > 0) return Math.min(((b + 1) * Histogram.BUCKET_NS) / 1e6, this.maxNs / 1e6);
    }
    return this.maxNs / 1e6;
  }

  summary(): LatencySummary {
    return { count: this.count, p50: this.quantile(0.5), p99: this.quantile(0.99), p999: this.quantile(0.999), max: this.maxNs / 1e6 };
  }
}

/** What the producer pushes: a RawFrame plus the bench's own bookkeeping (ns since the run began). */
interface BenchFrame extends RawFrame {
  arrivalNs: number;
  dueNs: number;
}

const MB = 1024 * 1024;

export async function benchReceiver(opts: ReceiverBenchOptions = {}): Promise<ReceiverBenchResult> {
  const seconds = opts.seconds ?? 60;
  const droneCount = opts.drones ?? 1000;
  const drainMs = opts.drainMs ?? 0;
  const tickMs = opts.tickMs ?? 100;
  const log = opts.log ?? ((line: string) => void process.stderr.write(`receiver bench: ${line}\n`));
  if (!(seconds > 0) || !(droneCount > 0) || !(drainMs >= 0) || !(tickMs > 0)) throw new RangeError('--seconds, --drones, --tick-ms must be > 0, --drain-ms >= 0');

  // Any fixed instant: the tracker only ever sees frame times, which run on this clock.
  const startMs = Date.UTC(2025, 5, 1, 10, 0, 0);
  const fleet = { drones: droneCount, emergencyAfterS: seconds / 2 };
  const receiver = SimulatedScene.centre(buildFleet(fleet));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'odid-receiver-bench-'));
  try {
    log(`generating ${seconds} s of frames from ${droneCount} drones (${droneCount * FRAMES_PER_DRONE_PER_S} frames/s)...`);
    const pool = await buildFramePool({ fleet, startMs, durationMs: seconds * 1000, dir });
    log(`${pool.frames} frames, ${(pool.bytes / MB).toFixed(1)} MB, made in ${pool.buildSeconds.toFixed(1)} s; running ${seconds} s in real time...`);
    const warmupSeconds = Math.min(5, seconds / 4);
    const historyLimit = opts.historyLimit;
    const load = await runLoad({ pool, seconds, warmupSeconds, startMs, drainMs, tickMs, historyLimit, receiver, ...(opts.trace ? { trace: log } : {}) });
    log('measuring offline throughput...');
    const offline = offlineThroughput(pool.paths, 200_000);
    return { ...load, machine: machine(), drones: droneCount, seconds, drainMs, tickMs, historyLimit, pool, warmupSeconds, offline };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface LoadOptions {
  pool: PoolSummary;
  seconds: number;
  warmupSeconds: number;
  startMs: number;
  drainMs: number;
  tickMs: number;
  historyLimit: number | undefined;
  receiver: { latitude: number; longitude: number };
  trace?: (line: string) => void;
}

type LoadResult = Omit<ReceiverBenchResult, 'machine' | 'drones' | 'seconds' | 'drainMs' | 'tickMs' | 'historyLimit' | 'pool' | 'warmupSeconds' | 'offline'>;

function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latency = new Histogram();
  const steady = new Histogram();
  const fromDue = new Histogram();
  const steadyFromNs = o.warmupSeconds * 1e9;
  let current: BenchFrame | undefined;
  let updates = 0;
  let intervalWorst = 0;
  let t0 = process.hrtime.bigint();
  const nowNs = (): number => Number(process.hrtime.bigint() - t0);

  const pipeline = new Pipeline(
    { receiverPosition: { lat: o.receiver.latitude, lon: o.receiver.longitude }, ...(o.historyLimit !== undefined ? { historyLimit: o.historyLimit } : {}) },
    {
      frame: (f) => {
        current = f as BenchFrame;
      },
      update: (u: TrackUpdate) => {
        // Tick updates (state, flags) are not caused by a frame.
        if (!u.message || !current) return;
        const now = nowNs();
        const ns = now - current.arrivalNs;
        latency.add(ns);
        if (current.arrivalNs >= steadyFromNs) steady.add(ns);
        fromDue.add(now - current.dueNs);
        if (ns > intervalWorst) intervalWorst = ns;
        updates++;
      },
    },
  );

  let gcCount = 0;
  let gcTotalMs = 0;
  let gcMaxMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount++;
      gcTotalMs += e.duration;
      gcMaxMs = Math.max(gcMaxMs, e.duration);
    }
  });

  const reader = new PoolReader(o.pool.paths);
  const baselineRss = process.memoryUsage.rss();
  let peakRss = baselineRss;
  let offered = 0;
  let processed = 0;
  let maxQueue = 0;
  const durationNs = o.seconds * 1e9;

  return new Promise((resolve) => {
    gcObserver.observe({ entryTypes: ['gc'] });
    const cpu0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
    let drainQueued = false;
    let finished = false;

    const drain = (): void => {
      drainQueued = false;
      processed += pipeline.drain();
    };
    const sceneNow = (ns: number): number => o.startMs + ns / 1e6;

    // Every ~1 ms (as the timer allows): push whatever became due since, stamped on arrival.
    const produce = (): void => {
      const elapsed = nowNs();
      const until = sceneNow(elapsed);
      while (reader.nextAt <= until) {
        const dueNs = (reader.nextAt - o.startMs) * 1e6;
        const { linkType, data } = reader.take();
        const arrivalNs = nowNs();
        const f: BenchFrame = { t: sceneNow(arrivalNs) / 1000, linkType, data, arrivalNs, dueNs };
        pipeline.queue.push(f);
        offered++;
      }
      maxQueue = Math.max(maxQueue, pipeline.queue.length);
      if (o.drainMs === 0 && !drainQueued && pipeline.queue.length > 0) {
        drainQueued = true;
        setImmediate(drain);
      }
      if (reader.nextAt === Infinity || elapsed >= durationNs) finish();
      else setTimeout(produce, 1);
    };

    const drainTimer = o.drainMs > 0 ? setInterval(drain, o.drainMs) : undefined;
    const tickTimer = setInterval(() => pipeline.tick(sceneNow(nowNs())), o.tickMs);
    let samples = 0;
    let intervalQueue = 0;
    let lastCpu = process.cpuUsage();
    let lastGc = 0;
    const sampler = setInterval(() => {
      const rss = process.memoryUsage.rss();
      peakRss = Math.max(peakRss, rss);
      intervalQueue = Math.max(intervalQueue, pipeline.queue.length);
      if (o.trace && ++samples % 10 === 0) {
        const cpu = process.cpuUsage(lastCpu);
        lastCpu = process.cpuUsage();
        o.trace(
          `t=${(nowNs() / 1e9).toFixed(1)}s frames ${offered} queue<=${intervalQueue} worst ${(intervalWorst / 1e6).toFixed(1)} ms ` +
            `gc ${(gcTotalMs - lastGc).toFixed(0)} ms cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms rss ${(rss / MB).toFixed(0)} MB heap ${(process.memoryUsage().heapUsed / MB).toFixed(0)} MB`,
        );
        lastGc = gcTotalMs;
        intervalWorst = 0;
        intervalQueue = 0;
      }
    }, 100);

    const finish = (): void => {
      if (finished) return;
      finished = true;
      // Whatever is still queued is part of the load: it is processed (and measured) before stopping.
      setImmediate(() => {
        processed += pipeline.drain();
        const wallSeconds = nowNs() / 1e9;
        const cpu = process.cpuUsage(cpu0);
        if (drainTimer) clearInterval(drainTimer);
        clearInterval(tickTimer);
        clearInterval(sampler);
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
        reader.close();
        gcObserver.disconnect();
        const tracks = pipeline.tracker.tracks();
        const flagged: Record<string, number> = {};
        for (const t of tracks) for (const f of t.flags) flagged[f] = (flagged[f] ?? 0) + 1;
        resolve({
          offered,
          offeredPerS: offered / o.seconds,
          processed,
          dropped: pipeline.queue.dropped,
          maxQueue,
          messages: pipeline.stats.messages,
          updates,
          tracks: tracks.length,
          flagged,
          latency: latency.summary(),
          steady: steady.summary(),
          latencyFromDue: fromDue.summary(),
          peakRssMb: peakRss / MB,
          baselineRssMb: baselineRss / MB,
          // The process's whole life; the frames were made in other processes.
          maxRssMb: process.resourceUsage().maxRSS / 1024,
          heapUsedMb: process.memoryUsage().heapUsed / MB,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
          wallSeconds,
          gcCount,
          gcTotalMs,
          gcMaxMs,
        });
      });
    };

    setTimeout(produce, 1);
  });
}

/**
 * Headroom: the same frames through a fresh pipeline as fast as one core goes (a tick every 100 ms of frame
 * time, as live), in frames per CPU-second. Not part of the real-time measurement.
 */
export function offlineThroughput(paths: readonly string[], maxFrames = Infinity): { frames: number; perCpuSecond: number } {
  const reader = new PoolReader(paths);
  const pipeline = new Pipeline({});
  let frames = 0;
  let nextTick = reader.nextAt + 100;
  const cpu0 = process.cpuUsage();
  while (reader.nextAt < Infinity && frames < maxFrames) {
    const at = reader.nextAt;
    if (at >= nextTick) {
      pipeline.tick(at);
      nextTick += 100;
    }
    const { linkType, data } = reader.take();
    pipeline.process({ t: at / 1000, linkType, data });
    frames++;
  }
  const cpu = process.cpuUsage(cpu0);
  reader.close();
  return { frames, perCpuSecond: frames / ((cpu.user + cpu.system) / 1e6) };
}

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const check = (ok: boolean): string => (ok ? 'ok' : '**missed**');

export function printReceiver(r: ReceiverBenchResult): void {
  const l = r.latency;
  const s = r.steady;
  const d = r.latencyFromDue;
  const transports = Object.entries(r.pool.byTransport).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${int(v)}`).join(', ');
  const flags = Object.entries(r.flagged).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const mode = r.drainMs === 0 ? 'drain on arrival (setImmediate)' : `drain every ${r.drainMs} ms`;
  console.log(`Machine: ${r.machine}`);
  const history = r.historyLimit === undefined ? 'default history limit' : `history limit ${r.historyLimit}`;
  console.log(`Load: ${int(r.drones)} drones, ${r.seconds} s in real time on one event loop; ${mode}, tracker tick every ${r.tickMs} ms, ${history}\n`);
  console.log('| metric | value | target |\n|---|---|---|');
  console.log(`| frames offered | ${int(r.offered)} = ${int(r.offeredPerS)}/s (${transports}) | 10,000/s |`);
  console.log(`| frames dropped by the queue | ${int(r.dropped)} (deepest queue ${int(r.maxQueue)}) | 0: ${check(r.dropped === 0)} |`);
  console.log(`| messages decoded / track updates | ${int(r.messages)} / ${int(r.updates)} | |`);
  console.log(`| tracks | ${int(r.tracks)} (flags: ${flags}) | ${int(r.drones)} |`);
  console.log(`| latency arrival → update, p50 / p99 / p99.9 / max | ${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.p999)} / ${ms(l.max)} ms | p99 < 20 ms: ${check(l.p99 < 20)} |`);
  console.log(`| the same after the first ${r.warmupSeconds} s (JIT warm, tracks created) | ${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.p999)} / ${ms(s.max)} ms | p99 < 20 ms: ${check(s.p99 < 20)} |`);
  console.log(`| latency from scheduled arrival, p99 / max | ${ms(d.p99)} / ${ms(d.max)} ms (adds the producer timer's lateness) | |`);
  console.log(`| peak RSS (sampled every 100 ms) | ${r.peakRssMb.toFixed(0)} MB; ${r.baselineRssMb.toFixed(0)} MB before the first frame; heap used at the end ${r.heapUsedMb.toFixed(0)} MB | < 150 MB: ${check(r.peakRssMb < 150)} |`);
  console.log(`| CPU time | ${r.cpuSeconds.toFixed(1)} s in ${r.wallSeconds.toFixed(1)} s = ${((100 * r.cpuSeconds) / r.wallSeconds).toFixed(0)} % of one core, ${((r.cpuSeconds * 1e6) / Math.max(1, r.processed)).toFixed(1)} µs/frame | |`);
  console.log(`| GC | ${r.gcCount} pauses, ${r.gcTotalMs.toFixed(0)} ms in all, longest ${r.gcMaxMs.toFixed(1)} ms | |`);
  console.log(`| offline, same frames, one core flat out | ${int(r.offline.perCpuSecond)} frames per CPU-second (${int(r.offline.frames)} frames) | |`);
}

/** For `pnpm bench` (packages/codec/bench/run.ts). */
export async function runReceiverBench(opts: ReceiverBenchOptions = {}): Promise<void> {
  console.log('\n## Receiver: 1,000 drones, 10,000 frames/s in real time (one event loop)\n');
  printReceiver(await benchReceiver(opts));
}

function parseArgs(argv: string[]): ReceiverBenchOptions {
  const out: ReceiverBenchOptions = {};
  const keys: Record<string, 'seconds' | 'drones' | 'drainMs' | 'tickMs' | 'historyLimit'> = {
    '--seconds': 'seconds',
    '--drones': 'drones',
    '--drain-ms': 'drainMs',
    '--tick-ms': 'tickMs',
    '--history-limit': 'historyLimit',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--trace') {
      out.trace = true;
      continue;
    }
    const key = keys[argv[i]!];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isFinite(value)) throw new Error(`usage: receiver.bench.ts [--seconds N] [--drones N] [--drain-ms N] [--tick-ms N] [--history-limit N] [--trace] (at ${argv[i]})`);
    out[key] = value;
    i++;
  }
  return out;
}

// Not when this file is the frame pool's child (a bundled build runs both from one file).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && !process.argv.includes(SLICE_FLAG)) {
  await runReceiverBench(parseArgs(process.argv.slice(2)));
}
