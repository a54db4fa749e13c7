/**
 * The `rid-keys` command line: make DRIP identities (Ed25519 key + DET), endorse one with another
 * (Apex→RAA→HDA→UA), and show what a key, identity or endorsement file holds. A private key is only ever
 * written to its own file (mode 0600), never printed. `runRidKeys` runs it with the output given, so that
 * tests and other tools can embed it; only the bin touches the process.
 */

import { statSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { DET_AUTHORITY_MAX, detToText, displayText, dripTime, dripTimeText, toHex } from '@odid/codec';
import { USAGE_EXIT, UsageError, errorText, parseNumber, parseTime, quoteValue, usageErrorWriter } from '@odid/commands';
import { hostIdentityOf } from '../ed25519.js';
import { TrustError } from '../errors.js';
import { createEndorsement, endorsementToJson, parseEndorsement, verifyEndorsement } from '../endorse.js';
import { readTrustFile, writeNewFile } from '../files.js';
import { detMatchesHostIdentity } from '../hashes.js';
import { IDENTITY_FILE_SUFFIX, KEY_FILE_SUFFIX, KEY_NAME, generateDripKey, loadKeyPair, parseIdentity, readIdentity, readPrivateKey, writeKeyPair } from '../keys.js';
import { DEFAULT_CLOCK_SKEW_S, windowProblem } from '../validity.js';

export interface RidKeysIo {
  /** Standard output: one call per line, without the newline. */
  out(line: string): void;
  /** Standard error, likewise. */
  err(line: string): void;
  /** ms since the epoch (Date.now by default): the start of an endorsement, the "now" of show. */
  now?: () => number;
}

/** Failures of the files and keys (not of what was typed): exit status 1. */
const FAILURE_EXIT = 1;
/** Endorsements last from a second to ten years. */
const MAX_VALIDITY_S = 3650 * 86_400;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 7 * 86_400 };
const AUTHORITY = { min: 0, max: DET_AUTHORITY_MAX, integer: true } as const;
/** An endorsement may start from 2019 (the DRIP epoch) to 2150. */
const START = { minMs: Date.UTC(2019, 0, 1), maxMs: Date.UTC(2150, 0, 1) };
/** Anything printed that came from a file is escaped and capped, as every line the tools print. */
const LINE_MAX = 1000;

/** "30d", "12h", "90m", "3600s" or plain seconds -> seconds. */
export function parseValidity(option: string): (value: string) => number {
  return (value) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/i.exec(value);
    const s = m ? Math.round(Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()]!) : NaN;
    if (!(s >= 1 && s <= MAX_VALIDITY_S)) {
      throw new UsageError('bad-value', `${option} must be a duration from 1s to 3650d, such as 30d, 12h, 90m or 3600s (got ${quoteValue(value)})`);
    }
    return s;
  };
}

function parseName(value: string): string {
  if (!KEY_NAME.test(value)) throw new UsageError('bad-value', `--name must be 1..64 letters, digits, ".", "_" or "-", starting with a letter or digit (got ${quoteValue(value)})`);
  return value;
}

export function ridKeysProgram(io: RidKeysIo): Command {
  const now = io.now ?? Date.now;
  const say = (line: string): void => io.out(displayText(line, { max: LINE_MAX }));
  const checkStart = parseTime('--start', START);
  const program = new Command()
    .name('rid-keys')
    .description('DRIP keys for Remote ID (RFC 9374 DETs, RFC 9575 Broadcast Endorsements): create identities, endorse them, show them.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')), outputError: usageErrorWriter('rid-keys') })
    .addHelpText(
      'after',
      `
  A registry chain is Apex -> RAA -> HDA -> UA: each one is endorsed by the one above. Each identity is two
  files: NAME${KEY_FILE_SUFFIX}, the Ed25519 private key (PKCS#8 PEM, mode 0600, never printed: keep it on
  the machine that signs), and NAME${IDENTITY_FILE_SUFFIX}, the public identity (DET, HI, RAA, HDA, suite 5) to hand
  out. A receiver trusts the identity files in its trust store's roots/ and the endorsement files in its
  endorsements/. Exit status: 0 done, 1 a file or key problem, 2 a usage error.

  Example, a test registry:
    rid-keys create --raa 16376 --hda 0 --out keys --name apex
    rid-keys create --raa 16376 --hda 1 --out keys --name hda
    rid-keys create --raa 16376 --hda 1 --out keys --name ua
    rid-keys endorse --parent keys/apex${KEY_FILE_SUFFIX} --child keys/hda${IDENTITY_FILE_SUFFIX} --valid 365d --out keys/apex-hda.json
    rid-keys endorse --parent keys/hda${KEY_FILE_SUFFIX} --child keys/ua${IDENTITY_FILE_SUFFIX} --valid 30d --out keys/hda-ua.json
    rid-keys show keys/hda-ua.json`,
    );

  program
    .command('create')
    .description('Make an Ed25519 key pair and its DET: writes NAME.key.pem (mode 0600) and NAME.id.json into DIR, prints the DET.')
    .requiredOption('--raa <n>', `Registered Assigning Authority (${AUTHORITY.min}..${AUTHORITY.max})`, parseNumber('--raa', AUTHORITY))
    .requiredOption('--hda <n>', `HHIT Domain Authority (${AUTHORITY.min}..${AUTHORITY.max})`, parseNumber('--hda', AUTHORITY))
    .requiredOption('--out <dir>', 'existing directory for the two files')
    .option('--name <name>', 'file name stem (default: det- and the DET hash)', parseName)
    .option('--force', 'replace existing files of the same name')
    .action((opts: { raa: number; hda: number; out: string; name?: string; force?: boolean }) => {
      const pair = generateDripKey({ raa: opts.raa, hda: opts.hda, ...(opts.name ? { name: opts.name } : {}) });
      const name = opts.name ?? `det-${toHex(pair.identity.det, 8)}`;
      const files = writeKeyPair(opts.out, name, pair, { force: opts.force });
      say(`DET ${detToText(pair.identity.det)}`);
      say(`identity ${files.identityFile}`);
      say(`private key ${files.keyFile} (mode 0600: keep it secret)`);
    });

  program
    .command('endorse')
    .description("Sign a Broadcast Endorsement: the parent's key vouches for the child's DET and HI for a while. Writes an endorsement file.")
    .requiredOption('--parent <key>', `the endorsing registry's private key (NAME${KEY_FILE_SUFFIX}; its NAME${IDENTITY_FILE_SUFFIX} is read beside it)`)
    .option('--parent-identity <file>', "the parent's identity file, when it is not beside the key")
    .requiredOption('--child <identity>', `the identity file (NAME${IDENTITY_FILE_SUFFIX}) of the registry or UA endorsed`)
    .requiredOption('--valid <duration>', 'how long the endorsement holds: 30d, 12h, 90m, 3600s (1s..3650d)', parseValidity('--valid'))
    .option('--start <time>', 'when it starts (ISO 8601, default now)', (v: string) => checkStart(v))
    .requiredOption('--out <file>', 'the endorsement file to write')
    .option('--force', 'replace an existing file')
    .action((opts: { parent: string; parentIdentity?: string; child: string; valid: number; start?: number; out: string; force?: boolean }) => {
      const parent = loadKeyPair(opts.parent, opts.parentIdentity);
      const child = readIdentity(opts.child);
      const vnb = dripTime(opts.start ?? now());
      const vna = vnb + opts.valid;
      if (vna > 0xffffffff) throw new UsageError('bad-value', `--valid ends after 2155, the last time DRIP can say`);
      const link = createEndorsement(parent, child, { vnb, vna });
      writeNewFile(opts.out, endorsementToJson(link), { mode: 0o644, force: opts.force });
      say(`${detToText(link.parentDet)} endorses ${detToText(link.childDet)} from ${dripTimeText(vnb)} to ${dripTimeText(vna)}`);
      say(`endorsement ${opts.out}`);
    });

  program
    .command('show')
    .description('Show what a key, identity or endorsement file holds (never the private key itself), and check it.')
    .argument('<file>', `NAME${KEY_FILE_SUFFIX}, NAME${IDENTITY_FILE_SUFFIX} or an endorsement file`)
    .option('--parent <identity>', "endorsements: also check the signature with this parent's identity file")
    .action((file: string, opts: { parent?: string }) => {
      for (const line of show(file, opts.parent, now())) say(line);
    });

  return program;
}

function show(file: string, parentFile: string | undefined, nowMs: number): string[] {
  const text = readTrustFile(file, 64 * 1024, 'a key, identity or endorsement file');
  if (text.trimStart().startsWith('-----BEGIN')) {
    const key = readPrivateKey(file);
    const hi = hostIdentityOf(key);
    return [`private key ${file}: Ed25519 (not shown), mode ${(statSync(file).mode & 0o777).toString(8).padStart(4, '0')}`, `HI ${toHex(hi)}`];
  }
  if (/"format"\s*:\s*"odid-drip-endorsement"/.test(text)) {
    const link = parseEndorsement(text, file);
    const window = windowProblem(link.vnb, link.vna, nowMs, DEFAULT_CLOCK_SKEW_S);
    const lines = [
      `endorsement ${file}`,
      `parent ${detToText(link.parentDet)}`,
      `child ${detToText(link.childDet)} (HI ${toHex(link.childHi)}; DET matches HI: ${detMatchesHostIdentity(link.childDet, link.childHi) ? 'yes' : 'NO'})`,
      `valid ${dripTimeText(link.vnb)} to ${dripTimeText(link.vna)}: ${window ? window.reason : 'valid now'}`,
    ];
    if (parentFile) {
      const parent = readIdentity(parentFile);
      if (toHex(parent.det) !== toHex(link.parentDet)) throw new TrustError('key-mismatch', parentFile, `is the identity of ${detToText(parent.det)}, not of the endorsing parent ${detToText(link.parentDet)}`);
      const check = verifyEndorsement(link, parent.hi, { nowMs, clockSkewS: DEFAULT_CLOCK_SKEW_S });
      lines.push(`signature by ${path.basename(parentFile)}: ${check.ok || check.problem === 'expired' || check.problem === 'not-yet-valid' ? 'verifies' : `does NOT verify (${check.reason})`}`);
    }
    return lines;
  }
  const id = parseIdentity(text, file);
  return [
    `identity ${file}${id.name ? ` (${id.name})` : ''}`,
    `DET ${detToText(id.det)}`,
    `RAA ${id.raa}, HDA ${id.hda}, suite ${id.suite}`,
    `HI ${toHex(id.hi)} (DET matches HI: yes)`,
  ];
}

/** Runs rid-keys with `args` (without the program name); resolves to the exit status. */
export async function runRidKeys(args: readonly string[], io: RidKeysIo): Promise<number> {
  try {
    await ridKeysProgram(io).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE_EXIT;
    io.err(displayText(`rid-keys: ${errorText(e)}`, { max: LINE_MAX }));
    if (e instanceof UsageError) return USAGE_EXIT;
    return FAILURE_EXIT;
  }
}
