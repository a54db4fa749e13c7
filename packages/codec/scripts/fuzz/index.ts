/**
 * Role: the fuzzer's front door, for test/fuzz.test.ts, test/link-fuzz.test.ts, test/framing-robustness.test.ts
 * (CI-sized runs) and scripts/fuzz-long.ts (as long as you like). Deterministic: everything follows from one
 * seed (test/support/random.ts), so a failure replays from the seed it prints; each failure also carries its
 * input as hex.
 *
 * - seeds.ts, capture-seeds.ts: what the targets start from (real captures, reference extracts, builders).
 * - mutate.ts: the one mutator; driver.ts: the one driver of record targets.
 * - parser-target.ts: the contract of every byte decoder; link-target.ts (link decoders and the receive path),
 *   framing-target.ts (framing parsers): the record targets; capture-target.ts: damaged capture streams.
 * - checks.ts: well-formed output; report.ts: failure lines and summaries.
 * - coverage*.ts: the coverage-guided fuzzer (V8 block coverage as feedback), on the same mutator, targets and
 *   checks; not exported here: it must be imported after its probe starts, before the code under test loads
 *   (packages/codec/test/fuzz-coverage.test.ts, test/fuzz/, scripts/fuzz.ts).
 */

export { captureSeeds, type CaptureSeed } from './capture-seeds.js';
export { fuzzCaptures, type CaptureFuzzOptions, type CaptureFuzzReport } from './capture-target.js';
export { drive, fuzzSeed, type DriveOptions, type DriveReport, type InputKind, type Target, type Tally } from './driver.js';
export { framingTargets, type FramingTarget } from './framing-target.js';
export { fuzzLinkType, linkDecoderTarget, type LinkFuzzOptions, type LinkFuzzReport } from './link-target.js';
export { toSeeds, type Seed } from './mutate.js';
export { captureSummary, linkSummary, targetSummary } from './report.js';
export { builtRecords, linkSeeds } from './seeds.js';

