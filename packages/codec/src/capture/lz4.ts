/**
 * LZ4 frame format (lz4_Frame_format.md, what `lz4 -c` and Wireshark write), push-style, written from the
 * format description: frames one after another (and skippable frames), each a descriptor, data blocks and
 * an end mark. Every checksum the frame declares is checked with xxHash32: the descriptor's, each block's
 * and the content's; a declared content size is checked too. Linked blocks (`lz4 -BD`) see the previous
 * 64 KiB of output. A frame that needs a dictionary, and the legacy format (`lz4 -l`), are not read.
 *
 * Memory: one block (at most 4 MiB, as the descriptor declares) plus 64 KiB of history for linked blocks.
 */

import { u32le } from '../bytes.js';
import { xxh32, Xxh32 } from './checksums.js';
import { FramedDecompressor, type EmitBytes } from './compression.js';

const FRAME_MAGIC = 0x184d2204;
const HISTORY = 64 * 1024;
/** Block maximum sizes by the descriptor's BD code 4-7. */
const BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];
const UNCOMPRESSED = 0x80000000;

// Where the decoder is inside a frame (between frames: FramedDecompressor).
const DESCRIPTOR = 1; // FLG, BD, optional content size and dictionary id, header checksum
const BLOCK_SIZE = 2;
const BLOCK = 3; // block data and its checksum
const CONTENT_CHECKSUM = 4;

/** Thrown by decodeBlock: the reason; the caller knows where the block is. */
class BadBlock {
  constructor(readonly reason: string) {}
}

/**
 * Decodes one LZ4 block src[s, sEnd) into dst from d; dst[dictStart, d) is the history a match may reach.
 * Returns the end of the output. Throws BadBlock when the block is malformed or would exceed dst.
 */
function decodeBlock(src: Uint8Array, s: number, sEnd: number, dst: Uint8Array, d: number, dictStart: number): number {
  const dEnd = dst.length;
  let ip = s;
  let op = d;
  for (;;) {
    if (ip >= sEnd) throw new BadBlock('the block ends before its last literals');
    const token = src[ip++]!;
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (ip >= sEnd) throw new BadBlock('a literal length runs past the block');
        b = src[ip++]!;
        litLen += b;
      } while (b === 255);
    }
    if (litLen > sEnd - ip) throw new BadBlock('literals run past the block');
    if (litLen > dEnd - op) throw new BadBlock('the block decodes to more than its maximum size');
    if (litLen > 16) {
      dst.set(src.subarray(ip, ip + litLen), op);
      op += litLen;
      ip += litLen;
    } else {
      for (const stop = ip + litLen; ip < stop; ) dst[op++] = src[ip++]!;
    }
    // The last sequence is literals only: the block ends after them.
    if (ip === sEnd) return op;
    if (sEnd - ip < 2) throw new BadBlock('a match offset runs past the block');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op - dictStart) throw new BadBlock(`a match offset (${offset}) reaches before the start of the data`);
    let matchLen = (token & 15) + 4;
    if (matchLen === 19) {
      let b: number;
      do {
        if (ip >= sEnd) throw new BadBlock('a match length runs past the block');
        b = src[ip++]!;
        matchLen += b;
      } while (b === 255);
    }
    if (matchLen > dEnd - op) throw new BadBlock('the block decodes to more than its maximum size');
    let from = op - offset;
    if (offset >= matchLen && matchLen > 32) {
      dst.copyWithin(op, from, from + matchLen);
      op += matchLen;
    } else {
      // Overlapping matches repeat the last `offset` bytes, byte by byte.
      for (const stop = op + matchLen; op < stop; ) dst[op++] = dst[from++]!;
    }
  }
}

export class Lz4Decompressor extends FramedDecompressor {
  readonly format = 'lz4';
  private descriptorLen = 0;
  private linked = false;
  private blockChecksum = false;
  private contentChecksum: Xxh32 | undefined;
  private contentSize: number | undefined;
  private blockMax = 0;
  private produced = 0;
  /** The block being read: its stored size, whether it is compressed, where it started, and its bytes when they straddle chunks. */
  private blockLen = 0;
  private blockCompressed = false;
  private blockStart = 0;
  private block: Uint8Array = new Uint8Array(0);
  private blockHave = 0;
  /** The last output, for linked blocks. */
  private history: Uint8Array = new Uint8Array(0);

  constructor() {
    // Fixed-size fields being collected (magic, descriptor, sizes, checksums).
    super(FRAME_MAGIC, new Uint8Array(16));
  }

  protected startFrame(): void {
    this.descriptorLen = 0;
    this.state = DESCRIPTOR;
  }

  protected pushFrame(chunk: Uint8Array, i: number, emit: EmitBytes): number {
    switch (this.state) {
      case DESCRIPTOR:
        i = this.collect(chunk, i, this.bufLen < 2 ? 2 : this.descriptorLen);
        if (this.bufLen === 2 && this.descriptorLen === 0) this.flags();
        else if (this.bufLen === this.descriptorLen) this.descriptor();
        return i;
      case BLOCK_SIZE:
        i = this.collect(chunk, i, 4);
        if (this.bufLen === 4) this.blockSize();
        return i;
      case BLOCK: {
        const want = this.blockLen + (this.blockChecksum ? 4 : 0);
        if (this.blockHave === 0 && chunk.length - i >= want) {
          // The whole block is in this chunk: decode it where it lies.
          this.decode(chunk, i, emit);
          return this.advance(i, want);
        }
        if (this.block.length < want) this.block = new Uint8Array(Math.max(want, Math.min(this.blockMax + 4, this.block.length * 2)));
        const n = Math.min(want - this.blockHave, chunk.length - i);
        this.block.set(chunk.subarray(i, i + n), this.blockHave);
        this.blockHave += n;
        i = this.advance(i, n);
        if (this.blockHave === want) {
          this.decode(this.block, 0, emit);
          this.blockHave = 0;
        }
        return i;
      }
      default: // CONTENT_CHECKSUM
        i = this.collect(chunk, i, 4);
        if (this.bufLen < 4) return i;
        if (u32le(this.buf, 0) !== this.contentChecksum!.digest()) this.fail('corrupt', this.offset - 4, `the content checksum of the frame at compressed byte ${this.frameStart} does not match: its data was read and may be wrong`);
        this.nextFrame();
        return i;
    }
  }

  /** FLG and BD: what the descriptor holds, hence its length. */
  private flags(): void {
    const flg = this.buf[0]!;
    const bd = this.buf[1]!;
    const at = this.frameStart + 4;
    if (flg >>> 6 !== 1) this.fail('corrupt', at, `frame version ${flg >>> 6} (only 1 is defined)`);
    if (flg & 0x02 || bd & 0x8f) this.fail('corrupt', at, 'reserved bits of the frame descriptor are set');
    if (flg & 0x01) this.fail('corrupt', at, 'the frame needs a dictionary, which a capture cannot supply');
    this.blockMax = BLOCK_MAX[(bd >>> 4) & 7]!;
    if (this.blockMax === 0) this.fail('corrupt', at + 1, `block maximum size code ${(bd >>> 4) & 7} (4 to 7 are defined)`);
    this.linked = (flg & 0x20) === 0;
    this.blockChecksum = (flg & 0x10) !== 0;
    this.descriptorLen = 2 + (flg & 0x08 ? 8 : 0) + 1;
    this.contentChecksum = flg & 0x04 ? new Xxh32() : undefined;
  }

  /** The whole descriptor is in: content size, header checksum. */
  private descriptor(): void {
    const b = this.buf;
    const n = this.descriptorLen;
    if (((xxh32(b, 0, n - 1) >>> 8) & 0xff) !== b[n - 1]) this.fail('corrupt', this.offset - 1, `the frame descriptor's checksum does not match (frame at compressed byte ${this.frameStart})`);
    this.contentSize = b[0]! & 0x08 ? u32le(b, 2) + u32le(b, 6) * 0x1_0000_0000 : undefined;
    this.produced = 0;
    this.history = new Uint8Array(0);
    this.bufLen = 0;
    this.state = BLOCK_SIZE;
  }

  private blockSize(): void {
    const v = u32le(this.buf, 0);
    this.bufLen = 0;
    if (v === 0) {
      // End mark.
      if (this.contentSize !== undefined && this.produced !== this.contentSize) {
        this.fail('corrupt', this.offset - 4, `the frame at compressed byte ${this.frameStart} decoded to ${this.produced} bytes, its header says ${this.contentSize}`);
      }
      if (this.contentChecksum) this.state = CONTENT_CHECKSUM;
      else this.nextFrame();
      return;
    }
    this.blockCompressed = (v & UNCOMPRESSED) === 0;
    this.blockLen = v & ~UNCOMPRESSED;
    this.blockStart = this.offset - 4;
    if (this.blockLen > this.blockMax) this.fail('corrupt', this.blockStart, `a block of ${this.blockLen} bytes, more than the frame's maximum of ${this.blockMax}`);
    this.blockHave = 0;
    this.state = BLOCK;
  }

  /** Checks and decodes the block at src[s...], emitting its output. */
  private decode(src: Uint8Array, s: number, emit: EmitBytes): void {
    const len = this.blockLen;
    if (this.blockChecksum && xxh32(src, s, s + len) !== u32le(src, s + len)) this.fail('corrupt', this.blockStart, 'a block checksum does not match');
    let out: Uint8Array;
    if (!this.blockCompressed) {
      out = src.slice(s, s + len);
    } else {
      const dict = this.linked ? this.history : undefined;
      const dictLen = dict?.length ?? 0;
      const dst = new Uint8Array(dictLen + this.blockMax);
      if (dict) dst.set(dict);
      let end: number;
      try {
        end = decodeBlock(src, s, s + len, dst, dictLen, 0);
      } catch (e) {
        if (e instanceof BadBlock) this.fail('corrupt', this.blockStart, `a bad block: ${e.reason}`);
        throw e;
      }
      out = dst.subarray(dictLen, end);
    }
    this.produced += out.length;
    this.contentChecksum?.update(out);
    if (this.linked) this.remember(out);
    this.state = BLOCK_SIZE;
    if (out.length > 0) emit(out);
  }

  /** Keeps the last 64 KiB of output for the next linked block. */
  private remember(out: Uint8Array): void {
    if (out.length >= HISTORY) {
      this.history = out.slice(out.length - HISTORY);
      return;
    }
    const keep = Math.min(this.history.length, HISTORY - out.length);
    const h = new Uint8Array(keep + out.length);
    h.set(this.history.subarray(this.history.length - keep));
    h.set(out, keep);
    this.history = h;
  }

  protected override nextFrame(): void {
    super.nextFrame();
    this.history = new Uint8Array(0);
  }
}
