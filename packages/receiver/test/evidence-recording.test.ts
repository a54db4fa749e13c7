/**
 * Evidence recordings in process: the chained, sealed writer (recording-chain.ts) on real frames from a
 * fixture capture, and the verifier (recording-verify.ts) on what it wrote and on copies damaged in every way
 * the brief names — one byte changed, one record removed, two swapped, the file cut mid-record — each found at
 * the record it concerns. Item boundaries for the damage come from decoding and re-encoding with cbor-x (not
 * from the verifier's own scanner), checked to give back the file byte for byte.
 */

import { generateKeyPairSync, hash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Decoder, Encoder } from 'cbor-x';
import { CaptureReader } from '@odid/codec';
import { openOutputFile } from '@odid/commands';
import { describeOutputContract } from '../../../test/contract/output-contract.js';
import { fixturePath } from '../../../test/support/fixtures.js';
import { CborItemError, cborItemEnd, INCOMPLETE } from '../src/outputs/cbor-items.js';
import { keyFingerprint, rawPublicKey } from '../src/outputs/receiver-key.js';
import { createEvidenceRecordingWriter, type EvidenceWriterOptions } from '../src/outputs/recording-chain.js';
import { verifyRecording, type VerifyReport } from '../src/outputs/recording-verify.js';
import { createRecordingWriter, RECORDING_DECODER_OPTIONS, RECORDING_ENCODER_OPTIONS, readRecordingSync } from '../src/outputs/recording.js';
import type { RawFrame } from '../src/outputs/types.js';

const frames: RawFrame[] = (() => {
  const reader = new CaptureReader();
  const bytes = new Uint8Array(readFileSync(fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap')));
  return [...reader.push(bytes), ...reader.end()].map((r) => ({ t: r.timestamp, linkType: r.linkType, data: new Uint8Array(r.data) }));
})();

const newKey = () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: rawPublicKey(privateKey) };
};
const key = newKey();

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A recording of `fs` in memory, sealed after every 10 frames, on a clock that moves 1 ms a call. */
async function record(fs: readonly RawFrame[], opts: Partial<EvidenceWriterOptions> = {}): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let ms = Date.UTC(2025, 5, 1, 10);
  const w = createEvidenceRecordingWriter(
    { write: (c: Uint8Array) => void chunks.push(Uint8Array.from(c)) },
    { key, software: 'test 1.0', application: 'evidence-test', now: () => ms++, sealEveryFrames: 10, sealEveryMs: 3_600_000, ...opts },
  );
  for (const f of fs) w.write(f);
  await w.close();
  return concat(chunks);
}

interface Item {
  offset: number;
  bytes: Uint8Array;
  value: Record<string, unknown>;
}

/** The items of a recording with their offsets, found independently of the verifier's scanner. */
function items(file: Uint8Array): Item[] {
  const values = new Decoder(RECORDING_DECODER_OPTIONS).decodeMultiple(file) as Record<string, unknown>[];
  const enc = new Encoder(RECORDING_ENCODER_OPTIONS);
  let offset = 0;
  const out = values.map((value) => {
    const bytes = Uint8Array.from(enc.encode(value));
    const item = { offset, bytes, value };
    offset += bytes.length;
    return item;
  });
  expect(Buffer.from(concat(out.map((i) => i.bytes))).equals(Buffer.from(file))).toBe(true);
  return out;
}

const verify = (file: Uint8Array, chunk = 4096, expectedKeys?: Uint8Array[]): Promise<VerifyReport> => {
  const parts = Array.from({ length: Math.ceil(file.length / chunk) }, (_, k) => file.subarray(k * chunk, (k + 1) * chunk));
  return verifyRecording(parts, expectedKeys ? { expectedKeys } : {});
};

const findFrame = (list: Item[], from: number): number => list.findIndex((it, i) => i >= from && it.value.kind === undefined);
const sealIndexes = (list: Item[]): number[] => list.flatMap((it, i) => (it.value.kind === 'seal' ? [i] : []));

describe('cborItemEnd: where a CBOR item ends, without decoding it', () => {
  const limits = { maxBytes: 1 << 20, maxDepth: 16 };
  const enc = new Encoder(RECORDING_ENCODER_OPTIONS);
  const values: unknown[] = [
    0, 23, 24, 255, 65_536, 2 ** 40, -1, -500, 1.5, 1e300, Number.NaN, true, null, undefined, '', 'ü€𝄞', 'x'.repeat(300),
    new Uint8Array(0), new Uint8Array(70_000), [], [1, [2, [3, { a: new Uint8Array(3) }]]], { t: 1.25, linkType: 127, data: Uint8Array.of(1, 2, 3) },
    Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])),
  ];

  it('finds the end of every kind of item cbor-x writes, and says INCOMPLETE for every cut of it', () => {
    for (const v of values) {
      const bytes = Uint8Array.from(enc.encode(v));
      const padded = concat([bytes, Uint8Array.of(0x01, 0x02)]);
      expect(cborItemEnd(padded, 0, limits), JSON.stringify(v)).toBe(bytes.length);
      for (let cut = 0; cut < Math.min(bytes.length, 300); cut++) expect(cborItemEnd(bytes.subarray(0, cut), 0, limits)).toBe(INCOMPLETE);
    }
  });

  it('walks indefinite-length strings, arrays and maps and tags (hand-made: cbor-x writes none)', () => {
    const cases: [number[], number][] = [
      [[0x5f, 0x42, 1, 2, 0x41, 3, 0xff], 7], // (_ h'0102', h'03')
      [[0x9f, 0x01, 0x9f, 0xff, 0x82, 2, 3, 0xff], 8], // [_ 1, [_ ], [2, 3]]
      [[0xbf, 0x61, 0x61, 0x01, 0xff], 5], // {_ "a": 1}
      [[0xc1, 0xfb, 0x41, 0xd9, 0, 0, 0, 0, 0, 0], 10], // 1(float)
      [[0x81, 0xbf, 0xff], 3], // [{_ }]
    ];
    for (const [bytes, end] of cases) expect(cborItemEnd(Uint8Array.from([...bytes, 0x00]), 0, limits)).toBe(end);
  });

  it('refuses what is no item, and what is larger or deeper than the limits, before reading it all', () => {
    const err = (bytes: number[], lim = limits): CborItemError => {
      try {
        cborItemEnd(Uint8Array.from(bytes), 0, lim);
      } catch (e) {
        return e as CborItemError;
      }
      throw new Error('no error');
    };
    expect(err([0xff]).reason).toMatch(/break/);
    expect(err([0x1c]).reason).toMatch(/reserved/);
    expect(err([0xdf, 0]).reason).toMatch(/reserved/); // no indefinite tag
    // A byte string claiming 4 GiB, with 2 bytes of it there: refused now, not waited for.
    expect(err([0x5a, 0xff, 0xff, 0xff, 0xff, 1, 2]).reason).toMatch(/larger than/);
    expect(err([0x9a, 0xff, 0xff, 0xff, 0xff]).reason).toMatch(/larger than/);
    expect(err(new Array(40).fill(0x81), { maxBytes: 1000, maxDepth: 16 }).reason).toMatch(/nested deeper than 16/);
  });
});

describe('evidence recording: the writer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('chains every record to the bytes of the one before and seals every N records and at close; the replay reader reads it', async () => {
    const file = await record(frames);
    const list = items(file);
    const header = list[0]!.value;
    expect(header).toMatchObject({ format: 'odid-recording', version: 2, chain: 'sha256', keyAlgorithm: 'Ed25519', software: 'test 1.0', application: 'evidence-test' });
    expect(Buffer.from(header.publicKey as Uint8Array).equals(Buffer.from(key.publicKey))).toBe(true);
    for (let i = 1; i < list.length; i++) {
      expect(list[i]!.value.seq).toBe(i);
      expect(Buffer.from(list[i]!.value.prev as Uint8Array).equals(hash('sha256', list[i - 1]!.bytes, 'buffer'))).toBe(true);
    }
    // A seal after every 10 frames, and the closing one.
    const seals = sealIndexes(list);
    expect(seals.slice(0, 3)).toEqual([11, 22, 33]);
    expect(seals.at(-1)).toBe(list.length - 1);
    const last = new Decoder(RECORDING_DECODER_OPTIONS).decode(list.at(-1)!.value.signed as Uint8Array) as Record<string, unknown>;
    expect(last).toMatchObject({ purpose: 'odid-recording-seal', seal: seals.length, seq: list.length - 1, frames: frames.length, final: true, software: 'test 1.0', clock: { source: 'system' } });
    // Replay reads the frames and skips the seals.
    expect([...readRecordingSync(file)]).toEqual(frames);
  });

  it('seals every interval of wall time: on the next frame, and on its own when no frame comes', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(Date.UTC(2025, 5, 1, 10));
    const chunks: Uint8Array[] = [];
    const w = createEvidenceRecordingWriter({ write: (c: Uint8Array) => void chunks.push(Uint8Array.from(c)) }, { key, software: 'test', sealEveryMs: 10_000, sealEveryFrames: 1000 });
    const sealsNow = (): number => items(concat(chunks)).filter((i) => i.value.kind === 'seal').length;
    w.write(frames[0]!);
    vi.advanceTimersByTime(9_000);
    expect(sealsNow()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(sealsNow()).toBe(1); // the timer: nothing came after the frame
    vi.advanceTimersByTime(60_000);
    expect(sealsNow()).toBe(1); // nothing new to seal
    w.write(frames[1]!); // over ten seconds since the last seal: sealed at once
    expect(sealsNow()).toBe(2);
    w.write(frames[2]!);
    vi.setSystemTime(Date.now() + 9_000);
    w.write(frames[3]!);
    expect(sealsNow()).toBe(2);
    vi.setSystemTime(Date.now() + 1_000);
    w.write(frames[4]!); // ten seconds since the last seal: this frame seals
    expect(sealsNow()).toBe(3);
    await w.close();
    expect(sealsNow()).toBe(4);
    expect(w.seals).toBe(4);
    expect(() => w.write(frames[5]!)).toThrow(expect.objectContaining({ code: 'closed' }));
  });

  it('states the receiver position and clock it is given, in every seal', async () => {
    const file = await record(frames.slice(0, 5), { position: () => ({ latitude: 52.5, longitude: 13.4, altitude: 40, source: 'gpsd://127.0.0.1:2947', fixTime: 1_748_772_000 }), clock: () => ({ source: 'system', synchronised: true, checkedWith: 'timedatectl' }) });
    const r = await verify(file);
    expect(r.status).toBe('complete');
    expect(r.lastSeal).toMatchObject({ position: { latitude: 52.5, longitude: 13.4, altitude: 40, source: 'gpsd://127.0.0.1:2947', fixTime: 1_748_772_000 }, clock: { synchronised: true } });
  });
});

describe('evidence recording: the verifier', () => {
  it('proves an untouched recording complete, whatever the chunking of the input, and names the key', async () => {
    const file = await record(frames);
    for (const chunk of [1, 7, 100, 1 << 20]) {
      const r = await verify(file, chunk);
      expect(r, `chunks of ${chunk}`).toMatchObject({ status: 'complete', frames: frames.length, records: items(file).length - 1, unsealed: 0, key: { fingerprint: keyFingerprint(key.publicKey) } });
      expect(r.problem).toBeUndefined();
    }
    // An empty recording is a header and its closing seal.
    expect(await verify(await record([]))).toMatchObject({ status: 'complete', frames: 0, seals: 1 });
  });

  it('one byte changed anywhere in a frame, its number, its link, a seal or the header: the record that changed is named', async () => {
    const file = await record(frames);
    const list = items(file);
    const k = findFrame(list, 25);
    const seal = sealIndexes(list)[3]!;
    const within = (i: number, needle: string): number => {
      // The byte just after the key's name: the value's first byte (or its head).
      const at = Buffer.from(list[i]!.bytes).indexOf(Buffer.from(needle));
      expect(at, needle).toBeGreaterThan(0);
      return list[i]!.offset + at + needle.length;
    };
    /** The last byte of a frame's data (just before the "seq" key). */
    const dataEnd = (i: number): number => list[i]!.offset + Buffer.from(list[i]!.bytes).indexOf(Buffer.from('seq')) - 2;
    const cases: [string, number, number, string | undefined][] = [
      ['a byte of frame data', dataEnd(k), k, 'changed'],
      ['a byte of the time', within(k, 't') + 3, k, 'changed'],
      ['its link (prev)', within(k, 'prev') + 5, k, 'changed'],
      ['its number (seq)', within(k, 'seq') + 1, k, 'changed'],
      ['a byte of a seal\'s signature', within(seal, 'signature') + 10, seal, 'bad-seal'],
      ['a seal\'s link', within(seal, 'prev') + 9, seal, 'changed'],
      ['the closing seal\'s link', within(list.length - 1, 'prev') + 9, list.length - 1, 'changed'],
      // The frame now claims more data than it has: its end is wrong, and so is everything read after it.
      ['the length of a frame\'s data', within(k, 'data') + 1, k, undefined],
      ['a byte of what a seal signs', within(seal, 'signed') + 12, seal, 'bad-seal'],
      ['the header\'s created time', within(0, 'created') + 4, 0, 'changed'],
      ['the last frame\'s data (only the closing seal follows)', dataEnd(list.length - 2), list.length - 2, 'changed'],
      ['the first frame\'s data', dataEnd(1), 1, 'changed'],
    ];
    for (const [what, offset, record, kind] of cases) {
      const bad = Uint8Array.from(file);
      bad[offset] = bad[offset]! ^ (what.includes('seq') ? 0x01 : 0x40);
      const r = await verify(bad);
      expect(r.status, what).toBe('altered');
      expect(r.problem, what).toMatchObject({ ...(kind ? { kind } : {}), record, offset: list[record]!.offset });
    }
  });

  it('a record removed, two swapped, one repeated: the first record out of place is named', async () => {
    const file = await record(frames);
    const list = items(file);
    const k = findFrame(list, 33);
    const rebuild = (order: number[]): Uint8Array => concat(order.map((i) => list[i]!.bytes));
    const all = list.map((_, i) => i);

    const removed = await verify(rebuild(all.filter((i) => i !== k)));
    expect(removed).toMatchObject({ status: 'altered', problem: { kind: 'removed', record: k, offset: list[k]!.offset, expected: `record ${k}`, found: `record ${k + 1}` } });
    expect(removed.lastSeal?.record).toBe(sealIndexes(list).filter((s) => s < k).at(-1));

    const swapped = all.slice();
    [swapped[k], swapped[k + 1]] = [swapped[k + 1]!, swapped[k]!];
    expect(await verify(rebuild(swapped))).toMatchObject({ status: 'altered', problem: { kind: 'reordered', record: k, offset: list[k]!.offset } });

    const three = await verify(rebuild(all.filter((i) => i < k || i > k + 2)));
    expect(three.problem).toMatchObject({ kind: 'removed', record: k, detail: expect.stringContaining(`records ${k} to ${k + 2} were removed`) });

    const repeated = await verify(rebuild([...all.slice(0, k + 1), k, ...all.slice(k + 1)]));
    expect(repeated.problem).toMatchObject({ kind: 'reordered', record: k + 1 });

    // The closing seal removed: intact up to the seal before it, and not closed.
    const open = await verify(rebuild(all.slice(0, -1)));
    expect(open).toMatchObject({ status: 'incomplete', lastSeal: { record: sealIndexes(list).at(-2) } });
    // Something appended after the closing seal.
    expect((await verify(rebuild([...all, 5]))).problem).toMatchObject({ kind: 'after-close', record: list.length });
  });

  it('cut mid-record (a power loss): verified up to the last seal before the cut, the records after it counted unsealed, the cut record named', async () => {
    const file = await record(frames);
    const list = items(file);
    const seals = sealIndexes(list);
    for (const k of [findFrame(list, 45), seals[2]!, list.length - 1]) {
      const cutAt = list[k]!.offset + Math.floor(list[k]!.bytes.length / 2);
      const r = await verify(file.subarray(0, cutAt));
      const sealBefore = seals.filter((s) => s < k).at(-1)!;
      expect(r.status, `cut in record ${k}`).toBe('incomplete');
      expect(r.endsMidRecord).toEqual({ record: k, offset: list[k]!.offset, bytes: cutAt - list[k]!.offset });
      expect(r.lastSeal).toMatchObject({ record: sealBefore, seal: seals.indexOf(sealBefore) + 1, final: false });
      expect(r.unsealed).toBe(k - 1 - sealBefore);
      expect(r.problem).toBeUndefined();
    }
    // Cut inside the header: nothing to go on.
    expect((await verify(file.subarray(0, 20))).status).toBe('not-a-recording');
  });

  it('signed by another key: intact and named by its fingerprint; refused when another key is expected', async () => {
    const other = newKey();
    const file = await record(frames.slice(0, 30), { key: other });
    const r = await verify(file);
    expect(r).toMatchObject({ status: 'complete', key: { fingerprint: keyFingerprint(other.publicKey) } });
    expect(r.key!.fingerprint).not.toBe(keyFingerprint(key.publicKey));
    expect(await verify(file, 4096, [key.publicKey])).toMatchObject({ status: 'wrong-key', key: { expected: false } });
    expect(await verify(file, 4096, [key.publicKey, other.publicKey])).toMatchObject({ status: 'complete', key: { expected: true } });
    // The header's key swapped for ours: the seals no longer verify (and the link to the header breaks first).
    const list = items(file);
    const at = Buffer.from(file).indexOf(Buffer.from(other.publicKey));
    const forged = Uint8Array.from(file);
    forged.set(key.publicKey, at);
    expect((await verify(forged)).problem).toMatchObject({ kind: 'changed', record: 0 });
    expect(list.length).toBeGreaterThan(30);
  });

  it('a version 1 recording is replayable but not evidence; other files are not recordings', async () => {
    const chunks: Uint8Array[] = [];
    const w = createRecordingWriter({ write: (c: Uint8Array) => void chunks.push(Uint8Array.from(c)) });
    for (const f of frames.slice(0, 5)) w.write(f);
    await w.close();
    expect(await verify(concat(chunks))).toMatchObject({ status: 'not-evidence', version: 1 });
    expect((await verify(readFileSync(fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap')))).status).toBe('not-a-recording');
    expect((await verify(new Uint8Array(0))).status).toBe('not-a-recording');
    const enc = new Encoder(RECORDING_ENCODER_OPTIONS);
    expect(await verify(enc.encode({ format: 'odid-recording', version: 9 }))).toMatchObject({ status: 'unsupported' });
    // Garbage where a record should be.
    const file = await record(frames.slice(0, 3));
    const list = items(file);
    const junk = concat([file.subarray(0, list[2]!.offset), Uint8Array.of(0x1c, 0, 0), file.subarray(list[2]!.offset)]);
    expect((await verify(junk)).problem).toMatchObject({ kind: 'damaged', record: 2, offset: list[2]!.offset });
  });
});

// The writer keeps every output's contract (a timer it must release, a full disk it must report).
const scratch = mkdtempSync(path.join(tmpdir(), 'odid-evidence-contract-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let contractFiles = 0;
const fileRig = (target = path.join(scratch, `${contractFiles++}.cbor`)) => {
  const reported: unknown[] = [];
  return {
    open: () => createEvidenceRecordingWriter(openOutputFile({ option: '--record', path: target }, { onError: (_line, e) => reported.push(e) }), { key, software: 'test', sealEveryFrames: 3 }),
    item: (i: number) => frames[i % frames.length]!,
    received: () => (existsSync(target) ? statSync(target).size : 0),
    reported: () => reported,
  };
};
describeOutputContract('evidence recording (chained, sealed) into a file', () => fileRig(), {
  failingSink: [{ name: 'a full disk (/dev/full)', code: 'write-failed', make: () => fileRig('/dev/full') }],
  notApplicable: { 'open-failure': 'the caller checks and opens the file, as for every file output' },
});
