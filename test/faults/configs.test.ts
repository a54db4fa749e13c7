/**
 * Files the CLIs read whole — identity configs, route files, `odid encode` inputs — are read with a limit
 * that holds on endless devices and FIFOs too, and configs that make no sense are refused naming the field,
 * in the built programs as users run them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtProgram, runBuilt, type Program } from '../support/built.js';
import { repoRoot } from '../support/fixtures.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'odid-configs-'));
});
afterAll(() => {
  spawnSync('rm', ['-rf', dir]);
});

const DRY = ['--dry-run', '--clock', 'simulated', '--duration', '1'];
/** An identity that meets its regime on every transport: no warnings before the line a test expects. */
const EU_CONFIG = 'packages/broadcaster/examples/eu-open.yaml';
const oneLine = (stderr: string): string[] => stderr.trimEnd().split('\n');

/** Runs a built program without blocking the test process, so the test can feed a FIFO meanwhile. */
function runAsync(name: Program, args: string[], timeoutMs = 20_000): Promise<{ status: number | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [builtProgram(name), ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, ms: Date.now() - started });
    });
  });
}

/** A FIFO that a writer fills without end (until the reader goes away). */
function endlessFifo(name: string): { path: string; stop: () => void } {
  const fifo = path.join(dir, name);
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const out = createWriteStream(fifo);
  out.on('error', () => {}); // EPIPE once the reader has given up: expected
  const block = Buffer.alloc(64 * 1024, 'regime: faa\n');
  let stopped = false;
  const pump = (): void => {
    while (!stopped && out.write(block));
    if (!stopped) out.once('drain', pump);
  };
  out.once('open', pump);
  return { path: fifo, stop: () => ((stopped = true), out.destroy()) };
}

describe('files read whole are bounded', () => {
  it('rid-broadcast --config /dev/zero fails at once with the size, not 17 GB later', () => {
    const t0 = Date.now();
    const r = runBuilt('rid-broadcast', ['--config', '/dev/zero', ...DRY], { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('rid-broadcast: --config /dev/zero: larger than 1 MiB (configs are a few hundred bytes)\n');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a big config file and an endless FIFO: the same message', async () => {
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, `selfId: ${'x'.repeat(2 << 20)}\n`);
    const fifo = endlessFifo('config.fifo');
    try {
      const [file, pipe] = await Promise.all([runAsync('rid-broadcast', ['--config', big, ...DRY]), runAsync('rid-broadcast', ['--config', fifo.path, ...DRY])]);
      expect(file.stderr).toBe(`rid-broadcast: --config ${big}: larger than 1 MiB (configs are a few hundred bytes)\n`);
      expect(file.status).toBe(2);
      expect(pipe.stderr).toBe(`rid-broadcast: --config ${fifo.path}: larger than 1 MiB (configs are a few hundred bytes)\n`);
      expect(pipe.status).toBe(2);
      expect(pipe.ms).toBeLessThan(10_000);
    } finally {
      fifo.stop();
    }
  });

  it('a simulated route file (--position sim:FILE) is bounded in both programs', async () => {
    const [broadcast, scan] = await Promise.all([
      runAsync('rid-broadcast', ['--config', EU_CONFIG, '--position', 'sim:/dev/zero', ...DRY]),
      runAsync('rid-scan', ['--sim', '--fast', '--once', '--duration', '5', '--position', 'sim:/dev/zero']),
    ]);
    for (const [name, r] of [['rid-broadcast', broadcast], ['rid-scan', scan]] as const) {
      expect(r.status, r.stderr).toBe(2);
      expect(oneLine(r.stderr), r.stderr).toEqual([`${name}: position source 'sim:/dev/zero': route file /dev/zero: larger than 1 MiB (routes are a few kilobytes)`]);
    }
  });

  it('odid encode reads at most 64 MiB, from a file, a device or stdin', async () => {
    const fifo = endlessFifo('encode.fifo');
    try {
      const [zero, pipe] = await Promise.all([runAsync('odid', ['encode', '/dev/zero']), runAsync('odid', ['encode', fifo.path])]);
      expect(zero.stderr).toBe('odid: /dev/zero: larger than 64 MiB (the most odid encode reads)\n');
      expect(zero.status).toBe(2);
      expect(pipe.stderr).toBe(`odid: ${fifo.path}: larger than 64 MiB (the most odid encode reads)\n`);
      expect(pipe.status).toBe(2);
    } finally {
      fifo.stop();
    }
    const stdin = runBuilt('odid', ['encode', '-'], { input: Buffer.alloc(65 << 20, 0x20) });
    expect(stdin.stderr).toBe('odid: -: larger than 64 MiB (the most odid encode reads)\n');
    expect(stdin.status).toBe(2);
  });
});

describe('identity configs that make no sense', () => {
  const CASES: [config: string, message: RegExp][] = [
    ['ids: [{type: serial, value: 1581F5FHB229F00202DR}]\nuaType: __proto__\n', /identity: uaType: "__proto__" is not one of none, aeroplane/],
    ['ids: [{type: serial, value: 1581F5FHB229F00202DR}]\neu: null\n', /identity: eu: expected a mapping \{ category, class \}, got null/],
    ['ids: [{type: serial, value: 1581F5FHB229F00202DR}]\nselfId: null\n', /identity: selfId: expected a text or a mapping \{ type, text \}, got null/],
    ['ids: [{type: serial, value: 1581F5FHB229F00202DR}]\narea: null\n', /identity: area: expected a mapping \{ count, radius, ceiling, floor \}, got null/],
    ['ids: [{type: serial, value: 1581F5FHB229F00202DR}]\narea: { radius: .nan }\n', /identity: area\.radius: a number 0\.\.2550 is required, got \.nan/],
    ['ids: [{type: serial, value: 1581F5FHB229F00202DR}]\nregime: [faa]\n', /identity: regime: \["faa"\] is not one of faa, eu, none/],
  ];

  it.each(CASES.map(([config, message], i) => [i, config, message] as const))('case %i: exit 2, one line naming the field', async (i, config, message) => {
    const file = path.join(dir, `identity-${i}.yaml`);
    writeFileSync(file, config);
    const r = await runAsync('rid-broadcast', ['--config', file, ...DRY]);
    expect(r.status, r.stderr).toBe(2);
    expect(oneLine(r.stderr), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
