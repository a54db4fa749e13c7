/**
 * A long fuzz run of the receive path and the capture reader (the CI-sized one is test/fuzz.test.ts).
 *
 *   node --import tsx packages/codec/scripts/fuzz-long.ts [frames per link type] [seed] [capture chunks]
 *
 * Defaults: 10,000,000 frames per link type, a random seed (printed first: rerun with it to replay),
 * capture chunks = frames. Exits 1 on any failure, printing the seed, the iteration and the input.
 */
import { LINKTYPE } from '../src/index.js';
import { captureSummary, fuzzCaptures, fuzzLinkType, linkSeeds, linkSummary, toSeeds } from './fuzz-engine.js';

const frames = Number(process.argv[2] ?? 10_000_000);
const seed = process.argv[3] !== undefined ? Number(process.argv[3]) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const chunks = Number(process.argv[4] ?? frames);
if (!Number.isSafeInteger(frames) || frames < 1 || !Number.isSafeInteger(chunks) || chunks < 0) {
  console.error('usage: fuzz-long.ts [frames per link type] [seed] [capture chunks]');
  process.exit(2);
}
console.log(`fuzz seed 0x${seed.toString(16)} (replay: node --import tsx packages/codec/scripts/fuzz-long.ts ${frames} 0x${seed.toString(16)} ${chunks})`);

let failures = 0;
const seeds = linkSeeds();
for (const lt of Object.values(LINKTYPE)) {
  const r = fuzzLinkType(lt, { iterations: frames, seed, seeds: toSeeds(seeds.get(lt) ?? []) });
  console.log(linkSummary(r));
  for (const f of r.failures) console.log(`  FAIL ${f}`);
  failures += r.failureCount;
}
if (chunks > 0) {
  const c = fuzzCaptures({ chunks, seed });
  console.log(captureSummary(c));
  for (const f of c.failures) console.log(`  FAIL ${f}`);
  failures += c.failureCount;
}
console.log(failures ? `${failures} failures (seed 0x${seed.toString(16)})` : 'no failures');
process.exit(failures ? 1 : 0);
