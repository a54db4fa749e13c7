/**
 * rid-scan --retain: deletes the receiver's own old recordings from its recording directory, and nothing
 * else. A file is the receiver's own only if all of these hold: its name is one rid-scan gives recordings
 * (rid-scan-YYYYMMDDTHHMMSSZ[-N].cbor), it is a regular file (not a link), and its header is an evidence
 * recording's naming this receiver's public key. It is old when it was last written longer ago than the
 * retention period (its modification time: a recording still being added to is young). The recordings
 * being written now are never touched.
 */

import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { Decoder } from 'cbor-x';
import { UsageError, quoteValue } from '@odid/commands';
import { cborItemEnd, INCOMPLETE } from './cbor-items.js';
import { EVIDENCE_RECORDING_VERSION, isObject, RECORDING_DECODER_OPTIONS, RECORDING_FORMAT } from './recording.js';

/** The names rid-scan gives the recordings it makes in a directory: the start time (UTC), then a number if taken. */
export const OWN_RECORDING_NAME = /^rid-scan-\d{8}T\d{6}Z(?:-\d{1,4})?\.cbor$/;

/** "rid-scan-20250601T100000Z.cbor", or with "-2" (up to 9999) when that name is taken. */
export function recordingFileName(startMs: number, n = 1): string {
  const stamp = new Date(startMs).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `rid-scan-${stamp}${n > 1 ? `-${n}` : ''}.cbor`;
}

const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Shorter would delete what was just recorded; ten years is "keep". */
const MIN_RETAIN_MS = 60_000;
const MAX_RETAIN_MS = 3650 * 86_400_000;

/** "30m", "24h", "7d" (also "1.5h") -> ms. Throws a UsageError naming the option. */
export function parseRetention(option: string): (value: string) => number {
  return (value) => {
    const m = /^(\d+(?:\.\d+)?)([mhd])$/.exec(value.trim());
    const ms = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
    if (!(ms >= MIN_RETAIN_MS && ms <= MAX_RETAIN_MS)) {
      throw new UsageError('bad-value', `${option} must be a duration such as 30m, 24h or 7d, from 1m to 3650d (got ${quoteValue(value)})`);
    }
    return ms;
  };
}

/** "24h", "90m", "7d", "1.5h": for messages (days from two days on, as people say them). */
export function durationText(ms: number): string {
  if (ms >= 2 * 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms >= 3_600_000 && ms % 360_000 === 0) return `${ms / 3_600_000}h`;
  return `${Math.round(ms / 60_000)}m`;
}

/** The header of an evidence recording is well under this. */
const HEADER_MAX_BYTES = 4096;

/** Whether `file` is a regular file whose first item is an evidence recording's header naming `publicKey`. */
export function isOwnRecording(file: string, publicKey: Uint8Array): boolean {
  let fd: number;
  try {
    // Never through a link: what is checked must be what is deleted.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(HEADER_MAX_BYTES);
    const n = readSync(fd, head, 0, head.length, 0);
    const end = cborItemEnd(head.subarray(0, n), 0, { maxBytes: HEADER_MAX_BYTES, maxDepth: 4 });
    if (end === INCOMPLETE) return false;
    const header: unknown = new Decoder(RECORDING_DECODER_OPTIONS).decode(head.subarray(0, end));
    return (
      isObject(header) &&
      header.format === RECORDING_FORMAT &&
      header.version === EVIDENCE_RECORDING_VERSION &&
      header.publicKey instanceof Uint8Array &&
      Buffer.compare(header.publicKey, publicKey) === 0
    );
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

export interface RetentionOptions {
  dir: string;
  /** Recordings last written longer ago than this are deleted. */
  maxAgeMs: number;
  /** This receiver's public key: only recordings it signed are its own. */
  publicKey: Uint8Array;
  /** Paths never deleted (the recordings being written). */
  keep?: () => Iterable<string>;
  now?: () => number;
}

export interface RetentionResult {
  deleted: string[];
  /** Own old recordings that could not be deleted, with the reason. */
  failed: { file: string; reason: string }[];
}

/** One pass over the directory. Never throws: a directory that cannot be listed is one failure. */
export function deleteOldRecordings(opts: RetentionOptions): RetentionResult {
  const result: RetentionResult = { deleted: [], failed: [] };
  const now = (opts.now ?? Date.now)();
  const keep = new Set([...(opts.keep?.() ?? [])].map((p) => path.resolve(p)));
  let names: string[];
  try {
    names = readdirSync(opts.dir);
  } catch (e) {
    result.failed.push({ file: opts.dir, reason: `cannot list: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return result;
  }
  for (const name of names.sort()) {
    if (!OWN_RECORDING_NAME.test(name)) continue;
    const file = path.join(opts.dir, name);
    if (keep.has(path.resolve(file))) continue;
    let mtimeMs: number;
    try {
      const st = lstatSync(file);
      if (!st.isFile()) continue;
      mtimeMs = st.mtimeMs;
    } catch {
      continue;
    }
    if (now - mtimeMs <= opts.maxAgeMs) continue;
    if (!isOwnRecording(file, opts.publicKey)) continue;
    try {
      unlinkSync(file);
      result.deleted.push(file);
    } catch (e) {
      result.failed.push({ file, reason: `cannot delete: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    }
  }
  return result;
}

export interface RetentionRun {
  stop(): void;
}

/**
 * Deletes at once, then every few minutes (a tenth of the period, between 1 and 10 minutes), telling
 * `report` after each pass that found something to say.
 */
export function startRetention(opts: RetentionOptions, report: (r: RetentionResult) => void): RetentionRun {
  const pass = (): void => {
    const r = deleteOldRecordings(opts);
    if (r.deleted.length || r.failed.length) report(r);
  };
  pass();
  const every = Math.min(10 * 60_000, Math.max(60_000, opts.maxAgeMs / 10));
  const timer = setInterval(pass, every);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
