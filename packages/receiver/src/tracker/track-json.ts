/**
 * The JSON form of a track: what JSONL exports, tests and other tools read. The fields of decoded-json.md
 * keep their decoded form exactly (`location`, `system`, `ids`); times are seconds on the frames' clock
 * (the same as a received frame's `t`); values that are unknown are null, or absent for the measured extras
 * (`rssi`, `distance`, `bearing`, `operatorDistance`, `operatorBearing`).
 */

import type { AssembledAuth, BasicIdMessage, LocationMessage, SystemMessage, Transport } from '@odid/codec';
import { TRANSPORTS } from '@odid/codec';
import type { CounterSnapshot } from './counters.js';
import type { SpoofFlag, TrackFlag } from './flags.js';
import type { ReadonlyRadioLink } from './link.js';
import { TRACK_PAYLOADS, type TrackPayloadJson } from './payloads/index.js';
import type { HomeSource, OperatorSource, PositionEstimate, SpoofEvidence, Track, TrackPoint, TrackState } from './types.js';

export interface PointJson {
  /** Receive time, seconds. */
  t: number;
  lat: number;
  lon: number;
  alt?: number;
  speed?: number;
  course?: number;
}

export interface LinkJson {
  address: string;
  transport: Transport;
  messages: number;
  firstSeen: number;
  lastSeen: number;
  rssi?: number;
  rssiSmoothed?: number;
  channel?: number;
  /** Counter statistics by stream (message type on BT4, 'pack', 'dji'); `loss` is the estimated loss ratio. */
  counters: Record<string, CounterSnapshot>;
  /** Only from a hub (rid-hub): what each receiver heard of the link, by receiver ID. */
  receivers?: Record<string, ReceiverHearingJson>;
}

/** One receiver's view of a link (rid-hub): as a link's own fields, per receiver. */
export interface ReceiverHearingJson {
  messages: number;
  firstSeen: number;
  lastSeen: number;
  rssi?: number;
  rssiSmoothed?: number;
  channel?: number;
}

/** A track's SpoofEvidence (types.ts), its times in seconds. */
export interface SpoofEvidenceJson {
  flag: SpoofFlag;
  t: number;
  since: number;
  count: number;
  detail: string;
  values: Record<string, number>;
  addresses: string[];
  ids?: string[];
  /** position-vs-rssi: the receivers whose signal is the evidence, and what each heard (dBm). */
  receivers?: { id: string; rssi: number }[];
}

/** A hub's RSSI estimate (types.ts PositionEstimate), its time in seconds, its radius in whole metres. */
export interface EstimateJson {
  t: number;
  lat: number;
  lon: number;
  radius: number;
  transport: Transport;
  /** The receivers used, strongest first, with their smoothed RSSI (dBm, to 0.1). */
  receivers: { id: string; rssi: number }[];
}

/**
 * The track's JSON. The keys below are the documented ones, always present, in this order; the Open Drone
 * ID payloads fill theirs (ids, location, system, operatorId, selfId, auth). Other payload kinds add keys of
 * their own (TrackPayloadJson: authMissing, dji, djiPurpose, frenchId), after the measured extras.
 */
export interface TrackJson extends TrackPayloadJson {
  key: string;
  uasId: string | null;
  idType: number | null;
  uaType: number | null;
  /** Every Basic ID (latest per ID type), as decoded. */
  ids: BasicIdMessage[];
  addresses: string[];
  transports: Transport[];
  location: LocationMessage | null;
  system: SystemMessage | null;
  operatorId: string | null;
  selfId: string | null;
  auth: AssembledAuth | null;
  messages: number;
  firstSeen: number;
  lastSeen: number;
  state: TrackState;
  flags: TrackFlag[];
  /** An allow-list entry matches the track (false without an allow-list). */
  authorised: boolean;
  /** Names of the zones the drone is in, and those its operator is in (empty without zones). */
  zones: string[];
  operatorZones: string[];
  rssi?: number;
  distance?: number;
  bearing?: number;
  operatorDistance?: number;
  operatorBearing?: number;
  /** Latest position from any source (Location, DJI, French). */
  position: PointJson | null;
  operator: (Omit<PointJson, 'speed' | 'course'> & { source: OperatorSource }) | null;
  home: (Omit<PointJson, 'speed' | 'course'> & { source: HomeSource }) | null;
  /** Receptions per second by message type. */
  rates: Record<string, number>;
  links: LinkJson[];
  /** The latest evidence of each spoofing flag ever raised (kept after it clears), in the flags' order. */
  spoofing?: SpoofEvidenceJson[];
  /** Only from a hub (rid-hub) whose receivers know their positions: where three or more of them hearing it put it. */
  estimate?: EstimateJson;
  /** Only where a writer adds it (trackHistoryToJson): it can hold a thousand points. */
  history?: PointJson[];
}

const seconds = (ms: number): number => ms / 1000;
const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** One argument only, so `tracks.map(trackToJson)` works. */
export function trackToJson(track: Track): TrackJson {
  const json: TrackJson = {
    key: track.key,
    uasId: track.uasId ?? null,
    idType: track.idType ?? null,
    uaType: track.uaType ?? null,
    // The payloads' fixed keys hold their place here until their descriptors fill them (below).
    ids: [],
    addresses: [...track.addresses],
    transports: TRANSPORTS.filter((t) => track.transports.has(t)),
    location: null,
    system: null,
    operatorId: null,
    selfId: null,
    auth: null,
    messages: track.messages,
    firstSeen: seconds(track.firstSeen),
    lastSeen: seconds(track.lastSeen),
    state: track.state,
    flags: [...track.flags],
    authorised: track.authorised,
    zones: [...track.zones],
    operatorZones: [...track.operatorZones],
    position: track.position ? pointJson(track.position) : null,
    operator: track.operator ? placeJson(track.operator) : null,
    home: track.home ? placeJson(track.home) : null,
    rates: { ...track.rates },
    links: [],
  };
  // `rssi` is that of the link heard last: how the aircraft is heard now, whichever radio it uses.
  let latest: ReadonlyRadioLink | undefined;
  for (const link of track.links.values()) {
    const lj: LinkJson = {
      address: link.address,
      transport: link.transport,
      messages: link.messages,
      firstSeen: seconds(link.firstSeen),
      lastSeen: seconds(link.lastSeen),
      counters: link.counterSnapshots(),
    };
    for (const c of Object.values(lj.counters)) if (c.loss !== undefined) c.loss = round(c.loss, 4);
    if (link.rssi !== undefined) lj.rssi = link.rssi;
    if (link.rssiSmoothed !== undefined) lj.rssiSmoothed = round(link.rssiSmoothed, 1);
    if (link.channel !== undefined) lj.channel = link.channel;
    if (link.receivers) {
      lj.receivers = {};
      for (const [id, h] of link.receivers) {
        const hj: ReceiverHearingJson = { messages: h.messages, firstSeen: seconds(h.firstSeen), lastSeen: seconds(h.lastSeen) };
        if (h.rssi !== undefined) hj.rssi = h.rssi;
        if (h.rssiSmoothed !== undefined) hj.rssiSmoothed = round(h.rssiSmoothed, 1);
        if (h.channel !== undefined) hj.channel = h.channel;
        lj.receivers[id] = hj;
      }
    }
    json.links.push(lj);
    if (link.rssi !== undefined && (!latest || link.lastSeen > latest.lastSeen)) latest = link;
  }
  if (latest?.rssi !== undefined) json.rssi = latest.rssi;
  if (track.distance !== undefined) json.distance = round(track.distance, 1);
  if (track.bearing !== undefined) json.bearing = roundBearing(track.bearing);
  if (track.operatorDistance !== undefined) json.operatorDistance = round(track.operatorDistance, 1);
  if (track.operatorBearing !== undefined) json.operatorBearing = roundBearing(track.operatorBearing);
  for (const payload of TRACK_PAYLOADS) payload.toJson?.(track, json);
  if (track.spoofing.length) json.spoofing = track.spoofing.map(spoofEvidenceJson);
  if (track.estimate) json.estimate = estimateJson(track.estimate);
  return json;
}

/** Coordinates to 1e-7 degrees (about a centimetre: far finer than any estimate). */
export function estimateJson(e: Readonly<PositionEstimate>): EstimateJson {
  return {
    t: seconds(e.t),
    lat: round(e.lat, 7),
    lon: round(e.lon, 7),
    radius: Math.round(e.radius),
    transport: e.transport,
    receivers: e.receivers.map((r) => ({ id: r.id, rssi: round(r.rssi, 1) })),
  };
}

function spoofEvidenceJson(e: SpoofEvidence): SpoofEvidenceJson {
  const out: SpoofEvidenceJson = {
    flag: e.flag,
    t: seconds(e.t),
    since: seconds(e.since),
    count: e.count,
    detail: e.detail,
    values: { ...e.values },
    addresses: [...e.addresses],
  };
  if (e.ids) out.ids = [...e.ids];
  if (e.receivers) out.receivers = e.receivers.map((r) => ({ id: r.id, rssi: r.rssi }));
  return out;
}

/** The position history, oldest first. */
export const trackHistoryToJson = (track: Track): PointJson[] => track.history.points().map(pointJson);

function pointJson(p: Readonly<TrackPoint>): PointJson {
  const out: PointJson = { t: seconds(p.t), lat: p.lat, lon: p.lon };
  if (p.alt !== undefined) out.alt = p.alt;
  if (p.speed !== undefined) out.speed = p.speed;
  if (p.course !== undefined) out.course = p.course;
  return out;
}

function placeJson<S extends string>(p: { t: number; lat: number; lon: number; alt?: number; source: S }): Omit<PointJson, 'speed' | 'course'> & { source: S } {
  const out: Omit<PointJson, 'speed' | 'course'> & { source: S } = { t: seconds(p.t), lat: p.lat, lon: p.lon, source: p.source };
  if (p.alt !== undefined) out.alt = p.alt;
  return out;
}

/** Degrees to 0.1, still in 0..<360: 359.96 rounds to 0, not to 360. */
function roundBearing(deg: number): number {
  const r = round(deg, 1);
  return r >= 360 ? 0 : r;
}
