/**
 * Where the hub benchmark's latency goes and what each process costs. Every frame's way from its receiver
 * to the hub's tracker is cut at the points both ends can see on the one machine clock:
 *
 *   receiver  its reception (the frame's time) -> its batch handed to the MQTT client (the batch's `sent`):
 *             the publisher's batching (up to 100 ms), its spool, the receivers' own event loop;
 *   broker    `sent` -> the hub's MQTT 'message': the client's socket, mosquitto and its queue towards the
 *             hub, the hub's socket and parser, and the hub's loop finishing what came before (at load,
 *             most of this stage: a batch waits behind the batches, ticks and collections ahead of it; a
 *             subscriber doing nothing else got the same batches within a few ms);
 *   hub       'message' -> the frame taken (Hub.take done): decoding the batch and merging the frames before it.
 *
 * Times are microsecond histograms (a few KiB whatever the run's length: the hub's RSS is measured too).
 * The CPU of another process comes from /proc/<pid>/stat; the machine's from /proc/stat, so a run on a
 * shared machine says how much of it others took.
 */

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/** Linux reports process times in USER_HZ ticks, which is 100 on every architecture it runs on. */
const USER_HZ = 100;

export const STAGES = ['receiver', 'broker', 'hub', 'total'] as const;
export type Stage = (typeof STAGES)[number];

export class StageTimes {
  private readonly h = new Map<Stage, RecordableHistogram>(STAGES.map((s) => [s, createHistogram()]));

  /** One frame: received at `t` (ms), its batch sent at `sentMs`, arrived at `arrivedMs`, taken at `doneMs`. */
  add(t: number, sentMs: number, arrivedMs: number, doneMs: number): void {
    this.record('receiver', sentMs - t);
    this.record('broker', arrivedMs - sentMs);
    this.record('hub', doneMs - arrivedMs);
    this.record('total', doneMs - t);
  }

  private record(stage: Stage, ms: number): void {
    // The histogram takes whole numbers from 1; the clock is one, so a difference below 0 is its rounding.
    this.h.get(stage)!.record(Math.max(1, Math.round(ms * 1000)));
  }

  count(): number {
    return this.h.get('total')!.count;
  }

  /** ms */
  percentile(stage: Stage, p: number): number {
    const h = this.h.get(stage)!;
    return h.count ? h.percentile(p) / 1000 : NaN;
  }

  max(stage: Stage): number {
    const h = this.h.get(stage)!;
    return h.count ? h.max / 1000 : NaN;
  }
}

/** CPU seconds a process has used so far (user + system), or undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** The whole machine's busy CPU seconds so far (every core), or undefined without /proc. */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice: busy is user..softirq less idle
    // and iowait (steal is the hypervisor's; guest time is counted in user already).
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = v.reduce((a, b, i) => (i === 3 || i === 4 || i >= 7 ? a : a + b), 0);
    return busy / USER_HZ;
  } catch {
    return undefined;
  }
}

export const coreCount = (): number => cpus().length;
