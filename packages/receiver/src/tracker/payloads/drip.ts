/**
 * DRIP verification of tracks (remote-id-spec.md §6.5), when the tracker is given a verifier (`rid-scan
 * --trust DIR`: @odid/trust's DripVerifier over a local trust store, offline). Without one nothing here runs.
 *
 * Per radio link — one transmitter address on one transport, which sends all a drone's messages on it — the
 * verifier hears every clear message and pack as the bytes it came in (the extractor's `keepBytes`; a pack
 * once, at its first member, so before the authentication pages it carries), and every authentication
 * message the link's assembler completes (its pages, one lost page rebuilt by FEC): a pack's members go with
 * it (an extended wrapper signs them), a legacy message's pages too (a Manifest may hash them), and whether a
 * page was rebuilt (nothing checked it then: a bad signature is unreadable evidence, not a forgery). A track shows
 * the verdict of its links: forged if any link is, else verified if any is, else unverified, with the reason.
 * The verifier is injected, so the tracker stays browser-safe.
 */

import { MESSAGE_SIZE, MessageType, encodeMessage, type AssembledAuth, type ReceivedMessage } from '@odid/codec';
import { linkKey, type RadioLink } from '../link.js';
import type { TrackRecord } from '../record.js';

export type DripState = 'verified' | 'unverified' | 'forged';

/** The counts behind a verdict (docs/decoded-json.md, "DRIP verdict"). */
export interface DripEvidence {
  clearMessages: number;
  links: number;
  signed: number;
  verifiedSignatures: number;
  waitingForKey: number;
  matchedMessages: number;
  unmatchedMessages: number;
  unmatchedHashes: number;
  malformed: number;
  unsupported: number;
}

/** A verifier's verdict on one drone (here: one link). */
export interface DripVerdict {
  state: DripState;
  reason: string;
  /** The DET the drone announces (Basic ID of ID type 4, session type 1). */
  announcedDet?: string;
  /** The DET its verified evidence is signed with. */
  signerDet?: string;
  /** When verified: the DETs from the UA up to the trusted root. */
  chain: readonly string[];
  evidence: Readonly<DripEvidence>;
}

/** What the tracker needs of a verifier; @odid/trust's DripVerifier is one. Keys are the tracker's link keys. */
export interface DripVerifying {
  addClear(drone: string, bytes: Uint8Array): void;
  addAssembled(drone: string, auth: Pick<AssembledAuth, 'authType' | 'authData'>, opts?: { t?: number; pack?: readonly Uint8Array[]; pages?: readonly Uint8Array[]; rebuilt?: boolean }): unknown;
  state(drone: string, nowMs?: number): DripVerdict;
}

/** A track's DRIP verdict (Track.drip, and `drip` in its JSON): that of the link that decides it. */
export interface TrackDrip {
  readonly state: DripState;
  readonly reason: string;
  /** The DET announced in the clear, and the one the evidence is signed with (IPv6 notation). */
  readonly det?: string;
  readonly signer?: string;
  /** When verified: UA, HDA, ... up to the trusted root. */
  readonly chain: readonly string[];
  readonly evidence: Readonly<DripEvidence>;
  /** The link the verdict is of: `${transport} ${address}`. */
  readonly link: string;
  /** Every link's own verdict, by link. */
  readonly linkStates: Readonly<Record<string, DripState>>;
  /** Authentication pages rebuilt by FEC on the track's links. */
  readonly recoveredPages: number;
}

const RANK: Record<DripState, number> = { unverified: 0, verified: 2, forged: 3 };
/** Links whose verdicts are kept (the verifier bounds its own memory the same way). */
const MAX_LINKS = 4096;

/** Whether a verdict rests on any DRIP authentication (an unverified one with some beats one with none). */
const hasDrip = (v: DripVerdict): boolean => v.evidence.links + v.evidence.signed > 0;
const rankOf = (v: DripVerdict): number => RANK[v.state] + (v.state === 'unverified' && hasDrip(v) ? 1 : 0);

/** The worse of two track verdicts (forged over verified over unverified): what a merge keeps. */
export function worseDrip(a: TrackDrip | undefined, b: TrackDrip | undefined): TrackDrip | undefined {
  if (!a || !b) return a ?? b;
  return RANK[b.state] > RANK[a.state] ? b : a;
}

export class DripChecks {
  /** The latest verdict of each link, least recently changed first. */
  private readonly verdicts = new Map<string, DripVerdict>();
  /** Pages FEC rebuilt, per link. */
  private readonly recovered = new Map<string, number>();
  /** The bytes of the last pack given to the verifier: its members share them, and it goes once. */
  private lastPack: Uint8Array | undefined;

  constructor(private readonly verifier: DripVerifying) {}

  /** After a message's payload was applied (so the link's assembler has taken an authentication page). */
  observe(track: TrackRecord, link: RadioLink, msg: ReceivedMessage, now: number): void {
    const bytes = msg.bytes;
    if (!bytes || bytes.length === 0) return;
    const key = linkKey(link.transport, link.address);
    const p = msg.message;
    const pack = bytes[0]! >> 4 === MessageType.messagePack;
    let changed = !this.verdicts.has(key);
    if (pack) {
      if (bytes !== this.lastPack) {
        this.lastPack = bytes;
        this.verifier.addClear(key, bytes);
        changed = true;
      }
    } else if (p.type !== 'auth') {
      this.verifier.addClear(key, bytes);
      // An announced DET (Basic ID of ID type 4) is what the evidence must be signed with.
      if (p.type === 'basicId' && p.idType === 4) changed ||= this.verdicts.get(key)?.announcedDet === undefined;
    }
    if (p.type === 'auth') {
      const done = link.auth.last;
      if (done?.complete && !done.again) {
        const rebuilt = done.recovered !== undefined;
        this.verifier.addAssembled(key, done.auth, pack ? { t: now, pack: packMembers(bytes) } : { t: now, pages: pageBytes(done.pages), rebuilt });
        if (done.recovered !== undefined) this.recovered.set(key, (this.recovered.get(key) ?? 0) + 1);
        changed = true;
      }
    }
    if (changed) this.refresh(track, key, now);
  }

  /** The clock moved: evidence and endorsements expire. Only tracks with DRIP evidence are looked at again. */
  tick(track: TrackRecord, now: number): void {
    if (!track.drip || (track.drip.state === 'unverified' && !Object.values(track.drip.evidence).some((n) => n > 0))) return;
    let changed = false;
    for (const key of track.links.keys()) {
      const before = this.verdicts.get(key);
      if (!before || !hasDrip(before)) continue;
      const after = this.verifier.state(key, now);
      if (after.state !== before.state || after.reason !== before.reason) {
        this.remember(key, after);
        changed = true;
      }
    }
    if (changed) track.drip = this.summary(track);
  }

  private refresh(track: TrackRecord, key: string, now: number): void {
    this.remember(key, this.verifier.state(key, now));
    track.drip = this.summary(track);
  }

  private remember(key: string, v: DripVerdict): void {
    this.verdicts.delete(key);
    this.verdicts.set(key, v);
    if (this.verdicts.size > MAX_LINKS) {
      const oldest = this.verdicts.keys().next().value!;
      this.verdicts.delete(oldest);
      this.recovered.delete(oldest);
    }
  }

  /** The verdict of the link that decides the track (forged, else verified, else the one with most to say). */
  private summary(track: TrackRecord): TrackDrip | undefined {
    let best: [string, DripVerdict] | undefined;
    let recoveredPages = 0;
    const linkStates: Record<string, DripState> = {};
    for (const key of track.links.keys()) {
      recoveredPages += this.recovered.get(key) ?? 0;
      const v = this.verdicts.get(key);
      if (!v) continue;
      linkStates[key] = v.state;
      if (!best || rankOf(v) > rankOf(best[1])) best = [key, v];
    }
    if (!best) return track.drip;
    const [link, v] = best;
    return {
      state: v.state,
      reason: v.reason,
      ...(v.announcedDet ? { det: v.announcedDet } : {}),
      ...(v.signerDet ? { signer: v.signerDet } : {}),
      chain: [...v.chain],
      evidence: { ...v.evidence },
      link,
      linkStates,
      recoveredPages,
    };
  }
}

/** The 25-byte members of a pack (its header says how many; a pack that says more than it holds gives what it holds). */
function packMembers(pack: Uint8Array): Uint8Array[] {
  const count = Math.min(pack[2] ?? 0, Math.floor((pack.length - 3) / MESSAGE_SIZE));
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) out.push(pack.subarray(3 + i * MESSAGE_SIZE, 3 + (i + 1) * MESSAGE_SIZE));
  return out;
}

/** A legacy message's pages as sent: each page re-encoded from its decoded form (exact for Authentication pages). */
function pageBytes(pages: readonly Parameters<typeof encodeMessage>[0][]): Uint8Array[] | undefined {
  try {
    return pages.map((p) => encodeMessage(p));
  } catch {
    // A page FEC rebuilt that the encoder refuses: no page hash then, the structure itself still goes.
    return undefined;
  }
}
