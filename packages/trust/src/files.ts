/**
 * Reading and writing the trust files safely: reads are bounded and only of regular files (a FIFO or a device
 * never blocks or floods the reader); writes create the file exclusively with the mode asked for, whatever
 * the umask, and replace an existing file only when told to, by renaming a complete new one over it.
 */

import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { FileTooLargeError, formatBytes, readFileBoundedSync } from '@odid/commands';
import { TrustError } from './errors.js';

/** The whole of a regular file of at most `maxBytes`, as text. `what` says what it should be, for the errors. */
export function readTrustFile(file: string, maxBytes: number, what: string): string {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new TrustError('unreadable', file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, `give the path of ${what}`);
  }
  if (!st.isFile()) throw new TrustError('bad-file', file, `is not a regular file; expected ${what}`);
  try {
    return readFileBoundedSync(file, { maxBytes }).toString('utf8');
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new TrustError('too-large', file, `larger than ${formatBytes(maxBytes)}; expected ${what}`);
    throw new TrustError('unreadable', file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

export interface WriteOptions {
  /** Permission bits of the new file (0o600 for private keys). */
  mode: number;
  /** Replace an existing file. */
  force?: boolean;
}

/** Fails with 'exists' (nothing written) when any of `files` exists and `force` is not given. */
export function refuseExisting(files: readonly string[], force: boolean | undefined): void {
  if (force) return;
  for (const f of files) {
    let exists = true;
    try {
      statSync(f);
    } catch {
      exists = false;
    }
    if (exists) throw new TrustError('exists', f, 'already exists', 'give --force to replace it, or another name');
  }
}

/**
 * Writes `data` to a new file with exactly `opts.mode`. Without `force` the file is created exclusively
 * (an existing one is refused, never truncated); with it, a temporary file beside it is written and renamed
 * over it, so the old file stays whole until the new one is.
 */
export function writeNewFile(file: string, data: string, opts: WriteOptions): void {
  const target = opts.force ? path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`) : file;
  let fd: number;
  try {
    fd = openSync(target, 'wx', opts.mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new TrustError('exists', file, 'already exists', 'give --force to replace it, or another name');
    throw new TrustError('unreadable', file, `cannot be created (${code ?? String(e)})`);
  }
  try {
    // The umask can only clear bits; fchmod makes the mode exactly what was asked.
    fchmodSync(fd, opts.mode);
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(target);
    throw new TrustError('unreadable', file, `cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  closeSync(fd);
  if (target !== file) renameSync(target, file);
}
