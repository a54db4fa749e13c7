/**
 * Role: the coverage feedback of the guided fuzzer (coverage-driver.ts): V8's own block coverage, read through
 * node:inspector. Profiler.startPreciseCoverage({ callCount: true, detailed: true }) makes V8 count every
 * function and block; Profiler.takePreciseCoverage hands the counts back and resets them, so each take covers
 * exactly what ran since the last one.
 *
 * Two facts of V8 shape this file:
 * - Only code compiled after coverage started is instrumented per block: a module imported before start()
 *   reports whole functions only. Start the probe first, then import the code under test (dynamically).
 * - A take reports a block only when its count differs from its parent's (the function or an enclosing block);
 *   a block not reported ran as often as its parent. So the probe remembers every block range it has ever seen
 *   in a function and gives each, in every take, the count of the innermost range reported around it. (A block
 *   first reported late may have run before, merged with its parent: it counts as new then, for an input that
 *   ran it in a new proportion to its parent.)
 *
 * What is kept per block, AFL-style: which count buckets (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+) it has been
 * seen in. An input is interesting when it reaches a block, or a block's bucket, never reached before.
 */

import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';

/** Script URLs the probe reads: the packages' source files, not the fuzzer, the tests or dependencies. */
export const PARSER_SCRIPTS = /\/packages\/[^/]+\/src\/.*\.[cm]?[jt]s(?:\?.*)?$/;

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface FunctionCoverage {
  functionName: string;
  ranges: CoverageRange[];
  isBlockCoverage: boolean;
}
interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: FunctionCoverage[];
}

/** A block the probe has seen: where it is in its function's script, and its id. */
interface KnownBlock {
  start: number;
  end: number;
  id: number;
}

/** One take: the blocks that ran (ids) and how often (counts), same order. */
export interface CoverageSample {
  ids: number[];
  counts: number[];
}

/** AFL's count buckets, as one bit each: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+. */
export function bucketBit(count: number): number {
  if (count <= 3) return count <= 0 ? 0 : 1 << (count - 1);
  if (count < 8) return 1 << 3;
  if (count < 16) return 1 << 4;
  if (count < 32) return 1 << 5;
  if (count < 128) return 1 << 6;
  return 1 << 7;
}

/** Buckets seen per block id; grows as blocks are met. */
export class CoverageMap {
  private bits = new Uint8Array(1024);
  /** Blocks reached at least once, and (block, bucket) pairs seen. */
  blocks = 0;
  features = 0;

  /** How many (block, bucket) pairs of the sample this map has not seen; `newBlocks` counts the blocks never reached. */
  novelty(s: CoverageSample): { features: number; newBlocks: number } {
    let features = 0;
    let newBlocks = 0;
    for (let i = 0; i < s.ids.length; i++) {
      const id = s.ids[i]!;
      const seen = id < this.bits.length ? this.bits[id]! : 0;
      if (seen === 0) newBlocks++;
      if ((seen & bucketBit(s.counts[i]!)) === 0) features++;
    }
    return { features, newBlocks };
  }

  /** Adds the sample's pairs; returns how many were new. */
  add(s: CoverageSample): number {
    let added = 0;
    for (let i = 0; i < s.ids.length; i++) {
      const id = s.ids[i]!;
      if (id >= this.bits.length) {
        const grown = new Uint8Array(Math.max(this.bits.length * 2, id + 1));
        grown.set(this.bits);
        this.bits = grown;
      }
      const seen = this.bits[id]!;
      const bit = bucketBit(s.counts[i]!);
      if ((seen & bit) !== 0) continue;
      if (seen === 0) this.blocks++;
      this.bits[id] = seen | bit;
      this.features++;
      added++;
    }
    return added;
  }

  /** Whether the block was ever reached. */
  reached(id: number): boolean {
    return id < this.bits.length && this.bits[id] !== 0;
  }
}

export interface ProbeStats {
  takes: number;
  takeMs: number;
  /** Blocks (ranges) known in the scripts read, reached or not. */
  knownBlocks: number;
}

/** The inspector session that reads V8's block counts, filtered to the scripts `include` accepts. */
export class CoverageProbe {
  private readonly session = new Session();
  private started = false;
  /** Known blocks per function, keyed by script URL and the function's start offset. */
  private readonly functions = new Map<string, KnownBlock[]>();
  private nextId = 0;
  readonly stats: ProbeStats = { takes: 0, takeMs: 0, knownBlocks: 0 };

  constructor(private readonly include: (url: string) => boolean = (url) => PARSER_SCRIPTS.test(url)) {}

  /** Starts counting. Code compiled before this is counted per function only: import what is fuzzed afterwards. */
  start(): void {
    if (this.started) return;
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    this.started = true;
  }

  stop(): void {
    if (!this.started) return;
    this.post('Profiler.stopPreciseCoverage');
    this.post('Profiler.disable');
    this.session.disconnect();
    this.started = false;
  }

  /** The counts since the last take (or start), of the blocks that ran; resets them. */
  take(): CoverageSample {
    const t0 = performance.now();
    const result = this.post<{ result: ScriptCoverage[] }>('Profiler.takePreciseCoverage').result;
    const sample: CoverageSample = { ids: [], counts: [] };
    for (const script of result) {
      if (!this.include(script.url)) continue;
      for (const fn of script.functions) this.readFunction(script.url, fn, sample);
    }
    this.stats.takes++;
    this.stats.takeMs += performance.now() - t0;
    return sample;
  }

  /** Discards the counts since the last take. */
  reset(): void {
    this.post('Profiler.takePreciseCoverage');
  }

  private readFunction(url: string, fn: FunctionCoverage, out: CoverageSample): void {
    const ranges = fn.ranges;
    const top = ranges[0];
    if (!top || top.count === 0) return;
    const key = `${url}\0${top.startOffset}`;
    let known = this.functions.get(key);
    if (!known) {
      known = [{ start: top.startOffset, end: top.endOffset, id: this.nextId++ }];
      this.functions.set(key, known);
      this.stats.knownBlocks++;
    }
    // Ranges never reported before become known blocks (kept sorted by start, outer before inner).
    for (let r = 1; r < ranges.length; r++) {
      const range = ranges[r]!;
      if (!known.some((b) => b.start === range.startOffset && b.end === range.endOffset)) {
        known.push({ start: range.startOffset, end: range.endOffset, id: this.nextId++ });
        known.sort((a, b) => a.start - b.start || b.end - a.end);
        this.stats.knownBlocks++;
      }
    }
    for (const block of known) {
      // The innermost reported range around the block gives its count (the function's range always does).
      let count = top.count;
      let width = Infinity;
      for (let r = 0; r < ranges.length; r++) {
        const range = ranges[r]!;
        if (range.startOffset > block.start) break;
        if (range.endOffset >= block.end && range.endOffset - range.startOffset < width) {
          width = range.endOffset - range.startOffset;
          count = range.count;
        }
      }
      if (count > 0) {
        out.ids.push(block.id);
        out.counts.push(count);
      }
    }
  }

  private post<T = unknown>(method: string, params: object = {}): T {
    // The inspector answers a session of the same thread synchronously, inside post().
    let error: Error | null = null;
    let answer: unknown;
    this.session.post(method, params, (e, r) => {
      error = e;
      answer = r;
    });
    if (error) throw error;
    return answer as T;
  }
}
