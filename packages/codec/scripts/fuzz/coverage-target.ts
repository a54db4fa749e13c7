/**
 * Role: what the coverage-guided fuzzer (coverage-driver.ts) drives: a parser of hostile bytes with its seeds
 * and its invariants, run on one input at a time, nothing kept between inputs (so an input found interesting
 * replays alone). `fromRecordTarget` adapts the record targets of the plain engine (driver.ts: a link
 * decoder, a framing parser, anything under the parser contract) so both fuzzers check the same things.
 *
 * Import this (and everything but coverage.ts) only after the probe has started: V8 counts blocks only in code
 * compiled after that.
 */

import type { Random } from '../../../../test/support/random.js';
import type { Target } from './driver.js';
import { describeThrow } from './report.js';

export interface CoverageTarget {
  /** Names the target on the command line, in reports, and as its corpus and regressions directory: letters, digits, dots and dashes. */
  readonly name: string;
  /** Valid inputs to start from (real captures, vectors, what the project's writers produce). */
  seeds(): Uint8Array[];
  /** Work seeds() needs done first that cannot be done synchronously (writing seed files with an async writer). */
  prepare?(): Promise<void>;
  /**
   * Runs the code under test on `input` and checks what it did: undefined when all is well, else what is wrong.
   * Anything it throws is a failure too. It may return a promise (an async reader).
   */
  exec(input: Uint8Array): string | undefined | Promise<string | undefined>;
  /** Structure-aware mutation of `parent` (used for a share of the inputs, beside the byte mutator). */
  mutate?(rng: Random, parent: Uint8Array, corpus: readonly Uint8Array[]): Uint8Array;
  /** Longest input made (default 8192 bytes). */
  readonly maxLength?: number;
}

export const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

/** FNV-1a of an input: seeds the choices a target makes for it (chunk sizes), so that it replays alone. */
export function inputSeed(input: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) h = Math.imul(h ^ input[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * A record target of the plain engine as a coverage target: run, then verify (a value) or verifyThrow (a
 * throw the target accepts, such as a DecodeError). `rng` draws a target's own choices; it is seeded per
 * input here, so that the same input makes the same choices.
 */
export function fromRecordTarget<V>(name: string, target: Target<V>, rngFor: (input: Uint8Array) => Random): CoverageTarget {
  return {
    name,
    seeds: () => target.seeds.map((s) => s.bytes),
    exec(input) {
      let value: V;
      try {
        value = target.run(input, rngFor(input));
      } catch (e) {
        const bad = target.verifyThrow ? target.verifyThrow(input, e) : 'threw';
        return bad === undefined ? undefined : `${bad}: ${describeThrow(e, () => target.replay(input))}`;
      }
      return target.verify(input, value);
    },
  };
}
