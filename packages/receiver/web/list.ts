/**
 * The list of tracks: sorted by distance, ID or last heard; filtered by text (IDs, operator, self-ID,
 * addresses, flags) and by state. On a phone it is the bottom sheet (collapsible), on a desktop the side
 * panel. Rows are rebuilt from text nodes only.
 */

import { agoText, air, distanceText } from './format.js';
import { h, stored } from './dom.js';
import { STATUS_COLOR, filterTracks, labelOf, sortTracks, statusOf, type SortKey, type StateFilter } from './model.js';
import type { PageTrack } from './store.js';

/** Rows drawn at most (a phone redrawing thousands twice a second would stutter); the rest are counted. */
const MAX_ROWS = 300;

export interface ListOptions {
  onSelect: (key: string) => void;
  /** The clock the "heard … ago" column counts from (seconds, frames' clock). */
  now: () => number;
}

export class TrackList {
  readonly root: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly count: HTMLElement;
  private readonly text: HTMLInputElement;
  private readonly state: HTMLSelectElement;
  private readonly sort: HTMLSelectElement;
  private tracks: PageTrack[] = [];
  private selected: string | undefined;
  private alerted = new Set<string>();

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
    this.rows = h('ol', { class: 'rows', id: 'track-rows', 'aria-label': 'Drones' });
    this.root = h('div', { class: 'list' }, h('div', { class: 'list-tools' }, this.text, this.state, this.sort), this.rows);
    for (const el of [this.text, this.state, this.sort]) el.addEventListener('input', () => this.redraw());
    this.sort.addEventListener('change', () => stored.set('odid.sort', this.sort.value));
  }

  /** The "N drones" text, placed by the caller in the sheet's header. */
  get countEl(): HTMLElement {
    return this.count;
  }

  update(tracks: Iterable<PageTrack>, selected: string | undefined, alerted: Set<string>): void {
    this.tracks = [...tracks];
    this.selected = selected;
    this.alerted = alerted;
    this.redraw();
  }

  /** Only the "heard … ago" cells: once a second. */
  tick(): void {
    const now = this.opts.now();
    for (const cell of this.rows.querySelectorAll<HTMLElement>('[data-last-seen]')) {
      cell.textContent = agoText(now - Number(cell.dataset.lastSeen));
    }
  }

  private redraw(): void {
    const shown = sortTracks(filterTracks(this.tracks, this.text.value, this.state.value as StateFilter), this.sort.value as SortKey);
    const total = this.tracks.length;
    const flagged = this.tracks.filter((t) => t.flags.length > 0).length;
    this.count.textContent = `${total} drone${total === 1 ? '' : 's'}${flagged ? `, ${flagged} flagged` : ''}${shown.length !== total ? ` (${shown.length} shown)` : ''}`;
    const now = this.opts.now();
    const rows = shown.slice(0, MAX_ROWS).map((t) => this.row(t, now));
    if (shown.length > MAX_ROWS) rows.push(h('li', { class: 'row-more muted' }, `+${shown.length - MAX_ROWS} more: filter or sort to find them`));
    this.rows.replaceChildren(...rows);
  }

  private row(t: PageTrack, now: number): HTMLElement {
    const status = statusOf(t);
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = STATUS_COLOR[status];
    const flags = t.flags.length ? h('span', { class: 'row-flags' }, t.flags.join(', ')) : null;
    const inZones = [t.zones?.length ? `in ${t.zones.map((z) => air(z, 30)).join(', ')}` : '', t.operatorZones?.length ? `operator in ${t.operatorZones.map((z) => air(z, 30)).join(', ')}` : ''].filter(Boolean);
    const zones = inZones.length ? h('span', { class: 'row-zones' }, inZones.join('; ')) : null;
    const li = h(
      'li',
      {
        class: `row st-${t.state} status-${status}${t.key === this.selected ? ' selected' : ''}${this.alerted.has(t.key) ? ' alerted' : ''}`,
        'data-key': t.key,
        tabindex: 0,
        role: 'button',
      },
      swatch,
      h(
        'span',
        { class: 'row-main' },
        h('span', { class: 'row-id' }, air(labelOf(t), 40)),
        h('span', { class: 'row-sub' }, [air(t.selfId, 40), t.operatorId ? `op ${air(t.operatorId, 24)}` : ''].filter((x) => x && x !== '—').join(' · ') || t.key),
        flags,
        zones,
      ),
      h(
        'span',
        { class: 'row-side' },
        h('span', { class: 'row-dist' }, distanceText(t.distance)),
        h('span', { class: 'row-state' }, t.state),
        h('span', { class: 'row-heard', 'data-last-seen': t.lastSeen }, agoText(now - t.lastSeen)),
      ),
    );
    li.addEventListener('click', () => this.opts.onSelect(t.key));
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.opts.onSelect(t.key);
      }
    });
    return li;
  }
}
