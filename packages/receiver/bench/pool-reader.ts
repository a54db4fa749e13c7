/**
 * Reads the benchmark's frame pool (made by frame-pool.ts) back in time order, one block at a time, as a
 * receiver reads tcpdump's pipe. Kept apart from the generator so that the measured process loads none of
 * the broadcaster.
 */

import { closeSync, openSync, readSync } from 'node:fs';

/** Record: f64 scene time (ms) | u16 link type | u16 length | bytes. Block: u32 bytes | u32 records | records. */
export const RECORD_HEADER = 12;
export const BLOCK_HEADER = 8;

/** Reads one file of the pool in order, one block at a time (plus the blocks frames still point into). */
class FileReader {
  private readonly fd: number;
  private block: Buffer = Buffer.alloc(0);
  private offset = 0;
  private left = 0;
  private position = 0;
  /** Scene time of the next frame (Infinity at the end). */
  nextAt = Infinity;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.load();
  }

  private load(): void {
    const head = Buffer.alloc(BLOCK_HEADER);
    if (readSync(this.fd, head, 0, BLOCK_HEADER, this.position) < BLOCK_HEADER) {
      this.nextAt = Infinity;
      return;
    }
    const size = head.readUInt32LE(0);
    // A fresh buffer per block: frames handed out earlier still point into the previous one.
    this.block = Buffer.allocUnsafe(size);
    readSync(this.fd, this.block, 0, size, this.position + BLOCK_HEADER);
    this.position += BLOCK_HEADER + size;
    this.offset = 0;
    this.left = head.readUInt32LE(4);
    this.nextAt = this.left > 0 ? this.block.readDoubleLE(0) : Infinity;
  }

  /** The next frame; call only while nextAt is finite. */
  take(): { linkType: number; data: Uint8Array } {
    const b = this.block;
    const o = this.offset;
    const linkType = b.readUInt16LE(o + 8);
    const len = b.readUInt16LE(o + 10);
    const data = b.subarray(o + RECORD_HEADER, o + RECORD_HEADER + len);
    this.offset = o + RECORD_HEADER + len;
    if (--this.left > 0) this.nextAt = b.readDoubleLE(this.offset);
    else this.load();
    return { linkType, data };
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The pool's files merged in time order. */
export class PoolReader {
  private readonly files: FileReader[];
  private next: FileReader | undefined;
  /** Scene time of the next frame (Infinity at the end). */
  nextAt = Infinity;

  constructor(paths: readonly string[]) {
    this.files = paths.map((p) => new FileReader(p));
    this.pick();
  }

  private pick(): void {
    this.next = undefined;
    for (const f of this.files) if (!this.next || f.nextAt < this.next.nextAt) this.next = f;
    this.nextAt = this.next ? this.next.nextAt : Infinity;
  }

  /** The next frame; call only while nextAt is finite. */
  take(): { linkType: number; data: Uint8Array } {
    const frame = this.next!.take();
    this.pick();
    return frame;
  }

  close(): void {
    for (const f of this.files) f.close();
  }
}
