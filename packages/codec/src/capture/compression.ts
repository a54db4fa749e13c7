/**
 * Compressed captures (what `tcpdump -w - | gzip`, dumpcap and Wireshark write, and what Wireshark reads):
 * gzip, zstd and lz4 (frame format), recognised by their magic bytes, never by a file name. Each format is
 * a push-style Decompressor in its own file (decompress.ts picks one); CaptureReader puts one in front of
 * the container parsers when the input starts with a magic, so callers never see the difference.
 *
 * Memory is bounded by each format's window, never by the file: gzip keeps 32 KiB of history, lz4 one block
 * (at most 4 MiB) and 64 KiB of history, zstd one block (128 KiB) and its window, refused above 128 MiB as
 * zstd itself refuses it.
 *
 * Damage ends decompression: a DecompressError says where (in the compressed stream) and what, after every
 * byte decoded before it has been handed on.
 */

import { u32le } from '../bytes.js';
import { ToolkitError } from '../errors.js';

/** Compressions the reader undoes. */
export type CompressionFormat = 'gzip' | 'zstd' | 'lz4';

/** The magic bytes each compressed stream starts with (the zstd and lz4 frame magics are u32le on the wire). */
export const COMPRESSION_MAGICS: Readonly<Record<CompressionFormat, readonly number[]>> = {
  gzip: [0x1f, 0x8b],
  zstd: [0x28, 0xb5, 0x2f, 0xfd],
  lz4: [0x04, 0x22, 0x4d, 0x18],
};

/** Bytes needed to tell every compression apart (and from an uncompressed capture). */
export const COMPRESSION_DETECT_BYTES = 4;

/** The compression of a stream starting with `first`, or undefined when it starts with none of the magics. */
export function detectCompression(first: Uint8Array): CompressionFormat | undefined {
  for (const format of ['gzip', 'zstd', 'lz4'] as const) {
    const magic = COMPRESSION_MAGICS[format];
    if (first.length >= magic.length && magic.every((b, i) => first[i] === b)) return format;
  }
  return undefined;
}

/**
 * How decompression stopped early:
 * - corrupt: the compressed data is damaged (a bad block, a checksum that does not match, an impossible
 *   header, a window larger than allowed);
 * - truncated: the input ends inside a member or frame;
 * - trailing: after the last complete member or frame come bytes that are neither another one nor zero
 *   padding (ignored, as gzip does).
 */
export type DecompressFailure = 'corrupt' | 'truncated' | 'trailing';

/** Thrown by a Decompressor; everything decoded before it has already been emitted. */
export class DecompressError extends ToolkitError {
  override readonly name = 'DecompressError';
  declare readonly code: DecompressFailure;
  constructor(
    code: DecompressFailure,
    readonly format: CompressionFormat,
    /** Offset in the compressed stream where the damage (or the end, or the trailing bytes) is. */
    readonly compressedOffset: number,
    reason: string,
  ) {
    super(code, reason, { subject: format, message: `${format}: ${reason} (compressed byte ${compressedOffset})` });
  }
}

/** Receives decompressed bytes. Each piece is the caller's to keep: the decompressor never writes to it again. */
export type EmitBytes = (piece: Uint8Array) => void;

/** A push-style decompressor: compressed bytes in, decompressed pieces out, in order. */
export interface Decompressor {
  readonly format: CompressionFormat;
  /**
   * Feeds the next compressed bytes (the first call starts with the magic); emits everything they complete
   * before returning. Throws only DecompressError, after which the decompressor must not be used again.
   */
  push(chunk: Uint8Array, emit: EmitBytes): void;
  /** The input has ended: emits the rest; throws a DecompressError (truncated) if it ended inside a member or frame. */
  end(emit: EmitBytes): void;
}

/**
 * What the gzip, zstd and lz4 stream decoders share: the compressed offset they have read to, a small buffer
 * for the fixed-size fields (headers, sizes, checksums) that may arrive split across pushes, and failing for
 * good (a DecompressError, after which the state is the format's FAILED).
 */
export abstract class StreamDecompressor implements Decompressor {
  abstract readonly format: CompressionFormat;
  /** Where the decoder is in the stream (each format numbers its own states). */
  protected abstract state: number;
  protected abstract readonly failedState: number;
  /** Compressed offset of the next byte to read. */
  protected offset = 0;
  protected bufLen = 0;

  /** `buf`: room for the largest fixed-size field the format collects. */
  constructor(protected readonly buf: Uint8Array) {}

  abstract push(chunk: Uint8Array, emit: EmitBytes): void;
  abstract end(emit: EmitBytes): void;

  /** Copies bytes of data from i into buf until it holds `want`; returns the new i. */
  protected collect(data: Uint8Array, i: number, want: number): number {
    const n = Math.min(want - this.bufLen, data.length - i);
    this.buf.set(data.subarray(i, i + n), this.bufLen);
    this.bufLen += n;
    return this.advance(i, n);
  }

  protected advance(i: number, n: number): number {
    this.offset += n;
    return i + n;
  }

  /**
   * Reads zero padding from i to the end of data (tape blocks, dd: ignored, as gzip and zlib ignore it);
   * anything else after the last `unit` ("member", "frame") fails as trailing. Returns the new i.
   */
  protected padding(data: Uint8Array, i: number, unit: string): number {
    const at = firstNonZero(data, i, data.length);
    if (at >= 0) this.fail('trailing', this.offset + at - i, `the bytes after the last ${unit} are neither another ${unit} nor zero padding: ignored`);
    return this.advance(i, data.length - i);
  }

  protected fail(code: DecompressFailure, at: number, reason: string): never {
    this.state = this.failedState;
    throw new DecompressError(code, this.format, at, reason);
  }
}

/** Skippable frames (lz4 and zstd alike): magic 0x184D2A50 to 0x184D2A5F, a u32le size, that many bytes. */
const SKIPPABLE_MAGIC = 0x184d2a50;

// Where a FramedDecompressor is between frames; each format numbers its own states inside a frame from 1.
/** The 4 bytes that say what comes next. */
export const FRAME_MAGIC_STATE = 0;
const SKIP_SIZE = -1;
const SKIP = -2;
const PADDING = -3;
const FAILED = -4;

/**
 * What lz4 and zstd share around their frames: a stream is frames one after another, each starting with the
 * format's u32le magic, with skippable frames between them and zero padding after the last. The format reads
 * inside a frame (pushFrame, from the state startFrame sets) and calls nextFrame() at its end.
 */
export abstract class FramedDecompressor extends StreamDecompressor {
  protected state = FRAME_MAGIC_STATE;
  protected readonly failedState = FAILED;
  /** Compressed offset of the frame being read (for messages). */
  protected frameStart = 0;
  private skipLeft = 0;

  constructor(
    private readonly frameMagic: number,
    buf: Uint8Array,
  ) {
    super(buf);
  }

  /** A frame's magic was read (frameStart is set): set the state its header starts with. */
  protected abstract startFrame(): void;
  /** Reads data from i in one of the format's own states; returns the new i (past at least one byte). */
  protected abstract pushFrame(data: Uint8Array, i: number, emit: EmitBytes): number;

  push(chunk: Uint8Array, emit: EmitBytes): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case FRAME_MAGIC_STATE:
          i = this.collect(chunk, i, 4);
          if (this.bufLen === 4) this.magic();
          break;
        case SKIP_SIZE:
          i = this.collect(chunk, i, 4);
          if (this.bufLen < 4) break;
          this.skipLeft = u32le(this.buf, 0);
          this.state = SKIP;
          if (this.skipLeft === 0) this.nextFrame();
          break;
        case SKIP: {
          const n = Math.min(this.skipLeft, chunk.length - i);
          this.skipLeft -= n;
          i = this.advance(i, n);
          if (this.skipLeft === 0) this.nextFrame();
          break;
        }
        case PADDING:
          i = this.padding(chunk, i, 'frame');
          break;
        case FAILED:
          throw new DecompressError('corrupt', this.format, this.offset, 'pushed after decompression failed');
        default:
          i = this.pushFrame(chunk, i, emit);
      }
    }
  }

  end(_emit?: EmitBytes): void {
    if (this.state === PADDING || (this.state === FRAME_MAGIC_STATE && this.bufLen === 0 && this.offset > 0)) return;
    const where = this.state === FRAME_MAGIC_STATE ? 'a frame header' : 'a frame';
    this.fail('truncated', this.offset, `the input ends inside ${where}`);
  }

  /** The frame (or skippable frame) is over: the next magic, padding or the end may follow. */
  protected nextFrame(): void {
    this.state = FRAME_MAGIC_STATE;
    this.bufLen = 0;
  }

  /** After a frame: the next one's magic, a skippable frame, zero padding, or garbage. */
  private magic(): void {
    const start = this.offset - 4;
    const m = u32le(this.buf, 0);
    this.bufLen = 0;
    if (m === this.frameMagic) {
      this.frameStart = start;
      this.startFrame();
    } else if ((m & 0xfffffff0) === SKIPPABLE_MAGIC) {
      this.frameStart = start;
      this.state = SKIP_SIZE;
    } else if (start > 0 && m === 0) {
      this.state = PADDING;
    } else if (start > 0) {
      this.fail('trailing', start, 'the bytes after the last frame are neither another frame nor zero padding: ignored');
    } else {
      this.fail('corrupt', start, `not a${this.format === 'lz4' ? 'n' : ''} ${this.format} frame`);
    }
  }
}

/** Where the first non-zero byte of b[start, end) is, or -1. */
function firstNonZero(b: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (b[i] !== 0) return i;
  return -1;
}
