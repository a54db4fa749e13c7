/**
 * The coverage-guided fuzzer (packages/codec/scripts/fuzz/coverage-driver.ts) on the parsers of hostile input
 * outside the codec, CI-sized: the receiver's recording reader, the `iw` scan output parser (with the beacons
 * it rebuilds), the NMEA parser and fix assembler. A fixed seed, input budget and batch size (deterministic);
 * no input may fail its target's checks, and the inputs the fuzzer kept must reach blocks the seeds do not.
 * Then `pnpm fuzz` itself, the long run, on a small budget: it saves what it finds and replays an input.
 * The codec's targets: packages/codec/test/fuzz-coverage.test.ts.
 *
 * FUZZ_SEED (default 0x0d1d5eed) seeds the run.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CoverageProbe } from '../../packages/codec/scripts/fuzz/coverage.js';
import { runCli } from '../support/run-cli.js';

// Before the code under test is loaded: V8 counts blocks only in code compiled after this.
const probe = new CoverageProbe();
probe.start();
const { fuzzGuided, measureInputs } = await import('../../packages/codec/scripts/fuzz/coverage-driver.js');
const { fuzzSeed } = await import('../../packages/codec/scripts/fuzz/driver.js');
const { selectTargets } = await import('./targets.js');

const SEED = fuzzSeed();
const INPUTS = 1000;
const BATCH = 64;

describe(`coverage-guided fuzzing of the other packages' parsers (seed 0x${SEED.toString(16)})`, () => {
  for (const name of ['recording', 'iw-scan', 'nmea']) {
    it(`${name}: ${INPUTS} inputs, no failure, and what it kept reaches code its seeds do not`, async () => {
      const [target] = selectTargets(name);
      const r = await fuzzGuided(target!, { probe, seed: SEED, inputs: INPUTS, batchSize: BATCH });
      const lines = r.failures.map((f) => `${f.description}\n  input ${f.hex.slice(0, 600)}`);
      expect(lines, `${r.failureCount} failing inputs; replay one: save its hex to a file, then pnpm fuzz ${name} --replay FILE`).toEqual([]);
      expect(r.seeds, 'seeds').toBeGreaterThan(2);
      expect(r.found, 'inputs kept for new coverage').toBeGreaterThan(0);
      const seeds = target!.seeds();
      const before = await measureInputs(target!, seeds, probe);
      const after = await measureInputs(target!, [...seeds, ...r.kept], probe);
      console.log(`${name}: ${r.inputs} inputs in ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.found} kept; replayed: blocks ${before.blocks} -> ${after.blocks}, features ${before.features} -> ${after.features}`);
      expect(after.blocks, 'blocks reached by the seeds, then by the seeds and the inputs kept').toBeGreaterThan(before.blocks);
    });
  }
});

describe('pnpm fuzz (scripts/fuzz.ts)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'odid-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a target on a budget, saves the inputs that reached new code, and replays one of them', () => {
    const run = runCli('scripts/fuzz.ts', ['messages', '--inputs', '300', '--seed', '7', '--corpus', dir]);
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('fuzz seed 0x7: 1 target(s), 300 inputs each');
    expect(run.stdout).toMatch(/^messages: 300 inputs .* blocks \d+ -> \d+/m);
    expect(run.stdout).toContain('no failures (seed 0x7)');
    const queue = path.join(dir, 'messages', 'queue');
    const saved = readdirSync(queue);
    expect(saved.length).toBeGreaterThan(0);
    for (const f of saved) expect(f).toMatch(/^[0-9a-f]{16}\.bin$/);
    const replay = runCli('scripts/fuzz.ts', ['messages', '--replay', path.join(queue, saved[0]!)]);
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/^messages: .* passes$/m);
  });

  it('names the targets it has, and refuses one it has not', () => {
    const list = runCli('scripts/fuzz.ts', ['--list']);
    expect(list.status).toBe(0);
    expect(list.stdout.split('\n')).toEqual(expect.arrayContaining(['messages', 'capture', 'link.127', 'receive.127', 'recording', 'iw-scan', 'nmea']));
    const wrong = runCli('scripts/fuzz.ts', ['no-such-target']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('no fuzz target "no-such-target"; targets: all, messages');
  });
});
