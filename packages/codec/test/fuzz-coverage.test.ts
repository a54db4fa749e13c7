/**
 * The coverage-guided fuzzer (scripts/fuzz/coverage-driver.ts), CI-sized: every codec parser (messages and
 * packs, every framing parser, the decoder of every link type in decodeLinkFrame's table, the receive path of
 * the main link types, the capture reader, the DRIP structures and their pages) fuzzed from its seeds with a fixed seed and input budget (and a
 * fixed batch size: the run is deterministic). No input may fail its target's checks; for the main targets
 * the inputs the fuzzer kept must reach code the seeds do not: replayed at the end with the seeds, they reach
 * more blocks than the seeds alone.
 * `pnpm fuzz` is the long run (scripts/fuzz.ts); test/fuzz/ fuzzes the other packages' parsers.
 *
 * FUZZ_SEED (default 0x0d1d5eed) seeds the run; a failure prints its input and the command that replays it.
 */
import { describe, expect, it } from 'vitest';
import { CoverageMap, CoverageProbe, bucketBit } from '../scripts/fuzz/coverage.js';

// Before the code under test is loaded: V8 counts blocks only in code compiled after this.
const probe = new CoverageProbe();
probe.start();
const { fuzzGuided, measureInputs } = await import('../scripts/fuzz/coverage-driver.js');
const { codecTargets } = await import('../scripts/fuzz/coverage-targets.js');
const { fuzzSeed } = await import('../scripts/fuzz/driver.js');
const { LINKTYPE, decodeMessage, encodeMessage, supportedLinkTypes } = await import('../src/index.js');

const SEED = fuzzSeed();
const BATCH = 64;
/** Seeds per target at most (spread over its list: real captures, then what the builders make). */
const MAX_SEEDS = 100;
const spread = (list: Uint8Array[]): Uint8Array[] => (list.length <= MAX_SEEDS ? list : Array.from({ length: MAX_SEEDS }, (_, i) => list[Math.floor((i * list.length) / MAX_SEEDS)]!));
/** Inputs per target: the cheap parsers get more; capture streams and the whole receive path cost more each. */
const budget = (name: string): number => (name === 'capture' ? 600 : name.startsWith('receive.') ? 800 : name === 'messages' ? 2000 : 1000);
/** The receive path of these link types (each link decoder is fuzzed alone too): Wi-Fi with radiotap, BLE sniffers, HCI. */
const RECEIVE: ReadonlySet<string> = new Set([LINKTYPE.IEEE802_11_RADIOTAP, LINKTYPE.NORDIC_BLE, LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR].map((lt) => `receive.${lt}`));
/**
 * The main targets: the fuzzer must take them past their seeds, to blocks the seeds do not reach. (Small
 * parsers that their seeds cover almost whole, such as raw 802.11 where the frame is the record, are fuzzed
 * for failures; their growth is printed.)
 */
const MAIN: ReadonlySet<string> = new Set([
  'messages', 'capture', 'link.127', 'link.272', 'link.187', 'framing.parseNanActionFrameBody', 'framing.parseDjiDroneId', 'framing.parseFrenchId', 'drip', 'drip.pages', ...RECEIVE,
]);

describe('coverage probe', () => {
  const locationInput = {
    type: 'location', status: 2, direction: 216, speedHorizontal: 5.5, speedVertical: 5, latitude: 45.539309, longitude: -122.966389,
    altitudeBaro: 100, altitudeGeo: 110, heightType: 1, height: 80, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 6,
    speedAccuracy: 3, tsAccuracy: 1, timestamp: 360.5,
  } as const;
  const location = encodeMessage(locationInput);
  const system = encodeMessage({
    type: 'system', operatorLocationType: 1, classificationType: 1, operatorLatitude: 45.5, operatorLongitude: -122.9, areaCount: 1,
    areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 1, classEU: 2, operatorAltitudeGeo: 20.5, timestamp: 28000000,
  });

  it('counts what ran between two reads: the same input again is nothing new, another message type is, so is code run more often', () => {
    // (Location and System messages: numbers only, nothing the codec caches, so a second decode runs as the first.)
    const map = new CoverageMap();
    probe.reset();
    decodeMessage(location);
    expect(map.add(probe.take())).toBeGreaterThan(0);
    decodeMessage(location);
    expect(map.novelty(probe.take())).toEqual({ features: 0, newBlocks: 0 });
    decodeMessage(system);
    expect(map.novelty(probe.take()).newBlocks).toBeGreaterThan(0);
    // Twice between two reads: counts of 2, buckets not seen yet.
    decodeMessage(location);
    decodeMessage(location);
    expect(map.novelty(probe.take()).features).toBeGreaterThan(0);
  });

  it("buckets counts as AFL does: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+", () => {
    expect([0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 127, 128, 1e6].map(bucketBit)).toEqual([0, 1, 2, 4, 8, 8, 16, 16, 32, 32, 64, 64, 128, 128]);
  });
});

describe(`coverage-guided fuzzing of the codec (seed 0x${SEED.toString(16)})`, () => {
  const targets = codecTargets()
    .filter((t) => !t.name.startsWith('receive.') || RECEIVE.has(t.name))
    .map((t) => ({ ...t, seeds: () => spread(t.seeds()) }));

  it('covers every link type of the decoder table, every framing parser and the DRIP structures', () => {
    const names = targets.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['messages', 'capture', 'drip', 'drip.pages', 'link.105', 'link.127', 'link.272', 'framing.walkElements', 'framing.parseDjiDroneId', ...RECEIVE]));
    // Read from the decoder table when the targets are made: a decoder added there is fuzzed with no change here.
    expect(names.filter((n) => n.startsWith('link.'))).toEqual(supportedLinkTypes().map((lt) => `link.${lt}`));
  });

  for (const target of targets) {
    const n = budget(target.name);
    const main = MAIN.has(target.name);
    it(`${target.name}: ${n} inputs, no failure${main ? ', and what it kept reaches code its seeds do not' : ''}`, async () => {
      const r = await fuzzGuided(target, { probe, seed: SEED, inputs: n, batchSize: BATCH });
      const lines = r.failures.map((f) => `${f.description}\n  input ${f.hex.slice(0, 600)}`);
      expect(lines, `${r.failureCount} failing inputs; replay one: save its hex to a file, then pnpm fuzz ${target.name} --replay FILE`).toEqual([]);
      expect(r.inputs).toBe(n);
      const summary = `${target.name}: ${r.inputs} inputs in ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.found} kept`;
      if (!main) {
        console.log(`${summary}; while fuzzing: blocks ${r.seedBlocks} -> ${r.blocks}, features ${r.seedFeatures} -> ${r.features}`);
        return;
      }
      expect(r.found, 'inputs kept for new coverage').toBeGreaterThan(0);
      // Measured the same way, one after the other: the seeds alone, then with what the fuzzer kept.
      const seeds = target.seeds();
      const before = await measureInputs(target, seeds, probe);
      const after = await measureInputs(target, [...seeds, ...r.kept], probe);
      console.log(`${summary}; replayed: blocks ${before.blocks} -> ${after.blocks}, features ${before.features} -> ${after.features}`);
      expect(after.blocks, 'blocks reached by the seeds, then by the seeds and the inputs kept').toBeGreaterThan(before.blocks);
      expect(after.features).toBeGreaterThan(before.features);
    });
  }
});
