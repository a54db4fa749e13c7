/**
 * The live-map benchmark measures the receiver's CPU with and without the web output, while a headless
 * Chromium draws the page on the same machine. Left to the scheduler on a 2-core machine, the page's
 * rendering and the receiver take turns on both cores, and the receiver waits behind the browser at times
 * (its arrival → update latency in the map runs: p99 50-90 ms in 20 s runs, worst 40-99 ms in 60 s runs),
 * which is the browser's cost, not the web output's. Split, the receiver has a CPU to itself (the first
 * this process may use) and the page (with this process) the others, as when the page is on the officer's
 * phone and the receiver on a laptop or a Pi in the car (p99 4-9 ms, worst 29-46 ms). When the page runs on
 * the receiver's own device, what its drawing costs is the browser's, reported apart (the page's main
 * thread busy).
 *
 * With `taskset` (util-linux) on Linux, and at least two CPUs; otherwise nothing is split and the bench
 * says so.
 */

import { execFileSync } from 'node:child_process';

export interface CpuSplit {
  /** The measured receiver's CPU, and everyone else's, as taskset takes them ("0", "1,2,3"). */
  receiver: string;
  rest: string;
  /** This process's CPUs before the split, given back by `undo`. */
  before: string;
}

/** Sets the CPUs of every thread of `pid` (taskset -a -p -c). */
function setCpus(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** This process's CPU list as taskset says it ("pid 12's current affinity list: 0,1"). */
function cpusOf(pid: number): string {
  const out = execFileSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' });
  const m = /:\s*([0-9,-]+)\s*$/.exec(out);
  if (!m) throw new Error(`taskset -c -p ${pid} said ${JSON.stringify(out.trim())}`);
  return m[1]!;
}

/** A taskset CPU list ("0-3", "4,5", "0,2-3") as the CPUs it names, in order. */
export function cpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a CPU list: ${JSON.stringify(list)}`);
    for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) out.push(c);
  }
  return out;
}

/**
 * Moves this process (and every process it starts from now on: the browser) off the first CPU it may use,
 * for the measured process to have that one (`pinReceiver`). Why not, when it cannot: one CPU, not Linux,
 * no taskset.
 */
export function splitCpus(): CpuSplit | { why: string } {
  if (process.platform !== 'linux') return { why: `taskset is Linux's (here ${process.platform})` };
  let before: string;
  try {
    before = cpusOf(process.pid);
  } catch (e) {
    return { why: `no taskset (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  // The CPUs this process may use (a container may be given any of the machine's).
  const cpus = cpuList(before);
  if (cpus.length < 2) return { why: `one CPU (${before})` };
  const split = { receiver: String(cpus[0]), rest: cpus.slice(1).join(','), before };
  setCpus(process.pid, split.rest);
  return split;
}

/** The measured process on the receiver's CPU: done right after it starts, before its load. */
export function pinReceiver(split: CpuSplit, pid: number): void {
  setCpus(pid, split.receiver);
}

/** This process back on the CPUs it had (`pnpm bench` runs other benches after this one). */
export function undoSplit(split: CpuSplit): void {
  setCpus(process.pid, split.before);
}
