/** The bounded position history of a track. */

import type { TrackPoint } from './types.js';

/**
 * Appends a position unless it repeats the last one: the same fix arrives over BT4, BT5 and Wi-Fi, and a
 * hovering drone repeats itself. Returns whether it was added. Drops the oldest beyond `limit`.
 */
export function appendPoint(history: TrackPoint[], p: TrackPoint, limit: number): boolean {
  const last = history[history.length - 1];
  if (last && last.lat === p.lat && last.lon === p.lon && last.alt === p.alt) return false;
  history.push(p);
  // One over is the steady state of a full history: shift() drops it far cheaper than splice().
  if (history.length === limit + 1) history.shift();
  else if (history.length > limit) history.splice(0, history.length - limit);
  return true;
}

/** Both histories in time order, repeats dropped, the newest `limit` kept. */
export function mergeHistories(a: readonly TrackPoint[], b: readonly TrackPoint[], limit: number): TrackPoint[] {
  const all = [...a, ...b].sort((x, y) => x.t - y.t);
  const out: TrackPoint[] = [];
  for (const p of all) appendPoint(out, p, Number.POSITIVE_INFINITY);
  return out.length > limit ? out.slice(out.length - limit) : out;
}
