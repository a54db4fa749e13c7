/**
 * Broadcaster (sim position, pcapng transport) -> receiver (replay): the tracks hold what was broadcast.
 * The same through a real `tcpdump -r capture -w -` pipe, and the simulated scene through rid-scan --sim.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { odid, ridScan, runCliBinary } from '../support/run-cli.js';
import { repoRoot } from '../support/fixtures.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rid-scan-'));
const capture = path.join(dir, 'flight.pcapng');
const ALL = ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'];

function broadcast(file: string, transports: string[]): Buffer {
  const b = runCliBinary('packages/broadcaster/src/cli/rid-broadcast.ts', [
    '--config', path.join(repoRoot, 'packages/broadcaster/examples/eu-open.yaml'), '--position', 'sim',
    '--transport', transports.join(','), '--pcapng', '-', '--duration', '120', '--clock', 'simulated', '--start', '2026-11-25T10:00:00Z',
  ]);
  expect(b.status).toBe(0);
  writeFileSync(file, b.stdout);
  return b.stdout;
}

describe('rid-broadcast -> rid-scan --replay', () => {
  broadcast(capture, ALL);
  const decoded = (file: string) => odid(['decode', file]).stdout.trim().split('\n').map((l) => JSON.parse(l));
  const sent = decoded(capture);

  const checkTracks = (stdout: string, sent: { t: number; mac: string; transport: string; message: { type: string } }[], transports = ALL) => {
    const lastOf = (type: string) => sent.filter((l) => l.message.type === type).pop()!;
    const tracks = JSON.parse(stdout);
    expect(tracks).toHaveLength(1);
    const t = tracks[0];
    expect(t).toMatchObject({
      uasId: '1581F5FJD228400X0S2K',
      idType: 1,
      uaType: 2,
      operatorId: 'FIN87astrdge12k8',
      selfId: 'Survey flight',
      auth: null,
      messages: sent.length,
      flags: [],
    });
    expect([...t.transports].sort()).toEqual([...transports].sort());
    expect(new Set(t.addresses)).toEqual(new Set(sent.map((l) => l.mac)));
    // the latest location and system are exactly the last ones broadcast
    expect(t.location).toEqual(lastOf('location').message);
    expect(t.system).toEqual(lastOf('system').message);
    expect(t.firstSeen).toBeCloseTo(sent[0]!.t, 6);
    expect(t.lastSeen).toBeCloseTo(sent[sent.length - 1]!.t, 6);
    return t;
  };

  it('replays the file into one track holding what was broadcast', () => {
    const r = ridScan(['--replay', capture, '--fast', '--once', '--json']);
    expect(r.status).toBe(0);
    checkTracks(r.stdout, sent);
  });

  it('reads the same through a real tcpdump pipe (a Wi-Fi monitor capture has one link type)', () => {
    const wifi = path.join(dir, 'wifi.pcapng');
    const bytes = broadcast(wifi, ['wifi-beacon', 'wifi-nan']);
    const tcpdump = spawnSync('tcpdump', ['-r', wifi, '-w', '-'], { maxBuffer: 64 * 1024 * 1024 });
    if (tcpdump.error) throw new Error(`tcpdump could not run (${tcpdump.error.message}): run scripts/setup.sh`);
    expect(tcpdump.status).toBe(0);
    expect(tcpdump.stdout.subarray(0, 4)).toEqual(Buffer.from([0xd4, 0xc3, 0xb2, 0xa1])); // classic pcap now
    expect(tcpdump.stdout.length).toBeGreaterThan(bytes.length / 2);
    const r = ridScan(['--replay', '-', '--fast', '--once', '--json'], tcpdump.stdout);
    expect(r.status).toBe(0);
    checkTracks(r.stdout, decoded(wifi), ['wifi-beacon', 'wifi-nan']);
  });

  it('records the raw frames and replays the recording to exactly the same tracks; exports a pcapng', () => {
    const rec = path.join(dir, 'session.cbor');
    const pcap = path.join(dir, 'export.pcapng');
    const live = ridScan(['--replay', capture, '--fast', '--once', '--json', '--record', rec, '--pcapng', pcap]);
    const again = ridScan(['--replay', rec, '--fast', '--once', '--json']);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(live.stdout));
    const exported = odid(['decode', pcap]).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(exported.map((l) => l.message)).toEqual(sent.map((l) => l.message));
  });

  it('exports GeoJSON and KML and streams JSONL', () => {
    const geo = path.join(dir, 'tracks.geojson');
    const kml = path.join(dir, 'tracks.kml');
    const r = ridScan(['--replay', capture, '--fast', '--once', '--out', geo, '--out', kml, '--jsonl', '-']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(sent.length);
    const fc = JSON.parse(spawnSync('cat', [geo], { encoding: 'utf8' }).stdout);
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.some((f: { geometry: { type: string } }) => f.geometry.type === 'LineString')).toBe(true);
    expect(spawnSync('cat', [kml], { encoding: 'utf8' }).stdout).toContain('<kml');
  });

  it('--history bounds the positions kept per track (the export line); --history and --forget refuse nonsense', () => {
    const geo = path.join(dir, 'short.geojson');
    const r = ridScan(['--replay', capture, '--fast', '--once', '--history', '3', '--out', geo]);
    expect(r.status, r.stderr).toBe(0);
    const fc = JSON.parse(spawnSync('cat', [geo], { encoding: 'utf8' }).stdout) as { features: { geometry: { type: string; coordinates: unknown[] } }[] };
    const lines = fc.features.filter((f) => f.geometry.type === 'LineString');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.geometry.coordinates).toHaveLength(3);
    const bad = ridScan(['--replay', capture, '--fast', '--once', '--history', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--history must be a whole number of positions ≥ 1 and ≤ 100000 (got "0")');
    const forget = ridScan(['--replay', capture, '--fast', '--once', '--forget', '-5']);
    expect(forget.status).toBe(2);
    expect(forget.stderr).toContain('--forget must be a number of minutes ≥ 0 and ≤ 10080 (got "-5")');
  });
});

describe('rid-scan --sim', () => {
  it('sees every drone of the scene, the emergency and the bad operator ID', () => {
    const r = ridScan(['--sim', '--fast', '--duration', '60', '--once', '--json']);
    expect(r.status).toBe(0);
    const tracks = JSON.parse(r.stdout) as { uasId: string; flags: string[]; transports: string[] }[];
    expect(tracks.map((t) => t.uasId).sort()).toEqual(['1581F5FHB229F00202DR', '1581F5FJD228400X0S2K', '1581F5FKD229H00417TX', '4AB9AHKQ7A05LP8', 'GBR-RP-2Y7K9']);
    const byId = new Map(tracks.map((t) => [t.uasId, t]));
    expect(byId.get('1581F5FHB229F00202DR')!.flags).toContain('emergency');
    expect(byId.get('1581F5FKD229H00417TX')!.flags).toContain('malformed-operator-id');
    expect(byId.get('1581F5FJD228400X0S2K')!.flags).toEqual([]);
    expect(new Set(tracks.flatMap((t) => t.transports))).toEqual(new Set(ALL));
  });

  it('with no source, says what the machine has and how to run the simulation', () => {
    const r = ridScan([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--sim/);
  });
});
