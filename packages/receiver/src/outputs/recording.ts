/**
 * Recordings: the raw frames a receiver heard, as a CBOR sequence (RFC 8742) — compact, appendable, and
 * readable after a crash up to the last whole record. The replay source plays them back through the same
 * decode path as live frames, so a recording reproduces a session exactly.
 *
 * Layout: a header map `{ format: "odid-recording", version: 1, created?, application? }`, then one map per
 * frame `{ t, linkType, data }` (t seconds since the Unix epoch as a CBOR float or integer, data a plain byte
 * string). Maps have string keys and no cbor-x records or tags, so any CBOR decoder reads the file. Items
 * with a string `kind` are extensions this version skips.
 */

import * as cbor from 'cbor-x';
import { Decoder, Encoder } from 'cbor-x';
import { ToolkitError } from '@odid/codec';
import { endSink, type FrameOutput, type RawFrame, type Sink } from './types.js';

export const RECORDING_FORMAT = 'odid-recording';
export const RECORDING_VERSION = 1;

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  version: number;
  /** When the recording started, seconds since the Unix epoch (given by the caller's clock). */
  created?: number;
  /** What wrote it. */
  application?: string;
}

export interface RecordingWriterOptions {
  created?: number;
  application?: string;
  /** End the sink on close (default true). */
  end?: boolean;
}

export type RecordingErrorCode = 'not-a-recording' | 'unsupported-version' | 'bad-record' | 'truncated' | 'malformed';

export class RecordingError extends ToolkitError {
  override readonly name = 'RecordingError';
  declare readonly code: RecordingErrorCode;
  constructor(
    code: RecordingErrorCode,
    /** 0-based index of the CBOR item (0 is the header). */
    readonly item: number,
    reason: string,
    fix?: string,
  ) {
    super(code, reason, fix ? { fix } : {});
  }
}

// Plain RFC 8949 output: no cbor-x record extension, byte strings untagged.
const encoderOptions = { useRecords: false, tagUint8Array: false } as const;
const decoderOptions = { useRecords: false, mapsAsObjects: true } as const;

/** Writes the header at once (an empty recording is still a valid one), then one item per frame. */
export function createRecordingWriter(sink: Sink<Uint8Array>, opts: RecordingWriterOptions = {}): FrameOutput {
  const encoder = new Encoder(encoderOptions);
  const header: RecordingHeader = { format: RECORDING_FORMAT, version: RECORDING_VERSION };
  if (opts.created !== undefined) header.created = opts.created;
  if (opts.application !== undefined) header.application = opts.application;
  sink.write(encoder.encode(header));
  let closed = false;
  return {
    write(frame) {
      if (closed) throw new ToolkitError('closed', 'recording is closed');
      checkFrame(frame);
      sink.write(encoder.encode({ t: frame.t, linkType: frame.linkType, data: frame.data }));
    },
    async close() {
      if (closed) return;
      closed = true;
      if (opts.end ?? true) await endSink(sink);
    },
  };
}

export interface RecordingReadOptions {
  onHeader?: (header: RecordingHeader) => void;
  /**
   * Told when the input ends inside a record (a recording cut short by a crash or a full disk). Without it,
   * that is a RecordingError 'truncated', thrown after every whole record was yielded.
   */
  onTruncated?: (detail: string) => void;
}

/**
 * cbor-x's chunked decoder (documented in its README, missing from its type declarations). Unlike
 * DecoderStream, which drops values still buffered when the input ends inside the next one, it yields every
 * whole value before reporting the cut.
 */
const decodeIter = (cbor as unknown as {
  decodeIter(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: object): AsyncIterable<unknown> | Iterable<unknown>;
}).decodeIter;

/** Reads a recording from chunks (a file stream, say), yielding its frames in order with bounded memory. */
export async function* readRecording(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array,
  opts: RecordingReadOptions = {},
): AsyncGenerator<RawFrame> {
  const items = new ItemReader(opts);
  try {
    for await (const value of decodeIter(source instanceof Uint8Array ? [source] : source, decoderOptions)) {
      const frame = items.take(value);
      if (frame) yield frame;
    }
  } catch (e) {
    items.failed(e);
  }
  items.finished();
}

/** Reads a whole recording held in memory. */
export function* readRecordingSync(bytes: Uint8Array, opts: RecordingReadOptions = {}): Generator<RawFrame> {
  const items = new ItemReader(opts);
  let values: unknown[] = [];
  let error: unknown;
  try {
    if (bytes.length) values = (new Decoder(decoderOptions).decodeMultiple(bytes) as unknown[] | undefined) ?? [];
  } catch (e) {
    error = e;
    values = ((e as { values?: unknown[] }).values ?? []) as unknown[];
  }
  for (const v of values) {
    const frame = items.take(v);
    if (frame) yield frame;
  }
  if (error !== undefined) items.failed(error);
  items.finished();
}

/** Checks items one by one: header first, then frames. */
class ItemReader {
  private index = 0;
  private header: RecordingHeader | undefined;

  constructor(private readonly opts: RecordingReadOptions) {}

  take(value: unknown): RawFrame | undefined {
    const i = this.index++;
    if (!this.header) {
      this.header = checkHeader(value);
      this.opts.onHeader?.(this.header);
      return undefined;
    }
    if (!isObject(value)) throw new RecordingError('bad-record', i, `item ${i} is not a map`);
    if (typeof value.kind === 'string') return undefined;
    const { t, linkType, data } = value;
    if (typeof t !== 'number' || !Number.isFinite(t) || !Number.isInteger(linkType) || !(data instanceof Uint8Array)) {
      throw new RecordingError('bad-record', i, `item ${i} is not a frame { t: number, linkType: integer, data: bytes }`);
    }
    // A copy: decoded byte strings may be views of the decoder's chunk buffers.
    return { t, linkType: linkType as number, data: new Uint8Array(data) };
  }

  failed(e: unknown): void {
    if (e instanceof RecordingError) throw e;
    const err = e as { incomplete?: boolean; message?: string };
    if (err?.incomplete) {
      const detail = `the recording ends inside item ${this.index} (${this.index === 0 ? 'the header' : 'a frame'}): cut short`;
      if (this.opts.onTruncated && this.header) return this.opts.onTruncated(detail);
      throw new RecordingError('truncated', this.index, detail);
    }
    throw new RecordingError('malformed', this.index, `item ${this.index} is not valid CBOR: ${err?.message ?? String(e)}`);
  }

  finished(): void {
    if (!this.header) throw new RecordingError('not-a-recording', 0, 'empty input: a recording starts with its header');
  }
}

function checkHeader(value: unknown): RecordingHeader {
  if (!isObject(value) || value.format !== RECORDING_FORMAT) {
    throw new RecordingError('not-a-recording', 0, `not a Remote ID recording: the first item must be a header with format "${RECORDING_FORMAT}"`);
  }
  const version = value.version;
  if (!Number.isInteger(version) || (version as number) < 1) throw new RecordingError('not-a-recording', 0, `header version ${String(version)} is not a positive integer`);
  if ((version as number) > RECORDING_VERSION) {
    throw new RecordingError('unsupported-version', 0, `recording version ${String(version)} is newer than this reader (${RECORDING_VERSION})`, 'update the receiver');
  }
  const header: RecordingHeader = { format: RECORDING_FORMAT, version: version as number };
  if (typeof value.created === 'number') header.created = value.created;
  if (typeof value.application === 'string') header.application = value.application;
  return header;
}

function checkFrame(f: RawFrame): void {
  if (typeof f.t !== 'number' || !Number.isFinite(f.t)) throw new RangeError(`recording: frame time must be a finite number of seconds, got ${f.t}`);
  if (!Number.isInteger(f.linkType) || f.linkType < 0 || f.linkType > 0xffffffff) throw new RangeError(`recording: linkType must be an unsigned integer, got ${f.linkType}`);
  if (!(f.data instanceof Uint8Array)) throw new TypeError('recording: frame data must be a Uint8Array');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
