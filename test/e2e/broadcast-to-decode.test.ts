/**
 * rid-broadcast --pcapng - --clock simulated | odid decode -: the flight on all four transports, for every
 * example configuration; and the same pcapng opens in tshark without malformed packets or warnings.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIdentity } from '@odid/transmitter';
import { odid, ridBroadcast, runCliBinary } from '../support/run-cli.js';
import { repoRoot } from '../support/fixtures.js';
import { expertProblems, tshark } from '../support/tshark.js';
import { readFileSync } from 'node:fs';

const examplesDir = path.join(repoRoot, 'packages/broadcaster/examples');
const examples = readdirSync(examplesDir).filter((f) => /\.(ya?ml|json)$/.test(f));
const ALL = ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'];

describe('rid-broadcast into odid decode', () => {
  it('has an example for each regime', () => expect(examples.length).toBeGreaterThanOrEqual(3));

  for (const example of examples) {
    it(`${example}: 600 simulated seconds on all four transports`, () => {
      const config = path.join(examplesDir, example);
      const identity = parseIdentity(readFileSync(config, 'utf8'));
      const dir = mkdtempSync(path.join(tmpdir(), 'rid-'));
      const file = path.join(dir, 'flight.pcapng');
      const b = runCliBinary('packages/broadcaster/src/cli/rid-broadcast.ts', [
        '--config', config, '--position', 'sim', ...ALL.flatMap((t) => ['--transport', t]),
        '--pcapng', '-', '--duration', '600', '--clock', 'simulated', '--start', '2026-11-25T10:00:00Z',
      ]);
      expect(b.stderr).toContain('sent ');
      expect(b.status).toBe(0);
      writeFileSync(file, b.stdout);
      const d = odid(['decode', '-'], b.stdout);
      expect(d.status).toBe(0);
      const lines = d.stdout.trim().split('\n').map((l) => JSON.parse(l));
      for (const transport of ALL) {
        const mine = lines.filter((l) => l.transport === transport);
        const types = new Set(mine.map((l) => l.message.type));
        expect([...types].sort(), transport).toEqual(['basicId', 'location', 'operatorId', 'selfId', 'system']);
        // the identity as configured, and a flight that moves
        const ids = new Set(mine.filter((l) => l.message.type === 'basicId').map((l) => l.message.uasIdHex ?? l.message.uasId));
        expect(ids.size).toBe(identity.basicIds.length);
        expect(mine.find((l) => l.message.type === 'operatorId').message.operatorId).toBe(identity.operatorId!.operatorId);
        const locs = mine.filter((l) => l.message.type === 'location' && l.message.status === 2);
        expect(locs.length).toBeGreaterThan(500);
        const first = lines[0].t;
        expect(lines[lines.length - 1].t - first).toBeGreaterThan(599);
      }
      const list = tshark(['-r', file]);
      expect(list).not.toMatch(/Malformed/i);
      const { quiet, withColumns } = expertProblems(file);
      expect(withColumns).toEqual([]);
      expect(quiet.filter((l) => !/NAN Unknown beacon type/.test(l))).toEqual([]);
    }, 120_000);
  }

  it('--dry-run prints what it would send, decoded', () => {
    const r = ridBroadcast(['--dry-run', '--transport', 'ble-legacy', '--duration', '3', '--clock', 'simulated']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(12);
    expect(new Set(lines.map((l) => l.message.type))).toEqual(new Set(['location', 'basicId', 'selfId', 'system', 'operatorId']));
    expect(r.stderr).toContain('built-in demo identity');
  });

  it('a real-time flight into a pcapng does not leak abort listeners (no MaxListenersExceededWarning)', () => {
    const r = ridBroadcast(['--position', 'sim', '--pcapng', '/dev/null', '--duration', '3']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/sent \d+ transmissions/);
    expect(Number(/sent (\d+) transmissions/.exec(r.stderr)?.[1])).toBeGreaterThan(11); // more sleeps than the default limit of 10
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|memory leak/);
  }, 30_000);

  it('refuses a bad configuration naming the field, and never prints an EU secret', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rid-'));
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'regime: eu\nids: [{type: serial, value: 1581F5FJD228400X0S2K}]\noperatorId: FIN87astrdge12k9-xyz\n');
    const r = ridBroadcast(['--config', bad, '--dry-run', '--duration', '1', '--clock', 'simulated']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('operatorId');
    expect(r.stderr + r.stdout).not.toContain('xyz');
  });

  it('a transport that cannot start says what is missing, and the others keep running', () => {
    const r = ridBroadcast(['--transport', 'ble-legacy', '--duration', '1']);
    expect(r.stderr).toMatch(/ble-legacy cannot start: .*\. Fix: /);
    expect(r.status).toBe(2);
  });
});
