/**
 * The long coverage-guided fuzz run (the engine: packages/codec/scripts/fuzz/coverage-driver.ts; the short
 * one runs in CI as tests). Every parser of hostile input is a target (test/fuzz/targets.ts).
 *
 *   pnpm fuzz [target|all] [--time 10m] [--seed N] [--corpus DIR] [--inputs N] [--no-minimize]
 *   pnpm fuzz <target> --replay FILE
 *   pnpm fuzz --list
 *
 * --time is the whole run's budget, shared equally by the targets (default 1m); --inputs stops each target
 * after that many inputs instead. The corpus directory (default fuzz-corpus/, git-ignored) keeps, per target,
 * queue/ (inputs that reached new code: the next run starts from them) and crashes/ (each distinct failure,
 * shrunk, with a .txt saying what went wrong). A run also starts from the target's regression inputs
 * (test/fuzz-regressions/). Exits 1 when something failed, printing how to replay it and keep it as a test.
 */

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoverageProbe } from '../packages/codec/scripts/fuzz/coverage.js';

// Before anything under test is imported: V8 instruments blocks only in code compiled after this.
const probe = new CoverageProbe();
probe.start();

const { fuzzGuided, execTarget, inputId, placed } = await import('../packages/codec/scripts/fuzz/coverage-driver.js');
const { allTargets, selectTargets } = await import('../test/fuzz/targets.js');
const { REGRESSIONS_DIR, regressionInputs } = await import('../test/fuzz/regressions.js');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: pnpm fuzz [target|all] [--time 10m] [--seed N] [--corpus DIR] [--inputs N] [--no-minimize] | pnpm fuzz <target> --replay FILE | pnpm fuzz --list';

/** "90" (seconds), "90s", "10m", "2h", "500ms" -> ms. */
function duration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new Error(`--time ${text}: a duration such as 90s, 10m or 2h`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

function parseArgs(argv: string[]): { spec: string; timeMs: number; seed: number; corpus: string; inputs?: number; replay?: string; list: boolean; minimize: boolean } {
  const out = { spec: 'all', timeMs: 60_000, seed: (Math.random() * 2 ** 32) >>> 0, corpus: path.join(repoRoot, 'fuzz-corpus'), list: false, minimize: true } as ReturnType<typeof parseArgs>;
  const value = (i: number): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`${argv[i]} needs a value`);
    return v;
  };
  let positional = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue;
    else if (a === '--time') out.timeMs = duration(value(i++));
    else if (a === '--seed') out.seed = Number(value(i++)) >>> 0;
    else if (a === '--corpus') out.corpus = path.resolve(value(i++));
    else if (a === '--inputs') out.inputs = Number(value(i++));
    else if (a === '--replay') out.replay = path.resolve(value(i++));
    else if (a === '--list') out.list = true;
    else if (a === '--no-minimize') out.minimize = false;
    else if (a.startsWith('-') || positional++ > 0) throw new Error(`unexpected ${a}`);
    else out.spec = a;
  }
  if (out.inputs !== undefined && !(Number.isSafeInteger(out.inputs) && out.inputs > 0)) throw new Error('--inputs: a positive integer');
  return out;
}

let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}

if (args.list) {
  for (const t of allTargets()) console.log(t.name);
  process.exit(0);
}

let targets;
try {
  targets = selectTargets(args.spec);
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const relative = (p: string): string => path.relative(process.cwd(), p) || '.';

if (args.replay) {
  // One input, with stacks: what a crash file does to its target now.
  if (targets.length !== 1) {
    console.error(`--replay needs one target, not "${args.spec}"`);
    process.exit(2);
  }
  const bad = await execTarget(targets[0]!, placed(new Uint8Array(readFileSync(args.replay))));
  console.log(bad === undefined ? `${targets[0]!.name}: ${relative(args.replay)} passes` : `${targets[0]!.name}: ${relative(args.replay)} fails: ${bad}`);
  process.exit(bad === undefined ? 0 : 1);
}

const hex = `0x${args.seed.toString(16)}`;
const perTargetMs = Math.max(2000, args.timeMs / targets.length);
console.log(
  `fuzz seed ${hex}: ${targets.length} target(s), ${args.inputs !== undefined ? `${args.inputs} inputs each` : `${(perTargetMs / 1000).toFixed(1)} s each`}; corpus ${relative(args.corpus)}`,
);

const readDir = (dir: string): Uint8Array[] => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.bin')).sort().map((f) => new Uint8Array(readFileSync(path.join(dir, f))));
  } catch {
    return [];
  }
};
const regressions = regressionInputs();
let failures = 0;
for (const target of targets) {
  const queue = path.join(args.corpus, target.name, 'queue');
  const crashes = path.join(args.corpus, target.name, 'crashes');
  const saved = readDir(queue);
  const kept = regressions.filter((r) => r.target === target.name).map((r) => r.bytes);
  mkdirSync(queue, { recursive: true });
  const r = await fuzzGuided(target, {
    probe,
    seed: args.seed,
    corpus: [...saved, ...kept],
    ...(args.inputs !== undefined ? { inputs: args.inputs } : { timeMs: perTargetMs }),
    minimize: args.minimize,
    onInteresting: (input) => writeFileSync(path.join(queue, `${inputId(input)}.bin`), input),
    onFailure: (f) => {
      mkdirSync(crashes, { recursive: true });
      const file = path.join(crashes, `${inputId(f.input)}.bin`);
      writeFileSync(file, f.input);
      const keep = path.join(REGRESSIONS_DIR, target.name, path.basename(file));
      const how = `replay: pnpm fuzz ${target.name} --replay ${relative(file)}\nkeep as a regression test: mkdir -p ${relative(path.dirname(keep))} && cp ${relative(file)} ${relative(keep)}`;
      writeFileSync(file.replace(/\.bin$/, '.txt'), `${f.description}\n\nsignature: ${f.signature}\ninput: ${f.hex}\n${how}\n`);
      console.log(`  FAIL ${target.name}: ${f.description}\n  input ${f.hex.slice(0, 400)}\n  ${how.replace(/\n/g, '\n  ')}`);
    },
    onProgress: (p) => console.log(`  ${p.target}: ${p.inputs} inputs, ${p.blocks} blocks, ${p.features} features, ${p.found} new inputs, ${p.failureCount} failures`),
  });
  failures += r.failureCount;
  const rate = (r.inputs / Math.max(r.elapsedMs, 1)) * 1000;
  console.log(
    `${r.target}: ${r.inputs} inputs (${rate.toFixed(0)}/s, batch ${r.batchSize}) from ${r.seeds} starting ones (${saved.length} saved); ` +
      `blocks ${r.seedBlocks} -> ${r.blocks}, features ${r.seedFeatures} -> ${r.features}; ${r.found} new inputs saved; ` +
      `coverage reads ${(r.takeMs / Math.max(r.elapsedMs, 1) * 100).toFixed(0)} % of the time; slowest input ${r.slowestMs.toFixed(1)} ms; ${r.failureCount} failures (${r.failures.length} distinct)`,
  );
}
probe.stop();
console.log(failures ? `${failures} failing inputs (seed ${hex}); crashes under ${relative(args.corpus)}/<target>/crashes` : `no failures (seed ${hex})`);
process.exit(failures ? 1 : 0);
