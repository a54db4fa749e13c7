/**
 * A file of the case directory, written in order through a buffer, hashed (SHA-256) as it is written so
 * the manifest needs no second read. Created exclusively: an export never writes over anything.
 */

import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_BYTES = 1 << 16;

export class OutFile {
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx', 0o644);
  }

  write(data: Uint8Array | string): void {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.hash.update(b);
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.bytes += b.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (!this.pendingBytes) return;
    const all = Buffer.concat(this.pending);
    for (let at = 0; at < all.length; ) at += writeSync(this.fd, all, at);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Writes what is left and closes; returns the file's SHA-256 (hex). */
  close(): string {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
    return this.hash.digest('hex');
  }
}

/** Writes a whole file at once; returns its SHA-256. */
export function writeOutFile(path: string, data: Uint8Array | string): string {
  const f = new OutFile(path);
  f.write(data);
  return f.close();
}
