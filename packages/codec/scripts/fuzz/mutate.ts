/**
 * Role: the one input generator of the record targets. From a target's seeds it makes random records (half of
 * them starting like a seed, so they get past the first checks), copies and mutations: bit flips, byte sets,
 * arithmetic, truncation, extension, length-field corruption, insertions, deletions and splices.
 */

import type { Random } from '../../../../test/support/random.js';

export const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x0d, 0x10, 0x16, 0x19, 0x1e, 0x1f, 0x20, 0x3e, 0x40, 0x7f, 0x80, 0x81, 0xdd, 0xf0, 0xf2, 0xfa, 0xfe, 0xff];

/** Roughly log-uniform in 1..max: small values as often as large ones. */
export const logInt = (r: Random, max: number): number => Math.max(1, Math.floor(Math.exp(Math.log(max) * r.float())));

/** Positions in a seed that look like length or count fields, to corrupt on purpose. */
function lengthSites(b: Uint8Array): number[] {
  const sites = new Set<number>();
  const n = b.length;
  for (let i = 0; i < Math.min(n, 12); i++) sites.add(i);
  for (let i = 0; i < n; i++) {
    const v = b[i]!;
    const rest = n - i;
    // a byte or u16 LE counting (about) the rest of the record: header lengths, PDU, AD and element lengths
    if (v > 0 && v >= rest - 8 && v <= rest) sites.add(i);
    if (i + 1 < n) {
      const v16 = v | (b[i + 1]! << 8);
      if (v16 > 0 && v16 >= rest - 10 && v16 <= rest) sites.add(i).add(i + 1);
    }
    // ODID AD: len 16 FA FF 0D counter pack-header(F? 19 N)
    if (v === 0x16 && b[i + 1] === 0xfa && b[i + 2] === 0xff && b[i + 3] === 0x0d && i > 0) {
      sites.add(i - 1).add(i + 5).add(i + 6).add(i + 7);
    }
    // vendor element DD len OUI(3) type counter pack-header
    if (v === 0xdd && i + 6 < n) sites.add(i + 1).add(i + 5).add(i + 7).add(i + 8).add(i + 9);
    // NAN service ID: SDA length u16 before it, control and service-info length after it
    if (v === 0x88 && b[i + 1] === 0x69 && b[i + 2] === 0x19 && b[i + 3] === 0x9d) sites.add(i - 2).add(i - 1).add(i + 8).add(i + 9);
    // a pack header anywhere: F? 19 count
    if ((v & 0xf0) === 0xf0 && b[i + 1] === 0x19) sites.add(i + 1).add(i + 2);
  }
  return [...sites].filter((i) => i >= 0 && i < n).sort((x, y) => x - y);
}

export interface Seed {
  bytes: Uint8Array;
  sites: number[];
}

export const toSeeds = (list: readonly Uint8Array[]): Seed[] => list.map((bytes) => ({ bytes, sites: lengthSites(bytes) }));

/**
 * Where inputs start in the mutator's memory: an odd offset, so that every input is a view that neither starts
 * at its buffer's first byte nor ends at its last (a reader that ignores byteOffset or reads past the view
 * shows up).
 */
const LEAD = 3;

/** Writes inputs into one reusable buffer: each method returns the input's length in `buf`. */
export class Mutator {
  readonly buf: Uint8Array;
  private len = 0;
  constructor(
    private readonly rng: Random,
    capacity = 8192,
  ) {
    this.buf = new Uint8Array(new ArrayBuffer(LEAD + capacity + LEAD), LEAD, capacity);
  }

  /** The seed as it is. */
  copy(seed: Seed): number {
    this.len = Math.min(seed.bytes.length, this.buf.length);
    this.buf.set(seed.bytes.subarray(0, this.len));
    return this.len;
  }

  /** 0..maxLength random bytes; half the time the first of them are a seed's (any number, up to the length). */
  random(seeds: readonly Seed[], maxLength: number): number {
    const rng = this.rng;
    this.len = Math.min(rng.int(maxLength + 1), this.buf.length);
    this.buf.set(rng.bytes(this.len));
    if (seeds.length && rng.float() < 0.5) {
      const s = rng.pick(seeds).bytes;
      this.buf.set(s.subarray(0, rng.int(Math.min(s.length, this.len) + 1)));
    }
    return this.len;
  }

  /** 1..4 rounds of mutation of the seed (`others` to splice from). */
  mutate(seed: Seed, others: readonly Seed[]): number {
    const rng = this.rng;
    this.copy(seed);
    const rounds = 1 + (rng.float() < 0.5 ? 0 : rng.int(4));
    for (let r = 0; r < rounds; r++) this.once(seed, others);
    return this.len;
  }

  private once(seed: Seed, others: readonly Seed[]): void {
    const rng = this.rng;
    const b = this.buf;
    const n = this.len;
    const op = rng.int(100);
    if (n === 0) {
      this.append(1 + rng.int(16));
      return;
    }
    if (op < 18) {
      // bit flips
      const k = 1 + rng.int(3);
      for (let i = 0; i < k; i++) b[rng.int(n)]! ^= 1 << rng.int(8);
    } else if (op < 32) {
      // byte set: interesting values or random
      const k = 1 + rng.int(3);
      for (let i = 0; i < k; i++) b[rng.int(n)] = rng.float() < 0.5 ? rng.pick(INTERESTING) : rng.int(256);
    } else if (op < 40) {
      // arithmetic on a byte or a u16
      const at = rng.int(n);
      const delta = (rng.float() < 0.5 ? 1 : -1) * (1 + rng.int(35));
      const v = b[at]! + delta;
      b[at] = v & 0xff;
      if (at + 1 < n && (v < 0 || v > 255) && rng.float() < 0.5) b[at + 1] = (b[at + 1]! + (v < 0 ? -1 : 1)) & 0xff; // carry: u16 LE
    } else if (op < 60) {
      // length-field corruption at a site of the seed
      const sites = seed.sites.length ? seed.sites : [0];
      const at = rng.pick(sites);
      if (at >= n) return;
      const v = b[at]!;
      const rest = n - at;
      const choices = [0, 1, 0xff, 0x7f, 0x80, v + 1, v - 1, v + 2, v - 2, v + 4, v - 4, rest, rest - 1, rest + 1, rest - 2, rng.int(256)];
      b[at] = rng.pick(choices) & 0xff;
    } else if (op < 72) {
      // truncation (often near the end: a snap length, a cut-off FCS)
      this.len = rng.float() < 0.5 ? rng.int(n + 1) : Math.max(0, n - 1 - rng.int(8));
    } else if (op < 78) {
      // extension: zeros, random bytes or a repeat of the tail
      const k = 1 + rng.int(24);
      this.append(k);
      const mode = rng.int(3);
      for (let i = n; i < this.len; i++) b[i] = mode === 0 ? 0 : mode === 1 ? rng.int(256) : b[i - 1 - rng.int(Math.min(i, 8))]!;
    } else if (op < 84) {
      // delete a range
      const at = rng.int(n);
      const k = Math.min(n - at, 1 + rng.int(16));
      b.copyWithin(at, at + k, n);
      this.len = n - k;
    } else if (op < 90) {
      // insert random bytes or duplicate a range
      const at = rng.int(n + 1);
      const k = Math.min(1 + rng.int(16), b.length - n);
      if (k <= 0) return;
      b.copyWithin(at + k, at, n);
      this.len = n + k;
      if (rng.float() < 0.5) for (let i = 0; i < k; i++) b[at + i] = rng.int(256);
      else {
        // a copy of bytes from elsewhere in the record (a repeated element, a doubled header)
        const from = rng.int(this.len - k + 1);
        for (let i = 0; i < k; i++) b[at + i] = b[from + i < at || from + i >= at + k ? from + i : from + i + k] ?? 0;
      }
    } else {
      // splice: keep a prefix, continue with another seed from some offset
      const other = rng.pick(others).bytes;
      const at = rng.int(n + 1);
      const from = rng.int(other.length + 1);
      const k = Math.min(other.length - from, b.length - at);
      b.set(other.subarray(from, from + k), at);
      this.len = at + k;
    }
  }

  private append(k: number): void {
    this.len = Math.min(this.buf.length, this.len + k);
  }
}
