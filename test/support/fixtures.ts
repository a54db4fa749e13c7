/**
 * Where tests find their reference data.
 *
 * - In-repo fixtures (test/fixtures, Apache-2.0, see NOTICE): the opendroneid-core-c vectors and the
 *   opendroneid wireshark-dissector captures with their expected decodings. Always there: a missing one is a bug.
 * - The external corpus: every other real capture, extract and reference decoding (GPL, AGPL or no licence,
 *   so never copied into the repository). Read from ODID_CORPUS, else from ../shared/captures beside the
 *   clone. Where it is absent, the tests that need it are skipped with CORPUS_SKIP_REASON, not failed.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, it, type TestContext } from 'vitest';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');

/** A file or directory under test/fixtures; throws if it is missing (an in-repo file missing is a real bug). */
export const fixturePath = (...parts: string[]): string => {
  const p = path.join(fixturesDir, ...parts);
  if (!existsSync(p)) throw new Error(`missing in-repo fixture ${p}`);
  return p;
};

/** The external corpus of captures: $ODID_CORPUS, else ../shared/captures beside the clone. */
export const corpusDir = process.env.ODID_CORPUS ? path.resolve(process.env.ODID_CORPUS) : path.resolve(repoRoot, '../shared/captures');
export const corpusAvailable = existsSync(corpusDir) && statSync(corpusDir).isDirectory();
export const CORPUS_SKIP_REASON = 'external corpus absent (set ODID_CORPUS or put ../shared/captures beside the clone)';

/**
 * A file or directory of the external corpus. With the corpus present a missing file throws; without it the
 * path is returned unchecked (so collection-time code does not throw): read it only in tests that are skipped
 * when the corpus is absent (describeCorpus, describeCorpusData, itCorpus, corpusPlaceholder).
 */
export const corpusPath = (...parts: string[]): string => {
  const p = path.join(corpusDir, ...parts);
  if (corpusAvailable && !existsSync(p)) throw new Error(`missing corpus file ${p} (corpus at ${corpusDir})`);
  return p;
};

/** The entries of a corpus directory, or none when the corpus is absent. */
export const corpusFiles = (...parts: string[]): string[] => (corpusAvailable ? readdirSync(corpusPath(...parts)) : []);

/** True when a capture (path relative to the captures root) is not in test/fixtures/captures and so needs the corpus. */
export const needsCorpus = (...parts: string[]): boolean => !existsSync(path.join(fixturesDir, 'captures', ...parts));

/** A capture by its path relative to the captures root: the in-repo copy where there is one, else the corpus's. */
export const capturePath = (...parts: string[]): string =>
  needsCorpus(...parts) ? corpusPath(...parts) : fixturePath('captures', ...parts);

/** Inside a test (or beforeEach): skip it, with the reason, when the corpus is absent. */
export const skipWithoutCorpus = (ctx: Pick<TestContext, 'skip'>): void => ctx.skip(!corpusAvailable, CORPUS_SKIP_REASON);

type TestFn = (ctx: TestContext) => unknown;

/**
 * A describe block whose tests need the corpus: each is skipped with CORPUS_SKIP_REASON when it is absent.
 * Its body still runs at collection time, so it must not read the corpus there (describeCorpusData does), and
 * tests made in a loop over corpus data need a corpusPlaceholder to be seen skipped.
 */
export function describeCorpus(name: string, fn: () => void): void {
  describe(name, () => {
    beforeEach((ctx) => skipWithoutCorpus(ctx));
    fn();
  });
}

/**
 * A describe block whose body reads the corpus while being collected (a capture loaded, a listing walked):
 * without the corpus the body is not run and one skipped test stands for the block.
 */
export function describeCorpusData(name: string, fn: () => void): void {
  describe(name, () => {
    if (corpusAvailable) fn();
    else corpusPlaceholder('its tests');
  });
}

/** One test that needs the corpus: skipped with CORPUS_SKIP_REASON when it is absent. */
export function itCorpus(name: string, fn: TestFn, timeout?: number): void {
  it(
    name,
    (ctx) => {
      skipWithoutCorpus(ctx);
      return fn(ctx);
    },
    timeout,
  );
}

/**
 * Where tests are made from corpus data (a loop over a corpus listing or file), they do not exist without the
 * corpus: this registers, only then, one test named `name` that stands for them and is skipped with the reason.
 */
export function corpusPlaceholder(name: string): void {
  if (!corpusAvailable) it(`${name} [needs the external corpus]`, (ctx) => ctx.skip(CORPUS_SKIP_REASON));
}
