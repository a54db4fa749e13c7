/** Runs Debian's tshark on a file the project wrote (installed by scripts/setup.sh; a missing tshark fails). */
import { spawnSync } from 'node:child_process';

export function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`tshark could not run (${r.error.message}): run scripts/setup.sh to install it`);
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/**
 * The expert-info lines of severity warning or error (`tshark -q -z expert`). tshark 4.0's NAN dissector
 * tells Sync from Discovery beacons by reading the Info column, which `-q` leaves empty, so with -q every
 * NAN beacon gets "Unknown beacon type"; `withColumns` reruns without -q, where that column exists.
 */
export function expertProblems(file: string): { quiet: string[]; withColumns: string[] } {
  const parse = (out: string): string[] => {
    const lines: string[] = [];
    let severe = false;
    for (const line of out.split('\n')) {
      if (/^(Errors|Warns|Notes|Chats|Comments)\s*\(/.test(line)) severe = /^(Errors|Warns)/.test(line);
      else if (severe && /^\s+\d+\s+\S+/.test(line)) lines.push(line.trim().replace(/\s+/g, ' '));
    }
    return lines;
  };
  // Without -q the packet list comes first; the expert tables follow it, so the same parse applies.
  return { quiet: parse(tshark(['-r', file, '-q', '-z', 'expert'])), withColumns: parse(tshark(['-r', file, '-z', 'expert'])) };
}
