/**
 * The receiver's own signing key: an Ed25519 private key in a PKCS#8 PEM file readable by its owner only
 * (mode 0600), loaded with node:crypto. rid-scan signs its recordings' seals with it (recording-chain.ts), so
 * a recording shows which receiver made it. Without `--key FILE` the key is `$ODID_HOME/receiver-key.pem`,
 * created on first use. Nothing here ever prints or returns the private key's bytes.
 */

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ToolkitError } from '@odid/codec';

/** Ed25519 public keys are 32 bytes. */
export const PUBLIC_KEY_BYTES = 32;
/** A PEM key is a few hundred bytes; a file of many public keys (a trust list) stays far below this. */
const KEY_FILE_MAX_BYTES = 64 * 1024;

export type ReceiverKeyErrorCode =
  | 'no-key' // nothing at the path
  | 'unreadable' // cannot be opened or read
  | 'not-a-file'
  | 'too-large'
  | 'too-open' // others may read the private key
  | 'encrypted' // a passphrase-protected key: not supported
  | 'not-a-key' // no PEM key in it, or one node:crypto cannot read
  | 'not-ed25519'
  | 'cannot-create';

export class ReceiverKeyError extends ToolkitError {
  override readonly name = 'ReceiverKeyError';
  declare readonly code: ReceiverKeyErrorCode;
  constructor(code: ReceiverKeyErrorCode, file: string, reason: string, fix?: string, cause?: unknown) {
    super(code, reason, { subject: file, ...(fix ? { fix } : {}), ...(cause === undefined ? {} : { cause }) });
  }
}

export interface ReceiverKey {
  /** Where it was read from. */
  readonly path: string;
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key, as recordings carry it. */
  readonly publicKey: Uint8Array;
  readonly fingerprint: string;
  /** True when this call created the file (first use of the default key). */
  readonly created: boolean;
}

/**
 * The toolkit's data directory: $ODID_HOME, else $XDG_DATA_HOME/odid, else ~/.local/share/odid (relative
 * values are ignored, as the XDG specification says).
 */
export function odidHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ODID_HOME) return path.resolve(env.ODID_HOME);
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'odid');
  return path.join(env.HOME || homedir(), '.local', 'share', 'odid');
}

export const defaultReceiverKeyPath = (env: NodeJS.ProcessEnv = process.env): string => path.join(odidHome(env), 'receiver-key.pem');

/** "SHA256:" and the hex SHA-256 of the raw public key: what the tools print to name a key. */
export function keyFingerprint(publicKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(publicKey).digest('hex')}`;
}

/** The raw 32 bytes of an Ed25519 public (or private) key. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
}

/** A public KeyObject from the raw bytes a recording's header carries. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** A key file's bytes: a regular file, bounded, read through one descriptor (what is checked is what is read). */
function readKeyFile(file: string, opts: { privateKey: boolean }): { text: string; mode: number } {
  let fd: number;
  try {
    // O_NOFOLLOW is not used: a key kept elsewhere and linked is common; the mode of the file itself counts.
    fd = openSync(file, constants.O_RDONLY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ReceiverKeyError('no-key', file, 'no such file', opts.privateKey ? 'give a PKCS#8 PEM Ed25519 private key, or leave --key out to use the default key' : undefined, e);
    throw new ReceiverKeyError('unreadable', file, `cannot open: ${code ?? (e as Error).message}`, undefined, e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ReceiverKeyError('not-a-file', file, 'not a regular file');
    if (st.size > KEY_FILE_MAX_BYTES) throw new ReceiverKeyError('too-large', file, `larger than ${KEY_FILE_MAX_BYTES / 1024} KiB: not a key file`);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return { text: buf.subarray(0, n).toString('latin1'), mode: st.mode & 0o777 };
  } catch (e) {
    if (e instanceof ReceiverKeyError) throw e;
    throw new ReceiverKeyError('unreadable', file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, undefined, e);
  } finally {
    closeSync(fd);
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Loads a receiver's private key (--key FILE, or the default one). Throws a ReceiverKeyError saying what is wrong. */
export function loadReceiverKey(file: string, created = false): ReceiverKey {
  const { text, mode } = readKeyFile(file, { privateKey: true });
  if (mode & 0o077) {
    throw new ReceiverKeyError('too-open', file, `the private key may be read by other users (mode ${mode.toString(8).padStart(4, '0')})`, `chmod 600 ${file}`);
  }
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.some((b) => b[1] === 'ENCRYPTED PRIVATE KEY')) throw new ReceiverKeyError('encrypted', file, 'the key is protected by a passphrase', 'give an unencrypted PKCS#8 key (kept readable by its owner only)');
  const pem = blocks.find((b) => b[1] === 'PRIVATE KEY');
  if (!pem) throw new ReceiverKeyError('not-a-key', file, 'no PKCS#8 private key in it (a PEM "-----BEGIN PRIVATE KEY-----" block)');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem[0], format: 'pem' });
  } catch (e) {
    // node:crypto's message names the decoder's trouble, never the key's bytes.
    throw new ReceiverKeyError('not-a-key', file, `not a readable PKCS#8 private key (${(e as Error).message})`, undefined, e);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ReceiverKeyError('not-ed25519', file, `an ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  const publicKey = rawPublicKey(privateKey);
  return { path: file, privateKey, publicKey, fingerprint: keyFingerprint(publicKey), created };
}

/**
 * The default key, created on first use: a new key is written whole to a private temporary file and then
 * linked to its name, which fails if the name exists — so two receivers starting at once end up with the
 * same key, and nobody ever reads half a file.
 */
export function loadOrCreateDefaultKey(env: NodeJS.ProcessEnv = process.env): ReceiverKey {
  const file = defaultReceiverKeyPath(env);
  try {
    return loadReceiverKey(file);
  } catch (e) {
    if (!(e instanceof ReceiverKeyError && e.code === 'no-key')) throw e;
  }
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.receiver-key.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  let created = false;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, pem);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, file);
      created = true;
    } catch (e) {
      // Another receiver made it first: use that one.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  } catch (e) {
    throw new ReceiverKeyError('cannot-create', file, `cannot create the receiver key: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'set ODID_HOME to a writable directory, or give --key FILE', e);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // never made
    }
  }
  return loadReceiverKey(file, created);
}

/**
 * The public keys in a file (rid-verify --key): PEM public keys (SPKI), one or several, or a private key
 * whose public half is meant. Ed25519 only.
 */
export function loadPublicKeys(file: string): Uint8Array[] {
  const { text } = readKeyFile(file, { privateKey: false });
  const keys: Uint8Array[] = [];
  for (const block of text.matchAll(PEM_BLOCK)) {
    if (block[1] !== 'PUBLIC KEY' && block[1] !== 'PRIVATE KEY') continue;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: block[0], format: 'pem' });
    } catch (e) {
      throw new ReceiverKeyError('not-a-key', file, `a ${block[1]} block node:crypto cannot read (${(e as Error).message})`, undefined, e);
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new ReceiverKeyError('not-ed25519', file, `an ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
    keys.push(rawPublicKey(key));
  }
  if (keys.length === 0) throw new ReceiverKeyError('not-a-key', file, 'no PEM public key in it ("-----BEGIN PUBLIC KEY-----")');
  return keys;
}
