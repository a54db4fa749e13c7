/**
 * Role: the one driver of the record targets (a link decoder, the receive path, a framing parser). It makes
 * each input with the mutator from the target's seeds, runs the target on it, times it, checks what came back
 * and keeps the failures with what replays them. Deterministic: the inputs follow from the run's seed and the
 * target's name alone.
 */

import { performance } from 'node:perf_hooks';
import { Random, deriveSeed } from '../../../../test/support/random.js';
import { Mutator, type Seed } from './mutate.js';
import { MAX_KEPT_FAILURES, describeThrow, failureLine, hexOf } from './report.js';

/** Something under test that takes one record. */
export interface Target<V = unknown> {
  /** Names the target in reports; also what its inputs are derived from (with the run's seed). */
  name: string;
  /** Valid inputs to copy, mutate and start random ones with. */
  seeds: readonly Seed[];
  /** The code under test (timed). `rng` is for choices the target makes per input (an option, an instance). */
  run(input: Uint8Array, rng: Random): V;
  /** What is wrong with what `run` returned, or undefined. */
  verify(input: Uint8Array, value: V): string | undefined;
  /** What is wrong with what `run` threw, or undefined when the throw is an accepted refusal. Absent: every throw fails. */
  verifyThrow?(input: Uint8Array, error: unknown): string | undefined;
  /** Runs the last input again on a fresh instance, unchecked: a failure's stack, a slow input's own cost. */
  replay(input: Uint8Array): unknown;
}

/** Kinds of input, in the order they are made. */
export type InputKind = 'truncated' | 'seed' | 'random' | 'mutated';

export interface DriveOptions {
  /** The run's seed. */
  seed: number;
  /** First (default false): every seed whole, and every prefix of it. */
  truncations?: boolean;
  /** Then this many random records (default 0). */
  random?: number;
  /** Longest random record (default 300). */
  randomLength?: number;
  /** Then this many inputs made from seeds: mutated, or copied as they are for a share `unmutated` of them (default 0). */
  iterations: number;
  /** Stateful targets see real sequences too. */
  unmutated?: number;
}

/** Per kind of input: how many came back with a value, how many were refused with an accepted throw. */
export interface Tally {
  returned: number;
  rejected: number;
}

export interface DriveReport {
  target: string;
  seed: number;
  seeds: number;
  inputs: number;
  tally: Record<InputKind, Tally>;
  /** Slowest run, ms (wall clock: GC pauses and preemption included), and its input. */
  maxMs: number;
  slowestHex: string;
  /**
   * The input's own cost: every run slower than REPLAY_ABOVE_MS is replayed REPLAYS times on a fresh instance
   * and the fastest kept; this is the largest such value (0 when no run was that slow).
   */
  maxReplayMs: number;
  /** The first MAX_KEPT_FAILURES failures, each with the seed, the input's kind and number, and its hex. */
  failures: string[];
  failureCount: number;
  elapsedMs: number;
}

/** Runs slower than this (ms) are replayed to tell the input's own cost from a GC pause or preemption. */
export const REPLAY_ABOVE_MS = 5;
export const REPLAYS = 5;

/** The fastest of REPLAYS runs of fn, ms (a throw is the caller's to report). */
function fastest(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < REPLAYS; i++) {
    const t0 = performance.now();
    try {
      fn();
    } catch {
      // reported by the caller's own run
    }
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/**
 * Runs fn with exception stacks off: capturing the stack of every DecodeError (the decoders' way of saying
 * "not for us") is most of the cost of a malformed record. Failures are replayed with stacks on.
 */
export function withoutStacks<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function drive<V>(target: Target<V>, opts: DriveOptions): DriveReport {
  const rng = new Random(deriveSeed(opts.seed, target.name));
  const mut = new Mutator(rng);
  const seeds = target.seeds;
  const randomLength = opts.randomLength ?? 300;
  const unmutated = opts.unmutated ?? 0;
  if (seeds.length === 0 && opts.iterations > 0) throw new Error(`${target.name}: no seeds to mutate`);
  const tally = (): Tally => ({ returned: 0, rejected: 0 });
  const report: DriveReport = {
    target: target.name, seed: opts.seed, seeds: seeds.length, inputs: 0,
    tally: { truncated: tally(), seed: tally(), random: tally(), mutated: tally() },
    maxMs: 0, slowestHex: '', maxReplayMs: 0, failures: [], failureCount: 0, elapsedMs: 0,
  };
  const started = performance.now();
  // Which loop is running, to say in a failure which input it was (formatted only then: it costs).
  let phase: 'truncations' | 'random' | 'seeds' = 'truncations';
  const where = (n: number, input: Uint8Array): string =>
    phase === 'truncations' ? `seed ${n} cut to ${input.length} bytes` : phase === 'random' ? `random input ${n}` : `iteration ${n}`;
  withoutStacks(() => {
    if (opts.truncations) {
      seeds.forEach((seed, s) => {
        const len = mut.copy(seed);
        for (let n = 0; n <= len; n++) one(n === len ? 'seed' : 'truncated', s, mut.buf.subarray(0, n));
      });
    }
    phase = 'random';
    for (let i = 0; i < (opts.random ?? 0); i++) one('random', i, mut.buf.subarray(0, mut.random(seeds, randomLength)));
    phase = 'seeds';
    for (let i = 0; i < opts.iterations; i++) {
      const copy = rng.float() < unmutated;
      const len = copy ? mut.copy(rng.pick(seeds)) : mut.mutate(rng.pick(seeds), seeds);
      one(copy ? 'seed' : 'mutated', i, mut.buf.subarray(0, len));
    }
  });
  report.elapsedMs = performance.now() - started;
  return report;

  function one(kind: InputKind, n: number, input: Uint8Array): void {
    report.inputs++;
    let value: V | undefined;
    let error: unknown;
    let threw = false;
    const t0 = performance.now();
    try {
      value = target.run(input, rng);
    } catch (e) {
      threw = true;
      error = e;
    }
    const dt = performance.now() - t0;
    if (dt > report.maxMs) {
      report.maxMs = dt;
      report.slowestHex = hexOf(input);
    }
    if (dt > REPLAY_ABOVE_MS) {
      const copy = input.slice();
      report.maxReplayMs = Math.max(report.maxReplayMs, fastest(() => target.replay(copy)));
    }
    let bad: string | undefined;
    if (threw) {
      bad = target.verifyThrow ? target.verifyThrow(input, error) : 'threw';
      if (bad === undefined) report.tally[kind].rejected++;
      else bad = `${bad}: ${describeThrow(error, () => target.replay(input))}`;
    } else {
      report.tally[kind].returned++;
      bad = target.verify(input, value as V);
    }
    if (bad !== undefined) {
      report.failureCount++;
      if (report.failures.length < MAX_KEPT_FAILURES) report.failures.push(failureLine(target.name, opts.seed, where(n, input), bad, input));
    }
  }
}

/** The run's seed: FUZZ_SEED when set (decimal or 0x hex), else `fallback`. */
export function fuzzSeed(fallback = 0x0d1d5eed): number {
  return process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : fallback;
}
