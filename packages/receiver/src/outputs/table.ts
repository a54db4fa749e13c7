/**
 * The live terminal table: one row per aircraft, redrawn in place. `renderTable` is pure (tracks in,
 * text out) so it is tested without a terminal; `LiveTable` only throttles and positions the cursor.
 */

import type { Writable } from 'node:stream';
import type { Track } from '../tracker/types.js';

export const SORT_KEYS = ['distance', 'id', 'last', 'rssi', 'first'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const UA_SHORT = ['none', 'plane', 'multirotor', 'gyroplane', 'VTOL', 'ornithopter', 'glider', 'kite', 'balloon', 'captive balloon', 'airship', 'parachute', 'rocket', 'tethered', 'obstacle', 'other'];
const STATUS = ['undeclared', 'ground', 'airborne', 'EMERGENCY', 'RID FAILURE'];

interface Column {
  title: string;
  width: number;
  right?: boolean;
  cell: (t: Track, nowMs: number) => string;
}

const num = (v: number | undefined, digits = 0, unit = ''): string => (v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(digits)}${unit}`);
const known = (v: number, unknown: number): number | undefined => (v === unknown ? undefined : v);

const COLUMNS: Column[] = [
  { title: 'DRONE ID', width: 22, cell: (t) => t.uasId ?? `(${[...t.addresses][0] ?? '?'})` },
  { title: 'TYPE', width: 10, cell: (t) => (t.uaType === undefined ? '-' : UA_SHORT[t.uaType] ?? String(t.uaType)) },
  { title: 'STATUS', width: 11, cell: (t) => (t.location ? STATUS[t.location.status] ?? `status ${t.location.status}` : t.dji ? 'DJI' : '-') },
  { title: 'POSITION', width: 22, cell: (t) => (t.position ? `${t.position.lat.toFixed(5)},${t.position.lon.toFixed(5)}` : '-') },
  {
    title: 'ALT/HGT m',
    width: 11,
    right: true,
    cell: (t) => {
      const l = t.location;
      if (!l) return num(t.position?.alt);
      return `${num(known(l.altitudeGeo, -1000) ?? known(l.altitudeBaro, -1000))}/${num(known(l.height, -1000))}`;
    },
  },
  {
    title: 'SPD/TRK',
    width: 10,
    right: true,
    cell: (t) => {
      const l = t.location;
      const speed = l ? known(l.speedHorizontal, 255) : t.position?.speed;
      const course = l ? known(l.direction, 361) : t.position?.course;
      return `${num(speed, 1)}/${num(course)}`;
    },
  },
  { title: 'DIST/BRG', width: 11, right: true, cell: (t) => (t.distance === undefined ? '-' : `${fmtDist(t.distance)}/${num(t.bearing)}`) },
  { title: 'OP DIST', width: 8, right: true, cell: (t) => (t.operatorDistance === undefined ? '-' : fmtDist(t.operatorDistance)) },
  { title: 'RSSI', width: 5, right: true, cell: (t) => num(bestRssi(t)) },
  { title: 'TRANSPORTS', width: 24, cell: (t) => [...t.transports].map(shortTransport).join(',') },
  { title: 'AGE', width: 5, right: true, cell: (t, now) => `${Math.max(0, Math.round((now - t.lastSeen) / 1000))}s` },
  { title: 'FLAGS', width: 30, cell: (t) => (t.state === 'active' ? '' : `${t.state.toUpperCase()} `) + t.flags.join(' ') },
];

function fmtDist(m: number): string {
  return m >= 10_000 ? `${(m / 1000).toFixed(0)}km` : m >= 1000 ? `${(m / 1000).toFixed(1)}km` : `${Math.round(m)}m`;
}

function shortTransport(t: string): string {
  return ({ 'ble-legacy': 'BT4', 'ble-extended': 'BT5', 'wifi-beacon': 'WiFi-B', 'wifi-nan': 'NAN', 'dji-wifi': 'DJI' } as Record<string, string>)[t] ?? t;
}

function bestRssi(t: Track): number | undefined {
  let best: number | undefined;
  for (const link of t.links.values()) {
    const r = (link as { rssi?: number }).rssi;
    if (r !== undefined && (best === undefined || r > best)) best = r;
  }
  return best;
}

function compare(key: SortKey): (a: Track, b: Track) => number {
  switch (key) {
    case 'distance':
      return (a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity);
    case 'id':
      return (a, b) => (a.uasId ?? a.key).localeCompare(b.uasId ?? b.key);
    case 'last':
      return (a, b) => b.lastSeen - a.lastSeen;
    case 'first':
      return (a, b) => a.firstSeen - b.firstSeen;
    case 'rssi':
      return (a, b) => (bestRssi(b) ?? -999) - (bestRssi(a) ?? -999);
  }
}

const fit = (s: string, width: number, right?: boolean): string => {
  const cut = s.length > width ? s.slice(0, width - 1) + '…' : s;
  return right ? cut.padStart(width) : cut.padEnd(width);
};

export interface RenderOptions {
  nowMs: number;
  sort?: SortKey;
  /** Terminal width; columns that do not fit are dropped from the right. */
  width?: number;
  title?: string;
}

export function renderTable(tracks: readonly Track[], opts: RenderOptions): string {
  const width = opts.width ?? 200;
  const cols: Column[] = [];
  let used = 0;
  for (const c of COLUMNS) {
    if (used + c.width + 1 > width && cols.length >= 4) break;
    cols.push(c);
    used += c.width + 1;
  }
  const rows = [...tracks].sort(compare(opts.sort ?? 'distance'));
  const lines = [
    opts.title ?? `${rows.length} aircraft   ${new Date(opts.nowMs).toISOString().replace('T', ' ').slice(0, 19)} UTC   sorted by ${opts.sort ?? 'distance'}`,
    cols.map((c) => fit(c.title, c.width, c.right)).join(' '),
    ...rows.map((t) => cols.map((c) => fit(c.cell(t, opts.nowMs), c.width, c.right)).join(' ')),
  ];
  if (rows.length === 0) lines.push('  (no Remote ID heard yet)');
  return lines.map((l) => l.trimEnd()).join('\n') + '\n';
}

/** Redraws the table in place on a terminal, at most every `intervalMs`. */
export class LiveTable {
  private last = 0;
  private drawnLines = 0;

  constructor(
    private readonly out: Writable & { columns?: number },
    private readonly opts: { sort?: SortKey; intervalMs?: number; footer?: () => string } = {},
  ) {}

  update(tracks: readonly Track[], nowMs: number, force = false): void {
    const wall = Date.now();
    if (!force && wall - this.last < (this.opts.intervalMs ?? 250)) return;
    this.last = wall;
    const text = renderTable(tracks, { nowMs, sort: this.opts.sort, width: this.out.columns }) + (this.opts.footer?.() ?? '');
    // Move up over the previous drawing and clear it, then draw: no flicker, no scrolling.
    const up = this.drawnLines ? `\x1b[${this.drawnLines}F\x1b[J` : '';
    this.out.write(up + text);
    this.drawnLines = text.split('\n').length - 1;
  }
}
