/**
 * rid-scan --record-dir: evidence recordings in a directory, named by rid-scan (retention.ts's pattern, the
 * start time in UTC) and started afresh every hour, so a receiver that runs for weeks leaves files of a
 * size one can copy and verify, and --retain can delete whole old hours. Each file is a complete recording
 * on its own: its own header and chain, closed by its final seal.
 */

import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { ToolkitError } from '@odid/codec';
import { createEvidenceRecordingWriter, type EvidenceOptions, type EvidenceRecordingWriter } from './recording-chain.js';
import { recordingFileName } from './retention.js';
import type { FrameOutput, Sink } from './types.js';

export const DEFAULT_ROTATE_MS = 3_600_000;
/** Names tried for one start time before giving up (another process recording into the same directory). */
const MAX_NAME_TRIES = 9999;

export interface RecordingDirectoryOptions extends EvidenceOptions {
  dir: string;
  /** A new file this often (wall clock). */
  rotateEveryMs?: number;
  /** Opens a file created here for writing: the CLI reports its write failures. */
  open(file: string): Sink<Uint8Array>;
  /** Told each new file's path. */
  onFile?(file: string): void;
  /** Told when the next file cannot be created: recording goes on in the current one. */
  onError?(error: ToolkitError): void;
}

export interface RecordingDirectoryWriter extends FrameOutput {
  /** Every file this writer created, oldest first. */
  readonly files: readonly string[];
}

/** A new, empty file with a name of its own: created exclusively, so a name another process took is never reused. */
function createRecordingFile(dir: string, startMs: number): string {
  for (let n = 1; n <= MAX_NAME_TRIES; n++) {
    const file = path.join(dir, recordingFileName(startMs, n));
    try {
      closeSync(openSync(file, 'wx'));
      return file;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new ToolkitError('cannot-create', `cannot create ${file}: ${code ?? (e as Error).message}`, { subject: '--record-dir', cause: e });
    }
  }
  throw new ToolkitError('cannot-create', `no free recording name for ${recordingFileName(startMs)} in ${dir}`, { subject: '--record-dir' });
}

/** Creates the first file at once (a run that hears nothing still leaves its sealed, empty recording). */
export function createRecordingDirectoryWriter(opts: RecordingDirectoryOptions): RecordingDirectoryWriter {
  const now = opts.now ?? Date.now;
  const rotateEveryMs = opts.rotateEveryMs ?? DEFAULT_ROTATE_MS;
  const files: string[] = [];
  const closing: Promise<void>[] = [];
  let writer: EvidenceRecordingWriter;
  let startedMs = 0;
  let closed = false;
  const start = (): void => {
    const startMs = now();
    const file = createRecordingFile(opts.dir, startMs);
    writer = createEvidenceRecordingWriter(opts.open(file), opts);
    startedMs = startMs;
    files.push(file);
    opts.onFile?.(file);
  };
  start();
  return {
    files,
    write(frame) {
      if (closed) throw new ToolkitError('closed', 'recording is closed');
      if (now() - startedMs >= rotateEveryMs) {
        const old = writer;
        try {
          start();
          closing.push(old.close());
        } catch (e) {
          // Try again after another period; until then the current file goes on.
          startedMs = now();
          opts.onError?.(e instanceof ToolkitError ? e : new ToolkitError('cannot-create', (e as Error).message, { cause: e }));
        }
      }
      writer.write(frame);
    },
    async close() {
      if (closed) return;
      closed = true;
      closing.push(writer.close());
      await Promise.all(closing);
    },
  };
}
