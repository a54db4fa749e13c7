/**
 * The benchmark's frames, made before the clock starts: every drone runs its own SimulatedScene on its own
 * simulated clock (real bytes from buildAirFrames, counters and positions moving); child processes each
 * merge a slice of the fleet in time order into a temporary file. The run reads the files back block by
 * block, merged (pool-reader.ts) — like a receiver reading tcpdump's pipe — so neither the ~70 MB of a 60 s
 * pool nor the generator's garbage sits in the measured process, and generating costs the run nothing.
 */

import { fork } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@odid/position';
import { SimulatedScene } from '@odid/transmitter';
import { rng } from '../../../test/support/random.js';
import { buildFleet, type FleetOptions } from './fleet.js';
import { BLOCK_HEADER, RECORD_HEADER } from './pool-reader.js';

/**
 * About 150 frames: a block is read, used and dropped within a few tens of milliseconds, so it dies young,
 * as the chunks of a live pipe do. (256 KB blocks lived long enough to be promoted and held ~20 MB of dead
 * buffers in the measured process until the next full GC.)
 */
const BLOCK_BYTES = 16 * 1024;

export interface PoolSummary {
  /** One file per generating process, each in time order. */
  paths: string[];
  frames: number;
  bytes: number;
  /** Frames per transport. */
  byTransport: Record<string, number>;
  /** Wall-clock seconds it took to make. */
  buildSeconds: number;
}

/** A min-heap of scene indices by their next due time. */
class DueHeap {
  private readonly items: number[] = [];
  constructor(private readonly due: Float64Array) {}
  get size(): number {
    return this.items.length;
  }
  push(i: number): void {
    const a = this.items;
    a.push(i);
    let c = a.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (this.due[a[p]!]! <= this.due[a[c]!]!) break;
      [a[p], a[c]] = [a[c]!, a[p]!];
      c = p;
    }
  }
  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let m = p;
        if (l < a.length && this.due[a[l]!]! < this.due[a[m]!]!) m = l;
        if (r < a.length && this.due[a[r]!]! < this.due[a[m]!]!) m = r;
        if (m === p) break;
        [a[p], a[m]] = [a[m]!, a[p]!];
        p = m;
      }
    }
    return top;
  }
}

interface SliceOptions {
  fleet: FleetOptions;
  /** Scene time at which the run starts, ms since the epoch; frames before it are not kept. */
  startMs: number;
  durationMs: number;
  /** This process makes the frames of drones i with i % of === part. */
  part: number;
  of: number;
  path: string;
}

/** argv[2] of the child processes that make the frames. */
const SLICE_FLAG = '--frame-pool-slice';

/** Each drone's schedule starts at a random instant within this second before the run. */
const STAGGER_MS = 1000;

/** Generates the frames of one slice of the fleet for [startMs, startMs + durationMs) into `path`. */
function buildSlice(o: SliceOptions): SliceSummary {
  const all = buildFleet(o.fleet);
  const receiver = SimulatedScene.centre(all);
  const clocks: ManualClock[] = [];
  const scenes: SimulatedScene[] = [];
  for (let i = o.part; i < all.length; i += o.of) {
    // Staggered power-on, by drone index so that every split of the work makes the same frames.
    const clock = new ManualClock(o.startMs - rng(7 + i)() * STAGGER_MS);
    scenes.push(new SimulatedScene({ drones: [all[i]!], clock, receiver }));
    clocks.push(clock);
  }
  const due = new Float64Array(scenes.length);
  const heap = new DueHeap(due);
  for (let i = 0; i < scenes.length; i++) {
    due[i] = scenes[i]!.nextDue();
    heap.push(i);
  }

  const fd = openSync(o.path, 'w');
  const block = Buffer.alloc(BLOCK_BYTES);
  let used = BLOCK_HEADER;
  let inBlock = 0;
  const flush = (): void => {
    if (inBlock === 0) return;
    block.writeUInt32LE(used - BLOCK_HEADER, 0);
    block.writeUInt32LE(inBlock, 4);
    writeSync(fd, block, 0, used);
    used = BLOCK_HEADER;
    inBlock = 0;
  };
  const end = o.startMs + o.durationMs;
  let frames = 0;
  let bytes = 0;
  const byTransport: Record<string, number> = {};
  try {
    while (heap.size > 0) {
      const i = heap.pop()!;
      const at = due[i]!;
      if (at >= end) continue; // this drone is done; the others may still be due earlier
      clocks[i]!.set(at);
      for (const f of scenes[i]!.due()) {
        const ms = f.t * 1000;
        if (ms < o.startMs) continue;
        if (used + RECORD_HEADER + f.data.length > BLOCK_BYTES) flush();
        block.writeDoubleLE(ms, used);
        block.writeUInt16LE(f.linkType, used + 8);
        block.writeUInt16LE(f.data.length, used + 10);
        block.set(f.data, used + RECORD_HEADER);
        used += RECORD_HEADER + f.data.length;
        inBlock++;
        frames++;
        bytes += f.data.length;
        byTransport[f.transport] = (byTransport[f.transport] ?? 0) + 1;
      }
      due[i] = scenes[i]!.nextDue();
      heap.push(i);
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { path: o.path, frames, bytes, byTransport };
}

interface SliceSummary {
  path: string;
  frames: number;
  bytes: number;
  byTransport: Record<string, number>;
}

export interface PoolOptions {
  fleet: FleetOptions;
  startMs: number;
  durationMs: number;
  /** Directory for the pool's files. */
  dir: string;
  /** Processes generating in parallel (default: one per core, at most 4). */
  workers?: number;
}

/**
 * Generates the fleet's frames in child processes (one slice of the drones each, in parallel), so that
 * neither their time nor their memory shows in the measured process.
 */
export async function buildFramePool(o: PoolOptions): Promise<PoolSummary> {
  const began = process.hrtime.bigint();
  const of = Math.max(1, Math.min(o.workers ?? os.availableParallelism(), 4, o.fleet.drones));
  const self = fileURLToPath(import.meta.url);
  const slices = await Promise.all(
    Array.from({ length: of }, (_, part) => {
      const job: SliceOptions = { fleet: o.fleet, startMs: o.startMs, durationMs: o.durationMs, part, of, path: path.join(o.dir, `pool-${part}.bin`) };
      return new Promise<SliceSummary>((resolve, reject) => {
        // The parent's execArgv carries the TypeScript loader (tsx) into the child; its profiler flags stay home.
        const execArgv = process.execArgv.filter((a) => !/^--(cpu|heap)-prof/.test(a));
        const child = fork(self, [SLICE_FLAG, JSON.stringify(job)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        let summary: SliceSummary | undefined;
        child.on('message', (m) => {
          summary = m as SliceSummary;
        });
        child.on('error', reject);
        child.on('exit', (code) => (summary && code === 0 ? resolve(summary) : reject(new Error(`frame pool slice ${part} failed (exit ${code})`))));
      });
    }),
  );
  const byTransport: Record<string, number> = {};
  for (const s of slices) for (const [k, v] of Object.entries(s.byTransport)) byTransport[k] = (byTransport[k] ?? 0) + v;
  return {
    paths: slices.map((s) => s.path),
    frames: slices.reduce((n, s) => n + s.frames, 0),
    bytes: slices.reduce((n, s) => n + s.bytes, 0),
    byTransport,
    buildSeconds: Number(process.hrtime.bigint() - began) / 1e9,
  };
}

// The child processes buildFramePool starts.
if (process.argv[2] === SLICE_FLAG && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const summary = buildSlice(JSON.parse(process.argv[3]!) as SliceOptions);
  process.send?.(summary, () => process.disconnect());
}
