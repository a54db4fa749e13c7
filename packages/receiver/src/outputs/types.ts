/** The small interfaces every output implements, and where their bytes go. */

import type { RawFrame } from '../sources/types.js';
import type { TrackUpdate } from '../tracker/types.js';

/** Takes track updates as the tracker produces them (JSONL, CoT, the web UI). */
export interface TrackOutput {
  write(update: TrackUpdate): void;
  /** Flushes and releases what the output holds; resolves once everything was handed on. */
  close(): Promise<void>;
}

/** One captured frame as a source yields it (t, linkType, data): what recordings and pcapng files keep. */
export type { RawFrame };

/** Takes raw frames (recording, pcapng). */
export interface FrameOutput {
  write(frame: RawFrame): void;
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
