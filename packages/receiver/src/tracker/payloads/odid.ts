/**
 * The Open Drone ID messages (F3411), as a track keeps them: the latest of each type (of each ID type for
 * Basic IDs), with what validate() says of it. Their JSON keys are the documented fixed ones (ids, location,
 * system, operatorId, selfId, auth): these descriptors fill them.
 */

import {
  ALTITUDE_UNKNOWN,
  accuracyBound,
  validate,
  type AssembledAuth,
  type AuthMessage,
  type BasicIdMessage,
  type LocationMessage,
  type OdidMessage,
  type OperatorIdMessage,
  type SelfIdMessage,
  type SystemMessage,
} from '@odid/codec';
import { isKnownPosition } from '@odid/position';
import { slotOfIdType, type TrackIdentity } from '../identity.js';
import { worseDrip, type TrackDrip } from './drip.js';
import { locationAgeSeconds } from '../location-time.js';
import type { TrackRecord } from '../record.js';
import type { OperatorSource, TrackPoint } from '../types.js';
import { trackPayload, type TrackPayload } from './descriptor.js';

const SPEED_UNKNOWN = 255;
const DIRECTION_MAX = 360;
const OPERATOR_SOURCES: readonly OperatorSource[] = ['takeoff', 'live', 'fixed'];
const BASIC_ID_KINDS = Array.from({ length: 16 }, (_, t) => `basicId:${t}`);
/** Basic IDs are stamped per ID type: a serial and a session ID arrive side by side. */
const basicIdKind = (idType: number): string => BASIC_ID_KINDS[idType] ?? `basicId:${idType}`;
const BASIC_ID_KIND_PREFIX = 'basicId:';

export interface LocationFields {
  /** The latest Location message, as decoded. */
  readonly location?: Readonly<LocationMessage>;
}
export interface SystemFields {
  readonly system?: Readonly<SystemMessage>;
}
export interface SelfIdFields {
  readonly selfId?: Readonly<SelfIdMessage>;
}
export interface OperatorIdFields {
  readonly operatorId?: Readonly<OperatorIdMessage>;
}
export interface AuthFields {
  /** The latest complete authentication, and when its last page came (ms): what a merge compares. */
  readonly auth?: Readonly<AssembledAuth>;
  readonly authAt?: number;
  /** Pages still missing from the authentication being assembled (absent when none is pending). */
  readonly authMissing?: readonly number[];
  /** With a DRIP verifier (TrackerOptions.drip): verified, unverified or forged, and why (payloads/drip.ts). */
  readonly drip?: TrackDrip;
}
export interface AuthJson {
  authMissing?: number[];
  drip?: TrackDrip;
}

/**
 * ID type 0 is "none", yet transmitters put real IDs there (the opendroneid samples do): kept as the least
 * preferred, non-permanent identity so it still links a drone's addresses. Binary IDs (types 3, 4) as hex;
 * an all-zero binary ID is an unset field, not an identity.
 */
function basicIdIdentities(p: BasicIdMessage): TrackIdentity[] {
  const binary = p.idType === 3 || p.idType === 4;
  const value = binary ? (p.uasIdHex ?? latin1Hex(p.uasId)) : p.uasId;
  if (value === '' || (binary && /^(00)+$/.test(value))) return [];
  return [{ slot: slotOfIdType(p.idType), value }];
}

export const BASIC_ID: TrackPayload<BasicIdMessage> = trackPayload({
  type: 'basicId',
  identities: basicIdIdentities,
  apply(track, p, now) {
    const held = track.identities.get(slotOfIdType(p.idType));
    const [id] = basicIdIdentities(p);
    // Keep only Basic IDs the track accepted as its own (routing.ts: another permanent ID is another aircraft).
    if (id && held !== id.value) return;
    track.basicIds.set(p.idType, stamp(track, basicIdKind(p.idType), now, p, track.basicIds.get(p.idType)));
  },
  merge(src, dst, newer) {
    // In the order src heard them: the first Basic ID stands for the track when no ID type is preferred.
    for (const kind of src.updatedAt.keys()) {
      if (!kind.startsWith(BASIC_ID_KIND_PREFIX) || !newer(kind)) continue;
      const idType = Number(kind.slice(BASIC_ID_KIND_PREFIX.length));
      const b = src.basicIds.get(idType);
      if (b) dst.basicIds.set(idType, b);
    }
  },
  toJson(track, json) {
    json.ids = [...track.basicIds.entries()].sort(([a], [b]) => a - b).map(([, m]) => m);
  },
});

export const LOCATION: TrackPayload<LocationMessage, LocationFields> = trackPayload({
  type: 'location',
  // Tenths of a second after the hour: the hour is the one nearest the reception.
  clock: {
    what: 'Location timestamp',
    at(p, receivedMs) {
      const age = locationAgeSeconds(p.timestamp, receivedMs);
      return age === undefined ? undefined : receivedMs - age * 1000;
    },
  },
  apply(track, p, now, link, positions) {
    // Location and System change with every message (position, time): not worth comparing.
    track.location = stamp(track, 'location', now, p, undefined);
    if (!isKnownPosition(p.latitude, p.longitude)) return;
    const point: TrackPoint = { t: now, lat: p.latitude, lon: p.longitude };
    const alt = p.altitudeGeo !== ALTITUDE_UNKNOWN ? p.altitudeGeo : p.altitudeBaro !== ALTITUDE_UNKNOWN ? p.altitudeBaro : undefined;
    if (alt !== undefined) point.alt = alt;
    if (p.speedHorizontal !== SPEED_UNKNOWN) point.speed = p.speedHorizontal;
    if (p.direction <= DIRECTION_MAX) point.course = p.direction;
    positions.add(track, link, point, accuracyBound('horizontal', p.horizAccuracy));
  },
  merge(src, dst, newer) {
    if (src.location && newer('location')) dst.location = src.location;
  },
  toJson(track, json) {
    json.location = track.location ?? null;
  },
});

export const AUTH: TrackPayload<AuthMessage, AuthFields, AuthJson> = trackPayload({
  type: 'auth',
  apply(track, p, now, link) {
    stamp(track, 'auth', now, p, undefined);
    // Pages are put together per link: two links may be mid-way through different signatures.
    const result = link.auth.add(p);
    if (result.complete) {
      track.auth = result.auth;
      track.authAt = now;
      delete track.authMissing;
    } else if (result.missing.length) track.authMissing = result.missing;
    // Pages that contradicted each other were dropped: nothing is pending.
    else delete track.authMissing;
  },
  merge(src, dst) {
    // The authentication completed last stands, whichever track heard it.
    if (src.auth && (!dst.auth || src.authAt! > dst.authAt!)) {
      dst.auth = src.auth;
      dst.authAt = src.authAt;
    }
    // A forgery heard by either stands.
    const drip = worseDrip(dst.drip, src.drip);
    if (drip) dst.drip = drip;
  },
  toJson(track, json) {
    json.auth = track.auth ?? null;
    if (track.authMissing) json.authMissing = [...track.authMissing];
    if (track.drip) json.drip = { ...track.drip, chain: [...track.drip.chain], evidence: { ...track.drip.evidence }, linkStates: { ...track.drip.linkStates } };
  },
});

export const SELF_ID: TrackPayload<SelfIdMessage, SelfIdFields> = trackPayload({
  type: 'selfId',
  apply(track, p, now) {
    track.selfId = stamp(track, 'selfId', now, p, track.selfId);
  },
  merge(src, dst, newer) {
    if (src.selfId && newer('selfId')) dst.selfId = src.selfId;
  },
  toJson(track, json) {
    json.selfId = track.selfId?.desc ?? null;
  },
});

export const SYSTEM: TrackPayload<SystemMessage, SystemFields> = trackPayload({
  type: 'system',
  apply(track, p, now) {
    track.system = stamp(track, 'system', now, p, undefined);
    if (!isKnownPosition(p.operatorLatitude, p.operatorLongitude)) return;
    const source = OPERATOR_SOURCES[p.operatorLocationType] ?? 'live';
    const alt = p.operatorAltitudeGeo !== ALTITUDE_UNKNOWN ? { alt: p.operatorAltitudeGeo } : {};
    track.operator = { lat: p.operatorLatitude, lon: p.operatorLongitude, ...alt, source, t: now };
    // Location type "takeoff" means the operator position is where the aircraft took off.
    if (source === 'takeoff') track.home = { lat: p.operatorLatitude, lon: p.operatorLongitude, ...alt, source: 'system-takeoff', t: now };
  },
  merge(src, dst, newer) {
    if (src.system && newer('system')) dst.system = src.system;
  },
  toJson(track, json) {
    json.system = track.system ?? null;
  },
});

export const OPERATOR_ID: TrackPayload<OperatorIdMessage, OperatorIdFields> = trackPayload({
  type: 'operatorId',
  apply(track, p, now) {
    track.operatorId = stamp(track, 'operatorId', now, p, track.operatorId);
  },
  merge(src, dst, newer) {
    if (src.operatorId && newer('operatorId')) dst.operatorId = src.operatorId;
  },
  toJson(track, json) {
    json.operatorId = track.operatorId?.operatorId ?? null;
  },
});

/**
 * Records when a kind of message last arrived, and what validate() thinks of it; returns the message to
 * hold. Static messages repeat unchanged several times a second: a repeat equal to the held one keeps
 * that object and its issues (validate depends on the message alone), so it is neither validated again
 * nor retained as one more object.
 */
function stamp<P extends OdidMessage>(track: TrackRecord, kind: string, now: number, p: P, held: Readonly<P> | undefined): Readonly<P> {
  track.updatedAt.set(kind, now);
  const heldIssues = track.issues.get(kind);
  if (held && heldIssues && samePayload(held, p)) return held;
  const issues = validate(p);
  // Most messages have no issues: keep holding the old empty list rather than one more new one.
  if (!(heldIssues && heldIssues.length === 0 && issues.length === 0)) track.issues.set(kind, issues);
  return p;
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

function latin1Hex(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += (s.charCodeAt(i) & 0xff).toString(16).padStart(2, '0');
  return out;
}
