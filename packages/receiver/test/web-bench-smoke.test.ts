/**
 * The live map's load benchmark (`pnpm bench`, packages/receiver/bench/web-map.bench.ts) in miniature, so
 * that it cannot rot between the runs that give the README its figures: the frame pool, the compiled
 * receiver with the map attached by rid-scan's own startWebMap, a headless Chromium page, the page's render
 * marks read back, the result table. No timing is asserted — only that it ran, measured and counted.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test/support/fixtures.js';
import { cpuList } from '../bench/cpu-split.js';

describe('live map load benchmark (miniature)', () => {
  it('runs 20 drones for 2 s a run (bare, map, bare, map, bare: a fresh page each map run), and reports the CPU the map adds, what the pages drew and what outlived the young generation', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@odid/source', 'packages/receiver/bench/web-map.bench.ts', '--seconds', '2', '--drones', '20', '--survivors'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
    const row = (metric: string): string => {
      const line = r.stdout.split('\n').find((l) => l.startsWith(`| ${metric}`));
      expect(line, `row "${metric}" in\n${r.stdout}`).toBeDefined();
      return line!;
    };
    expect(r.stdout).toMatch(/2 s a run, each in a receiver process of its own, warmed up as rid-scan is \(compiled bundle, plain node/);
    // The measured receiver had a CPU to itself where it can (cpu-split.ts): the page's rendering is not its cost.
    if (process.platform === 'linux' && os.availableParallelism() >= 2) expect(r.stdout).toMatch(/the receiver alone on CPU \d+, the page and the bench on CPU \d+/);
    expect(row('receiver CPU')).toMatch(/% of one core \| .* % of one core/);
    expect(row('CPU the web output adds')).toMatch(/[+-]\d+\.\d % of the receiver's/);
    expect(row("the same after each run's first")).toMatch(/[+-]\d+\.\d % of the receiver's/);
    // The page drew positions, with their latencies from its own marks.
    expect(row('page: position reception → drawn')).toMatch(/\| [\d,]+ \/ [\d,]+ \/ [\d,]+ \/ [\d,]+ ms \([\d,]+ positions\)/);
    // 20 drones x 10 frames/s x 2 s a run, none dropped; every drone on each map run's page at its end.
    expect(row('frames offered / dropped')).toMatch(/\| 400 \/ 0; 400 \/ 0; 400 \/ 0 \| 400 \/ 0; 400 \/ 0 \|/);
    expect(row('tracks at the end')).toMatch(/\| 20 \/ 20, 20 at the tracker's latest position, .*; 20 \/ 20, 20 at the tracker's latest position, /);
    expect(row('receiver CPU')).toMatch(/\| [^|]*; [^|]*; [^|]* \| [^|;]*; [^|;]* \|/);
    expect(row('session recording')).toMatch(/\| [\d,]+ frames held/);
    expect(row('GC: pauses')).toMatch(/\| \d+ pauses, \d+ ms; \d+ full; .* \| \d+ pauses, \d+ ms; \d+ full; /);
    expect(row('snapshots sent')).toMatch(/\| \d+ \(0\) \/ 0 \|/);
    // --survivors: every run sampled (three bare, two with the map), and the sites named by function and module.
    expect(row('all |')).toMatch(/^\| all \| [1-9]\d*; [1-9]\d*; [1-9]\d* \| [1-9]\d*; [1-9]\d* \| -?\d+ \|$/);
    expect(r.stdout).toMatch(/^\| \S+ \([\w./-]+\.[cm]?[jt]s\) \| /m);
  }, 180_000);

  it('--one-process: every run in one receiver process (bare, map, bare), each run measured and the page drawn', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@odid/source', 'packages/receiver/bench/web-map.bench.ts', '--seconds', '2', '--drones', '20', '--rounds', '1', '--one-process'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
    const row = (metric: string): string => r.stdout.split('\n').find((l) => l.startsWith(`| ${metric}`)) ?? `(no row "${metric}" in\n${r.stdout})`;
    expect(r.stdout).toMatch(/2 s a run in one receiver process/);
    expect(row('frames offered / dropped')).toMatch(/\| 400 \/ 0; 400 \/ 0 \| 400 \/ 0 \|/);
    expect(row('CPU the web output adds')).toMatch(/[+-]\d+\.\d % of the receiver's/);
    expect(row('tracks at the end')).toMatch(/\| 20 \/ 20, 20 at the tracker's latest position, /);
    expect(row('session recording')).toMatch(/\| [\d,]+ frames held/);
  }, 180_000);

  it("reads taskset CPU lists as the CPUs they name (a container may be given any of the machine's)", () => {
    expect(cpuList('0-3')).toEqual([0, 1, 2, 3]);
    expect(cpuList('4,5')).toEqual([4, 5]);
    expect(cpuList('0,2-3,7')).toEqual([0, 2, 3, 7]);
    expect(() => cpuList('0-1 ')).not.toThrow();
    expect(() => cpuList('mask 3')).toThrow(/not a CPU list/);
  });
});
