/**
 * The live map under load (issue 10, "Speed"): with 1,000 simulated drones at 10,000 frames/s, how much CPU
 * the web output adds to the receiver, and how long after its reception the page shows a position.
 *
 * The receiver bench's load (load.ts: frames from a pool made beforehand in other processes, pushed as they
 * fall due in real time, drained on one event loop) runs again and again, each run in a measured process of
 * its own warmed up as rid-scan is (--one-process: all runs in one), compiled to one JavaScript file: bare,
 * then with the live map attached by rid-scan's own startWebMap
 * (cli/web-map.ts: the server, its batcher and its session recording, on the pipeline's sinks) and one
 * headless Chromium page (Debian's, through playwright-core, with the browser tests' flags) connected to it
 * before the clock starts, then bare again, and so on (--rounds map runs, default 2: five runs); the map's
 * runs are compared with the bare runs between and around them, mean against mean, so that neither what
 * changes from the first run to the last (the JIT's work, the heap's size, the machine's other load
 * drifting) nor the order counts as the map's, and so that one run's luck does not decide the verdict
 * (between two single runs of the same code the figure moved by ±1.5 points of a core). A full collection
 * runs before each run. The page is built from the current sources into a temporary directory first, as the
 * load is bundled.
 *
 * Clocks: in both runs the frames are stamped on the wall clock, as a live receiver stamps them — Date.now()
 * when the run's clock starts plus the monotonic time since, at the moment a frame is pushed into the queue
 * (its reception) — and the page measures against its own Date.now() when it has drawn an update (same
 * machine, same system clock). Latencies come from the page's 'odid:render' performance marks (web/hooks.ts),
 * every one of them collected by a PerformanceObserver installed before the page's own code: for each update
 * that moved a drone, Date.now() - position.t (the reception of the position drawn), and for each update
 * drawn, Date.now() - lastSeen (the reception of its newest message). The pool's scene starts 15 minutes
 * ahead of the wall clock: Location timestamps then read as sent in the future rather than as stale (a
 * Location timestamp only gives the time within the hour), and the tracker is told to allow that much clock
 * skew (LoadOptions.sceneLeadMs), so that its timestamp check does not flag the whole honest fleet.
 *
 * CPUs: the measured process gets a CPU to itself, and the page's Chromium (with this process) the others
 * (cpu-split.ts says why); --shared-cpus leaves them all to the scheduler.
 *
 * Length: 60 s a run by default. A run starts with a thousand drones appearing within a second (a whole
 * summary and a new-drone alert each) and the session recording filling its 16 MB (~12 s at this load):
 * in 20 s runs those took a third of the run, and benches of the same code gave the map anything from +2.2
 * to +4.7 points of a core; 60 s runs gave +2.0, +2.9 and +2.7 (a bench's bare runs within 1.2 points of
 * each other).
 *
 * Measured: the receiver's CPU time each run and the extra (goal: at most 10 % more; also after each run's
 * first 5 s, without the one-off work of the fleet appearing and of the JIT compiling the map's code — with
 * --one-process V8 drops it during the bare run before), the page's reception
 * → shown latencies (goal: 500 ms), tracks and positions on the page against the tracker's at the end,
 * WebSocket bytes the page received, RSS, drops and the receiver's own latency both ways. It throws if the
 * page never connects, never draws an update, or raises an error.
 *
 * Run alone: `node --import tsx --conditions=@odid/source packages/receiver/bench/web-map.bench.ts
 * [--seconds 60] [--drones 1000] [--rounds 2] [--states-per-second 1000] [--web-first] [--shared-cpus] [--uncompiled]
 * [--page-profile FILE] [--survivors] [--one-process]`. --states-per-second is the map's track states a second in all (the batcher's
 * default; 2 × drones or more sends each drone twice a second, as a crowd-less map would). --seconds
 * is each run's length (all runs together at most 800 s); --rounds the number of runs with the map, each
 * followed by a bare one; --web-first runs the map first, then one bare run (with
 * --one-process the bare run then gets whatever warmth the first left); --uncompiled measures the TypeScript sources under tsx instead of the bundle; --page-profile
 * writes a CPU profile of the page over the map run (Chromium's, a .cpuprofile for DevTools); --survivors
 * samples, in each run after its first seconds, what outlives the young generation by allocation site
 * (heap-survivors.ts; the sampler's own cost is in that bench's CPU figures). Each run has a process of its
 * own because that is how rid-scan runs, with --web or without: the map there from the process's start. With
 * --one-process (the bench before session 11) the map is attached to a pipeline V8 has optimised without it,
 * and detached again, which a receiver never does; in session 11 that put the figure ~3 points of the 10 %
 * higher (+8.9 to +11.8 % against +5.5 to +8.8 %). For the receiver's own
 * profile, run the bench under `node --cpu-prof`: the measured process inherits the flag.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimulatedScene } from '@odid/transmitter';
import type { Browser } from 'playwright-core';
import { guardedPage, launchBrowser, waitFor } from '../../../test/web/browser.js';
import { DEFAULT_STATES_PER_SECOND } from '../src/outputs/web/batcher.js';
import { buildWebPage } from '../web/build.js';
import { bundle } from './bundle.js';
import { pinReceiver, splitCpus, undoSplit, type CpuSplit } from './cpu-split.js';
import { FRAMES_PER_DRONE_PER_S, buildFleet } from './fleet.js';
import { buildFramePool, type PoolSummary } from './frame-pool.js';
import { siteNamer, survivorRows, type SurvivorRow } from './heap-survivors.js';
import type { RealTimeResult } from './load.js';
import { machine } from './receiver.bench.js';
import { WEB_LOAD_FLAG, type FromLoad, type ToLoad, type WebLoadOptions, type WebLoadResult } from './web-map-load.js';

export interface WebMapBenchOptions {
  /** Length of each run, s. */
  seconds?: number;
  drones?: number;
  /** Runs with the map (default 2), each between two bare runs: bare, map, bare, map, bare. */
  rounds?: number;
  /** Run with the map first, then one bare run (instead of bare, map, bare). */
  webFirst?: boolean;
  /** Measure the TypeScript sources under tsx rather than the compiled bundle. */
  uncompiled?: boolean;
  /** Leave every CPU to the scheduler instead of giving the measured process one of its own (cpu-split.ts). */
  sharedCpus?: boolean;
  /** Write a CPU profile of the page over the map run here. */
  pageProfile?: string;
  /** All runs in one receiver process, instead of each in one of its own (with its own warm-up, as rid-scan). */
  oneProcess?: boolean;
  /** The map's track states a second in all (default: the batcher's, DEFAULT_STATES_PER_SECOND). */
  statesPerSecond?: number;
  /** Sample what outlives the young generation in each run (heap-survivors.ts). */
  survivors?: boolean;
  log?: (line: string) => void;
}

export interface Quantiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** How one map run's page ended. */
export interface PageEnd {
  /** Tracks on the page after the run, those whose latest position is the tracker's, the tracker's tracks. */
  tracks: number;
  current: number;
  trackerTracks: number;
  /** How far the page was behind when the last frame had been processed: the largest gap, over the tracks, between the tracker's latest position and the page's, ms. */
  behindMs: number;
  /** From the last frame processed until the page showed every track's latest position; null if it did not within SETTLE_TIMEOUT_MS. */
  caughtUpMs: number | null;
}

/** The pages of all the map runs (a fresh page each run), their samples together. */
export interface PageFigures {
  /** Renders that drew at least one track. */
  renders: number;
  /** Reception of the position drawn → drawn, ms, for every update that moved a drone. */
  position: Quantiles;
  /** The same for the positions drawn after the first STARTUP_MS of each run (the fleet appearing at once). */
  positionSteady: Quantiles;
  /** For each map run, the worst position latency drawn in each of its seconds, ms (0 for a second that drew none). */
  worstBySecond: number[][];
  /** Reception of the newest message of the update → drawn, ms (the page's own latencyMs). */
  message: Quantiles;
  /** Each map run's end. */
  ends: PageEnd[];
  /** What the pages received over the WebSocket while the load ran. */
  wsBytesPerS: number;
  wsMessagesPerS: number;
  /** The page's main thread busy (Chromium's TaskDuration) over the runs, % of the wall time. */
  mainThreadPct: number;
  /** The machine's 1-minute load average when the first map run started and when the last ended: how shared the cores were. */
  loadAvg: [number, number];
}

export interface WebMapBenchResult {
  machine: string;
  drones: number;
  seconds: number;
  webFirst: boolean;
  processPerRun: boolean;
  compiled: boolean;
  /** The map's track states a second in all. */
  statesPerSecond: number;
  /** Where the receiver and the page ran: the split, or why the CPUs were shared. */
  cpus: CpuSplit | { why: string };
  pool: PoolSummary;
  /** The bare runs and the map's, each in order. */
  plain: RealTimeResult[];
  web: RealTimeResult[];
  warmUp: WebLoadResult['warmUp'];
  recording: NonNullable<WebLoadResult['recording']>;
  server: NonNullable<WebLoadResult['server']>;
  /** CPU per wall second, the map runs' mean against the bare runs' mean: relative, %, and in points of one core. */
  extraCpuPct: number;
  extraCorePoints: number;
  /** The same after each run's first `steadyAfterS` seconds (the fleet appearing, the JIT's work left out). */
  steadyExtraCpuPct: number;
  steadyExtraCorePoints: number;
  steadyAfterS: number;
  page: PageFigures;
  /** With --survivors: every run's total, then the sites, most added by the map first. */
  survivors?: { total: SurvivorRow; sites: SurvivorRow[] };
}

const WEB_LOAD_SOURCE = fileURLToPath(new URL('./web-map-load.ts', import.meta.url));
/** How far the pool's scene clock runs ahead of the wall clock (see the header). */
const SCENE_LEAD_MS = 15 * 60_000;
/** The start of the map run, when a thousand drones appear within a second: reported apart as well. */
const STARTUP_MS = 2000;
/** How long the page may take to connect, and after the run to show the tracker's final state. */
const CONNECT_TIMEOUT_MS = 30_000;
const SETTLE_TIMEOUT_MS = 15_000;

export async function benchWebMap(opts: WebMapBenchOptions = {}): Promise<WebMapBenchResult> {
  const seconds = opts.seconds ?? 60;
  const droneCount = opts.drones ?? 1000;
  const webFirst = opts.webFirst ?? false;
  const rounds = opts.rounds ?? 2;
  const statesPerSecond = opts.statesPerSecond ?? DEFAULT_STATES_PER_SECOND;
  const compiled = !opts.uncompiled;
  const log = opts.log ?? ((line: string) => void process.stderr.write(`web-map bench: ${line}\n`));
  if (!(seconds > 0) || !(droneCount > 0)) throw new RangeError('--seconds and --drones must be > 0');
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError('--rounds must be a whole number ≥ 1');
  if (!(statesPerSecond > 0)) throw new RangeError('--states-per-second must be > 0');
  const runs: WebLoadOptions['runs'] = webFirst ? ['map', 'bare'] : ['bare', ...Array.from({ length: rounds }, () => ['map', 'bare'] as const).flat()];
  // Every run must start before the wall clock catches up with the scene's (SCENE_LEAD_MS).
  if (seconds * runs.length > 800) throw new RangeError(`--seconds × runs is at most 800 s (here ${seconds} × ${runs.length}): the scene runs 15 minutes ahead of the wall clock (see the header)`);

  const startMs = Date.now() + SCENE_LEAD_MS;
  const fleet = { drones: droneCount, emergencyAfterS: seconds / 2 };
  const receiver = SimulatedScene.centre(buildFleet(fleet));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'odid-web-map-bench-'));
  let browser: Browser | undefined;
  let cpus: CpuSplit | { why: string } = { why: '--shared-cpus' };
  try {
    log(`generating ${seconds} s of frames from ${droneCount} drones (${droneCount * FRAMES_PER_DRONE_PER_S} frames/s), building the page...`);
    const assetsDir = path.join(dir, 'web');
    const [pool] = await Promise.all([buildFramePool({ fleet, startMs, durationMs: seconds * 1000, dir }), buildWebPage(assetsDir, opts.pageProfile ? { minify: false } : {})]);
    let bundled: string | undefined;
    if (compiled) await bundle(WEB_LOAD_SOURCE, (bundled = path.join(dir, 'web-map-load.mjs')));
    // Before the browser starts: it, and every process it starts, inherits the CPUs left to this one.
    if (!opts.sharedCpus) cpus = splitCpus();
    log('receiver' in cpus ? `the measured receiver on CPU ${cpus.receiver}, the page and this process on CPU ${cpus.rest}` : `CPUs shared (${cpus.why})`);
    browser = await launchBrowser();
    log(`${pool.frames} frames made in ${pool.buildSeconds.toFixed(1)} s; running ${seconds} s ${runs.map((r) => (r === 'map' ? 'with the map' : 'bare')).join(', then ')}...`);
    const warmupSeconds = Math.min(5, seconds / 4);
    const job: WebLoadOptions = {
      paths: pool.paths,
      seconds,
      warmupSeconds,
      startMs,
      drainMs: 0,
      tickMs: 100,
      historyLimit: undefined,
      receiver,
      trace: false,
      offlineFrames: 0,
      wallClock: true,
      sceneLeadMs: SCENE_LEAD_MS,
      assetsDir,
      runs,
      statesPerSecond,
      ...(opts.survivors ? { survivorsAfterS: warmupSeconds } : {}),
    };
    const { result, page } = await measure(job, bundled, browser, log, 'receiver' in cpus ? cpus : undefined, opts.pageProfile, !opts.oneProcess);
    const perWall = (r: RealTimeResult): number => r.cpuSeconds / r.wallSeconds;
    const steadyPerWall = (r: RealTimeResult): number => r.steadyCpuSeconds / r.steadyWallSeconds;
    const mean = (list: RealTimeResult[], f = perWall): number => list.reduce((sum, r) => sum + f(r), 0) / list.length;
    const bare = mean(result.plain);
    const withMap = mean(result.web);
    const steadyBare = mean(result.plain, steadyPerWall);
    const steadyWithMap = mean(result.web, steadyPerWall);
    return {
      machine: machine(),
      drones: droneCount,
      seconds,
      webFirst,
      processPerRun: !opts.oneProcess,
      compiled,
      statesPerSecond,
      cpus,
      pool,
      plain: result.plain,
      web: result.web,
      warmUp: result.warmUp,
      recording: result.recording!,
      server: result.server!,
      extraCpuPct: (100 * (withMap - bare)) / bare,
      extraCorePoints: 100 * (withMap - bare),
      steadyExtraCpuPct: (100 * (steadyWithMap - steadyBare)) / steadyBare,
      steadyExtraCorePoints: 100 * (steadyWithMap - steadyBare),
      steadyAfterS: job.warmupSeconds,
      page,
      ...(result.survivors ? { survivors: survivorRows(result.survivors, siteNamer(bundled ? { url: bundled, text: readFileSync(bundled, 'utf8') } : undefined)) } : {}),
    };
  } finally {
    await browser?.close();
    if ('receiver' in cpus) undoSplit(cpus);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The child's messages, awaited one type at a time; a wait fails if the child ends or takes too long. */
class Inbox {
  private readonly got: FromLoad[] = [];
  private readonly waiting: { type: string; resolve: (m: FromLoad) => void; reject: (e: Error) => void }[] = [];
  private ended: Error | undefined;
  /** Resolves when the child exits with 0, rejects otherwise. */
  readonly exit: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    child.on('message', (m) => {
      const msg = m as FromLoad;
      const i = this.waiting.findIndex((w) => w.type === msg.type);
      if (i >= 0) this.waiting.splice(i, 1)[0]!.resolve(msg);
      else this.got.push(msg);
    });
    this.exit = new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        this.ended = new Error(`the measured receiver process ended (exit ${code ?? signal})`);
        for (const w of this.waiting.splice(0)) w.reject(this.ended);
        if (code === 0) resolve();
        else reject(this.ended);
      });
    });
    // Awaited by whoever needs it; a failed exit must not also be an unhandled rejection.
    this.exit.catch(() => undefined);
  }

  next<T extends FromLoad['type']>(type: T, timeoutMs: number, what: string): Promise<Extract<FromLoad, { type: T }>> {
    const i = this.got.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.got.splice(i, 1)[0] as Extract<FromLoad, { type: T }>);
    if (this.ended) return Promise.reject(new Error(`${this.ended.message} before ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} from the measured receiver process within ${timeoutMs / 1000} s`)), timeoutMs);
      this.waiting.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<FromLoad, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(new Error(`${e.message} before ${what}`));
        },
      });
    });
  }

  send(msg: ToLoad): void {
    this.child.send(msg);
  }
}

/** What the init script gathers in the page from every 'odid:render' mark (see hooks.ts). */
interface Gathered {
  renders: number;
  latencyMs: number[];
  positionLatencyMs: number[];
  /** When each of positionLatencyMs was drawn (the mark's time on the page's wall clock, ms). */
  positionAtMs: number[];
}

/** The page's globals the bench reads (the root project has no DOM typings). */
interface PageGlobals {
  __benchRenders: Gathered;
  __odid: { connection(): string; hello(): unknown; tracks(): { key: string; position: { t: number } | null }[] };
  PerformanceObserver: new (fn: (list: { getEntries(): { name: string; detail?: unknown; startTime: number }[] }) => void) => { observe(o: { type: string; buffered: boolean }): void };
  performance: { timeOrigin: number };
}

/** What one map run's page gave. */
interface PageRun {
  gathered: Gathered;
  /** When the run's clock started (wall ms) and how long it ran, s. */
  began: number;
  loadSeconds: number;
  end: PageEnd;
  wsBytes: number;
  wsMessages: number;
  /** The page's main thread busy over the run, s. */
  mainThreadS: number;
  loadAvg: [number, number];
}

/** Runs the measured process and plays the page's part in each of its map runs: a fresh page each time. */
async function measure(
  job: WebLoadOptions,
  bundled: string | undefined,
  browser: Browser,
  log: (line: string) => void,
  split: CpuSplit | undefined,
  pageProfile: string | undefined,
  processPerRun: boolean,
): Promise<{ result: WebLoadResult; page: PageFigures }> {
  const profiling = process.execArgv.filter((a) => /^--((cpu|heap)-prof|trace-gc|trace-incremental-marking)/.test(a));
  // --expose-gc: the collection between the two runs.
  const execArgv = bundled ? [...profiling, '--expose-gc'] : [...profiling, '--expose-gc', '--conditions=@odid/source', '--import', 'tsx'];
  const mapRuns = job.runs.filter((r) => r === 'map').length;
  const pages: PageRun[] = [];
  const results: WebLoadResult[] = [];
  for (const runs of processPerRun ? job.runs.map((r) => [r]) : [job.runs]) {
    const child = fork(bundled ?? WEB_LOAD_SOURCE, [WEB_LOAD_FLAG, JSON.stringify({ ...job, runs })], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    if (split) pinReceiver(split, child.pid!);
    const inbox = new Inbox(child);
    try {
      for (const run of runs) {
        // Only the first map run is profiled: one profile is what DevTools opens.
        if (run === 'map') pages.push(await pageRun(inbox, job, browser, log, `${pages.length + 1} of ${mapRuns}`, pages.length === 0 ? pageProfile : undefined));
      }
      // After a bare run more, when the map's was not the last.
      const { result } = await inbox.next('result', (job.seconds + 60) * 1000, 'the results');
      await inbox.exit;
      results.push(result);
    } catch (e) {
      // The process this bench started, by its handle.
      if (child.exitCode === null && child.signalCode === null) child.kill();
      throw e;
    }
  }
  const withMap = results.filter((r) => r.recording);
  const last = withMap[withMap.length - 1]!;
  const survivors = results.flatMap((r) => r.survivors ?? []);
  const result: WebLoadResult = {
    plain: results.flatMap((r) => r.plain),
    web: results.flatMap((r) => r.web),
    warmUp: results[0]!.warmUp,
    recording: last.recording!,
    server: last.server!,
    ...(job.survivorsAfterS !== undefined ? { survivors } : {}),
  };
  return { result, page: pageFigures(pages) };
}

/** One map run: a page opened on the run's server before its clock starts, read when the run ends. */
async function pageRun(inbox: Inbox, job: WebLoadOptions, browser: Browser, log: (line: string) => void, which: string, pageProfile?: string): Promise<PageRun> {
  const context = await browser.newContext();
  try {
    // A bare run comes first: its length, plus start-up.
    const { url } = await inbox.next('map', (job.seconds + 120) * 1000, 'the map URL');
    const { page, guard } = await guardedPage(context, new URL(url).origin);
    await page.addInitScript(() => {
      const g = globalThis as unknown as PageGlobals;
      const got: Gathered = { renders: 0, latencyMs: [], positionLatencyMs: [], positionAtMs: [] };
      g.__benchRenders = got;
      new g.PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const d = e.detail as { tracks?: number; latencyMs?: number[]; positionLatencyMs?: number[] } | undefined;
          if (e.name !== 'odid:render' || !d?.tracks) continue;
          got.renders++;
          for (const v of d.latencyMs ?? []) got.latencyMs.push(v);
          const at = g.performance.timeOrigin + e.startTime;
          for (const v of d.positionLatencyMs ?? []) {
            got.positionLatencyMs.push(v);
            got.positionAtMs.push(at);
          }
        }
      }).observe({ type: 'mark', buffered: true });
    });
    let wsBytes = 0;
    let wsMessages = 0;
    let counting = false;
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        if (!counting) return;
        wsBytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
        wsMessages++;
      }),
    );
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async (): Promise<number> => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;

    await page.goto(url);
    try {
      await waitFor(
        'the page to connect',
        async () => ((await page.evaluate(() => (globalThis as unknown as PageGlobals).__odid.connection() === 'open' && (globalThis as unknown as PageGlobals).__odid.hello() !== null)) ? true : undefined),
        CONNECT_TIMEOUT_MS,
      );
    } catch (e) {
      throw new Error(`the map page at ${url} never connected to the receiver: ${(e as Error).message}${guard.pageErrors.length ? `; page errors: ${guard.pageErrors.join('; ')}` : ''}`);
    }
    log(`page connected; map run ${which} starting`);
    if (pageProfile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
      // And where the page's time outside its script goes (style, layout, paint): a trace beside it.
      await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    }
    counting = true;
    const began = Date.now();
    const task0 = await taskSeconds();
    const load0 = os.loadavg()[0]!;
    inbox.send({ type: 'go' });

    const { positions } = await inbox.next('loaded', (job.seconds + 60) * 1000, 'the end of the map run');
    counting = false;
    if (pageProfile) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(pageProfile, JSON.stringify(profile));
      const trace = pageProfile.replace(/(\.cpuprofile)?$/, '.trace.json');
      writeFileSync(trace, await browser.stopTracing());
      log(`page profile written to ${pageProfile}, its trace to ${trace}`);
    }
    const loadAvg: [number, number] = [load0, os.loadavg()[0]!];
    const loadSeconds = (Date.now() - began) / 1000;
    const mainThreadS = (await taskSeconds()) - task0;
    // Until the page shows every track at the tracker's latest position (the batcher's and the page's own
    // intervals: about a second), or it is plainly not going to.
    const keys = Object.keys(positions);
    const settled = Date.now();
    let shown: Record<string, number | null> = {};
    let current = 0;
    let caughtUpMs: number | null = null;
    let behindMs: number | undefined;
    for (;;) {
      shown = await page.evaluate(() => {
        const out: Record<string, number | null> = {};
        for (const t of (globalThis as unknown as PageGlobals).__odid.tracks()) out[t.key] = t.position ? t.position.t : null;
        return out;
      });
      behindMs ??= Math.max(0, ...keys.map((k) => ((positions[k] ?? 0) - (shown[k] ?? -Infinity)) * 1000));
      current = keys.filter((k) => k in shown && shown[k] === positions[k]).length;
      if (current === keys.length && Object.keys(shown).length === keys.length) {
        caughtUpMs = Date.now() - settled;
        break;
      }
      if (Date.now() - settled > SETTLE_TIMEOUT_MS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const gathered = await page.evaluate(() => (globalThis as unknown as PageGlobals).__benchRenders);
    inbox.send({ type: 'close' });

    if (guard.pageErrors.length > 0) throw new Error(`the map page raised errors under load: ${guard.pageErrors.slice(0, 5).join('; ')}`);
    if (gathered.renders === 0 || gathered.latencyMs.length === 0) throw new Error(`the map page drew no live update in the ${job.seconds} s map run (renders with tracks: ${gathered.renders})`);
    if (gathered.positionLatencyMs.length === 0) throw new Error(`the map page drew ${gathered.latencyMs.length} updates but no position: its render marks carry no position latencies`);
    return {
      gathered,
      began,
      loadSeconds,
      end: { tracks: Object.keys(shown).length, current, trackerTracks: keys.length, behindMs: behindMs ?? NaN, caughtUpMs },
      wsBytes,
      wsMessages,
      mainThreadS,
      loadAvg,
    };
  } finally {
    await context.close();
  }
}

/** The map runs' pages together: latencies over all their samples, each run's end and worst seconds. */
function pageFigures(runs: readonly PageRun[]): PageFigures {
  const all = (f: (g: Gathered) => number[]): number[] => runs.flatMap((r) => f(r.gathered));
  const steady = runs.flatMap(({ gathered: g, began }) => g.positionLatencyMs.filter((_, i) => g.positionAtMs[i]! >= began + STARTUP_MS));
  const worstBySecond = runs.map(({ gathered: g, began, loadSeconds }) => {
    const worst = Array.from({ length: Math.ceil(loadSeconds) }, () => 0);
    g.positionLatencyMs.forEach((v, i) => {
      const s = Math.floor((g.positionAtMs[i]! - began) / 1000);
      if (s >= 0 && s < worst.length) worst[s] = Math.max(worst[s]!, v);
    });
    return worst;
  });
  const seconds = runs.reduce((sum, r) => sum + r.loadSeconds, 0);
  return {
    renders: runs.reduce((sum, r) => sum + r.gathered.renders, 0),
    position: quantiles(all((g) => g.positionLatencyMs)),
    positionSteady: quantiles(steady),
    worstBySecond,
    message: quantiles(all((g) => g.latencyMs)),
    ends: runs.map((r) => r.end),
    wsBytesPerS: runs.reduce((sum, r) => sum + r.wsBytes, 0) / seconds,
    wsMessagesPerS: runs.reduce((sum, r) => sum + r.wsMessages, 0) / seconds,
    mainThreadPct: (100 * runs.reduce((sum, r) => sum + r.mainThreadS, 0)) / seconds,
    loadAvg: [runs[0]!.loadAvg[0], runs[runs.length - 1]!.loadAvg[1]],
  };
}

/** Nearest-rank quantiles of `values`, ms. */
export function quantiles(values: readonly number[]): Quantiles {
  const s = Float64Array.from(values).sort();
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { count: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const check = (ok: boolean): string => (ok ? 'ok' : '**missed**');
const cpu = (r: RealTimeResult): string => `${r.cpuSeconds.toFixed(1)} s in ${r.wallSeconds.toFixed(1)} s = ${((100 * r.cpuSeconds) / r.wallSeconds).toFixed(1)} % of one core`;
const q = (v: Quantiles): string => `${int(v.p50)} / ${int(v.p95)} / ${int(v.p99)} / ${int(v.max)} ms`;

export function printWebMap(r: WebMapBenchResult): void {
  const { plain, web, page } = r;
  const code = r.compiled ? 'compiled bundle, plain node' : 'TypeScript under tsx';
  const order = r.webFirst ? 'with the map, then bare' : `bare, then ${web.length === 1 ? 'with the map and bare again' : `${web.length} times with the map and bare again`}; the map runs' mean against the bare runs' mean`;
  console.log(`Machine: ${r.machine}; load average (1 min) ${page.loadAvg[0].toFixed(1)} when the first map run started, ${page.loadAvg[1].toFixed(1)} when the last ended`);
  const processes = r.processPerRun ? ', each in a receiver process of its own, warmed up as rid-scan is' : ' in one receiver process';
  console.log(
    `Load: ${int(r.drones)} drones, ${r.seconds} s a run${processes} (${code}; ${order}; a full GC before each run); ` +
      `the map attached by rid-scan's startWebMap on 127.0.0.1 (each track at most twice a second, ${int(r.statesPerSecond)} track states a second in all), a headless Chromium page connected before each map run's clock starts; ` +
      `${'receiver' in r.cpus ? `the receiver alone on CPU ${r.cpus.receiver}, the page and the bench on CPU ${r.cpus.rest}` : `every CPU shared (${r.cpus.why})`}; ` +
      `frames stamped on the wall clock at reception, the page measuring with its own Date.now()\n`,
  );
  const flags = (x: RealTimeResult): string => Object.entries(x.flagged).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  // Each column: each run's figure, in order.
  const each = (f: (x: RealTimeResult) => string): string => plain.map(f).join('; ');
  const eachMap = (f: (x: RealTimeResult) => string): string => web.map(f).join('; ');
  const runsOf = (n: number): string => (n === 1 ? 'one run' : `${n} runs, in order`);
  console.log(`| metric | without the map (${runsOf(plain.length)}) | with the map (${runsOf(web.length)}) | target |\n|---|---|---|---|`);
  console.log(`| receiver CPU | ${each(cpu)} | ${eachMap(cpu)} | |`);
  const extra = (pct: number, points: number): string => `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} % of the receiver's (${points >= 0 ? '+' : ''}${points.toFixed(1)} points of one core)`;
  console.log(`| CPU the web output adds | | ${extra(r.extraCpuPct, r.extraCorePoints)} | ≤ 10 %: ${check(r.extraCpuPct <= 10)} |`);
  console.log(`| the same after each run's first ${r.steadyAfterS} s (the fleet appearing, the JIT's work) | | ${extra(r.steadyExtraCpuPct, r.steadyExtraCorePoints)} | |`);
  console.log(`| page: position reception → drawn, p50 / p95 / p99 / max | | ${q(page.position)} (${int(page.position.count)} positions) | ≤ 500 ms: p95 ${check(page.position.p95 <= 500)}, max ${check(page.position.max <= 500)} |`);
  console.log(`| the same after the first ${STARTUP_MS / 1000} s (the fleet appearing) | | ${q(page.positionSteady)} (${int(page.positionSteady.count)} positions) | |`);
  console.log(`| page: worst position latency in each second of the run | | ${page.worstBySecond.map((run) => `${run.map(int).join(', ')} ms`).join('; ')} | |`);
  console.log(`| page: newest message of the update → drawn, p50 / p95 / p99 / max | | ${q(page.message)} (${int(page.message.count)} updates, ${int(page.renders)} renders) | |`);
  const end = (e: PageEnd): string =>
    `${int(e.tracks)} / ${int(e.trackerTracks)}, ${int(e.current)} at the tracker's latest position, ${int(e.behindMs)} ms behind at the last frame, ${e.caughtUpMs === null ? `**not caught up ${SETTLE_TIMEOUT_MS / 1000} s later**` : `caught up ${int(e.caughtUpMs)} ms later`}`;
  console.log(`| tracks at the end: page / tracker | | ${page.ends.map(end).join('; ')} | equal |`);
  console.log(`| WebSocket to the page | | ${(page.wsBytesPerS / 1024).toFixed(0)} KB/s in ${page.wsMessagesPerS.toFixed(1)} messages/s | |`);
  console.log(`| page main thread busy (Chromium TaskDuration) | | ${page.mainThreadPct.toFixed(0)} % of the run | |`);
  const offered = (x: RealTimeResult): string => `${int(x.offered)} / ${int(x.dropped)}`;
  console.log(`| frames offered / dropped | ${each(offered)} | ${eachMap(offered)} | 0 dropped |`);
  const latency = (x: RealTimeResult): string => `${ms(x.latency.p50)} / ${ms(x.latency.p99)} / ${ms(x.latency.max)} ms`;
  console.log(`| receiver latency arrival → update, p50 / p99 / max | ${each(latency)} | ${eachMap(latency)} | |`);
  const rss = (x: RealTimeResult): string => `${x.peakRssMb.toFixed(0)} MB (${x.baselineRssMb.toFixed(0)}; ${x.heapUsedMb.toFixed(0)})`;
  console.log(`| peak RSS (before the first frame; heap used at the end) | ${each(rss)} | ${eachMap(rss)} | |`);
  const gc = (x: RealTimeResult): string => `${x.gcCount} pauses, ${x.gcTotalMs.toFixed(0)} ms; ${x.gcFullCount} full`;
  console.log(`| GC: pauses, their time; full collections | ${each(gc)} | ${eachMap(gc)} | |`);
  const tracks = (x: RealTimeResult): string => `${int(x.tracks)} (${flags(x)})`;
  console.log(`| tracks (flags) | ${each(tracks)} | ${eachMap(tracks)} | |`);
  const rec = r.recording;
  const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);
  console.log(
    `| session recording (the page's session.cbor, last map run) | | ${int(rec.frames)} frames held, ${mb(rec.frameBytes)} MB in ${mb(rec.heldBytes)} MB of blocks (${rec.frames ? (rec.frameBytes / rec.frames).toFixed(0) : '—'} B a frame), ${int(rec.dropped)} let go | ≤ ${mb(rec.maxBytes)} MB |`,
  );
  console.log(`| snapshots sent (catch-ups after falling behind) / batches skipped, last map run | | ${r.server.snapshots} (${r.server.catchUps}) / ${r.server.skipped} | |`);
  if (r.survivors) printSurvivors(r.survivors, r.steadyAfterS);
}

/** Sites whose objects outlived the young generation shown: as many as the map adds most to. */
const SURVIVOR_ROWS = 15;

function printSurvivors(s: NonNullable<WebMapBenchResult['survivors']>, afterS: number): void {
  const kb = (v: number[]): string => v.map((x) => x.toFixed(0)).join('; ');
  console.log(`\nWhat outlived the young generation after each run's first ${afterS} s (V8's sampling heap profiler: what full collections reclaimed or was still alive; KB/s, each run in order; a site inlined elsewhere is counted where it was inlined):\n`);
  console.log('| allocation site (function, module) | without the map | with the map | the map adds |\n|---|---|---|---|');
  const row = (r: SurvivorRow): void => console.log(`| ${r.site} | ${kb(r.bare)} | ${kb(r.map)} | ${r.adds.toFixed(0)} |`);
  row(s.total);
  s.sites.slice(0, SURVIVOR_ROWS).forEach(row);
}

/** For `pnpm bench` (packages/codec/bench/run.ts). */
export async function runWebMapBench(opts: WebMapBenchOptions = {}): Promise<void> {
  const drones = opts.drones ?? 1000;
  console.log(`\n## Live map under load: ${int(drones)} drones, ${int(drones * FRAMES_PER_DRONE_PER_S)} frames/s, without and with the web output\n`);
  printWebMap(await benchWebMap(opts));
}

function parseArgs(argv: string[]): WebMapBenchOptions {
  const out: WebMapBenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--web-first') out.webFirst = true;
    else if (a === '--uncompiled') out.uncompiled = true;
    else if (a === '--shared-cpus') out.sharedCpus = true;
    else if ((a === '--seconds' || a === '--drones' || a === '--rounds') && Number.isFinite(Number(argv[i + 1]))) out[a.slice(2) as 'seconds' | 'drones' | 'rounds'] = Number(argv[++i]);
    else if (a === '--states-per-second' && Number.isFinite(Number(argv[i + 1]))) out.statesPerSecond = Number(argv[++i]);
    else if (a === '--page-profile' && argv[i + 1]) out.pageProfile = path.resolve(argv[++i]!);
    else if (a === '--survivors') out.survivors = true;
    else if (a === '--one-process') out.oneProcess = true;
    else throw new Error(`usage: web-map.bench.ts [--seconds N] [--drones N] [--rounds N] [--states-per-second N] [--web-first] [--shared-cpus] [--uncompiled] [--page-profile FILE] [--survivors] [--one-process] (at ${a})`);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runWebMapBench(parseArgs(process.argv.slice(2)));
}
