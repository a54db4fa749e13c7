/**
 * The files the command-line tools write (rid-scan's exports and recordings, rid-broadcast --pcapng, odid
 * encode --pcapng), handled one way for all three:
 *
 * - **Checked before anything is opened** (`checkOutputPaths`): the parent directory exists and is
 *   writable, the target is not a directory, not one of the inputs (same device and inode, so symlinks and
 *   hard links are caught too, and stdin when it was redirected from a file) and not another output. One
 *   line says what is wrong; the tools exit with USAGE_EXIT before reading or writing anything.
 * - **Two policies for an existing file**, one per output, named in each tool's --help:
 *   - `replace` (exports written whole at the end): written to a temporary file beside the target and
 *     renamed over it once complete (`writeFileReplacing`), so the old file stays whole until the new one is;
 *   - `stream` (appended to as the run goes: recordings, pcapng, JSONL): written in place, so a crash or a
 *     power cut keeps everything up to the last write and `tail -f` works; an existing non-empty regular
 *     file is therefore refused unless the user gives --force (it is then truncated).
 *   Devices, FIFOs and sockets (/dev/null, a named pipe) are always written as they are.
 * - **A write failure stops only that output** (`openOutputFile`): it is reported once, in one line, later
 *   writes to it are dropped, and `error` tells the tool to exit non-zero at the end; the others go on.
 */

import { accessSync, constants, createWriteStream, fstatSync, realpathSync, statSync, unlinkSync, type Stats, type WriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ToolkitError } from '@odid/codec';
import { UsageError } from './options.js';

export type OutputPolicy = 'replace' | 'stream';

export interface OutputSpec {
  /** The option that names the file, for messages: "--record", "--out". */
  option: string;
  /** A path, or "-" for stdout (never checked). */
  path: string;
  policy: OutputPolicy;
}

export interface InputSpec {
  option: string;
  /** A path, or "-" for stdin (checked through its file descriptor). */
  path: string;
}

export type OutputPathErrorCode =
  | 'no-file-name' // an empty path
  | 'is-directory'
  | 'is-input' // the same file as one being read
  | 'twice' // the same file as another output
  | 'not-writable' // the file, its directory, or a device that cannot be written
  | 'exists' // a stream output over a non-empty file without --force
  | 'no-directory'; // the parent directory is missing or not a directory

/** An output that cannot be written as given: one line naming the option and the file; exit USAGE_EXIT. */
export class OutputPathError extends UsageError {
  override readonly name = 'OutputPathError';
  declare readonly code: OutputPathErrorCode;
  constructor(code: OutputPathErrorCode, where: string, reason: string, fix?: string) {
    super(code, reason, { subject: where, ...(fix ? { fix } : {}) });
  }
}

/** The help text's words for a policy (each tool puts them next to the option). */
export const POLICY_HELP: Record<OutputPolicy, string> = {
  replace: 'an existing file is replaced once the new one is complete',
  stream: 'written as the run goes; an existing non-empty file needs --force',
};

const statOrUndefined = (p: string): Stats | undefined => {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
};

const sameFile = (a: Stats, b: Stats): boolean => a.dev === b.dev && a.ino === b.ino;

const errnoText = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}` : String((e as Error).message ?? e);
};

/**
 * Checks every output before the run starts (see the top of this file). Throws an OutputPathError naming
 * the option and the file. `force` allows a `stream` output to truncate an existing file.
 */
export function checkOutputPaths(outputs: readonly OutputSpec[], opts: { inputs?: readonly InputSpec[]; force?: boolean } = {}): void {
  const inputs: { spec: InputSpec; stats: Stats }[] = [];
  for (const spec of opts.inputs ?? []) {
    let stats: Stats | undefined;
    if (spec.path === '-') {
      try {
        stats = fstatSync(0);
      } catch {
        stats = undefined;
      }
      // A pipe or a terminal cannot be an output file; only stdin redirected from a file can.
      if (stats && !stats.isFile()) stats = undefined;
    } else stats = statOrUndefined(spec.path);
    if (stats) inputs.push({ spec, stats });
  }
  const seen: { spec: OutputSpec; stats?: Stats; resolved: string }[] = [];
  for (const spec of outputs) {
    if (spec.path === '-') continue;
    const where = `${spec.option} ${spec.path}`;
    if (spec.path === '') throw new OutputPathError('no-file-name', spec.option, 'no file name', 'give one');
    const stats = statOrUndefined(spec.path);
    const resolved = stats ? realpathSync(spec.path) : path.resolve(spec.path);
    if (stats?.isDirectory()) throw new OutputPathError('is-directory', where, 'is a directory', 'give a file name');
    if (stats) {
      const input = inputs.find((i) => sameFile(i.stats, stats));
      if (input) {
        const what = input.spec.path === '-' ? `the file on standard input (${input.spec.option} -)` : `the input (${input.spec.option} ${input.spec.path})`;
        throw new OutputPathError('is-input', where, `is ${what}; refusing to write over what is being read`);
      }
    }
    const twice = seen.find((o) => (stats && o.stats ? sameFile(o.stats, stats) : o.resolved === resolved));
    if (twice) throw new OutputPathError('twice', where, `is also ${twice.spec.option} ${twice.spec.path}`, 'give each output its own file');
    seen.push({ spec, ...(stats ? { stats } : {}), resolved });

    if (stats && !stats.isFile()) {
      // A device, FIFO or socket: written as it is, if it can be.
      try {
        accessSync(spec.path, constants.W_OK);
      } catch (e) {
        throw new OutputPathError('not-writable', where, `cannot be written (${errnoText(e)})`);
      }
      continue;
    }
    if (stats && spec.policy === 'stream' && stats.size > 0 && !opts.force) {
      throw new OutputPathError('exists', where, `already exists (${stats.size} bytes)`, 'give --force to overwrite it, or another name');
    }
    const dir = path.dirname(resolved);
    const dirStats = statOrUndefined(dir);
    if (!dirStats) throw new OutputPathError('no-directory', where, `directory ${path.dirname(spec.path)} does not exist`);
    if (!dirStats.isDirectory()) throw new OutputPathError('no-directory', where, `${path.dirname(spec.path)} is not a directory`);
    try {
      // A replaced file needs the directory (a temporary file and a rename); a streamed one needs the
      // directory to create it, or the file itself to truncate it.
      if (stats && spec.policy === 'stream') accessSync(spec.path, constants.W_OK);
      else accessSync(dir, constants.W_OK | constants.X_OK);
    } catch (e) {
      const what = stats && spec.policy === 'stream' ? 'the file is not writable' : `directory ${path.dirname(spec.path)} is not writable`;
      throw new OutputPathError('not-writable', where, `${what} (${errnoText(e)})`);
    }
  }
}

/** Temporary files being written, removed if the process exits before they are renamed. */
const pending = new Set<string>();
let exitHookInstalled = false;

function track(tmp: string): void {
  pending.add(tmp);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of pending) {
      try {
        unlinkSync(p);
      } catch {
        // already gone
      }
    }
  });
}

/**
 * Writes `data` to `target` with the `replace` policy: a temporary file in the same directory
 * (".NAME.PID.RANDOM.tmp"), flushed to disk, then renamed over the target — an existing file is replaced
 * only by a complete one, and a failure leaves it as it was. A symlink is followed (the file it points to
 * is replaced, the link stays); a device or FIFO is written directly.
 */
export async function writeFileReplacing(target: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const stats = statOrUndefined(target);
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  if (stats && !stats.isFile()) {
    const fh = await open(target, 'w');
    try {
      for (const c of chunks) await fh.write(c);
    } finally {
      await fh.close();
    }
    return;
  }
  const real = stats ? realpathSync(target) : target;
  const tmp = path.join(path.dirname(real), `.${path.basename(real)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  track(tmp);
  try {
    const fh = await open(tmp, 'wx', 0o666);
    try {
      for (const c of chunks) await fh.write(c);
      await fh.sync();
      if (stats) await fh.chmod(stats.mode & 0o7777);
    } finally {
      await fh.close();
    }
    await rename(tmp, real);
    pending.delete(tmp);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    pending.delete(tmp);
    throw e;
  }
}

/**
 * A file written as the run goes (the `stream` policy), or stdout for "-". A Sink for the receiver's
 * outputs (write / end(callback)) with backpressure for those that wait (rid-broadcast): write() returns
 * false when the buffer is full, and drained() resolves once there is room again — or the output failed.
 */
export interface OutputFile {
  readonly option: string;
  readonly path: string;
  /** The write error that stopped this output, once there was one: ToolkitError 'write-failed', the system's error its cause. */
  readonly error: Error | undefined;
  write(chunk: string | Uint8Array): boolean;
  drained(): Promise<void>;
  /** Flushes and closes (stdout is flushed, never closed); the callback runs either way. */
  end(callback?: () => void): void;
  close(): Promise<void>;
}

export interface OpenOutputOptions {
  /** Told once when a write fails ("--record F: cannot write: ENOSPC: ..."); the output then drops everything. */
  onError?: (line: string, error: ToolkitError) => void;
}

/** Opens an output checked by checkOutputPaths: truncates (or creates) a file, or wraps stdout for "-". */
export function openOutputFile(spec: Pick<OutputSpec, 'option' | 'path'>, opts: OpenOutputOptions = {}): OutputFile {
  const toStdout = spec.path === '-';
  const stream: NodeJS.WritableStream & { destroyed?: boolean; writableNeedDrain?: boolean } = toStdout ? process.stdout : createWriteStream(spec.path, { flags: 'w' });
  let error: Error | undefined;
  let ended = false;
  const waiters = new Set<() => void>();
  const release = (): void => {
    for (const w of waiters) w();
    waiters.clear();
  };
  const fail = (e: Error): void => {
    if (error) return;
    // Its message is the line the tools print: "--record F: cannot write: ENOSPC: ...".
    const typed = new ToolkitError('write-failed', `cannot write: ${e.message}`, { subject: `${spec.option} ${spec.path}`, cause: e });
    error = typed;
    release();
    // stdout's own failures (a reader that quit) are the process's business: see onStdoutClosed.
    if (!toStdout) {
      opts.onError?.(typed.message, typed);
      (stream as WriteStream).destroy();
    }
  };
  stream.on('error', fail);
  stream.on('drain', release);
  if (!toStdout) (stream as WriteStream).on('close', release);
  return {
    option: spec.option,
    path: spec.path,
    get error() {
      return error;
    },
    write(chunk) {
      if (error || ended || stream.destroyed) return true;
      return stream.write(chunk);
    },
    drained() {
      if (error || stream.destroyed || !stream.writableNeedDrain) return Promise.resolve();
      return new Promise((resolve) => waiters.add(resolve));
    },
    end(callback) {
      if (ended) {
        callback?.();
        return;
      }
      ended = true;
      let called = false;
      const done = (): void => {
        stream.off('error', done);
        if (called) return;
        called = true;
        callback?.();
      };
      if (toStdout) {
        if (error || stream.destroyed) return done();
        // Flushed once this empty write's callback runs.
        stream.once('error', done);
        stream.write('', () => done());
        return;
      }
      const file = stream as WriteStream;
      if (error || file.destroyed) return done();
      file.once('error', done);
      file.end(() => done());
    },
    close() {
      return new Promise((resolve) => this.end(resolve));
    },
  };
}
