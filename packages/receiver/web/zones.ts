/**
 * Zones: those the receiver enforces (hello.zones) drawn with their names, and a new one drawn by clicking
 * its corners on the map, named, then downloaded as GeoJSON (the officer picks where the file goes) or,
 * when the receiver was given a zones file (hello.canSaveZones), saved to it (POST /zones with the token).
 */

import * as L from 'leaflet';
import { postZone } from './api.js';
import { h } from './dom.js';
import { air } from './format.js';

export interface ZoneFeature {
  type: 'Feature';
  properties: { name: string; [k: string]: unknown };
  geometry: { type: 'Polygon'; coordinates: number[][][] };
}

export interface ZoneCollection {
  type: 'FeatureCollection';
  features: ZoneFeature[];
}

export interface ZonesOptions {
  /** Drawing takes over map clicks; the page should not open details meanwhile. */
  onDrawing: (on: boolean) => void;
}

export class Zones {
  readonly root: HTMLElement;
  readonly button: HTMLButtonElement;
  private readonly shown = L.layerGroup();
  private readonly sketch = L.layerGroup();
  private readonly status: HTMLElement;
  private readonly name: HTMLInputElement;
  private readonly save: HTMLButtonElement;
  private readonly download: HTMLButtonElement;
  private readonly finish: HTMLButtonElement;
  private readonly undo: HTMLButtonElement;
  private points: L.LatLng[] = [];
  private drawing = false;
  private closed = false;
  private canSave = false;
  private given: unknown = null;
  /** The zones drawn in this page (downloaded or saved). */
  readonly drawn: ZoneFeature[] = [];

  constructor(
    private readonly map: L.Map,
    private readonly opts: ZonesOptions,
  ) {
    this.shown.addTo(map);
    this.sketch.addTo(map);
    this.button = h('button', { type: 'button', class: 'tool-button', id: 'zones-toggle', 'aria-pressed': 'false' }, 'Zones');
    this.status = h('p', { class: 'zones-status', id: 'zones-status' });
    this.name = h('input', { type: 'text', id: 'zone-name', placeholder: 'Zone name', maxlength: 80, 'aria-label': 'Zone name', autocomplete: 'off' });
    this.undo = h('button', { type: 'button', class: 'small-button', id: 'zone-undo' }, 'Undo point');
    this.finish = h('button', { type: 'button', class: 'small-button', id: 'zone-finish' }, 'Close polygon');
    this.download = h('button', { type: 'button', class: 'small-button', id: 'zone-download' }, 'Download GeoJSON');
    this.save = h('button', { type: 'button', class: 'small-button', id: 'zone-save', hidden: true }, 'Save to receiver');
    const draw = h('button', { type: 'button', class: 'small-button', id: 'zone-draw' }, 'Draw a new zone');
    const cancel = h('button', { type: 'button', class: 'small-button', id: 'zone-cancel' }, 'Discard');
    this.root = h(
      'div',
      { class: 'zones' },
      h('h2', null, 'Zones'),
      h('ul', { class: 'zone-list', id: 'zone-list' }),
      draw,
      h('div', { class: 'zone-tools' }, this.undo, this.finish, cancel),
      this.name,
      h('div', { class: 'zone-tools' }, this.download, this.save),
      this.status,
    );
    draw.addEventListener('click', () => this.startDrawing());
    this.undo.addEventListener('click', () => {
      this.points.pop();
      this.closed = false;
      this.redrawSketch();
    });
    this.finish.addEventListener('click', () => this.closePolygon());
    cancel.addEventListener('click', () => this.reset());
    this.download.addEventListener('click', () => this.downloadZone());
    this.save.addEventListener('click', () => void this.saveZone());
    this.name.addEventListener('input', () => this.redrawSketch());
    map.on('click', (e: L.LeafletMouseEvent) => {
      if (!this.drawing || this.closed) return;
      this.points.push(e.latlng);
      this.redrawSketch();
    });
    this.redrawSketch();
  }

  /** The zones in force, from hello. */
  setGiven(zones: unknown, canSave: boolean): void {
    this.given = zones;
    this.canSave = canSave;
    this.save.hidden = !canSave;
    this.shown.clearLayers();
    const list = this.root.querySelector('#zone-list')!;
    list.replaceChildren();
    for (const f of zoneFeatures(zones)) {
      const name = typeof f.properties?.name === 'string' ? f.properties.name : '(unnamed)';
      const band = [typeof f.properties?.floor === 'number' ? `floor ${f.properties.floor} m` : '', typeof f.properties?.ceiling === 'number' ? `ceiling ${f.properties.ceiling} m` : ''].filter(Boolean).join(', ');
      const layer = L.geoJSON(f as unknown as GeoJSON.GeoJsonObject, { style: () => ({ className: 'zone', color: '#6a1b9a', weight: 2, fillOpacity: 0.08 }), interactive: false } as L.GeoJSONOptions);
      layer.bindTooltip(h('span', null, air(name, 60)), { permanent: true, direction: 'center', className: 'zone-label' });
      this.shown.addLayer(layer);
      list.appendChild(h('li', { 'data-zone': name }, air(name, 60), band ? ` (${band})` : ''));
    }
    if (list.childElementCount === 0) list.appendChild(h('li', { class: 'muted' }, 'no zones given to the receiver'));
  }

  /** Zones shown (given) and drawn here, for the test hook. */
  all(): { given: unknown; drawn: ZoneFeature[] } {
    return { given: this.given, drawn: [...this.drawn] };
  }

  private startDrawing(): void {
    this.reset();
    this.drawing = true;
    this.opts.onDrawing(true);
    this.map.getContainer().classList.add('drawing');
    this.redrawSketch();
  }

  private closePolygon(): void {
    if (this.points.length < 3) return;
    this.closed = true;
    this.redrawSketch();
    this.name.focus();
  }

  private reset(): void {
    this.points = [];
    this.closed = false;
    this.drawing = false;
    this.opts.onDrawing(false);
    this.map.getContainer().classList.remove('drawing');
    this.redrawSketch();
  }

  /** The drawn zone as a GeoJSON Feature (RFC 7946: [lon, lat], first point repeated, counter-clockwise). */
  feature(): ZoneFeature | undefined {
    if (!this.closed || this.points.length < 3) return undefined;
    let ring = this.points.map((p) => [round7(p.lng), round7(p.lat)]);
    if (signedArea(ring) < 0) ring = ring.reverse();
    ring.push([...ring[0]!]);
    return { type: 'Feature', properties: { name: this.name.value.trim() || 'zone' }, geometry: { type: 'Polygon', coordinates: [ring] } };
  }

  private downloadZone(): void {
    const f = this.feature();
    if (!f) return;
    const fc: ZoneCollection = { type: 'FeatureCollection', features: [f] };
    const blob = new Blob([JSON.stringify(fc, null, 2) + '\n'], { type: 'application/geo+json' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `${fileName(f.properties.name)}.geojson`, class: 'visually-hidden' });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.remember(f);
    this.status.textContent = `downloaded ${fileName(f.properties.name)}.geojson`;
  }

  private async saveZone(): Promise<void> {
    const f = this.feature();
    if (!f || !this.canSave) return;
    this.status.textContent = 'saving…';
    try {
      // The receiver's zones file is replaced by what is posted: the zones it has, and this one.
      const all = { type: 'FeatureCollection', features: [...zoneFeatures(this.given), f] };
      const res = await postZone(all);
      const text = (await res.text()).slice(0, 200).trim();
      this.status.textContent = res.ok ? `saved to the receiver's zones file` : `not saved: HTTP ${res.status} ${air(text, 120)}`;
      if (res.ok) {
        this.remember(f);
        this.setGiven(all, this.canSave);
        this.reset();
        this.status.textContent = `saved “${air(f.properties.name, 60)}” to the receiver's zones file`;
      }
    } catch (e) {
      this.status.textContent = `not saved: ${(e as Error).message}`;
    }
  }

  private remember(f: ZoneFeature): void {
    if (!this.drawn.includes(f) && !this.drawn.some((d) => JSON.stringify(d) === JSON.stringify(f))) this.drawn.push(f);
  }

  private redrawSketch(): void {
    this.sketch.clearLayers();
    const n = this.points.length;
    if (n > 0) {
      const shape = this.closed ? L.polygon(this.points, { className: 'zone-sketch', color: '#6a1b9a', weight: 2, dashArray: '6 4', fillOpacity: 0.15 }) : L.polyline(this.points, { className: 'zone-sketch', color: '#6a1b9a', weight: 2, dashArray: '6 4' });
      this.sketch.addLayer(shape);
      for (const p of this.points) this.sketch.addLayer(L.circleMarker(p, { radius: 4, color: '#6a1b9a', weight: 2, fillOpacity: 1, fillColor: '#fff', interactive: false }));
    }
    this.undo.disabled = !this.drawing || n === 0;
    this.finish.disabled = !this.drawing || this.closed || n < 3;
    this.download.disabled = !this.closed;
    this.save.disabled = !this.closed;
    this.name.disabled = !this.closed;
    this.status.textContent = !this.drawing
      ? ''
      : this.closed
        ? 'name the zone, then download it or save it'
        : `click the map to add corners (${n} so far${n >= 3 ? ', then Close polygon' : ''})`;
  }
}

/** The polygon features of a FeatureCollection (anything else is ignored). */
export function zoneFeatures(zones: unknown): { type: string; properties?: Record<string, unknown>; geometry?: unknown }[] {
  if (!zones || typeof zones !== 'object') return [];
  const fc = zones as { type?: unknown; features?: unknown };
  if (fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) return [];
  return fc.features.filter((f): f is { type: string; properties?: Record<string, unknown>; geometry?: unknown } => {
    const g = (f as { geometry?: { type?: unknown } } | null)?.geometry;
    return Boolean(g && (g.type === 'Polygon' || g.type === 'MultiPolygon'));
  });
}

const round7 = (v: number): number => Math.round(v * 1e7) / 1e7;

/** Shoelace area in degrees²: positive for counter-clockwise (lon east, lat north). */
function signedArea(ring: number[][]): number {
  let a = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % ring.length]!;
    a += x1! * y2! - x2! * y1!;
  }
  return a / 2;
}

function fileName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'zone';
}
