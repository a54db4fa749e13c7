/**
 * Evidence recordings (format version 2): what rid-scan --record writes, so that a recording can later be
 * shown complete and unaltered, offline (rid-verify, recording-verify.ts).
 *
 * The layout of version 1 (recording.ts), plus a hash chain and signed seals:
 * - the header also names the software, the signature algorithm and the receiver's public key:
 *   `{ format, version: 2, created, application?, software, chain: "sha256", keyAlgorithm: "Ed25519",
 *   publicKey: bytes(32) }`;
 * - every later item carries `seq` (its index in the file: the header is 0) and `prev`, the SHA-256 of the
 *   previous item's exact bytes (the first: of the header's). A frame is `{ t, linkType, data, seq, prev }`;
 * - a seal `{ kind: "seal", seq, prev, signed, signature }` every 10 s of wall time or N frames (whichever
 *   comes first) and always at close: `signed` is the CBOR of `{ purpose: "odid-recording-seal", seal (1, 2,
 *   ...), seq, head (= prev, the chain head), frames (so far), time (wall clock, s), final, software, clock,
 *   position? }` and `signature` the Ed25519 signature of those bytes by the receiver's key. The last seal
 *   of a recording closed properly has `final: true`.
 * Signing bytes carried as they are (never re-encoded to check) keeps verification independent of any
 * encoder. Writing costs one encode and one SHA-256 of the bytes written per frame; a signature per seal.
 */

import { hash, sign, type KeyObject } from 'node:crypto';
import { Encoder } from 'cbor-x';
import { ToolkitError } from '@odid/codec';
import type { ClockReport } from './clock-source.js';
import { checkFrame, EVIDENCE_RECORDING_VERSION, frameRecord, RECORDING_ENCODER_OPTIONS, RECORDING_FORMAT } from './recording.js';
import { endSink, type FrameOutput, type Sink } from './types.js';

export const CHAIN_HASH = 'sha256';
export const KEY_ALGORITHM = 'Ed25519';
export const SEAL_PURPOSE = 'odid-recording-seal';
export const DEFAULT_SEAL_EVERY_MS = 10_000;
export const DEFAULT_SEAL_EVERY_FRAMES = 10_000;

/** Where the receiver was when it sealed, as its position source last said. */
export interface SealPosition {
  latitude: number;
  longitude: number;
  /** Metres (WGS-84 height above the ellipsoid when the source gives it). */
  altitude?: number;
  /** The kind of position source: "gpsd", "nmea", "static", "sim"... */
  source: string;
  /** When the fix was taken, seconds since the epoch (GNSS time for gpsd). */
  fixTime?: number;
}

/** What a seal signs. */
export interface SealContent {
  purpose: typeof SEAL_PURPOSE;
  /** 1 for the first seal of the recording. */
  seal: number;
  /** The seal's own index in the file. */
  seq: number;
  /** SHA-256 of the item before the seal: the chain head it vouches for. */
  head: Uint8Array;
  /** Frames recorded before it. */
  frames: number;
  /** Wall-clock time of sealing, seconds since the epoch. */
  time: number;
  /** True for the seal that closes the recording. */
  final: boolean;
  software: string;
  clock: ClockReport;
  position?: SealPosition;
}

export interface EvidenceKey {
  privateKey: KeyObject;
  /** The raw 32-byte public key, put in the header. */
  publicKey: Uint8Array;
}

/** What a writer needs to sign its recording: rid-scan's --record and --record-dir give the same. */
export interface EvidenceOptions {
  key: EvidenceKey;
  /** What wrote it, for the header and every seal. */
  software: string;
  application?: string;
  /** Wall clock, ms since the epoch (injected for tests). */
  now?: () => number;
  /** A seal at least this often while frames come (DEFAULT_SEAL_EVERY_MS)... */
  sealEveryMs?: number;
  /** ...and after this many frames at most (DEFAULT_SEAL_EVERY_FRAMES). */
  sealEveryFrames?: number;
  /** The receiver's position when known. */
  position?: () => SealPosition | undefined;
  clock?: () => ClockReport;
}

export interface EvidenceWriterOptions extends EvidenceOptions {
  /** End the sink on close (default true). */
  end?: boolean;
}

export interface EvidenceRecordingWriter extends FrameOutput {
  /** Items written after the header (frames and seals). */
  readonly records: number;
  readonly seals: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Writes the header at once, then each frame chained to the one before, sealing as it goes and at close. */
export function createEvidenceRecordingWriter(sink: Sink<Uint8Array>, opts: EvidenceWriterOptions): EvidenceRecordingWriter {
  const encoder = new Encoder(RECORDING_ENCODER_OPTIONS);
  const now = opts.now ?? Date.now;
  const sealEveryMs = opts.sealEveryMs ?? DEFAULT_SEAL_EVERY_MS;
  const sealEveryFrames = opts.sealEveryFrames ?? DEFAULT_SEAL_EVERY_FRAMES;
  if (!(sealEveryMs > 0) || !(sealEveryFrames >= 1)) throw new RangeError('recording: seals need a positive interval and frame count');
  if (opts.key.publicKey.length !== 32) throw new RangeError('recording: an Ed25519 public key is 32 bytes');

  let head: Uint8Array;
  let seq = 0;
  /** Bytes as they go to the file; the chain head moves on to their hash. */
  const emit = (bytes: Uint8Array): void => {
    sink.write(bytes);
    head = hash(CHAIN_HASH, bytes, 'buffer');
    seq++;
  };
  emit(
    encoder.encode({
      format: RECORDING_FORMAT,
      version: EVIDENCE_RECORDING_VERSION,
      created: now() / 1000,
      ...(opts.application !== undefined ? { application: opts.application } : {}),
      software: opts.software,
      chain: CHAIN_HASH,
      keyAlgorithm: KEY_ALGORITHM,
      publicKey: opts.key.publicKey,
    }),
  );

  let frames = 0;
  let seals = 0;
  let sinceSeal = 0;
  let lastSealMs = now();
  let closed = false;

  const seal = (final: boolean): void => {
    const p = opts.position?.();
    const position: SealPosition | undefined =
      p && finite(p.latitude) && finite(p.longitude)
        ? { latitude: p.latitude, longitude: p.longitude, ...(finite(p.altitude) ? { altitude: p.altitude } : {}), source: p.source, ...(finite(p.fixTime) ? { fixTime: p.fixTime } : {}) }
        : undefined;
    const content: SealContent = {
      purpose: SEAL_PURPOSE,
      seal: seals + 1,
      seq,
      head: head!,
      frames,
      time: now() / 1000,
      final,
      software: opts.software,
      clock: opts.clock?.() ?? { source: 'system' },
      ...(position ? { position } : {}),
    };
    // A copy: the encoder's next output may reuse its buffer.
    const signed = Uint8Array.from(encoder.encode(content));
    const signature = sign(null, signed, opts.key.privateKey);
    emit(encoder.encode({ kind: 'seal', seq, prev: head!, signed, signature }));
    seals++;
    sinceSeal = 0;
    lastSealMs = now();
  };

  // An idle receiver still seals what it heard within the interval (the check in write needs a next frame).
  const timer = setInterval(() => {
    if (sinceSeal > 0 && !closed) seal(false);
  }, sealEveryMs);
  timer.unref();

  return {
    get records() {
      return seq - 1;
    },
    get seals() {
      return seals;
    },
    write(frame) {
      if (closed) throw new ToolkitError('closed', 'recording is closed');
      checkFrame(frame);
      emit(encoder.encode({ ...frameRecord(frame), seq, prev: head! }));
      frames++;
      if (++sinceSeal >= sealEveryFrames || now() - lastSealMs >= sealEveryMs) seal(false);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      seal(true);
      if (opts.end ?? true) await endSink(sink);
    },
  };
}
