/**
 * The one seeded generator of the tests, benchmarks and fuzzers: a failure reproduces from its seed.
 * mulberry32 (a small, fast 32-bit PRNG); `rng(seed)` and `new Random(seed).float()` give the same sequence.
 */

/** A seeded stream of random values; every method draws from the same sequence. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  float(): number {
    const a = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  /** n random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    // One draw per 4 bytes: random inputs are most of what the fuzzers generate.
    for (let i = 0; i < n; i += 4) {
      let v = Math.floor(this.float() * 4294967296);
      for (let k = i; k < i + 4 && k < n; k++, v >>>= 8) out[k] = v & 0xff;
    }
    return out;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(list: readonly T[]): T[] {
    const a = [...list];
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}

/** The generator as a plain function of floats in [0, 1), for code that only needs those. */
export function rng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.float();
}

/** An independent seed for one part of a run (a link type, a target), from the run's seed and the part's name. */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a of the label, then a murmur3-style mix with the seed.
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  h = Math.imul((seed >>> 0) ^ h, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Splits bytes into consecutive views of 1..max bytes. */
export function* randomChunks(bytes: Uint8Array, rand: () => number, max: number): Generator<Uint8Array> {
  for (let o = 0; o < bytes.length; ) {
    const n = 1 + Math.floor(rand() * max);
    yield bytes.subarray(o, o + n);
    o += n;
  }
}
