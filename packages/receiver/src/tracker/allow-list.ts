/**
 * Allow-lists: the drones and operators that are expected (a film crew's drones over the stadium, the
 * police's own), each optionally for a time window. The tracker marks a track `authorised` when an entry
 * matches it at the tracker's time (the frames' clock: a replay is judged at the time it was captured).
 *
 * An entry gives a UAS ID, an operator ID, or both, and optionally `from` / `until`:
 * - `uasId` matches any ID of the track: its shown `uasId` and every identity it holds (each Basic ID —
 *   serial, CAA registration, UTM UUID, session ID, binary ones as hex — the DJI serial, the French ID);
 * - `operatorId` matches the track's Operator ID text;
 * - an entry with both matches only a track that has both (this drone, flown by this operator);
 * - IDs are compared exactly (case matters: EU operator IDs hold lower-case letters), except that IDs
 *   written in hexadecimal also match in lower case, as the tracker writes binary IDs;
 * - `from` / `until` are ISO 8601 times with a time zone (`2025-06-01T14:00:00Z`, `2025-06-01T16:00+02:00`),
 *   or dates (`2025-06-01`: from the start of that day UTC / until its end); the entry holds from `from`
 *   (inclusive) to `until` (exclusive); either may be left out.
 *
 * Files: JSON, `[{ "uasId": "...", "operatorId": "...", "from": "...", "until": "...", "note": "..." }]`
 * (every key optional but at least one ID; null or "" is the same as absent), or CSV with a header line
 * naming its columns (`uasId,operatorId,from,until,note`, any order, any case, at least one ID column):
 * cells may be empty or quoted ("a, b" and "say ""hi"""), blank lines and lines starting with # are skipped.
 */

import { CONFIG_MAX_BYTES, FileTooLargeError, readFileBoundedSync, ToolkitError } from '@odid/commands';
import { parseJsonText } from './json-text.js';
import type { Track } from './types.js';

export interface AllowEntry {
  uasId?: string;
  operatorId?: string;
  /** ms since the Unix epoch: the entry holds from this time on (inclusive). */
  from?: number;
  /** ms since the Unix epoch: the entry holds until just before this time (exclusive). */
  until?: number;
  note?: string;
}

export type AllowListFormat = 'json' | 'csv';

export type AllowListErrorCode = 'unreadable' | 'too-large' | 'not-json' | 'invalid';

/** An allow-list that cannot be used; the message names the source and the entry (JSON) or line (CSV). */
export class AllowListError extends ToolkitError {
  override readonly name = 'AllowListError';
  declare readonly code: AllowListErrorCode;
  constructor(code: AllowListErrorCode, source: string, reason: string) {
    super(code, reason, { subject: source });
  }
}

const COLUMNS = ['uasId', 'operatorId', 'from', 'until', 'note'] as const;
type ColumnName = (typeof COLUMNS)[number];
const ID_MAX = 64;
const NOTE_MAX = 200;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const HEX = /^[0-9a-fA-F]+$/;

// ---- times ----

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
const DAY_MS = 86_400_000;

/**
 * An ISO 8601 time with a time zone, or a date (`end`: a date means the end of that day, UTC), as ms since
 * the epoch; a string saying what is wrong otherwise.
 */
export function parseIsoTime(text: string, end = false): number | string {
  const m = ISO.exec(text);
  const expected = 'expected an ISO 8601 time with a time zone (2025-06-01T14:00:00Z, 2025-06-01T16:00+02:00) or a date (2025-06-01)';
  if (!m) return expected;
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) return `month ${mo} does not exist`;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return `day ${d} does not exist in ${y}-${mo}`;
  const midnight = Date.UTC(year, month - 1, day);
  if (h === undefined) return end ? midnight + DAY_MS : midnight;
  if (z === undefined && sign === undefined) return 'a time needs a time zone: add Z (UTC) or an offset such as +02:00';
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return `${h}:${mi}${s === undefined ? '' : `:${s}`} is not a time of day`;
  let offset = 0;
  if (sign !== undefined) {
    const offH = Number(oh);
    const offM = om === undefined ? 0 : Number(om);
    if (offH > 23 || offM > 59) return `offset ${sign}${oh}${om === undefined ? '' : `:${om}`} is not a time zone offset`;
    offset = (sign === '-' ? -1 : 1) * (offH * 60 + offM) * 60_000;
  }
  const ms = frac === undefined ? 0 : Math.round(Number(`0.${frac}`) * 1000);
  return midnight + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offset;
}

// ---- entries ----

type RawEntry = Partial<Record<ColumnName, string>>;

/** Builds one entry from its cells (already trimmed; "" = absent); `fail` says where. */
function entryOf(raw: RawEntry, fail: (what: string) => never): AllowEntry {
  const entry: AllowEntry = {};
  for (const key of ['uasId', 'operatorId'] as const) {
    const v = raw[key];
    if (v === undefined || v === '') continue;
    if ([...v].length > ID_MAX) fail(`${key} is longer than ${ID_MAX} characters`);
    if (CONTROL.test(v)) fail(`${key} holds a control character`);
    entry[key] = v;
  }
  if (entry.uasId === undefined && entry.operatorId === undefined) fail('needs a uasId or an operatorId (or both)');
  for (const key of ['from', 'until'] as const) {
    const v = raw[key];
    if (v === undefined || v === '') continue;
    const t = parseIsoTime(v, key === 'until');
    if (typeof t === 'string') fail(`${key} "${v.slice(0, 40)}": ${t}`);
    entry[key] = t as number;
  }
  if (entry.from !== undefined && entry.until !== undefined && entry.until <= entry.from) fail(`until (${raw.until}) is not after from (${raw.from})`);
  // A note may span lines in a spreadsheet cell: one line here.
  const note = raw.note?.replace(/[\r\n\t]+/g, ' ').trim();
  if (note !== undefined && note !== '') {
    if ([...note].length > NOTE_MAX) fail(`note is longer than ${NOTE_MAX} characters`);
    if (CONTROL.test(note)) fail('note holds a control character');
    entry.note = note;
  }
  return entry;
}

/**
 * Parses an allow-list's text. `source` names it in errors: `allow.json: entry 2: from "2025-13-01": month
 * 13 does not exist` (entries counted from 0, as in `[2]`), `allow.csv: line 4: ...` (lines from 1).
 */
export function parseAllowList(text: string, source: string, format: AllowListFormat): AllowEntry[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return format === 'json' ? parseJsonList(body, source) : parseCsvList(body, source);
}

function parseJsonList(text: string, source: string): AllowEntry[] {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new AllowListError('not-json', source, `not valid JSON: line ${parsed.line}, column ${parsed.column}: ${parsed.problem}`);
  const list = parsed.value;
  if (!Array.isArray(list)) throw new AllowListError('invalid', source, `expected an array of entries ([{ "uasId": "...", "operatorId": "...", "from": "...", "until": "..." }])`);
  return list.map((item: unknown, i) => {
    const fail = (what: string): never => {
      throw new AllowListError('invalid', source, `entry ${i}: ${what}`);
    };
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return fail(`expected an object with a uasId or an operatorId, got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}`);
    const raw: RawEntry = {};
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      if (!(COLUMNS as readonly string[]).includes(key)) fail(`unknown key "${key.slice(0, 40)}"; expected ${COLUMNS.join(', ')}`);
      if (value === null) continue;
      if (typeof value !== 'string') fail(`${key} must be a string, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      raw[key as ColumnName] = (value as string).trim();
    }
    return entryOf(raw, fail);
  });
}

/** RFC 4180 records: cells, and the line each record starts on (a quoted cell may span lines). */
function csvRecords(text: string, source: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    // A comment line: skipped whole.
    if (text[i] === '#') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
    } else {
      const cells: string[] = [];
      let cell = '';
      for (;;) {
        let j = i;
        while (text[j] === ' ' || text[j] === '\t') j++;
        if (text[j] === '"') {
          // A quoted cell: up to the closing quote, "" for a quote.
          i = j + 1;
          for (;;) {
            if (i >= n) throw new AllowListError('invalid', source, `line ${start}: a quoted cell is not closed (no ending ")`);
            const c = text[i]!;
            if (c === '"') {
              if (text[i + 1] === '"') {
                cell += '"';
                i += 2;
                continue;
              }
              i++;
              break;
            }
            if (c === '\n') line++;
            cell += c;
            i++;
          }
          while (text[i] === ' ' || text[i] === '\t') i++;
          if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
            throw new AllowListError('invalid', source, `line ${line}: text after a closing quote; a quote inside a quoted cell is written ""`);
          }
        } else {
          while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') cell += text[i++];
        }
        cells.push(cell);
        cell = '';
        if (text[i] === ',') {
          i++;
          continue;
        }
        break;
      }
      if (!(cells.length === 1 && cells[0]!.trim() === '')) records.push({ line: start, cells: cells.map((c) => c.trim()) });
    }
    // The end of the record's line: \n, \r\n or \r.
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
  }
  return records;
}

function parseCsvList(text: string, source: string): AllowEntry[] {
  const records = csvRecords(text, source);
  const header = records.shift();
  if (!header) throw new AllowListError('invalid', source, `empty; the first line must be the header uasId,operatorId,from,until,note`);
  const columns = header.cells.map((name) => {
    const column = COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase());
    if (!column) {
      throw new AllowListError(
        'invalid',
        source,
        `line ${header.line}: ${name === '' ? 'an empty column name' : `unknown column "${name.slice(0, 40)}"`}; the first line must be a header naming the columns: ${COLUMNS.join(',')}`,
      );
    }
    return column;
  });
  const twice = columns.find((c, k) => columns.indexOf(c) !== k);
  if (twice) throw new AllowListError('invalid', source, `line ${header.line}: column ${twice} is named twice`);
  if (!columns.includes('uasId') && !columns.includes('operatorId')) throw new AllowListError('invalid', source, `line ${header.line}: the header needs a uasId or an operatorId column`);
  return records.map(({ line, cells }) => {
    const fail = (what: string): never => {
      throw new AllowListError('invalid', source, `line ${line}: ${what}`);
    };
    if (cells.length > columns.length) fail(`${cells.length} cells, but the header names ${columns.length} columns (quote a cell that holds a comma)`);
    const raw: RawEntry = {};
    cells.forEach((c, k) => (raw[columns[k]!] = c));
    return entryOf(raw, fail);
  });
}

/**
 * Reads an allow-list file (at most 1 MiB). The format is the extension's (.json, .csv), else the content's
 * (JSON when it starts with "["). Every problem is one AllowListError line naming the file.
 */
export function loadAllowListFile(path: string, format?: AllowListFormat): AllowEntry[] {
  let text: string;
  try {
    text = readFileBoundedSync(path, { maxBytes: CONFIG_MAX_BYTES, hint: 'allow-lists are a few kilobytes' }).toString('utf8');
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new AllowListError('too-large', path, e.message);
    throw new AllowListError('unreadable', path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const ext = /\.(json|csv)$/i.exec(path)?.[1]?.toLowerCase() as AllowListFormat | undefined;
  const sniffed: AllowListFormat = /^\ufeff?\s*\[/.test(text) ? 'json' : 'csv';
  return parseAllowList(text, path, format ?? ext ?? sniffed);
}

// ---- matching ----

interface Indexed {
  entry: AllowEntry;
  order: number;
}

/** Entries indexed by ID: what the tracker asks on every message of a track. */
export class AllowList {
  private readonly byUasId = new Map<string, Indexed[]>();
  private readonly byOperatorId = new Map<string, Indexed[]>();
  /** Every from/until, ascending: the times at which some entry starts or stops holding. */
  private readonly boundaries: number[];

  constructor(readonly entries: readonly AllowEntry[]) {
    const add = (map: Map<string, Indexed[]>, key: string, item: Indexed): void => {
      const list = map.get(key);
      if (!list) map.set(key, [item]);
      else if (!list.includes(item)) list.push(item);
    };
    entries.forEach((entry, order) => {
      const item = { entry, order };
      if (entry.uasId !== undefined) {
        add(this.byUasId, entry.uasId, item);
        if (HEX.test(entry.uasId)) add(this.byUasId, entry.uasId.toLowerCase(), item);
      } else if (entry.operatorId !== undefined) add(this.byOperatorId, entry.operatorId, item);
    });
    const times = new Set<number>();
    for (const e of entries) {
      if (e.from !== undefined) times.add(e.from);
      if (e.until !== undefined) times.add(e.until);
    }
    this.boundaries = [...times].sort((a, b) => a - b);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The first entry (in file order) that authorises the track at `nowMs`, if any. */
  match(track: Track, nowMs: number): AllowEntry | undefined {
    let best: Indexed | undefined;
    const operatorId = track.operatorId?.operatorId;
    const consider = (list: Indexed[] | undefined): void => {
      if (!list) return;
      for (const item of list) {
        if (best && best.order <= item.order) continue;
        const e = item.entry;
        if (e.from !== undefined && nowMs < e.from) continue;
        if (e.until !== undefined && nowMs >= e.until) continue;
        if (e.operatorId !== undefined && e.operatorId !== operatorId) continue;
        if (e.uasId !== undefined && !hasId(track, e.uasId)) continue;
        best = item;
      }
    };
    if (track.uasId !== undefined) consider(this.byUasId.get(track.uasId));
    for (const id of track.identities.values()) consider(this.byUasId.get(id));
    for (const b of track.basicIds.values()) {
      consider(this.byUasId.get(b.uasId));
      if (b.uasIdHex !== undefined) consider(this.byUasId.get(b.uasIdHex));
    }
    if (operatorId !== undefined) consider(this.byOperatorId.get(operatorId));
    return best?.entry;
  }

  /** The first time after `nowMs` at which some entry starts or stops holding (Infinity: none). */
  nextChangeAfter(nowMs: number): number {
    for (const t of this.boundaries) if (t > nowMs) return t;
    return Infinity;
  }
}

/** Whether the track holds this UAS ID (in any of its forms; hex also in lower case). */
function hasId(track: Track, id: string): boolean {
  const lower = HEX.test(id) ? id.toLowerCase() : id;
  const is = (v: string | undefined): boolean => v !== undefined && (v === id || v === lower);
  if (is(track.uasId)) return true;
  for (const v of track.identities.values()) if (is(v)) return true;
  for (const b of track.basicIds.values()) if (is(b.uasId) || is(b.uasIdHex)) return true;
  return false;
}
