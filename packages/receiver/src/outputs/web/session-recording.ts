/**
 * The page's "session recording" export: the raw frames of this run, kept in memory within a bound and
 * written in the --record format (by the recording writer) only when the page asks for the file.
 */

import { createRecordingWriter } from '../recording.js';
import type { RawFrame } from '../../sources/types.js';

/**
 * The session recording the page can download keeps the latest frames, up to this much memory (a Pi or a
 * phone running the receiver has little to spare): at 10,000 frames a second (1,000 drones) about 12 s of
 * them, at a busy site's 200 a second about 10 minutes, a handful of drones an hour or more.
 */
export const SESSION_RECORDING_MAX_BYTES = 16 * 1024 * 1024;

/**
 * A block of the session's frames: each frame as t (float64), linkType, length and original length (uint32;
 * 0 when the capture kept it whole), then its bytes.
 */
interface Block {
  bytes: Uint8Array;
  view: DataView;
  used: number;
  frames: number;
}

/** Bytes before each frame's own in a block. */
const FRAME_HEAD = 20;
/** Frames encoded per step of an export, between which the receiver gets on with its frames. */
const EXPORT_STEP_FRAMES = 5_000;

/**
 * The raw frames of this session, in memory and bounded, for the page's "session recording" export: the
 * latest frames, in blocks of BLOCK_BYTES holding whole frames; at the bound the oldest block is dropped
 * (and reused: a full recording allocates nothing more), so the recording then starts later, as one
 * started then would. A frame costs a copy of its bytes here; it is encoded as a recording (the --record
 * format, by the recording writer) only when the page asks for the file, a few thousand frames at a time.
 */
export class SessionRecording {
  /** Size of a block, and the most a single frame may take (a larger one is left out). */
  static readonly BLOCK_BYTES = 256 * 1024;
  private readonly blocks: Block[] = [];
  private spare: Block | undefined;
  private readonly created = Date.now() / 1000;
  /** Exports under way: blocks they read are not reused meanwhile. */
  private exporting = 0;
  /** Frames left out: dropped with their block, or too large. */
  dropped = 0;

  constructor(private readonly maxBytes = SESSION_RECORDING_MAX_BYTES) {
    if (!(maxBytes >= 2 * SessionRecording.BLOCK_BYTES)) throw new RangeError(`a session recording needs at least ${2 * SessionRecording.BLOCK_BYTES} bytes`);
  }

  write(f: RawFrame): void {
    const need = FRAME_HEAD + f.data.length;
    if (need > SessionRecording.BLOCK_BYTES) {
      this.dropped++;
      return;
    }
    let b = this.blocks[this.blocks.length - 1];
    if (!b || b.bytes.length - b.used < need) b = this.newBlock();
    b.view.setFloat64(b.used, f.t, true);
    b.view.setUint32(b.used + 8, f.linkType, true);
    b.view.setUint32(b.used + 12, f.data.length, true);
    b.view.setUint32(b.used + 16, f.originalLength ?? 0, true);
    b.bytes.set(f.data, b.used + FRAME_HEAD);
    b.used += need;
    b.frames++;
  }

  /** Memory held for frames (whole blocks). */
  get bytesHeld(): number {
    return this.blocks.length * SessionRecording.BLOCK_BYTES;
  }

  /** Frames held, and their bytes (each with its 16 bytes of time, link type and length). */
  get frames(): number {
    let n = 0;
    for (const b of this.blocks) n += b.frames;
    return n;
  }

  get frameBytes(): number {
    let n = 0;
    for (const b of this.blocks) n += b.used;
    return n;
  }

  /**
   * The recording as a file (the --record format: its header, then the frames held, oldest first), made in
   * steps of EXPORT_STEP_FRAMES frames so that the receiver is not held up. Frames taken meanwhile are left
   * for the next export.
   */
  async bytes(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    const writer = createRecordingWriter({ write: (c: Uint8Array) => void chunks.push(c) }, { created: this.created, application: 'rid-scan --web', end: false });
    // The frames held now: the blocks go on filling meanwhile, but none is reused until this is done.
    const held = this.blocks.map((b) => ({ bytes: b.bytes, view: b.view, end: b.used }));
    this.exporting++;
    try {
      let step = 0;
      for (const { bytes, view, end } of held) {
        for (let at = 0; at < end; ) {
          const length = view.getUint32(at + 12, true);
          const frame: RawFrame = { t: view.getFloat64(at, true), linkType: view.getUint32(at + 8, true), data: bytes.subarray(at + FRAME_HEAD, at + FRAME_HEAD + length) };
          const originalLength = view.getUint32(at + 16, true);
          if (originalLength > length) frame.originalLength = originalLength;
          writer.write(frame);
          at += FRAME_HEAD + length;
          if (++step % EXPORT_STEP_FRAMES === 0) await new Promise((r) => setImmediate(r));
        }
      }
    } finally {
      this.exporting--;
    }
    return Buffer.concat(chunks);
  }

  private newBlock(): Block {
    // Past the bound (in blocks held, so memory stays within it) the oldest goes, with its frames.
    while (this.blocks.length > 0 && (this.blocks.length + 1) * SessionRecording.BLOCK_BYTES > this.maxBytes) {
      const old = this.blocks.shift()!;
      this.dropped += old.frames;
      if (this.exporting === 0) this.spare = old;
    }
    let b = this.spare;
    this.spare = undefined;
    if (b) {
      b.used = 0;
      b.frames = 0;
    } else {
      const bytes = new Uint8Array(SessionRecording.BLOCK_BYTES);
      b = { bytes, view: new DataView(bytes.buffer), used: 0, frames: 0 };
    }
    this.blocks.push(b);
    return b;
  }
}
