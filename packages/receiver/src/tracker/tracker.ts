/**
 * Received messages -> one track per aircraft. Tracks are keyed by UAS ID (spec §3.5): a message without an
 * ID goes to the track of its radio address, and when that address sends a Basic ID the address track joins
 * the ID's track, so BT4, BT5 and Wi-Fi under different MACs end up as one aircraft. DJI DroneID and French
 * records form tracks by their own serials.
 *
 * Time comes only from the caller: `ingest` takes the frame's time (or an explicit `nowMs`), `tick` the
 * clock's. Replaying a capture therefore gives the same tracks as hearing it live.
 */

import { validate, type ReceivedMessage, type ReceivedPayload, type Transport } from '@odid/codec';
import { bearing, distance, isKnownPosition, normalizeDegrees, type LatLon } from '@odid/position';
import { AllowList, type AllowEntry } from './allow-list.js';
import { TRACK_FLAGS, evaluateFlags, type TrackFlag } from './flags.js';
import { PositionHistory } from './history.js';
import {
  carriesIdentity,
  identitiesOf,
  identityKey,
  idTypeOfSlot,
  isPermanentSlot,
  preferredIdentity,
  slotOfIdType,
  type TrackIdentity,
} from './identity.js';
import { RadioLink, linkKey } from './link.js';
import { RateMeter } from './rates.js';
import type { OperatorSource, SpoofEvidence, Track, TrackAlert, TrackerOptions, TrackPoint, TrackState, TrackUpdate } from './types.js';
import { zonesAt, type Zone } from './zones.js';

const DEFAULTS = {
  staleAfterMs: 5_000,
  lostAfterMs: 30_000,
  historyLimit: 1_000,
  missingAfterMs: 3_500,
  rateWindowMs: 10_000,
  rssiTimeConstantMs: 2_000,
  maxSpeedMps: 300,
  maxAddressSpreadM: 1_000,
  spoofHoldMs: 60_000,
};
type Settings = typeof DEFAULTS;

const ALTITUDE_UNKNOWN = -1000;
const SPEED_UNKNOWN = 255;
const DIRECTION_MAX = 360;
const COUNTER_MODULUS = 256;
const DJI_SEQUENCE_MODULUS = 65_536;
const OPERATOR_SOURCES: readonly OperatorSource[] = ['takeoff', 'live', 'fixed'];
const ALERT_QUIET_MS = 30_000;
const FLAG_ORDER = Object.keys(TRACK_FLAGS) as TrackFlag[];

/** Where a track's zones were last worked out (zone checks run only when a position moved). */
interface ZoneCheck {
  generation: number;
  lat?: number;
  lon?: number;
  alt?: number;
  opLat?: number;
  opLon?: number;
}

export class Tracker {
  private readonly settings: Settings;
  private receiver: LatLon | undefined;
  private readonly byKey = new Map<string, Track>();
  /** identityKey -> track. */
  private readonly byId = new Map<string, Track>();
  /** Lowercase MAC -> the track it last spoke for. */
  private readonly byAddress = new Map<string, Track>();
  /** The link each track heard last: pack members and bursts share one, found without building its key. */
  private readonly lastLink = new WeakMap<Track, RadioLink>();
  /** The clock-dependent inputs of each track's flags at their last evaluation (see timedFlagInputs). */
  private readonly flagInputs = new WeakMap<Track, number>();
  private zones: readonly Zone[];
  /** Bumped by setZones: every track's zones are worked out again. */
  private zoneGeneration = 0;
  private readonly zoneChecks = new WeakMap<Track, ZoneCheck>();
  private allow: AllowList | undefined;
  /** The next time some allow-list entry starts or stops holding: tick looks at every track then. */
  private allowChangesAt = Infinity;
  private readonly alertQuietMs: number;
  /** When each alert of a track was last raised (see TrackerOptions.alertQuietMs). */
  private readonly raisedAt = new WeakMap<Track, Map<string, number>>();
  /** Tracks created from a radio address alone whose 'new-drone' alert waits for an ID (see announce); usually empty. */
  private readonly unannounced = new Set<Track>();
  private nextKey = 1;
  /** Distinguishes BT4 frames, each of which carries one message, for the counter statistics. */
  private frameSeq = 0;
  private clock = 0;

  constructor(options: TrackerOptions = {}) {
    const s = { ...DEFAULTS };
    for (const k of Object.keys(DEFAULTS) as (keyof Settings)[]) {
      const v = options[k];
      if (v === undefined) continue;
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`Tracker option ${k} must be a positive number, got ${v}`);
      s[k] = v;
    }
    if (!Number.isInteger(s.historyLimit)) throw new RangeError(`Tracker option historyLimit must be a whole number of points, got ${s.historyLimit}`);
    if (s.lostAfterMs < s.staleAfterMs) throw new RangeError(`lostAfterMs (${s.lostAfterMs}) must not be shorter than staleAfterMs (${s.staleAfterMs})`);
    this.settings = s;
    this.receiver = options.receiverPosition;
    const quiet = options.alertQuietMs ?? ALERT_QUIET_MS;
    if (!Number.isFinite(quiet) || quiet < 0) throw new RangeError(`Tracker option alertQuietMs must be a number ≥ 0, got ${quiet}`);
    this.alertQuietMs = quiet;
    this.zones = options.zones ? [...options.zones] : [];
    if (options.allowList) {
      this.allow = new AllowList([...options.allowList]);
      this.allowChangesAt = this.allow.nextChangeAfter(this.clock);
    }
  }

  /** The latest time the tracker has been told, ms. */
  get now(): number {
    return this.clock;
  }

  get receiverPosition(): LatLon | undefined {
    return this.receiver;
  }

  /** Where the receiver is (undefined: unknown). Distances and bearings of every track follow at once. */
  setReceiverPosition(position: LatLon | undefined): void {
    if (position && !isKnownPosition(position.lat, position.lon)) {
      throw new RangeError(`receiver position ${position.lat}, ${position.lon} is not a valid latitude/longitude`);
    }
    this.receiver = position ? { lat: position.lat, lon: position.lon } : undefined;
    for (const t of this.byKey.values()) this.updateDistances(t);
  }

  /** The zones in force. */
  get zoneList(): readonly Zone[] {
    return this.zones;
  }

  /**
   * Replaces the zones (e.g. once a zone drawn on the map is saved): every track's zones are worked out
   * again. Returns an update (reason 'flags') for each track whose zones changed, carrying 'zone' alerts for
   * the zones it is now in — except for lost tracks, which are only updated.
   */
  setZones(zones: readonly Zone[]): TrackUpdate[] {
    this.zones = [...zones];
    this.zoneGeneration++;
    const updates: TrackUpdate[] = [];
    for (const track of this.byKey.values()) {
      const { zones: before, operatorZones: operatorBefore } = track;
      this.updateZones(track);
      if (track.zones === before && track.operatorZones === operatorBefore) continue;
      const update: TrackUpdate = { track, reason: 'flags', at: this.clock };
      const alerts = track.state === 'lost' ? undefined : this.alertsOf(track, track.flags, before, operatorBefore, false);
      if (alerts) update.alerts = alerts;
      updates.push(update);
    }
    return updates;
  }

  /** Replaces the allow-list (undefined: none). Returns an update (reason 'flags') for each track whose authorisation changed. */
  setAllowList(entries: readonly AllowEntry[] | undefined): TrackUpdate[] {
    this.allow = entries ? new AllowList([...entries]) : undefined;
    this.allowChangesAt = this.allow ? this.allow.nextChangeAfter(this.clock) : Infinity;
    const updates: TrackUpdate[] = [];
    for (const track of this.byKey.values()) {
      const was = track.authorised;
      this.updateAuthorised(track);
      if (track.authorised !== was) updates.push({ track, reason: 'flags', at: this.clock });
    }
    return updates;
  }

  /**
   * Takes one received message. `nowMs` defaults to the frame time (`msg.t` × 1000), else the tracker's
   * latest time. Returns undefined for messages that carry nothing to track: frames with a bad FCS/CRC
   * (every byte suspect) and blank DJI records.
   */
  ingest(msg: ReceivedMessage, nowMs?: number): TrackUpdate | undefined {
    const now = nowMs ?? (msg.t !== undefined ? msg.t * 1000 : this.clock);
    if (!Number.isFinite(now)) throw new RangeError(`ingest: time must be a finite number of ms, got ${now}`);
    if (msg.badFcs || isBlank(msg.message)) return undefined;
    this.clock = Math.max(this.clock, now);
    const address = msg.mac.toLowerCase();
    const { track, created, merged } = this.route(address, carriesIdentity(msg.message) ? identitiesOf(msg.message) : NO_IDS, now);
    const previousState = track.state;
    // What alerts are raised against (a new track has raised nothing yet).
    const { flags, zones, operatorZones } = track;

    const link = this.link(track, msg.transport, address, now);
    this.observeLink(link, msg, now);
    track.transports.add(msg.transport);
    track.messages++;
    track.firstSeen = Math.min(track.firstSeen, now);
    track.lastSeen = Math.max(track.lastSeen, now);
    track.rateMeter.add(msg.message.type, now);
    this.apply(track, link, msg.message, now);
    this.refresh(track, this.clock);

    const update: TrackUpdate = { track, reason: created ? 'created' : 'updated', at: now, message: msg };
    if (merged) update.merged = merged;
    if (!created && previousState !== track.state) update.previousState = previousState;
    const alerts = this.alertsOf(track, flags, zones, operatorZones, this.announce(track, created));
    if (alerts) update.alerts = alerts;
    return update;
  }

  /** Moves the clock: tracks turn stale or lost, time-dependent flags change. Returns the tracks that changed. */
  tick(nowMs: number): TrackUpdate[] {
    if (!Number.isFinite(nowMs)) throw new RangeError(`tick: time must be a finite number of ms, got ${nowMs}`);
    this.clock = Math.max(this.clock, nowMs);
    const updates: TrackUpdate[] = [];
    // An allow-list entry started or stopped holding: every track's authorisation is looked at again.
    const allowChanged = this.allow !== undefined && this.clock >= this.allowChangesAt;
    if (allowChanged) this.allowChangesAt = this.allow!.nextChangeAfter(this.clock);
    for (const track of this.byKey.values()) {
      const previousState = track.state;
      const previousFlags = track.flags;
      const wasAuthorised = track.authorised;
      // Only time moved: identity and distances are as the last ingest left them.
      this.refreshTimed(track, this.clock, true);
      if (allowChanged) this.updateAuthorised(track);
      // A track that never got an ID is announced once it has been heard for as long as one would take.
      const announce = this.unannounced.size > 0 && this.unannounced.has(track) && this.clock - track.firstSeen > this.settings.missingAfterMs;
      if (announce) this.unannounced.delete(track);
      let update: TrackUpdate | undefined;
      if (track.state !== previousState) update = { track, reason: 'state', at: this.clock, previousState };
      // refreshTimed keeps the flags array while its content stays the same.
      else if (track.flags !== previousFlags || track.authorised !== wasAuthorised || announce) update = { track, reason: 'flags', at: this.clock };
      if (!update) continue;
      const alerts = this.alertsOf(track, previousFlags, track.zones, track.operatorZones, announce);
      if (alerts) update.alerts = alerts;
      updates.push(update);
    }
    return updates;
  }

  /**
   * Forgets lost tracks silent for longer than `maxSilenceMs` (a receiver running for days); returns their
   * keys. If the aircraft comes back it starts a new track.
   */
  prune(maxSilenceMs: number): string[] {
    const gone = [...this.byKey.values()].filter((t) => t.state === 'lost' && this.clock - t.lastSeen > maxSilenceMs);
    if (!gone.length) return [];
    const drop = new Set(gone);
    for (const t of gone) {
      this.byKey.delete(t.key);
      this.unannounced.delete(t);
    }
    for (const [k, t] of this.byId) if (drop.has(t)) this.byId.delete(k);
    for (const [a, t] of this.byAddress) if (drop.has(t)) this.byAddress.delete(a);
    return gone.map((t) => t.key);
  }

  /** Every track, in the order first heard; lost ones included (see prune). */
  tracks(): Track[] {
    return [...this.byKey.values()];
  }

  /** A track by key, by any of its UAS IDs (as text, or hex for binary IDs), or by any MAC address it used. */
  get(id: string): Track | undefined {
    const direct = this.byKey.get(id);
    if (direct) return direct;
    for (const t of this.byKey.values()) {
      if (t.uasId === id) return t;
      for (const v of t.identities.values()) if (v === id) return t;
      for (const b of t.basicIds.values()) if (b.uasId === id) return t;
    }
    return this.byAddress.get(id.toLowerCase());
  }

  // ---- routing: which track a message belongs to ----

  private route(address: string, ids: readonly TrackIdentity[], now: number): { track: Track; created: boolean; merged: string[] | undefined } {
    let merged: string[] | undefined;
    let target: Track | undefined;
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
        target = this.create(now);
        created = true;
      }
    } else if (ofAddress && ofAddress !== target && compatible(target, ofAddress)) {
      (merged ??= []).push(this.merge(ofAddress, target));
    }
    // An address whose old track holds another permanent ID (a reused MAC, or a spoofer cycling IDs) now
    // speaks for the new track; the old track keeps the address in its list as history.
    for (const id of ids) this.addIdentity(target, id);
    // byAddress pointing at a track implies the track lists the address: nothing to write when it already does.
    if (ofAddress !== target) {
      this.byAddress.set(address, target);
      target.addresses.add(address);
    }
    return { track: target, created, merged };
  }

  private addIdentity(track: Track, id: TrackIdentity): void {
    const current = track.identities.get(id.slot);
    // A different permanent ID in the slot means this ID belongs to another aircraft.
    if (current !== undefined && current !== id.value && isPermanentSlot(id.slot)) return;
    // Session and UTM IDs change per flight: the newest is shown, the old one still finds the track.
    track.identities.set(id.slot, id.value);
    const key = identityKey(id);
    if (!this.byId.has(key)) this.byId.set(key, track);
  }

  private create(now: number): Track {
    const track: Track = {
      key: `trk-${this.nextKey++}`,
      identities: new Map(),
      basicIds: new Map(),
      addresses: new Set(),
      transports: new Set(),
      updatedAt: new Map(),
      history: new PositionHistory(this.settings.historyLimit),
      links: new Map(),
      rateMeter: new RateMeter(this.settings.rateWindowMs),
      rates: {},
      issues: new Map(),
      firstSeen: now,
      lastSeen: now,
      messages: 0,
      state: 'active',
      flags: [],
      zones: [],
      operatorZones: [],
      authorised: false,
    };
    this.byKey.set(track.key, track);
    return track;
  }

  /** Folds `src` into `dst` (they are one aircraft) and returns the retired key. */
  private merge(src: Track, dst: Track): string {
    for (const [slot, value] of src.identities) if (!dst.identities.has(slot)) dst.identities.set(slot, value);
    for (const [k, t] of this.byId) if (t === src) this.byId.set(k, dst);
    for (const a of src.addresses) {
      dst.addresses.add(a);
      if (this.byAddress.get(a) === src) this.byAddress.set(a, dst);
    }
    for (const tr of src.transports) dst.transports.add(tr);
    for (const [kind, at] of src.updatedAt) {
      const mine = dst.updatedAt.get(kind);
      if (mine !== undefined && mine >= at) continue;
      copyLatest(src, dst, kind);
      dst.updatedAt.set(kind, at);
      const issues = src.issues.get(kind);
      if (issues) dst.issues.set(kind, issues);
    }
    dst.history.absorb(src.history);
    if (src.position && (!dst.position || src.position.t > dst.position.t)) dst.position = src.position;
    if (src.operator && (!dst.operator || src.operator.t > dst.operator.t)) dst.operator = src.operator;
    if (src.home && (!dst.home || src.home.t > dst.home.t)) dst.home = src.home;
    if (src.auth && (!dst.auth || (src.updatedAt.get('auth') ?? 0) > (dst.updatedAt.get('auth') ?? 0))) dst.auth = src.auth;
    if (src.spoofEvidence && (!dst.spoofEvidence || src.spoofEvidence.t > dst.spoofEvidence.t)) dst.spoofEvidence = src.spoofEvidence;
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
    this.zoneChecks.delete(dst);
    // An address track joining an aircraft already announced is that aircraft: no second 'new-drone'.
    if (!this.unannounced.delete(src)) this.unannounced.delete(dst);
    const srcRaised = this.raisedAt.get(src);
    if (srcRaised) {
      const dstRaised = this.raisedAt.get(dst) ?? new Map<string, number>();
      for (const [k, t] of srcRaised) dstRaised.set(k, Math.max(t, dstRaised.get(k) ?? -Infinity));
      this.raisedAt.set(dst, dstRaised);
    }
    this.byKey.delete(src.key);
    return src.key;
  }

  // ---- what a message changes ----

  private link(track: Track, transport: Transport, address: string, now: number): RadioLink {
    // A track's links are never removed (merges add to them), so the cached one is still track.links' own.
    const last = this.lastLink.get(track);
    if (last && last.transport === transport && last.address === address) return last;
    const key = linkKey(transport, address);
    let link = track.links.get(key);
    if (!link) track.links.set(key, (link = new RadioLink(transport, address, now)));
    this.lastLink.set(track, link);
    return link;
  }

  private observeLink(link: RadioLink, msg: ReceivedMessage, now: number): void {
    link.messages++;
    link.lastSeen = Math.max(link.lastSeen, now);
    if (msg.rssi !== undefined) link.observeRssi(msg.rssi, now, this.settings.rssiTimeConstantMs);
    if (msg.channel !== undefined) link.channel = msg.channel;
    const reset = this.settings.lostAfterMs;
    const p = msg.message;
    if (p.type === 'djiFlightInfo') {
      link.counter('dji', DJI_SEQUENCE_MODULUS, reset).observe(p.sequence, now, ++this.frameSeq);
    } else if (msg.counter !== undefined) {
      // BT4 carries one message per frame with a counter per type; the other transports carry packs whose
      // members share the frame and its one counter, and count once.
      // Frame identities as numbers where they can be (no string per message): equal exactly when the
      // strings `${frame}@${now}` were.
      const legacy = msg.transport === 'ble-legacy';
      const frame = legacy ? ++this.frameSeq : msg.frame === undefined ? now : `${msg.frame}@${now}`;
      link.counter(legacy ? p.type : 'pack', COUNTER_MODULUS, reset).observe(msg.counter, now, frame);
    }
  }

  private apply(track: Track, link: RadioLink, p: ReceivedPayload, now: number): void {
    switch (p.type) {
      case 'basicId': {
        const slot = slotOfIdType(p.idType);
        const held = track.identities.get(slot);
        const [id] = identitiesOf(p);
        // Keep only Basic IDs this track accepted as its own (see addIdentity).
        if (id && held !== id.value) return;
        track.basicIds.set(p.idType, this.stamp(track, basicIdKind(p.idType), now, p, track.basicIds.get(p.idType)));
        return;
      }
      case 'location': {
        // Location and System change with every message (position, time): not worth comparing.
        track.location = this.stamp(track, 'location', now, p, undefined);
        if (!isKnownPosition(p.latitude, p.longitude)) return;
        const point: TrackPoint = { t: now, lat: p.latitude, lon: p.longitude };
        const alt = p.altitudeGeo !== ALTITUDE_UNKNOWN ? p.altitudeGeo : p.altitudeBaro !== ALTITUDE_UNKNOWN ? p.altitudeBaro : undefined;
        if (alt !== undefined) point.alt = alt;
        if (p.speedHorizontal !== SPEED_UNKNOWN) point.speed = p.speedHorizontal;
        if (p.direction <= DIRECTION_MAX) point.course = p.direction;
        this.addPosition(track, link, point);
        return;
      }
      case 'auth': {
        this.stamp(track, 'auth', now, p, undefined);
        const result = link.auth.add(p);
        if (result.complete) {
          track.auth = result.auth;
          delete track.authMissing;
        } else track.authMissing = result.missing;
        return;
      }
      case 'selfId':
        track.selfId = this.stamp(track, 'selfId', now, p, track.selfId);
        return;
      case 'system': {
        track.system = this.stamp(track, 'system', now, p, undefined);
        if (!isKnownPosition(p.operatorLatitude, p.operatorLongitude)) return;
        const source = OPERATOR_SOURCES[p.operatorLocationType] ?? 'live';
        const alt = p.operatorAltitudeGeo !== ALTITUDE_UNKNOWN ? { alt: p.operatorAltitudeGeo } : {};
        track.operator = { lat: p.operatorLatitude, lon: p.operatorLongitude, ...alt, source, t: now };
        // Location type "takeoff" means the operator position is where the aircraft took off.
        if (source === 'takeoff') track.home = { lat: p.operatorLatitude, lon: p.operatorLongitude, ...alt, source: 'system-takeoff', t: now };
        return;
      }
      case 'operatorId':
        track.operatorId = this.stamp(track, 'operatorId', now, p, track.operatorId);
        return;
      case 'djiFlightInfo': {
        track.dji = p;
        track.updatedAt.set('djiFlightInfo', now);
        if (p.layout !== 'partial') {
          if (isKnownPosition(p.homeLatitude, p.homeLongitude)) track.home = { lat: p.homeLatitude, lon: p.homeLongitude, source: 'dji', t: now };
          if (p.layout === 'v2' && isKnownPosition(p.pilotLatitude, p.pilotLongitude)) {
            track.operator = { lat: p.pilotLatitude, lon: p.pilotLongitude, source: 'dji-app', t: now };
          }
        }
        if (!isKnownPosition(p.latitude, p.longitude)) return;
        const point: TrackPoint = { t: now, lat: p.latitude, lon: p.longitude };
        if (p.layout !== 'partial') {
          point.alt = p.altitude;
          point.speed = Math.hypot(p.speedNorth, p.speedEast);
          if (point.speed > 0) point.course = normalizeDegrees((Math.atan2(p.speedEast, p.speedNorth) * 180) / Math.PI);
        }
        this.addPosition(track, link, point);
        return;
      }
      case 'djiFlightPurpose':
        track.djiPurpose = p;
        track.updatedAt.set('djiFlightPurpose', now);
        return;
      case 'frenchId': {
        track.french = p;
        track.updatedAt.set('frenchId', now);
        if (p.takeoffLatitude !== undefined && p.takeoffLongitude !== undefined && isKnownPosition(p.takeoffLatitude, p.takeoffLongitude)) {
          track.home = { lat: p.takeoffLatitude, lon: p.takeoffLongitude, source: 'french-takeoff', t: now };
        }
        if (p.latitude === undefined || p.longitude === undefined || !isKnownPosition(p.latitude, p.longitude)) return;
        const point: TrackPoint = { t: now, lat: p.latitude, lon: p.longitude };
        if (p.altitude !== undefined) point.alt = p.altitude;
        if (p.speedHorizontal !== undefined) point.speed = p.speedHorizontal;
        if (p.course !== undefined) point.course = p.course;
        this.addPosition(track, link, point);
        return;
      }
    }
  }

  /**
   * Records when a kind of message last arrived, and what validate() thinks of it; returns the message to
   * hold. Static messages repeat unchanged several times a second: a repeat equal to the held one keeps
   * that object and its issues (validate depends on the message alone), so it is neither validated again
   * nor retained as one more object.
   */
  private stamp<P extends Parameters<typeof validate>[0]>(track: Track, kind: string, now: number, p: P, held: P | undefined): P {
    track.updatedAt.set(kind, now);
    const heldIssues = track.issues.get(kind);
    if (held && heldIssues && samePayload(held, p)) return held;
    const issues = validate(p);
    // Most messages have no issues: keep holding the old empty list rather than one more new one.
    if (!(heldIssues && heldIssues.length === 0 && issues.length === 0)) track.issues.set(kind, issues);
    return p;
  }

  private addPosition(track: Track, link: RadioLink, point: TrackPoint): void {
    const { maxSpeedMps, maxAddressSpreadM, staleAfterMs } = this.settings;
    const prev = track.position;
    if (prev && (prev.lat !== point.lat || prev.lon !== point.lon)) {
      const d = distance(prev, point);
      // At least one second: two paths delivering fixes a few ms apart must not read as supersonic.
      const dt = Math.max(1, Math.abs(point.t - prev.t) / 1000);
      if (d / dt > maxSpeedMps) this.evidence(track, point.t, 'jump', `moved ${Math.round(d)} m in ${dt.toFixed(1)} s`);
    }
    for (const other of track.links.values()) {
      if (other === link || other.transport !== link.transport || !other.lastPosition) continue;
      if (point.t - other.lastPosition.t > staleAfterMs) continue;
      const d = distance(other.lastPosition, point);
      if (d > maxAddressSpreadM) {
        this.evidence(track, point.t, 'address-spread', `${link.address} and ${other.address} on ${link.transport} are ${Math.round(d)} m apart`);
      }
    }
    // Updated in place: the link owns it, and one object less per fix is one less for the GC to move.
    const last = link.lastPosition;
    if (last) {
      last.lat = point.lat;
      last.lon = point.lon;
      last.t = point.t;
    } else link.lastPosition = { lat: point.lat, lon: point.lon, t: point.t };
    track.history.append(point);
    if (!track.position || point.t >= track.position.t) track.position = latestPosition(track.position, point);
  }

  private evidence(track: Track, t: number, kind: SpoofEvidence['kind'], detail: string): void {
    track.spoofEvidence = { t, kind, detail };
  }

  // ---- derived values ----

  private refresh(track: Track, now: number): void {
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
    this.updateAuthorised(track);
    this.refreshTimed(track, now);
  }

  /**
   * The zones the drone and the operator are in, worked out again only when their position moved (or the
   * zones changed); each zone's bounding box is looked at before its polygons. Unchanged lists keep their
   * arrays.
   */
  private updateZones(track: Track): void {
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

  private updateAuthorised(track: Track): void {
    const entry = this.allow?.match(track, this.clock);
    if (entry) {
      track.authorised = true;
      track.allowedBy = entry;
    } else if (track.authorised) {
      track.authorised = false;
      delete track.allowedBy;
    }
  }

  /**
   * Whether this update announces the track ('new-drone'). A track created by a message carrying an ID is
   * announced at once. One created from a radio address alone (a BT4 Location before its Basic ID) waits:
   * its ID usually follows within a second and often shows it to be an aircraft already tracked under
   * another address, which it then joins without a second alert; else it is announced with its first ID,
   * or once it has been heard for missingAfterMs without one (by tick, or the next message).
   */
  private announce(track: Track, created: boolean): boolean {
    const due = track.identities.size > 0 || this.clock - track.firstSeen > this.settings.missingAfterMs;
    if (created) {
      if (due) return true;
      this.unannounced.add(track);
      return false;
    }
    return this.unannounced.size > 0 && due && this.unannounced.delete(track);
  }

  /**
   * The alerts of an update: what the track raised against its flags and zones before it (see TrackAlert).
   * Lists are replaced, never changed in place, so an unchanged one is the same array: nothing to compare.
   */
  private alertsOf(track: Track, flags: readonly TrackFlag[], zones: readonly string[], operatorZones: readonly string[], announce: boolean): TrackAlert[] | undefined {
    if (!announce && track.flags === flags && track.zones === zones && track.operatorZones === operatorZones) return undefined;
    let alerts: TrackAlert[] | undefined;
    const raise = (alert: TrackAlert, key?: string): void => {
      if (key !== undefined && this.alertQuietMs > 0) {
        let raised = this.raisedAt.get(track);
        const last = raised?.get(key);
        if (last !== undefined && this.clock - last < this.alertQuietMs) return;
        if (!raised) this.raisedAt.set(track, (raised = new Map()));
        raised.set(key, this.clock);
      }
      (alerts ??= []).push(alert);
    };
    if (announce) raise({ kind: 'new-drone', text: 'new drone' });
    if (track.flags !== flags) {
      for (const flag of track.flags) {
        if (flags.includes(flag)) continue;
        if (flag === 'emergency') raise({ kind: 'emergency', flag, text: TRACK_FLAGS.emergency });
        else {
          const detail = flag === 'spoofing-suspect' && track.spoofEvidence ? `: ${track.spoofEvidence.detail}` : '';
          raise({ kind: 'flag', flag, text: TRACK_FLAGS[flag] + detail }, `flag:${flag}`);
        }
      }
    }
    if (track.zones !== zones) {
      for (const zone of track.zones) if (!zones.includes(zone)) raise({ kind: 'zone', zone, who: 'drone', text: `entered zone ${zone}` }, `zone:drone:${zone}`);
    }
    if (track.operatorZones !== operatorZones) {
      for (const zone of track.operatorZones) {
        if (!operatorZones.includes(zone)) raise({ kind: 'zone', zone, who: 'operator', text: `operator entered zone ${zone}` }, `zone:operator:${zone}`);
      }
    }
    return alerts;
  }

  /**
   * What changes with time alone: state, flags, rates. Unchanged flags and rates keep their objects. On a
   * tick (`timeOnly`) the track's content is as its last evaluation saw it, so its flags can only change if
   * one of their clock-dependent inputs did: otherwise they are not evaluated again.
   */
  private refreshTimed(track: Track, now: number, timeOnly = false): void {
    track.state = this.stateAt(track, now);
    const inputs = this.timedFlagInputs(track, now);
    if (!timeOnly || this.flagInputs.get(track) !== inputs) {
      const flags = evaluateFlags(track, { nowMs: now, missingAfterMs: this.settings.missingAfterMs, spoofHoldMs: this.settings.spoofHoldMs });
      if (!sameList(flags, track.flags)) track.flags = flags;
      this.flagInputs.set(track, inputs);
    }
    track.rates = track.rateMeter.current(now, track.rates);
  }

  /** The only places evaluateFlags reads the clock (missing-* grace period, spoofing hold), as two bits. */
  private timedFlagInputs(track: Track, now: number): number {
    const missing = now - track.firstSeen > this.settings.missingAfterMs ? 1 : 0;
    const spoof = track.spoofEvidence && now - track.spoofEvidence.t <= this.settings.spoofHoldMs ? 2 : 0;
    return missing | spoof;
  }

  private stateAt(track: Track, now: number): TrackState {
    const silence = now - track.lastSeen;
    if (silence > this.settings.lostAfterMs) return 'lost';
    if (silence > this.settings.staleAfterMs) return 'stale';
    return 'active';
  }

  private updateDistances(track: Track): void {
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
}

const NO_IDS: readonly TrackIdentity[] = [];
const NO_ZONES: string[] = [];

/** a's items, then b's that a lacks; a itself when b adds nothing. */
function union(a: string[], b: readonly string[]): string[] {
  const extra = b.filter((x) => !a.includes(x));
  return extra.length ? [...a, ...extra] : a;
}

/**
 * The track's position object updated in place from `p` when both carry the same fields (as the link's
 * lastPosition is), else `p` itself. Held by the track for the ~0.1-0.5 s until the next fix, a new object
 * per fix lived just long enough to be promoted and make work for a full GC; updated in place it is one
 * object per track for the track's life.
 */
function latestPosition(held: TrackPoint | undefined, p: TrackPoint): TrackPoint {
  if (!held || (held.alt === undefined) !== (p.alt === undefined) || (held.speed === undefined) !== (p.speed === undefined) || (held.course === undefined) !== (p.course === undefined)) {
    return p;
  }
  held.t = p.t;
  held.lat = p.lat;
  held.lon = p.lon;
  if (p.alt !== undefined) held.alt = p.alt;
  if (p.speed !== undefined) held.speed = p.speed;
  if (p.course !== undefined) held.course = p.course;
  return held;
}

/** Equal own fields, compared with ===: nested objects (auth data) only match themselves. */
function samePayload(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] !== y[k]) return false;
    n++;
  }
  for (const k in y) if (k) n--;
  return n === 0;
}

const BASIC_ID_KINDS = Array.from({ length: 16 }, (_, t) => `basicId:${t}`);
const basicIdKind = (idType: number): string => BASIC_ID_KINDS[idType] ?? `basicId:${idType}`;

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

function copyLatest(src: Track, dst: Track, kind: string): void {
  if (kind.startsWith('basicId:')) {
    const idType = Number(kind.slice('basicId:'.length));
    const b = src.basicIds.get(idType);
    if (b) dst.basicIds.set(idType, b);
    return;
  }
  switch (kind) {
    case 'location':
      if (src.location) dst.location = src.location;
      return;
    case 'system':
      if (src.system) dst.system = src.system;
      return;
    case 'selfId':
      if (src.selfId) dst.selfId = src.selfId;
      return;
    case 'operatorId':
      if (src.operatorId) dst.operatorId = src.operatorId;
      return;
    case 'djiFlightInfo':
      if (src.dji) dst.dji = src.dji;
      return;
    case 'djiFlightPurpose':
      if (src.djiPurpose) dst.djiPurpose = src.djiPurpose;
      return;
    case 'frenchId':
      if (src.french) dst.french = src.french;
      return;
  }
}

/** DJI's all-zero firmware records (subcommand 0) carry nothing. */
function isBlank(p: ReceivedPayload): boolean {
  return p.type === 'djiFlightInfo' && p.serialNumber === '' && p.latitude === 0 && p.longitude === 0;
}
