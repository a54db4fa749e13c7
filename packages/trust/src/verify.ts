/**
 * The offline DRIP verifier (remote-id-spec.md §6.5): fed what a receiver hears from each drone — its
 * clear-text messages (among them the Basic ID of ID type 4 announcing its DET) and its DRIP authentication
 * data — it says per drone:
 *
 * - `verified`: the drone's signed evidence verifies with the key of the DET it announces, that key is
 *   endorsed by a chain reaching a trusted root, and every time is valid;
 * - `unverified`: not yet: no signed evidence, no key for its DET, or a chain that does not reach a root;
 * - `forged`: something it sent cannot be genuine: a bad signature, a DET that is not its HI's hash, an
 *   endorsement or evidence outside its validity, replayed evidence (a VNB older than one already seen),
 *   wrapped messages that differ from the clear ones, Manifest hashes that match nothing heard, evidence
 *   signed by another DET than the one announced. Forged stays forged: the first reason is kept.
 *
 * Always with a reason and the numbers behind it. Keys come from the trust store's roots and from
 * endorsements (heard or provisioned); a DET is only ever paired with an HI that hashes to it. Nothing here
 * does I/O: the clock is passed in, and memory is bounded per drone and overall.
 */

import {
  DecodeError,
  DET_PREFIX,
  HHIT_SUITE_ED25519,
  MESSAGE_SIZE,
  MessageType,
  AUTH_TYPE_SAM,
  decodeDripAuth,
  detFields,
  detToText,
  dripTimeText,
  encodeDripAuth,
  fromHex,
  toHex,
  verifyDripSignature,
  withPackEvidence,
  type AssembledAuth,
  type DripAuth,
  type DripLink,
  type DripManifest,
  type DripWrapper,
  type Ed25519,
} from '@odid/codec';
import { nodeEd25519 } from './ed25519.js';
import { TrustError } from './errors.js';
import { detMatchesHostIdentity, dripHash, linkHash, manifestHashConsistent, pagedMessageHash } from './hashes.js';
import type { TrustStore } from './trust-store.js';
import { DEFAULT_CLOCK_SKEW_S, windowProblem } from './validity.js';

export type TrustState = 'verified' | 'unverified' | 'forged';

export interface VerifierOptions {
  trust: TrustStore;
  /** Ed25519 to verify with (node:crypto by default). */
  ed25519?: Ed25519;
  /** ms since the epoch; Date.now by default. What arrives without a time arrived now. */
  clock?: () => number;
  /** Allowed difference between a signer's clock and this one, seconds (default 30). */
  clockSkewS?: number;
  /** A signed structure whose VNB is this much older than the newest already verified is still no replay (default 0 s). */
  replayToleranceS?: number;
  /**
   * A Manifest none of whose message hashes matches anything heard counts against the drone only once this
   * many clear messages had been heard from it before (default 8): a receiver that has just started listening
   * has not heard what the Manifest lists. And one such Manifest is not enough: the receiver may have missed
   * just the messages it lists (a short dropout); two in a row, with messages heard between them, are forged.
   */
  manifestCheckAfter?: number;
  /** Drones kept; the one heard from least recently is forgotten first (default 1024). */
  maxDrones?: number;
}

export interface VerificationEvidence {
  /** Clear-text messages (and packs) heard. */
  clearMessages: number;
  /** DRIP Links heard. */
  links: number;
  /** Wrappers, Manifests and Frames heard. */
  signed: number;
  /** Of those, how many verified (signature, validity, evidence). */
  verifiedSignatures: number;
  /** Of those, how many wait for a key for their DET. */
  waitingForKey: number;
  /** Wrapped messages equal to clear ones, and Manifest hashes of messages heard. */
  matchedMessages: number;
  /**
   * Wrapped messages with no clear one to compare with: no clear Location or System of the same time (their
   * timestamps), no Basic ID of the same ID type, no message of the type (missed, not contradicted).
   */
  unmatchedMessages: number;
  /** Manifest hashes of nothing heard (missed messages, or forged ones). */
  unmatchedHashes: number;
  /** Authentication data that does not decode as DRIP. */
  malformed: number;
  /** Authentication of another type, SAM types other than DRIP's, DETs of suites not computed here. */
  unsupported: number;
}

export interface DroneVerification {
  drone: string;
  state: TrustState;
  reason: string;
  /** The DET the drone announces in its Basic ID (ID type 4, session type 1), latest first heard. */
  announcedDet?: string;
  /** The DET its verified evidence is signed with. */
  signerDet?: string;
  /** When verified: the DETs from the UA up to the trusted root. */
  chain: string[];
  evidence: VerificationEvidence;
}

export interface AuthOptions {
  /** When it was heard (ms since the epoch; the clock's now by default). */
  t?: number;
  /** The 25-byte members of the message pack it came in: an extended wrapper signs them. */
  pack?: readonly Uint8Array[];
  /** Its 25-byte pages on a legacy transport: a Manifest may list the hash of all of them. */
  pages?: readonly Uint8Array[];
  /**
   * A page of it was rebuilt by FEC, which leaves nothing to check its pages against: pages of two messages
   * may have been put together. A signature that then does not verify (or an endorsement whose DET is not its
   * HI's) counts as malformed, not as a forgery.
   */
  rebuilt?: boolean;
}

/** Bounds: what one drone can make the verifier keep. */
const CLEAR_PER_TYPE = 32;
const HEARD_HASHES = 1024;
const LINKS_PER_DRONE = 16;
const PENDING_PER_DRONE = 64;
const ANNOUNCED_DETS = 4;
const RECENT_VERIFIED = 64;
/** Heard endorsements kept over all drones, and the longest chain followed. */
const HEARD_LINKS = 4096;
const MAX_CHAIN = 8;
const MESSAGE_NAMES = ['Basic ID', 'Location', 'Authentication', 'Self-ID', 'System', 'Operator ID'];

interface HeardLink {
  link: DripLink;
  hex: string;
  t: number;
  checked: boolean;
  rebuilt: boolean;
}

interface HeardSigned {
  s: Exclude<DripAuth, DripLink>;
  hex: string;
  t: number;
  /** Clear messages heard from the drone before it. */
  clearBefore: number;
  rebuilt: boolean;
}

interface DroneRecord {
  clearByType: Map<number, Uint8Array[]>;
  heardHashes: Set<string>;
  announced: string[];
  links: HeardLink[];
  pending: HeardSigned[];
  maxVnb: number;
  last?: { det: string; vnb: number; vna: number };
  /** The bytes of recently verified structures: hearing one again is a retransmission, not new evidence. */
  recent: Set<string>;
  /** The last Manifest matched nothing heard: the clear messages heard before it then. */
  unmatchedManifestAfter?: number;
  forgery?: string;
  evidence: VerificationEvidence;
}

interface KnownLink {
  link: DripLink;
  childHex: string;
  parentHex: string;
  provisioned: boolean;
}

export class DripVerifier {
  private readonly ed: Ed25519;
  private readonly clock: () => number;
  private readonly skew: number;
  private readonly replayTolerance: number;
  private readonly manifestCheckAfter: number;
  private readonly maxDrones: number;
  /** DET hex -> HI of the trusted roots. */
  private readonly roots = new Map<string, Uint8Array>();
  /** Link bytes hex -> the endorsement; provisioned ones first, heard ones after (oldest first). */
  private readonly links = new Map<string, KnownLink>();
  /** DET hex -> HI, from the endorsements kept (each child DET checked to be its child HI's hash). */
  private readonly keys = new Map<string, Uint8Array>();
  /** How many of `links` were heard (the rest are provisioned). */
  private heardLinks = 0;
  /** Endorsement signature checks already made: `${link hex}/${parent HI hex}` -> result. */
  private readonly signatureChecks = new Map<string, boolean>();
  private readonly drones = new Map<string, DroneRecord>();

  constructor(opts: VerifierOptions) {
    this.ed = opts.ed25519 ?? nodeEd25519;
    this.clock = opts.clock ?? Date.now;
    this.skew = opts.clockSkewS ?? DEFAULT_CLOCK_SKEW_S;
    this.replayTolerance = opts.replayToleranceS ?? 0;
    this.manifestCheckAfter = opts.manifestCheckAfter ?? 8;
    this.maxDrones = opts.maxDrones ?? 1024;
    for (const r of opts.trust.roots) {
      // Loaded identity files are checked already; a store made in code is checked here.
      if (!detMatchesHostIdentity(r.det, r.hi)) throw new TrustError('bad-file', detToText(r.det), 'a trusted root whose DET is not the hash of its HI');
      this.roots.set(toHex(r.det), r.hi);
    }
    for (const link of opts.trust.endorsements) this.learnLink(link, true);
  }

  /** A clear-text message (25 bytes) or message pack heard from `drone` (any key: a MAC, a track). */
  addClear(drone: string, bytes: Uint8Array): void {
    const rec = this.record(drone);
    if (bytes.length >= 3 && bytes[0]! >> 4 === MessageType.messagePack) {
      const count = bytes[2]!;
      if (bytes[1] !== MESSAGE_SIZE || count < 1 || bytes.length < 3 + count * MESSAGE_SIZE) {
        rec.evidence.malformed++;
        return;
      }
      // An extended transport's Manifest hashes the whole pack (without the counter, and without padding).
      remember(rec.heardHashes, toHex(dripHash(bytes.subarray(0, 3 + count * MESSAGE_SIZE))), HEARD_HASHES);
      rec.evidence.clearMessages++;
      for (let i = 0; i < count; i++) this.clearMessage(rec, bytes.subarray(3 + i * MESSAGE_SIZE, 3 + (i + 1) * MESSAGE_SIZE), false);
      return;
    }
    if (bytes.length < MESSAGE_SIZE) {
      rec.evidence.malformed++;
      return;
    }
    this.clearMessage(rec, bytes.subarray(0, MESSAGE_SIZE), true);
  }

  /**
   * DRIP authentication data (the `Length` bytes of an assembled auth-type-5 message, SAM type first) heard
   * from `drone`. Returns the structure, or undefined when it is not one (counted as malformed or unsupported).
   */
  addAuth(drone: string, authData: Uint8Array, opts: AuthOptions = {}): DripAuth | undefined {
    const rec = this.record(drone);
    const t = opts.t ?? this.clock();
    if (opts.pages?.length) remember(rec.heardHashes, toHex(pagedMessageHash(opts.pages)), HEARD_HASHES);
    let s: DripAuth;
    try {
      s = decodeDripAuth(authData);
    } catch (e) {
      if (e instanceof DecodeError && e.code === 'unsupported') rec.evidence.unsupported++;
      else rec.evidence.malformed++;
      return undefined;
    }
    if (s.type === 'link') {
      rec.evidence.links++;
      this.hearLink(rec, s, t, opts.rebuilt === true);
      return s;
    }
    rec.evidence.signed++;
    if (s.type === 'wrapper' && s.extended) {
      if (!opts.pack) {
        // Its evidence is the pack it came in; without the pack there is nothing to verify.
        rec.evidence.malformed++;
        return s;
      }
      s = withPackEvidence(s, opts.pack);
    }
    rec.pending.push({ s: s as HeardSigned['s'], hex: toHex(authData), t, clearBefore: rec.evidence.clearMessages, rebuilt: opts.rebuilt === true });
    if (rec.pending.length > PENDING_PER_DRONE) rec.pending.shift();
    return s;
  }

  /** An assembled Authentication message: auth type 5 goes to addAuth, any other is counted as unsupported. */
  addAssembled(drone: string, auth: Pick<AssembledAuth, 'authType' | 'authData'>, opts: AuthOptions = {}): DripAuth | undefined {
    if (auth.authType !== AUTH_TYPE_SAM) {
      this.record(drone).evidence.unsupported++;
      return undefined;
    }
    return this.addAuth(drone, fromHex(auth.authData), opts);
  }

  /** Where `drone` stands at `nowMs` (the clock's now by default: a replay passes the capture's time). */
  state(drone: string, nowMs?: number): DroneVerification {
    const rec = this.drones.get(drone);
    if (!rec) return { drone, state: 'unverified', reason: 'nothing heard from this drone', chain: [], evidence: emptyEvidence() };
    this.checkLinks(rec);
    this.checkPending(rec);
    const out = (state: TrustState, reason: string, extra: Partial<DroneVerification> = {}): DroneVerification => ({
      drone,
      state,
      reason,
      ...(rec.announced.length ? { announcedDet: detText(rec.announced.at(-1)!) } : {}),
      ...(rec.last ? { signerDet: detText(rec.last.det) } : {}),
      chain: [],
      evidence: { ...rec.evidence, waitingForKey: rec.pending.length },
      ...extra,
    });
    if (rec.forgery) return out('forged', rec.forgery);
    if (!rec.last) {
      if (rec.pending.length) return out('unverified', `no key known for DET ${detText(toHex(rec.pending[0]!.s.uaDet))}: its ${rec.pending.length} signed structure(s) wait for a Broadcast Endorsement carrying its HI`);
      return out('unverified', rec.evidence.signed ? 'no signed evidence could be checked' : 'no signed Wrapper, Manifest or Frame heard yet');
    }
    const signer = rec.last.det;
    if (!rec.announced.length) return out('unverified', `no DET announced in a Basic ID (ID type 4, session type 1); evidence is signed by ${detText(signer)}`);
    if (rec.announced.at(-1) !== signer) return out('unverified', `announces DET ${detText(rec.announced.at(-1)!)}, but its evidence so far is signed by ${detText(signer)}`);
    const now = nowMs ?? this.clock();
    const fresh = windowProblem(rec.last.vnb, rec.last.vna, now, this.skew);
    if (fresh) return out('unverified', `its latest signed evidence is no longer valid: ${fresh.reason}`);
    const chain = this.chainFrom(signer, now, new Set());
    if (!chain.ok) return out('unverified', `chain of trust incomplete: ${chain.reason}`);
    const e = rec.evidence;
    return out(
      'verified',
      `signed by DET ${detText(signer)}, endorsed up to trusted root ${detText(chain.chain.at(-1)!)} (${chain.chain.length - 1} endorsement(s)); ${e.verifiedSignatures} signature(s) verified, ${e.matchedMessages} message(s) matched`,
      { chain: chain.chain.map(detText) },
    );
  }

  /** The drones heard from, least recently heard first. */
  droneKeys(): string[] {
    return [...this.drones.keys()];
  }

  private record(drone: string): DroneRecord {
    let rec = this.drones.get(drone);
    if (rec) {
      this.drones.delete(drone);
    } else {
      rec = { clearByType: new Map(), heardHashes: new Set(), announced: [], links: [], pending: [], maxVnb: -1, recent: new Set(), evidence: emptyEvidence() };
      if (this.drones.size >= this.maxDrones) this.drones.delete(this.drones.keys().next().value!);
    }
    this.drones.set(drone, rec);
    return rec;
  }

  private clearMessage(rec: DroneRecord, m: Uint8Array, countIt: boolean): void {
    const type = m[0]! >> 4;
    if (type === MessageType.auth || type > MessageType.operatorId) return;
    if (countIt) {
      rec.evidence.clearMessages++;
      remember(rec.heardHashes, toHex(dripHash(m)), HEARD_HASHES);
    }
    const list = rec.clearByType.get(type) ?? [];
    if (!list.some((x) => equal(x, m))) {
      list.push(m.slice());
      if (list.length > CLEAR_PER_TYPE) list.shift();
    }
    rec.clearByType.set(type, list);
    // Basic ID, ID type 4 (specific session ID), session type 1: the DRIP DET in bytes 3..18.
    if (type === MessageType.basicId && m[1]! >> 4 === 4 && m[2] === 0x01) {
      const det = toHex(m, 3, 19);
      rec.announced = [...rec.announced.filter((d) => d !== det), det].slice(-ANNOUNCED_DETS);
    }
  }

  private hearLink(rec: DroneRecord, link: DripLink, t: number, rebuilt: boolean): void {
    if (!detMatchesHostIdentity(link.childDet, link.childHi)) {
      const f = detFields(link.childDet);
      // Only a DET this toolkit can hash is known to be wrong; another suite is only not understood.
      if (f.prefix !== DET_PREFIX || f.suite !== HHIT_SUITE_ED25519) rec.evidence.unsupported++;
      else if (rebuilt) rec.evidence.malformed++;
      else this.forge(rec, `a Broadcast Endorsement whose child DET ${detToText(link.childDet)} is not the hash of the HI it carries`);
      return;
    }
    const hex = toHex(encodeDripAuth(link));
    this.learnLink(link, false);
    if (rec.links.some((l) => l.hex === hex)) return;
    rec.links.push({ link, hex, t, checked: false, rebuilt });
    if (rec.links.length > LINKS_PER_DRONE) rec.links.shift();
  }

  /** Keeps an endorsement and the child key it carries (its DET is its HI's hash: callers check). */
  private learnLink(link: DripLink, provisioned: boolean): void {
    const hex = toHex(encodeDripAuth(link));
    if (this.links.has(hex)) return;
    if (!detMatchesHostIdentity(link.childDet, link.childHi)) return;
    const childHex = toHex(link.childDet);
    this.links.set(hex, { link, childHex, parentHex: toHex(link.parentDet), provisioned });
    this.keys.set(childHex, link.childHi);
    if (provisioned || ++this.heardLinks <= HEARD_LINKS) return;
    // Forget the oldest heard endorsement, and its child's key unless another endorsement carries it too.
    for (const [k, l] of this.links) {
      if (!l.provisioned) {
        this.links.delete(k);
        this.heardLinks--;
        if (![...this.links.values()].some((o) => o.childHex === l.childHex)) this.keys.delete(l.childHex);
        break;
      }
    }
  }

  private hiOf(detHex: string): Uint8Array | undefined {
    return this.roots.get(detHex) ?? this.keys.get(detHex);
  }

  private linkSignatureOk(link: DripLink, hex: string, parentHi: Uint8Array): boolean {
    const key = `${hex}/${toHex(parentHi)}`;
    let ok = this.signatureChecks.get(key);
    if (ok === undefined) {
      ok = verifyDripSignature(link, parentHi, this.ed);
      if (this.signatureChecks.size >= 4 * HEARD_LINKS) this.signatureChecks.clear();
      this.signatureChecks.set(key, ok);
    }
    return ok;
  }

  /** The drone's own endorsements, once their parent's key is known: signature, and validity when heard. */
  private checkLinks(rec: DroneRecord): void {
    for (const h of rec.links) {
      if (h.checked) continue;
      const parentHi = this.hiOf(toHex(h.link.parentDet));
      if (!parentHi) continue;
      h.checked = true;
      const what = `its Broadcast Endorsement of ${detToText(h.link.childDet)} by ${detToText(h.link.parentDet)}`;
      if (!this.linkSignatureOk(h.link, h.hex, parentHi)) {
        if (h.rebuilt) rec.evidence.malformed++;
        else this.forge(rec, `${what} has a signature that does not verify with the parent's key`);
        continue;
      }
      const w = windowProblem(h.link.vnb, h.link.vna, h.t, this.skew);
      if (w) this.forge(rec, `${what} was broadcast outside its validity: ${w.reason}`);
    }
  }

  /** The drone's signed evidence, in the order heard, once a key for its DET is known. */
  private checkPending(rec: DroneRecord): void {
    const waiting: HeardSigned[] = [];
    for (const h of rec.pending) {
      const det = toHex(h.s.uaDet);
      const hi = this.hiOf(det);
      if (!hi) {
        waiting.push(h);
        continue;
      }
      // The same bytes again (transmitters repeat their authentication): a retransmission, not new evidence.
      if (rec.recent.has(h.hex)) continue;
      if (h.rebuilt && !verifyDripSignature(h.s, hi, this.ed)) {
        rec.evidence.malformed++;
        continue;
      }
      const problem = this.evidenceProblem(rec, h, hi);
      if (problem) {
        this.forge(rec, problem);
        continue;
      }
      rec.evidence.verifiedSignatures++;
      rec.maxVnb = Math.max(rec.maxVnb, h.s.vnb);
      rec.last = { det, vnb: h.s.vnb, vna: h.s.vna };
      remember(rec.recent, h.hex, RECENT_VERIFIED);
    }
    rec.pending = waiting;
  }

  /** Why one signed structure cannot be genuine, or undefined. */
  private evidenceProblem(rec: DroneRecord, h: HeardSigned, hi: Uint8Array): string | undefined {
    const s = h.s;
    const what = `its DRIP ${s.type[0]!.toUpperCase()}${s.type.slice(1)} (VNB ${s.vnb})`;
    const det = toHex(s.uaDet);
    if (!verifyDripSignature(s, hi, this.ed)) return `${what} has a signature that does not verify with the key of DET ${detToText(s.uaDet)}`;
    const w = windowProblem(s.vnb, s.vna, h.t, this.skew);
    if (w) return `${what} was heard outside its validity: ${w.reason}`;
    if (rec.maxVnb >= 0 && s.vnb + this.replayTolerance < rec.maxVnb) {
      return `${what} is replayed: VNB ${s.vnb} (${dripTimeText(s.vnb)}) is older than VNB ${rec.maxVnb} (${dripTimeText(rec.maxVnb)}) already seen`;
    }
    if (rec.announced.length && !rec.announced.includes(det)) {
      return `${what} is signed by DET ${detToText(s.uaDet)}, but the drone announces DET ${detText(rec.announced.at(-1)!)}`;
    }
    if (s.type === 'wrapper') return this.wrapperProblem(rec, s, what);
    if (s.type === 'manifest') return this.manifestProblem(rec, s, h, what);
    return undefined;
  }

  private wrapperProblem(rec: DroneRecord, w: DripWrapper, what: string): string | undefined {
    for (const m of w.messages) {
      const type = m[0]! >> 4;
      const clear = rec.clearByType.get(type) ?? [];
      if (clear.some((c) => equal(c, m))) {
        rec.evidence.matchedMessages++;
        continue;
      }
      // Only a clear message of the same instance contradicts it: a Location or System of another time is
      // another message (the one wrapped was missed), a Basic ID of another ID type another identity.
      const key = instanceKey(m);
      const same = clear.filter((c) => instanceKey(c) === key);
      if (!same.length) rec.evidence.unmatchedMessages++;
      else return `${what} wraps a ${MESSAGE_NAMES[type] ?? `type ${type}`} message that differs from the ${same.length} clear one(s) heard${INSTANCE_WORDS[type] ?? ''}`;
    }
    return undefined;
  }

  private manifestProblem(rec: DroneRecord, m: DripManifest, h: HeardSigned, what: string): string | undefined {
    if (!manifestHashConsistent(m)) return `${what} carries a current-manifest hash that is not the hash of its contents`;
    // Its link hash names the UA's own endorsement: the one it broadcasts.
    const own = rec.links.filter((l) => equal(l.link.childDet, m.uaDet));
    if (own.length && !own.some((l) => equal(linkHash(l.link), m.linkHash))) {
      return `${what} lists link hash ${toHex(m.linkHash)}, which is none of the ${own.length} endorsement(s) of its DET it broadcast`;
    }
    let matched = 0;
    for (const x of m.messageHashes) if (rec.heardHashes.has(toHex(x))) matched++;
    rec.evidence.matchedMessages += matched;
    rec.evidence.unmatchedHashes += m.messageHashes.length - matched;
    if (matched > 0 || m.messageHashes.length === 0 || h.clearBefore < this.manifestCheckAfter) {
      if (matched > 0) delete rec.unmatchedManifestAfter;
      return undefined;
    }
    const previous = rec.unmatchedManifestAfter;
    rec.unmatchedManifestAfter = h.clearBefore;
    // One may follow a dropout; a second, with messages heard since the first, says the clear ones are not the drone's.
    if (previous === undefined || h.clearBefore === previous) return undefined;
    return `${what} lists ${m.messageHashes.length} message hash(es), none of them of the ${h.clearBefore} message(s) heard before it, nor did the Manifest before it (${h.clearBefore - previous} message(s) heard between them)`;
  }

  private forge(rec: DroneRecord, reason: string): void {
    rec.forgery ??= reason;
  }

  /** The chain of endorsements from `detHex` up to a trusted root, valid at `now`, or why there is none. */
  private chainFrom(detHex: string, now: number, visited: Set<string>): { ok: true; chain: string[] } | { ok: false; reason: string } {
    if (this.roots.has(detHex)) return { ok: true, chain: [detHex] };
    if (visited.has(detHex)) return { ok: false, reason: `endorsements of ${detText(detHex)} go round in a loop` };
    if (visited.size >= MAX_CHAIN) return { ok: false, reason: `more than ${MAX_CHAIN} endorsements above the UA` };
    const reasons: string[] = [];
    let candidates = 0;
    for (const [hex, l] of this.links) {
      if (l.childHex !== detHex) continue;
      candidates++;
      const parentHi = this.hiOf(l.parentHex);
      if (!parentHi) {
        reasons.push(`${detText(detHex)} is endorsed by ${detText(l.parentHex)}, whose key is unknown (neither a trusted root nor endorsed)`);
        continue;
      }
      if (!this.linkSignatureOk(l.link, hex, parentHi)) {
        reasons.push(`the endorsement of ${detText(detHex)} by ${detText(l.parentHex)} has a signature that does not verify`);
        continue;
      }
      // Its signature was checked just above, and its child DET against its HI when it was learnt: its window is left.
      const w = windowProblem(l.link.vnb, l.link.vna, now, this.skew);
      if (w) {
        reasons.push(`the endorsement of ${detText(detHex)} by ${detText(l.parentHex)}: ${w.reason}`);
        continue;
      }
      const up = this.chainFrom(l.parentHex, now, new Set([...visited, detHex]));
      if (up.ok) return { ok: true, chain: [detHex, ...up.chain] };
      reasons.push(up.reason);
    }
    if (!candidates) return { ok: false, reason: `no endorsement of ${detText(detHex)} is known (neither heard nor in the trust store)` };
    return { ok: false, reason: reasons[0]! };
  }
}

const emptyEvidence = (): VerificationEvidence => ({
  clearMessages: 0,
  links: 0,
  signed: 0,
  verifiedSignatures: 0,
  waitingForKey: 0,
  matchedMessages: 0,
  unmatchedMessages: 0,
  unmatchedHashes: 0,
  malformed: 0,
  unsupported: 0,
});

const detText = (hex: string): string => detToText(fromHex(hex));

/**
 * What makes two messages of one type the same message sent twice: a Location's timestamp (bytes 21..22,
 * tenths of a second after the hour), a System's (bytes 20..23, seconds since 2019), a Basic ID's ID type;
 * Self-ID and Operator ID have one instance.
 */
function instanceKey(m: Uint8Array): number {
  switch (m[0]! >> 4) {
    case MessageType.location:
      return m[21]! | (m[22]! << 8);
    case MessageType.system:
      return (m[20]! | (m[21]! << 8) | (m[22]! << 16) | (m[23]! << 24)) >>> 0;
    case MessageType.basicId:
      return m[1]! >> 4;
    default:
      return 0;
  }
}
const INSTANCE_WORDS: Partial<Record<number, string>> = {
  [MessageType.location]: ' with its timestamp',
  [MessageType.system]: ' with its timestamp',
  [MessageType.basicId]: ' of its ID type',
};

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Adds to a set kept to its newest `max` entries. */
function remember(set: Set<string>, value: string, max: number): void {
  set.delete(value);
  set.add(value);
  if (set.size > max) set.delete(set.values().next().value!);
}
