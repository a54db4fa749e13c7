/**
 * DRIP identities: an Ed25519 key pair (node:crypto), whose raw 32-byte public key is the Host Identity (HI),
 * and the DET it hashes to under an RAA and HDA. Two files per identity: the private key as PKCS#8 PEM,
 * created with mode 0600 and never printed, and the public identity as JSON (DET, HI, RAA, HDA, suite), which
 * is what others are given: to endorse it, to trust it as a root.
 */

import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { statSync } from 'node:fs';
import {
  DET_AUTHORITY_MAX,
  DET_PREFIX,
  HHIT_SUITE_ED25519,
  detFields,
  detFromText,
  detToText,
  fromHex,
  toHex,
} from '@odid/codec';
import { hostIdentityOf } from './ed25519.js';
import { TrustError } from './errors.js';
import { readTrustFile, refuseExisting, writeNewFile } from './files.js';
import { detFromHostIdentity, detMatchesHostIdentity } from './hashes.js';

/** The `format` of an identity file. */
export const IDENTITY_FORMAT = 'odid-drip-identity';
export const KEY_FILE_SUFFIX = '.key.pem';
export const IDENTITY_FILE_SUFFIX = '.id.json';
/** A PKCS#8 Ed25519 key is ~120 bytes of PEM; identities a few hundred bytes. */
export const KEY_FILE_MAX_BYTES = 16 * 1024;
export const IDENTITY_FILE_MAX_BYTES = 64 * 1024;
/** Names of key files: a letter or digit, then letters, digits, ".", "_" or "-" (no path, no hidden file). */
export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface DripIdentity {
  /** A label for people (the file name by default). */
  name?: string;
  det: Uint8Array;
  /** The raw 32-byte Ed25519 public key. */
  hi: Uint8Array;
  raa: number;
  hda: number;
  suite: number;
}

export interface DripKeyPair {
  privateKey: KeyObject;
  identity: DripIdentity;
}

/** A new Ed25519 key pair and its DET under (raa, hda). */
export function generateDripKey(opts: { raa: number; hda: number; name?: string }): DripKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const hi = hostIdentityOf(privateKey);
  const det = detFromHostIdentity(hi, opts.raa, opts.hda);
  return { privateKey, identity: { ...(opts.name ? { name: opts.name } : {}), det, hi, raa: opts.raa, hda: opts.hda, suite: HHIT_SUITE_ED25519 } };
}

/** The identity file's text. */
export function identityToJson(id: DripIdentity): string {
  const json = { format: IDENTITY_FORMAT, version: 1, ...(id.name ? { name: id.name } : {}), det: detToText(id.det), hi: toHex(id.hi), raa: id.raa, hda: id.hda, suite: id.suite };
  return `${JSON.stringify(json, null, 2)}\n`;
}

const EXPECTED_IDENTITY = 'an identity file written by rid-keys create ({"format":"odid-drip-identity", "det", "hi", "raa", "hda", "suite"})';

/** An identity from its file's text; `source` (the file) names it in errors. Checks that the DET is the HI's. */
export function parseIdentity(text: string, source: string): DripIdentity {
  const bad = (why: string): TrustError => new TrustError('bad-file', source, why, `expected ${EXPECTED_IDENTITY}`);
  const o = parseJsonObject(text, source, EXPECTED_IDENTITY);
  if (o.format !== IDENTITY_FORMAT) throw bad(`"format" is ${JSON.stringify(o.format)}, not "${IDENTITY_FORMAT}"`);
  if (o.version !== 1) throw bad(`"version" ${JSON.stringify(o.version)} is not 1`);
  if (typeof o.det !== 'string') throw bad('"det" is missing');
  let det: Uint8Array;
  try {
    det = detFromText(o.det);
  } catch {
    throw bad(`"det" ${JSON.stringify(o.det.slice(0, 60))} is not a DET in IPv6 notation`);
  }
  if (typeof o.hi !== 'string' || !/^[0-9a-fA-F]{64}$/.test(o.hi)) throw bad('"hi" is not 64 hex digits (a raw Ed25519 public key)');
  const hi = fromHex(o.hi);
  for (const k of ['raa', 'hda'] as const) {
    if (!Number.isInteger(o[k]) || (o[k] as number) < 0 || (o[k] as number) > DET_AUTHORITY_MAX) throw bad(`"${k}" is not a whole number 0..${DET_AUTHORITY_MAX}`);
  }
  if (o.suite !== HHIT_SUITE_ED25519) throw bad(`"suite" ${JSON.stringify(o.suite)} is not ${HHIT_SUITE_ED25519} (Ed25519 with cSHAKE128), the only one supported`);
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length > 64)) throw bad('"name" is not text of at most 64 characters');
  const f = detFields(det);
  if (f.prefix !== DET_PREFIX || f.raa !== o.raa || f.hda !== o.hda || f.suite !== o.suite) throw bad(`"det" ${o.det} does not carry RAA ${o.raa}, HDA ${o.hda} and suite ${o.suite}`);
  if (!detMatchesHostIdentity(det, hi)) throw bad(`"det" ${o.det} is not the hash of "hi": the two do not belong together`);
  return { ...(o.name ? { name: o.name as string } : {}), det, hi, raa: o.raa as number, hda: o.hda as number, suite: o.suite };
}

export function readIdentity(file: string): DripIdentity {
  return parseIdentity(readTrustFile(file, IDENTITY_FILE_MAX_BYTES, EXPECTED_IDENTITY), file);
}

/** Where `rid-keys create` puts the two files of an identity named `name` in `dir`. */
export function keyFilePaths(dir: string, name: string): { keyFile: string; identityFile: string } {
  return { keyFile: path.join(dir, `${name}${KEY_FILE_SUFFIX}`), identityFile: path.join(dir, `${name}${IDENTITY_FILE_SUFFIX}`) };
}

/** The identity file that goes with a key file (NAME.key.pem -> NAME.id.json), when the name says so. */
export function identityFileFor(keyFile: string): string | undefined {
  return keyFile.endsWith(KEY_FILE_SUFFIX) ? `${keyFile.slice(0, -KEY_FILE_SUFFIX.length)}${IDENTITY_FILE_SUFFIX}` : undefined;
}

/**
 * Writes the private key (PKCS#8 PEM, mode 0600) and the public identity (mode 0644) of a key pair; neither
 * may exist unless `force` is given, and nothing is written if one does.
 */
export function writeKeyPair(dir: string, name: string, pair: DripKeyPair, opts: { force?: boolean } = {}): { keyFile: string; identityFile: string } {
  if (!KEY_NAME.test(name)) throw new TrustError('bad-file', name, 'is not a usable name', 'use 1..64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new TrustError('unreadable', dir, 'does not exist', 'create the directory first');
  }
  if (!st.isDirectory()) throw new TrustError('bad-file', dir, 'is not a directory');
  const files = keyFilePaths(dir, name);
  refuseExisting([files.keyFile, files.identityFile], opts.force);
  const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  writeNewFile(files.keyFile, pem, { mode: 0o600, force: opts.force });
  writeNewFile(files.identityFile, identityToJson({ ...pair.identity, name: pair.identity.name ?? name }), { mode: 0o644, force: opts.force });
  return files;
}

const EXPECTED_KEY = 'an Ed25519 private key (PKCS#8 PEM, as rid-keys create writes)';

/** A private key file: a regular file only its owner can read, holding a PKCS#8 PEM Ed25519 key. */
export function readPrivateKey(file: string): KeyObject {
  const text = readTrustFile(file, KEY_FILE_MAX_BYTES, EXPECTED_KEY);
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new TrustError('insecure-key', file, `others may read this private key (mode ${mode.toString(8).padStart(4, '0')})`, `chmod 600 ${file}`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    // The library's words could quote the file; say only what was expected.
    throw new TrustError('bad-file', file, `is not ${EXPECTED_KEY}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new TrustError('bad-file', file, `holds a ${key.asymmetricKeyType ?? 'unknown'} key; expected ${EXPECTED_KEY}`);
  return key;
}

/** A signer: a private key with its identity, checked to belong together. */
export function loadKeyPair(keyFile: string, identityFile?: string): DripKeyPair {
  const privateKey = readPrivateKey(keyFile);
  const idFile = identityFile ?? identityFileFor(keyFile);
  if (!idFile) throw new TrustError('bad-file', keyFile, `has no identity file beside it (NAME${KEY_FILE_SUFFIX} goes with NAME${IDENTITY_FILE_SUFFIX})`, 'give the identity file too');
  const identity = readIdentity(idFile);
  const hi = hostIdentityOf(privateKey);
  if (toHex(hi) !== toHex(identity.hi)) throw new TrustError('key-mismatch', keyFile, `is not the key of ${idFile} (DET ${detToText(identity.det)})`, 'give the identity file written with this key');
  return { privateKey, identity };
}

/** A JSON object from a file's text, or a TrustError naming the file and what it should have been. */
export function parseJsonObject(text: string, source: string, expected: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TrustError('bad-file', source, `is not JSON (${(e as Error).message.slice(0, 80)})`, `expected ${expected}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TrustError('bad-file', source, 'is not a JSON object', `expected ${expected}`);
  return v as Record<string, unknown>;
}
