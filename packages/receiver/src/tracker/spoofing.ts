/**
 * Spoofing evidence: what one real aircraft, broadcasting honestly, cannot have sent. Each kind is a flag of
 * its own (flags.ts SPOOF_FLAGS) with its latest evidence on the track (`spoofing`: words, numbers, times,
 * addresses); a flag is raised while its evidence is younger than spoofHoldMs, and 'spoofing-suspect' while
 * any is. The tracker hands every reception, fix and claimed time here (SpoofChecks); what raises each:
 * - impossible-motion: a fix that moved from the track's last one faster than maxSpeedMps (300 m/s; at
 *   least one second apart, so two paths delivering fixes a few ms apart do not read as supersonic).
 * - motion-mismatch: the reported speeds and courses, integrated over at least motionWindowMs (15 s), miss
 *   the displacement the positions show by more than honest noise explains (spoof-motion.ts).
 * - address-spread: another address of the same transport reported, within staleAfterMs, a position more than
 *   maxAddressSpreadM (1 km) away.
 * - address-crowd: more than maxAddressesPerTransport (1) addresses of one transport heard at once (each
 *   while the other was, for over addressOverlapMs): see spoof-addresses.ts.
 * - id-cycling: one address sent a second serial (any permanent ID of one kind), or a third session/UTM ID,
 *   within spoofWindowMs (60 s); every track those IDs lead to gets the evidence (the others' flags follow
 *   at the next tick).
 * - counter-backwards: one counter stream of one link stepped back counterBackSteps (3) times within
 *   spoofWindowMs, without a long silence (counters.ts): a restart does it once; a looping replay or two
 *   senders on one address keep doing it.
 * - timestamp-mismatch: a Location timestamp (resolved to the hour nearest reception) or a DJI GPS time more
 *   than maxClockSkewMs (30 s) from its reception time, or earlier than the same link's previous one by more
 *   than timestampBackStepMs (5 s).
 * - operator-far: operator and drone positions, heard within staleAfterMs of each other, more than
 *   maxOperatorDistanceM (20 km) apart.
 * - rssi-impossible: with the receiver's position known, a link's smoothed RSSI above what free space allows
 *   from the position that link claims (spoof-radio.ts); not for links a hub relays (heard elsewhere).
 * - position-vs-rssi: a hub's estimate from its receivers' RSSI (hub/rssi-position.ts, made on the hub's
 *   tick) is farther from the track's position, reported within staleAfterMs of it, than the estimate's
 *   radius plus rssiPositionMarginM (100 m); the evidence names the receivers and what each heard.
 * - dji-odid-mismatch: a DJI DroneID and a Remote ID serial of one drone (spoof-serials.ts) whose positions,
 *   heard within staleAfterMs, are more than maxAddressSpreadM apart; or one track (one address sending
 *   both) whose DroneID serial is in CTA form and names another drone than its Remote ID serial.
 */

import { distance, type LatLon } from '@odid/position';
import type { Transport } from '@odid/codec';
import { SPOOF_FLAGS, type SpoofFlag } from './flags.js';
import { identityKey, type IdSlot } from './identity.js';
import type { RadioLink } from './link.js';
import type { TrackRecord } from './record.js';
import type { TrackerSettings } from './settings.js';
import { AddressIds, concurrentLinks, type Cycling } from './spoof-addresses.js';
import { MotionSamples, UNDECLARED_ACCURACY_M } from './spoof-motion.js';
import { maxRssiDbm } from './spoof-radio.js';
import { ctaSerialsOf, djiSerialsOf, isCtaFormDjiSerial, serialsCorrespond } from './spoof-serials.js';
import type { PositionEstimate, SpoofEvidence, Track, TrackPoint } from './types.js';

export type SpoofSettings = Pick<
  TrackerSettings,
  | 'staleAfterMs'
  | 'spoofHoldMs'
  | 'maxSpeedMps'
  | 'motionWindowMs'
  | 'motionToleranceMps'
  | 'motionToleranceRatio'
  | 'maxAddressSpreadM'
  | 'maxAddressesPerTransport'
  | 'addressOverlapMs'
  | 'spoofWindowMs'
  | 'counterBackSteps'
  | 'maxClockSkewMs'
  | 'timestampBackStepMs'
  | 'maxOperatorDistanceM'
  | 'maxBleEirpDbm'
  | 'maxWifiEirpDbm'
  | 'rssiMarginDb'
  | 'rssiPositionMarginM'
>;

/** What the checks need of the rest of the tracker. */
export interface SpoofEnvironment {
  /** Where the receiver is, when known. */
  receiver(): LatLon | undefined;
  /** The track an identity (identityKey) leads to now. */
  trackOf(identityKey: string): TrackRecord | undefined;
}

/** One observation: the evidence's content, without its times and count. */
type Found = Pick<SpoofEvidence, 'detail' | 'values' | 'addresses' | 'ids' | 'receivers'>;

/** What the checks remember of a track. */
interface TrackState {
  /** The address of the fix that made the track's position. */
  fixAddress?: string;
  motion?: MotionSamples;
  /** The identity keys its serial's other broadcast would have (spoof-serials.ts), for the serial they are of. */
  serialForms?: { of: string; dji: boolean; keys: string[] };
}

/** What the checks remember of a link. */
interface LinkState {
  /** The latest time it claimed (Location timestamp or DJI GPS time, resolved), ms. */
  claimedMs?: number;
  /** When each counter stream stepped back, within spoofWindowMs. */
  backSteps?: Map<string, number[]>;
}

const FLAG_INDEX = new Map<SpoofFlag, number>(SPOOF_FLAGS.map((f, i) => [f, i]));
const round = (v: number, digits = 0): number => Math.round(v * 10 ** digits) / 10 ** digits;
const unique = (list: readonly string[]): string[] => [...new Set(list)];
const metres = (m: number): string => (m >= 10_000 ? `${Math.round(m / 1000)} km` : m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`);
/** Seconds (given in ms) and speeds as words show them: one decimal. */
const secs = (ms: number): string => (ms / 1000).toFixed(1);
const mps = (v: number): string => v.toFixed(1);
/** Below this a displacement or velocity has no meaningful direction (noise). */
const MIN_COURSE_MPS = 0.5;
const SLOT_WORDS: Readonly<Record<string, string>> = {
  serial: 'serials',
  caa: 'CAA registrations',
  utm: 'UTM IDs',
  session: 'session IDs',
  'dji-serial': 'DJI serials',
  'french-id': 'French IDs',
};
const slotWords = (slot: IdSlot): string => SLOT_WORDS[slot] ?? `IDs of type ${slot.slice('idtype-'.length)}`;
/** IDs quoted in an evidence's words (all are in its `ids`, up to MAX_IDS_KEPT). */
const IDS_QUOTED = 4;
const MAX_IDS_KEPT = 8;

/** An evidence is renewed at most this often: its `count` counts the observations recorded. */
const RENEW_EVERY_MS = 250;

/**
 * Adds an observation of `flag` at `now` to the track's evidence: a new run when the flag had cleared
 * (its latest evidence older than holdMs), else the same run, counted. An observation older than the
 * evidence held (a slower path), or within RENEW_EVERY_MS of it, changes nothing. The list is replaced,
 * never changed in place.
 */
export function recordEvidence(track: TrackRecord, flag: SpoofFlag, now: number, holdMs: number, observed: Found | (() => Found)): void {
  const list = track.spoofing;
  const at = list.findIndex((e) => e.flag === flag);
  const prev = at >= 0 ? list[at] : undefined;
  // A condition that holds on every message (forty clones of one ID) renews its evidence a few times a second, not forty.
  if (prev && now - prev.t < RENEW_EVERY_MS && now >= prev.t) return;
  if (prev && now < prev.t) return;
  const run = prev !== undefined && now - prev.t <= holdMs;
  const found = typeof observed === 'function' ? observed() : observed;
  const e: SpoofEvidence = {
    flag,
    t: now,
    since: run ? prev.since : now,
    count: run ? prev.count + 1 : 1,
    detail: found.detail,
    values: found.values,
    addresses: found.addresses,
    ...(found.ids ? { ids: found.ids } : {}),
    ...(found.receivers ? { receivers: found.receivers } : {}),
  };
  if (prev) track.spoofing = list.map((x, i) => (i === at ? e : x));
  else track.spoofing = [...list, e].sort((a, b) => FLAG_INDEX.get(a.flag)! - FLAG_INDEX.get(b.flag)!);
}

/** Two tracks of one aircraft: for each flag, the later evidence of either stands. */
export function mergeEvidence(src: Track, dst: TrackRecord): void {
  if (src.spoofing.length === 0) return;
  const byFlag = new Map(dst.spoofing.map((e) => [e.flag, e]));
  for (const e of src.spoofing) {
    const mine = byFlag.get(e.flag);
    if (!mine || e.t > mine.t) byFlag.set(e.flag, e);
  }
  dst.spoofing = [...byFlag.values()].sort((a, b) => FLAG_INDEX.get(a.flag)! - FLAG_INDEX.get(b.flag)!);
}

/**
 * A short form of an evidence's numbers, for a table cell: "5000m/s", "3addr", "+24dB". Built from `values`
 * alone, so it reads the same from a track and from its JSON.
 */
export function evidenceBrief(e: Pick<SpoofEvidence, 'flag' | 'values'>): string {
  const v = e.values;
  const km = (m: number | undefined): string => (m === undefined ? '?' : metres(m).replace(' ', ''));
  switch (e.flag) {
    case 'impossible-motion':
      return `${v.speedMps}m/s`;
    case 'motion-mismatch':
      return `${v.missM}m off`;
    case 'address-spread':
      return km(v.distanceM);
    case 'dji-odid-mismatch':
      return v.distanceM === undefined ? 'serials' : km(v.distanceM);
    case 'address-crowd':
      return `${v.addresses}addr`;
    case 'id-cycling':
      return `${v.ids}IDs`;
    case 'counter-backwards':
      return `${v.steps}x back`;
    case 'timestamp-mismatch':
      return v.skewS !== undefined ? `${v.skewS > 0 ? '-' : '+'}${Math.abs(v.skewS)}s` : `back ${v.backS}s`;
    case 'operator-far':
      return km(v.distanceM);
    case 'rssi-impossible':
      return `+${v.excessDb}dB`;
    case 'position-vs-rssi':
      return km(v.distanceM);
  }
}

export class SpoofChecks {
  private readonly tracks = new WeakMap<TrackRecord, TrackState>();
  private readonly links = new WeakMap<RadioLink, LinkState>();
  private readonly addressIds: AddressIds;
  /** Whether any DroneID fix has been heard (until then, dji-odid-mismatch has nothing to compare). */
  private djiHeard = false;

  constructor(
    private readonly s: SpoofSettings,
    private readonly env: SpoofEnvironment,
  ) {
    this.addressIds = new AddressIds(s.spoofWindowMs);
  }

  /** Every reception, once its link has counted it and before its payload is applied: the addresses and IDs. */
  reception(track: TrackRecord, link: RadioLink, ids: readonly { slot: IdSlot; value: string }[], now: number): void {
    const cycling = this.addressIds.heard(link.address, ids, now);
    if (cycling) this.cycling(track, link, cycling, now);

    const crowd = concurrentLinks(track, link, now, this.s.addressOverlapMs, this.s.staleAfterMs);
    if (crowd && crowd.length > this.s.maxAddressesPerTransport) {
      this.record(track, 'address-crowd', now, () => {
        const addresses = crowd.map((l) => l.address);
        const overlap = Math.min(...crowd.map((l) => Math.min(link.lastSeen, l.lastSeen) - Math.max(link.firstSeen, l.firstSeen)));
        return {
          detail: `${addresses.length} addresses on ${link.transport} at once (${addresses.join(', ')}), heard together for ${secs(overlap)} s; one aircraft uses ${this.s.maxAddressesPerTransport}`,
          values: { addresses: addresses.length, limit: this.s.maxAddressesPerTransport, overlapS: round(overlap / 1000, 1) },
          addresses,
        };
      });
    }

    if (ids.length) this.serialsOfOneTrack(track, link, now);
  }

  /**
   * A fix of `track` heard over `link`, before it becomes the track's position (positions.ts): motion,
   * addresses, DJI against Remote ID. `accuracyM`: its declared horizontal accuracy, when it declares one.
   */
  position(track: TrackRecord, link: RadioLink, point: TrackPoint, accuracyM: number | undefined): void {
    const state = this.stateOf(track);
    const prev = track.position;
    if (prev && (prev.lat !== point.lat || prev.lon !== point.lon)) {
      const d = distance(prev, point);
      const dt = Math.max(1, Math.abs(point.t - prev.t) / 1000);
      if (d / dt > this.s.maxSpeedMps) {
        this.record(track, 'impossible-motion', point.t, () => ({
          detail: `moved ${Math.round(d)} m in ${dt.toFixed(1)} s (${Math.round(d / dt)} m/s; over ${this.s.maxSpeedMps} m/s)`,
          values: { distanceM: Math.round(d), seconds: round(dt, 1), speedMps: Math.round(d / dt), limitMps: this.s.maxSpeedMps },
          addresses: unique([state.fixAddress ?? link.address, link.address]),
        }));
      }
    }
    if (!prev || point.t >= prev.t) state.fixAddress = link.address;

    // The farthest of the other addresses of this transport that reported lately.
    let far: RadioLink | undefined;
    let farM = this.s.maxAddressSpreadM;
    for (const other of track.links.values()) {
      if (other === link || other.transport !== link.transport || !other.lastPosition) continue;
      if (point.t - other.lastPosition.t > this.s.staleAfterMs) continue;
      const d = distance(other.lastPosition, point);
      if (d > farM) {
        far = other;
        farM = d;
      }
    }
    if (far) {
      const apartMs = Math.abs(point.t - far.lastPosition!.t);
      this.record(track, 'address-spread', point.t, () => ({
        detail: `${link.address} and ${far.address} on ${link.transport} are ${metres(farM)} apart, ${secs(apartMs)} s between their fixes`,
        values: { distanceM: Math.round(farM), seconds: round(apartMs / 1000, 1), limitM: this.s.maxAddressSpreadM },
        addresses: [link.address, far.address],
      }));
    }

    this.motion(track, state, link, point, accuracyM);
    this.djiAgainstRemoteId(track, state, link, point);
  }

  /** A counter stream of `link` stepped back from `from` to `to` (counters.ts). */
  counterStepBack(track: TrackRecord, link: RadioLink, stream: string, from: number, to: number, now: number): void {
    const state = this.linkState(link);
    const steps = (state.backSteps ??= new Map<string, number[]>()).get(stream) ?? [];
    const recent = steps.filter((t) => now - t <= this.s.spoofWindowMs);
    recent.push(now);
    // Only the last counterBackSteps matter.
    if (recent.length > this.s.counterBackSteps) recent.splice(0, recent.length - this.s.counterBackSteps);
    state.backSteps.set(stream, recent);
    if (recent.length < this.s.counterBackSteps) return;
    const span = now - recent[0]!;
    this.record(track, 'counter-backwards', now, () => ({
      detail: `the ${stream} counter of ${link.transport} ${link.address} stepped back ${recent.length} times in ${secs(span)} s (last ${from} → ${to})`,
      values: { steps: recent.length, windowS: round(span / 1000, 1), from, to },
      addresses: [link.address],
    }));
  }

  /** A time a message claims (`what`: its words), resolved to ms, received at `now` over `link`. */
  claimedTime(track: TrackRecord, link: RadioLink, what: string, claimedMs: number, now: number): void {
    const state = this.linkState(link);
    const previous = state.claimedMs;
    state.claimedMs = claimedMs;
    const skew = now - claimedMs;
    if (Math.abs(skew) > this.s.maxClockSkewMs) {
      const skewS = round(skew / 1000, 1);
      this.record(track, 'timestamp-mismatch', now, () => ({
        detail: `${what} ${secs(Math.abs(skew))} s ${skew > 0 ? 'before' : 'after'} its reception (over ${secs(this.s.maxClockSkewMs)} s)`,
        values: { skewS, limitS: this.s.maxClockSkewMs / 1000 },
        addresses: [link.address],
      }));
    } else if (previous !== undefined && claimedMs < previous - this.s.timestampBackStepMs) {
      const backS = round((previous - claimedMs) / 1000, 1);
      this.record(track, 'timestamp-mismatch', now, () => ({
        detail: `${what} went back ${secs(previous - claimedMs)} s on ${link.transport} ${link.address}`,
        values: { backS, limitS: this.s.timestampBackStepMs / 1000 },
        addresses: [link.address],
      }));
    }
  }

  /** After a message was applied: the operator's distance, and the signal against the position claimed. */
  afterMessage(track: TrackRecord, link: RadioLink, now: number): void {
    const op = track.operator;
    const pos = track.position;
    if (op && pos && (op.t === now || pos.t === now) && Math.abs(op.t - pos.t) <= this.s.staleAfterMs) {
      const d = distance(op, pos);
      if (d > this.s.maxOperatorDistanceM) {
        this.record(track, 'operator-far', now, () => ({
          detail: `operator (${op.source}) ${metres(d)} from the drone (over ${metres(this.s.maxOperatorDistanceM)})`,
          values: { distanceM: Math.round(d), limitM: this.s.maxOperatorDistanceM },
          addresses: [link.address],
        }));
      }
    }

    // A link relayed by a hub's receivers was heard from their places, not from this receiver's.
    const receiver = link.receivers === undefined ? this.env.receiver() : undefined;
    const claimed = link.lastPosition;
    const rssi = link.rssiSmoothed;
    if (receiver && claimed && claimed.t === now && rssi !== undefined) {
      const d = distance(receiver, claimed);
      const max = maxRssiDbm(link.transport, link.channel, d, this.s);
      if (rssi > max) {
        this.record(track, 'rssi-impossible', now, () => ({
          detail: `${round(rssi)} dBm on ${link.transport} ${link.address}, which claims to be ${metres(d)} away: free space allows at most ${round(max)} dBm`,
          values: { rssiDbm: round(rssi, 1), distanceM: Math.round(d), maxRssiDbm: round(max, 1), excessDb: round(rssi - max, 1) },
          addresses: [link.address],
        }));
      }
    }
  }

  /**
   * A hub's RSSI estimate of the track (already on it): the reported position, when recent enough to be
   * compared, must lie within its radius plus the margin.
   */
  positionVsEstimate(track: TrackRecord, estimate: PositionEstimate): void {
    const pos = track.position;
    if (!pos || Math.abs(pos.t - estimate.t) > this.s.staleAfterMs) return;
    const d = distance(pos, estimate);
    const limit = estimate.radius + this.s.rssiPositionMarginM;
    if (d <= limit) return;
    const addresses: string[] = [];
    for (const l of track.links.values()) if (l.transport === estimate.transport && l.receivers) addresses.push(l.address);
    this.record(track, 'position-vs-rssi', estimate.t, () => ({
      detail:
        `reported position ${metres(d)} from where ${estimate.receivers.length} receivers' ${estimate.transport} signal puts it ` +
        `(${estimate.receivers.map((r) => `${r.id} ${round(r.rssi)} dBm`).join(', ')}): over ${metres(estimate.radius)} radius + ${metres(this.s.rssiPositionMarginM)}`,
      values: { distanceM: Math.round(d), radiusM: Math.round(estimate.radius), marginM: this.s.rssiPositionMarginM, receivers: estimate.receivers.length },
      addresses,
      receivers: estimate.receivers.map((r) => ({ id: r.id, rssi: round(r.rssi, 1) })),
    }));
  }

  /** An address sent too many IDs of some kind: every track those IDs lead to gets the evidence. */
  private cycling(track: TrackRecord, link: RadioLink, cycling: readonly Cycling[], now: number): void {
    for (const c of cycling) {
      const names = c.ids.map((id) => id.value);
      const more = names.length > IDS_QUOTED ? ` (+${names.length - IDS_QUOTED} more)` : '';
      const found: Found = {
        detail: `${link.address} sent ${names.length} ${slotWords(c.slot)} in ${secs(c.spanMs)} s: ${names.slice(-IDS_QUOTED).join(', ')}${more}`,
        values: { ids: names.length, windowS: round(c.spanMs / 1000, 1) },
        addresses: [link.address],
        ids: names.slice(-MAX_IDS_KEPT),
      };
      const touched = new Set<TrackRecord>([track]);
      for (const id of c.ids) {
        const t = this.env.trackOf(identityKey(id));
        if (t) touched.add(t);
      }
      for (const t of touched) this.record(t, 'id-cycling', now, found);
    }
  }

  /** `found` may be a function: the words and lists are then made only when the evidence is renewed. */
  private record(track: TrackRecord, flag: SpoofFlag, now: number, found: Found | (() => Found)): void {
    recordEvidence(track, flag, now, this.s.spoofHoldMs, found);
  }

  private stateOf(track: TrackRecord): TrackState {
    let s = this.tracks.get(track);
    if (!s) this.tracks.set(track, (s = {}));
    return s;
  }

  private linkState(link: RadioLink): LinkState {
    let s = this.links.get(link);
    if (!s) this.links.set(link, (s = {}));
    return s;
  }

  private motion(track: TrackRecord, state: TrackState, link: RadioLink, point: TrackPoint, accuracyM: number | undefined): void {
    // A fix without a reported speed says nothing to compare, and a track that never reports one keeps no samples.
    if (point.speed === undefined && !state.motion) return;
    const samples = (state.motion ??= new MotionSamples(this.s));
    if (!samples.add(point.t, point.lat, point.lon, point.speed, point.course, accuracyM ?? UNDECLARED_ACCURACY_M)) return;
    const c = samples.compare();
    if (!c?.mismatch) return;
    // A direction only where there was motion to have one.
    const reportedCourse = c.reportedMps >= MIN_COURSE_MPS ? c.reportedCourseDeg : undefined;
    const observedCourse = c.observedMps >= MIN_COURSE_MPS ? c.observedCourseDeg : undefined;
    const course = (deg: number | undefined): string => (deg === undefined ? '' : ` to ${Math.round(deg) % 360}°`);
    const values: Record<string, number> = {
      seconds: round(c.seconds, 1),
      reportedMps: round(c.reportedMps, 1),
      observedMps: round(c.observedMps, 1),
      missM: Math.round(c.missM),
      toleranceM: Math.round(c.toleranceM),
    };
    if (reportedCourse !== undefined) values.reportedCourseDeg = Math.round(reportedCourse) % 360;
    if (observedCourse !== undefined) values.observedCourseDeg = Math.round(observedCourse) % 360;
    this.record(track, 'motion-mismatch', point.t, () => ({
      detail: `reported ${mps(c.reportedMps)} m/s${course(reportedCourse)} but moved ${mps(c.observedMps)} m/s${course(observedCourse)} over ${secs(c.seconds * 1000)} s: ${Math.round(c.missM)} m off (tolerance ${Math.round(c.toleranceM)} m)`,
      values,
      addresses: [link.address],
    }));
  }

  /** The positions a DJI DroneID and a Remote ID broadcast of one serial claim, at about the same time. */
  private djiAgainstRemoteId(track: TrackRecord, state: TrackState, link: RadioLink, point: TrackPoint): void {
    const dji = link.transport === 'dji-wifi';
    // Most receivers never hear DroneID: then a Remote ID fix has nothing to be compared with.
    if (dji) this.djiHeard = true;
    else if (!this.djiHeard) return;
    const own = track.identities.get(dji ? 'dji-serial' : 'serial');
    if (own === undefined) return;
    let forms = state.serialForms;
    if (forms?.of !== own || forms.dji !== dji) {
      const keys = dji ? ctaSerialsOf(own).map((f) => identityKey({ slot: 'serial', value: f })) : djiSerialsOf(own).map((f) => identityKey({ slot: 'dji-serial', value: f }));
      state.serialForms = forms = { of: own, dji, keys };
    }
    for (const key of forms.keys) {
      const other = this.env.trackOf(key);
      if (!other) continue;
      // The other broadcast's own fixes: DroneID ones against Remote ID ones.
      const theirs = latestFix(other, (t: Transport) => (t === 'dji-wifi') !== dji);
      if (!theirs || Math.abs(point.t - theirs.fix.t) > this.s.staleAfterMs) continue;
      const d = distance(theirs.fix, point);
      if (d <= this.s.maxAddressSpreadM) continue;
      const djiSerial = dji ? own : other.identities.get('dji-serial')!;
      const cta = dji ? other.identities.get('serial')! : own;
      const found: Found = {
        detail: `DJI DroneID ${djiSerial} and Remote ID ${cta} are ${metres(d)} apart, ${secs(Math.abs(point.t - theirs.fix.t))} s between their fixes`,
        values: { distanceM: Math.round(d), seconds: round(Math.abs(point.t - theirs.fix.t) / 1000, 1), limitM: this.s.maxAddressSpreadM },
        addresses: unique([link.address, theirs.address]),
        ids: unique([djiSerial, cta]),
      };
      this.record(track, 'dji-odid-mismatch', point.t, found);
      if (other !== track) this.record(other, 'dji-odid-mismatch', point.t, found);
      return;
    }
  }

  /** One track (one address sent both) whose DroneID serial names another drone than its Remote ID serial. */
  private serialsOfOneTrack(track: TrackRecord, link: RadioLink, now: number): void {
    const dji = track.identities.get('dji-serial');
    const cta = track.identities.get('serial');
    if (dji === undefined || cta === undefined || !isCtaFormDjiSerial(dji) || serialsCorrespond(dji, cta)) return;
    this.record(track, 'dji-odid-mismatch', now, () => ({
      detail: `DJI DroneID serial ${dji} and Remote ID serial ${cta} from one aircraft's addresses name different drones`,
      values: {},
      addresses: [link.address],
      ids: [dji, cta],
    }));
  }
}

/** The freshest fix any link of `track` whose transport `which` accepts reported, with its address. */
function latestFix(track: TrackRecord, which: (t: Transport) => boolean): { fix: LatLon & { t: number }; address: string } | undefined {
  let best: { fix: LatLon & { t: number }; address: string } | undefined;
  for (const l of track.links.values()) {
    if (!which(l.transport) || !l.lastPosition) continue;
    if (!best || l.lastPosition.t > best.fix.t) best = { fix: l.lastPosition, address: l.address };
  }
  return best;
}
