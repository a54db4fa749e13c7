/** A tiny benchmark harness: warm up, then time enough iterations for a stable rate. */
import os from 'node:os';

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
