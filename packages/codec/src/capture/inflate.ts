/**
 * Raw DEFLATE (RFC 1951) decoding, push-style, for gzip members (gzip.ts). Written from the RFC. It refuses
 * what zlib's inflate refuses (over-subscribed or incomplete codes, a distance before the start of the
 * data, too many symbols, no end-of-block code), so node:zlib and this decoder agree on what is damaged.
 *
 * Memory: one output buffer (32 KiB of history + 256 KiB) and at most a few hundred input bytes carried
 * between pushes. Each step (a block header, one literal or match) is all-or-nothing: when a chunk ends
 * inside one, it is retried from its start once more input has come.
 */

import { DecodeError } from '../errors.js';
import type { EmitBytes } from './compression.js';

const WINDOW = 32768;
const PIECE = 256 * 1024;
const MAX_MATCH = 258;

const LEN_BASE = Uint16Array.of(3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258);
const LEN_EXTRA = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0);
const DIST_BASE = Uint16Array.of(1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577);
const DIST_EXTRA = Uint8Array.of(0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13);
/** The order in which a dynamic block lists the code length code's lengths. */
const CL_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

/** What a code table is for: zlib allows an incomplete code only for literal/lengths and distances, and only a one-code one. */
type CodeKind = 'code lengths' | 'literal/lengths' | 'distances';

const REV8 = Uint8Array.from({ length: 256 }, (_, b) => {
  let r = 0;
  for (let k = 0; k < 8; k++) r |= ((b >> k) & 1) << (7 - k);
  return r;
});

/** Thrown inside the decoder for damage; `at` is the offset in the deflate stream. Turned into a DecodeError by push(). */
class Damage {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {}
}

/**
 * Fills `table` for the code whose lengths are lengths[start, end): entry (symbol << 4 | length) at every
 * index whose low bits are the code reversed (DEFLATE packs codes from the top bit); 0 marks no code.
 * Returns the number of index bits (the longest code).
 */
function buildTable(table: Int32Array, lengths: Uint8Array, start: number, end: number, kind: CodeKind): number {
  const count = new Uint16Array(16);
  for (let i = start; i < end; i++) count[lengths[i]!]!++;
  count[0] = 0;
  let max = 15;
  while (max > 0 && count[max] === 0) max--;
  if (max === 0) {
    // No codes at all (a block of literals only has no distances): any use of the table is invalid.
    table[0] = 0;
    table[1] = 0;
    return 1;
  }
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = (left << 1) - count[len]!;
    if (left < 0) throw new Error(`invalid ${kind} set`);
  }
  if (left > 0 && (kind === 'code lengths' || max !== 1)) throw new Error(`invalid ${kind} set`);
  const size = 1 << max;
  table.fill(0, 0, size);
  const next = new Uint16Array(16);
  for (let len = 1, code = 0; len <= 15; len++) {
    code = (code + count[len - 1]!) << 1;
    next[len] = code;
  }
  for (let i = start; i < end; i++) {
    const len = lengths[i]!;
    if (len === 0) continue;
    const code = next[len]!++;
    const reversed = ((REV8[code & 0xff]! << 8) | REV8[code >> 8]!) >> (16 - len);
    const entry = ((i - start) << 4) | len;
    for (let k = reversed; k < size; k += 1 << len) table[k] = entry;
  }
  return max;
}

const FIXED_LIT = new Int32Array(1 << 9);
const FIXED_DIST = new Int32Array(1 << 5);
{
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  buildTable(FIXED_LIT, lengths, 0, 288, 'literal/lengths');
  buildTable(FIXED_DIST, new Uint8Array(32).fill(5), 0, 32, 'distances');
}

const HEADER = 0;
const STORED = 1;
const CODES = 2;
const DONE = 3;

const EMPTY: Uint8Array = new Uint8Array(0);

export class Inflater {
  private mode = HEADER;
  /** The block being read is the last one. */
  private last = false;
  private storedLeft = 0;
  private bitBuf = 0;
  private bitCnt = 0;
  /** The current input (carried bytes + chunk) and the read position in it. */
  private input = EMPTY;
  private pos = 0;
  /** Deflate-stream offset of input[0]. */
  private inBase = 0;
  private pushed = 0;
  private carry = EMPTY;
  private lit = FIXED_LIT;
  private litBits = 9;
  private dist = FIXED_DIST;
  private distBits = 5;
  private readonly dynLit = new Int32Array(1 << 15);
  private readonly dynDist = new Int32Array(1 << 15);
  private readonly clTable = new Int32Array(1 << 7);
  private readonly lengths = new Uint8Array(286 + 30);
  // Output: out[hist, op) is the history the next match may reach back into; out[emitFrom, op) is not yet emitted.
  private out = new Uint8Array(WINDOW + PIECE);
  private op = WINDOW;
  private hist = WINDOW;
  private emitFrom = WINDOW;
  private emit: EmitBytes | undefined;

  /** The final block has been read. */
  get ended(): boolean {
    return this.mode === DONE;
  }

  /** Starts a new deflate stream (the next gzip member), keeping the buffers; no match reaches back before it. */
  reset(): void {
    this.mode = HEADER;
    this.last = false;
    this.bitBuf = 0;
    this.bitCnt = 0;
    this.pushed = 0;
    this.carry = EMPTY;
    this.lit = FIXED_LIT;
    this.litBits = 9;
    this.dist = FIXED_DIST;
    this.distBits = 5;
    this.hist = this.op;
    this.emitFrom = this.op;
  }

  /**
   * Decodes what it can of the next compressed bytes, emitting the output. Returns the bytes that follow the
   * end of the deflate data when it ended in this push, else undefined. Throws DecodeError('malformed') at
   * damage, after emitting everything decoded before it; offsets are in the deflate stream.
   */
  push(chunk: Uint8Array, emit: EmitBytes): Uint8Array | undefined {
    if (this.mode === DONE) return chunk;
    let input = chunk;
    if (this.carry.length > 0) {
      input = new Uint8Array(this.carry.length + chunk.length);
      input.set(this.carry);
      input.set(chunk, this.carry.length);
    }
    this.inBase = this.pushed - this.carry.length;
    this.pushed += chunk.length;
    this.input = input;
    this.pos = 0;
    this.emit = emit;
    try {
      this.run();
    } catch (e) {
      throw e instanceof Damage ? new DecodeError('malformed', e.at, e.reason) : e;
    } finally {
      this.flush();
      this.emit = undefined;
    }
    const rest = input.subarray(this.pos);
    this.input = EMPTY;
    if (this.mode === DONE) {
      this.carry = EMPTY;
      return rest;
    }
    // Copied: the caller may reuse its chunk.
    this.carry = rest.slice();
    return undefined;
  }

  /** The input has ended: throws DecodeError('truncated') unless the final block was complete. */
  end(): void {
    if (this.mode !== DONE) throw new DecodeError('truncated', this.pushed, 'the deflate data ends inside a block');
  }

  private run(): void {
    for (;;) {
      switch (this.mode) {
        case HEADER:
          if (!this.header()) return;
          break;
        case STORED:
          if (!this.stored()) return;
          break;
        case CODES:
          if (!this.codes()) return;
          break;
        default: {
          // Done: the unread whole bytes go back to the input; the rest of the last byte is padding.
          this.pos -= this.bitCnt >>> 3;
          this.bitBuf = 0;
          this.bitCnt = 0;
          return;
        }
      }
    }
  }

  /** Reads a block header (a dynamic one whole). False: not enough input yet, nothing consumed. */
  private header(): boolean {
    const sPos = this.pos;
    const sBuf = this.bitBuf;
    const sCnt = this.bitCnt;
    const ok = this.readHeader(sPos);
    if (!ok) {
      this.pos = sPos;
      this.bitBuf = sBuf;
      this.bitCnt = sCnt;
    }
    return ok;
  }

  private readHeader(sPos: number): boolean {
    if (!this.need(3)) return false;
    const last = this.take(1) === 1;
    const type = this.take(2);
    if (type === 0) {
      // Stored: skip to the byte boundary, then LEN and its complement NLEN.
      this.take(this.bitCnt & 7);
      this.pos -= this.bitCnt >>> 3;
      this.bitBuf = 0;
      this.bitCnt = 0;
      const input = this.input;
      const p = this.pos;
      if (input.length - p < 4) return false;
      const len = input[p]! | (input[p + 1]! << 8);
      const nlen = input[p + 2]! | (input[p + 3]! << 8);
      if (len !== (~nlen & 0xffff)) throw new Damage('invalid stored block lengths', this.inBase + sPos);
      this.pos = p + 4;
      this.storedLeft = len;
      this.mode = STORED;
    } else if (type === 1) {
      this.lit = FIXED_LIT;
      this.litBits = 9;
      this.dist = FIXED_DIST;
      this.distBits = 5;
      this.mode = CODES;
    } else if (type === 2) {
      try {
        if (!this.dynamicTables()) return false;
      } catch (e) {
        throw e instanceof Error ? new Damage(e.message, this.inBase + sPos) : e;
      }
      this.mode = CODES;
    } else {
      throw new Damage('invalid block type', this.inBase + sPos);
    }
    this.last = last;
    return true;
  }

  /** Reads a dynamic block's code lengths and builds its tables. False: not enough input yet. */
  private dynamicTables(): boolean {
    if (!this.need(14)) return false;
    const nlen = this.take(5) + 257;
    const ndist = this.take(5) + 1;
    const ncode = this.take(4) + 4;
    if (nlen > 286 || ndist > 30) throw new Error('too many length or distance symbols');
    const lengths = this.lengths;
    lengths.fill(0, 0, 19);
    for (let i = 0; i < ncode; i++) {
      if (!this.need(3)) return false;
      lengths[CL_ORDER[i]!] = this.take(3);
    }
    const clBits = buildTable(this.clTable, lengths, 0, 19, 'code lengths');
    const clMask = (1 << clBits) - 1;
    const total = nlen + ndist;
    for (let i = 0; i < total; ) {
      this.need(clBits);
      const e = this.clTable[this.bitBuf & clMask]!;
      const n = e & 15;
      if (n === 0 || n > this.bitCnt) {
        if (n === 0 && this.bitCnt >= clBits) throw new Error('invalid code lengths set');
        return false;
      }
      this.take(n);
      const sym = e >>> 4;
      if (sym < 16) {
        lengths[i++] = sym;
        continue;
      }
      let repeat: number;
      let value = 0;
      if (sym === 16) {
        if (i === 0) throw new Error('invalid bit length repeat');
        if (!this.need(2)) return false;
        repeat = 3 + this.take(2);
        value = lengths[i - 1]!;
      } else if (sym === 17) {
        if (!this.need(3)) return false;
        repeat = 3 + this.take(3);
      } else {
        if (!this.need(7)) return false;
        repeat = 11 + this.take(7);
      }
      if (i + repeat > total) throw new Error('invalid bit length repeat');
      lengths.fill(value, i, i + repeat);
      i += repeat;
    }
    if (lengths[256] === 0) throw new Error('invalid code -- missing end-of-block');
    this.litBits = buildTable(this.dynLit, lengths, 0, nlen, 'literal/lengths');
    this.distBits = buildTable(this.dynDist, lengths, nlen, total, 'distances');
    this.lit = this.dynLit;
    this.dist = this.dynDist;
    return true;
  }

  /** Copies a stored block's bytes. False: the input ran out first. */
  private stored(): boolean {
    const input = this.input;
    while (this.storedLeft > 0) {
      if (this.pos >= input.length) return false;
      if (this.op >= this.out.length) this.rotate();
      const n = Math.min(this.storedLeft, input.length - this.pos, this.out.length - this.op);
      this.out.set(input.subarray(this.pos, this.pos + n), this.op);
      this.op += n;
      this.pos += n;
      this.storedLeft -= n;
    }
    this.mode = this.last ? DONE : HEADER;
    return true;
  }

  /** Decodes a Huffman-coded block's symbols (the hot loop: state in locals). False: the input ran out first. */
  private codes(): boolean {
    const input = this.input;
    const end = input.length;
    const lit = this.lit;
    const litBits = this.litBits;
    const litMask = (1 << litBits) - 1;
    const dist = this.dist;
    const distBits = this.distBits;
    const distMask = (1 << distBits) - 1;
    let pos = this.pos;
    let bitBuf = this.bitBuf;
    let bitCnt = this.bitCnt;
    let out = this.out;
    let op = this.op;
    let hist = this.hist;
    let finished = false;
    let damage: string | undefined;
    let sPos = pos;
    for (;;) {
      if (op > out.length - MAX_MATCH) {
        this.op = op;
        this.rotate();
        out = this.out;
        op = this.op;
        hist = this.hist;
      }
      sPos = pos;
      const sBuf = bitBuf;
      const sCnt = bitCnt;
      while (bitCnt <= 24 && pos < end) {
        bitBuf |= input[pos++]! << bitCnt;
        bitCnt += 8;
      }
      let e = lit[bitBuf & litMask]!;
      let n = e & 15;
      if (n === 0 || n > bitCnt) {
        if (n === 0 && bitCnt >= litBits) damage = 'invalid literal/length code';
        pos = sPos;
        bitBuf = sBuf;
        bitCnt = sCnt;
        break;
      }
      bitBuf >>>= n;
      bitCnt -= n;
      let sym = e >>> 4;
      if (sym < 256) {
        out[op++] = sym;
        continue;
      }
      if (sym === 256) {
        finished = true;
        break;
      }
      sym -= 257;
      if (sym >= 29) {
        damage = 'invalid literal/length code';
        break;
      }
      let x = LEN_EXTRA[sym]!;
      if (x > bitCnt) {
        pos = sPos;
        bitBuf = sBuf;
        bitCnt = sCnt;
        break;
      }
      const length = LEN_BASE[sym]! + (bitBuf & ((1 << x) - 1));
      bitBuf >>>= x;
      bitCnt -= x;
      while (bitCnt <= 24 && pos < end) {
        bitBuf |= input[pos++]! << bitCnt;
        bitCnt += 8;
      }
      e = dist[bitBuf & distMask]!;
      n = e & 15;
      if (n === 0 || n > bitCnt) {
        if (n === 0 && bitCnt >= distBits) damage = 'invalid distance code';
        pos = sPos;
        bitBuf = sBuf;
        bitCnt = sCnt;
        break;
      }
      bitBuf >>>= n;
      bitCnt -= n;
      const ds = e >>> 4;
      if (ds >= 30) {
        damage = 'invalid distance code';
        break;
      }
      while (bitCnt <= 24 && pos < end) {
        bitBuf |= input[pos++]! << bitCnt;
        bitCnt += 8;
      }
      x = DIST_EXTRA[ds]!;
      if (x > bitCnt) {
        pos = sPos;
        bitBuf = sBuf;
        bitCnt = sCnt;
        break;
      }
      const d = DIST_BASE[ds]! + (bitBuf & ((1 << x) - 1));
      bitBuf >>>= x;
      bitCnt -= x;
      if (d > op - hist) {
        damage = 'invalid distance too far back';
        break;
      }
      let from = op - d;
      if (d >= length && length > 32) {
        out.copyWithin(op, from, from + length);
        op += length;
      } else {
        // Overlapping copies repeat the last d bytes, byte by byte.
        const stop = op + length;
        while (op < stop) out[op++] = out[from++]!;
      }
    }
    this.pos = pos;
    this.bitBuf = bitBuf;
    this.bitCnt = bitCnt;
    this.op = op;
    if (damage !== undefined) throw new Damage(damage, this.inBase + sPos);
    if (finished) this.mode = this.last ? DONE : HEADER;
    return finished;
  }

  /** Ensures n (at most 25) bits are buffered, if the input has them. */
  private need(n: number): boolean {
    const input = this.input;
    while (this.bitCnt < n && this.pos < input.length) {
      this.bitBuf |= input[this.pos++]! << this.bitCnt;
      this.bitCnt += 8;
    }
    return this.bitCnt >= n;
  }

  private take(n: number): number {
    const v = this.bitBuf & ((1 << n) - 1);
    this.bitBuf >>>= n;
    this.bitCnt -= n;
    return v;
  }

  /** Emits the output not yet emitted and moves the last 32 KiB of history into a fresh buffer. */
  private rotate(): void {
    this.flush();
    const out = this.out;
    const op = this.op;
    const keep = Math.min(WINDOW, op - this.hist);
    const next = new Uint8Array(WINDOW + PIECE);
    next.set(out.subarray(op - keep, op), WINDOW - keep);
    this.out = next;
    this.hist = WINDOW - keep;
    this.op = WINDOW;
    this.emitFrom = WINDOW;
  }

  /** Emits out[emitFrom, op): never written again (rotate starts a new buffer), so it is the receiver's. */
  private flush(): void {
    if (this.op > this.emitFrom) {
      const piece = this.out.subarray(this.emitFrom, this.op);
      this.emitFrom = this.op;
      this.emit?.(piece);
    }
  }
}
