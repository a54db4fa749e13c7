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

  protected fail(code: DecompressFailure, at: number, reason: string): never {
    this.state = this.failedState;
    throw new DecompressError(code, this.format, at, reason);
  }
}

/**
 * Where the first non-zero byte of b[start, end) is, or -1. Zero padding after the last member or frame
 * (tape blocks, dd) is ignored, as gzip and zlib ignore it.
 */
export function firstNonZero(b: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (b[i] !== 0) return i;
  return -1;
}
