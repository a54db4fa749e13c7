/**
 * Received messages -> one track per aircraft. The Tracker is the entry: it takes receptions and the clock,
 * and hands out tracks read-only. Its parts, one concern each:
 * - routing.ts: which track a reception belongs to (by ID, by address), and merging two tracks of one aircraft;
 * - receptions.ts: what every reception changes (its radio link, counts, times, rates);
 * - payloads/: what each payload type changes on its track, and how it is written in the track's JSON;
 * - positions.ts, spoofing.ts: where positions go, and the evidence of spoofing that receptions, fixes and
 *   claimed times give (spoof-*.ts);
 * - derived.ts: what follows from a track's content and the clock (shown ID, state, flags, distances,
 *   zones, authorisation); alerts.ts: what an update raised;
 * - backfill.ts: receptions taken in late (a hub's receiver replaying its spool), as the past (backfill).
 *
 * Time comes only from the caller: `ingest` takes the frame's time (or an explicit `nowMs`), `tick` the
 * clock's. Replaying a capture therefore gives the same tracks as hearing it live.
 */

import type { ReceivedMessage, Transport } from '@odid/codec';
import { isKnownPosition, type LatLon } from '@odid/position';
import type { AllowEntry } from './allow-list.js';
import { Alerts } from './alerts.js';
import { PastReceptions } from './backfill.js';
import { DerivedState } from './derived.js';
import type { TrackIdentity } from './identity.js';
import type { ReceptionVia } from './link.js';
import { DripChecks } from './payloads/drip.js';
import { trackPayloadOf } from './payloads/index.js';
import { Positions } from './positions.js';
import { Receptions } from './receptions.js';
import { TrackRouter } from './routing.js';
import { trackerSettings } from './settings.js';
import { SpoofChecks } from './spoofing.js';
import type { PositionEstimate, Track, TrackerOptions, TrackUpdate } from './types.js';
import type { Zone } from './zones.js';

const NO_IDS: readonly TrackIdentity[] = [];
/** What a track heard only late had raised when it is first heard in time: nothing. */
const NOTHING_RAISED: readonly never[] = Object.freeze([]);

/** An update as it is put together; handed out as the read-only TrackUpdate. */
type Update = { -readonly [K in keyof TrackUpdate]: TrackUpdate[K] };

export class Tracker {
  private readonly router: TrackRouter;
  private readonly receptions: Receptions;
  private readonly positions: Positions;
  private readonly spoofing: SpoofChecks;
  private readonly derived: DerivedState;
  private readonly alerts: Alerts;
  private readonly past: PastReceptions;
  /** DRIP verification (payloads/drip.ts), only when given a verifier. */
  private readonly drip: DripChecks | undefined;
  private clock = 0;

  constructor(options: TrackerOptions = {}) {
    const settings = trackerSettings(options);
    this.derived = new DerivedState(settings);
    this.alerts = new Alerts(settings);
    this.router = new TrackRouter(settings, (src, dst) => {
      this.derived.merged(dst);
      this.alerts.merged(src, dst);
      this.past.merged(src, dst);
    });
    this.spoofing = new SpoofChecks(settings, { receiver: () => this.derived.receiver, trackOf: (key) => this.router.byIdentity(key) });
    this.receptions = new Receptions(settings, this.spoofing);
    this.positions = new Positions(this.spoofing);
    this.past = new PastReceptions(settings, this.positions);
    this.drip = options.drip ? new DripChecks(options.drip) : undefined;
    this.derived.receiver = options.receiverPosition;
    if (options.zones) this.derived.setZones(options.zones);
    if (options.allowList) this.derived.setAllowList(options.allowList, this.clock);
  }

  /** The latest time the tracker has been told, ms. */
  get now(): number {
    return this.clock;
  }

  get receiverPosition(): LatLon | undefined {
    return this.derived.receiver;
  }

  /** Where the receiver is (undefined: unknown). Distances and bearings of every track follow at once. */
  setReceiverPosition(position: LatLon | undefined): void {
    if (position && !isKnownPosition(position.lat, position.lon)) {
      throw new RangeError(`receiver position ${position.lat}, ${position.lon} is not a valid latitude/longitude`);
    }
    this.derived.receiver = position ? { lat: position.lat, lon: position.lon } : undefined;
    for (const t of this.router.tracks()) this.derived.updateDistances(t);
  }

  /** The zones in force. */
  get zoneList(): readonly Zone[] {
    return this.derived.zoneList;
  }

  /**
   * Replaces the zones (e.g. once a zone drawn on the map is saved): every track's zones are worked out
   * again. Returns an update (reason 'flags') for each track whose zones changed, carrying 'zone' alerts for
   * the zones it is now in — except for lost tracks, which are only updated.
   */
  setZones(zones: readonly Zone[]): TrackUpdate[] {
    this.derived.setZones(zones);
    const updates: TrackUpdate[] = [];
    for (const track of this.router.tracks()) {
      const { zones: before, operatorZones: operatorBefore } = track;
      this.derived.updateZones(track);
      if (track.zones === before && track.operatorZones === operatorBefore) continue;
      const update: Update = { track, reason: 'flags', at: this.clock };
      const alerts = track.state === 'lost' || this.past.isLateOnly(track) ? undefined : this.alerts.alertsOf(track, track.flags, before, operatorBefore, false, this.clock);
      if (alerts) update.alerts = alerts;
      updates.push(update);
    }
    return updates;
  }

  /** Replaces the allow-list (undefined: none). Returns an update (reason 'flags') for each track whose authorisation changed. */
  setAllowList(entries: readonly AllowEntry[] | undefined): TrackUpdate[] {
    this.derived.setAllowList(entries, this.clock);
    const updates: TrackUpdate[] = [];
    for (const track of this.router.tracks()) {
      const was = track.authorised;
      this.derived.updateAuthorised(track, this.clock);
      if (track.authorised !== was) updates.push({ track, reason: 'flags', at: this.clock });
    }
    return updates;
  }

  /**
   * Takes one received message. `nowMs` defaults to the frame time (`msg.t` × 1000), else the tracker's
   * latest time. Returns undefined for messages that carry nothing to track: frames with a bad FCS/CRC
   * (every byte suspect) and blank DJI records. `via`: the receiver that heard it, when a hub merges several
   * (each link then keeps each receiver's RSSI and last-heard time).
   */
  ingest(msg: ReceivedMessage, nowMs?: number, via?: ReceptionVia): TrackUpdate | undefined {
    const now = nowMs ?? (msg.t !== undefined ? msg.t * 1000 : this.clock);
    if (!Number.isFinite(now)) throw new RangeError(`ingest: time must be a finite number of ms, got ${now}`);
    const p = msg.message;
    const payload = trackPayloadOf(p);
    if (msg.badFcs || payload?.ignore?.(p)) return undefined;
    this.clock = Math.max(this.clock, now);
    const address = msg.mac.toLowerCase();
    const ids = payload?.identities ? payload.identities(p) : NO_IDS;
    const { track, created, merged } = this.router.route(address, ids, now);
    const previousState = track.state;
    // What alerts are raised against (a new track has raised nothing yet).
    const { flags, zones, operatorZones } = track;

    const link = this.receptions.link(track, msg.transport, address, now);
    this.receptions.observe(track, link, msg, payload, now, via);
    this.spoofing.reception(track, link, ids, now);
    payload?.apply(track, p, now, link, this.positions);
    this.drip?.observe(track, link, msg, now);
    const claimed = payload?.clock?.at(p, now);
    if (claimed !== undefined) this.spoofing.claimedTime(track, link, payload!.clock!.what, claimed, now);
    this.spoofing.afterMessage(track, link, now);
    this.derived.refresh(track, this.clock);

    const update: Update = { track, reason: created ? 'created' : 'updated', at: now, message: msg };
    if (merged) update.merged = merged;
    if (!created && previousState !== track.state) update.previousState = previousState;
    // A track heard only late until now is news now: announced, with all it holds, as a new track would be.
    const alerts = this.past.heardInTime(track)
      ? this.alerts.alertsOf(track, NOTHING_RAISED, NOTHING_RAISED, NOTHING_RAISED, true, this.clock)
      : this.alerts.alertsOf(track, flags, zones, operatorZones, this.alerts.announce(track, created, this.clock), this.clock);
    if (alerts) update.alerts = alerts;
    return update;
  }

  /**
   * Takes one received message heard at `atMs` that arrived late, after later receptions were taken (a hub's
   * receiver replaying its spool after an outage; a recording's frame marked late), as the past, not as
   * news (backfill.ts): its track is found or created with its IDs, its positions go into the history in
   * time order, and what it says replaces only what the track holds from before it; lastSeen and the
   * track's position move only forward. It is counted (messages, the link's and `via`'s), but rates,
   * counter statistics, the spoofing checks and DRIP verification, which read receptions as they happen,
   * never see it, and it raises no alert. Returns the update (`late`, at the tracker's time), or undefined
   * for what ingest would ignore.
   */
  backfill(msg: ReceivedMessage, atMs: number, via?: ReceptionVia): TrackUpdate | undefined {
    if (!Number.isFinite(atMs)) throw new RangeError(`backfill: time must be a finite number of ms, got ${atMs}`);
    const p = msg.message;
    const payload = trackPayloadOf(p);
    if (msg.badFcs || payload?.ignore?.(p)) return undefined;
    this.clock = Math.max(this.clock, atMs);
    const address = msg.mac.toLowerCase();
    const ids = payload?.identities ? payload.identities(p) : NO_IDS;
    const { track, created, merged } = this.router.route(address, ids, atMs, true);
    const previousState = track.state;
    const link = this.receptions.link(track, msg.transport, address, atMs);
    this.receptions.observePast(track, link, msg, atMs, via);
    if (payload) this.past.apply(track, link, payload, p, atMs);
    if (created) this.past.createdLate(track);
    this.derived.refresh(track, this.clock);
    const update: Update = { track, reason: created ? 'created' : 'updated', at: this.clock, message: msg, late: true };
    if (merged) update.merged = merged;
    if (!created && previousState !== track.state) update.previousState = previousState;
    return update;
  }

  /**
   * A hub's receiver `via` heard, at `nowMs`, a transmission from `address` over `transport` that another
   * receiver's copy already brought in (`messages` messages): only the receiver's view of that link is
   * updated (RSSI, channel, last heard), nothing is counted or applied twice. False when no track has that
   * address (the original carried nothing to track).
   */
  hearAgain(transport: Transport, address: string, via: ReceptionVia, heard: { messages: number; rssi?: number | undefined; channel?: number | undefined }, nowMs: number): boolean {
    if (!Number.isFinite(nowMs)) throw new RangeError(`hearAgain: time must be a finite number of ms, got ${nowMs}`);
    const mac = address.toLowerCase();
    const track = this.router.ofAddress(mac);
    if (!track) return false;
    this.receptions.observeAgain(this.receptions.link(track, transport, mac, nowMs), via, heard.messages, heard.rssi, heard.channel, nowMs);
    return true;
  }

  /**
   * A hub's estimate of where the track with key `key` is, from its receivers' RSSI (hub/rssi-position.ts):
   * put on the track, and its reported position checked against it (position-vs-rssi). Returns the update
   * (reason 'flags', with its alerts); undefined when no track has that key.
   */
  setEstimate(key: string, estimate: PositionEstimate): TrackUpdate | undefined {
    const track = this.router.lookup(key);
    if (!track || track.key !== key) return undefined;
    const { flags, zones, operatorZones } = track;
    track.estimate = { ...estimate, receivers: estimate.receivers.map((r) => ({ ...r })) };
    this.spoofing.positionVsEstimate(track, track.estimate);
    this.derived.refreshTimed(track, this.clock);
    const update: Update = { track, reason: 'flags', at: this.clock };
    const alerts = this.past.isLateOnly(track) ? undefined : this.alerts.alertsOf(track, flags, zones, operatorZones, false, this.clock);
    if (alerts) update.alerts = alerts;
    return update;
  }

  /**
   * The hub no longer has an estimate for the track with key `key` (its receivers stopped hearing it): the
   * estimate goes, so no output shows a drone where it was long ago; the flags it raised stay, as evidence.
   * Returns the update (reason 'flags'); undefined when no track has that key or it had no estimate.
   */
  clearEstimate(key: string): TrackUpdate | undefined {
    const track = this.router.lookup(key);
    if (!track || track.key !== key || !track.estimate) return undefined;
    delete track.estimate;
    return { track, reason: 'flags', at: this.clock };
  }

  /** Moves the clock: tracks turn stale or lost, time-dependent flags change. Returns the tracks that changed. */
  tick(nowMs: number): TrackUpdate[] {
    if (!Number.isFinite(nowMs)) throw new RangeError(`tick: time must be a finite number of ms, got ${nowMs}`);
    this.clock = Math.max(this.clock, nowMs);
    const updates: TrackUpdate[] = [];
    // An allow-list entry started or stopped holding: every track's authorisation is looked at again.
    const allowChanged = this.derived.allowListChanged(this.clock);
    for (const track of this.router.tracks()) {
      const previousState = track.state;
      const previousFlags = track.flags;
      const wasAuthorised = track.authorised;
      const dripBefore = track.drip;
      this.drip?.tick(track, this.clock);
      // Only time moved: identity and distances are as the last ingest left them.
      this.derived.refreshTimed(track, this.clock, true);
      if (allowChanged) this.derived.updateAuthorised(track, this.clock);
      // A track that never got an ID is announced once it has been heard for as long as one would take.
      const announce = this.alerts.announceOnTick(track, this.clock);
      let update: Update | undefined;
      if (track.state !== previousState) update = { track, reason: 'state', at: this.clock, previousState };
      // refreshTimed keeps the flags array while its content stays the same.
      else if (track.flags !== previousFlags || track.authorised !== wasAuthorised || track.drip !== dripBefore || announce) update = { track, reason: 'flags', at: this.clock };
      if (!update) continue;
      const alerts = this.past.isLateOnly(track) ? undefined : this.alerts.alertsOf(track, previousFlags, track.zones, track.operatorZones, announce, this.clock);
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
    const gone = this.router.remove((t) => t.state === 'lost' && this.clock - t.lastSeen > maxSilenceMs);
    for (const t of gone) {
      this.alerts.forget(t);
      this.past.forget(t);
    }
    return gone.map((t) => t.key);
  }

  /** Every track, in the order first heard; lost ones included (see prune). Read-only: see types.ts. */
  tracks(): readonly Track[] {
    return [...this.router.tracks()];
  }

  /** A track by key, by any of its UAS IDs (as text, or hex for binary IDs), or by any MAC address it used. */
  get(id: string): Track | undefined {
    return this.router.lookup(id);
  }
}
