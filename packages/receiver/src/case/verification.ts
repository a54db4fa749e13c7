/**
 * What a case says of each original recording: its SHA-256 (so the copy in evidence can be matched to the
 * file) and rid-verify's verdict on it (recording-verify.ts), with a one-line sentence for the report. A
 * recording that fails is still exported: the verdict says so, loudly.
 */

import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { keyFingerprint } from '../outputs/receiver-key.js';
import { verifyRecording, type VerifyReport, type VerifyStatus } from '../outputs/recording-verify.js';

export interface RecordingVerification {
  /** The file's name (its directory is the examiner's, not the case's). */
  name: string;
  bytes: number;
  sha256: string;
  status: VerifyStatus;
  /** Complete, unaltered, and (when keys were given) signed by one of them. */
  verified: boolean;
  /** The fingerprint of the key that signed it (the one its header names). */
  signer: string | null;
  /** One sentence: the verdict and what backs it. */
  verdict: string;
  report: VerifyReport;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function verifyForCase(file: string, expectedKeys?: readonly Uint8Array[]): Promise<RecordingVerification> {
  const report = await verifyRecording(createReadStream(file), expectedKeys ? { expectedKeys } : {});
  const sha256 = await sha256File(file);
  return {
    name: path.basename(file),
    bytes: statSync(file).size,
    sha256,
    status: report.status,
    verified: report.status === 'complete',
    signer: report.key?.fingerprint ?? null,
    verdict: verdictText(report, expectedKeys),
    report,
  };
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The verdict in words (the same verdicts rid-verify prints, shorter). */
export function verdictText(r: VerifyReport, expectedKeys?: readonly Uint8Array[]): string {
  switch (r.status) {
    case 'complete':
      return `VERIFIED: complete and unaltered, ${plural(r.frames, 'frame')}, ${plural(r.seals, 'seal')}, closed by its final seal`;
    case 'incomplete':
      return `INCOMPLETE: never closed; ${r.lastSeal ? `verified up to seal ${r.lastSeal.seal} (record ${r.lastSeal.record}), ${plural(r.unsealed, 'record')} after it unproven` : 'no seal at all: nothing in it is signed'}`;
    case 'altered':
      return `ALTERED: ${r.problem?.detail ?? 'damaged'} (record ${r.problem?.record ?? '?'}, byte offset ${r.problem?.offset ?? '?'}); ${r.lastSeal ? `only what comes before seal ${r.lastSeal.seal} is proven` : 'nothing in it is proven'}`;
    case 'wrong-key':
      return `WRONG KEY: intact, but not signed by the expected key (${(expectedKeys ?? []).map(keyFingerprint).join(' or ')})`;
    case 'not-evidence':
      return 'NOT EVIDENCE: a version 1 recording, with no hash chain or signatures to verify';
    case 'not-a-recording':
    case 'unsupported':
      return `NOT VERIFIABLE: ${r.problem?.detail ?? 'not a recording'}`;
  }
}
