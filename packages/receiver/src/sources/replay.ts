/**
 * Replays a pcap, pcapng or btsnoop capture (a file or a stream such as `tcpdump -w -`; plain or gzip, zstd
 * or lz4 compressed, recognised by its first bytes), or a recording made with `rid-scan --record` (plain or
 * compressed too), as frames, in real time (paced by the capture's own timestamps, optionally
 * sped up) or as fast as possible. In a replay the tracker's clock is the capture's time, never the wall
 * clock: each frame carries its capture time.
 */

import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { CaptureReader, DETECT_BYTES, detectCaptureFormat, detectCompression, ToolkitError, type CaptureRecord, type CaptureWarning } from '@odid/codec';
import { MAX_TIMER_MS, openCaptureInput, type CaptureInput } from '@odid/commands';
import { readRecording } from '../outputs/recording.js';
import type { FrameSource, FrameSourceEvents, RawFrame } from './types.js';

export interface ReplayOptions {
  /** File path, or "-" for standard input. */
  path: string;
  /** true: as fast as possible; false: paced by the capture timestamps. */
  fast?: boolean;
  /** With pacing: 2 = twice as fast as recorded. */
  speed?: number;
  /** Injected for tests. */
  input?: Readable;
  onWarning?: (w: CaptureWarning) => void;
  /**
   * A recording cut short (a crash, a full disk): told once, after every whole frame was delivered. Without
   * it that is a failure (see `fatalError`).
   */
  onTruncated?: (detail: string) => void;
}

/** A recording is a CBOR sequence opening with its header map (major type 5); captures open with a magic. */
const opensRecording = (first: number | undefined): boolean => first !== undefined && first >= 0xa0 && first <= 0xbf;

export type ReplayErrorCode =
  | 'no-file' // nothing at the path
  | 'permission' // not readable by this user
  | 'unreadable' // any other failure to open or read it
  | 'is-directory'
  | 'empty'
  | 'not-a-capture'; // neither a pcap, pcapng or btsnoop capture nor a recording

/** What a replay's input is not; the wording (the message is the reason alone) is what rid-scan has always printed. */
const replayError = (code: ReplayErrorCode, reason: string, cause?: unknown): ToolkitError => new ToolkitError(code, reason, cause === undefined ? {} : { cause });

const openFailure = (e: unknown): ReplayErrorCode => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no-file' : code === 'EACCES' || code === 'EPERM' ? 'permission' : code === 'EISDIR' ? 'is-directory' : 'unreadable';
};

const notReplayable = (path: string): ToolkitError => replayError('not-a-capture', `${path} is neither a pcap, pcapng or btsnoop capture nor a recording`);

/**
 * Checks a replay file before anything else is opened or created, so that a wrong file is one line and
 * no half-made outputs: it exists, is readable, is not a directory, is not empty, and starts like a capture
 * or a recording. FIFOs and devices are not looked into (they are streams). Throws a ToolkitError saying which.
 */
export function checkReplayFile(path: string): void {
  const cannot = (e: unknown): ToolkitError => {
    const err = e as NodeJS.ErrnoException;
    return replayError(openFailure(e), `cannot open ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message}`, e);
  };
  let stats;
  try {
    stats = statSync(path);
  } catch (e) {
    throw cannot(e);
  }
  if (stats.isDirectory()) throw replayError('is-directory', `${path} is a directory, not a capture or a recording`);
  // A FIFO is not opened here: that would wait for its writer, and a second open would lose what it wrote.
  if (!stats.isFile()) return;
  if (stats.size === 0) throw replayError('empty', `${path} is empty: not a capture or a recording`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw cannot(e);
  }
  try {
    const head = new Uint8Array(DETECT_BYTES);
    const n = readSync(fd, head, 0, head.length, 0);
    const start = head.subarray(0, n);
    if (!opensRecording(head[0]) && detectCaptureFormat(start) === undefined && detectCompression(start) === undefined) throw notReplayable(path);
  } finally {
    closeSync(fd);
  }
}

export class ReplaySource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  readonly name: string;
  private stopped = false;
  private started = false;
  private running: Promise<void> | undefined;
  private input: Readable | undefined;
  /** Ends the wait for the next paced frame (stop()). */
  private wake: (() => void) | undefined;
  /** Why the input could not be read to its end (set before 'end'); undefined when it was. */
  fatalError: Error | undefined;
  /** The reader's view of the input, for summaries. */
  reader: CaptureReader | undefined;
  /** The input as opened for reading (files are opened there, and closed by stop()). */
  private source: CaptureInput | undefined;

  constructor(private readonly opts: ReplayOptions) {
    super();
    this.name = `replay:${opts.path}`;
  }

  /** Opens the input and starts delivering; on a started source it does nothing (the input is read once). */
  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    let input: Readable | undefined;
    if (this.opts.input) input = this.opts.input;
    else if (this.opts.path === '-') input = process.stdin;
    else {
      const file = createReadStream(this.opts.path);
      // Fail now, with the reason, if the file cannot be opened. pump() reads it (openCaptureInput opens it again).
      await new Promise<void>((resolve, reject) => {
        file.once('open', () => resolve());
        file.once('error', (e: Error) => reject(replayError(openFailure(e), `cannot open ${this.opts.path}: ${e.message}`, e)));
      }).catch((e: unknown) => {
        this.started = false;
        throw e;
      });
      file.destroy();
    }
    this.input = input;
    // A failure (unreadable, not a capture, a malformed recording) ends the replay: what was read before it
    // has been delivered, the error says why it stopped, and 'end' lets the outputs finish.
    this.running = this.pump(input).catch((e: unknown) => {
      if (this.stopped) return;
      // A stream that fails to read (EISDIR, EIO) is a replay error too; the codec's and the recording's are typed.
      this.fatalError = e instanceof ToolkitError ? e : replayError(openFailure(e), e instanceof Error ? e.message : String(e), e);
      this.emit('error', this.fatalError);
      this.emit('end');
    });
  }

  /** Resolves when the whole input has been delivered (or the source stopped). */
  async done(): Promise<void> {
    await this.running;
  }

  private get label(): string {
    return this.opts.path === '-' ? 'standard input' : this.opts.path;
  }

  /** Stops at once: a pipe is not waited on (its writer may never close it), nor the next paced frame. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.source?.close();
    if (this.input && this.input !== this.opts.input) this.input.destroy();
  }

  private async pump(input: Readable | undefined): Promise<void> {
    // Compressed input comes out decompressed (node:zlib for a .gz file), so a compressed recording is one too.
    const source = await openCaptureInput(this.opts.path, input ? { stream: input } : {});
    this.source = source;
    if (this.stopped) source.close();
    const chunks = source.chunks[Symbol.asyncIterator]();
    const first = await chunks.next();
    const rest = async function* (): AsyncGenerator<Uint8Array> {
      if (!first.done) yield first.value;
      for (let c = await chunks.next(); !c.done; c = await chunks.next()) yield c.value;
    };
    const isRecording = !first.done && opensRecording(first.value[0]);
    if (isRecording) {
      await this.deliverAll(readRecording(rest(), this.opts.onTruncated ? { onTruncated: this.opts.onTruncated } : {}));
      if (source.failure && !this.stopped) throw replayError('unreadable', `${this.label}: ${source.failure.message}`, source.failure);
    } else await this.deliverAll(this.captureFrames(rest(), source));
    if (!this.stopped) this.emit('end');
  }

  private async *captureFrames(chunks: AsyncIterable<Uint8Array>, source: CaptureInput): AsyncGenerator<RawFrame> {
    // From a pipe (tcpdump -w -) the stream may be live: hand each frame over as soon as it is in.
    // Before the format is known a warning could only say "not a capture": the error below says it instead.
    const reader: CaptureReader = new CaptureReader({
      ...source.readerOptions,
      live: this.opts.path === '-',
      onWarning: (w) => reader.format !== undefined && this.opts.onWarning?.(w),
    });
    this.reader = reader;
    for await (const chunk of chunks) {
      if (this.stopped) return;
      for (const r of reader.push(chunk)) yield frameOf(r);
      // Enough bytes to know, and none of the formats: say so now rather than after reading a whole stream.
      if (reader.formatDecided && reader.format === undefined) throw notReplayable(this.label);
    }
    if (source.failure) reader.decompressionFailed(source.failure);
    for (const r of reader.end()) yield frameOf(r);
    if (reader.format === undefined) {
      // Compressed data damaged before it held a whole capture header: its damage is the reason.
      if (source.failure) throw replayError('unreadable', `${this.label}: ${source.failure.message}`, source.failure);
      throw reader.bytesRead === 0 && !source.compression ? replayError('empty', `${this.label} is empty: not a capture or a recording`) : notReplayable(this.label);
    }
  }

  /** Emits frames, paced by their timestamps unless fast. */
  private async deliverAll(frames: AsyncIterable<RawFrame>): Promise<void> {
    const speed = this.opts.speed ?? 1;
    let firstT = NaN;
    let startMs = 0;
    for await (const f of frames) {
      if (this.stopped) return;
      if (!this.opts.fast) {
        if (Number.isNaN(firstT)) {
          firstT = f.t;
          startMs = Date.now();
        }
        // A gap longer than setTimeout's limit (2^31-1 ms, ~24.8 days) is waited in steps.
        for (let wait = startMs + ((f.t - firstT) * 1000) / speed - Date.now(); wait > 1 && !this.stopped; wait = startMs + ((f.t - firstT) * 1000) / speed - Date.now()) {
          await new Promise<void>((res) => {
            const timer = setTimeout(res, Math.min(wait, MAX_TIMER_MS));
            this.wake = () => {
              clearTimeout(timer);
              res();
            };
          });
          this.wake = undefined;
        }
        if (this.stopped) return;
      }
      this.emit('frame', f);
    }
  }
}

/** A capture's record as a frame; its original length only when the capture cut it short. */
function frameOf(r: CaptureRecord): RawFrame {
  const f: RawFrame = { t: r.timestamp, linkType: r.linkType, data: r.data, frame: r.frame };
  if (r.originalLength > r.data.length) f.originalLength = r.originalLength;
  return f;
}
