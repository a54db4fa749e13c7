/**
 * Zstandard (RFC 8878), push-style: frames one after another (and skippable frames), each a header and
 * blocks (raw, RLE or compressed: zstd-block.ts), written from the RFC. A frame's declared content size is
 * checked; its content checksum (XXH64, which needs 64-bit arithmetic) is not. Frames that need a
 * dictionary are not read.
 *
 * Memory: one block (at most 128 KiB) plus the frame's window of history, which grows with the output up to
 * the size the frame declares; a window above 128 MiB is refused, as zstd refuses it by default.
 */

import { u32le } from '../bytes.js';
import { FramedDecompressor, type EmitBytes } from './compression.js';
import { BadZstdBlock, ZstdBlockDecoder } from './zstd-block.js';

const FRAME_MAGIC = 0xfd2fb528;
/** zstd's own default limit (--memory=128MB, windowLog 27). */
export const ZSTD_MAX_WINDOW = 1 << 27;
const MAX_BLOCK = 128 * 1024;
/** Fresh output space made at a time: at least this, and at least as much as the history kept. */
const MIN_SPACE = 1 << 20;

// Where the decoder is inside a frame (between frames: FramedDecompressor).
const FRAME_HEADER = 1;
const BLOCK_HEADER = 2;
const BLOCK = 3;
const CHECKSUM = 4;

const RAW = 0;
const RLE = 1;
const COMPRESSED = 2;

export class ZstdDecompressor extends FramedDecompressor {
  readonly format = 'zstd';
  private headerLen = 0;
  private window = 0;
  private blockMax = 0;
  private contentSize: number | undefined;
  private checksum = false;
  private produced = 0;
  private lastBlock = false;
  private blockType = RAW;
  private blockSize = 0;
  private blockStart = 0;
  private block: Uint8Array = new Uint8Array(0);
  private blockHave = 0;
  private readonly decoder = new ZstdBlockDecoder();
  // Output: out[hist, op) is the frame's history; out[emitFrom, op) is not yet emitted.
  private out: Uint8Array = new Uint8Array(0);
  private op = 0;
  private hist = 0;
  private emitFrom = 0;
  private emit: EmitBytes = () => {};

  constructor() {
    // Fixed-size fields being collected (magic, frame header, block header, checksum, skippable size).
    super(FRAME_MAGIC, new Uint8Array(16));
  }

  protected startFrame(): void {
    this.headerLen = 0;
    this.state = FRAME_HEADER;
  }

  override push(chunk: Uint8Array, emit: EmitBytes): void {
    this.emit = emit;
    try {
      super.push(chunk, emit);
    } finally {
      this.flush();
    }
  }

  protected pushFrame(chunk: Uint8Array, i: number): number {
    switch (this.state) {
      case FRAME_HEADER:
        i = this.collect(chunk, i, this.headerLen === 0 ? 1 : this.headerLen);
        if (this.headerLen === 0) this.descriptor();
        else if (this.bufLen === this.headerLen) this.frameHeader();
        return i;
      case BLOCK_HEADER:
        i = this.collect(chunk, i, 3);
        if (this.bufLen === 3) this.blockHeader();
        return i;
      case BLOCK: {
        const want = this.blockType === RLE ? 1 : this.blockSize;
        if (this.blockHave === 0 && chunk.length - i >= want) {
          // The whole block is in this chunk: decode it where it lies.
          this.decodeBlock(chunk, i);
          return this.advance(i, want);
        }
        if (this.block.length < want) this.block = new Uint8Array(MAX_BLOCK);
        const n = Math.min(want - this.blockHave, chunk.length - i);
        this.block.set(chunk.subarray(i, i + n), this.blockHave);
        this.blockHave += n;
        i = this.advance(i, n);
        if (this.blockHave === want) {
          this.decodeBlock(this.block, 0);
          this.blockHave = 0;
        }
        return i;
      }
      default: // CHECKSUM: XXH64, not checked (see the top of this file).
        i = this.collect(chunk, i, 4);
        if (this.bufLen === 4) this.nextFrame();
        return i;
    }
  }

  /** The frame header descriptor: what the header holds, hence its length. */
  private descriptor(): void {
    const fhd = this.buf[0]!;
    if (fhd & 0x08) this.fail('corrupt', this.frameStart + 4, 'the reserved bit of the frame header is set');
    const singleSegment = (fhd & 0x20) !== 0;
    const fcsCode = fhd >>> 6;
    const fcsBytes = fcsCode === 0 ? (singleSegment ? 1 : 0) : 1 << fcsCode;
    const didBytes = [0, 1, 2, 4][fhd & 3]!;
    this.headerLen = 1 + (singleSegment ? 0 : 1) + didBytes + fcsBytes;
  }

  private frameHeader(): void {
    const b = this.buf;
    const fhd = b[0]!;
    const singleSegment = (fhd & 0x20) !== 0;
    const fcsCode = fhd >>> 6;
    let p = 1;
    let window = 0;
    if (!singleSegment) {
      const wd = b[p++]!;
      const base = 2 ** (10 + (wd >>> 3));
      window = base + (base / 8) * (wd & 7);
    }
    const didBytes = [0, 1, 2, 4][fhd & 3]!;
    let dictionary = 0;
    for (let k = 0; k < didBytes; k++) dictionary += b[p + k]! * 2 ** (8 * k);
    p += didBytes;
    if (dictionary !== 0) this.fail('corrupt', this.frameStart, `the frame needs dictionary ${dictionary}, which a capture cannot supply`);
    const fcsBytes = fcsCode === 0 ? (singleSegment ? 1 : 0) : 1 << fcsCode;
    let size: number | undefined;
    if (fcsBytes > 0) {
      size = 0;
      for (let k = 0; k < fcsBytes; k++) size += b[p + k]! * 2 ** (8 * k);
      if (fcsBytes === 2) size += 256;
    }
    if (singleSegment) window = size!;
    if (window > ZSTD_MAX_WINDOW) {
      this.fail('corrupt', this.frameStart, `the frame needs a window of ${Math.ceil(window / 2 ** 20)} MiB, more than the ${ZSTD_MAX_WINDOW / 2 ** 20} MiB zstd allows by default`);
    }
    this.window = window;
    this.blockMax = Math.min(window, MAX_BLOCK);
    this.contentSize = size;
    this.checksum = (fhd & 0x04) !== 0;
    this.produced = 0;
    this.hist = this.op;
    this.decoder.reset();
    this.bufLen = 0;
    this.state = BLOCK_HEADER;
  }

  private blockHeader(): void {
    const v = this.buf[0]! | (this.buf[1]! << 8) | (this.buf[2]! << 16);
    this.bufLen = 0;
    this.lastBlock = (v & 1) === 1;
    this.blockType = (v >>> 1) & 3;
    this.blockSize = v >>> 3;
    this.blockStart = this.offset - 3;
    if (this.blockType === 3) this.fail('corrupt', this.blockStart, 'a block of the reserved type');
    if (this.blockSize > this.blockMax) this.fail('corrupt', this.blockStart, `a block of ${this.blockSize} bytes, more than the frame's maximum of ${this.blockMax}`);
    this.blockHave = 0;
    if (this.blockType === COMPRESSED && this.blockSize === 0) this.fail('corrupt', this.blockStart, 'an empty compressed block');
    if (this.blockType === RAW && this.blockSize === 0) this.blockDone();
    else this.state = BLOCK;
  }

  /** Decodes the block at src[s...] into the output. */
  private decodeBlock(src: Uint8Array, s: number): void {
    const size = this.blockSize;
    this.room(this.blockType === COMPRESSED ? this.blockMax : size);
    const before = this.op;
    if (this.blockType === RAW) {
      this.out.set(src.subarray(s, s + size), this.op);
      this.op += size;
    } else if (this.blockType === RLE) {
      this.out.fill(src[s]!, this.op, this.op + size);
      this.op += size;
    } else {
      try {
        this.op = this.decoder.decode(src, s, s + size, this.out, this.op, this.hist, this.blockMax, this.window);
      } catch (e) {
        if (e instanceof BadZstdBlock) this.fail('corrupt', this.blockStart, `a bad block: ${e.reason}`);
        throw e;
      }
    }
    this.produced += this.op - before;
    this.blockDone();
  }

  private blockDone(): void {
    if (this.lastBlock) {
      if (this.contentSize !== undefined && this.produced !== this.contentSize) {
        this.fail('corrupt', this.blockStart, `the frame at compressed byte ${this.frameStart} decoded to ${this.produced} bytes, its header says ${this.contentSize}`);
      }
      if (this.checksum) this.state = CHECKSUM;
      else this.nextFrame();
    } else {
      this.state = BLOCK_HEADER;
    }
  }

  /** Makes room for n more bytes of output: emits what is pending and moves the window into a fresh buffer if needed. */
  private room(n: number): void {
    if (this.op + n <= this.out.length) return;
    this.flush();
    const keep = Math.min(this.window, this.op - this.hist);
    const next = new Uint8Array(keep + Math.max(keep, n, MIN_SPACE));
    next.set(this.out.subarray(this.op - keep, this.op));
    this.out = next;
    this.hist = 0;
    this.op = keep;
    this.emitFrom = keep;
  }

  /** Emits out[emitFrom, op): never written again (room() starts a new buffer), so it is the receiver's. */
  private flush(): void {
    if (this.op > this.emitFrom) {
      const piece = this.out.subarray(this.emitFrom, this.op);
      this.emitFrom = this.op;
      this.emit(piece);
    }
  }
}
