/**
 * Every input the fuzzers found failing (test/fuzz-regressions/<target>/<id>.bin) replayed through its
 * target's checks: each must now pass. A directory names a target; a file is named after its content.
 */
import { describe, expect, it } from 'vitest';
import { execTarget, inputId, placed } from '../../packages/codec/scripts/fuzz/coverage-driver.js';
import { regressionInputs, regressionTargets } from './regressions.js';
import { allTargets } from './targets.js';

const targets = new Map(allTargets().map((t) => [t.name, t]));
const inputs = regressionInputs();

describe('fuzz regressions', () => {
  it('every directory names a fuzz target, every file is named after its content', () => {
    for (const dir of regressionTargets()) expect(targets.has(dir), `test/fuzz-regressions/${dir}: no fuzz target of that name`).toBe(true);
    for (const r of inputs) expect(`${inputId(r.bytes)}.bin`, r.file).toBe(r.file.split('/').pop());
  });

  for (const r of inputs) {
    it(`${r.target}/${r.file.split('/').pop()} passes its target's checks`, async () => {
      const target = targets.get(r.target);
      expect(target, `no target ${r.target}`).toBeDefined();
      const bad = await execTarget(target!, placed(r.bytes));
      expect(bad, `replay: pnpm fuzz ${r.target} --replay ${r.file}`).toBeUndefined();
    });
  }
});
