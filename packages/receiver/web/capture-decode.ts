/**
 * A capture file decoded in the browser, never uploaded: the codec reads it (CaptureReader, which also
 * undoes gzip, zstd and lz4 compression with its own decoders, the
 * RemoteIdExtractor) into the same JSON lines `odid decode` prints (receivedToJson), and the tracker turns
 * the messages into tracks exactly as `rid-scan --replay FILE --fast` does (the tracker's clock is the
 * capture's time, a tick per second of it, one at the end). No DOM: the unit tests run it in Node.
 */

import { CaptureReader, RemoteIdExtractor, receivedToJson, type CaptureFormat, type CompressionFormat, type ExtractStats, type ReceivedMessage } from '@odid/codec';
import { trackHistoryToJson, trackToJson } from '../src/tracker/track-json.js';
import { Tracker } from '../src/tracker/tracker.js';
import type { PageTrack } from './store.js';

/** Lines kept for the message table; beyond it messages are counted and tracked, not listed. */
export const MAX_TABLE_LINES = 100_000;
const CHUNK_BYTES = 1 << 20;

export interface DecodedCapture {
  name: string;
  format: CaptureFormat | undefined;
  /** The compression the file came in (undefined: none). */
  compression: CompressionFormat | undefined;
  bytes: number;
  /** One JSON line per message, as `odid decode` prints them (the first MAX_TABLE_LINES). */
  lines: string[];
  /** The messages behind `lines`. */
  messages: ReceivedMessage[];
  /** Messages in all (may exceed lines.length). */
  messageCount: number;
  stats: ExtractStats;
  warnings: string[];
  /** The tracks, with their position history. */
  tracks: PageTrack[];
}

export async function decodeCapture(name: string, bytes: Uint8Array, onProgress?: (done: number, total: number) => void): Promise<DecodedCapture> {
  const warnings: string[] = [];
  const reader = new CaptureReader({ onWarning: (w) => warnings.length < 100 && warnings.push(`byte ${w.offset}${w.frame ? ` (after frame ${w.frame})` : ''}: ${w.detail}`) });
  const extractor = new RemoteIdExtractor();
  const tracker = new Tracker();
  const lines: string[] = [];
  const messages: ReceivedMessage[] = [];
  let count = 0;
  let lastTick = 0;
  const take = (records: ReturnType<CaptureReader['push']>): void => {
    for (const r of records) {
      const now = r.timestamp * 1000;
      for (const m of extractor.fromRecord(r.linkType, r.data, { t: r.timestamp, frame: r.frame, originalLength: r.originalLength })) {
        count++;
        if (lines.length < MAX_TABLE_LINES) {
          lines.push(receivedToJson(m));
          messages.push(m);
        }
        tracker.ingest(m, now);
      }
      if (now - lastTick >= 1000) {
        lastTick = now;
        tracker.tick(now);
      }
    }
  };
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
    take(reader.push(bytes.subarray(at, Math.min(bytes.length, at + CHUNK_BYTES))));
    onProgress?.(Math.min(bytes.length, at + CHUNK_BYTES), bytes.length);
    // Let the page breathe between chunks of a big file.
    if (bytes.length > CHUNK_BYTES) await new Promise((r) => setTimeout(r, 0));
  }
  take(reader.end());
  tracker.tick(tracker.now);
  const tracks = tracker.tracks().map((t): PageTrack => ({ ...trackToJson(t), history: trackHistoryToJson(t) }));
  return { name, format: reader.format, compression: reader.compression, bytes: bytes.length, lines, messages, messageCount: count, stats: extractor.stats, warnings, tracks };
}

/** Every field of a received message, flattened (nested objects as dotted keys), for the message table. */
export function flatten(value: unknown, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, value]);
  }
  return out;
}
