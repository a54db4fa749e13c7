/**
 * Push-style capture reader: feed chunks as they arrive, get back the records they complete.
 *
 * - Format (pcap, pcapng, btsnoop) is detected from the first 8 bytes.
 * - Compressed input (gzip, zstd, lz4 frames: compression.ts) is recognised by its magic and decompressed as
 *   it streams in; everything below then reads the decompressed stream, and offsets are in it (what
 *   `zcat FILE | odid decode -` would report). Damage to the compressed data is a warning like any other;
 *   the records before it are kept.
 * - Only the unfinished tail of the input is buffered: one record or block plus the bytes needed to
 *   validate it (the next header; a few records while resynchronising after damage). A corrupt length
 *   can make it hold at most ~1 MiB for pcap/btsnoop and 16 MiB (Wireshark's block limit) for pcapng.
 * - A record is returned once the header after it (or the end of input) confirms its length, so push()
 *   lags by one record; end() flushes.
 * - Damage never throws: it becomes a CaptureWarning (stream offset, what) and reading resumes at the
 *   next believable record. See record-stream.ts and pcapng.ts for how that is decided.
 * - pcapng Simple Packet Blocks have no timestamp: they report 0, as Wireshark shows them.
 * - btsnoop records are normalised to pcap link types (see btsnoop.ts).
 */

import { toHex } from '../bytes.js';
import { diagnostic } from '../diagnostics.js';
import { BtsnoopParser } from './btsnoop.js';
import { COMPRESSION_DETECT_BYTES, DecompressError, detectCompression, type CompressionFormat, type Decompressor } from './compression.js';
import { createDecompressor } from './decompress.js';
import { DETECT_BYTES, detectCaptureFormat } from './detect.js';
import { DiscardParser, type ByteWindow, type FormatParser, type ParseContext } from './parser.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import type { CaptureDiagnosticId, CaptureFormat, CaptureRecord, CaptureWarning } from './types.js';

export interface CaptureReaderOptions {
  /**
   * Called for every warning as it happens. When given, warnings are NOT also collected in
   * `reader.warnings`, so a long damaged stream cannot grow memory.
   */
  onWarning?: (w: CaptureWarning) => void;
  /**
   * A live stream (tcpdump -w - on a radio): return each record as soon as its bytes are in, instead of
   * waiting for the next header to confirm it. Damage is still detected; a wrong length just costs the
   * record it hides rather than being caught one record earlier.
   */
  live?: boolean;
  /**
   * The caller decompresses the input itself and pushes the decompressed bytes (in Node, zlib inflates
   * gzip faster than JavaScript can): the reader reads them as the inside of a capture compressed so,
   * `compression` says which, and the caller reports where its decompression stopped with
   * `decompressionFailed()`.
   */
  decompressed?: CompressionFormat;
}

const EMPTY: Uint8Array = new Uint8Array(0);

/** a then b, in a new array (only for the few bytes held back before the compression is known). */
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
};
const MIN_TAIL_CAPACITY = 4096;
/** A tail buffer grown beyond this by one huge record is released once emptied. */
const RELEASE_TAIL_CAPACITY = 1024 * 1024;

export class CaptureReader {
  /** Every warning so far (empty when an onWarning callback was given). */
  readonly warnings: CaptureWarning[] = [];
  private parser: FormatParser | undefined;
  private ended = false;
  private detected: CaptureFormat | undefined;
  /** Bytes pushed (compressed ones when the reader decompresses). */
  private pushed = 0;
  /** Bytes of the (decompressed) capture stream handed to the parsers. */
  private total = 0;
  private compressed: CompressionFormat | undefined;
  private decompressor: Decompressor | undefined;
  /** Whether the input was looked at for a compression magic yet, and the first bytes held back until then. */
  private sniffed = false;
  private head = EMPTY;
  private decompressionStopped = false;
  private readonly ctx: ParseContext;
  // The carried-over tail: stream bytes [tailBase, tailBase + tailLen) at tail[tailStart...].
  private tail = EMPTY;
  private tailStart = 0;
  private tailLen = 0;
  private tailBase = 0;

  constructor(opts: CaptureReaderOptions = {}) {
    if (opts.decompressed) {
      this.compressed = opts.decompressed;
      this.sniffed = true;
    }
    const onWarning = opts.onWarning;
    const warnings = this.warnings;
    this.ctx = {
      frame: 0,
      live: opts.live ?? false,
      warn(id: CaptureDiagnosticId, offset: number, detail: string): void {
        const w: CaptureWarning = { ...diagnostic(id, detail, { offset }), offset };
        if (this.frame > 0) w.frame = this.frame;
        if (onWarning) onWarning(w);
        else warnings.push(w);
      },
    };
  }

  /** Container format, known once the first bytes have been seen (undefined if unrecognised). */
  get format(): CaptureFormat | undefined {
    return this.detected;
  }

  /** The compression the input came in, once its first bytes have been seen (undefined: none). */
  get compression(): CompressionFormat | undefined {
    return this.compressed;
  }

  /**
   * Whether the container format has been decided, as `format` says (undefined then meaning none of them).
   * Before that, bytes are still awaited: the first 8 of the capture, which compressed input may take a
   * while to yield.
   */
  get formatDecided(): boolean {
    return this.parser !== undefined;
  }

  /** Total bytes pushed so far (compressed ones for compressed input that the reader decompresses). */
  get bytesRead(): number {
    return this.pushed;
  }

  /** Bytes of the capture itself read so far: the decompressed ones for compressed input. */
  get captureBytesRead(): number {
    return this.total;
  }

  /** Bytes currently held back waiting for the rest of a record (for monitoring and tests). */
  get bufferedBytes(): number {
    return this.tailLen;
  }

  /** Feeds the next piece of input; returns the records it completed, in order. Throws only if called after end(). */
  push(chunk: Uint8Array): CaptureRecord[] {
    if (this.ended) throw new Error('CaptureReader.push() called after end()');
    const out: CaptureRecord[] = [];
    if (chunk.length === 0) return out;
    this.pushed += chunk.length;
    if (!this.sniffed) {
      // Held back until the compression magics can be told apart.
      if (this.head.length + chunk.length < COMPRESSION_DETECT_BYTES) {
        this.head = concat(this.head, chunk);
        return out;
      }
      chunk = this.head.length > 0 ? concat(this.head, chunk) : chunk;
      this.head = EMPTY;
      this.sniff(chunk);
    }
    this.feed(chunk, out);
    return out;
  }

  /** Signals the end of input: returns the last records; anything left over becomes a warning. */
  end(): CaptureRecord[] {
    const out: CaptureRecord[] = [];
    if (this.ended) return out;
    if (!this.sniffed) {
      const head = this.head;
      this.head = EMPTY;
      this.sniff(head);
      if (head.length > 0) this.feed(head, out);
    }
    if (this.decompressor && !this.decompressionStopped) {
      try {
        this.decompressor.end((piece) => this.feedCapture(piece, out));
      } catch (e) {
        if (!(e instanceof DecompressError)) throw e;
        this.decompressionFailed(e);
      }
    }
    this.ended = true;
    if (this.tailLen === 0) this.tailBase = this.total;
    this.run(this.tailWindow(), true, out);
    this.clearTail();
    return out;
  }

  /**
   * Decompression stopped at damage, the end of the input inside a member or frame, or trailing bytes:
   * raises its diagnostic. The reader calls it for its own decompressor; a caller that decompresses (the
   * `decompressed` option) calls it with the codec's DecompressError for the same damage, so that both
   * say the same. Nothing pushed after it is read.
   */
  decompressionFailed(e: DecompressError): void {
    if (this.decompressionStopped) return;
    this.decompressionStopped = true;
    const id = e.code === 'corrupt' ? 'capture.compressed-corrupt' : e.code === 'truncated' ? 'capture.compressed-truncated' : 'capture.compressed-trailing';
    this.ctx.warn(id, this.total, `${e.format}: ${e.reason} (compressed byte ${e.compressedOffset})${e.code === 'corrupt' ? '; nothing after it is read' : ''}`);
  }

  private sniff(first: Uint8Array): void {
    this.sniffed = true;
    this.compressed = detectCompression(first);
    if (this.compressed) this.decompressor = createDecompressor(this.compressed);
  }

  /** Input as pushed: through the decompressor, when there is one, to the parsers. */
  private feed(chunk: Uint8Array, out: CaptureRecord[]): void {
    if (this.decompressionStopped) return;
    if (!this.decompressor) {
      this.feedCapture(chunk, out);
      return;
    }
    try {
      this.decompressor.push(chunk, (piece) => this.feedCapture(piece, out));
    } catch (e) {
      if (!(e instanceof DecompressError)) throw e;
      this.decompressionFailed(e);
    }
  }

  /** Bytes of the capture stream itself: the container parsers' input. */
  private feedCapture(chunk: Uint8Array, out: CaptureRecord[]): void {
    if (chunk.length === 0) return;
    const cBase = this.total;
    const cEnd = cBase + chunk.length;
    this.total = cEnd;
    let fed = cBase;
    if (this.tailLen > 0) {
      // Move into the tail only as many chunk bytes as the parser asks for, until what it still needs
      // lies wholly inside the chunk; records that straddle the boundary are copied out of the tail.
      for (;;) {
        const want = Math.min(Math.max(this.needEnd(), fed + 1), cEnd);
        this.appendTail(chunk, fed - cBase, want - fed);
        fed = want;
        this.run(this.tailWindow(), false, out);
        const keep = this.keep();
        if (keep >= cBase) {
          this.clearTail();
          break;
        }
        this.dropTailBefore(keep);
        if (fed === cEnd) return;
      }
    }
    this.run({ bytes: chunk, base: cBase, end: cEnd, owned: false }, false, out);
    const keep = this.keep();
    if (keep < cEnd) this.setTail(chunk, keep - cBase, cEnd - keep, keep);
  }

  private run(w: ByteWindow, final: boolean, out: CaptureRecord[]): void {
    if (this.parser === undefined) {
      if (w.end < DETECT_BYTES && !final) return;
      const first = w.bytes.subarray(-w.base, Math.min(w.end, DETECT_BYTES) - w.base);
      this.detected = detectCaptureFormat(first);
      switch (this.detected) {
        case 'pcap':
          this.parser = new PcapParser(this.ctx);
          break;
        case 'pcapng':
          this.parser = new PcapngParser(this.ctx);
          break;
        case 'btsnoop':
          this.parser = new BtsnoopParser(this.ctx);
          break;
        default: {
          const what = this.compressed ? `the ${this.compressed} data holds no pcap, pcapng or btsnoop file` : 'not a pcap, pcapng or btsnoop file';
          // Compressed data that yielded nothing has had its own warning.
          if (w.end === 0) {
            if (!this.decompressionStopped) this.ctx.warn('capture.empty', 0, this.compressed ? `the ${this.compressed} data is empty` : 'empty input');
          } else this.ctx.warn('capture.unknown-format', 0, `${what} (it starts ${toHex(first)}); nothing read`);
          this.parser = new DiscardParser();
        }
      }
    }
    this.parser.run(w, final, out);
  }

  private keep(): number {
    return this.parser ? this.parser.keep : 0;
  }

  private needEnd(): number {
    return this.parser ? this.parser.needEnd : DETECT_BYTES;
  }

  private tailWindow(): ByteWindow {
    return { bytes: this.tail, base: this.tailBase - this.tailStart, end: this.tailBase + this.tailLen, owned: true };
  }

  private appendTail(src: Uint8Array, from: number, n: number): void {
    const used = this.tailStart + this.tailLen;
    if (used + n > this.tail.length) {
      if (this.tailLen + n <= this.tail.length >> 1) {
        // Plenty of room once the consumed front is dropped: slide down instead of growing.
        this.tail.copyWithin(0, this.tailStart, used);
      } else {
        const grown = new Uint8Array(Math.max(this.tail.length * 2, this.tailLen + n, MIN_TAIL_CAPACITY));
        grown.set(this.tail.subarray(this.tailStart, used));
        this.tail = grown;
      }
      this.tailStart = 0;
    }
    this.tail.set(src.subarray(from, from + n), this.tailStart + this.tailLen);
    this.tailLen += n;
  }

  private setTail(src: Uint8Array, from: number, n: number, base: number): void {
    this.tailStart = 0;
    this.tailLen = 0;
    this.tailBase = base;
    this.appendTail(src, from, n);
  }

  private dropTailBefore(keep: number): void {
    const drop = keep - this.tailBase;
    this.tailStart += drop;
    this.tailLen -= drop;
    this.tailBase = keep;
  }

  private clearTail(): void {
    this.tailStart = 0;
    this.tailLen = 0;
    if (this.tail.length > RELEASE_TAIL_CAPACITY) this.tail = EMPTY;
  }
}
