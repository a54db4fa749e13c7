/**
 * Strings built from fixed-size byte fields, remembered by those bytes. A receiver hears the same Basic ID,
 * operator ID, Self-ID text, authentication page and transmitter address thousands of times, and building
 * the string is most of the work of decoding such a field.
 *
 * A two-way set-associative table keyed by a hash of the field's bytes (two fields whose hashes meet share
 * a set without pushing each other out); a hit is confirmed by comparing all of the bytes, so what comes
 * back is always exactly what `build` makes of them. Memory is fixed whatever the input: a flood of
 * distinct fields (hostile or not) only replaces entries, the older of a set first, and each miss costs
 * one build, as it would without the table, plus the lookup.
 */

/** Builds the string of `size` bytes at `start`: a pure function of those bytes. */
export type FieldStringBuilder = (b: Uint8Array, start: number, size: number) => string;

/** The default table size: 512 sets of two, for a few hundred aircraft (or addresses) in range. */
const DEFAULT_SETS_LOG2 = 9;
/** A field is read as six little-endian 32-bit words (the last ones overlapping when it is shorter than 24 bytes). */
const KEY_WORDS = 6;
const MIN_SIZE = 4;
const MAX_SIZE = 4 * KEY_WORDS;
const MAX_SETS_LOG2 = 16;
const GOLDEN = 0x9e3779b1;

const word = (b: Uint8Array, p: number): number => b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);

export class FieldStringCache {
  /** The six words' offsets in the field: 0, 4, 8, ... but never past size - 4, so they cover it exactly. */
  private readonly o1: number;
  private readonly o2: number;
  private readonly o3: number;
  private readonly o4: number;
  private readonly o5: number;
  /** Each entry's six words: entry i at [6i, 6i + 6); set s holds entries 2s (the newer) and 2s + 1. */
  private readonly keys: Int32Array;
  private readonly strings: string[];
  /** The set index is the hash's top bits: hash >>> 16 >>> shift (two shifts, so that one set, shift 16, works too). */
  private readonly shift: number;

  constructor(
    readonly size: number,
    private readonly build: FieldStringBuilder,
    setsLog2 = DEFAULT_SETS_LOG2,
  ) {
    if (!(size >= MIN_SIZE && size <= MAX_SIZE)) throw new RangeError(`FieldStringCache: fields of ${MIN_SIZE}..${MAX_SIZE} bytes, not ${size}`);
    if (!(setsLog2 >= 0 && setsLog2 <= MAX_SETS_LOG2)) throw new RangeError(`FieldStringCache: 2^0..2^${MAX_SETS_LOG2} sets, not 2^${setsLog2}`);
    const last = size - 4;
    this.o1 = Math.min(4, last);
    this.o2 = Math.min(8, last);
    this.o3 = Math.min(12, last);
    this.o4 = Math.min(16, last);
    this.o5 = last;
    const entries = 2 << setsLog2;
    this.shift = MAX_SETS_LOG2 - setsLog2;
    this.keys = new Int32Array(entries * KEY_WORDS);
    // Every entry starts as the all-zero field, whose words the keys already hold: no empty-entry check.
    this.strings = new Array<string>(entries).fill(build(new Uint8Array(size), 0, size));
  }

  /** build(b, start, size), from the table when these bytes are in their set. The caller checks the bounds. */
  get(b: Uint8Array, start: number): string {
    // Straight-line code: a loop over the words costs about twice as much.
    const w0 = word(b, start);
    const w1 = word(b, start + this.o1);
    const w2 = word(b, start + this.o2);
    const w3 = word(b, start + this.o3);
    const w4 = word(b, start + this.o4);
    const w5 = word(b, start + this.o5);
    let h = Math.imul(w0, GOLDEN) ^ w1;
    h = Math.imul(h, GOLDEN) ^ w2;
    h = Math.imul(h, GOLDEN) ^ w3;
    h = Math.imul(h, GOLDEN) ^ w4;
    h = Math.imul(h, GOLDEN) ^ w5;
    h = Math.imul(h, GOLDEN);
    const entry = (((h ^ (h >>> 15)) >>> 16) >>> this.shift) << 1;
    const k = this.keys;
    let at = entry * KEY_WORDS;
    if (k[at] === w0 && k[at + 1] === w1 && k[at + 2] === w2 && k[at + 3] === w3 && k[at + 4] === w4 && k[at + 5] === w5) return this.strings[entry]!;
    at += KEY_WORDS;
    if (k[at] === w0 && k[at + 1] === w1 && k[at + 2] === w2 && k[at + 3] === w3 && k[at + 4] === w4 && k[at + 5] === w5) return this.strings[entry + 1]!;
    return this.miss(b, start, entry, w0, w1, w2, w3, w4, w5);
  }

  /** Out of line: building the string inside get() would slow every hit. The set's newer entry becomes its older one. */
  private miss(b: Uint8Array, start: number, entry: number, w0: number, w1: number, w2: number, w3: number, w4: number, w5: number): string {
    const s = this.build(b, start, this.size);
    const k = this.keys;
    const at = entry * KEY_WORDS;
    k.copyWithin(at + KEY_WORDS, at, at + KEY_WORDS);
    this.strings[entry + 1] = this.strings[entry]!;
    k[at] = w0;
    k[at + 1] = w1;
    k[at + 2] = w2;
    k[at + 3] = w3;
    k[at + 4] = w4;
    k[at + 5] = w5;
    this.strings[entry] = s;
    return s;
  }
}
