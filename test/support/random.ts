/** Deterministic randomness for tests: failures reproduce from the seed. */

/** mulberry32: a small, fast 32-bit PRNG returning numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits bytes into consecutive views of 1..max bytes. */
export function* randomChunks(bytes: Uint8Array, rand: () => number, max: number): Generator<Uint8Array> {
  for (let o = 0; o < bytes.length; ) {
    const n = 1 + Math.floor(rand() * max);
    yield bytes.subarray(o, o + n);
    o += n;
  }
}
