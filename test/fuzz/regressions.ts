/**
 * Role: the inputs the fuzzers found failing, kept for good: test/fuzz-regressions/<target>/<id>.bin, where
 * <id> is the input's sha-1 (16 hex digits, coverage-driver.ts inputId). regressions.test.ts replays every one
 * on every run; the long run (scripts/fuzz.ts) starts from them too.
 */

import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/fixtures.js';

export const REGRESSIONS_DIR = path.join(repoRoot, 'test', 'fuzz-regressions');

export interface RegressionInput {
  target: string;
  file: string;
  bytes: Uint8Array;
}

/** Every regression input, by target directory (files other than *.bin are the directory's notes). */
export function regressionInputs(): RegressionInput[] {
  const out: RegressionInput[] = [];
  for (const target of readdirSync(REGRESSIONS_DIR).sort()) {
    const dir = path.join(REGRESSIONS_DIR, target);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.bin')) out.push({ target, file: path.join(dir, file), bytes: new Uint8Array(readFileSync(path.join(dir, file))) });
    }
  }
  return out;
}

/** The target directories (with or without inputs yet). */
export const regressionTargets = (): string[] => readdirSync(REGRESSIONS_DIR).filter((d) => statSync(path.join(REGRESSIONS_DIR, d)).isDirectory());
