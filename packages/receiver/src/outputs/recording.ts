/**
 * Recordings: the raw frames a receiver heard, as a CBOR sequence (RFC 8742) — compact, appendable, and
 * readable after a crash up to the last whole record. The replay source plays them back through the same
 * decode path as live frames, so a recording reproduces a session exactly.
 *
 * Layout: a header map `{ format: "odid-recording", version: 1, created?, application? }`, then one map per
 * frame `{ t, linkType, data, originalLength?, late? }` (t seconds since the Unix epoch as a CBOR float or
 * integer, data a plain byte string; originalLength only for a frame its capture cut short, so an FCS it
 * lost is known to be missing, not bad; `late: true` only for a frame that arrived late and was taken in
 * as the past — rid-hub's, from a receiver's spool —, which therefore follows frames newer than it: a
 * replay takes it as the past too, Pipeline.backfill). Maps have string keys and no cbor-x records or tags, so any CBOR decoder reads the file. Items
 * with a string `kind` are extensions this version skips.
 *
 * Version 2 is the evidence format rid-scan writes (recording-chain.ts): the same layout, with a hash chain
 * (`seq`, `prev` in every record) and signed `seal` items. This reader replays both; rid-verify checks the
 * chain and the seals (recording-verify.ts).
 */

import { Decoder, Encoder } from 'cbor-x';
import { ToolkitError } from '@odid/codec';
import { CborItemError, CborItemSplitter, RECORD_LIMITS } from './cbor-items.js';
import { endSink, type FrameOutput, type RawFrame, type Sink } from './types.js';

export const RECORDING_FORMAT = 'odid-recording';
/** The plain format createRecordingWriter writes (the map page's session recording). */
export const RECORDING_VERSION = 1;
/** The evidence format (hash chain and seals) rid-scan --record writes: the newest this reader replays. */
export const EVIDENCE_RECORDING_VERSION = 2;

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  version: number;
  /** When the recording started, seconds since the Unix epoch (given by the caller's clock). */
  created?: number;
  /** What wrote it. */
  application?: string;
  /** Version 2: the software and its version ("@odid/receiver 0.1.0 (Node v20.19.0)"). */
  software?: string;
  /** Version 2: the receiver's raw Ed25519 public key, whose private half signs the seals. */
  publicKey?: Uint8Array;
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
export const RECORDING_ENCODER_OPTIONS = { useRecords: false, tagUint8Array: false } as const;
export const RECORDING_DECODER_OPTIONS = { useRecords: false, mapsAsObjects: true } as const;

/** Writes the header at once (an empty recording is still a valid one), then one item per frame. */
export function createRecordingWriter(sink: Sink<Uint8Array>, opts: RecordingWriterOptions = {}): FrameOutput {
  const encoder = new Encoder(RECORDING_ENCODER_OPTIONS);
  const header: RecordingHeader = { format: RECORDING_FORMAT, version: RECORDING_VERSION };
  if (opts.created !== undefined) header.created = opts.created;
  if (opts.application !== undefined) header.application = opts.application;
  sink.write(encoder.encode(header));
  let closed = false;
  return {
    write(frame) {
      if (closed) throw new ToolkitError('closed', 'recording is closed');
      checkFrame(frame);
      sink.write(encoder.encode(frameRecord(frame)));
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
 * Reads a recording from chunks (a file stream, say), yielding its frames in order with bounded memory. Items
 * are cut from the bytes by their own lengths (cbor-items.ts) and each is decoded whole, so the frames read
 * never depend on how the bytes arrive, and every whole record before damage is read.
 */
export async function* readRecording(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array,
  opts: RecordingReadOptions = {},
): AsyncGenerator<RawFrame> {
  const items = new ItemReader(opts);
  const splitter = new CborItemSplitter(RECORD_LIMITS);
  for await (const chunk of source instanceof Uint8Array ? [source] : source) {
    for (const frame of items.takeAll(splitter, chunk)) yield frame;
  }
  items.finished(splitter.pending);
}

/** Reads a whole recording held in memory (the same reading as readRecording's). */
export function* readRecordingSync(bytes: Uint8Array, opts: RecordingReadOptions = {}): Generator<RawFrame> {
  const items = new ItemReader(opts);
  const splitter = new CborItemSplitter(RECORD_LIMITS);
  yield* items.takeAll(splitter, bytes);
  items.finished(splitter.pending);
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
    const { t, linkType, data, originalLength, late } = value;
    if (typeof t !== 'number' || !Number.isFinite(t) || !Number.isInteger(linkType) || !(data instanceof Uint8Array)) {
      throw new RecordingError('bad-record', i, `item ${i} is not a frame { t: number, linkType: integer, data: bytes }`);
    }
    // A copy: decoded byte strings may be views of the decoder's chunk buffers.
    const frame: RawFrame = { t, linkType: linkType as number, data: new Uint8Array(data) };
    if (originalLength !== undefined) {
      if (!Number.isInteger(originalLength) || (originalLength as number) <= data.length || (originalLength as number) > 0xffffffff) {
        throw new RecordingError('bad-record', i, `item ${i}: originalLength ${String(originalLength)} is not an integer above the ${data.length} bytes kept`);
      }
      frame.originalLength = originalLength as number;
    }
    if (late !== undefined) {
      if (typeof late !== 'boolean') throw new RecordingError('bad-record', i, `item ${i}: late ${String(late)} is not true or false`);
      if (late) frame.late = true;
    }
    return frame;
  }

  /** The frames of the items `chunk` completes. */
  *takeAll(splitter: CborItemSplitter, chunk: Uint8Array): Generator<RawFrame> {
    let items: Generator<Uint8Array>;
    try {
      items = splitter.push(chunk);
      for (let item = items.next(); !item.done; item = items.next()) {
        const frame = this.take(this.decode(item.value));
        if (frame) yield frame;
      }
    } catch (e) {
      if (!(e instanceof CborItemError)) throw e;
      if (this.index === 0) throw new RecordingError('not-a-recording', 0, `not a Remote ID recording: the first item is not CBOR (${e.reason})`);
      throw new RecordingError('malformed', this.index, `item ${this.index} is not valid CBOR: ${e.reason}`);
    }
  }

  /** One whole item's value. */
  private decode(item: Uint8Array): unknown {
    try {
      return new Decoder(RECORDING_DECODER_OPTIONS).decode(item);
    } catch (e) {
      throw new RecordingError(this.index === 0 ? 'not-a-recording' : 'malformed', this.index, `item ${this.index} is not valid CBOR: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /** The input ended, `pending` bytes into an item not yet whole. */
  finished(pending: number): void {
    if (pending > 0) {
      const detail = `the recording ends inside item ${this.index} (${this.index === 0 ? 'the header' : 'a frame'}): cut short`;
      if (this.opts.onTruncated && this.header) return this.opts.onTruncated(detail);
      throw new RecordingError('truncated', this.index, detail);
    }
    if (!this.header) throw new RecordingError('not-a-recording', 0, 'empty input: a recording starts with its header');
  }
}

/** Item 0 of a recording: its header, or a RecordingError saying why it is not one this reader takes. */
export function checkHeader(value: unknown): RecordingHeader {
  if (!isObject(value) || value.format !== RECORDING_FORMAT) {
    throw new RecordingError('not-a-recording', 0, `not a Remote ID recording: the first item must be a header with format "${RECORDING_FORMAT}"`);
  }
  const version = value.version;
  if (!Number.isInteger(version) || (version as number) < 1) throw new RecordingError('not-a-recording', 0, `header version ${String(version)} is not a positive integer`);
  if ((version as number) > EVIDENCE_RECORDING_VERSION) {
    throw new RecordingError('unsupported-version', 0, `recording version ${String(version)} is newer than this reader (${EVIDENCE_RECORDING_VERSION})`, 'update the receiver');
  }
  const header: RecordingHeader = { format: RECORDING_FORMAT, version: version as number };
  if (typeof value.created === 'number') header.created = value.created;
  if (typeof value.application === 'string') header.application = value.application;
  if (typeof value.software === 'string') header.software = value.software;
  if (value.publicKey instanceof Uint8Array) header.publicKey = new Uint8Array(value.publicKey);
  return header;
}

/** A frame as recorded (the keys of a record, in order; the evidence format appends its chain fields). */
export function frameRecord(f: RawFrame): { t: number; linkType: number; data: Uint8Array; originalLength?: number; late?: true } {
  const r: { t: number; linkType: number; data: Uint8Array; originalLength?: number; late?: true } =
    f.originalLength !== undefined && f.originalLength > f.data.length ? { t: f.t, linkType: f.linkType, data: f.data, originalLength: f.originalLength } : { t: f.t, linkType: f.linkType, data: f.data };
  if (f.late) r.late = true;
  return r;
}

/** What every writer checks of a frame before recording it (a RangeError or TypeError: a caller's bug). */
export function checkFrame(f: RawFrame): void {
  if (typeof f.t !== 'number' || !Number.isFinite(f.t)) throw new RangeError(`recording: frame time must be a finite number of seconds, got ${f.t}`);
  if (!Number.isInteger(f.linkType) || f.linkType < 0 || f.linkType > 0xffffffff) throw new RangeError(`recording: linkType must be an unsigned integer, got ${f.linkType}`);
  if (!(f.data instanceof Uint8Array)) throw new TypeError('recording: frame data must be a Uint8Array');
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
