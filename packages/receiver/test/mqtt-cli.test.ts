/**
 * rid-scan --publish and rid-hub as a user runs them, against a real mosquitto (test/support/mosquitto.ts)
 * with a TLS listener whose certificates openssl makes at test time and a password-protected listener:
 * a replayed capture published over TLS with a client certificate and merged by the hub; a certificate
 * signed by another CA refused, saying so; a wrong password refused, saying why; the password never taken
 * from the command line; IDs that would change the topic tree refused.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type Mosquitto } from '../../../test/support/mosquitto.js';
import { fixturePath, repoRoot } from '../../../test/support/fixtures.js';
import { ridScan, runCli } from '../../../test/support/run-cli.js';
import { waitFor } from '../../../test/contract/harness.js';

const HUB = 'packages/receiver/src/cli/rid-hub.ts';
const SCAN = 'packages/receiver/src/cli/rid-scan.ts';
const CAPTURE = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_bcn_sample.pcap');

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto({ users: { rx: 'right-password' }, tls: { requireClientCertificate: true } });
}, 60_000);
afterAll(async () => broker?.stop());

/** A CLI running in the background, its output collected. */
function background(script: string, args: string[], env: NodeJS.ProcessEnv = {}): { stdout(): string; stderr(): string; signal(s: NodeJS.Signals): void; exited: Promise<number | null> } {
  const child = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=@odid/source', path.join(repoRoot, script), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    signal: (s) => child.kill(s),
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
}

function runEnv(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const run = background(script, args, env);
  return run.exited.then((status) => ({ status, stdout: run.stdout(), stderr: run.stderr() }));
}

const tls = (): string[] => ['--mqtt-ca', broker.certs!.ca, '--mqtt-cert', broker.certs!.clientCert, '--mqtt-key', broker.certs!.clientKey];

describe('rid-scan --publish and rid-hub on a real broker', () => {
  it('a replayed capture published over TLS with a client certificate is merged by rid-hub: its tracks, heard by that receiver, its clock corrected', async () => {
    const url = `mqtts://127.0.0.1:${broker.tlsPort}`;
    const recording = path.join(mkdtempSync(path.join(tmpdir(), 'odid-hub-record-')), 'hub.cbor');
    const hub = background(HUB, [url, ...tls(), '--site', 'cli', '--once', '--json', '--duration', '60', '--record', recording]);
    await waitFor(() => /merging rid\/cli\//.test(hub.stderr()), `rid-hub to subscribe (stderr: ${hub.stderr()})`, 30_000);
    const scan = await runEnv(SCAN, ['--replay', CAPTURE, '--speed', '3', '--publish', url, ...tls(), '--site', 'cli', '--receiver-id', 'lab', '--once'], {});
    expect(scan.stderr).toMatch(new RegExp(`publishing to ${url.replace(/[.]/g, '\\.')} as rid/cli/lab`));
    expect(scan.status, scan.stderr).toBe(0);
    const published = Number(/published (\d+) frames/.exec(scan.stderr)?.[1]);
    expect(published).toBeGreaterThan(0);
    // What was published has reached the hub within a second or so; then it is stopped as a user does.
    await new Promise((r) => setTimeout(r, 1500));
    hub.signal('SIGINT');
    expect(await hub.exited, hub.stderr()).toBe(0);

    // What rid-hub prints is what docs/schemas say a track list is, its links' receivers included.
    const ajv = new Ajv2020.default({ strict: true, allErrors: true });
    const schemas = path.join(repoRoot, 'docs/schemas');
    for (const f of readdirSync(schemas).filter((n) => n.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(readFileSync(path.join(schemas, f), 'utf8')) as object);
    const trackList = ajv.getSchema('https://odid-toolkit.invalid/schemas/track.schema.json#/$defs/trackList')!;
    expect(trackList(JSON.parse(hub.stdout())), JSON.stringify(trackList.errors)).toBe(true);
    const tracks = JSON.parse(hub.stdout()) as { uasId: string | null; links: { receivers?: Record<string, { rssi?: number; messages: number }> }[] }[];
    const alone = JSON.parse(ridScan(['--replay', CAPTURE, '--fast', '--once', '--json']).stdout) as { uasId: string | null; messages: number }[];
    expect(tracks.map((t) => t.uasId).sort()).toEqual(alone.map((t) => t.uasId).sort());
    for (const t of tracks) for (const l of t.links) expect(Object.keys(l.receivers ?? {})).toEqual(['lab']);
    // The receivers table: the capture's clock is years behind the hub's, so its frames were moved onto it.
    // The receiver said goodbye when its replay ended; every frame it published arrived.
    const row = hub.stderr().split('\n').find((l) => l.startsWith('lab '));
    expect(row, hub.stderr()).toMatch(/^lab\s+offline\s+(\d+)\s/);
    expect(Number(/^lab\s+offline\s+(\d+)\s/.exec(row!)![1])).toBe(published);
    expect(row).toMatch(/\+\d+\.\d s corrected/);
    // The hub's recording is evidence like a receiver's: chained, sealed with its key, verified complete.
    const verified = runCli('packages/receiver/src/cli/rid-verify.ts', [recording]);
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/complete/i);
  }, 120_000);

  it("a broker whose certificate another CA signed is refused, saying it is not trusted (receiver and hub)", async () => {
    const url = `mqtts://127.0.0.1:${broker.tlsPort}`;
    const other = ['--mqtt-ca', broker.certs!.otherCa, '--mqtt-cert', broker.certs!.clientCert, '--mqtt-key', broker.certs!.clientKey];
    const scan = ridScan(['--sim', '--publish', url, ...other, '--duration', '1', '--once']);
    expect(scan.status).toBe(2);
    expect(scan.stderr).toMatch(/certificate is not trusted/);
    expect(scan.stderr).toMatch(/--mqtt-ca/);
    const hub = runCli(HUB, [url, ...other, '--duration', '1', '--once']);
    expect(hub.status).toBe(2);
    expect(hub.stderr).toMatch(/certificate is not trusted/);
  }, 60_000);

  it('a wrong password is refused and says why; the right one publishes; no password on the command line', async () => {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const wrong = await runEnv(SCAN, ['--sim', '--publish', url, '--mqtt-user', 'rx', '--duration', '1', '--once'], { ODID_MQTT_PASSWORD: 'wrong-password' });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/refused user "rx": wrong user name or password/);
    const right = await runEnv(SCAN, ['--sim', '--publish', url, '--mqtt-user', 'rx', '--receiver-id', 'pw', '--duration', '2', '--once'], { ODID_MQTT_PASSWORD: 'right-password' });
    expect(right.stderr).toMatch(/publishing to mqtt:\/\/127\.0\.0\.1:\d+ as rid\/default\/pw/);
    expect(right.stderr).toMatch(/published [1-9]\d* frames/);
    expect(right.status, right.stderr).toBe(0);
    expect(process.env.ODID_MQTT_PASSWORD).toBeUndefined();
    const none = ridScan(['--sim', '--publish', url, '--mqtt-user', 'rx', '--once']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/a user needs a password, and it is never taken from the command line.*ODID_MQTT_PASSWORD/);
  }, 60_000);

  it('refuses IDs that would change the topic tree, URLs with credentials, and MQTT options without --publish', () => {
    const bad = ridScan(['--sim', '--publish', 'mqtt://127.0.0.1:1', '--site', 'a/#', '--once']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--site: "a\/#" is not a valid ID/);
    const creds = ridScan(['--sim', '--publish', 'mqtt://rx:secret@127.0.0.1', '--once']);
    expect(creds.status).toBe(2);
    expect(creds.stderr).toMatch(/credentials in the URL would show in ps/);
    const stray = ridScan(['--sim', '--spool', '/tmp', '--once']);
    expect(stray.status).toBe(2);
    expect(stray.stderr).toMatch(/--spool: goes with --publish/);
  }, 60_000);
});
