/**
 * Role: the receiver's recording reader (packages/receiver/src/outputs/recording.ts, readRecording: what
 * `rid-scan --replay` reads, whichever format version) as a coverage target. The input is a file, read whole
 * and read in chunks as from a pipe (sizes drawn from its own hash), half the time with a handler for a
 * recording cut short. For any bytes: frames with a finite time, an integer link type and bytes of their own
 * (a copy, not a view of the reader's buffers), or a RecordingError with its code and item number, nothing
 * else; the same frames and the same end whatever the chunks, and from the in-memory reader
 * (readRecordingSync); every frame goes through the receive path as a replay sends it.
 *
 * Seeds: recordings the receiver's writers make (the plain format and the evidence format with its hash chain
 * and seals, signed with a fixed test key) of records from the real captures.
 */

import { createPrivateKey } from 'node:crypto';
import { RemoteIdExtractor, toHex } from '@odid/codec';
import { RecordingError, createRecordingWriter, readRecording, readRecordingSync, type RecordingErrorCode } from '../../packages/receiver/src/outputs/recording.js';
import type { RawFrame } from '../../packages/receiver/src/outputs/types.js';
import { createEvidenceRecordingWriter } from '../../packages/receiver/src/outputs/recording-chain.js';
import { rawPublicKey } from '../../packages/receiver/src/outputs/receiver-key.js';
import { checkDiagnostic, checkJsonLine, checkReceived } from '../../packages/codec/scripts/fuzz/checks.js';
import { inputSeed, type CoverageTarget } from '../../packages/codec/scripts/fuzz/coverage-target.js';
import { logInt } from '../../packages/codec/scripts/fuzz/mutate.js';
import { linkSeeds } from '../../packages/codec/scripts/fuzz/seeds.js';
import { Random } from '../support/random.js';

const CODES = new Set<RecordingErrorCode>(['not-a-recording', 'unsupported-version', 'bad-record', 'truncated', 'malformed']);

/** A fixed Ed25519 test key (PKCS #8 DER of a constant seed): the seeds are the same on every run. */
function testKey(): { privateKey: ReturnType<typeof createPrivateKey>; publicKey: Uint8Array } {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 0x5a)]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

/** Frames of every link type the captures and builders have: a few each, a tenth of a second apart. */
function sampleFrames(perType: number): RawFrame[] {
  const frames: RawFrame[] = [];
  let t = 1_767_225_600;
  for (const [linkType, list] of linkSeeds(perType)) for (const data of list.slice(0, perType)) frames.push({ t: (t += 0.1), linkType, data });
  return frames;
}

async function recordingSeeds(): Promise<Uint8Array[]> {
  const collect = (): { parts: Uint8Array[]; write(c: Uint8Array): void } => ({
    parts: [],
    write(c) {
      this.parts.push(Uint8Array.from(c));
    },
  });
  const whole = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
  const out: Uint8Array[] = [];
  for (const frames of [[], sampleFrames(1), sampleFrames(3)]) {
    const plain = collect();
    const w = createRecordingWriter(plain, { created: 1_767_225_600, application: 'fuzz seeds' });
    for (const f of frames) w.write(f);
    await w.close();
    out.push(whole(plain.parts));
    let clock = 1_767_225_600_000;
    const evidence = collect();
    const e = createEvidenceRecordingWriter(evidence, { key: testKey(), software: 'fuzz seeds', now: () => (clock += 100), sealEveryMs: 350 });
    for (const f of frames) e.write(f);
    await e.close();
    out.push(whole(evidence.parts));
  }
  return out;
}

/** What is wrong with a frame the reader gave, or undefined. */
function checkFrame(f: RawFrame, input: Uint8Array): string | undefined {
  if (typeof f.t !== 'number' || !Number.isFinite(f.t)) return `frame time ${String(f.t)}`;
  if (!Number.isInteger(f.linkType)) return `frame linkType ${String(f.linkType)}`;
  if (!(f.data instanceof Uint8Array)) return 'frame data is not bytes';
  if (f.data.buffer === input.buffer) return 'frame data is a view of the input, not a copy';
  return undefined;
}

/** A frame as a replay delivers it: through the receive path, which never throws and gives well-formed messages. */
function checkReceive(f: RawFrame): string | undefined {
  let badDiagnostic: string | undefined;
  const extractor = new RemoteIdExtractor({}, (d) => {
    badDiagnostic ??= checkDiagnostic(d);
  });
  for (const m of extractor.fromRecord(f.linkType, f.data)) {
    const wrong = checkReceived(m, false) ?? checkJsonLine(m);
    if (wrong) return `frame ${f.linkType}:${toHex(f.data)} decodes to ${wrong}`;
  }
  return badDiagnostic && `frame ${f.linkType}: malformed diagnostic: ${badDiagnostic}`;
}

/** A RecordingError with a known code and item number passes; anything else is thrown on (a failure with its stack). */
function checkError(e: unknown): string | undefined {
  if (!(e instanceof RecordingError)) throw e;
  if (!CODES.has(e.code)) return `RecordingError code ${String(e.code)}`;
  if (!Number.isInteger(e.item) || e.item < 0) return `RecordingError item ${e.item}`;
  return undefined;
}

/** What one read of a recording gave: its frames, the RecordingError it ended with, the cuts it was told of. */
interface ReadOutcome {
  frames: RawFrame[];
  error?: RecordingErrorCode;
  cuts: number;
}

const describeOutcome = (o: ReadOutcome): string => `${o.frames.length} frame(s), ${o.error ? `RecordingError ${o.error}` : 'no error'}${o.cuts ? ', told of a cut' : ''}`;
const sameOutcome = (a: ReadOutcome, b: ReadOutcome): boolean =>
  a.error === b.error &&
  a.cuts === b.cuts &&
  a.frames.length === b.frames.length &&
  a.frames.every((f, i) => Object.is(f.t, b.frames[i]!.t) && f.linkType === b.frames[i]!.linkType && toHex(f.data) === toHex(b.frames[i]!.data));

/**
 * Reads with `read` (frames as they come, or a RecordingError); what is wrong is thrown as a string, anything
 * other than a RecordingError is thrown on.
 */
async function outcome(input: Uint8Array, read: (opts: { onTruncated?: (d: string) => void }) => AsyncIterable<RawFrame> | Iterable<RawFrame>, withCut: boolean): Promise<ReadOutcome> {
  const o: ReadOutcome = { frames: [], cuts: 0 };
  try {
    for await (const f of read(withCut ? { onTruncated: () => void o.cuts++ } : {})) {
      const bad = checkFrame(f, input);
      if (bad) throw bad;
      o.frames.push(f);
    }
  } catch (e) {
    if (typeof e === 'string') throw e;
    const bad = checkError(e);
    if (bad) throw bad;
    o.error = (e as RecordingError).code;
  }
  return o;
}

export function recordingTarget(): CoverageTarget {
  let seeds: Uint8Array[] | undefined;
  return {
    name: 'recording',
    maxLength: 65_536,
    seeds: () => seeds ?? [],
    async exec(input) {
      const rng = new Random(inputSeed(input));
      const chunks: Uint8Array[] = [];
      for (let o = 0; o < input.length; ) {
        const n = logInt(rng, 4096);
        chunks.push(input.subarray(o, o + n));
        o += n;
      }
      const withCut = rng.int(2) === 1;
      let whole: ReadOutcome;
      let chunked: ReadOutcome;
      let sync: ReadOutcome;
      try {
        whole = await outcome(input, (opts) => readRecording([input], opts), withCut);
        chunked = await outcome(input, (opts) => readRecording((async function* () { yield* chunks; })(), opts), withCut);
        sync = await outcome(input, (opts) => readRecordingSync(input, opts), withCut);
      } catch (e) {
        if (typeof e === 'string') return e;
        throw e;
      }
      if (whole.frames.length > input.length) return `${whole.frames.length} frames from ${input.length} bytes`;
      if (whole.cuts > 1) return `told of the cut ${whole.cuts} times`;
      // A replay from a pipe reads what a replay from the file reads, and so does the in-memory reader.
      if (!sameOutcome(chunked, whole)) return `read in chunks of ${chunks.map((c) => c.length).join(', ')} bytes: ${describeOutcome(chunked)}; read whole: ${describeOutcome(whole)}`;
      if (!sameOutcome(sync, whole)) return `readRecordingSync: ${describeOutcome(sync)}; readRecording: ${describeOutcome(whole)}`;
      for (const f of whole.frames) {
        const bad = checkReceive(f);
        if (bad) return bad;
      }
      return undefined;
    },
    async prepare() {
      seeds ??= await recordingSeeds();
    },
  };
}
