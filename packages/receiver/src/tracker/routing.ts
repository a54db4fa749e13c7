/**
 * Routing: which track a reception belongs to. Tracks are keyed by UAS ID (spec §3.5): a message without an
 * ID goes to the track of its radio address, and when that address sends an ID the address track joins the
 * ID's track, so BT4, BT5 and Wi-Fi under different MACs end up as one aircraft. DJI DroneID and French
 * records form tracks by their own serials. Two tracks found to be one aircraft merge: the payload kinds
 * take over what they hold (payloads/), and the rest is merged here.
 */

import { isPermanentSlot, identityKey, type TrackIdentity } from './identity.js';
import { TRACK_FLAGS, type TrackFlag } from './flags.js';
import type { TrackPayload } from './payloads/descriptor.js';
import { TRACK_PAYLOADS } from './payloads/index.js';
import { newTrackRecord, type TrackRecord } from './record.js';
import type { TrackerSettings } from './settings.js';
import { mergeEvidence } from './spoofing.js';
import type { Track } from './types.js';

const FLAG_ORDER = Object.keys(TRACK_FLAGS) as TrackFlag[];

export interface Route {
  track: TrackRecord;
  created: boolean;
  /** Keys of the tracks that joined `track` (they no longer exist). */
  merged: string[] | undefined;
}

export class TrackRouter {
  private readonly byKey = new Map<string, TrackRecord>();
  /** identityKey -> track. */
  private readonly byId = new Map<string, TrackRecord>();
  /** Lowercase MAC -> the track it last spoke for. */
  private readonly byAddress = new Map<string, TrackRecord>();
  private nextKey = 1;

  /** `onMerge` hears of every merge, once the content moved: what others keep per track follows it. */
  constructor(
    private readonly settings: Pick<TrackerSettings, 'historyLimit' | 'rateWindowMs'>,
    private readonly onMerge: (src: TrackRecord, dst: TrackRecord) => void,
  ) {}

  /** Every track, in the order first heard. */
  tracks(): IterableIterator<TrackRecord> {
    return this.byKey.values();
  }

  /**
   * The track of a reception from `address` (lowercase) carrying `ids`, created or merged as they say.
   * `past`: a reception taken in late (Tracker.backfill): its IDs find, create and join tracks as any
   * others do, but replace no ID a track holds now, and an address that speaks for a track now stays
   * with it (the older track only lists it).
   */
  route(address: string, ids: readonly TrackIdentity[], now: number, past = false): Route {
    let merged: string[] | undefined;
    let target: TrackRecord | undefined;
    for (const id of ids) {
      const t = this.byId.get(identityKey(id));
      if (!t || t === target) continue;
      if (!target) target = t;
      else if (compatible(target, t)) (merged ??= []).push(this.merge(t, target));
    }
    const ofAddress = this.byAddress.get(address);
    let created = false;
    if (!target) {
      if (ofAddress && accepts(ofAddress, ids)) target = ofAddress;
      else {
        target = newTrackRecord(`trk-${this.nextKey++}`, now, this.settings);
        this.byKey.set(target.key, target);
        created = true;
      }
    } else if (ofAddress && ofAddress !== target && compatible(target, ofAddress)) {
      (merged ??= []).push(this.merge(ofAddress, target));
    }
    // An address whose old track holds another permanent ID (a reused MAC, or a spoofer cycling IDs) now
    // speaks for the new track; the old track keeps the address in its list as history.
    for (const id of ids) this.addIdentity(target, id, past);
    // byAddress pointing at a track implies the track lists the address: nothing to write when it already does.
    if (ofAddress !== target) {
      if (!past || !ofAddress) this.byAddress.set(address, target);
      target.addresses.add(address);
    }
    return { track: target, created, merged };
  }

  /** The track a (lowercase) address speaks for now. */
  ofAddress(address: string): TrackRecord | undefined {
    return this.byAddress.get(address);
  }

  /** A track by key, by any of its UAS IDs (as text, or hex for binary IDs), or by any MAC address it used. */
  lookup(id: string): TrackRecord | undefined {
    const direct = this.byKey.get(id);
    if (direct) return direct;
    for (const t of this.byKey.values()) {
      if (t.uasId === id) return t;
      for (const v of t.identities.values()) if (v === id) return t;
      for (const b of t.basicIds.values()) if (b.uasId === id) return t;
    }
    return this.byAddress.get(id.toLowerCase());
  }

  /** The track an identity (identityKey) leads to now, if any. */
  byIdentity(key: string): TrackRecord | undefined {
    return this.byId.get(key);
  }

  /** Forgets the tracks `gone` says so of; returns them. */
  remove(gone: (t: TrackRecord) => boolean): TrackRecord[] {
    const out = [...this.byKey.values()].filter(gone);
    if (!out.length) return out;
    const drop = new Set(out);
    for (const t of out) this.byKey.delete(t.key);
    for (const [k, t] of this.byId) if (drop.has(t)) this.byId.delete(k);
    for (const [a, t] of this.byAddress) if (drop.has(t)) this.byAddress.delete(a);
    return out;
  }

  private addIdentity(track: TrackRecord, id: TrackIdentity, past: boolean): void {
    const current = track.identities.get(id.slot);
    // A different permanent ID in the slot means this ID belongs to another aircraft; a different one from
    // the past (an earlier flight's session ID) is older than the one held.
    if (current !== undefined && current !== id.value && (past || isPermanentSlot(id.slot))) return;
    // Session and UTM IDs change per flight: the newest is shown, the old one still finds the track.
    track.identities.set(id.slot, id.value);
    const key = identityKey(id);
    if (!this.byId.has(key)) this.byId.set(key, track);
  }

  /** Folds `src` into `dst` (they are one aircraft) and returns the retired key. */
  private merge(src: TrackRecord, dst: TrackRecord): string {
    for (const [slot, value] of src.identities) if (!dst.identities.has(slot)) dst.identities.set(slot, value);
    for (const [k, t] of this.byId) if (t === src) this.byId.set(k, dst);
    for (const a of src.addresses) {
      dst.addresses.add(a);
      if (this.byAddress.get(a) === src) this.byAddress.set(a, dst);
    }
    for (const tr of src.transports) dst.transports.add(tr);
    takeNewerContent(src, dst, TRACK_PAYLOADS);
    dst.history.absorb(src.history);
    if (src.position && (!dst.position || src.position.t > dst.position.t)) dst.position = src.position;
    mergeEvidence(src, dst);
    for (const [k, l] of src.links) {
      const mine = dst.links.get(k);
      if (mine) mine.absorb(l);
      else dst.links.set(k, l);
    }
    dst.rateMeter.absorb(src.rateMeter);
    dst.firstSeen = Math.min(dst.firstSeen, src.firstSeen);
    dst.lastSeen = Math.max(dst.lastSeen, src.lastSeen);
    dst.messages += src.messages;
    // What the retired track had already raised counts as raised for the aircraft: no second alert for it.
    dst.flags = FLAG_ORDER.filter((f) => dst.flags.includes(f) || src.flags.includes(f));
    dst.zones = union(dst.zones, src.zones);
    dst.operatorZones = union(dst.operatorZones, src.operatorZones);
    this.onMerge(src, dst);
    this.byKey.delete(src.key);
    return src.key;
  }
}

/**
 * What `src` holds that is newer than `dst`'s, into `dst`: each kind's content by the payloads' own merge
 * rules, judged by the stamps (updatedAt) before they merge; the stamps and issues; the operator and home
 * point. For two tracks of one aircraft, and for a reception from the past applied to a scratch track
 * (backfill.ts), whose `payloads` are its own payload's alone.
 */
export function takeNewerContent(src: TrackRecord, dst: TrackRecord, payloads: readonly TrackPayload[]): void {
  const newer = (kind: string): boolean => {
    const at = src.updatedAt.get(kind);
    if (at === undefined) return false;
    const mine = dst.updatedAt.get(kind);
    return mine === undefined || mine < at;
  };
  for (const payload of payloads) payload.merge?.(src, dst, newer);
  for (const [kind, at] of src.updatedAt) {
    const mine = dst.updatedAt.get(kind);
    if (mine !== undefined && mine >= at) continue;
    dst.updatedAt.set(kind, at);
    const issues = src.issues.get(kind);
    if (issues) dst.issues.set(kind, issues);
  }
  if (src.operator && (!dst.operator || src.operator.t > dst.operator.t)) dst.operator = src.operator;
  if (src.home && (!dst.home || src.home.t > dst.home.t)) dst.home = src.home;
}

/** a's items, then b's that a lacks; a itself when b adds nothing. */
function union(a: readonly string[], b: readonly string[]): readonly string[] {
  const extra = b.filter((x) => !a.includes(x));
  return extra.length ? [...a, ...extra] : a;
}

/** Whether `track` can take these identities: no permanent slot of it holds a different value. */
function accepts(track: Track, ids: readonly TrackIdentity[]): boolean {
  return ids.every((id) => !isPermanentSlot(id.slot) || (track.identities.get(id.slot) ?? id.value) === id.value);
}

/** Whether two tracks can be one aircraft. */
function compatible(a: Track, b: Track): boolean {
  for (const [slot, value] of b.identities) {
    if (isPermanentSlot(slot) && (a.identities.get(slot) ?? value) !== value) return false;
  }
  return true;
}
