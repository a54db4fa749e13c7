/**
 * The link decoders alone, fuzzed (the engine: scripts/fuzz/): for every supported link type, 100,000 random
 * records (half of them starting like a seed: a real, reference or built record) and 40,000 mutated seeds go
 * into decodeLinkFrame, which must return a result or throw a DecodeError
 * whose offset lies in the record, hand back frames whose bytes are views into the record, raise only
 * well-formed link diagnostics, and not take long. Unknown link types are refused as unsupported.
 *
 * Deterministic: FUZZ_SEED (default 0x0d1d5eed) seeds everything; a failure prints the seed, the input's
 * number and the input as hex.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import { LINKTYPE, decodeLinkFrame, supportedLinkTypes } from '../src/link/index.js';
import { builtRecords, drive, fuzzSeed, linkDecoderTarget, linkSeeds, targetSummary } from '../scripts/fuzz/index.js';

const SEED = fuzzSeed();
const RANDOM = 100_000;
const MUTATED = 40_000;
/** An input's own cost (replayed, fastest of 5) must stay below this; see fuzz.test.ts. */
const MAX_MS_PER_RECORD = 50;
const replay = `FUZZ_SEED=0x${SEED.toString(16)} pnpm vitest run packages/codec/test/link-fuzz.test.ts`;

describe(`link decoders (seed 0x${SEED.toString(16)})`, () => {
  const seeds = linkSeeds();
  const built = builtRecords();

  it('every record built by the codec (the seeds of each link type) decodes', () => {
    for (const lt of supportedLinkTypes()) {
      expect(built.get(lt)?.length, `link type ${lt}`).toBeGreaterThanOrEqual(4);
      for (const b of built.get(lt)!) expect(() => decodeLinkFrame(lt, b), `link type ${lt}: ${toHex(b)}`).not.toThrow();
    }
  });

  for (const lt of supportedLinkTypes()) {
    it(`link type ${lt}: ${RANDOM} random and ${MUTATED} mutated records give a result or a DecodeError`, () => {
      const list = seeds.get(lt)!;
      const r = drive(linkDecoderTarget(lt, list), { seed: SEED, random: RANDOM, iterations: MUTATED });
      console.log(targetSummary(r));
      expect(r.failures, `${r.failureCount} failures; replay with ${replay}`).toEqual([]);
      // Random records meet both outcomes (raw 802.11 takes any bytes as a frame, so it never refuses one).
      expect(r.tally.random.returned + r.tally.random.rejected).toBe(RANDOM);
      expect(r.tally.random.returned).toBeGreaterThan(0);
      if (lt !== LINKTYPE.IEEE802_11) expect(r.tally.random.rejected).toBeGreaterThan(0);
      expect(r.tally.mutated.returned + r.tally.mutated.rejected).toBe(MUTATED);
      expect(r.maxReplayMs, `slowest record: ${r.slowestHex}`).toBeLessThan(MAX_MS_PER_RECORD);
    });
  }

  it('unknown link types are DecodeError unsupported', () => {
    for (const lt of [0, 1, 104, 164, 252, 100000]) {
      try {
        decodeLinkFrame(lt, new Uint8Array(10));
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as DecodeError).code).toBe('unsupported');
      }
    }
    expect(supportedLinkTypes()).toEqual([105, 119, 127, 163, 187, 192, 201, 251, 254, 256, 272]);
  });
});
