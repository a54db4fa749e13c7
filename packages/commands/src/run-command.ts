/**
 * Running the small Linux tools the Wi-Fi radios need (iw, hostapd_cli; the receiver's iw and ip too).
 * Behind an interface so tests can script the answers of tools that need hardware this machine does not have.
 */

import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit code; -1 when the program could not be started at all (see `spawnError`). */
  code: number;
  stdout: string;
  stderr: string;
  /** errno code of a failed start, e.g. 'ENOENT' when the program is not installed. */
  spawnError?: string;
}

export type CommandRunner = (cmd: string, args: readonly string[], opts?: { timeoutMs?: number }) => Promise<CommandResult>;

/** execFile without a shell: arguments are passed as they are, so no quoting is ever needed. */
export const runCommand: CommandRunner = (cmd, args, opts = {}) =>
  new Promise((resolve) => {
    // An iw scan in a busy place prints megabytes: well past execFile's 1 MB default.
    execFile(cmd, [...args], { timeout: opts.timeoutMs ?? 10_000, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      if (typeof e.code === 'string') return resolve({ code: -1, stdout, stderr, spawnError: e.code });
      resolve({ code: typeof e.code === 'number' ? e.code : 1, stdout, stderr: stderr || e.message });
    });
  });

/** The text a tool printed about its failure, on one line, for error messages. */
export function toolOutput(r: CommandResult): string {
  return (r.stderr.trim() || r.stdout.trim() || `exit code ${r.code}`).replace(/\s*\n\s*/g, ' / ');
}
