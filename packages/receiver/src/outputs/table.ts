/**
 * The live terminal table: one row per aircraft, redrawn in place. `renderTable` is pure (tracks in,
 * text out) so it is tested without a terminal; `LiveTable` only throttles and positions the cursor.
 *
 * Every cell is text a drone chose (its IDs) or derived from it, so each goes through `displayText`:
 * control characters shown escaped, never sent to the terminal. Given a width and a height the table
 * always fits them (columns dropped by priority, rows cut with a "+N more" line), so a redraw never wraps
 * or scrolls; the "!" column marks a flagged track at every width, and with colour an emergency is red.
 *
 * With zones and an allow-list (see tracker/zones.ts, tracker/allow-list.ts) the marker column also shows
 * `Z` for a track that is not authorised and whose drone or operator is in a zone, and `A` for an
 * authorised one (`!` wins over both); FLAGS starts with `in:ZONE` / `op-in:ZONE` and `AUTHORISED`. The
 * spoofing flags come first among the flags, after the word SPOOF, each with its evidence in short.
 * LiveTable can show the latest alerts under the table (write() it the tracker's updates). With a DRIP
 * verifier (rid-scan --trust) FLAGS says `DRIP-OK` for a verified track and `DRIP?` for one whose DRIP
 * authentication is not (yet) verified; a forged one has the flag drip-forged (and the "!").
 */

import type { Writable } from 'node:stream';
import { ALTITUDE_UNKNOWN, DIRECTION_FIELD, SPEED_HORIZONTAL_FIELD, displayText } from '@odid/codec';
import { isSpoofFlag } from '../tracker/flags.js';
import { evidenceBrief } from '../tracker/spoofing.js';
import type { Track, TrackAlertKind, TrackUpdate } from '../tracker/types.js';

export const SORT_KEYS = ['distance', 'id', 'last', 'rssi', 'first'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const UA_SHORT = ['none', 'plane', 'multirotor', 'gyroplane', 'VTOL', 'ornithopter', 'glider', 'kite', 'balloon', 'captive balloon', 'airship', 'parachute', 'rocket', 'tethered', 'obstacle', 'other'];
const STATUS = ['undeclared', 'ground', 'airborne', 'EMERGENCY', 'RID FAILURE'];

interface Column {
  title: string;
  /** Preferred width. */
  width: number;
  /** Dropped in increasing order as the width shrinks; REQUIRED columns stay (shrinking to `min` first). */
  priority: number;
  /** Flexible columns shrink to this before any required column is dropped... */
  min?: number;
  /** ...and take spare width up to this. */
  max?: number;
  right?: boolean;
  cell: (t: Track, nowMs: number) => string;
}

const num = (v: number | undefined, digits = 0, unit = ''): string => (v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(digits)}${unit}`);
const known = (v: number, unknown: number): number | undefined => (v === unknown ? undefined : v);

const REQUIRED = 1000;
const EMERGENCY_STATUS = 3;
const isEmergency = (t: Track): boolean => t.flags.includes('emergency') || t.location?.status === EMERGENCY_STATUS;
/** Not authorised, and the drone or its operator is in a zone. */
const isIntruder = (t: Track): boolean => !t.authorised && (t.zones.length > 0 || t.operatorZones.length > 0);
/** What the table marks (the "!" column, the "+N more" count): flags, or an intrusion. */
const isMarked = (t: Track): boolean => t.flags.length > 0 || isIntruder(t);

/** The FLAGS column's words for zones and authorisation (empty without zones and allow-list). */
function zoneWords(t: Track): string {
  const words: string[] = [];
  for (const z of t.zones) words.push(`in:${z}`);
  for (const z of t.operatorZones) words.push(`op-in:${z}`);
  if (t.authorised) words.push('AUTHORISED');
  return words.join(' ');
}

/** The FLAGS column's word for the DRIP verdict: verified, or sent but unverified (forged is a flag). */
function dripWord(t: Track): string {
  const d = t.drip;
  if (!d || d.state === 'forged') return '';
  if (d.state === 'verified') return 'DRIP-OK';
  return d.evidence.links + d.evidence.signed > 0 ? 'DRIP?' : '';
}

/**
 * The FLAGS column's words for the flags: the spoofing flags first, after "SPOOF", each with its evidence in
 * short ("SPOOF impossible-motion(5000m/s) id-cycling(4IDs)"; spoofing-suspect is that word), then the others.
 */
function flagWords(t: Track): string {
  if (t.flags.length === 0) return '';
  const spoof: string[] = [];
  const other: string[] = [];
  for (const f of t.flags) {
    if (f === 'spoofing-suspect') continue;
    if (!isSpoofFlag(f)) other.push(f);
    else {
      const e = t.spoofing.find((x) => x.flag === f);
      spoof.push(e ? `${f}(${evidenceBrief(e)})` : f);
    }
  }
  return [...(spoof.length ? ['SPOOF', ...spoof] : []), ...other].join(' ');
}

/** In display order. The marker column shows that a track has flags even when FLAGS itself is cut. */
const COLUMNS: Column[] = [
  { title: '!', width: 1, priority: REQUIRED + 3, cell: (t) => (t.flags.length ? '!' : isIntruder(t) ? 'Z' : t.authorised ? 'A' : '') },
  { title: 'DRONE ID', width: 22, min: 20, max: 40, priority: REQUIRED + 2, cell: (t) => t.uasId ?? `(${[...t.addresses][0] ?? '?'})` },
  { title: 'TYPE', width: 10, priority: 20, cell: (t) => (t.uaType === undefined ? '-' : UA_SHORT[t.uaType] ?? String(t.uaType)) },
  { title: 'STATUS', width: 11, priority: REQUIRED + 1, cell: (t) => (t.location ? STATUS[t.location.status] ?? `status ${t.location.status}` : t.dji ? 'DJI' : '-') },
  { title: 'POSITION', width: 22, priority: 50, cell: (t) => (t.position ? `${t.position.lat.toFixed(5)},${t.position.lon.toFixed(5)}` : '-') },
  {
    title: 'ALT/HGT m',
    width: 11,
    priority: 45,
    right: true,
    cell: (t) => {
      const l = t.location;
      if (!l) return num(t.position?.alt);
      return `${num(known(l.altitudeGeo, ALTITUDE_UNKNOWN) ?? known(l.altitudeBaro, ALTITUDE_UNKNOWN))}/${num(known(l.height, ALTITUDE_UNKNOWN))}`;
    },
  },
  {
    title: 'SPD/TRK',
    width: 10,
    priority: 30,
    right: true,
    cell: (t) => {
      const l = t.location;
      const speed = l ? known(l.speedHorizontal, SPEED_HORIZONTAL_FIELD.unknown) : t.position?.speed;
      const course = l ? known(l.direction, DIRECTION_FIELD.unknown) : t.position?.course;
      return `${num(speed, 1)}/${num(course)}`;
    },
  },
  { title: 'DIST/BRG', width: 11, priority: 60, right: true, cell: (t) => (t.distance === undefined ? '-' : `${fmtDist(t.distance)}/${num(t.bearing)}`) },
  { title: 'OP DIST', width: 8, priority: 10, right: true, cell: (t) => (t.operatorDistance === undefined ? '-' : fmtDist(t.operatorDistance)) },
  { title: 'RSSI', width: 5, priority: 25, right: true, cell: (t) => num(bestRssi(t)) },
  { title: 'TRANSPORTS', width: 20, priority: 15, cell: (t) => [...t.transports].map(shortTransport).join(',') },
  { title: 'AGE', width: 5, priority: 40, right: true, cell: (t, now) => `${Math.max(0, Math.round((now - t.lastSeen) / 1000))}s` },
  {
    title: 'FLAGS',
    width: 30,
    min: 5,
    max: 60,
    priority: REQUIRED,
    cell: (t) => {
      const zones = zoneWords(t);
      const drip = dripWord(t);
      return (t.state === 'active' ? '' : `${t.state.toUpperCase()} `) + (zones ? `${zones} ` : '') + (drip ? `${drip} ` : '') + flagWords(t);
    },
  },
];

interface Placed {
  col: Column;
  width: number;
}

const lineWidth = (cols: readonly Placed[]): number => cols.reduce((n, c) => n + c.width, 0) + Math.max(0, cols.length - 1);

/**
 * The columns that fit `width`, and their widths: optional columns dropped (lowest priority first), then
 * the flexible ones shrunk (FLAGS before DRONE ID), then required ones dropped; spare width widens FLAGS,
 * then DRONE ID. The marker and the ID always stay (FLAGS goes before STATUS); a width too small even for
 * them has the ID cut to fit.
 */
function layout(width: number): Placed[] {
  let placed: Placed[] = COLUMNS.map((col) => ({ col, width: col.width }));
  const dropFrom = (below: number): void => {
    for (const col of [...COLUMNS].sort((a, b) => a.priority - b.priority)) {
      if (lineWidth(placed) <= width || col.priority >= below) break;
      placed = placed.filter((p) => p.col !== col);
    }
  };
  const flexible = (title: string): Placed | undefined => placed.find((p) => p.col.title === title);
  const shrink = (): void => {
    for (const p of [flexible('FLAGS'), flexible('DRONE ID')]) {
      const over = lineWidth(placed) - width;
      if (p && over > 0) p.width = Math.max(p.col.min ?? p.width, p.width - over);
    }
  };
  dropFrom(REQUIRED);
  shrink();
  dropFrom(REQUIRED + 2);
  shrink();
  const id = flexible('DRONE ID');
  if (id && lineWidth(placed) > width) id.width = Math.max(1, id.width - (lineWidth(placed) - width));
  for (const p of [flexible('FLAGS'), id]) {
    const spare = width - lineWidth(placed);
    if (p && spare > 0 && p.col.max) p.width = Math.min(p.col.max, p.width + spare);
  }
  return placed;
}

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

/** A cell's text, escaped, cut to `width` code points and padded to it. */
const fit = (s: string, width: number, right?: boolean): string => {
  const cut = displayText(s, { max: width, counted: false });
  const pad = width - codePoints(cut);
  return pad <= 0 ? cut : right ? ' '.repeat(pad) + cut : cut + ' '.repeat(pad);
};

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** SGR colours the table itself writes (only with `color`). */
const SGR = { reset: '\x1b[0m', emergency: '\x1b[1;97;41m', flagged: '\x1b[1;33m' } as const;

export interface RenderOptions {
  nowMs: number;
  sort?: SortKey;
  /** Terminal width: no line is longer. Columns are dropped by priority as it shrinks. Default 200. */
  width?: number;
  /** Terminal rows the table may use: no more lines than this; rows that do not fit become a "+N more" line. */
  height?: number;
  title?: string;
  /** Colour (SGR) an emergency row and the flag marker: only for a terminal that shows colours. */
  color?: boolean;
}

export function renderTable(tracks: readonly Track[], opts: RenderOptions): string {
  const width = Math.max(1, opts.width ?? 200);
  const height = opts.height === undefined ? Infinity : Math.max(1, opts.height);
  const placed = layout(width);
  const sorted = [...tracks].sort(compare(opts.sort ?? 'distance'));
  const line = (text: string): string => displayText(text, { max: width, counted: false }).trimEnd();

  const time = new Date(opts.nowMs).toISOString().replace('T', ' ').slice(0, 19);
  const fullTitle = `${sorted.length} aircraft   ${time} UTC   sorted by ${opts.sort ?? 'distance'}`;
  const title = opts.title ?? (fullTitle.length <= width ? fullTitle : `${sorted.length} aircraft  ${time.slice(11)} UTC`);
  const showTitle = height >= 4;
  const showHeader = height >= 2;
  const lines: string[] = [];
  if (showTitle) lines.push(line(title));
  if (showHeader) lines.push(line(placed.map((p) => fit(p.col.title, p.width, p.col.right)).join(' ')));

  // Rows that do not fit: emergencies are kept first, the rest in sort order; the shown rows keep their order.
  const budget = height - lines.length;
  let shown = sorted;
  let hidden: Track[] = [];
  if (sorted.length > budget) {
    const keep = new Set<Track>();
    for (const t of sorted) if (keep.size < budget - 1 && isEmergency(t)) keep.add(t);
    for (const t of sorted) if (keep.size < budget - 1 && isIntruder(t)) keep.add(t);
    for (const t of sorted) if (keep.size < budget - 1) keep.add(t);
    shown = sorted.filter((t) => keep.has(t));
    hidden = sorted.filter((t) => !keep.has(t));
  }
  for (const t of shown) {
    const cells = placed.map((p) => fit(p.col.cell(t, opts.nowMs), p.width, p.col.right));
    let row = cells.join(' ').trimEnd();
    if (opts.color && isEmergency(t)) row = SGR.emergency + row + SGR.reset;
    else if (opts.color && isMarked(t) && placed[0]?.col === COLUMNS[0]) row = SGR.flagged + row.slice(0, 1) + SGR.reset + row.slice(1);
    lines.push(row);
  }
  if (hidden.length) {
    const flagged = hidden.filter(isMarked).length;
    lines.push(line(`+${hidden.length} more${flagged ? ` (${flagged} flagged)` : ''}`));
  }
  if (sorted.length === 0 && lines.length < height) lines.push(line('  (no Remote ID heard yet)'));
  return lines.join('\n') + '\n';
}

/** Which alerts the live table shows first: the most serious, then the latest. */
const ALERT_RANK: Record<TrackAlertKind, number> = { emergency: 3, zone: 2, flag: 1, 'new-drone': 0 };
/** Alerts remembered for the footer. */
const ALERTS_KEPT = 50;

interface ShownAlert {
  /** Tracker time, ms. */
  at: number;
  kind: TrackAlertKind;
  line: string;
}

export interface LiveTableOptions {
  sort?: SortKey;
  intervalMs?: number;
  /** Lines under the table (counters, ...): cut to the width, and dropped before the table's rows go. */
  footer?: () => string;
  color?: boolean;
  /** How long an alert given to write() stays under the table, ms of the tracker's clock (default 60000). */
  alertShowMs?: number;
  /** Alert lines at most (default 1): the most serious first (emergency, zone, flag, new drone), then the latest. */
  alertLines?: number;
}

/**
 * Redraws the table in place on a terminal, at most every `intervalMs`. Given the tracker's updates
 * (write(), as any track output) it shows their latest alerts under the table, one line each:
 * "ALERT 10:00:01 1581F5FJD228400X0S2K: entered zone Stadium (+2 more)".
 */
export class LiveTable {
  private last = 0;
  private drawnLines = 0;
  private drawnSize = '';
  private readonly alerts: ShownAlert[] = [];

  constructor(
    private readonly out: Writable & { columns?: number; rows?: number },
    private readonly opts: LiveTableOptions = {},
  ) {}

  /** Takes a track update; only its alerts are kept (shown at the next redraw). Cheap for every update. */
  write(update: TrackUpdate): void {
    if (!update.alerts?.length) return;
    const t = update.track;
    const time = new Date(update.at).toISOString().slice(11, 19);
    for (const a of update.alerts) {
      this.alerts.push({ at: update.at, kind: a.kind, line: `ALERT ${time} ${t.uasId ?? t.key}: ${a.text}${t.authorised ? ' (authorised)' : ''}` });
    }
    if (this.alerts.length > ALERTS_KEPT) this.alerts.splice(0, this.alerts.length - ALERTS_KEPT);
  }

  /** Nothing to release: the table is drawn by update(). For the TrackOutput shape. */
  async close(): Promise<void> {}

  /** The alert lines to show at `nowMs` (tracker clock). */
  private alertLines(nowMs: number): { line: string; kind: TrackAlertKind }[] {
    const max = this.opts.alertLines ?? 1;
    const showMs = this.opts.alertShowMs ?? 60_000;
    const recent = this.alerts.filter((a) => nowMs - a.at <= showMs && a.at - nowMs <= showMs);
    if (max <= 0 || recent.length === 0) return [];
    const chosen = recent
      .map((a, i) => ({ a, i }))
      .sort((x, y) => ALERT_RANK[y.a.kind] - ALERT_RANK[x.a.kind] || y.i - x.i)
      .slice(0, max)
      .map(({ a }) => a);
    const rest = recent.length - chosen.length;
    return chosen.map((a, k) => ({ kind: a.kind, line: k === chosen.length - 1 && rest > 0 ? `${a.line} (+${rest} more)` : a.line }));
  }

  update(tracks: readonly Track[], nowMs: number, force = false): void {
    const wall = Date.now();
    if (!force && wall - this.last < (this.opts.intervalMs ?? 250)) return;
    this.last = wall;
    // One column and one row to spare: a line as wide as the terminal, or a newline on its last row,
    // would make some terminals wrap or scroll, and the next redraw would start in the wrong place.
    const width = this.out.columns ? Math.max(1, this.out.columns - 1) : undefined;
    const rows = this.out.rows ? Math.max(1, this.out.rows - 1) : undefined;
    const fitLine = (l: string): string => displayText(l, { max: width ?? 200, counted: false });
    // Alerts first: when rows are short, the counters' lines go before them.
    const alerts = this.alertLines(nowMs).map(({ line, kind }) => {
      const fitted = fitLine(line);
      return this.opts.color ? (kind === 'emergency' ? SGR.emergency : SGR.flagged) + fitted + SGR.reset : fitted;
    });
    const footer = [
      ...alerts,
      ...(this.opts.footer?.() ?? '')
        .split('\n')
        .filter((l) => l !== '')
        .map(fitLine),
    ];
    const height = rows === undefined ? undefined : Math.max(1, rows - footer.length);
    const text = renderTable(tracks, { nowMs, sort: this.opts.sort, width, height, color: this.opts.color }) + footer.slice(0, Math.max(0, (rows ?? Infinity) - 1)).map((l) => l + '\n').join('');
    // Move up over the previous drawing and clear it, then draw: no flicker, no scrolling. After a resize
    // the old drawing may have been reflowed, so the screen is cleared instead.
    const size = `${this.out.columns}x${this.out.rows}`;
    const up = this.drawnLines === 0 ? '' : size !== this.drawnSize ? '\x1b[H\x1b[2J' : `\x1b[${this.drawnLines}F\x1b[J`;
    this.out.write(up + text);
    this.drawnLines = text.split('\n').length - 1;
    this.drawnSize = size;
  }
}
