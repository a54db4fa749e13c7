/**
 * One compressed Zstandard block (RFC 8878 section 3.1.1.3): the literals section (raw, RLE or Huffman
 * coded, one or four streams) and the sequences section (FSE-coded literal lengths, offsets and match
 * lengths, executed against the frame's history). Written from the RFC. The tables a later block may repeat
 * (the Huffman table, the three FSE tables) and the repeat offsets live here for the length of one frame.
 */

/** A malformed block: the reason (the caller knows where the block is). */
export class BadZstdBlock {
  constructor(readonly reason: string) {}
}

const bad = (reason: string): never => {
  throw new BadZstdBlock(reason);
};

const LL_BASE = Uint32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536);
const LL_BITS = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
const ML_BASE = Uint32Array.of(
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
  35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539,
);
const ML_BITS = Uint8Array.of(
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
);

/** The predefined distributions (RFC 8878 3.1.1.3.2.2). */
const LL_DEFAULT = [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1];
const ML_DEFAULT = [
  1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  -1, -1, -1, -1, -1, -1, -1,
];
const OF_DEFAULT = [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];

const LL_MAX_SYMBOL = 35;
const ML_MAX_SYMBOL = 52;
const OF_MAX_SYMBOL = 31;
const LL_MAX_LOG = 9;
const ML_MAX_LOG = 9;
const OF_MAX_LOG = 8;
const HUF_MAX_LOG = 11;
const WEIGHTS_MAX_LOG = 6;

const highBit = (x: number): number => 31 - Math.clz32(x);

/**
 * `n` (at most 25) bits of the little-endian bit string starting at byte `start`, from bit `p` on. Bits
 * before the string (p < 0) read as zeros, as a backward stream's last reads may need.
 */
function bitsAt(src: Uint8Array, start: number, p: number, n: number): number {
  if (p < 0) return bitsBefore(src, start, p, n);
  const k = start + (p >>> 3);
  const v = src[k]! | (src[k + 1]! << 8) | (src[k + 2]! << 16) | (src[k + 3]! << 24);
  return (v >>> (p & 7)) & ((1 << n) - 1);
}

/** bitsAt for a read that starts before the string (kept apart so that bitsAt stays small enough to inline). */
function bitsBefore(src: Uint8Array, start: number, p: number, n: number): number {
  return n + p > 0 ? bitsAt(src, start, 0, n + p) << -p : 0;
}

/** A backward bit stream (RFC 8878 4.1): read from its last byte down, after the final 1-bit marker. */
class BackwardBits {
  src: Uint8Array = new Uint8Array(0);
  start = 0;
  /** Bits not yet read: bits [0, pos) of the stream. Negative once more bits were read than it holds. */
  pos = 0;

  init(src: Uint8Array, start: number, end: number): void {
    if (end <= start) bad('an empty bit stream');
    const last = src[end - 1]!;
    if (last === 0) bad('a bit stream without its end marker');
    this.src = src;
    this.start = start;
    this.pos = (end - start - 1) * 8 + highBit(last);
  }

  read(n: number): number {
    if (n > 24) {
      const hi = this.read(n - 24);
      return hi * 0x1000000 + this.read(24);
    }
    this.pos -= n;
    return bitsAt(this.src, this.start, this.pos, n);
  }
}

/** An FSE decoding table: per state, its symbol, the bits to read and the baseline of the next state. */
interface FseTable {
  log: number;
  symbol: Uint8Array;
  bits: Uint8Array;
  base: Int32Array;
}

const newFseTable = (maxLog: number): FseTable => ({ log: 0, symbol: new Uint8Array(1 << maxLog), bits: new Uint8Array(1 << maxLog), base: new Int32Array(1 << maxLog) });

/** Builds the decoding table of a distribution (RFC 8878 4.1.1): `norm[s]` is -1 for "less than 1". */
function buildFse(t: FseTable, norm: Int16Array, symbols: number, log: number): void {
  const size = 1 << log;
  const next = new Uint16Array(symbols);
  let high = size - 1;
  for (let s = 0; s < symbols; s++) {
    if (norm[s] === -1) {
      t.symbol[high--] = s;
      next[s] = 1;
    } else {
      next[s] = norm[s]!;
    }
  }
  const step = (size >>> 1) + (size >>> 3) + 3;
  const mask = size - 1;
  let pos = 0;
  for (let s = 0; s < symbols; s++) {
    for (let i = 0; i < norm[s]!; i++) {
      t.symbol[pos] = s;
      do pos = (pos + step) & mask;
      while (pos > high);
    }
  }
  if (pos !== 0) bad('an FSE distribution that does not fill its table');
  for (let u = 0; u < size; u++) {
    const x = next[t.symbol[u]!]!++;
    const nb = log - highBit(x);
    t.bits[u] = nb;
    t.base[u] = (x << nb) - size;
  }
  t.log = log;
}

function predefined(dist: number[], log: number): FseTable {
  const t = newFseTable(log);
  buildFse(t, Int16Array.from(dist), dist.length, log);
  return t;
}

const LL_PREDEFINED = predefined(LL_DEFAULT, 6);
const ML_PREDEFINED = predefined(ML_DEFAULT, 6);
const OF_PREDEFINED = predefined(OF_DEFAULT, 5);

/**
 * Reads an FSE table description (RFC 8878 4.1.1) at src[p, end) into norm; returns the accuracy log, the
 * number of symbols described and the bytes it took.
 */
function readDistribution(src: Uint8Array, p: number, end: number, maxSymbol: number, maxLog: number, norm: Int16Array): { log: number; symbols: number; bytes: number } {
  let bit = 0;
  const log = bitsAt(src, p, 0, 4) + 5;
  bit = 4;
  if (log > maxLog) bad(`an FSE accuracy log of ${log} (at most ${maxLog})`);
  let remaining = (1 << log) + 1;
  let threshold = 1 << log;
  let nbBits = log + 1;
  let s = 0;
  let previousZero = false;
  while (remaining > 1 && s <= maxSymbol) {
    if (previousZero) {
      // Runs of zero-probability symbols: 2-bit repeat counts, 3 meaning "and more".
      let n0 = s;
      for (;;) {
        const r = bitsAt(src, p, bit, 2);
        bit += 2;
        n0 += r;
        if (r !== 3) break;
        if (n0 > maxSymbol) break;
      }
      if (n0 > maxSymbol) bad('an FSE distribution with too many symbols');
      while (s < n0) norm[s++] = 0;
    }
    const max = 2 * threshold - 1 - remaining;
    const v = bitsAt(src, p, bit, nbBits);
    let count: number;
    if ((v & (threshold - 1)) < max) {
      count = v & (threshold - 1);
      bit += nbBits - 1;
    } else {
      count = v & (2 * threshold - 1);
      if (count >= threshold) count -= max;
      bit += nbBits;
    }
    count--;
    remaining -= count < 0 ? -count : count;
    if (remaining < 1) bad('an FSE distribution whose probabilities add up to too much');
    norm[s++] = count;
    previousZero = count === 0;
    while (remaining < threshold) {
      nbBits--;
      threshold >>>= 1;
    }
    if ((bit >>> 3) > end - p) bad('an FSE table description runs past its section');
  }
  if (remaining !== 1) bad('an FSE distribution whose probabilities do not add up');
  const bytes = (bit + 7) >>> 3;
  if (bytes > end - p) bad('an FSE table description runs past its section');
  return { log, symbols: s, bytes };
}

const MAX_BLOCK = 128 * 1024;

export class ZstdBlockDecoder {
  private readonly huffman = new Uint16Array(1 << HUF_MAX_LOG);
  private huffmanLog = 0;
  private readonly weights = new Uint8Array(256);
  private readonly weightsTable = newFseTable(WEIGHTS_MAX_LOG);
  private readonly norm = new Int16Array(256);
  private readonly literals = new Uint8Array(MAX_BLOCK);
  private readonly bits = new BackwardBits();
  private readonly dynamic = { ll: newFseTable(LL_MAX_LOG), of: newFseTable(OF_MAX_LOG), ml: newFseTable(ML_MAX_LOG) };
  private readonly rle = { ll: newFseTable(0), of: newFseTable(0), ml: newFseTable(0) };
  private previous: { ll?: FseTable; of?: FseTable; ml?: FseTable } = {};
  private rep1 = 1;
  private rep2 = 4;
  private rep3 = 8;

  /** A new frame: no table to repeat, the initial repeat offsets. */
  reset(): void {
    this.huffmanLog = 0;
    this.previous = {};
    this.rep1 = 1;
    this.rep2 = 4;
    this.rep3 = 8;
  }

  /**
   * Decodes the compressed block src[s, end) into out from op; out[hist, op) is the frame's history, of
   * which matches may reach back at most `window` bytes. The block may produce at most `blockMax` bytes
   * (out must have room for them). Returns the new end of output. Throws BadZstdBlock.
   */
  decode(src: Uint8Array, s: number, end: number, out: Uint8Array, op: number, hist: number, blockMax: number, window: number): number {
    const lit = this.readLiterals(src, s, end, blockMax);
    return this.sequences(src, lit.next, end, lit.bytes, lit.start, lit.length, out, op, hist, blockMax, window);
  }

  /** The literals section: where the literals are (in src, or regenerated into this.literals) and where the sequences start. */
  private readLiterals(src: Uint8Array, p: number, end: number, blockMax: number): { bytes: Uint8Array; start: number; length: number; next: number } {
    if (p >= end) bad('a block without a literals section');
    const b0 = src[p]!;
    const type = b0 & 3;
    const sizeFormat = (b0 >>> 2) & 3;
    if (type < 2) {
      let header: number;
      let size: number;
      if ((sizeFormat & 1) === 0) {
        header = 1;
        size = b0 >>> 3;
      } else if (sizeFormat === 1) {
        header = 2;
        size = (b0 >>> 4) + (src[p + 1]! << 4);
      } else {
        header = 3;
        size = (b0 >>> 4) + (src[p + 1]! << 4) + (src[p + 2]! << 12);
      }
      if (p + header > end) bad('the literals section header runs past the block');
      if (size > blockMax) bad(`${size} literals, more than a block holds`);
      const q = p + header;
      if (type === 0) {
        if (q + size > end) bad('raw literals run past the block');
        return { bytes: src, start: q, length: size, next: q + size };
      }
      if (q >= end) bad('RLE literals run past the block');
      this.literals.fill(src[q]!, 0, size);
      return { bytes: this.literals, start: 0, length: size, next: q + 1 };
    }
    const header = sizeFormat < 2 ? 3 : sizeFormat + 2;
    if (p + header > end) bad('the literals section header runs past the block');
    let size: number;
    let compressed: number;
    if (header === 3) {
      const v = b0 | (src[p + 1]! << 8) | (src[p + 2]! << 16);
      size = (v >>> 4) & 0x3ff;
      compressed = (v >>> 14) & 0x3ff;
    } else {
      const v = (b0 | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
      if (header === 4) {
        size = (v >>> 4) & 0x3fff;
        compressed = v >>> 18;
      } else {
        size = (v >>> 4) & 0x3ffff;
        compressed = (v >>> 22) + (src[p + 4]! << 10);
      }
    }
    if (size > blockMax) bad(`${size} literals, more than a block holds`);
    let q = p + header;
    const cEnd = q + compressed;
    if (cEnd > end) bad('compressed literals run past the block');
    if (type === 2) q += this.readHuffmanTable(src, q, cEnd);
    else if (this.huffmanLog === 0) bad('literals that repeat a Huffman table, with none before them');
    if (sizeFormat === 0) {
      this.huffmanStream(src, q, cEnd, 0, size);
    } else {
      if (cEnd - q < 6) bad('a jump table runs past the literals');
      const s1 = src[q]! | (src[q + 1]! << 8);
      const s2 = src[q + 2]! | (src[q + 3]! << 8);
      const s3 = src[q + 4]! | (src[q + 5]! << 8);
      q += 6;
      if (s1 + s2 + s3 > cEnd - q) bad('a jump table points past the literals');
      const each = (size + 3) >>> 2;
      if (each * 3 > size) bad('too few literals for four streams');
      this.huffmanStream(src, q, q + s1, 0, each);
      this.huffmanStream(src, q + s1, q + s1 + s2, each, each);
      this.huffmanStream(src, q + s1 + s2, q + s1 + s2 + s3, 2 * each, each);
      this.huffmanStream(src, q + s1 + s2 + s3, cEnd, 3 * each, size - 3 * each);
    }
    return { bytes: this.literals, start: 0, length: size, next: cEnd };
  }

  /** Decodes `n` literals of one Huffman-coded stream src[s, end) into this.literals from o. */
  private huffmanStream(src: Uint8Array, s: number, end: number, o: number, n: number): void {
    const bits = this.bits;
    bits.init(src, s, end);
    const table = this.huffman;
    const log = this.huffmanLog;
    const lits = this.literals;
    let pos = bits.pos;
    for (const stop = o + n; o < stop; ) {
      const e = table[bitsAt(src, s, pos - log, log)]!;
      lits[o++] = e >>> 4;
      pos -= e & 15;
    }
    if (pos !== 0) bad('a Huffman stream that does not end where its literals do');
  }

  /** The Huffman tree description (RFC 8878 4.2.1): weights, direct or FSE-coded, then the table. Returns its length. */
  private readHuffmanTable(src: Uint8Array, p: number, end: number): number {
    if (p >= end) bad('a Huffman tree description runs past the literals');
    const hb = src[p]!;
    const w = this.weights;
    let n = 0;
    let length: number;
    if (hb >= 128) {
      n = hb - 127;
      length = 1 + ((n + 1) >>> 1);
      if (p + length > end) bad('Huffman weights run past the literals');
      for (let i = 0; i < n; i++) {
        const b = src[p + 1 + (i >>> 1)]!;
        w[i] = i & 1 ? b & 15 : b >>> 4;
      }
    } else {
      length = 1 + hb;
      if (p + length > end) bad('Huffman weights run past the literals');
      const d = readDistribution(src, p + 1, p + length, 255, WEIGHTS_MAX_LOG, this.norm);
      const t = this.weightsTable;
      buildFse(t, this.norm, d.symbols, d.log);
      const bits = this.bits;
      bits.init(src, p + 1 + d.bytes, p + length);
      // Two interleaved states; when a state update reads past the start, the other state gives the last weight.
      let s1 = bits.read(t.log);
      let s2 = bits.read(t.log);
      for (;;) {
        if (n >= 255) bad('too many Huffman weights');
        w[n++] = t.symbol[s1]!;
        s1 = t.base[s1]! + bits.read(t.bits[s1]!);
        if (bits.pos < 0) {
          w[n++] = t.symbol[s2]!;
          break;
        }
        if (n >= 255) bad('too many Huffman weights');
        w[n++] = t.symbol[s2]!;
        s2 = t.base[s2]! + bits.read(t.bits[s2]!);
        if (bits.pos < 0) {
          w[n++] = t.symbol[s1]!;
          break;
        }
      }
    }
    // The last symbol's weight is implied: the one that completes the total to a power of two.
    let total = 0;
    const rankCount = new Uint16Array(HUF_MAX_LOG + 2);
    for (let i = 0; i < n; i++) {
      if (w[i]! > HUF_MAX_LOG) bad(`a Huffman weight of ${w[i]}`);
      if (w[i]! > 0) total += 1 << (w[i]! - 1);
    }
    if (total === 0) bad('Huffman weights that are all zero');
    const log = highBit(total) + 1;
    if (log > HUF_MAX_LOG) bad(`a Huffman table of ${log} bits (at most ${HUF_MAX_LOG})`);
    const rest = (1 << log) - total;
    if (rest & (rest - 1)) bad('Huffman weights that do not complete a code');
    if (n > 255) bad('too many Huffman weights');
    w[n++] = highBit(rest) + 1;
    for (let i = 0; i < n; i++) rankCount[w[i]!]!++;
    const rankStart = new Uint32Array(HUF_MAX_LOG + 2);
    for (let k = 1, start = 0; k <= log; k++) {
      rankStart[k] = start;
      start += rankCount[k]! << (k - 1);
    }
    const table = this.huffman;
    for (let sym = 0; sym < n; sym++) {
      const weight = w[sym]!;
      if (weight === 0) continue;
      const len = 1 << (weight - 1);
      const at = rankStart[weight]!;
      table.fill((sym << 4) | (log + 1 - weight), at, at + len);
      rankStart[weight] = at + len;
    }
    this.huffmanLog = log;
    return length;
  }

  /** Picks the table of one sequence field from its compression mode; returns it and the bytes its description took. */
  private fieldTable(field: 'll' | 'of' | 'ml', mode: number, src: Uint8Array, p: number, end: number): { table: FseTable; bytes: number } {
    const [maxSymbol, maxLog, standard] =
      field === 'll' ? [LL_MAX_SYMBOL, LL_MAX_LOG, LL_PREDEFINED] : field === 'of' ? [OF_MAX_SYMBOL, OF_MAX_LOG, OF_PREDEFINED] : [ML_MAX_SYMBOL, ML_MAX_LOG, ML_PREDEFINED];
    let table: FseTable;
    let bytes = 0;
    if (mode === 0) {
      table = standard;
    } else if (mode === 1) {
      if (p >= end) bad('an RLE sequence symbol runs past the block');
      const s = src[p]!;
      if (s > maxSymbol) bad(`an RLE sequence symbol ${s} (at most ${maxSymbol})`);
      table = this.rle[field];
      table.symbol[0] = s;
      table.bits[0] = 0;
      table.base[0] = 0;
      table.log = 0;
      bytes = 1;
    } else if (mode === 2) {
      const d = readDistribution(src, p, end, maxSymbol, maxLog, this.norm);
      table = this.dynamic[field];
      buildFse(table, this.norm, d.symbols, d.log);
      bytes = d.bytes;
    } else {
      table = this.previous[field] ?? bad('a sequence table that repeats one, with none before it');
    }
    this.previous[field] = table;
    return { table, bytes };
  }

  /** The sequences section: decodes and executes every sequence, then copies the last literals. */
  private sequences(
    src: Uint8Array,
    p: number,
    end: number,
    lits: Uint8Array,
    litStart: number,
    litLength: number,
    out: Uint8Array,
    op: number,
    hist: number,
    blockMax: number,
    window: number,
  ): number {
    if (p >= end) bad('a block without a sequences section');
    const b0 = src[p++]!;
    let count: number;
    if (b0 < 128) count = b0;
    else if (b0 < 255) count = ((b0 - 128) << 8) + src[p++]!;
    else {
      count = src[p]! + (src[p + 1]! << 8) + 0x7f00;
      p += 2;
    }
    if (p > end) bad('the sequences section header runs past the block');
    const outLimit = op + blockMax;
    let litPos = litStart;
    const litEnd = litStart + litLength;
    if (count === 0) {
      if (p !== end) bad('bytes after an empty sequences section');
    } else {
      if (p >= end) bad('the sequences section header runs past the block');
      const modes = src[p++]!;
      if (modes & 3) bad('reserved bits of the sequence compression modes are set');
      const ll = this.fieldTable('ll', modes >>> 6, src, p, end);
      p += ll.bytes;
      const of = this.fieldTable('of', (modes >>> 4) & 3, src, p, end);
      p += of.bytes;
      const ml = this.fieldTable('ml', (modes >>> 2) & 3, src, p, end);
      p += ml.bytes;
      const llt = ll.table;
      const oft = of.table;
      const mlt = ml.table;
      const bits = this.bits;
      bits.init(src, p, end);
      let llState = bits.read(llt.log);
      let ofState = bits.read(oft.log);
      let mlState = bits.read(mlt.log);
      // The hot loop: tables and the bit position in locals; fields of at most 24 bits read inline.
      const bStart = bits.start;
      let pos = bits.pos;
      const llSymbol = llt.symbol;
      const llBits = llt.bits;
      const llBase = llt.base;
      const ofSymbol = oft.symbol;
      const ofBits = oft.bits;
      const ofBase = oft.base;
      const mlSymbol = mlt.symbol;
      const mlBits = mlt.bits;
      const mlBase = mlt.base;
      let rep1 = this.rep1;
      let rep2 = this.rep2;
      let rep3 = this.rep3;
      for (let i = 0; i < count; i++) {
        const ofCode = ofSymbol[ofState]!;
        const mlCode = mlSymbol[mlState]!;
        const llCode = llSymbol[llState]!;
        let offsetValue: number;
        if (ofCode <= 24) {
          pos -= ofCode;
          offsetValue = (1 << ofCode) + bitsAt(src, bStart, pos, ofCode);
        } else {
          bits.pos = pos;
          offsetValue = 2 ** ofCode + bits.read(ofCode);
          pos = bits.pos;
        }
        let n = ML_BITS[mlCode]!;
        pos -= n;
        const matchLength = ML_BASE[mlCode]! + bitsAt(src, bStart, pos, n);
        n = LL_BITS[llCode]!;
        pos -= n;
        const literalLength = LL_BASE[llCode]! + bitsAt(src, bStart, pos, n);
        let offset: number;
        if (offsetValue > 3) {
          offset = offsetValue - 3;
          rep3 = rep2;
          rep2 = rep1;
          rep1 = offset;
        } else {
          // Repeat offsets; with no literals before the match they shift by one.
          const which = offsetValue - 1 + (literalLength === 0 ? 1 : 0);
          if (which === 0) offset = rep1;
          else if (which === 1) {
            offset = rep2;
            rep2 = rep1;
            rep1 = offset;
          } else {
            offset = which === 2 ? rep3 : rep1 - 1;
            if (offset === 0) bad('a repeat offset of 0');
            rep3 = rep2;
            rep2 = rep1;
            rep1 = offset;
          }
        }
        if (i + 1 < count) {
          n = llBits[llState]!;
          pos -= n;
          llState = llBase[llState]! + bitsAt(src, bStart, pos, n);
          n = mlBits[mlState]!;
          pos -= n;
          mlState = mlBase[mlState]! + bitsAt(src, bStart, pos, n);
          n = ofBits[ofState]!;
          pos -= n;
          ofState = ofBase[ofState]! + bitsAt(src, bStart, pos, n);
        }
        if (literalLength > litEnd - litPos) bad('a sequence takes more literals than the block has');
        if (literalLength + matchLength > outLimit - op) bad('the block decodes to more than its maximum size');
        if (literalLength > 16) {
          out.set(lits.subarray(litPos, litPos + literalLength), op);
          op += literalLength;
          litPos += literalLength;
        } else {
          for (const stop = litPos + literalLength; litPos < stop; ) out[op++] = lits[litPos++]!;
        }
        if (offset > op - hist || offset > window) bad(`a match offset (${offset}) reaches before the start of the data or the window`);
        let from = op - offset;
        if (offset >= matchLength && matchLength > 32) {
          out.copyWithin(op, from, from + matchLength);
          op += matchLength;
        } else {
          for (const stop = op + matchLength; op < stop; ) out[op++] = out[from++]!;
        }
      }
      if (pos !== 0) bad('a sequences bit stream that does not end where its sequences do');
      this.rep1 = rep1;
      this.rep2 = rep2;
      this.rep3 = rep3;
    }
    const rest = litEnd - litPos;
    if (rest > outLimit - op) bad('the block decodes to more than its maximum size');
    out.set(lits.subarray(litPos, litEnd), op);
    return op + rest;
  }
}
