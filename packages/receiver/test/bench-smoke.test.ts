/**
 * The load benchmark itself (`pnpm bench`, packages/receiver/bench) in miniature, so that it cannot rot
 * between the runs that produce the README's figures: frame pool in child processes, the compiled
 * measured process, the result table. No timing is asserted here — only that it ran and counted.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test/support/fixtures.js';

describe('receiver load benchmark (miniature)', () => {
  it('runs 20 drones for 2 s through the compiled receiver and reports every frame', () => {
    const r = spawnSync(path.join(repoRoot, 'node_modules/.bin/tsx'), ['packages/receiver/bench/receiver.bench.ts', '--seconds', '2', '--drones', '20'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const row = (metric: string): string => {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`| ${metric}`));
      expect(line, `row "${metric}" in\n${r.stdout}`).toBeDefined();
      return line!;
    };
    expect(r.stdout).toMatch(/compiled bundle, plain node/);
    // 20 drones x 10 frames/s x 2 s, none dropped, every drone tracked.
    expect(row('frames offered')).toMatch(/\| 400 = 200\/s/);
    expect(row('frames dropped by the queue')).toMatch(/\| 0 \(deepest queue/);
    expect(row('tracks')).toMatch(/\| 20 \(flags:/);
    expect(row('warm-up before the first frame')).toMatch(/then one full GC/);
    expect(row('latency arrival → update')).toMatch(/\d+\.\d+ \/ \d+\.\d+ \/ \d+\.\d+ \/ \d+\.\d+ ms/);
  }, 180_000);
});
