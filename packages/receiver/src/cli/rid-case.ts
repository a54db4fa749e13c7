#!/usr/bin/env node
/**
 * `rid-case export --uas ID RECORDING... OUT`: one drone's case file from evidence recordings. The work is
 * case/export.ts's; this is its command line and its words.
 */

import { Command, Option } from 'commander';
import { displayText } from '@odid/codec';
import { errorText, exitOnUsageError, usageErrorWriter } from '@odid/commands';
import { exportCase } from '../case/export.js';
import { CaseError } from '../case/errors.js';
import { MAX_REPORT_MESSAGES } from '../case/extract.js';
import { CASE_HISTORY_LIMIT } from '../case/routing.js';
import { loadPublicKeys } from '../outputs/receiver-key.js';

/** Exit status: 0 packed and every recording verified; 3 packed, but a recording did not verify. */
const EXIT_NOT_VERIFIED = 3;

const LINE_MAX = 2000;
const safe = (s: string): string => displayText(s, { max: LINE_MAX });
const say = (line: string): void => void process.stderr.write(`rid-case: ${safe(line)}\n`);

interface ExportOptions {
  uas: string;
  key?: string;
  force?: boolean;
  json?: boolean;
}

const program = new Command()
  .name('rid-case')
  .description("Case files from evidence recordings (rid-scan --record): one drone's records, their verification and a report, in one directory.")
  .exitOverride(exitOnUsageError)
  .configureOutput({ outputError: usageErrorWriter('rid-case') });

program
  .command('export')
  .usage('--uas ID [options] RECORDING... OUT')
  .description(
    "Pack one drone's case: verify each recording (as rid-verify does) and hash it, replay them through the receiver's tracker, and write the frames and messages of the tracks that have the UAS ID (any of their IDs: a Basic ID, a DJI serial, a French ID), their track and history, the verdicts, and a self-contained HTML report into the new directory OUT.",
  )
  .requiredOption('--uas <id>', 'the UAS ID of the drone: a serial, CAA, UTM or session ID, a DJI serial or a French ID, exactly as the receiver shows it')
  .addOption(new Option('--key <file>', "the receiver's public key (PEM): a recording signed by another key does not verify (default: the key each recording names)"))
  .option('--force', 'write into OUT even if it exists (its case files are replaced; other files in it are left alone)')
  .option('--json', 'print what was written as JSON on stdout')
  .argument('<files...>', 'RECORDING... OUT: the recordings (in time order), then the directory to create')
  .exitOverride(exitOnUsageError)
  .configureOutput({ outputError: usageErrorWriter('rid-case') })
  .addHelpText(
    'after',
    `
OUT gets:
  records.cbor       the drone's frames only: a plain recording (format v1, marked as an extract, which
                     rid-scan --replay plays), each frame naming its original recording and frame number
                     there; the header lists the originals with their SHA-256
  messages.jsonl     every decoded message of the drone (time, transport, address, RSSI, all fields)
  drone-track.json   the final track (as rid-scan --json prints it) with its position history
                     (at most ${CASE_HISTORY_LIMIT} points)
  verification.json  each recording's verdict, SHA-256, signer key fingerprint and rid-verify report
  report.html        one self-contained page (no request leaves it): summary, verdicts, map, timeline,
                     altitude and speed, every field of the latest message of each type, and the
                     message list (the first ${MAX_REPORT_MESSAGES}; the rest counted by type)
  MANIFEST.sha256    the SHA-256 of every file above (check with: cd OUT && sha256sum -c MANIFEST.sha256)

A recording that does not verify (altered, incomplete, another key) is still packed: the report and
verification.json say so, in capitals.

Exit status:
  0  packed, every recording verified
  1  no drone with that ID in the recordings (the IDs heard are listed)
  2  usage error, OUT exists (without --force), a recording cannot be read
  3  packed, but at least one recording did not verify

Example:
  rid-case export --uas 4AB9AHKQ7A05LP8 /data/rid/rid-scan-20250601T100000Z.cbor case-2025-06-01`,
  )
  .action(async (files: string[], opts: ExportOptions) => {
    process.exitCode = await runExport(files, opts);
  });

async function runExport(files: string[], opts: ExportOptions): Promise<number> {
  if (files.length < 2) {
    say('export needs at least one RECORDING and the OUT directory');
    return 2;
  }
  const out = files[files.length - 1]!;
  const recordings = files.slice(0, -1);
  try {
    const expectedKeys = opts.key !== undefined ? loadPublicKeys(opts.key) : undefined;
    const result = await exportCase({ uasId: opts.uas, recordings, out, ...(opts.force ? { force: true } : {}), ...(expectedKeys ? { expectedKeys } : {}) });
    for (const v of result.verifications) if (!v.verified) say(`WARNING: ${v.name}: ${v.verdict}`);
    if (opts.json) {
      const summary = { out, tracks: result.trackKeys, frames: result.extracted.frames, messages: result.extracted.messages, files: result.files, verifications: result.verifications.map(({ report: _report, ...v }) => v) };
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    } else {
      process.stderr.write(
        `rid-case: wrote ${safe(out)}: ${result.extracted.frames} frames and ${result.extracted.messages} messages of ${safe(opts.uas.trim())} (${result.trackKeys.length} track${result.trackKeys.length === 1 ? '' : 's'}) from ${recordings.length} recording${recordings.length === 1 ? '' : 's'}\n`,
      );
    }
    return result.verifications.every((v) => v.verified) ? 0 : EXIT_NOT_VERIFIED;
  } catch (e) {
    say(errorText(e));
    return e instanceof CaseError && e.code === 'unknown-uas' ? 1 : 2;
  }
}

program.parseAsync().catch((e: unknown) => {
  say(errorText(e));
  process.exit(2);
});
