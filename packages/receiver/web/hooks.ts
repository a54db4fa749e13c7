/**
 * What tests and benchmarks read from the page without scraping pixels: a read-only hook (window.__odid)
 * and the render statistics (window.__odidStats: tracks rendered, and for each live update rendered how
 * long after its last message it showed, `Date.now()/1000 - lastSeen` in ms — the frames' clock is the
 * wall clock in live mode), plus a performance mark 'odid:render' per render.
 */

import type { HelloMessage, WebAlert } from '../src/outputs/web/protocol.js';
import type { MarkerInfo } from './map-layer.js';
import type { PageTrack } from './store.js';

export interface OdidStats {
  rendered: number;
  /** The latest latencies, oldest first (bounded to LATENCY_KEPT). */
  latencyMs: number[];
}

export interface OdidHook {
  /** The tracks the page shows now (in a replay: at the slider's time). */
  tracks(): PageTrack[];
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

export function installStats(): OdidStats {
  const stats: OdidStats = { rendered: 0, latencyMs: [] };
  (window as unknown as { __odidStats: OdidStats }).__odidStats = stats;
  return stats;
}

let marks = 0;

/** After each render: counts, latencies of the live updates drawn, a performance mark. */
export function recordRender(stats: OdidStats, updated: readonly PageTrack[], live: boolean): void {
  const now = Date.now() / 1000;
  for (const t of updated) {
    stats.rendered++;
    if (live) stats.latencyMs.push(Math.round((now - t.lastSeen) * 1000));
  }
  if (stats.latencyMs.length > LATENCY_KEPT) stats.latencyMs.splice(0, stats.latencyMs.length - LATENCY_KEPT);
  if (++marks > MARKS_KEPT) {
    performance.clearMarks('odid:render');
    marks = 1;
  }
  performance.mark('odid:render', { detail: { tracks: updated.length } });
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
