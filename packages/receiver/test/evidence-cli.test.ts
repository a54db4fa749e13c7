/**
 * Evidence recordings end to end, as a user makes and checks them: real rid-scan runs (a fixture capture
 * replayed fast, the simulated scene) write the recordings, rid-verify judges them and copies of them
 * damaged the ways the brief names, each with its exit status and the record it names. Every run has an
 * ODID_HOME of its own in a temporary directory.
 */

import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decoder, Encoder } from 'cbor-x';
import { CaptureReader } from '@odid/codec';
import { fixturePath, repoRoot } from '../../../test/support/fixtures.js';
import { TSX_NODE_ARGS } from '../../../test/support/run-cli.js';
import { keyFingerprint, loadReceiverKey, rawPublicKey } from '../src/outputs/receiver-key.js';
import { createRecordingWriter, RECORDING_DECODER_OPTIONS, RECORDING_ENCODER_OPTIONS } from '../src/outputs/recording.js';

const CAPTURE = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng');
const scratch = mkdtempSync(path.join(tmpdir(), 'odid-evidence-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const file = (name: string): string => path.join(scratch, name);

interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}

function cli(program: 'rid-scan' | 'rid-verify', args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [...TSX_NODE_ARGS, path.join(repoRoot, `packages/receiver/src/cli/${program}.ts`), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const verify = (rec: string, ...args: string[]): Run => cli('rid-verify', [...args, rec]);
/** The tracks rid-scan makes of the capture itself (what a recording of it must replay to), run once. */
let captureTracks: unknown;
const tracksOfCapture = (): unknown => (captureTracks ??= JSON.parse(cli('rid-scan', ['--replay', CAPTURE, '--fast', '--once', '--json']).stdout));
const verifyJson = (rec: string, ...args: string[]): { status: number | null; report: Record<string, any> } => {
  const r = verify(rec, '--json', ...args);
  return { status: r.status, report: JSON.parse(r.stdout) as Record<string, any> };
};

interface Item {
  offset: number;
  bytes: Buffer;
  kind: unknown;
}

/** The items of a recording and their offsets (decoded and re-encoded by cbor-x, checked to give the file back). */
function items(bytes: Buffer): Item[] {
  const values = new Decoder(RECORDING_DECODER_OPTIONS).decodeMultiple(bytes) as Record<string, unknown>[];
  const enc = new Encoder(RECORDING_ENCODER_OPTIONS);
  let offset = 0;
  const out = values.map((v) => {
    const b = Buffer.from(enc.encode(v));
    const item = { offset, bytes: b, kind: v.kind };
    offset += b.length;
    return item;
  });
  expect(Buffer.concat(out.map((i) => i.bytes)).equals(bytes)).toBe(true);
  return out;
}

const home = file('home');
let recording = '';
let bytes: Buffer;
let list: Item[];
let fingerprint = '';

beforeAll(() => {
  recording = file('session.cbor');
  const r = cli('rid-scan', ['--replay', CAPTURE, '--fast', '--once', '--record', recording, '--seal-frames', '40'], { ODID_HOME: home });
  expect(r.status, r.stderr).toBe(0);
  const key = loadReceiverKey(path.join(home, 'receiver-key.pem'));
  fingerprint = key.fingerprint;
  // rid-scan says once that it made the key, and names it by its fingerprint; never the key itself.
  expect(r.stderr).toContain(`rid-scan: created the receiver key ${path.join(home, 'receiver-key.pem')} (${fingerprint})`);
  const pemBody = readFileSync(key.path, 'utf8').split('\n')[1]!;
  expect(r.stderr + r.stdout).not.toContain(pemBody);
  expect(statSync(key.path).mode & 0o777).toBe(0o600);
  bytes = readFileSync(recording);
  list = items(bytes);
});

const sealIndexes = (): number[] => list.flatMap((it, i) => (it.kind === 'seal' ? [i] : []));
const withItems = (order: number[]): string => {
  const out = file(`tampered-${Math.random().toString(36).slice(2)}.cbor`);
  writeFileSync(out, Buffer.concat(order.map((i) => list[i]!.bytes)));
  return out;
};

describe('rid-verify on recordings rid-scan made', () => {
  it('a fresh recording verifies: exit 0, its frames, seals and the key that signed it', () => {
    const text = verify(recording);
    expect(text.status, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${recording.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: VERIFIED: complete and unaltered: 274 frames in ${list.length - 1} records, ${sealIndexes().length} seals, closed by seal ${sealIndexes().length} at record ${list.length - 1}, time 20\\d\\d-`));
    expect(text.stdout).toContain(`signed by key ${fingerprint}`);
    expect(text.stdout).toMatch(/written by @odid\/receiver \d+\.\d+\.\d+ \(Node v\d+.*\(rid-scan\)/);
    expect(text.stdout).toMatch(/receiver position not known; system clock/);
    const { status, report } = verifyJson(recording);
    expect(status).toBe(0);
    expect(report).toMatchObject({ status: 'complete', frames: 274, seals: sealIndexes().length, unsealed: 0, exitCode: 0, key: { fingerprint } });
    expect(sealIndexes().length).toBeGreaterThan(5);
    // Version 2 replays like any recording: the same tracks as the capture it was made from.
    const fromRecording = cli('rid-scan', ['--replay', recording, '--fast', '--once', '--json']);
    expect(fromRecording.status, fromRecording.stderr).toBe(0);
    expect(JSON.parse(fromRecording.stdout)).toEqual(tracksOfCapture());
  });

  it('one byte changed, one record removed, two swapped: exit 1, the record named', () => {
    const k = list.findIndex((it, i) => i > 100 && it.kind === undefined);
    const changed = Buffer.from(bytes);
    const at = list[k]!.offset + list[k]!.bytes.indexOf(Buffer.from('seq')) - 2; // the frame's last data byte
    changed[at] = changed[at]! ^ 0x20;
    const changedFile = file('changed.cbor');
    writeFileSync(changedFile, changed);
    const text = verify(changedFile);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`ALTERED: record ${k} was changed: record ${k + 1} links to SHA-256 [0-9a-f]{16}…, the bytes found hash to [0-9a-f]{16}… \\(record ${k}, byte offset ${list[k]!.offset}\\)`));
    expect(text.stdout).toMatch(new RegExp(`what comes before it is proven by seal \\d+ at record ${sealIndexes().filter((s) => s < k).at(-1)}`));

    const all = list.map((_, i) => i);
    const removed = verifyJson(withItems(all.filter((i) => i !== k)));
    expect(removed.status).toBe(1);
    expect(removed.report.problem).toMatchObject({ kind: 'removed', record: k, offset: list[k]!.offset, expected: `record ${k}`, found: `record ${k + 1}` });

    const order = all.slice();
    [order[k], order[k + 1]] = [order[k + 1]!, order[k]!];
    const swapped = verifyJson(withItems(order));
    expect(swapped.status).toBe(1);
    expect(swapped.report.problem).toMatchObject({ kind: 'reordered', record: k, offset: list[k]!.offset });
  });

  it('cut mid-record, as a power loss leaves it: verified up to its last seal, exit 3, the cut named', () => {
    const seals = sealIndexes();
    const k = seals.at(-3)! + 7; // seven records after a seal: six whole ones unsealed, the seventh cut
    const cutAt = list[k]!.offset + 20;
    const cut = file('power-loss.cbor');
    writeFileSync(cut, bytes.subarray(0, cutAt));
    const text = verify(cut);
    expect(text.status).toBe(3);
    const sealNo = seals.length - 2;
    expect(text.stdout).toMatch(
      new RegExp(`INCOMPLETE: verified up to seal ${sealNo} at record ${seals.at(-3)}, time 20\\d\\d-[^;]+; 6 records after it unsealed; the file ends mid-record at offset ${list[k]!.offset} \\(record ${k}, 20 bytes of it\\)`),
    );
    expect(text.stdout).toMatch(/never closed: cut short by a power loss or a crash/);
    const { report } = verifyJson(cut);
    expect(report).toMatchObject({ status: 'incomplete', unsealed: 6, endsMidRecord: { record: k, offset: list[k]!.offset, bytes: 20 }, lastSeal: { seal: sealNo, record: seals.at(-3), final: false }, exitCode: 3 });
    // Cut just after a seal (whole records only): the same verdict, without a part record.
    const clean = file('clean-cut.cbor');
    writeFileSync(clean, bytes.subarray(0, list[seals.at(-2)! + 1]!.offset));
    const cleanReport = verifyJson(clean).report;
    expect(cleanReport).toMatchObject({ status: 'incomplete', unsealed: 0, lastSeal: { seal: seals.length - 1 } });
    expect(cleanReport.endsMidRecord).toBeUndefined();
  });

  it('a recording signed by another key names that key; --key of the expected one refuses it (exit 1), of its own accepts it', () => {
    const otherKey = file('other-receiver.pem');
    const pair = generateKeyPairSync('ed25519');
    writeFileSync(otherKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const other = file('other.cbor');
    const scan = cli('rid-scan', ['--replay', CAPTURE, '--fast', '--once', '--record', other, '--key', otherKey], { ODID_HOME: home });
    expect(scan.status, scan.stderr).toBe(0);
    expect(scan.stderr).not.toMatch(/created the receiver key/);
    const otherPrint = keyFingerprint(rawPublicKey(pair.publicKey));
    expect(otherPrint).not.toBe(fingerprint);
    const plain = verify(other);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain(`signed by key ${otherPrint} (the key its header names`);

    const expectedPub = file('expected-public.pem');
    writeFileSync(expectedPub, loadReceiverKey(path.join(home, 'receiver-key.pem')).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const wrong = verify(other, '--key', expectedPub);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain(`WRONG KEY: intact, but signed by key ${otherPrint}, not by the expected key (${fingerprint})`);
    const otherPub = file('other-public.pem');
    writeFileSync(otherPub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    const right = verify(other, '--key', otherPub);
    expect(right.status).toBe(0);
    expect(right.stdout).toContain(`signed by key ${otherPrint} (the expected key)`);
    expect(verify(recording, '--trust').status).toBe(0);
  });

  it('a version 1 recording still replays, and is said not to be evidence (exit 4)', async () => {
    const reader = new CaptureReader();
    const frames = [...reader.push(new Uint8Array(readFileSync(CAPTURE))), ...reader.end()];
    const v1 = file('old.cbor');
    const chunks: Uint8Array[] = [];
    const w = createRecordingWriter({ write: (c: Uint8Array) => void chunks.push(Uint8Array.from(c)) }, { created: 1_700_000_000, application: 'rid-scan' });
    for (const f of frames) w.write({ t: f.timestamp, linkType: f.linkType, data: f.data });
    await w.close();
    writeFileSync(v1, Buffer.concat(chunks));
    const replay = cli('rid-scan', ['--replay', v1, '--fast', '--once', '--json']);
    expect(replay.status, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual(tracksOfCapture());
    const r = verify(v1);
    expect(r.status).toBe(4);
    expect(r.stdout).toBe(`${v1}: not an evidence recording (format v1): it replays, but has no hash chain or signatures to verify\n  written by unknown software (rid-scan), started 2023-11-14T22:13:20.000Z\n`);
  });

  it('the built rid-verify (the package\'s bin, plain node) gives the report the sources give', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'packages/receiver/package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = path.join(repoRoot, 'packages/receiver', pkg.bin['rid-verify']!);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const built = spawnSync(process.execPath, [bin, '--json', recording], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout)).toEqual(verifyJson(recording).report);
  });

  it('usage: no file, a missing file, --key with --trust, a capture instead of a recording', () => {
    expect(cli('rid-verify', []).status).toBe(2);
    const missing = verify(file('nothing-here.cbor'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`rid-verify: cannot read ${file('nothing-here.cbor')}: no such file\n`);
    expect(verify(recording, '--key', file('x.pem'), '--trust').status).toBe(2);
    expect(verify(recording, '--key', file('no-key.pem')).stderr).toMatch(/^rid-verify: --key .*no-key\.pem: no such file\n$/);
    const capture = verify(CAPTURE);
    expect(capture.status).toBe(1);
    expect(capture.stdout).toMatch(/not a Remote ID recording/);
    const help = cli('rid-verify', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Exit status:\n  0  verified[\s\S]*  3  incomplete[\s\S]*  4  not an evidence recording/);
  });
});

describe('rid-scan --key, --record-dir and --retain', () => {
  it('a key file others may read is refused before anything is written (exit 2); so are --retain without --record-dir and --key without a recording', () => {
    const loose = file('loose.pem');
    writeFileSync(loose, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    chmodSync(loose, 0o644);
    const rec = file('never.cbor');
    const r = cli('rid-scan', ['--replay', CAPTURE, '--fast', '--once', '--record', rec, '--key', loose]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`rid-scan: ${loose}: the private key may be read by other users (mode 0644). Fix: chmod 600 ${loose}\n`);
    expect(existsSync(rec)).toBe(false);
    expect(cli('rid-scan', ['--replay', CAPTURE, '--fast', '--once', '--retain', '24h']).stderr).toMatch(/--retain goes with --record-dir/);
    expect(cli('rid-scan', ['--replay', CAPTURE, '--fast', '--once', '--key', loose]).stderr).toMatch(/--key goes with --record or --record-dir/);
    expect(cli('rid-scan', ['--sim', '--fast', '--once', '--record-dir', file('no-such-dir')]).stderr).toMatch(/--record-dir .*no-such-dir: no such directory/);
  });

  it('--retain deletes only this receiver\'s old recordings in the directory, says which, and keeps the young, the foreign and the unrelated', () => {
    const dir = file('recordings');
    mkdirSync(dir);
    const env = { ODID_HOME: home };
    // Two earlier runs of this receiver, one made old; one of another receiver, made old; an unrelated file.
    const first = cli('rid-scan', ['--replay', CAPTURE, '--fast', '--once', '--record-dir', dir], env);
    expect(first.status, first.stderr).toBe(0);
    const [oldOwn] = readdirSync(dir).map((n) => path.join(dir, n));
    expect(first.stderr).toContain(`rid-scan: recording to ${oldOwn}`);
    const foreignHome = file('foreign-home');
    const foreign = cli('rid-scan', ['--replay', CAPTURE, '--fast', '--once', '--record-dir', dir], { ODID_HOME: foreignHome });
    expect(foreign.status, foreign.stderr).toBe(0);
    const foreignFile = readdirSync(dir).map((n) => path.join(dir, n)).find((f) => f !== oldOwn)!;
    const young = cli('rid-scan', ['--replay', CAPTURE, '--fast', '--once', '--record-dir', dir], env);
    expect(young.status, young.stderr).toBe(0);
    const youngOwn = readdirSync(dir).map((n) => path.join(dir, n)).find((f) => f !== oldOwn && f !== foreignFile)!;
    const unrelated = path.join(dir, 'case-notes.txt');
    writeFileSync(unrelated, 'mine');
    const lookalike = path.join(dir, 'rid-scan-20200101T000000Z.cbor');
    writeFileSync(lookalike, 'not a recording, named like one');
    const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000);
    for (const f of [oldOwn!, foreignFile, unrelated, lookalike]) utimesSync(f, twoDaysAgo, twoDaysAgo);

    const run = cli('rid-scan', ['--sim', '--fast', '--duration', '5', '--once', '--record-dir', dir, '--retain', '24h'], env);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`rid-scan: --retain 24h: deleted 1 recording of this receiver last written over 24h ago: ${oldOwn}\n`);
    expect(existsSync(oldOwn!)).toBe(false);
    for (const f of [foreignFile, youngOwn, unrelated, lookalike]) expect(existsSync(f), f).toBe(true);
    // This run's own recording is there, complete.
    const made = /recording to (\S+)/.exec(run.stderr)![1]!;
    expect(verifyJson(made).report).toMatchObject({ status: 'complete', key: { fingerprint } });
    expect(readdirSync(dir).length).toBe(5);
  });
});
