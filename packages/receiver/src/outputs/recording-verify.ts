/**
 * Checks an evidence recording (format version 2, recording-chain.ts) offline: every record's link to the
 * one before, every record's number, every seal's signature by the key the header names. It reads the file
 * once, as a stream, holding one record and the one before it, and stops at the FIRST thing wrong, naming
 * the record (its index: the header is 0) and its byte offset, what was expected and what was found.
 *
 * Telling what happened from what is found, record p being the one at hand:
 * - its number is not p and its link is not to record p-1: records were removed (the next one is not p
 *   either) or moved (the next one is p);
 * - its number is p but its link is not to record p-1: either record p-1 changed (record p+1 links to p as
 *   found) or record p itself did (p+1 does not link to it either); a seal decides at once, since it signed
 *   the link it holds;
 * - its link is right but its number is not p: record p changed;
 * - a seal whose signature does not verify: the seal changed, or another key made it.
 * The file may end inside a record (a power loss): everything up to the last seal is then still proven.
 */

import { hash, verify, type KeyObject } from 'node:crypto';
import { Decoder } from 'cbor-x';
import { CborItemError, cborItemEnd, INCOMPLETE, RECORD_LIMITS } from './cbor-items.js';
import type { ClockReport } from './clock-source.js';
import { CHAIN_HASH, KEY_ALGORITHM, SEAL_PURPOSE, type SealPosition } from './recording-chain.js';
import { EVIDENCE_RECORDING_VERSION, isObject, RECORDING_DECODER_OPTIONS, RECORDING_FORMAT } from './recording.js';
import { keyFingerprint, PUBLIC_KEY_BYTES, publicKeyFromRaw } from './receiver-key.js';

/**
 * - complete: every record chained and numbered, every seal signed, closed by its final seal;
 * - incomplete: all is right up to the last seal, but the recording was never closed (a power loss, a
 *   crash, or still being written): the records after that seal are unproven;
 * - altered: something was changed, removed, reordered or damaged (`problem` says what and where);
 * - wrong-key: intact, but signed by none of the keys the caller expected;
 * - not-evidence: a version 1 recording, which has no chain to check;
 * - not-a-recording / unsupported: not a recording, or a version newer than this verifier.
 */
export type VerifyStatus = 'complete' | 'incomplete' | 'altered' | 'wrong-key' | 'not-evidence' | 'not-a-recording' | 'unsupported';

export type ProblemKind = 'changed' | 'removed' | 'reordered' | 'damaged' | 'bad-seal' | 'after-close';

export interface VerifyProblem {
  kind: ProblemKind;
  /** The first record concerned: its index in the file (the header is 0). */
  record: number;
  /** Where it starts (or, when it was removed, where it should be), in bytes from the start of the file. */
  offset: number;
  expected?: string;
  found?: string;
  /** One sentence. */
  detail: string;
}

export interface SealSummary {
  /** 1 for the first seal. */
  seal: number;
  /** The seal's index in the file: it vouches for every record before it. */
  record: number;
  offset: number;
  /** Wall-clock time of sealing, seconds since the epoch. */
  time: number;
  frames: number;
  final: boolean;
  software: string;
  clock?: ClockReport;
  position?: SealPosition;
}

export interface VerifyReport {
  status: VerifyStatus;
  /** The format version the header states. */
  version?: number;
  created?: number;
  application?: string;
  software?: string;
  /** The key the header names (the seals were checked against it). */
  key?: { fingerprint: string; publicKey: string; expected?: boolean };
  /** Whole records after the header read and found right. */
  records: number;
  frames: number;
  /** Frames marked late (they arrived after newer ones and were taken in as the past: rid-hub's); absent when none. */
  lateFrames?: number;
  /** Seals found right. */
  seals: number;
  lastSeal?: SealSummary;
  /** Whole, well-chained records after the last good seal: no signature covers them. */
  unsealed: number;
  /** The file ends inside a record. */
  endsMidRecord?: { record: number; offset: number; bytes: number };
  problem?: VerifyProblem;
  /** Bytes read (reading stops at the first problem). */
  bytes: number;
}

export interface VerifyOptions {
  /** Raw Ed25519 public keys the recording must be signed with (one of them); any key when absent. */
  expectedKeys?: readonly Uint8Array[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
const isHash = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.length === 32;

interface Link {
  index: number;
  offset: number;
  hash: Uint8Array;
}

/** A decision that needs the record after this one. */
type Pending =
  | { kind: 'link'; record: Link; before: Link; linkFound: Uint8Array }
  | { kind: 'order'; index: number; offset: number; seq: number; before: Link };

class Verifier {
  readonly report: VerifyReport = { status: 'incomplete', records: 0, frames: 0, seals: 0, unsealed: 0, bytes: 0 };
  private readonly decoder = new Decoder(RECORDING_DECODER_OPTIONS);
  private index = 0;
  private last: Link | undefined;
  private pending: Pending | undefined;
  private publicKey: KeyObject | undefined;
  private closed = false;
  /** True once the verdict is in: nothing more needs reading. */
  done = false;

  /** The index the next item will have. */
  get nextIndex(): number {
    return this.index;
  }

  constructor(private readonly opts: VerifyOptions) {}

  /** One whole item, as it is in the file. */
  item(bytes: Uint8Array, offset: number): void {
    const index = this.index++;
    const link: Link = { index, offset, hash: hash(CHAIN_HASH, bytes, 'buffer') };
    let value: unknown;
    try {
      value = this.decoder.decode(bytes);
    } catch (e) {
      value = new Error((e as Error).message);
    }
    if (index === 0) return this.header(value, link);
    if (this.pending) return this.settle(this.pending, value, link);
    if (!isObject(value)) return this.fail({ kind: 'damaged', record: index, offset, detail: `record ${index} is not a CBOR map${value instanceof Error ? ` (${value.message})` : ''}` });
    if (this.closed) return this.fail({ kind: 'after-close', record: index, offset, detail: `record ${index} follows the closing seal: something was appended after the recording was closed` });
    const { seq, prev } = value;
    if (!Number.isSafeInteger(seq) || !isHash(prev)) return this.fail({ kind: 'damaged', record: index, offset, detail: `record ${index} has no chain fields (seq, prev)` });
    const before = this.last!;
    const linked = same(prev, before.hash);
    if (!linked && seq !== index) {
      // Removed or moved: the next record tells which.
      this.pending = { kind: 'order', index, offset, seq: seq as number, before };
      this.last = link;
      return;
    }
    if (!linked) {
      // Record p-1 changed, or p did. A seal tells at once: it signed the head it should link to.
      if (value.kind === 'seal') {
        const content = this.sealContent(value);
        const head = content?.head;
        if (isHash(head) && same(head, prev)) return this.changedBefore(before, prev, link);
        return this.fail({
          kind: content ? 'changed' : 'bad-seal',
          record: index,
          offset,
          expected: `a link to record ${before.index}: ${hex(before.hash)}`,
          found: hex(prev),
          detail: content ? `seal ${this.report.seals + 1} (record ${index}) was changed: its link is not the chain head it signed` : `seal ${this.report.seals + 1} (record ${index}) does not link to record ${before.index} and its signature does not verify`,
        });
      }
      // Otherwise the next record decides.
      this.pending = { kind: 'link', record: link, before, linkFound: prev };
      this.last = link;
      return;
    }
    if (seq !== index) {
      return this.fail({ kind: 'changed', record: index, offset, expected: `number ${index}`, found: `number ${String(seq)}`, detail: `record ${index} was changed: it links to record ${index - 1} but its number reads ${String(seq)}` });
    }
    this.accept(value, link);
  }

  /**
   * The input ended; `partial` bytes of a record after the last whole one, and `later` a record found inside
   * those bytes (see laterRecord).
   */
  end(partial: { offset: number; bytes: number } | undefined, total: number, later?: { seq: number; offset: number }): VerifyReport {
    this.report.bytes = total;
    if (this.done) return this.report;
    if (this.index === 0) {
      this.report.status = 'not-a-recording';
      this.report.problem = { kind: 'damaged', record: 0, offset: 0, detail: total === 0 ? 'the file is empty' : 'the file ends inside its first item: no header' };
      return this.report;
    }
    const p = this.pending;
    if (p?.kind === 'order') this.removed(p);
    else if (p?.kind === 'link') {
      this.changedBefore(p.before, p.linkFound, p.record, ` (or record ${p.record.index}'s link was: nothing follows it to tell)`);
    }
    if (this.done) return this.report;
    if (partial && this.closed) {
      this.fail({ kind: 'after-close', record: this.index, offset: partial.offset, detail: `${partial.bytes} bytes follow the closing seal: something was appended after the recording was closed` });
      return this.report;
    }
    if (partial && later) {
      // A power loss leaves no whole record after the cut one: this record's length was changed.
      this.fail({
        kind: 'damaged',
        record: this.index,
        offset: partial.offset,
        detail: `record ${this.index} claims more bytes than the file has, yet record ${later.seq} follows inside them at offset ${later.offset}: its length was changed (a cut would leave no record after it)`,
      });
      return this.report;
    }
    if (partial && partial.bytes > 0) this.report.endsMidRecord = { record: this.index, offset: partial.offset, bytes: partial.bytes };
    this.finish(this.closed && !this.report.endsMidRecord ? 'complete' : 'incomplete');
    return this.report;
  }

  /** Bytes that are no CBOR item where record `index` should start. */
  unreadable(offset: number, reason: string): void {
    const index = this.index;
    if (index === 0) {
      this.report.status = 'not-a-recording';
      this.report.problem = { kind: 'damaged', record: 0, offset, detail: `not a recording: ${reason}` };
      this.done = true;
      return;
    }
    this.fail({ kind: 'damaged', record: index, offset, detail: `record ${index} is not valid CBOR (${reason})` });
  }

  private header(value: unknown, link: Link): void {
    const r = this.report;
    if (!isObject(value) || value.format !== RECORDING_FORMAT) {
      r.status = 'not-a-recording';
      r.problem = { kind: 'damaged', record: 0, offset: 0, detail: `not a Remote ID recording: its first item is not a header with format "${RECORDING_FORMAT}"` };
      this.done = true;
      return;
    }
    const version = value.version;
    if (typeof version === 'number') r.version = version;
    if (typeof value.created === 'number') r.created = value.created;
    if (typeof value.application === 'string') r.application = value.application;
    if (typeof value.software === 'string') r.software = value.software;
    if (version === 1) {
      r.status = 'not-evidence';
      this.done = true;
      return;
    }
    if (!Number.isInteger(version) || (version as number) > EVIDENCE_RECORDING_VERSION || (version as number) < 1) {
      r.status = 'unsupported';
      r.problem = { kind: 'damaged', record: 0, offset: 0, detail: `format version ${String(version)} is not one this verifier knows (1, ${EVIDENCE_RECORDING_VERSION})` };
      this.done = true;
      return;
    }
    const key = value.publicKey;
    if (value.chain !== CHAIN_HASH || value.keyAlgorithm !== KEY_ALGORITHM || !(key instanceof Uint8Array) || key.length !== PUBLIC_KEY_BYTES) {
      return this.fail({ kind: 'damaged', record: 0, offset: 0, detail: `the header does not name a ${CHAIN_HASH} chain and an ${KEY_ALGORITHM} public key` });
    }
    try {
      this.publicKey = publicKeyFromRaw(key);
    } catch {
      return this.fail({ kind: 'damaged', record: 0, offset: 0, detail: 'the header\'s public key is not a valid Ed25519 key' });
    }
    const expected = this.opts.expectedKeys;
    r.key = { fingerprint: keyFingerprint(key), publicKey: hex(key), ...(expected ? { expected: expected.some((k) => same(k, key)) } : {}) };
    this.last = link;
  }

  private settle(p: Pending, value: unknown, link: Link): void {
    const prev = isObject(value) ? value.prev : undefined;
    const seq = isObject(value) ? value.seq : undefined;
    if (p.kind === 'order') {
      if (seq === p.index) return this.fail({ kind: 'reordered', record: p.index, offset: p.offset, expected: `record ${p.index}`, found: `record ${p.seq}`, detail: `record ${p.index} was moved: record ${p.seq} comes before it, at offset ${p.offset}` });
      return this.removed(p);
    }
    if (isHash(prev) && same(prev, p.record.hash)) return this.changedBefore(p.before, p.linkFound, p.record);
    this.fail({
      kind: 'changed',
      record: p.record.index,
      offset: p.record.offset,
      expected: `a link to record ${p.before.index}: ${hex(p.before.hash)}`,
      found: hex(p.linkFound),
      detail: `record ${p.record.index} was changed: it does not link to record ${p.before.index}, and record ${link.index} does not link to it`,
    });
  }

  /** Record `before` differs from what `after` linked to when it was written. */
  private changedBefore(before: Link, linkFound: Uint8Array, after: Link, caveat = ''): void {
    const what = before.index === 0 ? 'the header (record 0)' : `record ${before.index}`;
    this.fail({
      kind: 'changed',
      record: before.index,
      offset: before.offset,
      expected: hex(linkFound),
      found: hex(before.hash),
      detail: `${what} was changed: record ${after.index} links to SHA-256 ${hex(linkFound).slice(0, 16)}…, the bytes found hash to ${hex(before.hash).slice(0, 16)}…${caveat}`,
    });
  }

  private removed(p: Extract<Pending, { kind: 'order' }>): void {
    const expected = p.index;
    if (p.seq > expected) {
      const gone = p.seq - expected === 1 ? `record ${expected} was removed` : `records ${expected} to ${p.seq - 1} were removed`;
      return this.fail({ kind: 'removed', record: expected, offset: p.offset, expected: `record ${expected}`, found: `record ${p.seq}`, detail: `${gone}: record ${p.seq} is where record ${expected} should be, at offset ${p.offset}` });
    }
    this.fail({ kind: 'reordered', record: expected, offset: p.offset, expected: `record ${expected}`, found: `record ${p.seq}`, detail: `record ${p.seq} appears again (or out of order) where record ${expected} should be, at offset ${p.offset}` });
  }

  /** The seal's signed content when its signature verifies with the header's key. */
  private sealContent(value: Record<string, unknown>): Record<string, unknown> | undefined {
    const { signed, signature } = value;
    if (!(signed instanceof Uint8Array) || !(signature instanceof Uint8Array) || signature.length !== 64) return undefined;
    let ok = false;
    try {
      ok = verify(null, signed, this.publicKey!, signature);
    } catch {
      ok = false;
    }
    if (!ok) return undefined;
    try {
      const content: unknown = this.decoder.decode(signed);
      return isObject(content) && content.purpose === SEAL_PURPOSE ? content : undefined;
    } catch {
      return undefined;
    }
  }

  /** A record whose number and link are right: what it holds is checked, then it is the new chain head. */
  private accept(value: Record<string, unknown>, link: Link): void {
    const { index, offset } = link;
    const r = this.report;
    if (value.kind === undefined) {
      const { t, linkType, data } = value;
      if (typeof t !== 'number' || !Number.isFinite(t) || !Number.isInteger(linkType) || !(data instanceof Uint8Array)) {
        return this.fail({ kind: 'damaged', record: index, offset, detail: `record ${index} is not a frame { t, linkType, data }` });
      }
      r.frames++;
      if (value.late === true) r.lateFrames = (r.lateFrames ?? 0) + 1;
    } else if (value.kind === 'seal') {
      const n = r.seals + 1;
      const content = this.sealContent(value);
      if (!content) {
        return this.fail({ kind: 'bad-seal', record: index, offset, expected: `a signature by ${r.key!.fingerprint}`, detail: `seal ${n} (record ${index}) does not verify: it was changed, or another key made it` });
      }
      const wrong =
        content.seal !== n ? `its number reads ${String(content.seal)}, not ${n}`
        : content.seq !== index ? `it names record ${String(content.seq)} as itself`
        : !isHash(content.head) || !same(content.head, this.last!.hash) ? 'it signs another chain head'
        : content.frames !== r.frames ? `it counts ${String(content.frames)} frames, the file has ${r.frames} before it`
        : typeof content.time !== 'number' || typeof content.final !== 'boolean' ? 'it has no time or final flag'
        : '';
      if (wrong) return this.fail({ kind: 'bad-seal', record: index, offset, detail: `seal ${n} (record ${index}) is signed but wrong: ${wrong}` });
      r.seals = n;
      r.lastSeal = {
        seal: n,
        record: index,
        offset,
        time: content.time as number,
        frames: r.frames,
        final: content.final as boolean,
        software: typeof content.software === 'string' ? content.software : '',
        ...(isObject(content.clock) ? { clock: content.clock as unknown as ClockReport } : {}),
        ...(isObject(content.position) ? { position: content.position as unknown as SealPosition } : {}),
      };
      if (content.final) this.closed = true;
    } else if (typeof value.kind !== 'string') {
      return this.fail({ kind: 'damaged', record: index, offset, detail: `record ${index} has a kind that is not a name` });
    }
    // Other kinds are extensions: chained like the rest, skipped.
    r.records = index;
    this.last = link;
  }

  private fail(problem: VerifyProblem): void {
    this.report.problem = problem;
    this.finish('altered');
  }

  private finish(status: VerifyStatus): void {
    const r = this.report;
    this.done = true;
    this.pending = undefined;
    r.unsealed = r.records - (r.lastSeal?.record ?? 0);
    // An intact recording signed by a key the caller did not expect is refused all the same.
    r.status = (status === 'complete' || status === 'incomplete') && r.key?.expected === false ? 'wrong-key' : status;
  }
}

/**
 * Verifies a recording read as chunks (a file stream). Never throws for what the bytes hold: damage is the
 * report's `problem`. Errors of the source itself (a read failure) are passed on.
 */
export async function verifyRecording(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const v = new Verifier(opts);
  let buf: Uint8Array = new Uint8Array(0);
  /** File offset of buf[0]. */
  let base = 0;
  let pos = 0;
  let total = 0;
  for await (const chunk of source) {
    // The verdict is in at the first problem: the rest need not be read.
    if (v.done) break;
    total += chunk.length;
    if (pos < buf.length) {
      const joined = new Uint8Array(buf.length - pos + chunk.length);
      joined.set(buf.subarray(pos));
      joined.set(chunk, buf.length - pos);
      buf = joined;
    } else buf = chunk;
    base += pos;
    pos = 0;
    while (!v.done && pos < buf.length) {
      let end: number;
      try {
        end = cborItemEnd(buf, pos, RECORD_LIMITS);
      } catch (e) {
        if (!(e instanceof CborItemError)) throw e;
        v.unreadable(base + pos, e.reason);
        break;
      }
      if (end === INCOMPLETE) break;
      v.item(buf.subarray(pos, end), base + pos);
      pos = end;
    }
  }
  const rest = buf.length - pos;
  if (rest === 0 || v.done) return v.end(undefined, total);
  const later = laterRecord(buf, pos + 1, v.nextIndex);
  return v.end({ offset: base + pos, bytes: rest }, total, later && { seq: later.seq, offset: base + later.offset });
}

/** `"seq": N, "prev": h'…32 bytes'`, as every record after the header holds them, in that order. */
const SEQ_KEY = Buffer.from([0x63, 0x73, 0x65, 0x71]);
const PREV_KEY = Buffer.from([0x64, 0x70, 0x72, 0x65, 0x76, 0x58, 0x20]);

/**
 * The first record numbered after `index` found in `bytes` from `from` on (its number, and the offset of
 * its "seq" key): where record `index` claims to run past the end of the file, a later record inside it
 * shows that its length, not the file, was cut.
 */
function laterRecord(bytes: Uint8Array, from: number, index: number): { seq: number; offset: number } | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let at = buf.indexOf(SEQ_KEY, from); at >= 0; at = buf.indexOf(SEQ_KEY, at + 1)) {
    let p = at + SEQ_KEY.length;
    const head = buf[p];
    if (head === undefined || head >> 5 !== 0) continue;
    const info = head & 0x1f;
    const size = info < 24 ? 0 : info <= 27 ? 1 << (info - 24) : -1;
    if (size < 0 || p + 1 + size > buf.length) continue;
    let seq = info < 24 ? info : 0;
    for (let k = 1; k <= size; k++) seq = seq * 256 + buf[p + k]!;
    p += 1 + size;
    if (seq > index && buf.subarray(p, p + PREV_KEY.length).equals(PREV_KEY)) return { seq, offset: at };
  }
  return undefined;
}
