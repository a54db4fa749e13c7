/**
 * Where a receiver's frame batches wait while the broker is unreachable (or slower than the air): a FIFO of
 * encoded MQTT messages, bounded in bytes. Full, it drops its oldest batches — counted, frames and all — so
 * what comes back when the broker does is the most recent stretch, in order.
 *
 * Two kinds: in memory (the default), and on disk (rid-scan --spool DIR) for long outages and restarts.
 * On disk the spool is a run of segment files `spool-NNNNNNNNNN.odidspool` in DIR, each a sequence of
 * records [u32 length][u32 frames][message], appended with plain writes. A spool left by an earlier run is
 * read back on start (a record cut short by a crash is cut off), so its batches are sent too; a batch sent
 * just before a crash may be sent again, which the hub recognises (receiver, run and batch number).
 * Only files named so are touched; DIR is created when missing.
 */

import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ToolkitError } from '@odid/codec';

export interface SpoolRecord {
  /** The encoded MQTT message. */
  bytes: Uint8Array;
  /** Frames it carries (what a drop costs). */
  frames: number;
}

export interface Spool {
  /** Frames and bytes waiting. */
  readonly frames: number;
  readonly bytes: number;
  /** The bound, bytes. */
  readonly max: number;
  /** Frames dropped so far because the spool was full (or a disk write failed). */
  readonly droppedFrames: number;
  /** Adds a record at the end; the oldest go when the bound is passed. Never throws. */
  push(r: SpoolRecord): void;
  /** The oldest record, still in the spool. */
  peek(): SpoolRecord | undefined;
  /** Removes the oldest record (after it was handed on). */
  shift(): void;
  /** Releases descriptors; a disk spool keeps its files for the next run. */
  close(): void;
}

/** Something went wrong with the spool's files: reported, never thrown into the receiver. */
export class SpoolError extends ToolkitError {
  override readonly name = 'SpoolError';
  constructor(code: 'write-failed' | 'read-failed' | 'cannot-open', reason: string, readonly dir: string, cause?: unknown) {
    super(code, reason, { subject: `--spool ${dir}`, ...(cause === undefined ? {} : { cause }) });
  }
}

/** Bytes a record takes besides its message. */
const RECORD_HEADER = 8;

export class MemorySpool implements Spool {
  private readonly queue: SpoolRecord[] = [];
  private head = 0;
  frames = 0;
  bytes = 0;
  droppedFrames = 0;

  constructor(readonly max: number) {}

  push(r: SpoolRecord): void {
    this.queue.push(r);
    this.frames += r.frames;
    this.bytes += r.bytes.length;
    while (this.bytes > this.max && this.head < this.queue.length) {
      this.droppedFrames += this.queue[this.head]!.frames;
      this.shift();
    }
  }

  peek(): SpoolRecord | undefined {
    return this.queue[this.head];
  }

  shift(): void {
    const r = this.queue[this.head];
    if (!r) return;
    this.queue[this.head++] = undefined as unknown as SpoolRecord;
    this.frames -= r.frames;
    this.bytes -= r.bytes.length;
    // Compact now and then rather than shift() an array per record.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  close(): void {}
}

interface Segment {
  n: number;
  path: string;
  /** Bytes in the file (whole records). */
  size: number;
  /** Where the next unread record starts. */
  read: number;
  /** Frames in the records not yet read. */
  frames: number;
  records: number;
}

const SEGMENT_NAME = /^spool-(\d{10})\.odidspool$/;
const segmentName = (n: number): string => `spool-${String(n).padStart(10, '0')}.odidspool`;

export interface DiskSpoolOptions {
  /** Told of a file that could not be written or read (once per kind of trouble in a row). */
  onError?: (e: SpoolError) => void;
}

export class DiskSpool implements Spool {
  private readonly segments: Segment[] = [];
  /** Descriptor of the last segment, open for appending. */
  private tail: number | undefined;
  private readonly segmentBytes: number;
  private peeked: SpoolRecord | undefined;
  private failing = false;
  frames = 0;
  bytes = 0;
  droppedFrames = 0;

  /** Opens (creating) DIR and takes over the segments a previous run left there. Throws a SpoolError if DIR cannot be used. */
  constructor(
    readonly dir: string,
    readonly max: number,
    private readonly opts: DiskSpoolOptions = {},
  ) {
    // Segments small enough that dropping the oldest frees little more than needed.
    this.segmentBytes = Math.max(64 * 1024, Math.min(4 << 20, Math.floor(max / 8)));
    let names: string[];
    try {
      mkdirSync(dir, { recursive: true });
      names = readdirSync(dir);
    } catch (e) {
      throw new SpoolError('cannot-open', `cannot use the spool directory: ${(e as Error).message}`, dir, e);
    }
    const found = names
      .map((name) => ({ name, m: SEGMENT_NAME.exec(name) }))
      .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
      .map((x) => Number(x.m[1]))
      .sort((a, b) => a - b);
    for (const n of found) this.adopt(n);
    while (this.bytes > this.max && this.segments.length) this.dropOldest();
  }

  /** A segment left by an earlier run: counted record by record; a torn last record is cut off. */
  private adopt(n: number): void {
    const path = join(this.dir, segmentName(n));
    let fd: number | undefined;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW);
      const size = fstatSync(fd).size;
      const head = Buffer.alloc(RECORD_HEADER);
      let at = 0;
      let frames = 0;
      let records = 0;
      while (at + RECORD_HEADER <= size) {
        if (readSync(fd, head, 0, RECORD_HEADER, at) !== RECORD_HEADER) break;
        const len = head.readUInt32BE(0);
        if (at + RECORD_HEADER + len > size) break;
        frames += head.readUInt32BE(4);
        records++;
        at += RECORD_HEADER + len;
      }
      if (at < size) ftruncateSync(fd, at);
      if (records === 0) {
        unlinkSync(path);
        return;
      }
      this.segments.push({ n, path, size: at, read: 0, frames, records });
      this.frames += frames;
      this.bytes += at;
    } catch (e) {
      this.report(new SpoolError('read-failed', `cannot read ${segmentName(n)} left by an earlier run: ${(e as Error).message}`, this.dir, e));
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  private report(e: SpoolError): void {
    if (this.failing) return;
    this.failing = true;
    this.opts.onError?.(e);
  }

  push(r: SpoolRecord): void {
    const size = RECORD_HEADER + r.bytes.length;
    try {
      let last = this.segments.at(-1);
      if (!last || this.tail === undefined || last.size + size > this.segmentBytes) {
        this.closeTail();
        const n = (last?.n ?? 0) + 1;
        const path = join(this.dir, segmentName(n));
        // A new name each time: an existing file (or a link planted there) is never written into.
        this.tail = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        last = { n, path, size: 0, read: 0, frames: 0, records: 0 };
        this.segments.push(last);
      }
      const head = Buffer.alloc(RECORD_HEADER);
      head.writeUInt32BE(r.bytes.length, 0);
      head.writeUInt32BE(r.frames, 4);
      const written = writeSync(this.tail, head) + writeSync(this.tail, r.bytes);
      if (written !== size) throw new Error(`short write (${written} of ${size} bytes)`);
      last.size += size;
      last.frames += r.frames;
      last.records++;
      this.frames += r.frames;
      this.bytes += size;
      this.failing = false;
    } catch (e) {
      // A full disk: this batch is lost, counted; the next one tries again in a fresh segment.
      this.droppedFrames += r.frames;
      this.closeTail();
      this.report(new SpoolError('write-failed', `cannot write to the spool (${(e as Error).message}): its frames are dropped and counted`, this.dir, e));
      return;
    }
    while (this.bytes > this.max && this.segments.length > 1) this.dropOldest();
  }

  private closeTail(): void {
    if (this.tail === undefined) return;
    try {
      closeSync(this.tail);
    } catch {
      // Already gone with its file system: nothing to release.
    }
    this.tail = undefined;
  }

  private dropOldest(): void {
    const s = this.segments.shift()!;
    if (this.segments.length === 0) this.closeTail();
    this.droppedFrames += s.frames;
    this.frames -= s.frames;
    this.bytes -= s.size - s.read;
    this.peeked = undefined;
    this.remove(s);
  }

  private remove(s: Segment): void {
    try {
      unlinkSync(s.path);
    } catch {
      // Removed by hand meanwhile: what matters is that it is no longer read.
    }
  }

  peek(): SpoolRecord | undefined {
    if (this.peeked) return this.peeked;
    const s = this.segments[0];
    if (!s || s.read >= s.size) return undefined;
    let fd: number | undefined;
    try {
      fd = openSync(s.path, constants.O_RDONLY | constants.O_NOFOLLOW);
      const head = Buffer.alloc(RECORD_HEADER);
      if (readSync(fd, head, 0, RECORD_HEADER, s.read) !== RECORD_HEADER) throw new Error('record header cut short');
      const len = head.readUInt32BE(0);
      const bytes = new Uint8Array(len);
      if (readSync(fd, bytes, 0, len, s.read + RECORD_HEADER) !== len) throw new Error('record cut short');
      this.peeked = { bytes, frames: head.readUInt32BE(4) };
      return this.peeked;
    } catch (e) {
      // An unreadable segment is given up whole, its frames counted as dropped.
      this.report(new SpoolError('read-failed', `cannot read ${segmentName(s.n)}: ${(e as Error).message}; its frames are dropped and counted`, this.dir, e));
      this.segments.shift();
      if (this.segments.length === 0) this.closeTail();
      this.droppedFrames += s.frames;
      this.frames -= s.frames;
      this.bytes -= s.size - s.read;
      this.remove(s);
      return this.peek();
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  shift(): void {
    const r = this.peek();
    const s = this.segments[0];
    if (!r || !s) return;
    this.peeked = undefined;
    const size = RECORD_HEADER + r.bytes.length;
    s.read += size;
    s.frames -= r.frames;
    s.records--;
    this.frames -= r.frames;
    this.bytes -= size;
    if (s.read >= s.size) {
      // Read to its end: gone, unless it is still being appended to and more may come.
      this.segments.shift();
      if (this.segments.length === 0) this.closeTail();
      this.remove(s);
    }
  }

  close(): void {
    this.closeTail();
    this.peeked = undefined;
  }
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1 << 20, g: 1e9, gb: 1e9, gib: 1 << 30 };
/** The smallest and largest spool bounds taken. */
export const SPOOL_MIN_BYTES = 64 * 1024;
export const SPOOL_MAX_BYTES = 1024 * (1 << 30);

/** A size as people write it: "100MB", "512KiB", "1.5GB", "2000000" (bytes); a UsageError-shaped message otherwise. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}
