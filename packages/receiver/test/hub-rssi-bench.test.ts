/**
 * The RSSI estimates' benchmark (packages/receiver/bench/hub-estimates.bench.ts) in miniature, so that it
 * cannot rot between the runs that give docs/mqtt.md its figures: one estimate at 3, 6 and 12 receivers,
 * one calibration fit, and a small fleet's ticks with its calibration warm. No timing is asserted — only
 * that it ran, that every track was estimated, and that the calibrated models were used.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/run-cli.js';

describe('RSSI estimates benchmark (miniature)', () => {
  it('runs 10 drones x 4 receivers: every figure reported, every track estimated, calibrated models used', () => {
    const r = runCli('packages/receiver/bench/hub-estimates.bench.ts', ['--drones', '10', '--receivers', '4', '--warm-seconds', '4', '--seconds', '2']);
    expect(r.status, r.stderr).toBe(0);
    for (const n of [3, 6, 12]) expect(r.stdout).toMatch(new RegExp(`one estimate, ${n} receivers: default model [\\d.]+ ms, calibrated [\\d.]+ ms`));
    expect(r.stdout).toMatch(/one calibration fit over 640 pairs of 200 drones: [\d.]+ ms/);
    expect(r.stdout).toMatch(/fleet: 10 drones x 4 receivers, 10 tracks, \d+ calibration pairs/);
    expect(r.stdout).toMatch(/ticks \(wall clock[^)]*\): p50 [\d.]+ ms, p99 [\d.]+ ms, longest [\d.]+ ms/);
    // Ten tracks, each due once a second, two seconds measured: twenty estimates (a tick the machine held
    // up may leave one to the next), calibrated models among them.
    const [, made, calibrated] = /(\d+) estimates \((\d+) calibrated\) = one per track every/.exec(r.stdout) ?? [];
    expect(Number(made)).toBeLessThanOrEqual(20);
    expect(Number(made)).toBeGreaterThanOrEqual(10);
    expect(Number(calibrated)).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/every track at once, unbudgeted: 10 estimates/);
  }, 150_000);
});
