/**
 * The files behind evidence recordings, on a real file system in a temporary directory: the receiver's key
 * (found through ODID_HOME / XDG_DATA_HOME / HOME, created once with mode 0600 even by receivers starting
 * together, refused when others may read it or it is no Ed25519 PKCS#8 key, never shown in a message), the
 * recording directory's hourly files, and retention deleting only this receiver's own old recordings.
 */

import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandRunner } from '@odid/commands';
import { repoRoot } from '../../../test/support/fixtures.js';
import { TSX_NODE_ARGS } from '../../../test/support/run-cli.js';
import { ClockProbe, clockText } from '../src/outputs/clock-source.js';
import { defaultReceiverKeyPath, keyFingerprint, loadOrCreateDefaultKey, loadPublicKeys, loadReceiverKey, odidHome, rawPublicKey, ReceiverKeyError } from '../src/outputs/receiver-key.js';
import { createEvidenceRecordingWriter } from '../src/outputs/recording-chain.js';
import { createRecordingDirectoryWriter } from '../src/outputs/recording-directory.js';
import { verifyRecording } from '../src/outputs/recording-verify.js';
import { createRecordingWriter } from '../src/outputs/recording.js';
import { deleteOldRecordings, durationText, isOwnRecording, OWN_RECORDING_NAME, parseRetention, recordingFileName } from '../src/outputs/retention.js';
import type { RawFrame } from '../src/outputs/types.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'odid-evidence-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (name: string): string => {
  const d = path.join(scratch, `${dirs++}-${name}`);
  mkdirSync(d, { recursive: true });
  return d;
};

const pemOf = (type: 'ed25519' | 'ec' | 'rsa'): string => {
  const pair =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 1024 });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
};

const errorOf = (f: () => unknown): ReceiverKeyError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ReceiverKeyError);
    return e as ReceiverKeyError;
  }
  throw new Error('no error');
};

const frame = (i: number): RawFrame => ({ t: 1_748_772_000 + i, linkType: 127, data: Uint8Array.of(i & 0xff, 1, 2, 3) });

describe('the receiver key', () => {
  it('this test run keeps its keys out of the user\'s home', () => {
    expect(process.env.ODID_HOME).toBeTruthy();
    expect(path.resolve(process.env.ODID_HOME!).startsWith(path.resolve(tmpdir()))).toBe(true);
  });

  it('ODID_HOME, else $XDG_DATA_HOME/odid (absolute only), else ~/.local/share/odid', () => {
    expect(odidHome({ ODID_HOME: '/srv/odid', XDG_DATA_HOME: '/x', HOME: '/home/u' })).toBe('/srv/odid');
    expect(odidHome({ XDG_DATA_HOME: '/x/data', HOME: '/home/u' })).toBe('/x/data/odid');
    expect(odidHome({ XDG_DATA_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.local/share/odid');
    expect(defaultReceiverKeyPath({ HOME: '/home/u' })).toBe('/home/u/.local/share/odid/receiver-key.pem');
  });

  it('is created on first use (mode 0600, in a directory made 0700), then the same key is loaded', () => {
    const home = path.join(freshDir('home'), 'nested', 'odid');
    const env = { ODID_HOME: home };
    const first = loadOrCreateDefaultKey(env);
    expect(first.created).toBe(true);
    expect(first.path).toBe(path.join(home, 'receiver-key.pem'));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(readFileSync(first.path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    const again = loadOrCreateDefaultKey(env);
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(first.fingerprint).toMatch(/^SHA256:[0-9a-f]{64}$/);
    expect(readdirSync(home)).toEqual(['receiver-key.pem']); // no temporary file left
  });

  it('receivers starting together all end up with one and the same key', async () => {
    const home = freshDir('race');
    const script = path.join(freshDir('race-script'), 'make-key.mts');
    writeFileSync(script, `import { loadOrCreateDefaultKey } from ${JSON.stringify(path.join(repoRoot, 'packages/receiver/src/outputs/receiver-key.ts'))};\nprocess.stdout.write(loadOrCreateDefaultKey().fingerprint);\n`);
    const runs = Array.from({ length: 4 }, () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [...TSX_NODE_ARGS, script], { cwd: repoRoot, env: { ...process.env, ODID_HOME: home } });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
      }),
    );
    const prints = await Promise.all(runs);
    expect(new Set(prints).size).toBe(1);
    expect(prints[0]).toBe(loadReceiverKey(path.join(home, 'receiver-key.pem')).fingerprint);
  });

  it('a key file others may read, a passphrase, another algorithm, no key at all: refused, saying why, never showing the key', () => {
    const dir = freshDir('bad-keys');
    const write = (name: string, text: string, mode = 0o600): string => {
      const f = path.join(dir, name);
      writeFileSync(f, text, { mode });
      chmodSync(f, mode);
      return f;
    };
    const pem = pemOf('ed25519');
    const open = write('open.pem', pem, 0o644);
    const tooOpen = errorOf(() => loadReceiverKey(open));
    expect(tooOpen).toMatchObject({ code: 'too-open', fix: `chmod 600 ${open}` });
    expect(tooOpen.message).toContain('mode 0644');
    const body = pem.split('\n')[1]!;
    expect(tooOpen.message).not.toContain(body);
    const encrypted = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    expect(errorOf(() => loadReceiverKey(write('enc.pem', encrypted))).code).toBe('encrypted');
    expect(errorOf(() => loadReceiverKey(write('ec.pem', pemOf('ec')))).code).toBe('not-ed25519');
    expect(errorOf(() => loadReceiverKey(write('text.pem', 'hello'))).code).toBe('not-a-key');
    const broken = write('broken.pem', pem.replace(body, body.slice(0, 10) + 'AAAA' + body.slice(14)));
    const brokenError = errorOf(() => loadReceiverKey(broken));
    expect(brokenError.code).toBe('not-a-key');
    expect(brokenError.message).not.toContain(body.slice(14, 40));
    expect(errorOf(() => loadReceiverKey(path.join(dir, 'missing.pem'))).code).toBe('no-key');
    expect(errorOf(() => loadReceiverKey(dir)).code).toBe('not-a-file');
    expect(errorOf(() => loadReceiverKey(write('big.pem', 'x'.repeat(100_000)))).code).toBe('too-large');
    // A default key that became readable by others is refused too, not silently used.
    const home = freshDir('open-home');
    writeFileSync(path.join(home, 'receiver-key.pem'), pem, { mode: 0o640 });
    chmodSync(path.join(home, 'receiver-key.pem'), 0o640);
    expect(errorOf(() => loadOrCreateDefaultKey({ ODID_HOME: home })).code).toBe('too-open');
  });

  it('public keys for rid-verify --key: one or several PEM public keys, or a private key file', () => {
    const dir = freshDir('public');
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    const both = path.join(dir, 'trusted.pem');
    writeFileSync(both, `${a.publicKey.export({ type: 'spki', format: 'pem' }) as string}\n${b.publicKey.export({ type: 'spki', format: 'pem' }) as string}`);
    expect(loadPublicKeys(both).map(keyFingerprint)).toEqual([keyFingerprint(rawPublicKey(a.publicKey)), keyFingerprint(rawPublicKey(b.privateKey))]);
    const priv = path.join(dir, 'private.pem');
    writeFileSync(priv, a.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(loadPublicKeys(priv).map(keyFingerprint)).toEqual([keyFingerprint(rawPublicKey(a.publicKey))]);
    const rsa = path.join(dir, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(errorOf(() => loadPublicKeys(rsa)).code).toBe('not-ed25519');
  });
});

describe('the recording directory and retention', () => {
  const key = loadOrCreateDefaultKey({ ODID_HOME: freshDir('retention-key') });
  const otherKey = loadOrCreateDefaultKey({ ODID_HOME: freshDir('other-key') });

  /** A closed evidence recording at `file`, signed with `k`. */
  const writeRecording = async (file: string, k = key): Promise<void> => {
    const w = createEvidenceRecordingWriter(createWriteStream(file), { key: k, software: 'test' });
    w.write(frame(1));
    await w.close();
  };
  const age = (file: string, hours: number): void => {
    const t = new Date(Date.now() - hours * 3_600_000);
    utimesSync(file, t, t);
  };

  it('names recordings by their start time, in UTC, and only those names are looked at', () => {
    expect(recordingFileName(Date.UTC(2025, 5, 1, 10, 0, 5, 250))).toBe('rid-scan-20250601T100005Z.cbor');
    expect(recordingFileName(Date.UTC(2025, 5, 1, 10), 3)).toBe('rid-scan-20250601T100000Z-3.cbor');
    for (const ok of ['rid-scan-20250601T100000Z.cbor', 'rid-scan-20250601T100000Z-12.cbor']) expect(OWN_RECORDING_NAME.test(ok)).toBe(true);
    for (const no of ['session.cbor', 'rid-scan-20250601T100000Z.cbor.bak', 'x-rid-scan-20250601T100000Z.cbor', 'rid-scan-2025-06-01.cbor']) expect(OWN_RECORDING_NAME.test(no)).toBe(false);
  });

  it('--retain durations: 30m, 24h, 7d, 1.5h; anything else is a usage error', () => {
    const parse = parseRetention('--retain');
    expect([parse('30m'), parse('24h'), parse('7d'), parse('1.5h')]).toEqual([1_800_000, 86_400_000, 604_800_000, 5_400_000]);
    for (const bad of ['', '24', 'h', '0m', '30s', '-1d', '1y', '99999d', 'NaNh']) expect(() => parse(bad), bad).toThrow(expect.objectContaining({ code: 'bad-value', exitCode: 2 }));
    expect([86_400_000, 1_800_000, 5_400_000, 604_800_000, 172_800_000, 90 * 60_000].map(durationText)).toEqual(['24h', '30m', '1.5h', '7d', '2d', '1.5h']);
  });

  it('deletes only old recordings of its own: young ones, other keys\', version 1, other names, links and the current file survive', async () => {
    const dir = freshDir('retain');
    const name = (h: number, n = 1): string => path.join(dir, recordingFileName(Date.UTC(2025, 0, 1, h), n));
    const oldOwn = name(1);
    const oldOwn2 = name(1, 2);
    const youngOwn = name(2);
    const current = name(3);
    const otherKeys = name(4);
    const v1 = name(5);
    const notRecording = name(6);
    const unrelated = path.join(dir, 'notes.txt');
    const ownButRenamed = path.join(dir, 'evidence-case-17.cbor');
    const link = name(7);
    const subdir = name(8);
    await writeRecording(oldOwn);
    await writeRecording(oldOwn2);
    await writeRecording(youngOwn);
    await writeRecording(current);
    await writeRecording(otherKeys, otherKey);
    await writeRecording(ownButRenamed);
    const w1 = createRecordingWriter(createWriteStream(v1));
    w1.write(frame(1));
    await w1.close();
    writeFileSync(notRecording, 'not a recording');
    writeFileSync(unrelated, 'keep me');
    symlinkSync(oldOwn, link);
    mkdirSync(subdir);
    for (const f of [oldOwn, oldOwn2, current, otherKeys, v1, notRecording, unrelated, ownButRenamed, subdir]) age(f, 48);
    age(youngOwn, 23);

    expect(isOwnRecording(oldOwn, key.publicKey)).toBe(true);
    expect(isOwnRecording(otherKeys, key.publicKey)).toBe(false);
    expect(isOwnRecording(link, key.publicKey)).toBe(false);
    const r = deleteOldRecordings({ dir, maxAgeMs: 24 * 3_600_000, publicKey: key.publicKey, keep: () => [current] });
    expect([...r.deleted].sort()).toEqual([oldOwn, oldOwn2].sort());
    expect(r.failed).toEqual([]);
    for (const f of [oldOwn, oldOwn2]) expect(existsSync(f)).toBe(false);
    for (const f of [youngOwn, current, otherKeys, v1, notRecording, unrelated, ownButRenamed, subdir]) expect(existsSync(f), f).toBe(true);
    // The link now points at nothing, and is still not deleted (it is not a file of ours).
    expect(readdirSync(dir)).toContain(path.basename(link));
    // Nothing more to do on a second pass.
    expect(deleteOldRecordings({ dir, maxAgeMs: 24 * 3_600_000, publicKey: key.publicKey, keep: () => [current] })).toEqual({ deleted: [], failed: [] });
  });

  it('a directory writer starts a new file every hour, each a complete recording on its own', async () => {
    const dir = freshDir('rotate');
    let ms = Date.UTC(2025, 5, 1, 10, 0, 0);
    const started: string[] = [];
    const w = createRecordingDirectoryWriter({ key, software: 'test', dir, now: () => ms, open: (f) => createWriteStream(f), onFile: (f) => started.push(f) });
    // A name already taken (another receiver in the same directory, the same second) is not reused.
    expect(w.files).toEqual([path.join(dir, 'rid-scan-20250601T100000Z.cbor')]);
    for (let i = 0; i < 10; i++) {
      w.write(frame(i));
      ms += 15 * 60_000;
    }
    await w.close();
    expect(started).toEqual(w.files);
    expect(w.files.map((f) => path.basename(f))).toEqual(['rid-scan-20250601T100000Z.cbor', 'rid-scan-20250601T110000Z.cbor', 'rid-scan-20250601T120000Z.cbor']);
    let frames = 0;
    for (const f of w.files) {
      const r = await verifyRecording([readFileSync(f)]);
      expect(r.status, f).toBe('complete');
      frames += r.frames;
    }
    expect(frames).toBe(10);
    // Another writer starting in the same second takes the next free name.
    const w2 = createRecordingDirectoryWriter({ key, software: 'test', dir, now: () => Date.UTC(2025, 5, 1, 10), open: (f) => createWriteStream(f) });
    await w2.close();
    expect(w2.files.map((f) => path.basename(f))).toEqual(['rid-scan-20250601T100000Z-2.cbor']);
  });
});

describe('the clock a seal states', () => {
  it('asks timedatectl for the kernel\'s synchronised flag, at most every ten minutes; without an answer it is unknown', async () => {
    let answer = { code: 0, stdout: 'yes\n', stderr: '' };
    const asked: string[][] = [];
    const run: CommandRunner = async (cmd, args) => {
      asked.push([cmd, ...args]);
      return answer;
    };
    let now = 0;
    const probe = new ClockProbe(run, () => now);
    expect(probe.report()).toEqual({ source: 'system' }); // asked in the background, not known yet
    await new Promise((r) => setImmediate(r));
    expect(asked).toEqual([['timedatectl', 'show', '--property=NTPSynchronized', '--value']]);
    expect(probe.report()).toEqual({ source: 'system', synchronised: true, checkedWith: 'timedatectl' });
    expect(clockText(probe.report())).toBe('system clock, synchronised (timedatectl)');
    answer = { code: 0, stdout: 'no\n', stderr: '' };
    now += 9 * 60_000;
    probe.report();
    expect(asked.length).toBe(1);
    now += 60_000;
    probe.report();
    await new Promise((r) => setImmediate(r));
    expect(probe.report().synchronised).toBe(false);
    // No systemd (a container): timedatectl fails, and the seal says only "system".
    answer = { code: 1, stdout: '', stderr: 'System has not been booted with systemd' };
    await probe.refresh();
    expect(probe.report()).toEqual({ source: 'system' });
    expect(clockText(probe.report())).toBe('system clock (whether it was synchronised is unknown)');
  });
});
