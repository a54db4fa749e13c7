/**
 * Push-style capture reader: feed chunks as they arrive, get back the records they complete.
 *
 * - Format (pcap, pcapng, btsnoop) is detected from the first 8 bytes.
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
}

const EMPTY = new Uint8Array(0);
const MIN_TAIL_CAPACITY = 4096;
/** A tail buffer grown beyond this by one huge record is released once emptied. */
const RELEASE_TAIL_CAPACITY = 1024 * 1024;

export class CaptureReader {
  /** Every warning so far (empty when an onWarning callback was given). */
  readonly warnings: CaptureWarning[] = [];
  private parser: FormatParser | undefined;
  private ended = false;
  private detected: CaptureFormat | undefined;
  private total = 0;
  private readonly ctx: ParseContext;
  // The carried-over tail: stream bytes [tailBase, tailBase + tailLen) at tail[tailStart...].
  private tail = EMPTY;
  private tailStart = 0;
  private tailLen = 0;
  private tailBase = 0;

  constructor(opts: CaptureReaderOptions = {}) {
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

  /** Total bytes pushed so far. */
  get bytesRead(): number {
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
        if (fed === cEnd) return out;
      }
    }
    this.run({ bytes: chunk, base: cBase, end: cEnd, owned: false }, false, out);
    const keep = this.keep();
    if (keep < cEnd) this.setTail(chunk, keep - cBase, cEnd - keep, keep);
    return out;
  }

  /** Signals the end of input: returns the last records; anything left over becomes a warning. */
  end(): CaptureRecord[] {
    const out: CaptureRecord[] = [];
    if (this.ended) return out;
    this.ended = true;
    if (this.tailLen === 0) this.tailBase = this.total;
    this.run(this.tailWindow(), true, out);
    this.clearTail();
    return out;
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
        default:
          if (w.end === 0) this.ctx.warn('capture.empty', 0, 'empty input');
          else this.ctx.warn('capture.unknown-format', 0, `not a pcap, pcapng or btsnoop file (it starts ${toHex(first)}); nothing read`);
          this.parser = new DiscardParser();
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
