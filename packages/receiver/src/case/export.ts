/**
 * `rid-case export`: one drone's case file. The recordings are verified (rid-verify's checks) and hashed,
 * replayed through the receiver's pipeline to find the drone's tracks by any of its IDs, read again to pull
 * out that drone's frames and messages, and written into a new directory with its track, the verdicts, a
 * self-contained HTML report and a manifest of hashes. The directory is the caller's; every name in it is
 * fixed here, never taken from the input.
 */

import { existsSync, mkdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { checkReplayFile } from '../sources/replay.js';
import { receiverSoftware } from '../outputs/software-version.js';
import { trackHistoryToJson, trackToJson } from '../tracker/track-json.js';
import type { Track } from '../tracker/types.js';
import { CaseError } from './errors.js';
import { extractDrone, type Extracted } from './extract.js';
import { OutFile, writeOutFile } from './out-file.js';
import { renderReport } from './report-html.js';
import { CASE_HISTORY_LIMIT, finalKey, routeRecordings, trackHasId, type CaseRouting } from './routing.js';
import { verifyForCase, type RecordingVerification } from './verification.js';

/** The files of a case directory, in the order they are written; the manifest comes last. */
export const CASE_FILES = ['records.cbor', 'messages.jsonl', 'drone-track.json', 'verification.json', 'report.html', 'MANIFEST.sha256'] as const;

/** UAS IDs are at most 20 characters (40 as hex, 30 for a French ID): anything much longer is a mistake. */
const UAS_ID_MAX = 100;
/** IDs named in the error for an unknown one. */
const KNOWN_IDS_SHOWN = 20;

export interface CaseExportOptions {
  uasId: string;
  recordings: readonly string[];
  out: string;
  /** Write into an existing directory (the case's own files in it are replaced; others are left alone). */
  force?: boolean;
  /** The receiver's public keys: a recording signed by another key does not verify. */
  expectedKeys?: readonly Uint8Array[];
  /** Seconds since the epoch (tests). */
  now?: number;
}

export interface CaseExportResult {
  out: string;
  /** The case's files and their SHA-256, as the manifest lists them. */
  files: { name: string; sha256: string }[];
  trackKeys: string[];
  verifications: RecordingVerification[];
  extracted: Extracted;
}

export async function exportCase(opts: CaseExportOptions): Promise<CaseExportResult> {
  const uasId = opts.uasId.trim();
  if (!uasId || uasId.length > UAS_ID_MAX) throw new CaseError('bad-uas', `a UAS ID is 1 to ${UAS_ID_MAX} characters, got ${uasId.length}`, { subject: '--uas' });
  for (const r of opts.recordings) checkReplayFile(r);
  checkOut(opts.out, opts.force ?? false);
  // --force replaces the case files: never one of the inputs.
  const replaced = new Set(CASE_FILES.map((name) => path.resolve(opts.out, name)));
  for (const r of opts.recordings) {
    if (replaced.has(path.resolve(r))) throw new CaseError('out-exists', `it is one of the files a case in ${opts.out} replaces`, { subject: r, fix: 'export into another directory' });
  }

  const verifications: RecordingVerification[] = [];
  for (const r of opts.recordings) verifications.push(await verifyForCase(r, opts.expectedKeys));

  const routing = await routeRecordings(opts.recordings);
  const tracks = routing.tracks.filter((t) => trackHasId(t, uasId));
  if (!tracks.length) {
    const known = [...new Set(routing.tracks.flatMap((t) => [...t.identities.values()]))];
    const shown = known.slice(0, KNOWN_IDS_SHOWN).join(', ') + (known.length > KNOWN_IDS_SHOWN ? `, and ${known.length - KNOWN_IDS_SHOWN} more` : '');
    throw new CaseError('unknown-uas', `no drone with the UAS ID ${uasId} in ${opts.recordings.length === 1 ? 'the recording' : `the ${opts.recordings.length} recordings`}`, {
      fix: known.length ? `give one of the IDs heard: ${shown}` : 'no drone has an ID in them at all',
    });
  }
  const wanted = new Set(tracks.map((t) => t.key));
  const selected = new Set<number>();
  routing.keys.forEach((k, i) => wanted.has(finalKey(k, routing.mergedInto)) && selected.add(i));

  const made = !existsSync(opts.out);
  if (made) mkdirSync(opts.out, { mode: 0o755 });
  else removeCaseFiles(opts.out);
  try {
    return await writeCase(opts, uasId, { tracks, selected, routing, verifications });
  } catch (e) {
    // No half case: what this export wrote goes (and the directory, when it made it).
    try {
      removeCaseFiles(opts.out);
      if (made) rmdirSync(opts.out);
    } catch {
      // The first failure is the one to report.
    }
    throw e;
  }
}

function removeCaseFiles(out: string): void {
  for (const name of CASE_FILES) if (existsSync(path.join(out, name))) unlinkSync(path.join(out, name));
}

interface Selection {
  tracks: Track[];
  selected: ReadonlySet<number>;
  routing: CaseRouting;
  verifications: RecordingVerification[];
}

async function writeCase(opts: CaseExportOptions, uasId: string, { tracks, selected, routing, verifications }: Selection): Promise<CaseExportResult> {
  const at = (name: string): string => path.join(opts.out, name);
  const created = opts.now ?? Date.now() / 1000;
  const files: { name: string; sha256: string }[] = [];

  const records = new OutFile(at('records.cbor'));
  const messages = new OutFile(at('messages.jsonl'));
  let extracted: Extracted;
  try {
    extracted = await extractDrone({
      uasId,
      sources: opts.recordings.map((p, i) => ({ path: p, sha256: verifications[i]!.sha256 })),
      messageTrack: routing.messageTrack,
      selected,
      records,
      messages,
      created,
    });
  } finally {
    files.push({ name: 'records.cbor', sha256: records.close() }, { name: 'messages.jsonl', sha256: messages.close() });
  }

  const trackJson = tracks.map((t) => ({ ...trackToJson(t), history: trackHistoryToJson(t) }));
  const software = `${receiverSoftware()} (rid-case)`;
  files.push({
    name: 'drone-track.json',
    sha256: writeOutFile(at('drone-track.json'), JSON.stringify({ uasId, historyLimit: CASE_HISTORY_LIMIT, tracks: trackJson }, null, 2) + '\n'),
  });
  const verification = {
    uasId,
    created,
    software,
    allVerified: verifications.every((v) => v.verified),
    recordings: verifications.map((v, i) => ({ ...v, frames: routing.files[i]!.frames, ...(routing.files[i]!.truncated ? { truncated: routing.files[i]!.truncated } : {}) })),
  };
  files.push({ name: 'verification.json', sha256: writeOutFile(at('verification.json'), JSON.stringify(verification, null, 2) + '\n') });
  const html = renderReport({ uasId, tracks: trackJson, histories: trackJson.map((t) => t.history), verifications, extracted, created, software });
  files.push({ name: 'report.html', sha256: writeOutFile(at('report.html'), html) });
  // sha256sum's format: `sha256sum -c MANIFEST.sha256` checks the case in its directory.
  writeOutFile(at('MANIFEST.sha256'), files.map((f) => `${f.sha256}  ${f.name}\n`).join(''));
  return { out: opts.out, files, trackKeys: tracks.map((t) => t.key), verifications, extracted };
}

/** OUT must be new, or (with force) an existing directory. */
function checkOut(out: string, force: boolean): void {
  let stats;
  try {
    stats = statSync(out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      const parent = path.dirname(path.resolve(out));
      if (!existsSync(parent)) throw new CaseError('out-not-directory', `its parent directory ${parent} does not exist`, { subject: out });
      return;
    }
    throw new CaseError('out-not-directory', `cannot look at it: ${(e as Error).message}`, { subject: out, cause: e });
  }
  if (!stats.isDirectory()) throw new CaseError('out-not-directory', 'it exists and is not a directory', { subject: out });
  if (!force) throw new CaseError('out-exists', 'it exists already: a case goes into a new directory', { subject: out, fix: 'name a new directory, or give --force to replace the case files in this one' });
}
