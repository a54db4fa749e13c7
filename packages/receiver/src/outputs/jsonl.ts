/**
 * JSON Lines: received messages exactly as `odid decode` prints them (receivedToJson), and track updates.
 * A message line has `message`; a track line has `track` (the trackToJson form):
 *   {"t":1700000000.5,"update":"updated","merged":["trk-2"],"alerts":[{"kind":"zone",...}],"track":{...}}
 * One line per call, nothing else on the sink, so the stream can be read back line by line.
 */

import { receivedToJson, ToolkitError, type ReceivedMessage } from '@odid/codec';
import { trackHistoryToJson, trackToJson } from '../tracker/track-json.js';
import type { TrackUpdate } from '../tracker/types.js';
import { endSink, type Sink, type TrackOutput } from './types.js';

export interface JsonlOptions {
  /** Write received messages given to message() (default true). */
  messages?: boolean;
  /** Write track updates given to write() (default true). */
  tracks?: boolean;
  /** Include each track's position history in its lines (default false: lines stay short). */
  history?: boolean;
  /**
   * Least time between two 'updated' lines of one track (tracker clock, default 0: every update). A BT4 drone
   * updates its track ten times a second; created/state/flags lines, and lines with alerts, always go.
   */
  minIntervalMs?: number;
  /** End the sink on close (default true; pass false for process.stdout). */
  end?: boolean;
}

export interface JsonlOutput extends TrackOutput {
  /** One received message, as decoded-json.md's "one received frame" line. */
  message(msg: ReceivedMessage): void;
}

/** The line of one track update, without the newline. */
export function trackUpdateToJson(update: TrackUpdate, opts: { history?: boolean } = {}): string {
  const line: Record<string, unknown> = { t: update.at / 1000, update: update.reason };
  if (update.previousState) line.previousState = update.previousState;
  if (update.merged) line.merged = update.merged;
  if (update.alerts?.length) line.alerts = update.alerts;
  const track = trackToJson(update.track);
  if (opts.history) track.history = trackHistoryToJson(update.track);
  line.track = track;
  return JSON.stringify(line);
}

export function createJsonlOutput(sink: Sink<string>, opts: JsonlOptions = {}): JsonlOutput {
  const messages = opts.messages ?? true;
  const tracks = opts.tracks ?? true;
  const minInterval = opts.minIntervalMs ?? 0;
  const lastWritten = new Map<string, number>();
  let closed = false;
  const guard = (): void => {
    if (closed) throw new ToolkitError('closed', 'JSONL output is closed');
  };
  return {
    message(msg) {
      guard();
      if (messages) sink.write(receivedToJson(msg) + '\n');
    },
    write(update) {
      guard();
      if (!tracks) return;
      for (const key of update.merged ?? []) lastWritten.delete(key);
      const last = lastWritten.get(update.track.key);
      if (update.reason === 'updated' && !update.alerts?.length && last !== undefined && update.at - last < minInterval && update.at >= last) return;
      lastWritten.set(update.track.key, update.at);
      sink.write(trackUpdateToJson(update, { history: opts.history ?? false }) + '\n');
    },
    async close() {
      if (closed) return;
      closed = true;
      if (opts.end ?? true) await endSink(sink);
    },
  };
}
