/**
 * The map: Leaflet with DOM/SVG markers (no WebGL: old phones and headless browsers draw it), the offline
 * world outline (world.json, Natural Earth) or a local PMTiles basemap, the receiver with its range rings,
 * and per track: the drone rotated to its heading and coloured by status, a fading trail, the operator
 * joined to its drone by a line, and the home point.
 */

import * as L from 'leaflet';
import { basemapUrl, worldUrl } from './api.js';
import { droneIcon, paintHome, paintOperator, receiverIcon, ringLabel, setDroneIcon, type DroneIcon } from './icons.js';
import { STATUS_COLOR, STATUS_COLOR_NAME, headingOf, labelOf, opacityOf, statusOf, type TrackStatus } from './model.js';
import type { TrackSummary, TrailPoint } from './store.js';
import { air } from './format.js';
import { h } from './dom.js';

export const RANGE_RINGS_M = [250, 500, 1000, 2000];
/** Trail drawn in this many pieces, oldest faintest. */
const TRAIL_PIECES = 3;
const TRAIL_OPACITY = [0.2, 0.45, 0.8];
/** Points of the trail drawn (the newest). */
const TRAIL_DRAWN = 150;

export interface MarkerInfo {
  key: string;
  lat: number;
  lon: number;
  color: 'red' | 'orange' | 'green' | 'blue';
  /** Degrees the icon is turned (null: heading unknown, drawn as a dot). */
  rotation: number | null;
  status: TrackStatus;
  state: TrackSummary['state'];
  opacity: number;
  /** 'live' or 'file' (a dropped capture). */
  layer: string;
}

export function createMap(container: HTMLElement): L.Map {
  const map = L.map(container, {
    zoomControl: true,
    attributionControl: true,
    preferCanvas: false,
    worldCopyJump: true,
    minZoom: 2,
    maxZoom: 19,
    zoomSnap: 0.5,
  }).setView([20, 0], 2);
  map.attributionControl.setPrefix('Leaflet');
  const toggleLabels = (): void => void container.classList.toggle('show-labels', map.getZoom() >= 14);
  map.on('zoomend', toggleLabels);
  toggleLabels();
  // The container changes size with the panels: Leaflet must know.
  new ResizeObserver(() => map.invalidateSize({ pan: false })).observe(container);
  return map;
}

/** Zoom from which the 1:50m outlines replace the 1:110m countries. */
const DETAIL_ZOOM = 5;

/**
 * The offline world outline, bundled at build time from Natural Earth: the countries at 1:110m, and from
 * zoom 5 the land and borders at 1:50m (fetched the first time it is needed). SVG, so the theme's CSS
 * colours it.
 */
export async function addWorld(map: L.Map): Promise<void> {
  // A pane of its own under the overlays: the outlines never cover rings, trails or zones.
  const pane = map.createPane('world');
  pane.classList.add('world-pane');
  const renderer = L.svg({ padding: 0.5, pane: 'world' });
  const load = async (url: string): Promise<GeoJSON.GeoJsonObject> => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return (await res.json()) as GeoJSON.GeoJsonObject;
  };
  const layerOf = (data: GeoJSON.GeoJsonObject): L.GeoJSON =>
    L.geoJSON(data, {
      renderer,
      pane: 'world',
      interactive: false,
      style: (f) => (f?.properties?.kind === 'border' ? { className: 'world-border', weight: 1, fill: false } : { className: 'world', weight: 1, fillOpacity: 1 }),
    } as L.GeoJSONOptions);
  const coarse = layerOf(await load(worldUrl()));
  coarse.addTo(map);
  coarse.bringToBack();
  map.attributionControl.addAttribution('Natural Earth');
  let detail: L.GeoJSON | undefined;
  let loading = false;
  const byZoom = (): void => {
    const close = map.getZoom() >= DETAIL_ZOOM;
    if (close && !detail && !loading) {
      loading = true;
      load(worldUrl('50m'))
        .then((data) => {
          detail = layerOf(data);
          byZoom();
        })
        .catch(() => undefined) // the coarse outline stays
        .finally(() => (loading = false));
    }
    if (!detail) return;
    if (close && !map.hasLayer(detail)) {
      detail.addTo(map);
      detail.bringToBack();
      coarse.remove();
    } else if (!close && map.hasLayer(detail)) {
      detail.remove();
      coarse.addTo(map);
      coarse.bringToBack();
    }
  };
  map.on('zoomend', byZoom);
  byZoom();
}

/**
 * A detailed local basemap (rid-scan --basemap FILE.pmtiles): protomaps-leaflet draws its vector tiles,
 * read by byte ranges from the receiver. Loaded (its own chunk) only when the receiver has one.
 */
export async function addBasemap(map: L.Map): Promise<void> {
  // Tiles deeper than the file holds are drawn from its deepest ones (over-zoomed), not asked for.
  const maxZoom = await pmtilesMaxZoom(basemapUrl());
  (window as unknown as { L: typeof L }).L = L;
  const { leafletLayer } = await import('./basemap.js');
  // Its own pane above the world outline: where the file has tiles they are what the officer sees; where it
  // has none (an extract of one city) the tiles are empty and the outline shows through.
  map.createPane('basemap').classList.add('basemap-pane');
  const layer = leafletLayer({
    url: basemapUrl(),
    flavor: document.documentElement.classList.contains('contrast') ? 'white' : 'light',
    attribution: '© OpenStreetMap contributors',
    maxDataZoom: maxZoom,
    pane: 'basemap',
  });
  layer.addTo(map);
  map.attributionControl.removeAttribution('Natural Earth');
}

/** The deepest zoom of a PMTiles v3 file, from its header (byte 101); 15 when it cannot be read. */
export async function pmtilesMaxZoom(url: string): Promise<number> {
  try {
    const res = await fetch(url, { headers: { range: 'bytes=0-126' } });
    const b = new Uint8Array(await res.arrayBuffer());
    const magic = String.fromCharCode(...b.subarray(0, 7));
    if (magic !== 'PMTiles' || b[7] !== 3 || b.length < 127) return 15;
    return b[101]!;
  } catch {
    return 15;
  }
}

export class ReceiverLayer {
  private readonly group = L.layerGroup();
  private marker: L.Marker | undefined;
  private rings: L.Circle[] = [];
  private labels: L.Marker[] = [];

  constructor(private readonly map: L.Map) {
    this.group.addTo(map);
  }

  set(pos: { lat: number; lon: number } | null): void {
    if (!pos) {
      this.group.clearLayers();
      this.marker = undefined;
      this.rings = [];
      this.labels = [];
      return;
    }
    const at = L.latLng(pos.lat, pos.lon);
    if (!this.marker) {
      for (const r of RANGE_RINGS_M) {
        const ring = L.circle(at, { radius: r, className: 'range-ring', color: '#37474f', weight: 1, dashArray: '4 6', fill: false, interactive: false });
        this.rings.push(ring);
        this.group.addLayer(ring);
        const label = L.marker(ringLabelAt(at, r), {
          icon: L.divIcon({ html: ringLabel(r >= 1000 ? `${r / 1000} km` : `${r} m`), className: 'ring-label-wrap', iconSize: [48, 16], iconAnchor: [24, 8] }),
          interactive: false,
          keyboard: false,
        });
        this.labels.push(label);
        this.group.addLayer(label);
      }
      this.marker = L.marker(at, { icon: L.divIcon({ html: receiverIcon(), className: 'receiver-wrap', iconSize: [24, 24], iconAnchor: [12, 12] }), title: 'this receiver', keyboard: false, zIndexOffset: -500 });
      this.group.addLayer(this.marker);
    } else {
      this.marker.setLatLng(at);
      this.rings.forEach((ring) => ring.setLatLng(at));
      this.labels.forEach((label, i) => label.setLatLng(ringLabelAt(at, RANGE_RINGS_M[i]!)));
    }
  }

  get position(): L.LatLng | undefined {
    return this.marker?.getLatLng();
  }

  get mapRef(): L.Map {
    return this.map;
  }
}

const ringLabelAt = (c: L.LatLng, r: number): L.LatLng => L.latLng(c.lat + r / 111_195, c.lng);

interface Drawn {
  track: TrackSummary;
  icon: DroneIcon;
  marker: L.Marker;
  /** Where the marker is (the position drawn). */
  lat: number;
  lon: number;
  trail: L.Polyline[];
  /** The trail as last drawn: how many points and the time of the newest (so an unchanged one is not drawn again). */
  trailPoints: number;
  trailEnd: number;
  operator?: { glyph: Glyph; line: L.Polyline; lat: number; lon: number; droneLat: number; droneLon: number };
  home?: { glyph: Glyph; lat: number; lon: number };
  /** A hub's RSSI estimate: its circle and what it was drawn with. */
  estimate?: { circle: L.Circle; look: string };
  status: TrackStatus;
  heading: number | undefined;
  /** What the icon and the lines were last drawn with (so unchanged ones are not written again). */
  look?: string;
  lineLook?: string;
}

export interface TrackLayerOptions {
  /** 'live', or 'file' for a dropped capture (dashed outline, its own keys). */
  name: string;
  onSelect: (key: string, layer: string) => void;
}

/**
 * A marker placed by a 2D transform. Leaflet places markers with translate3d, which makes each one a
 * compositing layer of its own: with a thousand drones the browser spent more time sorting out layers on
 * every frame than painting them.
 */
const FlatMarker = L.Marker.extend({
  _setPos(this: L.Marker & { _icon?: HTMLElement & { _leaflet_pos?: L.Point }; _zIndex: number; _resetZIndex(): void }, pos: L.Point): void {
    const icon = this._icon;
    if (icon) {
      // What Leaflet's own positioning records (L.DomUtil.getPosition reads it).
      icon._leaflet_pos = pos;
      icon.style.transform = `translate(${pos.x}px,${pos.y}px)`;
    }
    this._zIndex = pos.y + (this.options.zIndexOffset ?? 0);
    this._resetZIndex();
  },
}) as unknown as new (at: L.LatLngExpression, options?: L.MarkerOptions) => L.Marker;

/** What a glyph draws: on the renderer's canvas, centred on (x, y). */
type Paint = (ctx: CanvasRenderingContext2D, x: number, y: number) => void;
interface GlyphOptions extends L.CircleMarkerOptions {
  paint: Paint;
}
type Glyph = L.CircleMarker & { options: GlyphOptions };

/**
 * A point drawn by its own `paint` on a canvas renderer: Leaflet's CircleMarker places it, redraws it and
 * finds it under a click (within its radius); only the drawing is ours. (It reads the renderer's context
 * and drawing flag, Leaflet 1.9's own fields.)
 */
const GlyphMarker = L.CircleMarker.extend({
  _updatePath(this: Glyph & { _renderer: { _ctx: CanvasRenderingContext2D; _drawing: boolean }; _point: L.Point; _empty(): boolean }): void {
    const r = this._renderer;
    if (!r._drawing || this._empty()) return;
    this.options.paint(r._ctx, this._point.x, this._point.y);
  },
}) as unknown as new (at: L.LatLngExpression, options: GlyphOptions) => Glyph;

/** Up to this many tracks, trails, operators and lines are drawn with their drone; beyond, together at most every CROWD_EVERY_MS. */
const FEW_TRACKS = 200;
const CROWD_EVERY_MS = 1000;

/**
 * The tracks of one source on the map: each drone a DOM marker (it is what the officer taps; it is moved
 * only when its position changed, its icon rewritten only when its look did), and on canvases its trail, its
 * operator joined to it by a line, and its home point. A canvas redraws everything crossing an area that
 * changed, so with a crowd (more than FEW_TRACKS) the canvases are brought up to date in one pass at most
 * once a second — the drones move at once, their trails and lines follow.
 */
export class TrackLayer {
  private readonly drawn = new Map<string, Drawn>();
  private readonly trails = L.layerGroup();
  private readonly lines = L.layerGroup();
  private readonly markers = L.layerGroup();
  /** RSSI estimates' circles, under everything else of the tracks. */
  private readonly estimates = L.layerGroup();
  /** The map's key line for estimates, shown while one is drawn. */
  private estimateKey: L.Control | undefined;
  private readonly trailRenderer = L.canvas({ padding: 0.3 });
  private readonly lineRenderer = L.canvas({ padding: 0.3 });
  private selected: string | undefined;
  private highlighted: ReadonlySet<string> = new Set();
  private urgent: ReadonlySet<string> = new Set();
  /** Tracks whose canvas part (trail, operator, line, home) is to be redrawn, and how to get their trails. */
  private readonly due = new Set<string>();
  private trailOf: (key: string) => TrailPoint[] = () => [];
  private dueAt = -Infinity;
  private dueTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly map: L.Map,
    private readonly opts: TrackLayerOptions,
  ) {
    this.estimates.addTo(map);
    this.trails.addTo(map);
    this.lines.addTo(map);
    this.markers.addTo(map);
  }

  /**
   * Draws these tracks (and removes the drawn ones not among them). `changed`: the keys to redraw; the
   * others are left as they are ('all' after a jump in time: the canvases too, at once). Returns how many
   * were drawn.
   */
  render(tracks: ReadonlyMap<string, TrackSummary>, trail: (key: string) => TrailPoint[], changed: ReadonlySet<string> | 'all'): number {
    this.trailOf = trail;
    let n = 0;
    if (changed === 'all') {
      for (const t of tracks.values()) if (this.drawOrRemove(t)) n++;
      for (const key of [...this.drawn.keys()]) if (!tracks.has(key)) this.remove(key);
      this.drawDue(true);
      return n;
    }
    // Only the changed keys: a key changed and no longer among the tracks is gone.
    for (const key of changed) {
      const t = tracks.get(key);
      if (!t) this.remove(key);
      else if (this.drawOrRemove(t)) n++;
    }
    this.drawDue(this.drawn.size <= FEW_TRACKS);
    return n;
  }

  select(key: string | undefined): void {
    if (this.selected === key) return;
    const old = this.selected ? this.drawn.get(this.selected) : undefined;
    old?.icon.root.classList.remove('selected');
    old?.marker.setZIndexOffset(200);
    this.selected = key;
    const d = key ? this.drawn.get(key) : undefined;
    d?.icon.root.classList.add('selected');
    d?.marker.setZIndexOffset(1000);
  }

  /**
   * Tracks with a recent alert: drawn with a halo, pulsing for those in `urgent` (an emergency, a flag, a
   * zone; a new drone's stays still: a thousand drones appearing at once would be a thousand animations).
   */
  highlight(keys: ReadonlySet<string>, urgent: ReadonlySet<string> = new Set()): void {
    // Only those whose halo changes: the others' classes are left alone.
    for (const key of this.highlighted) if (!keys.has(key)) this.drawn.get(key)?.icon.root.classList.remove('alerted');
    for (const key of keys) if (!this.highlighted.has(key)) this.drawn.get(key)?.icon.root.classList.add('alerted');
    for (const key of this.urgent) if (!urgent.has(key)) this.drawn.get(key)?.icon.root.classList.remove('urgent');
    for (const key of urgent) if (!this.urgent.has(key)) this.drawn.get(key)?.icon.root.classList.add('urgent');
    this.highlighted = keys;
    this.urgent = urgent;
  }

  position(key: string): L.LatLng | undefined {
    return this.drawn.get(key)?.marker.getLatLng();
  }

  bounds(): L.LatLngBounds | undefined {
    const pts = [...this.drawn.values()].map((d) => d.marker.getLatLng());
    return pts.length ? L.latLngBounds(pts) : undefined;
  }

  markerInfo(): MarkerInfo[] {
    return [...this.drawn.values()].map((d) => {
      const p = d.marker.getLatLng();
      return {
        key: d.track.key,
        lat: p.lat,
        lon: p.lng,
        color: STATUS_COLOR_NAME[d.status],
        rotation: d.heading ?? null,
        status: d.status,
        state: d.track.state,
        opacity: opacityOf(d.track),
        layer: this.opts.name,
      };
    });
  }

  clear(): void {
    for (const key of [...this.drawn.keys()]) this.remove(key);
  }

  /** Draws a track with a position (or, from a hub, an RSSI estimate), removes one without; true when drawn. */
  private drawOrRemove(t: TrackSummary): boolean {
    if (!t.position && !t.estimate) {
      this.remove(t.key);
      return false;
    }
    this.draw(t, this.drawn.get(t.key));
    return true;
  }

  /** The canvas parts due (now, when `now`, else once CROWD_EVERY_MS has passed since the last pass). */
  private drawDue(now: boolean): void {
    if (this.due.size === 0) return;
    const wait = this.dueAt + CROWD_EVERY_MS - performance.now();
    if (!now && wait > 0) {
      this.dueTimer ??= setTimeout(() => {
        this.dueTimer = undefined;
        this.drawDue(false);
      }, wait);
      return;
    }
    clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    this.dueAt = performance.now();
    for (const key of this.due) {
      const d = this.drawn.get(key);
      if (!d) continue;
      this.drawTrail(d, this.trailOf(key));
      this.drawOperator(d);
    }
    this.due.clear();
  }

  /** The drone's marker, now; its canvas parts at the next pass. */
  private draw(t: TrackSummary, d: Drawn | undefined): void {
    // A drone that sends no valid position stands at the centre of its RSSI estimate, marked as such.
    const pos = t.position ?? { lat: t.estimate!.lat, lon: t.estimate!.lon };
    const status = statusOf(t);
    const color = STATUS_COLOR[status];
    const heading = headingOf(t);
    if (!d) {
      const icon = droneIcon();
      icon.root.dataset.key = t.key;
      icon.root.dataset.layer = this.opts.name;
      if (this.opts.name !== 'live') icon.root.classList.add('from-file');
      const marker = new FlatMarker([pos.lat, pos.lon], {
        icon: L.divIcon({ html: icon.root, className: 'drone-wrap', iconSize: [32, 32], iconAnchor: [16, 16] }),
        keyboard: true,
        riseOnHover: true,
        zIndexOffset: 200,
      });
      marker.on('click', () => this.opts.onSelect(t.key, this.opts.name));
      this.markers.addLayer(marker);
      const trail: L.Polyline[] = [];
      for (let i = 0; i < TRAIL_PIECES; i++) {
        const line = L.polyline([], { renderer: this.trailRenderer, interactive: false, weight: 3, opacity: TRAIL_OPACITY[i]!, color, dashArray: this.opts.name === 'live' ? undefined : '6 6' });
        trail.push(line);
        this.trails.addLayer(line);
      }
      d = { track: t, icon, marker, lat: pos.lat, lon: pos.lon, trail, trailPoints: 0, trailEnd: -Infinity, status, heading };
      this.drawn.set(t.key, d);
      if (this.selected === t.key) icon.root.classList.add('selected');
      if (this.highlighted.has(t.key)) icon.root.classList.add('alerted');
      if (this.urgent.has(t.key)) icon.root.classList.add('urgent');
    } else if (d.lat !== pos.lat || d.lon !== pos.lon) {
      d.lat = pos.lat;
      d.lon = pos.lon;
      d.marker.setLatLng([pos.lat, pos.lon]);
    }
    d.track = t;
    // The DOM is written only where something changed: a thousand drones moving twice a second is enough work.
    const label = labelOf(t);
    const look = `${color}|${heading ?? ''}|${t.state}|${label}`;
    if (d.look !== look) {
      d.look = look;
      setDroneIcon(d.icon, color, heading);
      d.icon.label.textContent = air(label, 24);
      d.icon.root.title = `${air(label, 60)} (${t.state})`;
      d.icon.root.classList.toggle('st-stale', t.state === 'stale');
      d.icon.root.classList.toggle('st-lost', t.state === 'lost');
      d.icon.root.dataset.status = status;
    }
    d.icon.root.classList.toggle('estimated', !t.position);
    this.drawEstimate(d, t, color);
    d.status = status;
    d.heading = heading;
    this.due.add(t.key);
  }

  /** The trail: its newest points, in TRAIL_PIECES pieces that overlap by one point; not again when unchanged. */
  private drawTrail(d: Drawn, points: TrailPoint[]): void {
    const color = STATUS_COLOR[d.status];
    const fade = opacityOf(d.track);
    const lineLook = `${color}|${fade}`;
    if (d.lineLook !== lineLook) {
      d.lineLook = lineLook;
      for (let i = 0; i < TRAIL_PIECES; i++) d.trail[i]!.setStyle({ color, opacity: TRAIL_OPACITY[i]! * fade });
      if (d.operator) {
        d.operator.line.setStyle({ color, opacity: 0.8 * fade });
        d.operator.glyph.redraw();
      }
    }
    const end = points.length ? points[points.length - 1]!.t : -Infinity;
    if (points.length === d.trailPoints && end === d.trailEnd) return;
    d.trailPoints = points.length;
    d.trailEnd = end;
    const from = Math.max(0, points.length - TRAIL_DRAWN);
    const count = points.length - from;
    const size = Math.ceil(count / TRAIL_PIECES);
    for (let i = 0; i < TRAIL_PIECES; i++) {
      const a = from + i * size;
      const b = Math.min(points.length, from + (i + 1) * size + 1);
      const piece: L.LatLngExpression[] = [];
      for (let j = a; j < b; j++) piece.push([points[j]!.lat, points[j]!.lon]);
      d.trail[i]!.setLatLngs(piece.length >= 2 ? piece : []);
    }
  }

  /** The operator joined to its drone, and the home point (not where the operator stands: it would be hidden). */
  private drawOperator(d: Drawn): void {
    const t = d.track;
    const op = t.operator;
    if (op) {
      if (!d.operator) {
        // In the drone's colour, a little faded once the drone is no longer heard.
        const paint: Paint = (ctx, x, y) => paintOperator(ctx, x, y, STATUS_COLOR[d.status], d.track.state === 'active' ? 1 : 0.85);
        const glyph = new GlyphMarker([op.lat, op.lon], { renderer: this.lineRenderer, radius: 10, interactive: true, bubblingMouseEvents: false, paint });
        glyph.on('click', () => this.opts.onSelect(t.key, this.opts.name));
        // As text (a Leaflet tooltip given a string would parse it as markup).
        glyph.bindTooltip(() => h('span', null, `operator of ${air(labelOf(d.track), 60)} (${d.track.operator?.source ?? ''})`));
        const line = L.polyline(
          [
            [op.lat, op.lon],
            [d.lat, d.lon],
          ],
          { renderer: this.lineRenderer, interactive: false, weight: 1.5, dashArray: '3 5', color: STATUS_COLOR[d.status], opacity: 0.8 * opacityOf(t) },
        );
        // The line under the operator.
        this.lines.addLayer(line);
        this.lines.addLayer(glyph);
        d.operator = { glyph, line, lat: op.lat, lon: op.lon, droneLat: d.lat, droneLon: d.lon };
      } else {
        const o = d.operator;
        const moved = o.lat !== op.lat || o.lon !== op.lon;
        if (moved) {
          o.lat = op.lat;
          o.lon = op.lon;
          o.glyph.setLatLng([op.lat, op.lon]);
        }
        if (moved || o.droneLat !== d.lat || o.droneLon !== d.lon) {
          o.droneLat = d.lat;
          o.droneLon = d.lon;
          o.line.setLatLngs([
            [op.lat, op.lon],
            [d.lat, d.lon],
          ]);
        }
      }
    } else if (d.operator) {
      this.lines.removeLayer(d.operator.glyph);
      this.lines.removeLayer(d.operator.line);
      d.operator = undefined;
    }

    const hp = t.home;
    if (hp && !(op && op.lat === hp.lat && op.lon === hp.lon)) {
      if (!d.home) {
        const glyph = new GlyphMarker([hp.lat, hp.lon], { renderer: this.lineRenderer, radius: 9, interactive: false, paint: (ctx, x, y) => paintHome(ctx, x, y, 0.85) });
        this.lines.addLayer(glyph);
        d.home = { glyph, lat: hp.lat, lon: hp.lon };
      } else if (d.home.lat !== hp.lat || d.home.lon !== hp.lon) {
        d.home.lat = hp.lat;
        d.home.lon = hp.lon;
        d.home.glyph.setLatLng([hp.lat, hp.lon]);
      }
    } else if (d.home) {
      this.lines.removeLayer(d.home.glyph);
      d.home = undefined;
    }
  }

  private remove(key: string): void {
    const d = this.drawn.get(key);
    this.due.delete(key);
    if (!d) return;
    this.markers.removeLayer(d.marker);
    for (const l of d.trail) this.trails.removeLayer(l);
    if (d.operator) {
      this.lines.removeLayer(d.operator.glyph);
      this.lines.removeLayer(d.operator.line);
    }
    if (d.home) this.lines.removeLayer(d.home.glyph);
    if (d.estimate) this.removeEstimate(d);
    this.drawn.delete(key);
  }

  /**
   * The RSSI estimate (the hub takes it off a track it no longer hears: rssi-estimates.ts): a translucent
   * circle with a dashed outline in the drone's colour (the receiver's range rings are grey, thin and
   * unfilled), redrawn only when it changed; the map's key says what it is. Its path carries the track's key
   * (data-key), as the drone's icon does.
   */
  private drawEstimate(d: Drawn, t: TrackSummary, color: string): void {
    const e = t.estimate;
    if (!e) {
      if (d.estimate) this.removeEstimate(d);
      return;
    }
    const look = `${e.lat}|${e.lon}|${e.radius}|${color}`;
    if (d.estimate?.look === look) return;
    if (d.estimate) {
      d.estimate.circle.setLatLng([e.lat, e.lon]).setRadius(e.radius).setStyle({ color, fillColor: color });
      d.estimate.look = look;
    } else {
      const circle = L.circle([e.lat, e.lon], { radius: e.radius, className: 'rssi-estimate', color, fillColor: color, weight: 1.5, opacity: 0.8, dashArray: '6 6', fillOpacity: 0.12, interactive: false });
      this.estimates.addLayer(circle);
      circle.getElement()?.setAttribute('data-key', t.key);
      d.estimate = { circle, look };
    }
    this.showEstimateKey();
  }

  private removeEstimate(d: Drawn): void {
    this.estimates.removeLayer(d.estimate!.circle);
    delete d.estimate;
    if (![...this.drawn.values()].some((o) => o !== d && o.estimate)) {
      this.estimateKey?.remove();
      this.estimateKey = undefined;
    }
  }

  private showEstimateKey(): void {
    if (this.estimateKey || this.opts.name !== 'live') return;
    const key = new L.Control({ position: 'bottomleft' });
    key.onAdd = () =>
      h('div', { class: 'map-key estimate-key', title: "Where the hub's receivers' signal strengths put a drone: 99 % of the fit; RSSI ranging is crude" }, h('span', { class: 'estimate-swatch' }), ' RSSI estimate (hub receivers)');
    this.estimateKey = key.addTo(this.map);
  }

  get leafletMap(): L.Map {
    return this.map;
  }
}
