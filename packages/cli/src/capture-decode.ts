/**
 * `odid decode <capture|->`: every Remote ID message in a pcap, pcapng or btsnoop file or stream (what
 * `tcpdump -w -` and `tshark -w -` write to a pipe), plain or gzip/zstd/lz4 compressed, one JSONL line each
 * on stdout; warnings, counts and progress on stderr.
 */

import { stat } from 'node:fs/promises';
import { CaptureReader, JsonlWriter, RemoteIdExtractor, type CaptureRecord, type Diagnostic, type DiagnosticId, type FrameMeta, type ReceivedMessage, TRANSPORTS } from '@odid/codec';
import { openCaptureInput, UsageError } from '@odid/commands';
import { captureWarningLine, diagnosticFilter, frameDiagnosticLine, type WarningLevel } from './diagnostic-lines.js';
import { sayLine, writeOut } from './io.js';
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
  /** Print diagnostics of this severity or worse, frames' too (see diagnostic-lines.ts); absent: the capture's own only. */
  warnings?: WarningLevel;
}

export async function decodeCapture(input: string, opts: CaptureDecodeOptions): Promise<number> {
  const transports = opts.transport?.map((t) => t.toLowerCase());
  const unknown = transports?.filter((t) => !(TRANSPORTS as readonly string[]).includes(t));
  if (unknown?.length) throw new UsageError('unknown-transport', `unknown transport ${unknown.join(', ')}`, { subject: '--transport', fix: `use ${TRANSPORTS.join(', ')}` });
  const macs = opts.mac?.map((m) => m.toLowerCase().replace(/-/g, ':'));
  const types = opts.filter;
  const keep = (m: ReceivedMessage): boolean =>
    (!transports || transports.includes(m.transport)) && (!macs || macs.includes(m.mac)) && (!types || types.includes(m.message.type));

  const warn = (text: string): void => {
    if (!opts.quiet) sayLine(`odid decode: ${text}`);
  };
  const show = diagnosticFilter(opts.warnings);
  const withIds = opts.warnings !== undefined;
  // The capture's own diagnostics, by id, for --summary (the extractor counts the frames').
  const captureCounts: Partial<Record<DiagnosticId, number>> = {};
  // Compressed input is decompressed before the reader (node:zlib for a .gz file), which is told so.
  const source = await openCaptureInput(input, { highWaterMark: READ_BYTES });
  const reader = new CaptureReader({
    ...source.readerOptions,
    onWarning: (w) => {
      captureCounts[w.id] = (captureCounts[w.id] ?? 0) + 1;
      if (show.capture(w)) warn(captureWarningLine(w, withIds));
    },
  });
  // Frames' diagnostics are looked at only when some will be printed: the usual run pays nothing for them.
  const showFrame = opts.quiet ? undefined : show.frame;
  const onDiagnostic = showFrame && ((d: Diagnostic, at: FrameMeta): void => {
    if (showFrame(d)) warn(frameDiagnosticLine(d, at.frame));
  });
  const extractor = new RemoteIdExtractor({ keepBadFcs: opts.keepBadFcs }, onDiagnostic);
  const summary = opts.summary || opts.format === 'table' ? new DroneSummary() : undefined;
  const jsonl = !opts.summary && opts.format === 'jsonl';
  const size = input === '-' ? undefined : (await stat(input)).size;
  const progress = !opts.quiet && process.stderr.isTTY && size !== undefined && size > 8 * 1024 * 1024 ? new Progress(size) : undefined;

  // JSONL goes straight into UTF-8 bytes (no strings to build and encode again), written out in ~1 MiB
  // pieces for files, 64 KiB for a stream (lines of a live capture should not wait long); every filter is
  // skipped when none was asked for.
  const flushAt = input === '-' ? STREAM_FLUSH_BYTES : FLUSH_BYTES;
  const out = new JsonlWriter(flushAt + (flushAt >> 2));
  const filtered = transports !== undefined || macs !== undefined || types !== undefined;
  const meta: FrameMeta = {};
  const take = (records: CaptureRecord[]): void => {
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      meta.t = r.timestamp;
      meta.frame = r.frame;
      meta.originalLength = r.originalLength;
      const messages = extractor.fromRecord(r.linkType, r.data, meta);
      for (let j = 0; j < messages.length; j++) {
        const m = messages[j]!;
        if (filtered && !keep(m)) continue;
        summary?.add(m);
        if (jsonl) out.write(m);
      }
    }
  };
  // Output buffers whose bytes stdout has finished writing, for the writer to fill again.
  const spare: Uint8Array[] = [];
  const flush = async (): Promise<void> => {
    const bytes = out.take(spare.pop());
    await writeBytes(bytes, () => spare.push(new Uint8Array(bytes.buffer)));
  };
  for await (const chunk of source.chunks) {
    // A plain Uint8Array view: records are subarrays of it, and Buffer's subarray() costs more.
    const bytes = chunk as Uint8Array;
    take(reader.push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    if (out.length >= flushAt) await flush();
    progress?.update(source.bytesRead);
  }
  if (source.failure) reader.decompressionFailed(source.failure);
  take(reader.end());
  if (out.length > 0) await flush();
  progress?.done();

  if (summary) await writeOut(opts.format === 'table' && !opts.summary ? summary.table() : summary.counts(extractor.stats, captureCounts));
  const s = extractor.stats;
  const dropped = Object.entries(s.dropped).map(([k, v]) => `${v} ${k}`);
  const linkWarnings = Object.entries(s.linkWarnings).map(([k, v]) => `${v} ${k}`);
  const truncated = Object.entries(s.truncatedElements).map(([k, v]) => `${v} ${k}`);
  warn(
    `${reader.format ?? 'unknown format'}${reader.compression ? ` (${reader.compression})` : ''}: ${s.records} frames, ${s.remoteIdFrames} with Remote ID, ${s.messages} messages` +
      (dropped.length ? `; dropped ${dropped.join(', ')}` : '') +
      (s.unreadable ? `; ${s.unreadable} frames unreadable` : '') +
      (linkWarnings.length ? `; link warnings ${linkWarnings.join(', ')}` : '') +
      (truncated.length ? `; truncated elements ${truncated.join(', ')}` : ''),
  );
  if (reader.format === undefined) return 1; // not a capture at all: say so with the exit code too
  return 0;
}

/** Output is handed to stdout in pieces of about FLUSH_BYTES (a stream's: STREAM_FLUSH_BYTES); files are read in chunks of READ_BYTES. */
const FLUSH_BYTES = 1 << 20;
const STREAM_FLUSH_BYTES = 1 << 16;
const READ_BYTES = 1 << 18;

/**
 * Writes bytes to stdout, waiting when the pipe is full so that large outputs keep memory flat. `written`
 * runs once stdout is done with the bytes (their buffer may then be reused).
 */
async function writeBytes(bytes: Uint8Array, written: () => void): Promise<void> {
  if (!process.stdout.write(bytes, (err) => err || written())) {
    await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}
