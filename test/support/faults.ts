/**
 * For the fault tests (test/faults): the built programs run as a user runs them — real files, real pipes
 * into `head`, real signals to the process group, /dev/full, a read-only directory as an unprivileged user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { builtProgram, startBuilt, type BuiltResult, type Program } from './built.js';
import { repoRoot } from './fixtures.js';

/** A scratch directory every user can enter (tests run some programs as nobody); removed by `cleanup`. */
export function scratchDir(): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'odid-faults-'));
  chmodSync(dir, 0o755);
  return { dir, file: (name) => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A capture of the demo flight on all four transports, `seconds` of simulated time, by the built rid-broadcast (a new file). */
export function makeCapture(file: string, seconds: number): Uint8Array {
  const r = run('rid-broadcast', ['--clock', 'simulated', '--start', '2025-06-01T10:00:00Z', '--duration', String(seconds), '--pcapng', file]);
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file);
}

/** No Node stack trace and no uncaught-error report on stderr. */
export function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(stderr).not.toMatch(/node:internal|Uncaught|Unhandled|\bthrow\b/);
}

/** stderr's lines, without the empty last one. */
export const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** Runs a built program to its end (stdin from `input`, or closed); one that overruns `timeoutMs` is killed (SIGKILL: a program that ignores SIGTERM must not hang the test). */
export function run(name: Program, args: string[], opts: { input?: Uint8Array | string; cwd?: string; timeoutMs?: number } = {}): BuiltResult {
  const r = spawnSync(process.execPath, [builtProgram(name), ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input,
    timeout: opts.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { stdout: r.stdout, stderr: r.stderr.toString('utf8'), status: r.status, signal: r.signal };
}

export interface Ended {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: Buffer;
}

/** Waits for a started program to end (at most `timeoutMs`, then it is killed and the test fails). */
export function ended(child: ChildProcess, timeoutMs = 30_000): Promise<Ended> {
  const stderr: Buffer[] = [];
  const stdout: Buffer[] = [];
  child.stderr?.on('data', (d: Buffer) => stderr.push(d));
  if (child.stdout && !child.stdout.destroyed) child.stdout.on('data', (d: Buffer) => stdout.push(d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`the program did not end within ${timeoutMs} ms; stderr so far:\n${Buffer.concat(stderr).toString('utf8')}`));
    }, timeoutMs);
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr: Buffer.concat(stderr).toString('utf8'), stdout: Buffer.concat(stdout) });
    });
  });
}

/** Sends a signal to the program's process group, as a terminal's Ctrl-C does. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/**
 * Ends a process group the test started (a daemon and its children, e.g. gpsfake and its gpsd): SIGTERM,
 * SIGKILL after `graceMs` if the leader ignores it, then SIGKILL to whatever of the group is left.
 */
export async function stopGroup(child: ChildProcess | undefined, graceMs = 2000): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  killGroup(child, 'SIGKILL');
}

/** Resolves once `ready()` is true (polled every 25 ms); rejects after `timeoutMs` or if the program ended first. */
export async function until(child: ChildProcess, ready: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('the program ended before it was ready');
    if (Date.now() - start > timeoutMs) throw new Error(`not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Size of a file, 0 while it does not exist. */
export const sizeOf = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

/**
 * Starts a built program, waits until `ready()`, signals its process group and measures how long it takes
 * to end after that.
 */
export async function interrupt(
  name: Program,
  args: string[],
  ready: () => boolean,
  signal: NodeJS.Signals,
  opts: { cwd?: string; stdin?: 'ignore' | 'pipe' } = {},
): Promise<Ended & { msAfterSignal: number; child: ChildProcess }> {
  const child = startBuilt(name, args, { cwd: opts.cwd, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  const end = ended(child, 60_000);
  await until(child, ready);
  const t0 = Date.now();
  killGroup(child, signal);
  const r = await end;
  return { ...r, msAfterSignal: Date.now() - t0, child };
}

/**
 * `program args | reader...` with real pipes: the program's stdout goes straight to the reader process
 * (`head -1`, `head -c 100`), and this process keeps no end of that pipe, so when the reader quits the
 * program's next write fails as it does in a shell.
 */
export async function pipeInto(name: Program, args: string[], reader: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Ended & { readerOutput: string }> {
  const child = startBuilt(name, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const consumer = spawn(reader[0]!, reader.slice(1), { stdio: [child.stdout!, 'pipe', 'inherit'] });
  // Our copy of the read end goes: the reader holds the only one.
  child.stdout!.destroy();
  const readerOutput: Buffer[] = [];
  consumer.stdout!.on('data', (d: Buffer) => readerOutput.push(d));
  const [r] = await Promise.all([ended(child, opts.timeoutMs ?? 30_000), new Promise((resolve) => consumer.once('close', resolve))]);
  return { ...r, readerOutput: Buffer.concat(readerOutput).toString('utf8') };
}

/**
 * How to run a program as an unprivileged user (root ignores a directory's missing write permission):
 * `setpriv` to nobody when this is root, nothing when it is not; undefined when neither works here.
 */
export const asUnprivileged: string[] | undefined = (() => {
  if (process.getuid?.() !== 0) return [];
  const probe = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', 'process.exit(process.getuid() === 65534 ? 0 : 1)']);
  return probe.status === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : undefined;
})();

/** Runs a built program as the unprivileged user of `asUnprivileged`. */
export function runUnprivileged(name: Program, args: string[], cwd: string): BuiltResult {
  const [cmd, ...pre] = [...asUnprivileged!, process.execPath, builtProgram(name), ...args];
  const r = spawnSync(cmd!, pre, { cwd, timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
  return { stdout: r.stdout, stderr: r.stderr.toString('utf8'), status: r.status, signal: r.signal };
}
