/**
 * What the page knows: the session (hello), every track's summary as the receiver last sent it, the
 * positions each track has been seen at (its trail), the whole of the one track whose details are open, the
 * alerts, and in a replay the timeline of every update. No DOM here: the unit tests run it in Node.
 */

import type { HelloMessage, HistoryMessage, LatLonAlt, ServerMessage, TrackChanges, TrackSummary, WebAlert } from '../src/outputs/web/protocol.js';
import { applyDelta } from '../src/outputs/web/summary.js';
import type { PointJson, TrackJson } from '../src/tracker/track-json.js';
import { Timeline } from './timeline-model.js';

/**
 * A track given whole (the details the receiver sends, a dropped capture's tracks). `authorised`, `zones`
 * and `operatorZones` come from the receiver's allow-list and zones; a receiver from before them leaves them out.
 */
export type PageTrack = Omit<TrackJson, 'authorised' | 'zones' | 'operatorZones'> & { authorised?: boolean; zones?: string[]; operatorZones?: string[] };

export type { TrackSummary } from '../src/outputs/web/protocol.js';

export interface TrailPoint {
  /** Seconds, frames' clock. */
  t: number;
  lat: number;
  lon: number;
}

/** The details the page holds: those of the track it asked for, as last sent. */
export interface HeldDetails {
  key: string;
  /** Seconds, frames' clock. */
  t: number;
  /** null: the receiver no longer tracks it. */
  track: TrackJson | null;
}

/** Positions kept per track for its trail (the receiver keeps the full history for exports). */
export const TRAIL_LIMIT = 600;
/** Alerts kept (the banner shows the latest; the list highlights recent ones). */
export const ALERT_LIMIT = 200;

export type Applied = 'hello' | 'history' | 'snapshot' | 'tracks' | 'steps' | 'details' | 'alerts' | 'receiver' | 'zones' | 'ignored';

export class Store {
  hello: HelloMessage | null = null;
  receiver: LatLonAlt | null = null;
  /** The zones in force (a GeoJSON FeatureCollection), from hello and then every change. */
  zones: unknown = null;
  readonly tracks = new Map<string, TrackSummary>();
  readonly trails = new Map<string, TrailPoint[]>();
  alerts: WebAlert[] = [];
  /** The latest time the receiver has told (seconds, frames' clock). */
  t = 0;
  /** Every update with its time, for the replay slider (only filled in replay mode). */
  readonly timeline = new Timeline<TrackSummary>();
  /** The track whose details the page wants (undefined: none), and what it has of them. */
  private wanted: string | undefined;
  private held: HeldDetails | undefined;
  /** Keys whose track changed (or went) since takeChanges(). */
  private changed = new Set<string>();
  /** Alerts received since takeNewAlerts() (not those of a snapshot: they are old news). */
  private fresh: WebAlert[] = [];

  get replay(): boolean {
    return this.hello?.mode === 'replay';
  }

  apply(msg: ServerMessage): Applied {
    switch (msg.type) {
      case 'hello':
        // A new connection: perhaps to a receiver started again, whose track keys and alert numbers
        // start over. The snapshot that follows is the truth: trails restart from its trails.
        this.hello = msg;
        this.receiver = msg.receiver;
        this.zones = msg.zones;
        this.trails.clear();
        this.held = undefined;
        return 'hello';
      case 'history':
        this.past(msg);
        return 'history';
      case 'snapshot': {
        this.outOfStep = false;
        const keep = new Set(msg.tracks.map((t) => t.key));
        for (const key of this.tracks.keys()) {
          if (!keep.has(key)) this.forget(key);
        }
        for (const track of msg.tracks) this.put(track);
        // The receiver's recent alerts, as it has them now (a restarted one numbers them from 1 again).
        this.alerts = [...msg.alerts].sort((x, y) => x.id - y.id).slice(-ALERT_LIMIT);
        // Time going back means another run (a replay started again): its timeline starts afresh.
        const end = this.timeline.end;
        if (end !== undefined && msg.t < end - 1) this.timeline.clear();
        this.t = end !== undefined && msg.t < end - 1 ? msg.t : Math.max(this.t, msg.t);
        if (this.replay) this.timeline.push(msg.t, msg.tracks, [], true);
        return 'snapshot';
      }
      case 'tracks':
        this.changes(msg);
        return 'tracks';
      case 'steps':
        // A replay's moments, oldest first: each one on the timeline (and each position on the trail) at its own time.
        for (const step of msg.steps) this.changes(step);
        return 'steps';
      case 'details':
        // Details of a track the page no longer shows (it asked for another meanwhile) are dropped.
        if (msg.key !== this.wanted) return 'ignored';
        this.held = { key: msg.key, t: msg.t, track: msg.track };
        this.changed.add(msg.key);
        return 'details';
      case 'alerts':
        for (const a of msg.alerts) this.addAlert(a, true);
        return 'alerts';
      case 'receiver':
        this.receiver = msg.receiver;
        return 'receiver';
      case 'zones':
        this.zones = msg.zones;
        return 'zones';
      default:
        return 'ignored';
    }
  }

  /** The track whose details the page shows from now on (undefined: none); what it held of another is dropped. */
  want(key: string | undefined): void {
    this.wanted = key;
    if (this.held?.key !== key) this.held = undefined;
  }

  get wantedKey(): string | undefined {
    return this.wanted;
  }

  /** The details held of `key`, if they are the ones wanted and have come. */
  details(key: string): HeldDetails | undefined {
    return this.held?.key === key ? this.held : undefined;
  }

  /**
   * Tracks that changed by time t (seconds): new ones whole, the others' changes applied to what the page
   * has; and keys gone. A change to a track the page does not have means it missed something: it asks for
   * a snapshot (`outOfStep`).
   */
  private changes({ t, tracks, changes, removed }: TrackChanges): void {
    for (const key of removed) this.forget(key);
    const now: TrackSummary[] = tracks.slice();
    for (const track of tracks) this.put(track);
    for (const d of changes) {
      const prev = this.tracks.get(d.key);
      if (!prev) {
        this.outOfStep = true;
        continue;
      }
      const next = applyDelta(prev, d);
      this.put(next);
      now.push(next);
    }
    this.t = Math.max(this.t, t);
    if (this.replay) this.timeline.push(t, now, removed, false);
  }

  /**
   * A replay's past, sent before the first snapshot: the timeline starts afresh from it, and the trails get
   * its positions. The tracks shown come from the snapshot that follows (the scene now).
   */
  private past({ t, base, steps }: HistoryMessage): void {
    this.timeline.clear();
    const state = new Map<string, TrackSummary>();
    const addTrail = (s: TrackSummary): void => {
      if (!s.position) return;
      let trail = this.trails.get(s.key);
      if (!trail) this.trails.set(s.key, (trail = []));
      addPoint(trail, s.position);
      if (trail.length > TRAIL_LIMIT) trail.shift();
    };
    for (const s of base) {
      state.set(s.key, s);
      addTrail(s);
    }
    if (t !== null) this.timeline.push(t, base, [], true);
    for (const step of steps) {
      for (const key of step.removed) state.delete(key);
      const now = step.tracks.slice();
      for (const d of step.changes) {
        const prev = state.get(d.key);
        if (prev) now.push(applyDelta(prev, d));
      }
      for (const s of now) {
        state.set(s.key, s);
        addTrail(s);
      }
      this.timeline.push(step.t, now, step.removed, false);
    }
    // Trails of tracks the scene no longer has would never be drawn or forgotten.
    for (const key of this.trails.keys()) if (!state.has(key)) this.trails.delete(key);
  }

  /** Set when a change came for a track the page does not have: the page should ask for a snapshot. */
  outOfStep = false;

  /** Keys of the tracks that changed or went since the last call. */
  takeChanges(): Set<string> {
    const c = this.changed;
    this.changed = new Set();
    return c;
  }

  takeNewAlerts(): WebAlert[] {
    const f = this.fresh;
    this.fresh = [];
    return f;
  }

  /** The trail of a track up to time `until` (seconds; default: all of it), oldest first. */
  trail(key: string, until = Infinity): TrailPoint[] {
    const all = this.trails.get(key) ?? [];
    if (until === Infinity || all.length === 0 || all[all.length - 1]!.t <= until) return all;
    return all.slice(0, upperBound(all, until));
  }

  private put(track: TrackSummary): void {
    this.tracks.set(track.key, track);
    this.changed.add(track.key);
    let trail = this.trails.get(track.key);
    if (!trail) this.trails.set(track.key, (trail = []));
    if (track.trail) {
      // Kept in the trail; the summary kept (and the timeline's) need not carry it.
      mergeTrail(trail, track.trail);
      delete track.trail;
    }
    if (track.position) addPoint(trail, track.position);
    if (trail.length > TRAIL_LIMIT) trail.splice(0, trail.length - TRAIL_LIMIT);
  }

  private forget(key: string): void {
    this.tracks.delete(key);
    this.trails.delete(key);
    this.changed.add(key);
  }

  private addAlert(a: WebAlert, fresh: boolean): void {
    if (this.alerts.some((x) => x.id === a.id)) return;
    this.alerts.push(a);
    this.alerts.sort((x, y) => x.id - y.id);
    if (this.alerts.length > ALERT_LIMIT) this.alerts.splice(0, this.alerts.length - ALERT_LIMIT);
    if (fresh) this.fresh.push(a);
  }
}

/** Appends a position when it is newer than the trail's last one. */
function addPoint(trail: TrailPoint[], p: PointJson): void {
  const last = trail[trail.length - 1];
  if (last && p.t <= last.t) {
    if (p.t === last.t) {
      last.lat = p.lat;
      last.lon = p.lon;
    } else if (!trail.some((q) => q.t === p.t)) {
      trail.splice(upperBound(trail, p.t), 0, { t: p.t, lat: p.lat, lon: p.lon });
    }
    return;
  }
  trail.push({ t: p.t, lat: p.lat, lon: p.lon });
}

/** Puts a snapshot's trail (flat [t, lat, lon] triples) into a track's trail: one point per time, in time order. */
function mergeTrail(trail: TrailPoint[], flat: readonly number[]): void {
  const byT = new Map<number, TrailPoint>();
  for (const p of trail) byT.set(p.t, p);
  for (let i = 0; i + 2 < flat.length; i += 3) byT.set(flat[i]!, { t: flat[i]!, lat: flat[i + 1]!, lon: flat[i + 2]! });
  const merged = [...byT.values()].sort((a, b) => a.t - b.t).slice(-TRAIL_LIMIT);
  trail.length = 0;
  for (const p of merged) trail.push(p);
}

/** Index of the first point later than t. */
function upperBound(points: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
