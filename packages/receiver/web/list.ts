/**
 * The list of tracks: sorted by distance, ID or last heard; filtered by text (IDs, operator, self-ID,
 * addresses, flags) and by state. On a phone it is the bottom sheet (collapsible), on a desktop the side
 * panel. Text is always inserted as text.
 *
 * Built for a thousand tracks changing twice a second: each row is made once per track and kept (one
 * listener on the list for them all); the list is brought up to date in one pass at most every
 * ORDER_EVERY_MS — at once when the filter, the sort or the selection changes —, in which a row is written
 * only if its track changed, a cell only if its text did, and rows are moved only when out of place. So the
 * browser lays the list out at most twice a second, whatever the map does (not at all while another view
 * hides it). Nothing here reads layout.
 */

import { agoText, air, distanceText } from './format.js';
import { h, stored } from './dom.js';
import { STATUS_COLOR, filterTracks, labelOf, sortTracks, statusOf, type SortKey, type StateFilter } from './model.js';
import type { TrackSummary } from './store.js';

/** Rows shown at most (a phone with thousands of rows would stutter); the rest are counted. */
const MAX_ROWS = 300;
/** The list is brought up to date at most this often (ms): rows that jumped about on every update could not be tapped. */
const ORDER_EVERY_MS = 500;

export interface ListOptions {
  onSelect: (key: string) => void;
  /** The clock the "heard … ago" column counts from (seconds, frames' clock). */
  now: () => number;
}

/** A track's row, and the texts last written into it. */
interface Row {
  key: string;
  li: HTMLLIElement;
  swatch: HTMLElement;
  id: HTMLElement;
  sub: HTMLElement;
  flags: HTMLElement;
  zones: HTMLElement;
  dist: HTMLElement;
  state: HTMLElement;
  heard: HTMLElement;
  /** The summary it was last written from. */
  track: TrackSummary | undefined;
  lastSeen: number;
  written: Record<'cls' | 'color' | 'id' | 'sub' | 'flags' | 'zones' | 'dist' | 'state' | 'heard', string>;
}

export class TrackList {
  readonly root: HTMLElement;
  private readonly rowsEl: HTMLOListElement;
  private readonly more: HTMLElement;
  private readonly count: HTMLElement;
  private readonly text: HTMLInputElement;
  private readonly state: HTMLSelectElement;
  private readonly sort: HTMLSelectElement;
  private tracks: ReadonlyMap<string, TrackSummary> = new Map();
  private selected: string | undefined;
  private alerted: ReadonlySet<string> = new Set();
  /** Every row made, by key (shown or not), and the rows shown, in order. */
  private readonly rows = new Map<string, Row>();
  private shown: Row[] = [];
  private orderedAt = -Infinity;
  private orderTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: ListOptions) {
    this.count = h('span', { class: 'count', id: 'track-count' }, '0 drones');
    this.text = h('input', { type: 'search', id: 'filter-text', placeholder: 'Filter: ID, operator, text…', 'aria-label': 'Filter by text', autocomplete: 'off', spellcheck: 'false' });
    this.state = h(
      'select',
      { id: 'filter-state', 'aria-label': 'Filter by state' },
      ...(['all', 'active', 'stale', 'lost', 'flagged', 'emergency'] as StateFilter[]).map((v) => h('option', { value: v }, v === 'all' ? 'all states' : v)),
    );
    this.sort = h(
      'select',
      { id: 'sort-key', 'aria-label': 'Sort by' },
      h('option', { value: 'distance' }, 'nearest first'),
      h('option', { value: 'id' }, 'by ID'),
      h('option', { value: 'heard' }, 'last heard first'),
    );
    this.sort.value = (stored.get('odid.sort') as SortKey | null) ?? 'distance';
    this.rowsEl = h('ol', { class: 'rows', id: 'track-rows', 'aria-label': 'Drones' });
    this.more = h('li', { class: 'row-more muted' });
    this.root = h('div', { class: 'list' }, h('div', { class: 'list-tools' }, this.text, this.state, this.sort), this.rowsEl);
    for (const el of [this.text, this.state, this.sort]) el.addEventListener('input', () => this.order());
    this.sort.addEventListener('change', () => stored.set('odid.sort', this.sort.value));
    // One listener for every row.
    const keyOf = (e: Event): string | undefined => (e.target as Element | null)?.closest<HTMLElement>('li[data-key]')?.dataset.key;
    this.rowsEl.addEventListener('click', (e) => {
      const key = keyOf(e);
      if (key !== undefined) this.opts.onSelect(key);
    });
    this.rowsEl.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      const key = keyOf(e);
      if (key === undefined) return;
      e.preventDefault();
      this.opts.onSelect(key);
    });
  }

  /** The "N drones" text, placed by the caller in the sheet's header. */
  get countEl(): HTMLElement {
    return this.count;
  }

  /**
   * The tracks now; `changed`: the keys that changed since the last call ('all': anything may have). A new
   * selection or highlight, or 'all', shows at once; changes of tracks within ORDER_EVERY_MS.
   */
  update(tracks: ReadonlyMap<string, TrackSummary>, changed: ReadonlySet<string> | 'all', selected: string | undefined, alerted: ReadonlySet<string>): void {
    const marks = selected !== this.selected || !sameKeys(alerted, this.alerted);
    this.tracks = tracks;
    this.selected = selected;
    this.alerted = alerted;
    if (changed === 'all' || marks) this.order();
    else if (changed.size > 0) this.orderSoon();
  }

  /** Only the "heard … ago" cells: once a second. */
  tick(): void {
    const now = this.opts.now();
    for (const row of this.shown) set(row, 'heard', row.heard, agoText(now - row.lastSeen));
  }

  private orderSoon(): void {
    if (this.orderTimer) return;
    const wait = Math.max(0, this.orderedAt + ORDER_EVERY_MS - performance.now());
    this.orderTimer = setTimeout(() => this.order(), wait);
  }

  /** Filters, sorts, writes what changed in the rows shown and moves them into their order. */
  private order(): void {
    clearTimeout(this.orderTimer);
    this.orderTimer = undefined;
    this.orderedAt = performance.now();
    const all = [...this.tracks.values()];
    const matching = sortTracks(filterTracks(all, this.text.value, this.state.value as StateFilter), this.sort.value as SortKey);
    const total = all.length;
    let flagged = 0;
    for (const t of all) if (t.flags.length > 0) flagged++;
    const count = `${total} drone${total === 1 ? '' : 's'}${flagged ? `, ${flagged} flagged` : ''}${matching.length !== total ? ` (${matching.length} shown)` : ''}`;
    if (this.count.textContent !== count) this.count.textContent = count;

    const now = this.opts.now();
    const shown: Row[] = [];
    for (const t of matching.slice(0, MAX_ROWS)) {
      let row = this.rows.get(t.key);
      if (!row) this.rows.set(t.key, (row = makeRow(t.key)));
      this.write(row, t, now);
      shown.push(row);
    }
    // Rows of tracks gone are forgotten; those filtered out are kept (they come back with the filter).
    for (const [key, row] of this.rows) {
      if (!this.tracks.has(key)) {
        row.li.remove();
        this.rows.delete(key);
      }
    }
    // Into place: a row is moved only when it is not where it belongs.
    const keep = new Set(shown);
    for (const old of this.shown) if (!keep.has(old)) old.li.remove();
    let at: ChildNode | null = this.rowsEl.firstChild;
    for (const row of shown) {
      if (at === row.li) at = at.nextSibling;
      else this.rowsEl.insertBefore(row.li, at);
    }
    this.shown = shown;
    if (matching.length > MAX_ROWS) {
      const more = `+${matching.length - MAX_ROWS} more: filter or sort to find them`;
      if (this.more.textContent !== more) this.more.textContent = more;
      if (this.more.parentNode !== this.rowsEl || this.more.nextSibling) this.rowsEl.appendChild(this.more);
    } else {
      this.more.remove();
    }
  }

  /** Rewrites the cells of a row whose text changed. */
  private write(row: Row, t: TrackSummary, now: number): void {
    row.lastSeen = t.lastSeen;
    set(row, 'heard', row.heard, agoText(now - t.lastSeen));
    const status = statusOf(t);
    const cls = `row st-${t.state} status-${status}${t.key === this.selected ? ' selected' : ''}${this.alerted.has(t.key) ? ' alerted' : ''}`;
    if (row.written.cls !== cls) {
      row.written.cls = cls;
      row.li.className = cls;
    }
    if (row.track === t) return;
    row.track = t;
    const color = STATUS_COLOR[status];
    if (row.written.color !== color) {
      row.written.color = color;
      row.swatch.style.backgroundColor = color;
    }
    set(row, 'id', row.id, air(labelOf(t), 40));
    set(row, 'sub', row.sub, [air(t.selfId, 40), t.operatorId ? `op ${air(t.operatorId, 24)}` : ''].filter((x) => x && x !== '—').join(' · ') || t.key);
    set(row, 'flags', row.flags, t.flags.join(', '));
    const inZones = [t.zones.length ? `in ${t.zones.map((z) => air(z, 30)).join(', ')}` : '', t.operatorZones.length ? `operator in ${t.operatorZones.map((z) => air(z, 30)).join(', ')}` : ''].filter(Boolean);
    set(row, 'zones', row.zones, inZones.join('; '));
    set(row, 'dist', row.dist, distanceText(t.distance));
    set(row, 'state', row.state, t.state);
  }
}

function makeRow(key: string): Row {
  const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  const id = h('span', { class: 'row-id' });
  const sub = h('span', { class: 'row-sub' });
  const flags = h('span', { class: 'row-flags', hidden: true });
  const zones = h('span', { class: 'row-zones', hidden: true });
  const dist = h('span', { class: 'row-dist' });
  const state = h('span', { class: 'row-state' });
  const heard = h('span', { class: 'row-heard' });
  const li = h('li', { class: 'row', 'data-key': key, tabindex: 0, role: 'button' }, swatch, h('span', { class: 'row-main' }, id, sub, flags, zones), h('span', { class: 'row-side' }, dist, state, heard));
  return { key, li, swatch, id, sub, flags, zones, dist, state, heard, track: undefined, lastSeen: 0, written: { cls: '', color: '', id: '', sub: '', flags: '', zones: '', dist: '', state: '', heard: '' } };
}

/** Writes a cell's text only when it changed; an empty optional cell (flags, zones) is hidden. */
function set(row: Row, field: 'id' | 'sub' | 'flags' | 'zones' | 'dist' | 'state' | 'heard', el: HTMLElement, text: string): void {
  if (row.written[field] === text) return;
  row.written[field] = text;
  el.textContent = text;
  if (field === 'flags' || field === 'zones') el.hidden = text === '';
}

function sameKeys(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}
