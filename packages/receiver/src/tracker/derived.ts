/**
 * Derived state: what follows from a track's content, the clock and the tracker's settings rather than from
 * any one message — the ID it is shown by, its state (active, stale, lost), flags and rates, distances and
 * bearings from the receiver, the zones drone and operator are in, and whether an allow-list entry holds.
 * Lists and objects are replaced only when their content changed, so an unchanged one is the same object.
 */

import { bearing, distance, type LatLon } from '@odid/position';
import { AllowList, type AllowEntry } from './allow-list.js';
import { SPOOF_FLAGS, evaluateFlags } from './flags.js';
import { idTypeOfSlot, preferredIdentity } from './identity.js';
import type { TrackRecord } from './record.js';
import type { TrackerSettings } from './settings.js';
import type { Track, TrackState } from './types.js';
import { zonesAt, type Zone } from './zones.js';

/** Where a track's zones were last worked out (zone checks run only when a position moved). */
interface ZoneCheck {
  generation: number;
  lat?: number;
  lon?: number;
  alt?: number;
  opLat?: number;
  opLon?: number;
}

const NO_ZONES: string[] = [];
const SPOOF_FLAG_BITS = new Map(SPOOF_FLAGS.map((f, i) => [f, i]));

type Settings = Pick<TrackerSettings, 'staleAfterMs' | 'lostAfterMs' | 'missingAfterMs' | 'spoofHoldMs'>;

export class DerivedState {
  /** Where the receiver is (undefined: unknown), for distances and bearings. */
  receiver: LatLon | undefined;
  private zones: readonly Zone[] = [];
  /** Bumped by setZones: every track's zones are worked out again. */
  private zoneGeneration = 0;
  private readonly zoneChecks = new WeakMap<Track, ZoneCheck>();
  private allow: AllowList | undefined;
  /** The next time some allow-list entry starts or stops holding: tick looks at every track then. */
  private allowChangesAt = Infinity;
  /** The clock-dependent inputs of each track's flags at their last evaluation (see timedFlagInputs). */
  private readonly flagInputs = new WeakMap<Track, number>();

  constructor(private readonly settings: Settings) {}

  get zoneList(): readonly Zone[] {
    return this.zones;
  }

  setZones(zones: readonly Zone[]): void {
    this.zones = [...zones];
    this.zoneGeneration++;
  }

  setAllowList(entries: readonly AllowEntry[] | undefined, now: number): void {
    this.allow = entries ? new AllowList([...entries]) : undefined;
    this.allowChangesAt = this.allow ? this.allow.nextChangeAfter(now) : Infinity;
  }

  /** Whether an allow-list entry started or stopped holding by `now` (then every track's authorisation is due again). */
  allowListChanged(now: number): boolean {
    if (this.allow === undefined || now < this.allowChangesAt) return false;
    this.allowChangesAt = this.allow.nextChangeAfter(now);
    return true;
  }

  /** Everything, after a message changed the track. */
  refresh(track: TrackRecord, now: number): void {
    const id = preferredIdentity(track.identities);
    if (id) {
      track.uasId = id.value;
      const idType = idTypeOfSlot(id.slot);
      if (idType !== undefined) track.idType = idType;
      else delete track.idType;
    }
    const basic = (track.idType !== undefined ? track.basicIds.get(track.idType) : undefined) ?? track.basicIds.values().next().value;
    if (basic) track.uaType = basic.uaType;
    this.updateDistances(track);
    this.updateZones(track);
    this.updateAuthorised(track, now);
    this.refreshTimed(track, now);
  }

  /**
   * What changes with time alone: state, flags, rates. Unchanged flags and rates keep their objects. On a
   * tick (`timeOnly`) the track's content is as its last evaluation saw it, so its flags can only change if
   * one of their clock-dependent inputs did: otherwise they are not evaluated again.
   */
  refreshTimed(track: TrackRecord, now: number, timeOnly = false): void {
    track.state = this.stateAt(track, now);
    const inputs = this.timedFlagInputs(track, now);
    if (!timeOnly || this.flagInputs.get(track) !== inputs) {
      const flags = evaluateFlags(track, { nowMs: now, missingAfterMs: this.settings.missingAfterMs, spoofHoldMs: this.settings.spoofHoldMs });
      if (!sameList(flags, track.flags)) track.flags = flags;
      this.flagInputs.set(track, inputs);
    }
    track.rates = track.rateMeter.current(now, track.rates);
  }

  updateDistances(track: TrackRecord): void {
    const r = this.receiver;
    if (r && track.position) {
      track.distance = distance(r, track.position);
      track.bearing = bearing(r, track.position);
    } else {
      delete track.distance;
      delete track.bearing;
    }
    if (r && track.operator) {
      track.operatorDistance = distance(r, track.operator);
      track.operatorBearing = bearing(r, track.operator);
    } else {
      delete track.operatorDistance;
      delete track.operatorBearing;
    }
  }

  /**
   * The zones the drone and the operator are in, worked out again only when their position moved (or the
   * zones changed); each zone's bounding box is looked at before its polygons. Unchanged lists keep their
   * arrays.
   */
  updateZones(track: TrackRecord): void {
    if (this.zones.length === 0) {
      if (track.zones.length) track.zones = [];
      if (track.operatorZones.length) track.operatorZones = [];
      return;
    }
    let check = this.zoneChecks.get(track);
    if (!check) this.zoneChecks.set(track, (check = { generation: -1 }));
    const fresh = check.generation !== this.zoneGeneration;
    check.generation = this.zoneGeneration;
    const p = track.position;
    if (fresh || check.lat !== p?.lat || check.lon !== p?.lon || check.alt !== p?.alt) {
      check.lat = p?.lat;
      check.lon = p?.lon;
      check.alt = p?.alt;
      const zones = p ? zonesAt(this.zones, p) : NO_ZONES;
      if (!sameList(zones, track.zones)) track.zones = zones === NO_ZONES ? [] : zones;
    }
    const o = track.operator;
    if (fresh || check.opLat !== o?.lat || check.opLon !== o?.lon) {
      check.opLat = o?.lat;
      check.opLon = o?.lon;
      const zones = o ? zonesAt(this.zones, o, true) : NO_ZONES;
      if (!sameList(zones, track.operatorZones)) track.operatorZones = zones === NO_ZONES ? [] : zones;
    }
  }

  updateAuthorised(track: TrackRecord, now: number): void {
    const entry = this.allow?.match(track, now);
    if (entry) {
      track.authorised = true;
      track.allowedBy = entry;
    } else if (track.authorised) {
      track.authorised = false;
      delete track.allowedBy;
    }
  }

  /** `dst` took in another track: its zones are worked out afresh. */
  merged(dst: Track): void {
    this.zoneChecks.delete(dst);
  }

  /**
   * The only places evaluateFlags reads the clock (missing-* grace period, each spoofing flag's hold), as
   * bits: the first for the grace period, then one per spoofing flag whose evidence is held.
   */
  private timedFlagInputs(track: Track, now: number): number {
    let inputs = now - track.firstSeen > this.settings.missingAfterMs ? 1 : 0;
    for (const e of track.spoofing) if (now - e.t <= this.settings.spoofHoldMs) inputs |= 2 << SPOOF_FLAG_BITS.get(e.flag)!;
    return inputs;
  }

  private stateAt(track: Track, now: number): TrackState {
    const silence = now - track.lastSeen;
    if (silence > this.settings.lostAfterMs) return 'lost';
    if (silence > this.settings.staleAfterMs) return 'stale';
    return 'active';
  }
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
