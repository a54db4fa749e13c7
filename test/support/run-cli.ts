/** Runs one of the project's CLIs from its sources through tsx, as `pnpm odid` does, returning its output and exit code. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './fixtures.js';

export interface CliResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

/**
 * Node with tsx's loader, in one process: the tsx command would start a second Node to run the script in and
 * relay signals to it, which a run to its end does not need (it costs a few tenths of a second a run).
 */
export const TSX_NODE_ARGS = ['--import', 'tsx', '--conditions=@odid/source'];

export function runCli(script: string, args: string[], input?: string | Uint8Array): CliResult {
  const r = spawnSync(process.execPath, [...TSX_NODE_ARGS, path.join(repoRoot, script), ...args], {
    input,
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export const odid = (args: string[], input?: string | Uint8Array): CliResult => runCli('packages/cli/src/odid.ts', args, input);

export const ridBroadcast = (args: string[], input?: string | Uint8Array): CliResult => runCli('packages/broadcaster/src/cli/rid-broadcast.ts', args, input);

/** Runs the CLI with binary stdout (a pcapng on "-"). */
export function runCliBinary(script: string, args: string[]): { stdout: Buffer; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [...TSX_NODE_ARGS, path.join(repoRoot, script), ...args], { cwd: repoRoot, maxBuffer: 1024 * 1024 * 1024 });
  return { stdout: r.stdout, stderr: r.stderr.toString('utf8'), status: r.status };
}

export const ridScan = (args: string[], input?: string | Uint8Array): CliResult => runCli('packages/receiver/src/cli/rid-scan.ts', args, input);
