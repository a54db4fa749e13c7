/**
 * Role: the coverage-guided fuzzer (our equivalent of Jazzer.js, which cannot run here: see the codec README).
 * For one target (coverage-target.ts) it keeps a corpus of inputs that each reached code no earlier input
 * reached, picks entries from it (favouring recent and small ones), mutates them (the engine's byte mutator,
 * splicing between entries, and the target's structure-aware mutator where it has one), runs the results and
 * keeps those that reach new blocks, or a block's new count bucket (coverage.ts).
 *
 * Reading coverage costs about a millisecond, against microseconds for most inputs, so inputs run in
 * batches and coverage is read once per batch:
 * - a block reached by the batch and never before was reached by one of its inputs: the batch is split in
 *   halves, each run again and read, down to the inputs that reach it (about 2 × batch runs, 2 log2(batch)
 *   reads). New blocks are never missed this way.
 * - count buckets cannot be told apart in a batch's sum, so one input of every batch also runs alone; it is
 *   kept when it reaches a new bucket.
 * The batch size follows the target's speed (for reads to cost about a tenth of the time) and how often
 * batches need splitting, or is fixed.
 * Code that behaves differently the second time (a cache) can reach a block in a batch that no input reaches
 * alone: such a block sends a batch to split() once, not again and again.
 *
 * Deterministic for a seed with a fixed batch size and an input budget: inputs follow from the run's seed,
 * the target's name and what is kept from the coverage they reach.
 */

import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Random, deriveSeed } from '../../../../test/support/random.js';
import { CoverageMap, type CoverageProbe, type CoverageSample } from './coverage.js';
import type { CoverageTarget } from './coverage-target.js';
import { REPLAYS, REPLAY_ABOVE_MS } from './driver.js';
import { Mutator, toSeeds, type Seed } from './mutate.js';
import { hexOf } from './report.js';

export interface GuidedOptions {
  /** Started before the code under test was imported (coverage.ts). */
  probe: CoverageProbe;
  seed: number;
  /** Stop after this many generated inputs (the starting ones not counted). */
  inputs?: number;
  /** Stop after this long (ms). With neither budget: DEFAULT_INPUTS inputs. */
  timeMs?: number;
  /** More inputs to start from (a saved corpus). */
  corpus?: readonly Uint8Array[];
  /** An input whose own cost (fastest of REPLAYS runs) is above this many ms is a failure. Default 50. */
  maxMs?: number;
  /**
   * false: no feedback: every input is made from a starting one, though what reaches new coverage is still
   * found and kept in the report (the baseline the guidance is measured against).
   */
  guided?: boolean;
  /**
   * Inputs per coverage read. Default: set from the target's speed as it goes (reads then cost about a tenth
   * of the time), which makes a run depend on the machine's speed; a fixed size makes it deterministic.
   */
  batchSize?: number;
  /** Shrink each distinct failure's input before reporting it (default false). */
  minimize?: boolean;
  /** Each input kept for new coverage (the starting ones are not passed). */
  onInteresting?(input: Uint8Array): void;
  /** Each new distinct failure. */
  onFailure?(failure: GuidedFailure): void;
  /** About every progressEveryMs (default 10 s): the report so far. */
  onProgress?(report: GuidedReport): void;
  progressEveryMs?: number;
}

export interface GuidedFailure {
  target: string;
  /** What went wrong, with the stack of a replay when something was thrown. */
  description: string;
  /** Its first line with the numbers taken out, and the top stack frame: failures with one signature are one bug. */
  signature: string;
  /** The input (shrunk when asked), and its hex. */
  input: Uint8Array;
  hex: string;
}

export interface GuidedReport {
  target: string;
  seed: number;
  guided: boolean;
  /** Starting inputs run, and what they reached: blocks, and (block, count bucket) pairs. */
  seeds: number;
  seedBlocks: number;
  seedFeatures: number;
  /** At the end. */
  blocks: number;
  features: number;
  /** Inputs that reached new coverage: starting ones, then those found by mutation (`found` of them). */
  kept: Uint8Array[];
  found: number;
  /** Inputs made by mutation; runs of the target in all (splits, replays and the starting ones included). */
  inputs: number;
  execs: number;
  /** Inputs per coverage read (at the end, when it follows the target's speed). */
  batchSize: number;
  batches: number;
  /** Batches that reached a new block and were split to find the inputs that did. */
  splits: number;
  /** Coverage reads, and their time (ms). */
  takes: number;
  takeMs: number;
  /** The largest own cost of an input (ms, fastest of REPLAYS), and that input. */
  slowestMs: number;
  slowestHex: string;
  failures: GuidedFailure[];
  /** Failing inputs, distinct or not. */
  failureCount: number;
  elapsedMs: number;
}

/** Distinct failures kept per target. */
const MAX_FAILURES = 20;
/** Batch sizes: the bounds, and the share of the time reading coverage aims at. */
const MIN_BATCH = 4;
const MAX_BATCH = 4096;
const TAKE_SHARE = 0.1;
export const DEFAULT_INPUTS = 10_000;

/**
 * Every input is handed to the target as a view that neither starts at its buffer's first byte nor ends at
 * its last (as the engine's Mutator does), so a reader that ignores byteOffset or reads past the view shows up.
 */
const LEAD = 3;
export function placed(bytes: Uint8Array, max = bytes.length): Uint8Array {
  const n = Math.min(bytes.length, max);
  const out = new Uint8Array(new ArrayBuffer(n + 2 * LEAD), LEAD, n);
  out.set(bytes.subarray(0, n));
  return out;
}

/** sha-1 of an input, 16 hex digits: its file name in a corpus or a regressions directory. */
export const inputId = (input: Uint8Array): string => createHash('sha1').update(input).digest('hex').slice(0, 16);

/** A failure's signature: the first line of what went wrong with its numbers taken out, and the top stack frame. */
export function failureSignature(description: string): string {
  const lines = description.split('\n');
  const head = (lines[0] ?? '').replace(/0x[0-9a-f]+|[0-9a-f]{16,}|\d+/gi, 'N').slice(0, 300);
  const frame = lines.find((l) => /^\s+at /.test(l))?.trim().replace(/:\d+:\d+\)?$/, '') ?? '';
  return frame ? `${head} | ${frame}` : head;
}

/** What went wrong when the target threw: its error, with the stack of a replay (stacks are off while fuzzing). */
async function describeThrown(e: unknown, replay: () => unknown): Promise<string> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  let stack = '(the replay did not throw)';
  try {
    await replay();
  } catch (again) {
    stack = again instanceof Error ? (again.stack ?? '') : String(again);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n${stack}`;
}

/** Runs the target once: what is wrong with what it did (undefined: nothing). */
export async function execTarget(target: CoverageTarget, input: Uint8Array): Promise<string | undefined> {
  try {
    const r = target.exec(input);
    return typeof r === 'object' ? await r : r;
  } catch (e) {
    return describeThrown(e, () => target.exec(input));
  }
}

interface Entry {
  bytes: Uint8Array;
  seed: Seed;
}

export async function fuzzGuided(target: CoverageTarget, opts: GuidedOptions): Promise<GuidedReport> {
  const { probe } = opts;
  const guided = opts.guided ?? true;
  const maxMs = opts.maxMs ?? 50;
  const maxLength = target.maxLength ?? 8192;
  const rng = new Random(deriveSeed(opts.seed, target.name));
  const mut = new Mutator(rng, maxLength);
  /** (block, bucket) pairs of inputs run alone: what decides novelty. */
  const map = new CoverageMap();
  /** Blocks reached by anything run (batch sums included): exact for blocks, the measure of reach. */
  const reach = new CoverageMap();
  /** Blocks that sent a batch to split() (found alone or not): not again. */
  const attempted = new CoverageMap();
  /** What inputs are made from: the kept inputs (unguided: the starting ones). */
  const corpus: Entry[] = [];
  const corpusBytes: Uint8Array[] = [];
  const corpusSeeds: Seed[] = [];
  const signatures = new Set<string>();
  const takes0 = probe.stats.takes;
  const takeMs0 = probe.stats.takeMs;
  const report: GuidedReport = {
    target: target.name, seed: opts.seed, guided, seeds: 0, seedBlocks: 0, seedFeatures: 0, blocks: 0, features: 0, kept: [], found: 0,
    inputs: 0, execs: 0, batchSize: 0, batches: 0, splits: 0, takes: 0, takeMs: 0, slowestMs: 0, slowestHex: '', failures: [], failureCount: 0, elapsedMs: 0,
  };
  const started = performance.now();
  const budgetInputs = opts.inputs ?? (opts.timeMs === undefined ? DEFAULT_INPUTS : Infinity);
  const deadline = opts.timeMs === undefined ? Infinity : started + opts.timeMs;
  const done = (): boolean => report.inputs >= budgetInputs || performance.now() >= deadline;
  let lastProgress = started;

  const addParent = (bytes: Uint8Array): void => {
    const entry: Entry = { bytes, seed: toSeeds([bytes])[0]! };
    corpus.push(entry);
    corpusBytes.push(bytes);
    corpusSeeds.push(entry.seed);
  };
  const keep = (bytes: Uint8Array, fromMutation: boolean): void => {
    const copy = bytes.slice();
    report.kept.push(copy);
    if (guided) addParent(copy);
    if (fromMutation) {
      report.found++;
      opts.onInteresting?.(copy);
    }
  };

  /** Runs one input: what is wrong (undefined: nothing) and how long it took. */
  const runOne = async (input: Uint8Array): Promise<{ bad: string | undefined; ms: number }> => {
    report.execs++;
    const t0 = performance.now();
    const bad = await execTarget(target, input);
    return { bad, ms: performance.now() - t0 };
  };

  /** An input's own cost: the fastest of REPLAYS runs (a GC pause or preemption is not its doing). */
  const ownCost = async (input: Uint8Array): Promise<number> => {
    let best = Infinity;
    for (let i = 0; i < REPLAYS; i++) best = Math.min(best, (await runOne(input)).ms);
    return best;
  };

  /** A failing input: counted, and kept (shrunk when asked, unless it is a starting one) when its signature is new. */
  const fail = async (input: Uint8Array, description: string, starting = false): Promise<void> => {
    report.failureCount++;
    const signature = failureSignature(description);
    if (signatures.has(signature) || report.failures.length >= MAX_FAILURES) return;
    signatures.add(signature);
    const shrunk = opts.minimize && !starting ? await minimizeFailure(target, input, signature) : input;
    // What the shrunk input itself does (the same failure, with its own numbers).
    const own = shrunk === input ? description : ((await execTarget(target, placed(shrunk))) ?? description);
    const failure: GuidedFailure = { target: target.name, description: own, signature, input: shrunk.slice(), hex: hexOf(shrunk) };
    report.failures.push(failure);
    opts.onFailure?.(failure);
  };

  /**
   * `inputs` reached something new together (`sample`): runs them again in halves, down to the ones that did,
   * and keeps each whose own run adds to the map. Inputs that failed are left out beforehand.
   */
  const split = async (inputs: Uint8Array[], sample: CoverageSample, fromMutation: boolean): Promise<void> => {
    if (inputs.length === 1) {
      if (map.add(sample) > 0) keep(inputs[0]!, fromMutation);
      return;
    }
    if (map.novelty(sample).newBlocks === 0) return;
    const half = inputs.length >> 1;
    for (const part of [inputs.slice(0, half), inputs.slice(half)]) {
      for (const input of part) await runOne(input);
      const s = probe.take();
      reach.add(s);
      await split(part, s, fromMutation);
    }
  };

  /**
   * Runs a batch, then reads its coverage: a new block sends it to split(); one input runs alone for its
   * count buckets. Failing inputs are reported, and slow ones timed again, after that (the counts of those
   * runs are dropped). `fromMutation` false: the starting inputs.
   */
  const runBatch = async (inputs: Uint8Array[], fromMutation: boolean): Promise<void> => {
    report.batches++;
    const t0 = performance.now();
    const ok: Uint8Array[] = [];
    const failed: { input: Uint8Array; bad: string }[] = [];
    const slow: Uint8Array[] = [];
    for (const input of inputs) {
      const r = await runOne(input);
      if (r.bad !== undefined) failed.push({ input, bad: fromMutation ? r.bad : `a starting input: ${r.bad}` });
      else ok.push(input);
      if (r.ms > REPLAY_ABOVE_MS) slow.push(input);
    }
    const batchMs = performance.now() - t0;
    const sample = probe.take();
    reach.add(sample);
    const takeMs = performance.now() - t0 - batchMs;
    const novel = ok.length > 0 && unexplained(sample);
    if (adaptive) resize(inputs.length, batchMs, takeMs, novel);
    if (ok.length) {
      if (novel) {
        attempted.add(sample);
        report.splits++;
        if (failed.length === 0) await split(ok, sample, fromMutation);
        else {
          // The sample counted the failing inputs too: read the passing ones' again.
          for (const input of ok) await runOne(input);
          await split(ok, probe.take(), fromMutation);
        }
      }
      const alone = ok[rng.int(ok.length)]!;
      await runOne(alone);
      const s = probe.take();
      if (map.novelty(s).features > 0) await split([alone], s, fromMutation);
    }
    for (const f of failed) await fail(f.input, f.bad, !fromMutation);
    for (const input of slow) {
      const ms = await ownCost(input);
      if (ms > report.slowestMs) {
        report.slowestMs = ms;
        report.slowestHex = hexOf(input);
      }
      if (ms > maxMs) await fail(input, `slow: ${ms.toFixed(1)} ms for one input (fastest of ${REPLAYS} runs), more than ${maxMs} ms`);
    }
    if (slow.length || failed.length) probe.reset();
  };

  /** Whether the sample reached a block that no input reached alone and that did not send a batch to split() yet. */
  const unexplained = (s: CoverageSample): boolean => s.ids.some((id) => !map.reached(id) && !attempted.reached(id));

  /**
   * The batch size: fixed, or following the measured cost of an input and of a read (moving averages), and
   * halved after a batch that had to be split (while most batches find something, as early in a run, smaller
   * ones are cheaper to split), doubled back after one that did not.
   */
  const adaptive = opts.batchSize === undefined;
  let batchSize = opts.batchSize ?? MIN_BATCH;
  let perInputMs = 0;
  let perTakeMs = 0;
  const resize = (n: number, runMs: number, takeMs: number, split: boolean): void => {
    perInputMs = perInputMs ? 0.8 * perInputMs + 0.2 * (runMs / n) : runMs / n;
    perTakeMs = perTakeMs ? 0.8 * perTakeMs + 0.2 * takeMs : takeMs;
    const ideal = Math.min(MAX_BATCH, Math.max(MIN_BATCH, 2 ** Math.round(Math.log2(Math.max(perTakeMs / TAKE_SHARE / Math.max(perInputMs, 1e-4), 1)))));
    batchSize = split ? Math.max(MIN_BATCH, batchSize >> 1) : Math.min(ideal, batchSize * 2);
  };

  const limit = Error.stackTraceLimit;
  // Stacks off: capturing one for every refusal the parsers throw is most of their cost. Failures replay with stacks on.
  Error.stackTraceLimit = 0;
  try {
    await target.prepare?.();
    const starting = [...target.seeds(), ...(opts.corpus ?? [])].map((s) => placed(s, maxLength));
    // What ran before (making the seeds) is not the seeds' coverage.
    probe.reset();
    // The starting inputs, in batches as the others: those reaching new blocks are kept (unguided: all of them are parents).
    report.seeds = starting.length;
    for (let i = 0; i < starting.length; i += batchSize) await runBatch(starting.slice(i, i + batchSize), false);
    if (!guided) for (const input of starting) addParent(input.slice());
    // Nothing to start from (no seeds, or none passing): the empty input, which the mutator grows.
    if (corpus.length === 0) addParent(new Uint8Array(0));
    report.seedBlocks = reach.blocks;
    report.seedFeatures = map.features;

    while (!done()) {
      const batch: Uint8Array[] = [];
      while (batch.length < batchSize && report.inputs < budgetInputs) {
        batch.push(placed(nextInput(), maxLength));
        report.inputs++;
      }
      await runBatch(batch, true);
      const now = performance.now();
      if (opts.onProgress && now - lastProgress >= (opts.progressEveryMs ?? 10_000)) {
        lastProgress = now;
        opts.onProgress(finish(now));
      }
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  return finish(performance.now());

  function finish(now: number): GuidedReport {
    report.blocks = reach.blocks;
    report.features = map.features;
    report.takes = probe.stats.takes - takes0;
    report.takeMs = probe.stats.takeMs - takeMs0;
    report.elapsedMs = now - started;
    report.batchSize = batchSize;
    return { ...report, kept: [...report.kept], failures: [...report.failures] };
  }

  /** A corpus entry, favouring recent and small ones. */
  function pick(): number {
    const n = corpus.length;
    const r = rng.float();
    if (r < 0.3) return n - 1 - rng.int(Math.min(n, 8));
    if (r < 0.6) {
      const a = rng.int(n);
      const b = rng.int(n);
      return corpusBytes[a]!.length <= corpusBytes[b]!.length ? a : b;
    }
    return rng.int(n);
  }

  /** The next input: the target's structure-aware mutation, a random record, or the byte mutator (with splicing). */
  function nextInput(): Uint8Array {
    const parent = corpus[pick()]!;
    const r = rng.float();
    if (target.mutate && r < 0.4) return target.mutate(rng, parent.bytes, corpusBytes);
    if (r < 0.43) return mut.buf.subarray(0, mut.random(corpusSeeds, Math.min(maxLength, 512)));
    return mut.buf.subarray(0, mut.mutate(parent.seed, corpusSeeds));
  }
}

/**
 * What a set of inputs reaches, each read alone: blocks and (block, bucket) pairs. Each input runs twice before
 * its read, so that code that caches (the codec's string caches) shows both its first and its later paths for
 * every input, whatever ran before: two sets measured this way compare fairly. Measure both at the end (the
 * probe learns a function's blocks as they show up, so a count taken earlier may be lower).
 */
export async function measureInputs(target: CoverageTarget, inputs: readonly Uint8Array[], probe: CoverageProbe): Promise<{ blocks: number; features: number }> {
  const map = new CoverageMap();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    probe.reset();
    for (const input of inputs) {
      const view = placed(input);
      await execTarget(target, view);
      await execTarget(target, view);
      map.add(probe.take());
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  return { blocks: map.blocks, features: map.features };
}

/**
 * Shrinks a failing input while it fails the same way (same signature): drops ranges of halving sizes, down
 * to single bytes. At most `maxRuns` runs.
 */
export async function minimizeFailure(target: CoverageTarget, input: Uint8Array, signature: string, maxRuns = 2000): Promise<Uint8Array> {
  let best = input.slice();
  let runs = 0;
  const same = async (candidate: Uint8Array): Promise<boolean> => {
    runs++;
    const bad = await execTarget(target, placed(candidate));
    return bad !== undefined && failureSignature(bad) === signature;
  };
  for (let chunk = best.length >> 1; chunk >= 1 && runs < maxRuns; chunk >>= 1) {
    for (let at = 0; at + chunk <= best.length && runs < maxRuns; ) {
      const candidate = new Uint8Array(best.length - chunk);
      candidate.set(best.subarray(0, at));
      candidate.set(best.subarray(at + chunk), at);
      if (await same(candidate)) best = candidate;
      else at += chunk;
    }
  }
  return best;
}
