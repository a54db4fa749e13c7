/**
 * A long fuzz run of everything the CI-sized runs cover (test/fuzz.test.ts, test/link-fuzz.test.ts,
 * test/framing-robustness.test.ts): the receive path and the link decoders of every link type, the framing
 * parsers, and the capture reader. The engine is scripts/fuzz/.
 *
 *   node --import tsx --conditions=@odid/source packages/codec/scripts/fuzz-long.ts [frames] [seed] [capture chunks]
 *
 * Defaults: 10,000,000 frames per link type through the receive path (and as many inputs, half of them random,
 * into each link decoder and framing parser), a random seed (printed first: rerun with it to replay), capture
 * chunks = frames. Exits 1 on any failure, printing the seed, the input's number and the input.
 */
import { LINKTYPE } from '../src/index.js';
import {
  captureSummary,
  drive,
  framingTargets,
  fuzzCaptures,
  fuzzLinkType,
  linkDecoderTarget,
  linkSeeds,
  linkSummary,
  targetSummary,
  toSeeds,
} from './fuzz/index.js';

const frames = Number(process.argv[2] ?? 10_000_000);
const seed = process.argv[3] !== undefined ? Number(process.argv[3]) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const chunks = Number(process.argv[4] ?? frames);
if (!Number.isSafeInteger(frames) || frames < 1 || !Number.isSafeInteger(chunks) || chunks < 0) {
  console.error('usage: fuzz-long.ts [frames per link type] [seed] [capture chunks]');
  process.exit(2);
}
const hex = `0x${seed.toString(16)}`;
console.log(`fuzz seed ${hex} (replay: node --import tsx --conditions=@odid/source packages/codec/scripts/fuzz-long.ts ${frames} ${hex} ${chunks})`);

let failures = 0;
const report = (summary: string, r: { failures: string[]; failureCount: number }): void => {
  console.log(summary);
  for (const f of r.failures) console.log(`  FAIL ${f}`);
  failures += r.failureCount;
};
const half = Math.ceil(frames / 2);
const seeds = linkSeeds();
for (const lt of Object.values(LINKTYPE)) {
  const list = seeds.get(lt) ?? [];
  const r = fuzzLinkType(lt, { iterations: frames, seed, seeds: toSeeds(list) });
  report(linkSummary(r), r);
  const d = drive(linkDecoderTarget(lt, list), { seed, truncations: true, random: half, iterations: frames - half });
  report(targetSummary(d), d);
}
for (const t of framingTargets()) {
  if (t.seeds.length === 0) continue; // seeded from the external corpus, which is absent
  const d = drive(t, { seed, truncations: true, random: half, iterations: frames - half });
  report(targetSummary(d), d);
}
if (chunks > 0) {
  const c = fuzzCaptures({ chunks, seed });
  report(captureSummary(c), c);
}
console.log(failures ? `${failures} failures (seed ${hex})` : 'no failures');
process.exit(failures ? 1 : 0);
