/** A tiny benchmark harness: warm up, then time enough iterations for a stable rate; measure what a call allocates. */
import os from 'node:os';
import v8 from 'node:v8';

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu} (${os.cpus().length} cores), Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Runs fn(i) in batches for about `ms` milliseconds and returns operations per second (best of 3). */
export function opsPerSecond(fn: (i: number) => unknown, ms = 400): number {
  let sink: unknown;
  for (let i = 0; i < 200_000; i++) sink = fn(i); // warm-up: let the JIT settle
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < ms) {
      for (let i = 0; i < 100_000; i++) sink = fn(i);
      n += 100_000;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    }
    best = Math.max(best, (n / elapsed) * 1000);
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return best;
}

export const fmt = (opsPerSec: number): string =>
  opsPerSec >= 1e6 ? `${(opsPerSec / 1e6).toFixed(1)} M/s` : `${(opsPerSec / 1e3).toFixed(0)} k/s`;

/**
 * Bytes of JavaScript heap that fn(i) allocates per call, measured over `iterations` calls (after a warm-up,
 * so that it is the optimized code's allocation): v8's GCProfiler reports the heap in use before and after
 * every garbage collection during the run, so the heap's growth between one collection and the next, summed
 * with its growth before the first and after the last, is what the calls allocated. Short-lived garbage that
 * a collection frees is counted; memory kept is too. Not a guess from object sizes: V8's own accounting.
 */
export function bytesPerOp(fn: (i: number) => unknown, iterations = 2_000_000): number {
  let sink: unknown;
  for (let i = 0; i < 200_000; i++) sink = fn(i);
  const profiler = new v8.GCProfiler();
  const before = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  for (let i = 0; i < iterations; i++) sink = fn(i);
  const after = v8.getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let allocated = 0;
  let inUse = before;
  for (const gc of statistics) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - inUse;
    inUse = gc.afterGC.heapStatistics.usedHeapSize;
  }
  allocated += after - inUse;
  if (sink === Symbol.for('never')) console.log(sink);
  return Math.max(0, allocated / iterations);
}

export const fmtBytes = (bytes: number): string => `${bytes < 10 ? bytes.toFixed(1) : bytes.toFixed(0)} B`;
