/**
 * Role: the capture target. Damages seed streams (a window of one, then structural damage: framing fields
 * corrupted, ranges dropped or duplicated, garbage put in, another file spliced in, the end cut; then
 * byte-level damage) and pushes each in chunks of random sizes into CaptureReader, which must never throw,
 * only warn (well-formed capture diagnostics), keep its buffer bounded, count every byte and return well-formed
 * records, which then go through the receive path as well. A stream pushed in chunks, not a record, is its
 * input, so it has its own loop; failures and stacks are reported as the driver's are.
 */

import { performance } from 'node:perf_hooks';
import { Random, deriveSeed } from '../../../../test/support/random.js';
import { CaptureReader, RemoteIdExtractor, concatBytes, toHex, type CaptureRecord, type CaptureWarning } from '../../src/index.js';
import { captureSeeds, rd32, u32, type CaptureSeed } from './capture-seeds.js';
import { checkDiagnostic, isInt } from './checks.js';
import { REPLAYS, REPLAY_ABOVE_MS, withoutStacks } from './driver.js';
import { INTERESTING, logInt } from './mutate.js';
import { MAX_KEPT_FAILURES, describeThrow, failureLine, safeJson } from './report.js';

export interface CaptureFuzzReport {
  seed: number;
  chunks: number;
  streams: number;
  bytes: number;
  records: number;
  warnings: number;
  messages: number;
  /** Slowest push, ms (wall clock), and its stream as hex. */
  maxPushMs: number;
  slowestStream: string;
  /** Pushes slower than REPLAY_ABOVE_MS replayed (the stream again, same chunks, fresh reader): the largest fastest-of-REPLAYS. */
  maxReplayMs: number;
  maxBuffered: number;
  failures: string[];
  failureCount: number;
  elapsedMs: number;
}

/** Largest buffer the reader may hold: a 16 MiB pcapng block, plus one chunk. */
export const MAX_BUFFERED = 16 * 1024 * 1024 + 65_536;

/**
 * Damages a seed stream: a window of it (whole, a prefix, or its header followed by a later slice),
 * then structural damage (length fields, dropped, duplicated or swapped records, garbage between them,
 * another file spliced in) and byte-level damage.
 */
export function damagedStream(rng: Random, seed: CaptureSeed, all: readonly CaptureSeed[]): Uint8Array {
  const src = seed.bytes;
  const firstRecord = seed.starts[0] ?? Math.min(24, src.length);
  const budget = 256 + logInt(rng, 12_000);
  // Where the seed's bytes [from, from + len) landed in the stream, after the file header [0, firstRecord).
  let from = 0;
  let len: number;
  if (rng.int(10) < 4 || seed.starts.length < 2) {
    len = Math.min(src.length, budget);
  } else {
    // header, then records from a random one on (possibly mid-record)
    from = rng.float() < 0.7 ? rng.pick(seed.starts) : firstRecord + rng.int(Math.max(1, src.length - firstRecord));
    len = Math.min(src.length - from, budget);
  }
  let b = from === 0 ? src.subarray(0, len) : concatBytes([src.subarray(0, firstRecord), src.subarray(from, from + len)]);
  /** A seed offset in the stream, while no structural change has moved it (-1 when not in the stream). */
  const offset = (o: number): number => (o < firstRecord && from > 0 ? o : o >= from && o < from + len ? o - from + (from > 0 ? firstRecord : 0) : -1);
  const structural = rng.int(4);
  for (let k = 0; k < structural; k++) {
    const op = rng.int(7);
    if (op <= 1 && seed.lengthFields.length) {
      // corrupt a framing field
      const at = offset(rng.pick(seed.lengthFields));
      if (at < 0 || at + 4 > b.length) continue;
      if (b.buffer === src.buffer) b = b.slice();
      const v = rd32(b, at, seed.le);
      const choices = [0, 1, 4, 11, 12, 13, 0xffffffff, 0x7fffffff, 0x01000000, 0x00010000, 262_145, v + 1, v - 1, v + 4, v - 4, v * 2, v + rng.int(100_000)];
      b.set(u32(rng.pick(choices) >>> 0, seed.le), at);
    } else if (op === 2) {
      // drop a range
      const at = rng.int(b.length);
      const k2 = Math.min(b.length - at, 1 + logInt(rng, 600));
      b = concatBytes([b.subarray(0, at), b.subarray(at + k2)]);
    } else if (op === 3) {
      // duplicate a range
      const at = rng.int(b.length);
      const k2 = Math.min(b.length - at, 1 + logInt(rng, 600));
      b = concatBytes([b.subarray(0, at + k2), b.subarray(at, at + k2), b.subarray(at + k2)]);
    } else if (op === 4) {
      // garbage in between
      const at = rng.int(b.length + 1);
      const g = new Uint8Array(logInt(rng, 300));
      const fill = rng.int(3);
      for (let i = 0; i < g.length; i++) g[i] = fill === 0 ? 0 : fill === 1 ? 0xff : rng.int(256);
      b = concatBytes([b.subarray(0, at), g, b.subarray(at)]);
    } else if (op === 5) {
      // another capture spliced in (its header too, sometimes)
      const other = rng.pick(all).bytes;
      const from = rng.float() < 0.3 ? 0 : rng.int(other.length);
      const at = rng.int(b.length + 1);
      b = concatBytes([b.subarray(0, at), other.subarray(from, from + logInt(rng, 2000)), b.subarray(at)]);
    } else {
      // cut the end
      b = b.subarray(0, rng.int(b.length + 1));
    }
  }
  const bytewise = rng.int(3) === 0 ? 0 : 1 + rng.int(6);
  if (bytewise && b.length) {
    if (b.buffer === src.buffer) b = b.slice();
    for (let k = 0; k < bytewise; k++) {
      const at = rng.int(b.length);
      if (rng.float() < 0.5) b[at]! ^= 1 << rng.int(8);
      else b[at] = rng.pick(INTERESTING);
    }
  }
  return b;
}

export interface CaptureFuzzOptions {
  chunks: number;
  seed: number;
  seeds?: CaptureSeed[];
}

export function fuzzCaptures(opts: CaptureFuzzOptions): CaptureFuzzReport {
  const rng = new Random(deriveSeed(opts.seed, 'captures'));
  const seeds = opts.seeds ?? captureSeeds();
  const report: CaptureFuzzReport = {
    seed: opts.seed, chunks: 0, streams: 0, bytes: 0, records: 0, warnings: 0, messages: 0, maxPushMs: 0, slowestStream: '', maxReplayMs: 0, maxBuffered: 0,
    failures: [], failureCount: 0, elapsedMs: 0,
  };
  const extractor = new RemoteIdExtractor({ keepBadFcs: true });
  const started = performance.now();
  withoutStacks(captureLoop);
  report.elapsedMs = performance.now() - started;
  return report;

  function captureLoop(): void {
    while (report.chunks < opts.chunks) {
      const stream = report.streams++;
      const seed = rng.pick(seeds);
      const bytes = damagedStream(rng, seed, seeds);
      report.bytes += bytes.length;
      const fail = (what: string): void => {
        report.failureCount++;
        if (report.failures.length < MAX_KEPT_FAILURES) report.failures.push(failureLine('captures', opts.seed, `stream ${stream}`, what, bytes));
      };
      let warnings = 0;
      let badWarning: string | undefined;
      const reader = new CaptureReader({
        onWarning: (w) => {
          warnings++;
          badWarning ??= checkWarning(w, bytes.length);
        },
      });
      let frame = 0;
      const take = (records: CaptureRecord[]): void => {
        for (const r of records) {
          report.records++;
          const bad = checkRecord(r, frame, reader.format === 'pcapng');
          if (bad) fail(`record after frame ${frame}: ${bad}`);
          frame = r.frame;
          try {
            report.messages += extractor.fromRecord(r.linkType, r.data).length;
          } catch (e) {
            const what = describeThrow(e, () => new RemoteIdExtractor({ keepBadFcs: true }).fromRecord(r.linkType, r.data));
            fail(`fromRecord threw on record ${r.frame} (link type ${r.linkType}, ${toHex(r.data)}): ${what}`);
          }
        }
      };
      // Chunk sizes: mostly small (1..1024, log-uniform); a stream is pushed whole now and then.
      let o = 0;
      const sizes: number[] = [];
      let slowPush = -1;
      try {
        while (o < bytes.length) {
          const n = rng.int(64) === 0 ? bytes.length - o : logInt(rng, 1024);
          sizes.push(n);
          const chunk = bytes.subarray(o, o + n);
          o += n;
          report.chunks++;
          const t0 = performance.now();
          const recs = reader.push(chunk);
          const dt = performance.now() - t0;
          if (dt > report.maxPushMs) {
            report.maxPushMs = dt;
            report.slowestStream = toHex(bytes);
          }
          if (dt > REPLAY_ABOVE_MS && slowPush < 0) slowPush = sizes.length - 1;
          if (reader.bufferedBytes > report.maxBuffered) report.maxBuffered = reader.bufferedBytes;
          if (reader.bufferedBytes > MAX_BUFFERED) fail(`buffers ${reader.bufferedBytes} bytes`);
          take(recs);
        }
        take(reader.end());
        if (reader.bytesRead !== bytes.length) fail(`bytesRead ${reader.bytesRead} of ${bytes.length}`);
        if (slowPush >= 0) {
          const own = replayPush(bytes, sizes, slowPush);
          if (own > report.maxReplayMs) report.maxReplayMs = own;
        }
      } catch (e) {
        fail(`CaptureReader threw ${describeThrow(e, () => [...new CaptureReader({ onWarning: () => undefined }).push(bytes)])}`);
      }
      if (badWarning) fail(`malformed warning: ${badWarning}`);
      report.warnings += warnings;
    }
  }
}

/** The fastest of REPLAYS timings of push number `at` when the stream is pushed again in the same chunks. */
function replayPush(bytes: Uint8Array, sizes: readonly number[], at: number): number {
  let best = Infinity;
  for (let k = 0; k < REPLAYS; k++) {
    const reader = new CaptureReader({ onWarning: () => undefined });
    let o = 0;
    for (let i = 0; i <= at; i++) {
      const chunk = bytes.subarray(o, o + sizes[i]!);
      o += sizes[i]!;
      const t0 = performance.now();
      reader.push(chunk);
      if (i === at) best = Math.min(best, performance.now() - t0);
    }
  }
  return best;
}

/**
 * `previous`: the frame number of the record before (0 at the start). Frames are numbered one by one, except
 * that in a pcapng a block Wireshark numbers without a packet for us (custom, journal, Sysdig) skips one.
 */
export function checkRecord(r: CaptureRecord, previous: number, pcapng: boolean): string | undefined {
  if (!Number.isInteger(r.frame) || (pcapng ? r.frame <= previous : r.frame !== previous + 1)) return `frame ${r.frame} after frame ${previous}`;
  if (!(r.data instanceof Uint8Array)) return 'data is not a Uint8Array';
  if (r.data.length > 16 * 1024 * 1024) return `data of ${r.data.length} bytes`;
  // btsnoop datalinks without a pcap equivalent are reported as 0x10000 + datalink (a private range).
  if (!isInt(r.linkType, 0, 0x10000 + 0xffffffff)) return `linkType ${r.linkType}`;
  if (!isInt(r.interfaceId, 0, 0xffffffff)) return `interfaceId ${r.interfaceId}`;
  if (typeof r.timestamp !== 'number' || Number.isNaN(r.timestamp)) return `timestamp ${r.timestamp}`;
  // btsnoop HCI (1001) and monitor (2001) records grow by the 1- or 4-byte header put in front of them.
  if (!isInt(r.originalLength, 0, 0xffffffff + 4)) return `originalLength ${r.originalLength}`;
  if (r.flags !== undefined && !isInt(r.flags, 0, 0xffffffff)) return `flags ${r.flags}`;
  return undefined;
}

/** What is wrong with a reader's warning: a capture diagnostic, at an offset inside the stream, after a record number when it gives one. */
export function checkWarning(w: CaptureWarning, streamLength: number): string | undefined {
  const bad = checkDiagnostic(w, { group: 'capture' });
  if (bad) return `${bad}: ${safeJson(w)}`;
  if (!isInt(w.offset, 0, streamLength)) return `offset outside the stream of ${streamLength} bytes: ${safeJson(w)}`;
  if (w.frame !== undefined && !isInt(w.frame, 1, 1e9)) return `frame: ${safeJson(w)}`;
  return undefined;
}
