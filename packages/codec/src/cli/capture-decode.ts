/**
 * `odid decode <capture|->`: every Remote ID message in a pcap, pcapng or btsnoop file or stream (what
 * `tcpdump -w -` and `tshark -w -` write to a pipe), one JSONL line each on stdout; warnings, counts and
 * progress on stderr.
 */

import { stat } from 'node:fs/promises';
import { CaptureReader, RemoteIdExtractor, receivedToJson, type ReceivedMessage, type Transport, TRANSPORTS } from '../index.js';
import { openInput, writeOut } from './io.js';
import { Progress } from './progress.js';
import { DroneSummary } from './summary.js';

export interface CaptureDecodeOptions {
  format: 'jsonl' | 'table';
  summary?: boolean;
  /** Message types to keep (basicId, location, ..., djiFlightInfo, frenchId). */
  filter?: string[];
  mac?: string[];
  transport?: string[];
  keepBadFcs?: boolean;
  quiet?: boolean;
}

export async function decodeCapture(input: string, opts: CaptureDecodeOptions): Promise<number> {
  const transports = opts.transport?.map((t) => t.toLowerCase());
  const unknown = transports?.filter((t) => !(TRANSPORTS as readonly string[]).includes(t));
  if (unknown?.length) throw new Error(`unknown transport ${unknown.join(', ')}: use ${TRANSPORTS.join(', ')}`);
  const macs = opts.mac?.map((m) => m.toLowerCase().replace(/-/g, ':'));
  const types = opts.filter;
  const keep = (m: ReceivedMessage): boolean =>
    (!transports || transports.includes(m.transport)) && (!macs || macs.includes(m.mac)) && (!types || types.includes(m.message.type));

  const warn = (text: string): void => {
    if (!opts.quiet) process.stderr.write(`odid decode: ${text}\n`);
  };
  const reader = new CaptureReader({ onWarning: (w) => warn(`warning: byte ${w.offset}${w.frame ? ` (after frame ${w.frame})` : ''}: ${w.reason}`) });
  const extractor = new RemoteIdExtractor({ keepBadFcs: opts.keepBadFcs });
  const summary = opts.summary || opts.format === 'table' ? new DroneSummary() : undefined;
  const jsonl = !opts.summary && opts.format === 'jsonl';
  const size = input === '-' ? undefined : (await stat(input)).size;
  const progress = !opts.quiet && process.stderr.isTTY && size !== undefined && size > 8 * 1024 * 1024 ? new Progress(size) : undefined;

  let pending = '';
  const flush = async (): Promise<void> => {
    if (pending) await writeOut(pending);
    pending = '';
  };
  for await (const chunk of openInput(input)) {
    const bytes = chunk as Uint8Array;
    for (const r of reader.push(bytes)) {
      for (const m of extractor.fromRecord(r.linkType, r.data, { t: r.timestamp, frame: r.frame })) {
        if (!keep(m)) continue;
        summary?.add(m);
        if (jsonl) pending += receivedToJson(m) + '\n';
      }
    }
    if (pending.length > 1 << 16) await flush();
    progress?.update(reader.bytesRead);
  }
  for (const r of reader.end()) {
    for (const m of extractor.fromRecord(r.linkType, r.data, { t: r.timestamp, frame: r.frame })) {
      if (!keep(m)) continue;
      summary?.add(m);
      if (jsonl) pending += receivedToJson(m) + '\n';
    }
  }
  await flush();
  progress?.done();

  if (summary) await writeOut(opts.format === 'table' && !opts.summary ? summary.table() : summary.counts(extractor.stats));
  const s = extractor.stats;
  const dropped = Object.entries(s.dropped).map(([k, v]) => `${v} ${k}`);
  warn(
    `${reader.format ?? 'unknown format'}: ${s.records} frames, ${s.remoteIdFrames} with Remote ID, ${s.messages} messages` +
      (dropped.length ? `; dropped ${dropped.join(', ')}` : '') +
      (s.unreadable ? `; ${s.unreadable} frames unreadable` : ''),
  );
  if (reader.format === undefined) return 1; // not a capture at all: say so with the exit code too
  return 0;
}

export const TRANSPORT_NAMES: readonly Transport[] = TRANSPORTS;
