#!/usr/bin/env node
/**
 * `rid-verify RECORDING`: proves a recording made by rid-scan --record (or --record-dir) complete and
 * unaltered, offline, or names the first record that was cut, removed, reordered or changed. The checks are
 * recording-verify.ts's; this is their text.
 */

import { createReadStream } from 'node:fs';
import { Command, Option } from 'commander';
import { displayText } from '@odid/codec';
import { errorText, exitOnUsageError, usageErrorWriter } from '@odid/commands';
import { clockText } from '../outputs/clock-source.js';
import { keyFingerprint, loadPublicKeys } from '../outputs/receiver-key.js';
import { verifyRecording, type SealSummary, type VerifyReport, type VerifyStatus } from '../outputs/recording-verify.js';

/** The exit status of each verdict (a usage error, or a file that cannot be read, is 2). */
const VERIFY_EXIT: Readonly<Record<VerifyStatus, number>> = {
  complete: 0,
  altered: 1,
  'wrong-key': 1,
  'not-a-recording': 1,
  unsupported: 2,
  incomplete: 3,
  'not-evidence': 4,
};

interface Options {
  json?: boolean;
  key?: string;
  trust?: boolean;
}

const LINE_MAX = 2000;
/** Everything quoted from the file (software names, sources) is shown escaped. */
const safe = (s: string): string => displayText(s, { max: LINE_MAX });
const say = (line: string): void => void process.stderr.write(`rid-verify: ${safe(line)}\n`);
const iso = (seconds: number | undefined): string => (seconds === undefined || !Number.isFinite(seconds) ? 'an unknown time' : new Date(seconds * 1000).toISOString());

const program = new Command()
  .name('rid-verify')
  .description(
    'Prove a recording made by rid-scan --record or --record-dir complete and unaltered, offline: every record is chained to the one before it (SHA-256) and the chain is signed (Ed25519) by the receiver every few seconds and when it closes. Otherwise, name the first record that was cut, removed, reordered or changed.',
  )
  .argument('<recording>', 'the recording file ("-" = stdin)')
  .option('--json', 'print the report as JSON on stdout instead of text')
  .addOption(new Option('--key <file>', "the receiver's public key (PEM; several in one file: any of them), or its private key file: the recording must be signed by it").conflicts('trust'))
  .addOption(new Option('--trust', 'accept the key the recording names in its header (the default), saying which it is'))
  .exitOverride(exitOnUsageError)
  .configureOutput({ outputError: usageErrorWriter('rid-verify') })
  .addHelpText(
    'after',
    `
Without --key the seals are checked against the key the recording names in its header, and the report
says which key that is (its SHA256 fingerprint): compare it with the receiver's (rid-scan prints it when it
creates the key). Anyone can make a recording with a key of their own; only --key proves whose it is.

A recording cut by a power loss or a crash (no closing seal, perhaps ending inside a record) is verified up
to its last seal, and the report says how many records follow it unproven.

Exit status:
  0  verified: complete and unaltered, closed by its final seal (and signed by --key's key when given)
  1  altered or damaged (the first record concerned is named), signed by another key than --key's, or not
     a recording at all
  2  usage error: a bad option, a file that cannot be read, a format newer than this program
  3  incomplete: intact up to its last seal, but never closed (power loss, crash, still being written)
  4  not an evidence recording (format v1, from older versions or the map page): it replays, but has
     nothing to verify

Examples:
  rid-verify session.cbor
  rid-verify --key receiver-public.pem --json /data/rid/rid-scan-20250601T100000Z.cbor`,
  )
  .action(async (file: string, opts: Options) => {
    process.exitCode = await run(file, opts);
  });

async function run(file: string, opts: Options): Promise<number> {
  let expectedKeys: Uint8Array[] | undefined;
  try {
    if (opts.key !== undefined) expectedKeys = loadPublicKeys(opts.key);
  } catch (e) {
    say(`--key ${(e as Error).message}`);
    return 2;
  }
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  let report: VerifyReport;
  try {
    report = await verifyRecording(input, expectedKeys ? { expectedKeys } : {});
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    say(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : (err.code ?? err.message)}`);
    return 2;
  } finally {
    if (input !== process.stdin) input.destroy();
  }
  if (opts.json) {
    const expected = expectedKeys ? { expectedKeys: expectedKeys.map(keyFingerprint) } : {};
    process.stdout.write(JSON.stringify({ file, ...report, ...expected, exitCode: VERIFY_EXIT[report.status] }, null, 2) + '\n');
  } else process.stdout.write(reportText(file, report, expectedKeys).map((l) => safe(l)).join('\n') + '\n');
  return VERIFY_EXIT[report.status];
}

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
const sealText = (s: SealSummary): string => `seal ${s.seal} at record ${s.record}, time ${iso(s.time)}`;

/** The report as lines: the verdict first, then what backs it. */
function reportText(file: string, r: VerifyReport, expectedKeys?: readonly Uint8Array[]): string[] {
  const lines: string[] = [];
  const signer = r.key ? `signed by key ${r.key.fingerprint}` : '';
  switch (r.status) {
    case 'complete':
      lines.push(`${file}: VERIFIED: complete and unaltered: ${count(r.frames, 'frame')} in ${count(r.records, 'record')}, ${count(r.seals, 'seal')}, closed by ${sealText(r.lastSeal!)}`);
      break;
    case 'incomplete': {
      const cut = r.endsMidRecord ? `; the file ends mid-record at offset ${r.endsMidRecord.offset} (record ${r.endsMidRecord.record}, ${r.endsMidRecord.bytes} bytes of it)` : '; no closing seal';
      const upTo = r.lastSeal ? `verified up to ${sealText(r.lastSeal)}; ${count(r.unsealed, 'record')} after it unsealed` : `no seal at all: nothing in it is signed; ${count(r.unsealed, 'record')} chained but unproven`;
      lines.push(`${file}: INCOMPLETE: ${upTo}${cut}`);
      lines.push('  the recording was never closed: cut short by a power loss or a crash, or still being written (a cut after the last seal looks the same)');
      break;
    }
    case 'altered': {
      const p = r.problem!;
      lines.push(`${file}: ALTERED: ${p.detail} (record ${p.record}, byte offset ${p.offset})`);
      if (p.expected !== undefined) lines.push(`  expected: ${p.expected}`);
      if (p.found !== undefined) lines.push(`  found:    ${p.found}`);
      lines.push(r.lastSeal ? `  what comes before it is proven by ${sealText(r.lastSeal)}` : '  no seal before it: nothing before it is proven either');
      break;
    }
    case 'wrong-key':
      lines.push(`${file}: WRONG KEY: intact, but ${signer}, not by the expected key (${(expectedKeys ?? []).map(keyFingerprint).join(' or ')})`);
      if (r.lastSeal) lines.push(`  ${r.lastSeal.final ? 'closed by' : 'verified up to'} ${sealText(r.lastSeal)}${r.lastSeal.final ? '' : ` (not closed: ${count(r.unsealed, 'record')} unsealed)`}`);
      break;
    case 'not-evidence':
      lines.push(`${file}: not an evidence recording (format v1): it replays, but has no hash chain or signatures to verify`);
      break;
    case 'not-a-recording':
    case 'unsupported':
      lines.push(`${file}: ${r.problem?.detail ?? 'not a recording'}`);
      break;
  }
  if (r.key && r.status !== 'wrong-key') lines.push(`  ${signer}${r.key.expected ? ' (the expected key)' : ' (the key its header names: compare it with the receiver\'s)'}`);
  if (r.software || r.created !== undefined) lines.push(`  written by ${r.software ?? 'unknown software'}${r.application ? ` (${r.application})` : ''}, started ${iso(r.created)}`);
  const s = r.lastSeal;
  if (s) {
    const pos = s.position;
    const where = pos
      ? `receiver at ${pos.latitude.toFixed(6)}, ${pos.longitude.toFixed(6)}${pos.altitude !== undefined ? `, ${pos.altitude.toFixed(1)} m` : ''} (${pos.source}${pos.fixTime !== undefined ? `, fix of ${iso(pos.fixTime)}` : ''})`
      : 'receiver position not known';
    lines.push(`  at seal ${s.seal}: ${where}; ${clockText(s.clock)}`);
  }
  return lines;
}

program.parseAsync().catch((e: unknown) => {
  say(errorText(e));
  process.exit(2);
});
