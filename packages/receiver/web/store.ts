/**
 * What the page knows: the session (hello), every track as the receiver last sent it, the positions each
 * track has been seen at (its trail), the alerts, and in a replay the timeline of every update. No DOM
 * here: the unit tests run it in Node.
 */

import type { HelloMessage, LatLonAlt, ServerMessage, WebAlert } from '../src/outputs/web/protocol.js';
import type { PointJson, TrackJson } from '../src/tracker/track-json.js';
import { Timeline } from './timeline-model.js';

/**
 * A track as the page gets it. `authorised`, `zones` and `operatorZones` come from the receiver's
 * allow-list and zones; a receiver from before them leaves them out.
 */
export type PageTrack = Omit<TrackJson, 'authorised' | 'zones' | 'operatorZones'> & { authorised?: boolean; zones?: string[]; operatorZones?: string[] };

export interface TrailPoint {
  /** Seconds, frames' clock. */
  t: number;
  lat: number;
  lon: number;
}

/** Positions kept per track for its trail (the receiver keeps the full history for exports). */
export const TRAIL_LIMIT = 600;
/** Alerts kept (the banner shows the latest; the list highlights recent ones). */
export const ALERT_LIMIT = 200;

export type Applied = 'hello' | 'snapshot' | 'tracks' | 'alert' | 'receiver' | 'zones' | 'ignored';

export class Store {
  hello: HelloMessage | null = null;
  receiver: LatLonAlt | null = null;
  /** The zones in force (a GeoJSON FeatureCollection), from hello and then every change. */
  zones: unknown = null;
  readonly tracks = new Map<string, PageTrack>();
  readonly trails = new Map<string, TrailPoint[]>();
  alerts: WebAlert[] = [];
  /** The latest time the receiver has told (seconds, frames' clock). */
  t = 0;
  /** Every update with its time, for the replay slider (only filled in replay mode). */
  readonly timeline = new Timeline();
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
        // start over. The snapshot that follows is the truth: trails restart from its history.
        this.hello = msg;
        this.receiver = msg.receiver;
        this.zones = msg.zones;
        this.trails.clear();
        return 'hello';
      case 'snapshot': {
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
        for (const key of msg.removed) this.forget(key);
        for (const track of msg.tracks) this.put(track);
        this.t = Math.max(this.t, msg.t);
        if (this.replay) this.timeline.push(msg.t, msg.tracks, msg.removed, false);
        return 'tracks';
      case 'alert':
        this.addAlert(msg.alert, true);
        return 'alert';
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

  private put(track: PageTrack): void {
    this.tracks.set(track.key, track);
    this.changed.add(track.key);
    let trail = this.trails.get(track.key);
    if (!trail) this.trails.set(track.key, (trail = []));
    if (track.history?.length) mergeTrail(trail, track.history);
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

/** Puts a track's history (from a snapshot) into its trail: one point per time, in time order. */
function mergeTrail(trail: TrailPoint[], history: PointJson[]): void {
  const byT = new Map<number, TrailPoint>();
  for (const p of trail) byT.set(p.t, p);
  for (const p of history) byT.set(p.t, { t: p.t, lat: p.lat, lon: p.lon });
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
