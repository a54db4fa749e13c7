/**
 * The measured side of the receiver benchmark, run in a process of its own from a compiled bundle (see
 * receiver.bench.ts): frames from the pool are pushed into the pipeline's bounded queue as they fall due in
 * real time, each stamped with its arrival time, and drained on the same event loop, as rid-scan runs live.
 * Also loaded directly by the parent for `--uncompiled` runs under tsx.
 */

import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { Pipeline, type PipelineOptions, type PipelineSinks } from '../src/pipeline.js';
import { warmUp } from '../src/warm-up.js';
import type { RawFrame } from '../src/sources/types.js';
import type { TrackUpdate } from '../src/tracker/types.js';
import { PoolReader } from './pool-reader.js';

/** argv[2] of the measuring child; argv[3] is the LoadOptions JSON. The result comes back over IPC. */
export const LOAD_FLAG = '--receiver-load';

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
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

/** What the parent sends: plain JSON. */
export interface LoadOptions {
  /** The frame pool's files (pool-reader.ts). */
  paths: string[];
  seconds: number;
  warmupSeconds: number;
  startMs: number;
  drainMs: number;
  tickMs: number;
  historyLimit: number | undefined;
  receiver: { latitude: number; longitude: number };
  /** One stderr line per second of the run: frames, queue depth, worst latency, GC, CPU, RSS. */
  trace: boolean;
  /** Frames of the offline throughput run. */
  offlineFrames: number;
  /**
   * How far the pool's scene clock runs ahead of the wall clock the frames are stamped on (web-map bench):
   * the tracker then allows that much clock skew, so its timestamp check runs (and costs what it costs) on
   * honest drones without flagging the bench's deliberate lead.
   */
  sceneLeadMs?: number;
  /**
   * Stamp frames (and tick the tracker) on the wall clock — Date.now() when the clock starts plus the
   * monotonic time since — as a live receiver does, rather than on the pool's scene clock from startMs:
   * the map page measures its latency against its own Date.now().
   */
  wallClock?: boolean;
}

/** What one real-time run measures (runLoad adds the offline run and the warm-up). */
export type RealTimeResult = Omit<LoadResult, 'offline' | 'warmUp'>;

/**
 * Joins something to a run's pipeline before its clock starts (the web map), given the one sinks object
 * the pipeline keeps, as rid-scan gives it to its outputs.
 */
export type Attach = (pipeline: Pipeline, sinks: PipelineSinks) => Promise<void>;

export interface LoadResult {
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
  /** Scheduled arrival -> track update, ms: adds the producer timer's own lateness. */
  latencyFromDue: LatencySummary;
  peakRssMb: number;
  baselineRssMb: number;
  maxRssMb: number;
  heapUsedMb: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** The same after the first `warmupSeconds`: the start's one-off work (the fleet appearing, the JIT) left out. */
  steadyCpuSeconds: number;
  steadyWallSeconds: number;
  gcCount: number;
  /**
   * Of those, full collections (mark-compact): each marks the whole heap, mostly on V8's background
   * threads, whose CPU the pause times leave out.
   */
  gcFullCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** The same frames through a fresh pipeline as fast as one core goes (see offlineThroughput). */
  offline: { frames: number; perCpuSecond: number };
  /** What ran before the clock started, as in rid-scan (src/warm-up.ts). */
  warmUp: { frames: number; ms: number; collected: boolean };
}

const MB = 1024 * 1024;

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  // As rid-scan does before it starts a live source.
  const { frames, ms, collected } = warmUp(pipelineOptions(o));
  const load = await realTime(o);
  // After the real-time run, so that it cannot warm anything up for it.
  return { ...load, offline: offlineThroughput(o.paths, o.offlineFrames), warmUp: { frames, ms, collected } };
}

export function pipelineOptions(o: LoadOptions): PipelineOptions {
  return {
    receiverPosition: { lat: o.receiver.latitude, lon: o.receiver.longitude },
    ...(o.historyLimit !== undefined ? { historyLimit: o.historyLimit } : {}),
    ...(o.sceneLeadMs !== undefined ? { maxClockSkewMs: o.sceneLeadMs + 5 * 60_000 } : {}),
  };
}

export async function realTime(o: LoadOptions, attach?: Attach): Promise<RealTimeResult> {
  const latency = new Histogram();
  const steady = new Histogram();
  const fromDue = new Histogram();
  const steadyFromNs = o.warmupSeconds * 1e9;
  let current: BenchFrame | undefined;
  let updates = 0;
  let intervalWorst = 0;
  let t0 = process.hrtime.bigint();
  const nowNs = (): number => Number(process.hrtime.bigint() - t0);

  const sinks: PipelineSinks = {
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
  };
  const pipeline = new Pipeline(pipelineOptions(o), sinks);
  await attach?.(pipeline, sinks);

  let gcCount = 0;
  let gcFullCount = 0;
  let gcTotalMs = 0;
  let gcMaxMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount++;
      // (Node's gc entries carry their kind in `detail`; the PerformanceEntry type leaves it out.)
      if ((e as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) gcFullCount++;
      gcTotalMs += e.duration;
      gcMaxMs = Math.max(gcMaxMs, e.duration);
    }
  });

  const reader = new PoolReader(o.paths);
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
    const frameZeroMs = o.wallClock ? Date.now() : o.startMs;
    let drainQueued = false;
    let finished = false;

    const drain = (): void => {
      drainQueued = false;
      processed += pipeline.drain();
    };
    // The pool's clock decides when a frame is due; the frames' clock is what they are stamped with.
    const sceneNow = (ns: number): number => o.startMs + ns / 1e6;
    const frameNow = (ns: number): number => frameZeroMs + ns / 1e6;

    let steadyCpu0: NodeJS.CpuUsage | undefined;
    let steadyFromWallNs = 0;
    // Every ~1 ms (as the timer allows): push whatever became due since, stamped on arrival.
    const produce = (): void => {
      const elapsed = nowNs();
      if (!steadyCpu0 && elapsed >= steadyFromNs) {
        steadyCpu0 = process.cpuUsage();
        steadyFromWallNs = elapsed;
      }
      const until = sceneNow(elapsed);
      while (reader.nextAt <= until) {
        const dueNs = (reader.nextAt - o.startMs) * 1e6;
        const { linkType, data } = reader.take();
        const arrivalNs = nowNs();
        const f: BenchFrame = { t: frameNow(arrivalNs) / 1000, linkType, data, arrivalNs, dueNs };
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
    const tickTimer = setInterval(() => pipeline.tick(frameNow(nowNs())), o.tickMs);
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
        trace(
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
        const endNs = nowNs();
        const wallSeconds = endNs / 1e9;
        const cpu = process.cpuUsage(cpu0);
        // A run shorter than its warm-up has no steady part: the whole run stands for it.
        const steadyCpu = steadyCpu0 ? process.cpuUsage(steadyCpu0) : cpu;
        const steadyWallSeconds = steadyCpu0 ? (endNs - steadyFromWallNs) / 1e9 : wallSeconds;
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
          steadyCpuSeconds: (steadyCpu.user + steadyCpu.system) / 1e6,
          steadyWallSeconds,
          gcCount,
          gcFullCount,
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

const trace = (line: string): void => void process.stderr.write(`receiver bench: ${line}\n`);

if (process.argv[2] === LOAD_FLAG) {
  const result = await runLoad(JSON.parse(process.argv[3]!) as LoadOptions);
  process.send?.(result, () => process.disconnect());
}
