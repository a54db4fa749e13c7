/**
 * What the map and the list need of a track: its summary. Snapshots carry summaries, live updates and a
 * replay's moments carry what changed in them (a delta against the summary sent before, or the whole of a
 * track new to the pages); the full TrackJson (every decoded field, each link's RSSI and counters, the
 * rates) goes only to a page that has the track's details open (protocol.ts, `details`).
 *
 * Two ways to the same summary: `trackSummary` from the tracker's Track, built directly for the server's hot
 * path (no TrackJson is made for it), and `summaryOfJson` from a TrackJson, for the page (a dropped capture's
 * tracks). test/web-summary.test.ts holds them equal on real tracks: the summary's fields keep TrackJson's
 * names, units and rounding (track-json.ts).
 */

import { estimateJson, type EstimateJson, type PointJson, type TrackJson } from '../../tracker/track-json.js';
import type { BasicIdMessage } from '@odid/codec';
import type { ReadonlyRadioLink } from '../../tracker/link.js';
import type { HomeSource, OperatorSource, PositionEstimate, Track, TrackPoint } from '../../tracker/types.js';

/** Where the operator or the home point is (TrackJson's without its time: the map needs none, and it changes with every System message). */
export type PlaceJson<S extends string = string> = { lat: number; lon: number; alt?: number; source: S };

/** The fields a summary shares with TrackJson: their names, types, units and rounding are TrackJson's. */
type SharedWithTrackJson =
  | 'key' | 'uasId' | 'addresses' | 'operatorId' | 'selfId' | 'messages' | 'firstSeen' | 'lastSeen' | 'state' | 'flags' | 'authorised'
  | 'zones' | 'operatorZones' | 'position' | 'rssi' | 'distance' | 'bearing' | 'operatorDistance' | 'operatorBearing';

export interface TrackSummary extends Pick<TrackJson, SharedWithTrackJson> {
  /**
   * The other IDs the track is known by (each Basic ID's — in hex when binary —, the DJI serial number, the
   * French ID), in that order, without uasId and without repeats: what the list's filter matches besides uasId.
   */
  otherIds: string[];
  /** The Location message's direction as decoded (361: unknown); absent without a Location message. */
  direction?: number;
  operator: PlaceJson<OperatorSource> | null;
  home: PlaceJson<HomeSource> | null;
  /**
   * Snapshots, and a track whose past a late frame filled in (a hub's: its whole summary then goes in place
   * of a delta): the latest positions, oldest first, as flat triples [t, lat, lon, t, lat, lon, ...].
   */
  trail?: number[];
  /**
   * A hub's RSSI estimate, as TrackJson's `estimate`: where its receivers' signal puts the drone; the map
   * draws it as a circle, and a track without a position at its centre.
   */
  estimate?: EstimateJson;
}

/** The fields a delta may carry. */
export type SummaryField = Exclude<keyof TrackSummary, 'key' | 'trail'>;

/**
 * What changed in a track since the summary sent before: its key and the fields that differ, with their new
 * value; an optional field that is no longer known (`direction`, `rssi`, the distances and bearings) as null.
 */
export type TrackDelta = { key: string } & { [K in SummaryField]?: TrackSummary[K] | null };

/** Every field of a summary but its key (and a snapshot's trail), in the order they are built. */
export const SUMMARY_FIELDS: readonly SummaryField[] = [
  'uasId', 'otherIds', 'addresses', 'operatorId', 'selfId', 'messages', 'firstSeen', 'lastSeen', 'state', 'flags', 'authorised', 'zones',
  'operatorZones', 'position', 'direction', 'operator', 'home', 'rssi', 'distance', 'bearing', 'operatorDistance', 'operatorBearing',
  'estimate',
];

/** Fields that are absent when unknown (a delta says null for them); the others are always there. */
const OPTIONAL_FIELDS: ReadonlySet<SummaryField> = new Set(['direction', 'rssi', 'distance', 'bearing', 'operatorDistance', 'operatorBearing', 'estimate']);

const seconds = (ms: number): number => ms / 1000;
const round1 = (v: number): number => Math.round(v * 10) / 10;
/** Degrees to 0.1 in 0..<360, as TrackJson rounds them. */
const bearing1 = (deg: number): number => {
  const r = round1(deg);
  return r >= 360 ? 0 : r;
};
const EMPTY: never[] = Object.freeze([]) as unknown as never[];
/*
 * The other IDs and the latest RSSI are worked out for every track sent (twice a second each) without
 * allocating or iterating (Map.forEach with callbacks made once, fixed scratch arrays with a count: no
 * iterator objects, no array length changes): the list is made only when it differs from the one sent.
 */
/** A track's Basic IDs sorted by ID type (one per type: 16 at most). */
const basicAt: (Readonly<BasicIdMessage> | undefined)[] = new Array<undefined>(16).fill(undefined);
let basicCount = 0;
/** Its other IDs, in order, without repeats: the first `othersCount`. */
const othersAt: (string | undefined)[] = new Array<undefined>(18).fill(undefined);
let othersCount = 0;

function collectBasicId(m: Readonly<BasicIdMessage>): void {
  // An insertion sort: a handful at most.
  let k = basicCount++;
  while (k > 0 && basicAt[k - 1]!.idType > m.idType) {
    basicAt[k] = basicAt[k - 1];
    k--;
  }
  basicAt[k] = m;
}

function addOther(id: string | undefined, uasId: string | null): void {
  if (typeof id !== 'string' || id === uasId) return;
  for (let i = 0; i < othersCount; i++) if (othersAt[i] === id) return;
  othersAt[othersCount++] = id;
}

/** The other IDs of a track, into othersAt: the Basic IDs by ID type, the DJI serial number, the French ID. */
function otherIdsOf(track: Track, uasId: string | null): void {
  othersCount = 0;
  basicCount = 0;
  const ids = track.basicIds;
  if (ids.size > basicAt.length) basicAt.length = ids.size;
  ids.forEach(collectBasicId);
  for (let i = 0; i < basicCount; i++) {
    const m = basicAt[i]!;
    basicAt[i] = undefined;
    addOther(m.uasIdHex ?? m.uasId, uasId);
  }
  addOther(track.dji?.serialNumber, uasId);
  addOther(track.french?.id, uasId);
}

/** Whether `list` holds the other IDs just worked out. */
function sameOthers(list: readonly string[]): boolean {
  if (list.length !== othersCount) return false;
  for (let i = 0; i < othersCount; i++) if (list[i] !== othersAt[i]) return false;
  return true;
}

/** The other IDs just worked out, as a new array (the shared empty one when none). */
function othersList(): string[] {
  return othersCount === 0 ? EMPTY : (othersAt.slice(0, othersCount) as string[]);
}

/** The link heard last of those with an RSSI, while latestRssi looks. */
let latestLink: ReadonlyRadioLink | undefined;
function considerLink(link: ReadonlyRadioLink): void {
  if (link.rssi !== undefined && (!latestLink || link.lastSeen > latestLink.lastSeen)) latestLink = link;
}

/** dBm of the link heard last, as trackToJson has it. */
function latestRssi(track: Track): number | undefined {
  latestLink = undefined;
  track.links.forEach(considerLink);
  // (Set by considerLink: TypeScript cannot see that.)
  const found = latestLink as ReadonlyRadioLink | undefined;
  latestLink = undefined;
  return found?.rssi;
}

/**
 * The summary of a tracker's track, now: a new object, whose arrays and objects are copies (the tracker goes
 * on changing its own). Every summary has the same shape: unknown optional fields are undefined, which JSON
 * leaves out.
 */
export function trackSummary(track: Track): TrackSummary {
  const uasId = track.uasId ?? null;
  otherIdsOf(track, uasId);
  return {
    key: track.key,
    uasId,
    otherIds: othersList(),
    addresses: [...track.addresses],
    operatorId: track.operatorId?.operatorId ?? null,
    selfId: track.selfId?.desc ?? null,
    messages: track.messages,
    firstSeen: seconds(track.firstSeen),
    lastSeen: seconds(track.lastSeen),
    state: track.state,
    flags: listOf(track.flags),
    authorised: track.authorised,
    zones: listOf(track.zones),
    operatorZones: listOf(track.operatorZones),
    position: track.position ? pointOf(undefined, track.position) : null,
    direction: track.location?.direction,
    operator: track.operator ? placeOf(undefined, track.operator) : null,
    home: track.home ? placeOf(undefined, track.home) : null,
    rssi: latestRssi(track),
    distance: track.distance === undefined ? undefined : round1(track.distance),
    bearing: track.bearing === undefined ? undefined : bearing1(track.bearing),
    operatorDistance: track.operatorDistance === undefined ? undefined : round1(track.operatorDistance),
    operatorBearing: track.operatorBearing === undefined ? undefined : bearing1(track.operatorBearing),
    trail: undefined,
    estimate: track.estimate ? estimateOf(undefined, track.estimate) : undefined,
  };
}

/**
 * Brings `s`, the track's summary as sent before, up to date in place, and returns what changed (undefined
 * when nothing the summary shows did). Only what changed is allocated: a new position, a list that changed,
 * the delta itself. A position or list in `s` (and in deltas and messages made before) is never changed
 * afterwards, only replaced: one held by a replay's moment stays as it was.
 */
export function updateSummary(s: TrackSummary, track: Track): TrackDelta | undefined {
  let d: TrackDelta | undefined;
  const uasId = track.uasId ?? null;
  if (s.uasId !== uasId) d = put(s, d, 'uasId', uasId);
  otherIdsOf(track, uasId);
  if (!sameOthers(s.otherIds)) d = put(s, d, 'otherIds', othersList());
  if (!sameAsSet(s.addresses, track.addresses)) d = put(s, d, 'addresses', [...track.addresses]);
  const operatorId = track.operatorId?.operatorId ?? null;
  if (s.operatorId !== operatorId) d = put(s, d, 'operatorId', operatorId);
  const selfId = track.selfId?.desc ?? null;
  if (s.selfId !== selfId) d = put(s, d, 'selfId', selfId);
  if (s.messages !== track.messages) d = put(s, d, 'messages', track.messages);
  const firstSeen = seconds(track.firstSeen);
  if (s.firstSeen !== firstSeen) d = put(s, d, 'firstSeen', firstSeen);
  const lastSeen = seconds(track.lastSeen);
  if (s.lastSeen !== lastSeen) d = put(s, d, 'lastSeen', lastSeen);
  if (s.state !== track.state) d = put(s, d, 'state', track.state);
  if (!sameList(s.flags, track.flags)) d = put(s, d, 'flags', listOf(track.flags));
  if (s.authorised !== track.authorised) d = put(s, d, 'authorised', track.authorised);
  if (!sameList(s.zones, track.zones)) d = put(s, d, 'zones', listOf(track.zones));
  if (!sameList(s.operatorZones, track.operatorZones)) d = put(s, d, 'operatorZones', listOf(track.operatorZones));
  const position = track.position ? pointOf(s.position, track.position) : null;
  if (s.position !== position) d = put(s, d, 'position', position);
  const direction = track.location?.direction;
  if (s.direction !== direction) d = put(s, d, 'direction', direction);
  const operator = track.operator ? placeOf(s.operator, track.operator) : null;
  if (s.operator !== operator) d = put(s, d, 'operator', operator);
  const home = track.home ? placeOf(s.home, track.home) : null;
  if (s.home !== home) d = put(s, d, 'home', home);
  const rssi = latestRssi(track);
  if (s.rssi !== rssi) d = put(s, d, 'rssi', rssi);
  const distance = track.distance === undefined ? undefined : round1(track.distance);
  if (s.distance !== distance) d = put(s, d, 'distance', distance);
  const bearing = track.bearing === undefined ? undefined : bearing1(track.bearing);
  if (s.bearing !== bearing) d = put(s, d, 'bearing', bearing);
  const operatorDistance = track.operatorDistance === undefined ? undefined : round1(track.operatorDistance);
  if (s.operatorDistance !== operatorDistance) d = put(s, d, 'operatorDistance', operatorDistance);
  const operatorBearing = track.operatorBearing === undefined ? undefined : bearing1(track.operatorBearing);
  if (s.operatorBearing !== operatorBearing) d = put(s, d, 'operatorBearing', operatorBearing);
  const estimate = track.estimate ? estimateOf(s.estimate, track.estimate) : undefined;
  if (s.estimate !== estimate) d = put(s, d, 'estimate', estimate);
  return d;
}

/** The summary's estimate, as TrackJson has it; `prev` when that is the same estimate (the tracker replaces it whole). */
function estimateOf(prev: EstimateJson | undefined, e: Readonly<PositionEstimate>): EstimateJson {
  if (prev && prev.t === seconds(e.t) && prev.lat === round7(e.lat) && prev.lon === round7(e.lon) && prev.radius === Math.round(e.radius)) return prev;
  return estimateJson(e);
}
const round7 = (v: number): number => Math.round(v * 1e7) / 1e7;

/** Sets a field of the summary and records it in the delta (made on the first change). */
function put<F extends SummaryField>(s: TrackSummary, d: TrackDelta | undefined, f: F, v: TrackSummary[F]): TrackDelta {
  s[f] = v;
  d ??= { key: s.key };
  (d as Record<string, unknown>)[f] = v === undefined ? null : v;
  return d;
}

/** A track's summary with a delta applied: a new object (the one before is left as it was, for a replay's timeline). */
export function applyDelta(prev: TrackSummary, d: TrackDelta): TrackSummary {
  const next: TrackSummary = { ...prev };
  const out = next as unknown as Record<string, unknown>;
  for (const f of SUMMARY_FIELDS) {
    if (!(f in d)) continue;
    const v = d[f];
    if (v === null && OPTIONAL_FIELDS.has(f)) delete out[f];
    else out[f] = v;
  }
  return next;
}

/** The latest `max` positions of a track's history, oldest first, as flat [t, lat, lon] triples (seconds). */
export function trackTrail(track: Track, max: number): number[] {
  const h = track.history;
  const n = Math.min(max, h.length);
  const out = new Array<number>(n * 3);
  for (let i = 0; i < n; i++) {
    const p = h.at(h.length - n + i)!;
    out[i * 3] = seconds(p.t);
    out[i * 3 + 1] = p.lat;
    out[i * 3 + 2] = p.lon;
  }
  return out;
}

/** A TrackJson, or one from a receiver before allow-lists and zones (without them). */
export type TrackJsonLike = Omit<TrackJson, 'authorised' | 'zones' | 'operatorZones'> & { authorised?: boolean; zones?: string[]; operatorZones?: string[] };

/** The summary of a track given whole (a capture decoded in the page). */
export function summaryOfJson(j: TrackJsonLike): TrackSummary {
  const others: string[] = [];
  for (const id of j.ids) addOtherTo(others, id.uasIdHex ?? id.uasId, j.uasId);
  addOtherTo(others, j.dji?.serialNumber, j.uasId);
  addOtherTo(others, j.frenchId?.id, j.uasId);
  const s: TrackSummary = {
    key: j.key,
    uasId: j.uasId,
    otherIds: others,
    addresses: j.addresses,
    operatorId: j.operatorId,
    selfId: j.selfId,
    messages: j.messages,
    firstSeen: j.firstSeen,
    lastSeen: j.lastSeen,
    state: j.state,
    flags: j.flags,
    authorised: j.authorised ?? false,
    zones: j.zones ?? [],
    operatorZones: j.operatorZones ?? [],
    position: j.position,
    operator: j.operator ? placeOf(undefined, j.operator) : null,
    home: j.home ? placeOf(undefined, j.home) : null,
  };
  if (j.location) s.direction = j.location.direction;
  if (j.rssi !== undefined) s.rssi = j.rssi;
  if (j.distance !== undefined) s.distance = j.distance;
  if (j.bearing !== undefined) s.bearing = j.bearing;
  if (j.operatorDistance !== undefined) s.operatorDistance = j.operatorDistance;
  if (j.operatorBearing !== undefined) s.operatorBearing = j.operatorBearing;
  if (j.estimate) s.estimate = j.estimate;
  return s;
}

function addOtherTo(list: string[], id: string | undefined, uasId: string | null): void {
  if (typeof id === 'string' && id !== uasId && !list.includes(id)) list.push(id);
}

/** Whether `list` holds the same strings as `items`, in the same order. */
function sameList(list: readonly string[] | undefined, items: readonly string[]): boolean {
  if (!list || list.length !== items.length) return false;
  for (let i = 0; i < items.length; i++) if (list[i] !== items[i]) return false;
  return true;
}

/** The same for a set (in its order), without an iterator when the sizes differ. */
function sameAsSet(list: readonly string[] | undefined, items: ReadonlySet<string>): boolean {
  if (!list || list.length !== items.size) return false;
  let i = 0;
  for (const x of items) if (list[i++] !== x) return false;
  return true;
}

/** A copy of a list (the shared empty one when empty). */
function listOf<T extends string>(now: readonly T[]): T[] {
  return now.length ? now.slice() : EMPTY;
}

function pointOf(prev: PointJson | null | undefined, p: TrackPoint): PointJson {
  const t = seconds(p.t);
  if (prev && prev.t === t && prev.lat === p.lat && prev.lon === p.lon && prev.alt === p.alt && prev.speed === p.speed && prev.course === p.course) return prev;
  const out: PointJson = { t, lat: p.lat, lon: p.lon };
  if (p.alt !== undefined) out.alt = p.alt;
  if (p.speed !== undefined) out.speed = p.speed;
  if (p.course !== undefined) out.course = p.course;
  return out;
}

function placeOf<S extends string>(prev: PlaceJson<S> | null | undefined, p: { lat: number; lon: number; alt?: number; source: S }): PlaceJson<S> {
  if (prev && prev.lat === p.lat && prev.lon === p.lon && prev.alt === p.alt && prev.source === p.source) return prev;
  const out: PlaceJson<S> = { lat: p.lat, lon: p.lon, source: p.source };
  if (p.alt !== undefined) out.alt = p.alt;
  return out;
}
