/**
 * A real gpsd for the gpsd position source's tests: Debian's gpsfake (gpsd-clients) starts gpsd on a free
 * loopback port and plays an NMEA log to it. Stop it with stopGroup (test/support/faults.ts): gpsfake runs
 * gpsd as its child, in a process group of its own.
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './net.js';

export interface Gpsfake {
  child: ChildProcess;
  port: number;
  /** What gpsfake and gpsd said on stderr so far. */
  stderr(): string;
}

/** Throws, naming the Debian packages, when gpsd or gpsfake is missing. */
export function requireGpsfake(): void {
  for (const tool of ['gpsfake', 'gpsd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]).status !== 0) {
      throw new Error(`${tool} is not installed: run scripts/setup.sh (needs the Debian packages gpsd and gpsd-clients)`);
    }
  }
}

/** gpsfake playing `log`, a sentence every `cycleS` seconds: once (`-1`) or looping. */
export async function startGpsfake(log: string, opts: { cycleS: number; once: boolean }): Promise<Gpsfake> {
  requireGpsfake();
  const port = await freePort();
  const args = ['-q', ...(opts.once ? ['-1'] : []), '-c', String(opts.cycleS), '-P', String(port), log];
  const child = spawn('gpsfake', args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  return { child, port, stderr: () => stderr };
}
