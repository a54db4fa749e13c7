/**
 * Receiver under load, in real time on one event loop: 1,000 simulated drones (distinct identities,
 * addresses and routes; BLE 4, BLE 5 long range, Wi-Fi Beacon and NAN) put 10,000 frames/s on the air for
 * 60 s. A producer timer pushes the frames that are due into the pipeline's bounded queue every ~1 ms, each
 * stamped with its arrival time (process.hrtime); the consumer drains the queue on the same event loop, and
 * the tracker is ticked every 100 ms, as rid-scan does. Measured: frames the queue dropped, latency from a
 * frame's arrival to each track update it caused, peak RSS, CPU time.
 *
 * The frames (real bytes from buildAirFrames, counters and positions moving) are made before the clock
 * starts, in other processes, and read back from temporary files during the run: see frame-pool.ts. The
 * measured process (load.ts) runs compiled to one JavaScript file, as a deployed receiver (`pnpm build`)
 * runs: under tsx it would also carry the TypeScript loader, ~40 MB of RSS that no deployment has.
 *
 * Run alone: `node --import tsx packages/receiver/bench/receiver.bench.ts [--seconds 60] [--drones 1000]
 * [--drain-ms 0] [--tick-ms 100] [--history-limit N] [--trace] [--uncompiled]`. --drain-ms 0 drains as
 * soon as the producer has pushed (setImmediate); --drain-ms 100 drains on rid-scan's 100 ms interval
 * instead. --history-limit sets the tracker's positions kept per track; --trace logs every second;
 * --uncompiled measures under tsx instead.
 */

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimulatedScene } from '@odid/transmitter';
import { bundle } from './bundle.js';
import { FRAMES_PER_DRONE_PER_S, buildFleet } from './fleet.js';
import { buildFramePool, type PoolSummary } from './frame-pool.js';
import { LOAD_FLAG, type LoadOptions, type LoadResult } from './load.js';

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
  /** Measure the TypeScript sources under tsx rather than the compiled bundle. */
  uncompiled?: boolean;
}

export interface ReceiverBenchResult extends LoadResult {
  machine: string;
  drones: number;
  seconds: number;
  drainMs: number;
  tickMs: number;
  historyLimit: number | undefined;
  compiled: boolean;
  pool: PoolSummary;
  warmupSeconds: number;
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} cores), Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

const MB = 1024 * 1024;
const LOAD_SOURCE = fileURLToPath(new URL('./load.ts', import.meta.url));

export async function benchReceiver(opts: ReceiverBenchOptions = {}): Promise<ReceiverBenchResult> {
  const seconds = opts.seconds ?? 60;
  const droneCount = opts.drones ?? 1000;
  const drainMs = opts.drainMs ?? 0;
  const tickMs = opts.tickMs ?? 100;
  const compiled = !opts.uncompiled;
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
    const job: LoadOptions = { paths: pool.paths, seconds, warmupSeconds, startMs, drainMs, tickMs, historyLimit, receiver, trace: opts.trace ?? false, offlineFrames: 200_000 };
    let bundled: string | undefined;
    if (compiled) await bundle(LOAD_SOURCE, (bundled = path.join(dir, 'receiver-load.mjs')));
    const load = await measure(job, bundled);
    return { ...load, machine: machine(), drones: droneCount, seconds, drainMs, tickMs, historyLimit, compiled, pool, warmupSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the load in a fresh process: the bundle with plain node, or (uncompiled) load.ts under tsx. */
function measure(job: LoadOptions, bundled: string | undefined): Promise<LoadResult> {
  // Profiler flags given to the parent follow the measured process; the loader only when uncompiled.
  const profiling = process.execArgv.filter((a) => /^--(cpu|heap)-prof/.test(a));
  const execArgv = bundled ? profiling : [...profiling, '--conditions=@odid/source', '--import', 'tsx'];
  return new Promise((resolve, reject) => {
    const child = fork(bundled ?? LOAD_SOURCE, [LOAD_FLAG, JSON.stringify(job)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: LoadResult | undefined;
    child.on('message', (m) => {
      result = m as LoadResult;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (result && code === 0 ? resolve(result) : reject(new Error(`the measured receiver process failed (exit ${code ?? signal})`))));
  });
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
  const code = r.compiled ? 'compiled bundle, plain node' : 'TypeScript under tsx';
  console.log(`Load: ${int(r.drones)} drones, ${r.seconds} s in real time on one event loop (${code}); ${mode}, tracker tick every ${r.tickMs} ms, ${history}\n`);
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
  console.log(`| GC | ${r.gcCount} pauses, ${r.gcTotalMs.toFixed(0)} ms in all, longest ${r.gcMaxMs.toFixed(1)} ms; ${r.gcFullCount} full collections | |`);
  const w = r.warmUp;
  console.log(`| warm-up before the first frame (as rid-scan) | ${int(w.frames)} frames of the demo scene in ${w.ms.toFixed(0)} ms, ${w.collected ? 'then one full GC' : 'full GC refused'} | |`);
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
    if (argv[i] === '--trace' || argv[i] === '--uncompiled') {
      out[argv[i] === '--trace' ? 'trace' : 'uncompiled'] = true;
      continue;
    }
    const key = keys[argv[i]!];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isFinite(value)) throw new Error(`usage: receiver.bench.ts [--seconds N] [--drones N] [--drain-ms N] [--tick-ms N] [--history-limit N] [--trace] [--uncompiled] (at ${argv[i]})`);
    out[key] = value;
    i++;
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runReceiverBench(parseArgs(process.argv.slice(2)));
}
