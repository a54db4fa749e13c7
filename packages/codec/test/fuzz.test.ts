/**
 * Mutation fuzzing, CI-sized: 200,000 mutated records of every supported link type through the whole
 * receive path (RemoteIdExtractor.fromRecord), and 200,000 chunks of damaged pcap/pcapng/btsnoop streams
 * through CaptureReader. Nothing may throw, every message must be well-formed (and survive its JSON line),
 * every diagnostic must be a well-formed catalogue entry, no record may take long. The engine is
 * scripts/fuzz/; scripts/fuzz-long.ts runs it longer; link-fuzz.test.ts and framing-robustness.test.ts drive
 * the link decoders and framing parsers alone.
 *
 * Deterministic: FUZZ_SEED (default 0x0d1d5eed) seeds everything; a failure prints the seed, the iteration and
 * the input as hex. FUZZ_FRAMES scales the run (default 200,000 per link type and capture chunks: every seed
 * of every link type is drawn hundreds of times; the long campaign, 10,000,000 each, is fuzz-long.ts).
 */
import { describe, expect, it } from 'vitest';
import { LINKTYPE, supportedLinkTypes } from '../src/index.js';
import {
  captureSeeds,
  captureSummary,
  fuzzCaptures,
  fuzzLinkType,
  fuzzSeed,
  linkSeeds,
  linkSummary,
  toSeeds,
} from '../scripts/fuzz/index.js';
import { corpusAvailable } from '../../../test/support/fixtures.js';

const SEED = fuzzSeed();
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 200_000);
/**
 * Time per record: a call slower than 5 ms is replayed (fresh extractor or reader, fastest of 5 runs), so that
 * what is measured is the input's own cost, not a GC pause or the CI machine preempting us. That cost must stay
 * below MAX_MS_PER_RECORD; the raw wall-clock maximum is only bounded loosely. (A real hang never returns at
 * all: the test timeout catches that.)
 */
const MAX_MS_PER_RECORD = 50;
const MAX_WALL_MS_PER_RECORD = 2_000;
const TIMEOUT = 180_000;

const replay = `FUZZ_SEED=0x${SEED.toString(16)} pnpm vitest run packages/codec/test/fuzz.test.ts`;

describe(`fuzz (seed 0x${SEED.toString(16)}, ${FRAMES} per case)`, () => {
  const seeds = linkSeeds();

  it('covers every supported link type, each with seeds', () => {
    expect(supportedLinkTypes()).toEqual(Object.values(LINKTYPE).sort((a, b) => a - b));
    for (const lt of supportedLinkTypes()) expect(seeds.get(lt)?.length, `link type ${lt}`).toBeGreaterThanOrEqual(15);
  });

  for (const lt of supportedLinkTypes()) {
    it(
      `link type ${lt}: ${FRAMES} mutated records through RemoteIdExtractor.fromRecord`,
      () => {
        const r = fuzzLinkType(lt, { iterations: FRAMES, seed: SEED, seeds: toSeeds(seeds.get(lt)!) });
        console.log(linkSummary(r));
        expect(r.failures, `${r.failureCount} failures; replay with ${replay}`).toEqual([]);
        expect(r.frames).toBe(FRAMES);
        expect(r.maxReplayMs, `slowest record: ${r.slowestHex}`).toBeLessThan(MAX_MS_PER_RECORD);
        expect(r.maxMs, `slowest record: ${r.slowestHex}`).toBeLessThan(MAX_WALL_MS_PER_RECORD);
        // The mutations must reach the message decoders, not stop at the first check: every message type
        // comes out, from a good share of the records.
        expect(r.yielding / r.frames).toBeGreaterThan(0.03);
        for (const type of ['basicId', 'location', 'auth', 'selfId', 'system', 'operatorId']) {
          expect(r.byType[type] ?? 0, `${type} messages from link type ${lt}`).toBeGreaterThan(FRAMES / 1000);
        }
        // DJI and French seeds come only from the external corpus's reference extracts.
        if (corpusAvailable && (lt === LINKTYPE.IEEE802_11 || lt === LINKTYPE.IEEE802_11_RADIOTAP)) {
          for (const type of ['djiFlightInfo', 'frenchId']) expect(r.byType[type] ?? 0, type).toBeGreaterThan(FRAMES / 10_000);
        }
      },
      TIMEOUT,
    );
  }

  it(
    `${FRAMES} chunks of damaged capture streams through CaptureReader: warnings only, bounded buffer, well-formed records`,
    () => {
      const r = fuzzCaptures({ chunks: FRAMES, seed: SEED, seeds: captureSeeds() });
      console.log(captureSummary(r));
      expect(r.failures, `${r.failureCount} failures; replay with ${replay}`).toEqual([]);
      expect(r.chunks).toBeGreaterThanOrEqual(FRAMES);
      expect(r.maxReplayMs, `slowest push in: ${r.slowestStream.slice(0, 2000)}`).toBeLessThan(MAX_MS_PER_RECORD);
      expect(r.maxPushMs).toBeLessThan(MAX_WALL_MS_PER_RECORD);
      // Damage was there (warnings) and reading went on through it (records, and messages out of them).
      expect(r.warnings).toBeGreaterThan(r.streams / 10);
      expect(r.records).toBeGreaterThan(r.streams);
      expect(r.messages).toBeGreaterThan(r.streams);
    },
    TIMEOUT,
  );
});
