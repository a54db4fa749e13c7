/**
 * `pnpm build` compiles every package to dist/ (tsc -b), the JavaScript that the packages' bins run and that
 * npm users install. The built programs must behave exactly as the sources do under tsx: same bytes on the
 * air, same decode, same tracks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtProgram, runBuilt as runBuiltProgram, type BuiltResult, type Program } from '../support/built.js';
import { odid, ridBroadcast, runCli, runCliBinary } from '../support/run-cli.js';
import { corpusPath, itCorpus } from '../support/fixtures.js';

function runBuilt(name: Program, args: string[], input?: Uint8Array): BuiltResult {
  return runBuiltProgram(name, args, input === undefined ? {} : { input });
}

/** The capture decoded by the sources' odid, each MAC replaced by its order of appearance (a fresh random address each run). */
function decodedWithoutAddresses(pcapng: Uint8Array): string[] {
  const r = odid(['decode', '-'], pcapng);
  expect(r.status, r.stderr).toBe(0);
  const seen = new Map<string, number>();
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/"mac":"([0-9a-f:]{17})"/, (_, mac: string) => `"mac":"#${seen.get(mac) ?? seen.set(mac, seen.size).get(mac)}"`));
}

const CAPTURE = corpusPath('ayumu-kasuga+remoteID_packet_reader_loop_script/remoteID_capture.pcapng');
const BROADCAST = ['--clock', 'simulated', '--start', '2025-06-01T10:00:00Z', '--duration', '8', '--transport', 'ble-legacy,ble-extended,wifi-beacon,wifi-nan', '--pcapng', '-'];

describe('built programs (pnpm build)', () => {
  it('each bin is built JavaScript that plain node runs', () => {
    for (const name of ['odid', 'rid-broadcast', 'rid-scan'] as const) {
      expect(builtProgram(name)).toMatch(/\/dist\/.*\.js$/);
      expect(readFileSync(builtProgram(name), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    }
  });

  itCorpus('odid decode: the same JSON lines as the sources', () => {
    const fromBuilt = runBuilt('odid', ['decode', CAPTURE]);
    const fromSources = odid(['decode', CAPTURE]);
    expect(fromBuilt.status, fromBuilt.stderr).toBe(0);
    expect(fromSources.status).toBe(0);
    expect(fromBuilt.stdout.toString('utf8').split('\n').length).toBeGreaterThan(10);
    expect(fromBuilt.stdout.toString('utf8')).toBe(fromSources.stdout);
  });

  it('rid-broadcast -> pcapng: the same frames as the sources (apart from the random addresses)', () => {
    const fromBuilt = runBuilt('rid-broadcast', BROADCAST);
    const fromSources = runCliBinary('packages/broadcaster/src/cli/rid-broadcast.ts', BROADCAST);
    expect(fromBuilt.status, fromBuilt.stderr).toBe(0);
    expect(fromBuilt.stdout.length).toBe(fromSources.stdout.length);
    const built = decodedWithoutAddresses(fromBuilt.stdout);
    expect(built.length).toBeGreaterThan(100);
    expect(built).toEqual(decodedWithoutAddresses(fromSources.stdout));
  });

  it('built rid-broadcast -> built rid-scan --replay - --fast --once --json: the tracks the sources make', () => {
    const air = runBuilt('rid-broadcast', BROADCAST).stdout;
    const scan = ['--replay', '-', '--fast', '--once', '--json'];
    const fromBuilt = runBuilt('rid-scan', scan, air);
    const fromSources = runCli('packages/receiver/src/cli/rid-scan.ts', scan, air);
    expect(fromBuilt.status, fromBuilt.stderr).toBe(0);
    const tracks = JSON.parse(fromBuilt.stdout.toString('utf8')) as { uasId: string; transports: string[] }[];
    expect(tracks).toHaveLength(1);
    expect([...tracks[0]!.transports].sort()).toEqual(['ble-extended', 'ble-legacy', 'wifi-beacon', 'wifi-nan']);
    expect(tracks).toEqual(JSON.parse(fromSources.stdout));
  });

  it('the native modules load from the built program (noble for --ble)', () => {
    const r = runBuilt('rid-scan', ['--ble', '--once', '--duration', '1']);
    // No Bluetooth here: the error must be noble's own diagnosis, not a module the build failed to find.
    expect(r.stderr).not.toMatch(/Cannot find (module|package)|Dynamic require/);
    expect(r.stderr).toMatch(/rid-scan: ble: /);
  });

  it('rid-broadcast --help from the build explains itself', () => {
    expect(runBuilt('rid-broadcast', ['--help']).stdout.toString('utf8')).toBe(ridBroadcast(['--help']).stdout);
  });
});
