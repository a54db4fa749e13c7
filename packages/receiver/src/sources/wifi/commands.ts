/**
 * Running iw, ip and tcpdump. Short commands go through a CommandRunner, the capture through a spawn
 * function: both injectable, so tests script tools that need Wi-Fi hardware this machine lacks.
 */

import { execFile, spawn as nodeSpawn, type ChildProcess } from 'node:child_process';

export interface CommandResult {
  /** Exit code; -1 when the program could not be started (see `spawnError`). */
  code: number;
  stdout: string;
  stderr: string;
  /** errno code of a failed start, e.g. 'ENOENT' when the program is not installed. */
  spawnError?: string;
}

export type CommandRunner = (cmd: string, args: readonly string[], opts?: { timeoutMs?: number }) => Promise<CommandResult>;

export type SpawnFn = (cmd: string, args: readonly string[]) => ChildProcess;

/** execFile without a shell: arguments are passed as they are, no quoting needed or possible. */
export const runCommand: CommandRunner = (cmd, args, opts = {}) =>
  new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: opts.timeoutMs ?? 30_000, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      if (typeof e.code === 'string') return resolve({ code: -1, stdout, stderr, spawnError: e.code });
      resolve({ code: typeof e.code === 'number' ? e.code : 1, stdout, stderr: stderr || e.message });
    });
  });

export const spawnProcess: SpawnFn = (cmd, args) => nodeSpawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });

/** What a tool said about its failure, on one line. */
export function toolOutput(r: CommandResult): string {
  return (r.stderr.trim() || r.stdout.trim() || `exit code ${r.code}`).replace(/\s*\n\s*/g, ' / ');
}
