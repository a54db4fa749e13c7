/**
 * A capture file or stream opened for the codec's CaptureReader, the fastest way Node has. Compressed input
 * (gzip, zstd, lz4, recognised by its magic bytes, never by its name) is decompressed here, before the
 * reader, which `readerOptions` tells so:
 * - a gzip-compressed regular file by node:zlib, on the thread pool beside the decoding;
 * - anything else (zstd, lz4, a compressed stream) by the codec's own decompressors, the browser's too.
 *
 * node:zlib is only a faster way to the same bytes. Where it stops early (damage, a truncated file: it then
 * also withholds up to 16 KiB it had inflated) or leaves bytes unread (zero padding, garbage after the last
 * member), the codec's gzip decoder reads the file again from the start, skips what zlib delivered, and
 * delivers the rest and says what stopped it and where. So records, offsets and diagnostics are the codec's
 * on every path; a damaged .gz file costs a second read up to the damage.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { COMPRESSION_DETECT_BYTES, DecompressError, createDecompressor, detectCompression, type CaptureReaderOptions, type CompressionFormat } from '@odid/codec';

export interface CaptureInput {
  /** The compression the input starts with; undefined when none. */
  readonly compression: CompressionFormat | undefined;
  /** For the CaptureReader that reads `chunks`: says the input comes decompressed, and from what. */
  readonly readerOptions: Pick<CaptureReaderOptions, 'decompressed'>;
  /** The input's bytes, decompressed; each chunk is the caller's to keep. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /**
   * Why decompression stopped early (damage, the end inside a member or frame, trailing bytes), known once
   * `chunks` has ended: hand it to the reader's `decompressionFailed()` before its `end()`.
   */
  readonly failure: DecompressError | undefined;
  /** Bytes of the file or stream read so far (compressed ones for compressed input): progress against its size. */
  readonly bytesRead: number;
  /** Who decompressed: node:zlib, or the codec (from the start, or after taking over from zlib); undefined for plain input. */
  readonly decompressedBy: 'node:zlib' | 'codec' | undefined;
  /** Stops reading at once: closes the files and streams opened here (a stream handed in stays the caller's). */
  close(): void;
}

export interface CaptureInputOptions {
  /** Read this stream instead of the path ("-" means standard input). */
  stream?: Readable;
  /** Read size for files. */
  highWaterMark?: number;
}

const DEFAULT_READ_BYTES = 1 << 18;

/** Errors node:zlib raises for its input (Z_DATA_ERROR, Z_BUF_ERROR: "unexpected end of file"), not for reading the file. */
const isZlibError = (e: unknown): boolean => typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('Z_');

class Input implements CaptureInput {
  compression: CompressionFormat | undefined;
  failure: DecompressError | undefined;
  bytesRead = 0;
  decompressedBy: 'node:zlib' | 'codec' | undefined;
  chunks: AsyncIterable<Uint8Array> = (async function* () {})();
  /** Streams opened here, to close. */
  private readonly opened = new Set<Readable | NodeJS.ReadWriteStream>();
  private closed = false;

  close(): void {
    this.closed = true;
    for (const s of this.opened) (s as Readable).destroy();
    this.opened.clear();
  }

  /** Opens a file for reading, closed by close(). */
  open(path: string, highWaterMark: number): Readable {
    const file = createReadStream(path, { highWaterMark });
    if (this.closed) file.destroy();
    else {
      this.opened.add(file);
      file.once('close', () => this.opened.delete(file));
    }
    return file;
  }

  get readerOptions(): Pick<CaptureReaderOptions, 'decompressed'> {
    return this.compression ? { decompressed: this.compression } : {};
  }

  /**
   * The raw bytes (the head already read, then the rest), through the codec's decompressor when compressed.
   * `skip`: decompressed bytes delivered already (by zlib, whose bytes were counted): only what follows is
   * handed on.
   */
  async *decompress(head: Uint8Array[], rest: AsyncIterable<Uint8Array>, skip?: number): AsyncGenerator<Uint8Array> {
    const raw = async function* (): AsyncGenerator<Uint8Array> {
      yield* head;
      yield* rest;
    };
    // Bytes read again after zlib stopped count only past where zlib had read to.
    let read = 0;
    const count = (n: number): void => {
      read += n;
      this.bytesRead = Math.max(this.bytesRead, read);
    };
    if (!this.compression) {
      for await (const c of raw()) {
        count(c.length);
        yield c;
      }
      return;
    }
    const decompressor = createDecompressor(this.compression);
    this.decompressedBy = 'codec';
    const pending: Uint8Array[] = [];
    const from = skip ?? 0;
    let seen = 0;
    const take = (piece: Uint8Array): void => {
      const end = seen + piece.length;
      if (end > from) pending.push(seen >= from ? piece : piece.subarray(from - seen));
      seen = end;
    };
    try {
      for await (const c of raw()) {
        count(c.length);
        decompressor.push(c, take);
        while (pending.length > 0) yield pending.shift()!;
      }
      decompressor.end(take);
    } catch (e) {
      if (this.closed) return;
      if (!(e instanceof DecompressError)) throw e;
      this.failure = e;
    }
    yield* pending.splice(0);
  }

  /** A gzip-compressed regular file through node:zlib, the codec's decoder taking over wherever zlib did not read it cleanly to its end. */
  async *gunzipFile(path: string, size: number, highWaterMark: number): AsyncGenerator<Uint8Array> {
    const file = this.open(path, highWaterMark) as ReturnType<typeof createReadStream>;
    const gunzip = createGunzip();
    this.opened.add(gunzip);
    this.decompressedBy = 'node:zlib';
    // pipeline: a read error reaches the gunzip stream (and so the loop below) instead of leaving it waiting.
    pipeline(file, gunzip, () => {});
    let delivered = 0;
    let stopped = false;
    try {
      for await (const piece of gunzip as AsyncIterable<Uint8Array>) {
        this.bytesRead = file.bytesRead;
        delivered += piece.length;
        yield piece;
      }
    } catch (e) {
      if (this.closed) return;
      if (!isZlibError(e)) throw e;
      stopped = true;
    }
    this.bytesRead = file.bytesRead;
    this.opened.delete(gunzip);
    if (this.closed || (!stopped && gunzip.bytesWritten === size)) return;
    yield* this.decompress([], this.open(path, highWaterMark), delivered);
  }
}

/** Reads until the compression magics can be told apart (or the input ends). */
async function readHead(it: AsyncIterator<Uint8Array>): Promise<Uint8Array[]> {
  const head: Uint8Array[] = [];
  let n = 0;
  while (n < COMPRESSION_DETECT_BYTES) {
    const c = await it.next();
    if (c.done) break;
    head.push(c.value);
    n += c.value.length;
  }
  return head;
}

function startOf(head: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(head.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of head) {
    all.set(c, at);
    at += c.length;
  }
  return all.subarray(0, COMPRESSION_DETECT_BYTES);
}

/**
 * Opens `path` ("-": standard input, or `opts.stream`) and looks at its first bytes. Rejects with the
 * file system's error when the file cannot be opened or read.
 */
export async function openCaptureInput(path: string, opts: CaptureInputOptions = {}): Promise<CaptureInput> {
  const highWaterMark = opts.highWaterMark ?? DEFAULT_READ_BYTES;
  const input = new Input();
  let stream: Readable;
  if (opts.stream || path === '-') {
    stream = opts.stream ?? process.stdin;
  } else {
    const file = input.open(path, highWaterMark);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', reject);
    });
    stream = file;
  }
  const it = (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const head = await readHead(it);
  input.compression = detectCompression(startOf(head));
  if (input.compression) input.decompressedBy = 'codec';
  if (input.compression === 'gzip' && stream !== opts.stream && path !== '-') {
    const st = await stat(path);
    if (st.isFile()) {
      await it.return?.();
      input.chunks = input.gunzipFile(path, st.size, highWaterMark);
      return input;
    }
  }
  input.chunks = input.decompress(head, { [Symbol.asyncIterator]: () => it });
  return input;
}
