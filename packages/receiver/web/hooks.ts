/**
 * What tests and benchmarks read from the page without scraping pixels: a read-only hook (window.__odid)
 * and the render statistics (window.__odidStats: tracks rendered, and for each live update rendered how
 * long after its last message it showed, `Date.now()/1000 - lastSeen` in ms — the frames' clock is the
 * wall clock in live mode — and, when it moved the drone, how long after the reception of the position
 * drawn, `Date.now()/1000 - position.t`), plus a performance mark 'odid:render' per render carrying that
 * render's own latencies (an observer sees every one; the stats keep only the latest).
 */

import type { HelloMessage, WebAlert } from '../src/outputs/web/protocol.js';
import type { MarkerInfo } from './map-layer.js';
import type { PageTrack, TrackSummary } from './store.js';

export interface OdidStats {
  rendered: number;
  /** The latest latencies, oldest first (bounded to LATENCY_KEPT). */
  latencyMs: number[];
  /**
   * The same from the reception of the position drawn, for the updates that brought a newer one (bounded
   * too): an update can carry a later message of another kind, so lastSeen alone would flatter positions.
   */
  positionLatencyMs: number[];
}

export interface OdidHook {
  /**
   * The tracks the page shows now (in a replay: at the slider's time), as summaries; the one whose details
   * are open has every field of its details too (the summary's over them: they are at least as new).
   */
  tracks(): (TrackSummary | (PageTrack & TrackSummary))[];
  /** Drone markers on the map: where they are drawn, colour, rotation. */
  markers(): MarkerInfo[];
  alerts(): WebAlert[];
  hello(): HelloMessage | null;
  /** 'connecting' | 'open' | 'closed' | 'refused'. */
  connection(): string;
  selected(): string | null;
  /** The dropped capture: its JSON lines (as odid decode prints them) and tracks; null when none. */
  capture(): { name: string; lines: string[]; tracks: PageTrack[] } | null;
  /** Zones given by the receiver and drawn on this page. */
  zones(): { given: unknown; drawn: unknown[] };
}

export const LATENCY_KEPT = 2000;
const MARKS_KEPT = 1000;
/** Reception time of the position last drawn per track; forgotten wholesale past this many keys. */
const POSITIONS_KEPT = 20_000;
const positionShown = new Map<string, number>();

export function installStats(): OdidStats {
  const stats: OdidStats = { rendered: 0, latencyMs: [], positionLatencyMs: [] };
  (window as unknown as { __odidStats: OdidStats }).__odidStats = stats;
  return stats;
}

let marks = 0;

/** After each render: counts, latencies of the live updates drawn, a performance mark. */
export function recordRender(stats: OdidStats, updated: readonly Pick<TrackSummary, 'key' | 'lastSeen' | 'position'>[], live: boolean): void {
  const now = Date.now() / 1000;
  const latencyMs: number[] = [];
  const positionLatencyMs: number[] = [];
  // Keys of tracks gone long ago would pile up; forgetting them all costs at most one sample per track.
  if (positionShown.size > POSITIONS_KEPT) positionShown.clear();
  for (const t of updated) {
    stats.rendered++;
    if (!live) continue;
    latencyMs.push(Math.round((now - t.lastSeen) * 1000));
    const p = t.position;
    if (p && p.t > (positionShown.get(t.key) ?? -Infinity)) {
      positionShown.set(t.key, p.t);
      positionLatencyMs.push(Math.round((now - p.t) * 1000));
    }
  }
  keep(stats.latencyMs, latencyMs);
  keep(stats.positionLatencyMs, positionLatencyMs);
  if (++marks > MARKS_KEPT) {
    performance.clearMarks('odid:render');
    marks = 1;
  }
  performance.mark('odid:render', { detail: { tracks: updated.length, latencyMs, positionLatencyMs } });
}

/** Appends, then drops the oldest beyond LATENCY_KEPT. */
function keep(list: number[], added: readonly number[]): void {
  for (const v of added) list.push(v);
  if (list.length > LATENCY_KEPT) list.splice(0, list.length - LATENCY_KEPT);
}

export function installHook(hook: OdidHook): void {
  // Copies out, so a test cannot change what the page holds.
  const copy = <T>(v: T): T => (v === null || v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
  const frozen: OdidHook = Object.freeze({
    tracks: () => copy(hook.tracks()),
    markers: () => copy(hook.markers()),
    alerts: () => copy(hook.alerts()),
    hello: () => copy(hook.hello()),
    connection: () => hook.connection(),
    selected: () => hook.selected(),
    capture: () => copy(hook.capture()),
    zones: () => copy(hook.zones()),
  });
  Object.defineProperty(window, '__odid', { value: frozen, writable: false, configurable: false });
}
