/** The small interfaces every output implements, and where their bytes go. */

import type { RawFrame } from '../sources/types.js';
import type { TrackUpdate } from '../tracker/types.js';

/*
 * The contract every output keeps (checked for each one by test/contract/output-contract.ts):
 * - write() never throws because the sink failed: a full disk, a peer gone, a send refused are reported
 *   through the output's error channel (the OutputFile's onError, CotOutputOptions.onError) as a
 *   ToolkitError, and the caller's loop goes on.
 * - close() flushes and releases everything (descriptors, sockets, timers); it is harmless without a write
 *   and when called again. Once it resolves nothing more reaches the sink, and write() is refused with
 *   ToolkitError 'closed'.
 * - An output that must open something (a TCP connection, a listening port) rejects with a ToolkitError.
 */

/** Takes track updates as the tracker produces them (JSONL, CoT, the web UI). */
export interface TrackOutput {
  /** Hands one update on; after close() it throws ToolkitError 'closed'. */
  write(update: TrackUpdate): void;
  /** Flushes and releases what the output holds; resolves once everything was handed on. Harmless twice. */
  close(): Promise<void>;
}

/** One captured frame as a source yields it (t, linkType, data): what recordings and pcapng files keep. */
export type { RawFrame };

/** Takes raw frames (recording, pcapng); the same contract as TrackOutput. */
export interface FrameOutput {
  /** Hands one frame on; after close() it throws ToolkitError 'closed'. */
  write(frame: RawFrame): void;
  /** Flushes and releases what the output holds. Harmless twice. */
  close(): Promise<void>;
}

/** Where an output writes: a Node Writable fits, and so does a test's array. */
export interface Sink<T> {
  write(chunk: T): unknown;
  end?(callback?: () => void): unknown;
}

/** Ends a sink and waits until it has flushed (Node calls end's callback on 'finish'). */
export function endSink<T>(sink: Sink<T>): Promise<void> {
  const end = sink.end;
  if (!end) return Promise.resolve();
  return new Promise((resolve) => {
    end.call(sink, () => resolve());
  });
}
