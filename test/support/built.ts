/** The built programs (what `pnpm build` writes and the packages' bins name), run with plain node as a user runs them. */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Program = 'odid' | 'rid-broadcast' | 'rid-scan';

const PACKAGE_OF: Record<Program, string> = { odid: 'packages/cli', 'rid-broadcast': 'packages/broadcaster', 'rid-scan': 'packages/receiver' };

/** The file the program's package.json `bin` points at. */
export function builtProgram(name: Program): string {
  const dir = path.join(repoRoot, PACKAGE_OF[name]);
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return path.join(dir, pkg.bin[name]!);
}

export interface BuiltResult {
  stdout: Buffer;
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs a built program to its end (stdin from `input`, or closed). */
export function runBuilt(name: Program, args: string[], opts: { input?: string | Uint8Array; cwd?: string; timeoutMs?: number } = {}): BuiltResult {
  const r = spawnSync(process.execPath, [builtProgram(name), ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input,
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  return { stdout: r.stdout, stderr: r.stderr.toString('utf8'), status: r.status, signal: r.signal };
}

/** Starts a built program in its own process group (so a test can signal the group, as a terminal does). */
export function startBuilt(name: Program, args: string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [builtProgram(name), ...args], { cwd: repoRoot, detached: true, stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}
