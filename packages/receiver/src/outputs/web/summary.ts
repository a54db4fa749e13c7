/**
 * What the map and the list need of a track: its summary. Snapshots carry summaries, live updates and a
 * replay's moments carry what changed in them (a delta against the summary sent before, or the whole of a
 * track new to the pages); the full TrackJson (every decoded field, each link's RSSI and counters, the
 * rates) goes only to a page that has the track's details open (protocol.ts, `details`).
 *
 * Two ways to the same summary: `SentSummary` (and `trackSummary`) from the tracker's Track, built directly
 * for the server's hot path (no TrackJson is made for it), and `summaryOfJson` from a TrackJson, for the
 * page (a dropped capture's tracks). test/web-summary.test.ts holds them equal on real tracks: the
 * summary's fields keep TrackJson's names, units and rounding (track-json.ts).
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

/** The summary of a tracker's track, now: a new object, whose arrays and objects are copies (the tracker goes on changing its own). */
export function trackSummary(track: Track): TrackSummary {
  return SentSummary.of(track).summary();
}

/*
 * Where SentSummary keeps its numbers: each in a slot of one Float64Array, NaN when absent. A position, the
 * operator's and the home point's take one slot per coordinate.
 */
const FIRST_SEEN = 0;
const LAST_SEEN = 1;
/** t, lat, lon, alt, speed, course: NaN t when there is no position. */
const POSITION = 2;
const DIRECTION = 8;
const RSSI = 9;
const DISTANCE = 10;
const BEARING = 11;
const OPERATOR_DISTANCE = 12;
const OPERATOR_BEARING = 13;
/** lat, lon, alt (the source beside them: null when there is no operator). */
const OPERATOR = 14;
const HOME = 17;
const SLOTS = 20;

/** The optional numbers a delta says null for when they are no longer known. */
type OptionalNumber = 'direction' | 'rssi' | 'distance' | 'bearing' | 'operatorDistance' | 'operatorBearing';

const orNaN = (v: number | undefined): number => (v === undefined ? NaN : v);
const orUndefined = (v: number): number | undefined => (v !== v ? undefined : v);

/**
 * A track's summary as last sent to the pages, kept to take the next delta against (a thousand tracks, each
 * sent once or twice a second). Its numbers are overwritten in place in a Float64Array: as fields of a
 * summary object each new value would be a new heap number (a field that may be undefined holds any
 * value), and each new position a new object, all held until the next send — long enough for V8 to move
 * them to the old generation (~220 KB/s at 1,000 drones; the receiver's CPU did not measurably change
 * with them gone: see the receiver README, "Live map under load"). Its lists, strings and
 * the hub's estimate are kept as sent, replaced when they change, never changed: a summary or delta handed
 * out shares them safely. A delta's position and places are new objects of their own.
 */
export class SentSummary {
  private readonly n = new Float64Array(SLOTS).fill(NaN);
  private uasId: string | null = null;
  private otherIds: string[] = EMPTY;
  private addresses: string[] = EMPTY;
  private operatorId: string | null = null;
  private selfId: string | null = null;
  private messages = 0;
  private state: TrackSummary['state'] = 'active';
  private flags: TrackSummary['flags'] = EMPTY;
  private authorised = false;
  private zones: string[] = EMPTY;
  private operatorZones: string[] = EMPTY;
  private operatorSource: OperatorSource | null = null;
  private homeSource: HomeSource | null = null;
  private estimate: EstimateJson | undefined = undefined;

  private constructor(readonly key: string) {}

  /** The track as it is now. */
  static of(track: Track): SentSummary {
    const s = new SentSummary(track.key);
    s.update(track);
    return s;
  }

  /** The summary as sent: a new object (every summary has the same shape; unknown optional fields are undefined, which JSON leaves out). */
  summary(): TrackSummary {
    const n = this.n;
    return {
      key: this.key,
      uasId: this.uasId,
      otherIds: this.otherIds,
      addresses: this.addresses,
      operatorId: this.operatorId,
      selfId: this.selfId,
      messages: this.messages,
      firstSeen: n[FIRST_SEEN]!,
      lastSeen: n[LAST_SEEN]!,
      state: this.state,
      flags: this.flags,
      authorised: this.authorised,
      zones: this.zones,
      operatorZones: this.operatorZones,
      position: n[POSITION] !== n[POSITION] ? null : pointAt(n),
      direction: orUndefined(n[DIRECTION]!),
      operator: this.operatorSource === null ? null : placeAt(n, OPERATOR, this.operatorSource),
      home: this.homeSource === null ? null : placeAt(n, HOME, this.homeSource),
      rssi: orUndefined(n[RSSI]!),
      distance: orUndefined(n[DISTANCE]!),
      bearing: orUndefined(n[BEARING]!),
      operatorDistance: orUndefined(n[OPERATOR_DISTANCE]!),
      operatorBearing: orUndefined(n[OPERATOR_BEARING]!),
      trail: undefined,
      estimate: this.estimate,
    };
  }

  /**
   * Brings the summary up to date with the track, and returns what changed (undefined when nothing the
   * summary shows did): the delta the pages need. Only what changed is allocated: the delta itself, and in
   * it a new position or list.
   */
  update(track: Track): TrackDelta | undefined {
    const n = this.n;
    let d: TrackDelta | undefined;
    const uasId = track.uasId ?? null;
    if (this.uasId !== uasId) (d ??= { key: this.key }).uasId = this.uasId = uasId;
    otherIdsOf(track, uasId);
    if (!sameOthers(this.otherIds)) (d ??= { key: this.key }).otherIds = this.otherIds = othersList();
    if (!sameAsSet(this.addresses, track.addresses)) (d ??= { key: this.key }).addresses = this.addresses = [...track.addresses];
    const operatorId = track.operatorId?.operatorId ?? null;
    if (this.operatorId !== operatorId) (d ??= { key: this.key }).operatorId = this.operatorId = operatorId;
    const selfId = track.selfId?.desc ?? null;
    if (this.selfId !== selfId) (d ??= { key: this.key }).selfId = this.selfId = selfId;
    if (this.messages !== track.messages) (d ??= { key: this.key }).messages = this.messages = track.messages;
    const firstSeen = seconds(track.firstSeen);
    if (n[FIRST_SEEN] !== firstSeen) (d ??= { key: this.key }).firstSeen = n[FIRST_SEEN] = firstSeen;
    const lastSeen = seconds(track.lastSeen);
    if (n[LAST_SEEN] !== lastSeen) (d ??= { key: this.key }).lastSeen = n[LAST_SEEN] = lastSeen;
    if (this.state !== track.state) (d ??= { key: this.key }).state = this.state = track.state;
    if (!sameList(this.flags, track.flags)) (d ??= { key: this.key }).flags = this.flags = listOf(track.flags);
    if (this.authorised !== track.authorised) (d ??= { key: this.key }).authorised = this.authorised = track.authorised;
    if (!sameList(this.zones, track.zones)) (d ??= { key: this.key }).zones = this.zones = listOf(track.zones);
    if (!sameList(this.operatorZones, track.operatorZones)) (d ??= { key: this.key }).operatorZones = this.operatorZones = listOf(track.operatorZones);
    const p = track.position;
    if (p ? !samePoint(n, p) : n[POSITION] === n[POSITION]) (d ??= { key: this.key }).position = p ? setPoint(n, p) : clearSlots(n, POSITION, 6);
    d = this.number(d, 'direction', DIRECTION, orNaN(track.location?.direction));
    const o = track.operator;
    if (o ? this.operatorSource !== o.source || !samePlace(n, OPERATOR, o) : this.operatorSource !== null) {
      (d ??= { key: this.key }).operator = o ? setPlace(n, OPERATOR, o) : clearSlots(n, OPERATOR, 3);
      this.operatorSource = o ? o.source : null;
    }
    const h = track.home;
    if (h ? this.homeSource !== h.source || !samePlace(n, HOME, h) : this.homeSource !== null) {
      (d ??= { key: this.key }).home = h ? setPlace(n, HOME, h) : clearSlots(n, HOME, 3);
      this.homeSource = h ? h.source : null;
    }
    d = this.number(d, 'rssi', RSSI, orNaN(latestRssi(track)));
    d = this.number(d, 'distance', DISTANCE, track.distance === undefined ? NaN : round1(track.distance));
    d = this.number(d, 'bearing', BEARING, track.bearing === undefined ? NaN : bearing1(track.bearing));
    d = this.number(d, 'operatorDistance', OPERATOR_DISTANCE, track.operatorDistance === undefined ? NaN : round1(track.operatorDistance));
    d = this.number(d, 'operatorBearing', OPERATOR_BEARING, track.operatorBearing === undefined ? NaN : bearing1(track.operatorBearing));
    const estimate = track.estimate ? estimateOf(this.estimate, track.estimate) : undefined;
    if (this.estimate !== estimate) (d ??= { key: this.key }).estimate = (this.estimate = estimate) ?? null;
    return d;
  }

  /** An optional number (NaN: unknown) into its slot, and into the delta when it changed (null once unknown). */
  private number(d: TrackDelta | undefined, field: OptionalNumber, slot: number, v: number): TrackDelta | undefined {
    const was = this.n[slot]!;
    if (v === was || (v !== v && was !== was)) return d;
    this.n[slot] = v;
    d ??= { key: this.key };
    d[field] = v !== v ? null : v;
    return d;
  }
}

/** Whether the slots hold this position. */
function samePoint(n: Float64Array, p: TrackPoint): boolean {
  return n[POSITION] === seconds(p.t) && n[POSITION + 1] === p.lat && n[POSITION + 2] === p.lon && sameOptional(n[POSITION + 3]!, p.alt) && sameOptional(n[POSITION + 4]!, p.speed) && sameOptional(n[POSITION + 5]!, p.course);
}

/** Whether a slot (NaN: absent) holds this optional number. */
const sameOptional = (slot: number, v: number | undefined): boolean => (v === undefined ? slot !== slot : slot === v);

/** Puts a position in the slots; returns it as TrackJson has it (a new object). */
function setPoint(n: Float64Array, p: TrackPoint): PointJson {
  n[POSITION] = seconds(p.t);
  n[POSITION + 1] = p.lat;
  n[POSITION + 2] = p.lon;
  n[POSITION + 3] = orNaN(p.alt);
  n[POSITION + 4] = orNaN(p.speed);
  n[POSITION + 5] = orNaN(p.course);
  return pointAt(n);
}

/** The position in the slots, as a new PointJson. */
function pointAt(n: Float64Array): PointJson {
  const out: PointJson = { t: n[POSITION]!, lat: n[POSITION + 1]!, lon: n[POSITION + 2]! };
  const alt = n[POSITION + 3]!;
  const speed = n[POSITION + 4]!;
  const course = n[POSITION + 5]!;
  if (alt === alt) out.alt = alt;
  if (speed === speed) out.speed = speed;
  if (course === course) out.course = course;
  return out;
}

function samePlace(n: Float64Array, at: number, p: { lat: number; lon: number; alt?: number }): boolean {
  return n[at] === p.lat && n[at + 1] === p.lon && sameOptional(n[at + 2]!, p.alt);
}

/** Puts a place (the operator's, the home point) in the slots from `at`; returns it as a new PlaceJson. */
function setPlace<S extends string>(n: Float64Array, at: number, p: { lat: number; lon: number; alt?: number; source: S }): PlaceJson<S> {
  n[at] = p.lat;
  n[at + 1] = p.lon;
  n[at + 2] = orNaN(p.alt);
  return placeAt(n, at, p.source);
}

function placeAt<S extends string>(n: Float64Array, at: number, source: S): PlaceJson<S> {
  const out: PlaceJson<S> = { lat: n[at]!, lon: n[at + 1]!, source };
  const alt = n[at + 2]!;
  if (alt === alt) out.alt = alt;
  return out;
}

/** Empties `count` slots from `at` (a position or place no longer known): null, as the delta says it. */
function clearSlots(n: Float64Array, at: number, count: number): null {
  n.fill(NaN, at, at + count);
  return null;
}

/** The summary's estimate, as TrackJson has it; `prev` when that is the same estimate (the tracker replaces it whole). */
function estimateOf(prev: EstimateJson | undefined, e: Readonly<PositionEstimate>): EstimateJson {
  if (prev && prev.t === seconds(e.t) && prev.lat === round7(e.lat) && prev.lon === round7(e.lon) && prev.radius === Math.round(e.radius)) return prev;
  return estimateJson(e);
}
const round7 = (v: number): number => Math.round(v * 1e7) / 1e7;

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
    operator: j.operator ? placeOf(j.operator) : null,
    home: j.home ? placeOf(j.home) : null,
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

/** A place (the operator's, the home point) without its time: the map needs none. */
function placeOf<S extends string>(p: { lat: number; lon: number; alt?: number; source: S }): PlaceJson<S> {
  const out: PlaceJson<S> = { lat: p.lat, lon: p.lon, source: p.source };
  if (p.alt !== undefined) out.alt = p.alt;
  return out;
}
