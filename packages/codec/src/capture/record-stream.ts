/**
 * Shared engine for containers made of a file header followed by fixed-size record headers with no
 * framing of their own (pcap, btsnoop). Nothing but plausibility tells a record header from packet
 * bytes, so a record is only returned once the header after it (or the end of input) looks right too.
 * On damage we resynchronise by scanning byte by byte for a chain of plausible headers, each leading
 * to the next: one plausible header occurs by chance in packet bytes, several in a row do not.
 */

import { MAX_PACKET, MAX_TS_JUMP_SECONDS as MAX_TS_JUMP, type ByteWindow, type FormatParser, type ParseContext } from './parser.js';
import type { CaptureDiagnosticId, CaptureRecord } from './types.js';

/** Scratch fields of one record header; a few are reused for the whole stream. */
export interface RecordHeader {
  incl: number;
  orig: number;
  /** Seconds since the Unix epoch. */
  ts: number;
  /** Sub-second field as stored (pcap only: checked against its unit). */
  frac: number;
  flags: number;
}

const FILE_HEADER = 0;
const RECORDS = 1;
const RESYNC = 2;
const PROBE = 3;

/** Headers a resynchronisation candidate must chain when its time is near the last record's. */
const NEAR_LINKS = 3;
/**
 * Headers to chain when there is no usable time reference (nothing returned yet, or a jump of more
 * than MAX_TS_JUMP: a clock step, or a reference spoiled by an earlier misreading).
 */
const ALONE_LINKS = 4;
// chain() results.
const CHAIN_BAD = 0;
const CHAIN_OK = 1;
const CHAIN_NEED = 2;

// problem() results. A number, not a message: scanning garbage tests every byte and must not allocate.
const OK = 0;
const TOO_LONG = 1;
const LONGER_THAN_ORIGINAL = 2;
const EMPTY = 3;
const BAD_FRACTION = 4;
const BAD_FLAGS = 5;
const TIME_JUMP = 6;

const newHeader = (): RecordHeader => ({ incl: 0, orig: 0, ts: 0, frac: 0, flags: 0 });

export abstract class RecordStream implements FormatParser {
  keep = 0;
  needEnd = 0;
  /** Next unread stream offset. */
  private pos = 0;
  private state = FILE_HEADER;
  private readonly cur = newHeader();
  private readonly nxt = newHeader();
  private readonly link = newHeader();
  /** Timestamp of the last record returned: later headers must lie near it. */
  private lastTs: number | undefined;

  // Resynchronisation state, all stream offsets.
  private scan = 0;
  /** A record whose length is in doubt: kept until the scan shows whether it was intact. -1 = none. */
  private pendStart = -1;
  private pendEnd = 0;
  /** Start of bytes skipped as unrecognised. */
  private gapStart = 0;
  private reason = '';
  /**
   * What the damage that started the resynchronisation looked like (the input ending inside a record, or a
   * bad header), for when no later record is found. When one is, bytes were skipped: a bad header or length.
   */
  private reasonId: CaptureDiagnosticId = 'capture.bad-header';
  /** A settled doubtful record awaiting confirmation of its time (only before any record was returned). */
  private held: CaptureRecord | undefined;
  private heldStart = 0;
  /** Largest believable captured length. */
  protected maxIncl = MAX_PACKET;
  /** Sub-second field must be below this (1 where there is none). */
  protected fracUnit = 1;
  /** The first record has been checked for being a misaligned phantom. */
  private probed = false;
  /** Set by chain() when it returns CHAIN_NEED. */
  private chainNeed = 0;

  constructor(
    protected readonly ctx: ParseContext,
    private readonly name: string,
    private readonly fileHeaderSize: number,
    private readonly recordHeaderSize: number,
  ) {}

  /** Reads the file header at b[i]; `at` is its stream offset, for warnings. */
  protected abstract readFileHeader(b: Uint8Array, i: number, at: number): void;
  protected abstract readHeader(b: Uint8Array, i: number, h: RecordHeader): void;
  /** Whether the container's flags field can hold this value. */
  protected abstract flagsOk(flags: number): boolean;
  /**
   * Whether a header is believable with no earlier record to compare times with. Shifting a pcap
   * stream by 4, 8 or 12 bytes yields self-consistent phantom headers whose "seconds" are really the
   * µs or a length field: an absolute sanity check on the time is what rejects them.
   */
  protected abstract credibleAlone(h: RecordHeader): boolean;
  /** The record whose header is `h` and whose data starts at b[i]. */
  protected abstract record(b: Uint8Array, i: number, h: RecordHeader, copy: boolean, frame: number): CaptureRecord;

  run(w: ByteWindow, final: boolean, out: CaptureRecord[]): void {
    const b = w.bytes;
    const base = w.base;
    const end = w.end;
    const hs = this.recordHeaderSize;
    for (;;) {
      if (this.state === FILE_HEADER) {
        const p = this.pos;
        if (end - p < this.fileHeaderSize) {
          if (!final) return this.wait(p, p + this.fileHeaderSize);
          this.ctx.warn('capture.truncated', p, `truncated ${this.name} file header: ${end - p} of ${this.fileHeaderSize} bytes`);
          return this.finish(end);
        }
        this.readFileHeader(b, p - base, p);
        this.pos = p + this.fileHeaderSize;
        this.state = RECORDS;
      } else if (this.state === RECORDS) {
        const p = this.pos;
        if (end - p < hs) {
          if (!final) return this.wait(p, p + hs);
          if (end > p) this.ctx.warn('capture.truncated', p, `truncated ${this.name} record header at offset ${p}: ${end - p} of ${hs} bytes before the end of input`);
          return this.finish(end);
        }
        const h = this.cur;
        this.readHeader(b, p - base, h);
        const bad = this.problem(h, this.lastTs);
        if (bad !== OK) {
          this.beginResync(p, -1, 'capture.bad-header', `implausible ${this.name} record header at offset ${p}: ${this.explain(bad, h, this.lastTs)}`);
          continue;
        }
        if (this.lastTs === undefined && !this.probed && !this.credibleAlone(h)) {
          // A first record with an odd time may be a phantom read a few bytes off: look inside it once.
          this.probed = true;
          this.state = PROBE;
          this.scan = p + 1;
          continue;
        }
        const recEnd = p + hs + h.incl;
        if (recEnd + hs <= end) {
          this.readHeader(b, recEnd - base, this.nxt);
          const badNext = this.problem(this.nxt, h.ts);
          if (badNext === OK) {
            this.emit(b, p - base, h, w.owned, out);
            this.pos = recEnd;
            continue;
          }
          this.beginResync(p, recEnd, 'capture.bad-header', `${this.name} record at offset ${p} (captured length ${h.incl}) is followed by an implausible header at offset ${recEnd}: ${this.explain(badNext, this.nxt, h.ts)}`);
          continue;
        }
        if (!final) {
          if (this.ctx.live && recEnd <= end) {
            this.emit(b, p - base, h, w.owned, out);
            this.pos = recEnd;
            continue;
          }
          return this.wait(p, recEnd + hs);
        }
        if (recEnd === end) {
          this.emit(b, p - base, h, w.owned, out);
          this.pos = recEnd;
          continue;
        }
        if (recEnd < end) {
          // A stub too short for a header follows: a truncated file, or a wrong length hiding the real
          // last record. The scan tells which (and returns this record if it finds nothing inside it).
          this.beginResync(p, recEnd, 'capture.truncated', `${this.name} record at offset ${p} is followed by ${end - recEnd} bytes, too few for a record header`);
          continue;
        }
        this.beginResync(p, recEnd, 'capture.truncated', `truncated ${this.name} record at offset ${p}: needs ${hs + h.incl} bytes, the input ends after ${end - p}`);
      } else if (this.state === PROBE) {
        if (!this.probe(b, base, end, final)) return;
      } else if (!this.resync(b, base, end, final, w.owned, out)) {
        return;
      }
    }
  }

  /**
   * Whether `links` plausible headers follow one another from stream offset q, the first checked
   * against refTs (or, without one, for being credible on its own). At the end of input a shorter
   * chain that ends cleanly is enough if it has at least `linksAtEnd` records.
   */
  private chain(b: Uint8Array, base: number, end: number, final: boolean, q: number, refTs: number | undefined, links: number, linksAtEnd: number): number {
    const hs = this.recordHeaderSize;
    const h = this.link;
    let at = q;
    let ref = refTs;
    for (let k = 0; k < links; k++) {
      if (end - at < hs) {
        if (!final) {
          this.chainNeed = at + hs;
          return CHAIN_NEED;
        }
        return k >= linksAtEnd ? CHAIN_OK : CHAIN_BAD;
      }
      this.readHeader(b, at - base, h);
      if (this.problem(h, ref) !== OK) return CHAIN_BAD;
      if (ref === undefined && !this.credibleAlone(h)) return CHAIN_BAD;
      const linkEnd = at + hs + h.incl;
      if (linkEnd > end) {
        if (!final) {
          this.chainNeed = linkEnd + hs;
          return CHAIN_NEED;
        }
        return k >= linksAtEnd ? CHAIN_OK : CHAIN_BAD;
      }
      ref = h.ts;
      at = linkEnd;
    }
    return CHAIN_OK;
  }

  /**
   * Looks inside the first record (at pos) for a chain of credible headers. Found: the first record was
   * misread and is skipped. Not found: the stream simply has early timestamps, and reading goes on from
   * the first record. False = needs more input.
   */
  private probe(b: Uint8Array, base: number, end: number, final: boolean): boolean {
    const hs = this.recordHeaderSize;
    const p = this.pos;
    const h = this.cur;
    this.readHeader(b, p - base, h);
    const firstEnd = p + hs + h.incl;
    const firstTs = h.ts;
    for (let q = this.scan; q < firstEnd; q++) {
      const r = this.chain(b, base, end, final, q, undefined, ALONE_LINKS, ALONE_LINKS);
      if (r === CHAIN_NEED) {
        this.scan = q;
        this.wait(p, this.chainNeed);
        return false;
      }
      if (r === CHAIN_BAD) continue;
      this.ctx.warn('capture.misaligned', p, `${this.name} record header at offset ${p} reads as a misaligned one (a time of ${firstTs} s); ${q - p} bytes skipped, next record at offset ${q}`);
      this.pos = q;
      this.state = RECORDS;
      return true;
    }
    this.state = RECORDS;
    return true;
  }

  /** Scans for the next chain of plausible headers; false when it needs more input (or has consumed it all). */
  private resync(b: Uint8Array, base: number, end: number, final: boolean, copy: boolean, out: CaptureRecord[]): boolean {
    const hs = this.recordHeaderSize;
    const c = this.nxt;
    for (let q = this.scan; ; q++) {
      if (this.pendStart >= 0 && q >= this.pendEnd) {
        // No header inside the doubtful record: its length was right, the damage follows it.
        this.settlePending(b, base, copy, out);
      }
      if (end - q < hs) {
        if (!final) {
          this.scan = q;
          this.wait(this.pendStart >= 0 ? this.pendStart : q, q + hs);
          return false;
        }
        if (this.pendStart >= 0 && this.pendEnd <= end) this.settlePending(b, base, copy, out);
        // Nothing later to confirm or refute a held record: give it the benefit of the doubt.
        this.releaseHeld(out);
        if (this.pendStart >= 0) {
          this.ctx.warn(this.reasonId, this.pendStart, `${this.reason}; no later record found, ${end - this.pendStart} bytes to the end skipped`);
        } else if (end > this.gapStart) {
          this.ctx.warn(this.reasonId, this.gapStart, `${this.reason}; ${end - this.gapStart} bytes from offset ${this.gapStart} to the end skipped`);
        }
        this.finish(end);
        return false;
      }
      // Cheap structural test first; the chain walk only for survivors.
      this.readHeader(b, q - base, c);
      if (this.problem(c, undefined) !== OK) continue;
      const ref = this.lastTs;
      const near = ref !== undefined && Math.abs(c.ts - ref) <= MAX_TS_JUMP;
      if (!near && !this.credibleAlone(c)) continue;
      const r = near
        ? this.chain(b, base, end, final, q, ref, NEAR_LINKS, 1)
        : this.chain(b, base, end, final, q, undefined, ALONE_LINKS, 2);
      if (r === CHAIN_NEED) {
        this.scan = q;
        this.wait(this.pendStart >= 0 ? this.pendStart : q, this.chainNeed);
        return false;
      }
      if (r === CHAIN_BAD) continue;
      if (this.pendStart >= 0 && this.pendEnd - q < hs) {
        // The header found straddles the doubtful record's end: it is part damage, part the next record,
        // and says nothing against the doubtful record's length. Keep both.
        const overlap = this.pendEnd - q;
        this.settlePending(b, base, copy, out);
        this.releaseHeld(out);
        this.ctx.warn('capture.bad-header', this.pendEnd, `${this.reason}; next record at offset ${q}${overlap > 0 ? `, overlapping the previous one by ${overlap} bytes` : ''}`);
      } else if (this.pendStart >= 0) {
        this.ctx.warn('capture.bad-header', this.pendStart, `${this.reason}; record dropped, ${q - this.pendStart} bytes skipped, next record at offset ${q}`);
      } else {
        this.readHeader(b, q - base, c);
        const held = this.held;
        if (held !== undefined && Math.abs(c.ts - held.timestamp) > MAX_TS_JUMP) {
          // The held record's time does not fit the stream found after it: it was noise.
          this.held = undefined;
          this.gapStart = this.heldStart;
        }
        this.releaseHeld(out);
        this.ctx.warn('capture.bad-header', this.gapStart, `${this.reason}; ${q - this.gapStart} bytes skipped, next record at offset ${q}`);
      }
      this.pendStart = -1;
      this.pos = q;
      this.state = RECORDS;
      if (!near) this.lastTs = undefined; // a time jump: the old reference no longer applies
      return true;
    }
  }

  /** Why `h` cannot be a record header, given the previous record's time (OK if it can). */
  private problem(h: RecordHeader, refTs: number | undefined): number {
    if (h.incl > this.maxIncl) return TOO_LONG;
    if (h.incl > h.orig) return LONGER_THAN_ORIGINAL;
    if (h.orig === 0) return EMPTY;
    if (h.frac >= this.fracUnit) return BAD_FRACTION;
    if (!this.flagsOk(h.flags)) return BAD_FLAGS;
    if (refTs !== undefined && Math.abs(h.ts - refTs) > MAX_TS_JUMP) return TIME_JUMP;
    return OK;
  }

  private explain(problem: number, h: RecordHeader, refTs: number | undefined): string {
    switch (problem) {
      case TOO_LONG:
        return `captured length ${h.incl} exceeds ${this.maxIncl}`;
      case LONGER_THAN_ORIGINAL:
        return `captured length ${h.incl} exceeds the original length ${h.orig}`;
      case EMPTY:
        return 'original length 0';
      case BAD_FRACTION:
        return `sub-second field ${h.frac} is not below ${this.fracUnit}`;
      case BAD_FLAGS:
        return `flags 0x${h.flags.toString(16)} has undefined bits`;
      default:
        return `timestamp ${h.ts} is more than a day from the previous record's ${refTs}`;
    }
  }

  private beginResync(start: number, pendEnd: number, id: CaptureDiagnosticId, reason: string): void {
    this.state = RESYNC;
    this.scan = start + 1;
    this.reasonId = id;
    this.reason = reason;
    this.pendStart = pendEnd >= 0 ? start : -1;
    this.pendEnd = pendEnd;
    this.gapStart = start;
  }

  /**
   * The doubtful record turned out to have the right length. Checked against an earlier record's time
   * it is returned at once; with no earlier record it may be noise that merely looked like a header,
   * so it is copied aside until the next record found confirms its time (bounded memory either way).
   */
  private settlePending(b: Uint8Array, base: number, copy: boolean, out: CaptureRecord[]): void {
    const h = this.cur;
    const i = this.pendStart - base;
    this.readHeader(b, i, h);
    if (this.lastTs !== undefined) {
      this.emit(b, i, h, copy, out);
    } else {
      this.held = this.record(b, i + this.recordHeaderSize, h, true, 0);
      this.heldStart = this.pendStart;
    }
    this.gapStart = this.pendEnd;
    this.pendStart = -1;
  }

  private releaseHeld(out: CaptureRecord[]): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    held.frame = ++this.ctx.frame;
    out.push(held);
    this.lastTs = held.timestamp;
  }

  private emit(b: Uint8Array, i: number, h: RecordHeader, copy: boolean, out: CaptureRecord[]): void {
    out.push(this.record(b, i + this.recordHeaderSize, h, copy, ++this.ctx.frame));
    this.lastTs = h.ts;
  }

  private wait(keep: number, needEnd: number): void {
    this.keep = keep;
    this.needEnd = needEnd;
  }

  private finish(end: number): void {
    this.pos = end;
    this.keep = end;
    this.needEnd = end + 1;
    this.state = RECORDS;
  }
}
