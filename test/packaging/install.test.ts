/**
 * The packages as npm users get them. Every workspace package is packed (pnpm pack turns workspace:*
 * into versions), checked with publint and arethetypeswrong, installed with plain npm into a directory
 * outside the workspace, and then used there with no TypeScript loader: every export imported by plain
 * Node, a consumer type-checked against the shipped .d.ts, each bin run, and the codec bundled for the
 * browser and run in headless Chromium on a capture's bytes.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, repoRoot } from '../support/fixtures.js';

const PACKAGES = readdirSync(path.join(repoRoot, 'packages')).sort();
const CAPTURE = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap');
const BIN = (dir: string): string => path.join(repoRoot, 'node_modules/.bin', dir);

let work: string;
let app: string;
const tarballs = new Map<string, string>();
/**
 * The npm install into `app`, started by beforeAll and awaited by each test that uses what it installed: the
 * checks of the tarballs themselves run meanwhile.
 */
let installed: Promise<void>;

interface Manifest {
  name: string;
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

function run(cmd: string, args: string[], opts: { cwd?: string; input?: string | Uint8Array } = {}): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? app, input: opts.input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** As run, without waiting: several checks of the tarballs at once. */
function runAsync(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: work, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, status: err ? (typeof err.code === 'number' ? err.code : null) : 0 });
    });
  });
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'odid-install-'));
  const packs = path.join(work, 'tarballs');
  mkdirSync(packs);
  // Every package in one pnpm run (one start of pnpm instead of one per package).
  const packed = JSON.parse(execFileSync('pnpm', ['-r', 'pack', '--pack-destination', packs, '--json'], { cwd: repoRoot, encoding: 'utf8' })) as { name: string; filename: string }[];
  for (const p of packed.sort((a, b) => a.name.localeCompare(b.name))) tarballs.set(p.name, path.resolve(packs, p.filename));
  expect([...tarballs.keys()], 'a tarball of every package').toEqual(PACKAGES.map((dir) => manifest(path.join(repoRoot, 'packages', dir)).name).sort());
  app = path.join(work, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'odid-consumer', private: true, type: 'module' }));
  // @types/node: the position and receiver typings name Node's streams and events, as any Node library's do.
  // --prefer-offline: what npm's cache holds is not asked for again (the registry is asked for the rest).
  const npmArgs = ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline', ...tarballs.values(), '@types/node@20'];
  installed = new Promise((resolve, reject) => {
    execFile('npm', npmArgs, { cwd: app, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => (err ? reject(new Error(`npm install failed: ${err.message}\n${stderr}`)) : resolve()));
  });
  installed.catch(() => undefined); // reported by the tests that await it
}, 600_000);

afterAll(async () => {
  await installed?.catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
}, 600_000);

describe('packed packages', () => {
  it('pass publint (strict) and arethetypeswrong (ESM-only profile)', async () => {
    const checks = await Promise.all(
      [...tarballs].map(async ([name, file]) => ({
        name,
        lint: await runAsync(BIN('publint'), ['run', file, '--strict']),
        types: await runAsync(BIN('attw'), [file, '--profile', 'esm-only', '--format', 'ascii']),
      })),
    );
    for (const { name, lint, types } of checks) {
      expect(lint.status, `${name}: ${lint.stdout}${lint.stderr}`).toBe(0);
      expect(types.status, `${name}: ${types.stdout}${types.stderr}`).toBe(0);
    }
  }, 120_000);

  it('ship built JavaScript, declarations and maps, and no tests or build state', () => {
    for (const [name, file] of tarballs) {
      const files = execFileSync('tar', ['tzf', file], { encoding: 'utf8' }).trim().split('\n');
      expect(files, name).toContain('package/dist/index.js');
      expect(files, name).toContain('package/dist/index.d.ts');
      expect(files, name).toContain('package/dist/index.js.map');
      expect(files.filter((f) => /\/test\/|\.tsbuildinfo$/.test(f)), name).toEqual([]);
    }
  });

  it('@odid/codec has no runtime dependency', async () => {
    await installed;
    expect(manifest(path.join(app, 'node_modules/@odid/codec')).dependencies ?? {}).toEqual({});
  }, 600_000);

  it('installing @odid/receiver brings no transmit-only native module', async () => {
    await installed;
    const names = dependencyClosure(path.join(app, 'node_modules/@odid/receiver'));
    expect(names.size).toBeGreaterThan(5);
    expect(names).toContain('@stoprocent/noble');
    for (const transmitOnly of ['cap', 'unix-dgram', '@odid/broadcaster']) expect(names).not.toContain(transmitOnly);
  }, 600_000);
});

describe('the workspace', () => {
  it('pnpm ls of the receiver lists no transmit-only native module', () => {
    const tree = (name: string): string => {
      const r = run('pnpm', ['ls', '--filter', name, '--prod', '--depth', 'Infinity'], { cwd: repoRoot });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const transmitOnly = /[─ ](cap|unix-dgram|@odid\/broadcaster)@/;
    const receiver = tree('@odid/receiver');
    expect(receiver).toMatch(/@stoprocent\/noble@/);
    expect(receiver).not.toMatch(transmitOnly);
    // The pattern does find them where they belong.
    expect(tree('@odid/broadcaster')).toMatch(transmitOnly);
  });
});

describe('installed with npm, used without TypeScript', () => {
  beforeAll(() => installed, 600_000);

  it('every export of every package imports in plain Node', () => {
    const specs: string[] = [];
    for (const name of tarballs.keys()) {
      for (const sub of Object.keys(manifest(path.join(app, 'node_modules', name)).exports ?? {})) {
        if (sub !== './package.json') specs.push(path.posix.join(name, sub));
      }
    }
    expect(specs).toContain('@odid/codec/capture');
    const script = `for (const s of ${JSON.stringify(specs)}) { const m = await import(s); if (Object.keys(m).length === 0) throw new Error(s + ' exports nothing'); } console.log('ok');`;
    const r = run(process.execPath, ['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });

  it('a consumer type-checks against the shipped declarations', () => {
    writeFileSync(
      path.join(app, 'consumer.ts'),
      `import { decodeMessage, encodeMessage, BROADCAST_TRANSPORTS, type OdidMessage } from '@odid/codec';
import { CaptureReader } from '@odid/codec/capture';
import { ManualClock, distance } from '@odid/position';
import { DEMO_IDENTITY_CONFIG, loadIdentity } from '@odid/transmitter';
import { PcapngSink } from '@odid/broadcaster';
import { Tracker } from '@odid/receiver';
import { runCommand } from '@odid/commands';
import { odidProgram } from '@odid/cli';

const bytes: Uint8Array = encodeMessage({ type: 'selfId', descType: 0, desc: 'survey' });
const message: OdidMessage = decodeMessage(bytes);
const transport: string = BROADCAST_TRANSPORTS[0];
const metres: number = distance({ lat: 0, lon: 0 }, { lat: 0, lon: 1 });
const reader = new CaptureReader();
const clock = new ManualClock();
export const used = [message, transport, metres, reader, clock, loadIdentity(DEMO_IDENTITY_CONFIG), PcapngSink, Tracker, runCommand, odidProgram];
// The declarations are real types, not any: a message type the codec lacks is an error.
// @ts-expect-error
encodeMessage({ type: 'noSuchMessage' });
`,
    );
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    const r = run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', 'consumer.ts']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('odid: --help, and decode of a capture', () => {
    const odid = path.join(app, 'node_modules/.bin/odid');
    expect(run(odid, ['--help']).stdout).toMatch(/Usage: odid/);
    const r = run(odid, ['decode', CAPTURE]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { transport: string; message: { type: string } });
    expect(lines.length).toBeGreaterThan(20);
    expect(new Set(lines.map((l) => l.transport))).toEqual(new Set(['wifi-beacon', 'wifi-nan']));
  });

  it('rid-broadcast: --help, and ten simulated seconds into a pcapng that odid decodes', () => {
    const bin = path.join(app, 'node_modules/.bin/rid-broadcast');
    expect(run(bin, ['--help']).stdout).toMatch(/Usage: rid-broadcast/);
    const air = spawnSync(bin, ['--pcapng', '-', '--clock', 'simulated', '--duration', '10'], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
    expect(air.status, air.stderr.toString()).toBe(0);
    const decoded = run(path.join(app, 'node_modules/.bin/odid'), ['decode', '-'], { input: air.stdout });
    expect(decoded.status, decoded.stderr).toBe(0);
    const types = new Set(decoded.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { message: { type: string } }).message.type));
    expect(types).toContain('location');
    expect(types).toContain('basicId');
  });

  it('rid-scan: --help, and a replay to JSON tracks', () => {
    const bin = path.join(app, 'node_modules/.bin/rid-scan');
    expect(run(bin, ['--help']).stdout).toMatch(/Usage: rid-scan/);
    // --fast: the capture spans 15 s, which a replay in real time would take.
    const r = run(bin, ['--replay', fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_bcn_sample.pcap'), '--fast', '--once', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const tracks = JSON.parse(r.stdout) as { uasId: string | null; transports: string[] }[];
    expect(tracks).toHaveLength(1);
    expect(tracks[0]!.uasId).toMatch(/\S/);
    expect(tracks[0]!.transports).toEqual(['wifi-beacon']);
  });

  it('@odid/codec bundles for the browser unchanged and decodes a capture in Chromium as odid decode does', async () => {
    writeFileSync(
      path.join(app, 'browser-entry.js'),
      `import { CaptureReader, RemoteIdExtractor, receivedToJson } from '@odid/codec';
globalThis.decodeCapture = (bytes) => {
  const reader = new CaptureReader();
  const extractor = new RemoteIdExtractor();
  const lines = [];
  for (const r of [...reader.push(new Uint8Array(bytes)), ...reader.end()]) {
    for (const m of extractor.fromRecord(r.linkType, r.data, { t: r.timestamp, frame: r.frame })) lines.push(receivedToJson(m));
  }
  return lines;
};`,
    );
    // platform 'browser' fails the build on any Node built-in the codec might import.
    const bundle = await build({ entryPoints: [path.join(app, 'browser-entry.js')], absWorkingDir: app, bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent' });
    const code = bundle.outputFiles[0]!.text;

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.setContent('<!doctype html><title>codec</title>');
      await page.addScriptTag({ content: code });
      const inBrowser = await page.evaluate((bytes) => (globalThis as unknown as { decodeCapture(b: number[]): string[] }).decodeCapture(bytes), [...readFileSync(CAPTURE)]);
      const fromCli = run(path.join(app, 'node_modules/.bin/odid'), ['decode', CAPTURE]).stdout.trim().split('\n');
      expect(inBrowser.length).toBeGreaterThan(20);
      expect(inBrowser.map((l) => JSON.parse(l) as unknown)).toEqual(fromCli.map((l) => JSON.parse(l) as unknown));
      expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

/** Names of every package an installed package pulls in, following Node's resolution from each package's folder. */
function dependencyClosure(pkgDir: string): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (dir: string): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const m = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const name of Object.keys({ ...m.dependencies, ...m.optionalDependencies })) {
      const found = resolvePackage(name, dir);
      if (found === undefined) continue; // an optional dependency for another platform
      names.add(name);
      visit(found);
    }
  };
  visit(pkgDir);
  return names;
}

function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
