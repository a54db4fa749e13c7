/**
 * Every framing parser, fuzzed (the engine: scripts/fuzz/): each prefix of its seeds, 100,000 random inputs
 * (0..300 bytes, half of them starting like a seed) and 10,000 mutated seeds. It only ever returns a result or
 * throws a DecodeError whose offset lies inside the input; a returned payload is a view of the input at the
 * offset it reports. Targets seeded from the external corpus are skipped without it.
 *
 * Deterministic: FUZZ_SEED (default 0x0d1d5eed) seeds everything; a failure prints the seed, the input's
 * number and the input as hex.
 */
import { describe, expect, it } from 'vitest';
import { itCorpus } from '../../../test/support/fixtures.js';
import { drive, framingTargets, fuzzSeed, targetSummary } from '../scripts/fuzz/index.js';

const SEED = fuzzSeed();
const RANDOM = 100_000;
const MUTATED = 10_000;
/** An input's own cost (replayed, fastest of 5) must stay below this; see fuzz.test.ts. */
const MAX_MS_PER_RECORD = 50;
const replay = `FUZZ_SEED=0x${SEED.toString(16)} pnpm vitest run packages/codec/test/framing-robustness.test.ts`;

describe(`framing parsers (seed 0x${SEED.toString(16)})`, () => {
  for (const t of framingTargets()) {
    (t.needsCorpus ? itCorpus : it)(`${t.name}: every truncation, ${RANDOM} random inputs and ${MUTATED} mutations give a result or a DecodeError`, () => {
      const r = drive(t, { seed: SEED, truncations: true, random: RANDOM, iterations: MUTATED });
      console.log(targetSummary(r));
      expect(r.failures, `${r.failureCount} failures; replay with ${replay}`).toEqual([]);
      // Its seeds parse; inputs of every kind went in.
      expect(r.tally.seed).toEqual({ returned: t.seeds.length, rejected: 0 });
      expect(r.tally.truncated.returned + r.tally.truncated.rejected).toBe(t.seeds.reduce((n, s) => n + s.bytes.length, 0));
      expect(r.tally.random.returned + r.tally.random.rejected).toBe(RANDOM);
      expect(r.tally.mutated.returned + r.tally.mutated.rejected).toBe(MUTATED);
      expect(r.maxReplayMs, `slowest input: ${r.slowestHex}`).toBeLessThan(MAX_MS_PER_RECORD);
    });
  }
});
