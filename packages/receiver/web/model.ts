/**
 * How a track is drawn: its status colour, its heading, whether it is faded; how the list filters and sorts.
 * All from a track's summary (what live updates carry; a whole track is summarised first: summaryOfJson).
 * Pure (no DOM): the map, the list and the unit tests share it.
 */

import type { TrackSummary } from './store.js';

/** Worst first: a track takes the first status that applies. */
export type TrackStatus = 'emergency' | 'flagged' | 'authorised' | 'unknown';

/** The colour names the test hook reports, and the CSS colours the map draws. */
export const STATUS_COLOR_NAME: Record<TrackStatus, 'red' | 'orange' | 'green' | 'blue'> = {
  emergency: 'red',
  flagged: 'orange',
  authorised: 'green',
  unknown: 'blue',
};

export const STATUS_COLOR: Record<TrackStatus, string> = {
  emergency: '#d50000',
  flagged: '#ef6c00',
  authorised: '#2e7d32',
  unknown: '#1565c0',
};

export const STATUS_TEXT: Record<TrackStatus, string> = {
  emergency: 'emergency',
  flagged: 'flagged',
  authorised: 'authorised',
  unknown: 'no flags; not authorised by an allow-list',
};

export function statusOf(t: Pick<TrackSummary, 'flags'> & { authorised?: boolean }): TrackStatus {
  if (t.flags.includes('emergency')) return 'emergency';
  if (t.flags.length > 0) return 'flagged';
  if (t.authorised === true) return 'authorised';
  return 'unknown';
}

/** Location direction 361 = unknown; over 359 only from a faulty transmitter (and then not drawn). */
const DIRECTION_MAX = 359;

/** Degrees clockwise from true north the icon points to: Location direction, else the course of the last positions. */
export function headingOf(t: TrackSummary): number | undefined {
  const d = t.direction;
  if (d !== undefined && d >= 0 && d <= DIRECTION_MAX) return d;
  const c = t.position?.course;
  if (c !== undefined && Number.isFinite(c)) return ((c % 360) + 360) % 360;
  return undefined;
}

/** Opacity by state: active tracks full, stale ones faded, lost ones nearly gone. */
export function opacityOf(t: Pick<TrackSummary, 'state'>): number {
  return t.state === 'active' ? 1 : t.state === 'stale' ? 0.55 : 0.3;
}

/** What the list and the banner call a track. */
export function labelOf(t: Pick<TrackSummary, 'uasId' | 'addresses' | 'key'>): string {
  return t.uasId ?? t.addresses[0] ?? t.key;
}

/** Text a filter matches against: IDs, operator, self-ID, addresses, key, flags. */
export function searchText(t: TrackSummary): string {
  return [t.key, t.uasId, t.operatorId, t.selfId, ...t.addresses, ...t.otherIds, ...t.flags, ...t.zones]
    .filter((s): s is string => typeof s === 'string')
    .join('\n')
    .toLowerCase();
}

export type SortKey = 'distance' | 'id' | 'heard';
export type StateFilter = 'all' | 'active' | 'stale' | 'lost' | 'flagged' | 'emergency';

export function filterTracks(tracks: Iterable<TrackSummary>, text: string, state: StateFilter): TrackSummary[] {
  const needle = text.trim().toLowerCase();
  const out: TrackSummary[] = [];
  for (const t of tracks) {
    if (state === 'flagged' ? t.flags.length === 0 : state === 'emergency' ? !t.flags.includes('emergency') : state !== 'all' && t.state !== state) continue;
    if (needle && !searchText(t).includes(needle)) continue;
    out.push(t);
  }
  return out;
}

/** The default locale's collation, as String.localeCompare uses it (but made once: sorting a thousand tracks compares ten thousand times). */
const collator = new Intl.Collator();

export function sortTracks(tracks: TrackSummary[], key: SortKey): TrackSummary[] {
  const byId = (a: TrackSummary, b: TrackSummary): number => collator.compare(labelOf(a), labelOf(b)) || collator.compare(a.key, b.key);
  const cmp =
    key === 'id'
      ? byId
      : key === 'heard'
        ? (a: TrackSummary, b: TrackSummary): number => b.lastSeen - a.lastSeen || byId(a, b)
        : (a: TrackSummary, b: TrackSummary): number => (a.distance ?? Infinity) - (b.distance ?? Infinity) || byId(a, b);
  return tracks.sort(cmp);
}
