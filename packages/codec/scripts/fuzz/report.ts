/**
 * Role: what a fuzz run tells people. Failure lines (what went wrong, the seed and iteration that replay it,
 * the input as hex), the stack of a throw (replayed with stacks on: they are off while fuzzing), and the one-line
 * summaries fuzz-long.ts and the tests print.
 */

import { toHex } from '../../src/index.js';
import type { CaptureFuzzReport } from './capture-target.js';
import type { DriveReport } from './driver.js';
import type { LinkFuzzReport } from './link-target.js';

/** At most this many failures are kept with their inputs; the rest are only counted. */
export const MAX_KEPT_FAILURES = 20;

/** Hex of an input, cut after `max` bytes. */
export const hexOf = (b: Uint8Array, max = 4096): string => `${toHex(b.subarray(0, max))}${b.length > max ? '...' : ''}`;

/** One failure: where (target, seed, what input), what, and the input. */
export function failureLine(target: string, seed: number, where: string, what: string, input: Uint8Array): string {
  return `${target}, seed 0x${seed.toString(16)}, ${where}: ${what}\n  input ${hexOf(input)}`;
}

/** An exception for the report, with the stack of a replay (stacks are off while fuzzing). */
export function describeThrow(e: unknown, replay: () => unknown): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 20;
  let stack = '';
  try {
    replay();
    stack = '(the replay on a fresh instance did not throw: state-dependent)';
  } catch (again) {
    stack = again instanceof Error ? (again.stack ?? '') : String(again);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n${stack}`;
}

export const safeJson = (v: unknown): string => {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
};

const rate = (n: number, ms: number): string => `${((n / Math.max(ms, 1e-3)) * 1000 / 1e3).toFixed(0)} k/s`;

export function targetSummary(r: DriveReport): string {
  const kinds = Object.entries(r.tally)
    .filter(([, t]) => t.returned + t.rejected > 0)
    .map(([k, t]) => `${k} ${t.returned}/${t.rejected}`)
    .join(', ');
  return (
    `${r.target}: ${r.inputs} inputs from ${r.seeds} seeds in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate(r.inputs, r.elapsedMs)}), ` +
    `returned/rejected by kind: ${kinds}; slowest ${r.maxMs.toFixed(2)} ms (replayed: ${r.maxReplayMs.toFixed(2)} ms), ${r.failureCount} failures`
  );
}

export function linkSummary(r: LinkFuzzReport): string {
  const types = Object.entries(r.byType)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `link ${r.linkType}: ${r.frames} frames from ${r.seeds} seeds in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate(r.frames, r.elapsedMs)}), ` +
    `${r.yielding} yielded ${r.messages} messages (${types}), ${r.diagnostics} diagnostics (${r.drops} drops), ` +
    `slowest frame ${r.maxMs.toFixed(2)} ms (replayed: ${r.maxReplayMs.toFixed(2)} ms), ${r.pendingFragments} fragments pending, ${r.failureCount} failures`
  );
}

export function captureSummary(r: CaptureFuzzReport): string {
  return (
    `captures: ${r.chunks} chunks, ${r.streams} damaged streams, ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.elapsedMs / 1000).toFixed(1)} s, ` +
    `${r.records} records, ${r.warnings} warnings, ${r.messages} messages, slowest push ${r.maxPushMs.toFixed(2)} ms (replayed: ${r.maxReplayMs.toFixed(2)} ms), ` +
    `largest buffer ${r.maxBuffered} bytes, ${r.failureCount} failures`
  );
}
