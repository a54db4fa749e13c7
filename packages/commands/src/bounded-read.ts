/**
 * Reading a whole file — a config, a route, a JSON input — never past a limit. A regular file's size is
 * checked before anything is read; devices, FIFOs and /proc files say size 0 (or nothing useful), so they
 * are read in chunks and reading stops as soon as the limit is passed: `--config /dev/zero` fails at once
 * instead of filling memory.
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { ToolkitError } from '@odid/codec';

/** Configs, routes and other small settings files: 1 MiB. */
export const CONFIG_MAX_BYTES = 1 << 20;

const CHUNK_BYTES = 64 * 1024;

/** "1 MiB", "64 MiB", "4 KiB", "1000 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return `${n} bytes`;
}

/** A file past its limit. Callers put the file's name before the message ("--config x.yaml: larger than 1 MiB"). */
export class FileTooLargeError extends ToolkitError {
  override readonly name = 'FileTooLargeError';
  declare readonly code: 'too-large';
  /** `hint` says what a normal file of the kind weighs, e.g. "configs are a few hundred bytes". */
  constructor(
    readonly maxBytes: number,
    hint?: string,
  ) {
    super('too-large', `larger than ${formatBytes(maxBytes)}${hint ? ` (${hint})` : ''}`);
  }
}

export interface BoundedReadOptions {
  maxBytes: number;
  /** Added to the error: what a normal file of this kind weighs. */
  hint?: string;
}

/** A whole file, up to `maxBytes`; FileTooLargeError past it (the file's own errors, e.g. ENOENT, as they are). */
export function readFileBoundedSync(path: string, opts: BoundedReadOptions): Buffer {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > opts.maxBytes) throw new FileTooLargeError(opts.maxBytes, opts.hint);
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, opts.maxBytes + 1));
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > opts.maxBytes) throw new FileTooLargeError(opts.maxBytes, opts.hint);
      parts.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(parts, total);
  } finally {
    closeSync(fd);
  }
}

/** The asynchronous form of readFileBoundedSync. */
export async function readFileBounded(path: string, opts: BoundedReadOptions): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const st = await file.stat();
    if (st.isFile() && st.size > opts.maxBytes) throw new FileTooLargeError(opts.maxBytes, opts.hint);
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, opts.maxBytes + 1 - total));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > opts.maxBytes) throw new FileTooLargeError(opts.maxBytes, opts.hint);
      parts.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(parts, total);
  } finally {
    await file.close();
  }
}

/** A whole stream (e.g. stdin), up to `maxBytes`: reading stops as soon as the limit is passed. */
export async function readStreamBounded(stream: AsyncIterable<Uint8Array | string>, opts: BoundedReadOptions): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    total += b.length;
    // Leaving the loop ends the iteration, which destroys a Node stream: nothing more is read.
    if (total > opts.maxBytes) throw new FileTooLargeError(opts.maxBytes, opts.hint);
    parts.push(b);
  }
  return Buffer.concat(parts, total);
}
