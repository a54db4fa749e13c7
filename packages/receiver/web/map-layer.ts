/**
 * The map: Leaflet with DOM/SVG markers (no WebGL: old phones and headless browsers draw it), the offline
 * world outline (world.json, Natural Earth) or a local PMTiles basemap, the receiver with its range rings,
 * and per track: the drone rotated to its heading and coloured by status, a fading trail, the operator
 * joined to its drone by a line, and the home point.
 */

import * as L from 'leaflet';
import { basemapUrl, worldUrl } from './api.js';
import { homeIcon, droneIcon, operatorIcon, receiverIcon, ringLabel, setDroneIcon, setOperatorColor, type DroneIcon } from './icons.js';
import { STATUS_COLOR, STATUS_COLOR_NAME, headingOf, labelOf, opacityOf, statusOf, type TrackStatus } from './model.js';
import type { PageTrack, TrailPoint } from './store.js';
import { air } from './format.js';

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
  state: PageTrack['state'];
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
  const layer = leafletLayer({
    url: basemapUrl(),
    flavor: document.documentElement.classList.contains('contrast') ? 'white' : 'light',
    attribution: '© OpenStreetMap contributors',
    maxDataZoom: maxZoom,
    pane: 'world',
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
  track: PageTrack;
  icon: DroneIcon;
  marker: L.Marker;
  trail: L.Polyline[];
  operator?: { marker: L.Marker; icon: ReturnType<typeof operatorIcon>; line: L.Polyline };
  home?: L.Marker;
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

/** The tracks of one source on the map. */
export class TrackLayer {
  private readonly drawn = new Map<string, Drawn>();
  private readonly trails = L.layerGroup();
  private readonly lines = L.layerGroup();
  private readonly markers = L.layerGroup();
  private readonly renderer = L.canvas({ padding: 0.3 });
  private selected: string | undefined;
  private highlighted = new Set<string>();

  constructor(
    private readonly map: L.Map,
    private readonly opts: TrackLayerOptions,
  ) {
    this.trails.addTo(map);
    this.lines.addTo(map);
    this.markers.addTo(map);
  }

  /**
   * Draws these tracks (and removes the drawn ones not among them). `changed`: the keys to redraw; the
   * others are left as they are ('all' after a jump in time).
   */
  render(tracks: Iterable<PageTrack>, trail: (key: string) => TrailPoint[], changed: Set<string> | 'all'): number {
    const present = new Set<string>();
    let n = 0;
    for (const t of tracks) {
      present.add(t.key);
      const d = this.drawn.get(t.key);
      if (changed !== 'all' && d && !changed.has(t.key) && d.track === t) continue;
      if (!t.position) {
        if (d) this.remove(t.key);
        continue;
      }
      this.draw(t, trail(t.key), d);
      n++;
    }
    for (const key of [...this.drawn.keys()]) if (!present.has(key)) this.remove(key);
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

  /** Tracks with a recent alert: drawn with a pulsing halo. */
  highlight(keys: Set<string>): void {
    for (const [key, d] of this.drawn) d.icon.root.classList.toggle('alerted', keys.has(key));
    this.highlighted = keys;
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

  private draw(t: PageTrack, points: TrailPoint[], d: Drawn | undefined): void {
    const pos = t.position!;
    const at = L.latLng(pos.lat, pos.lon);
    const status = statusOf(t);
    const color = STATUS_COLOR[status];
    const heading = headingOf(t);
    if (!d) {
      const icon = droneIcon();
      icon.root.dataset.key = t.key;
      icon.root.dataset.layer = this.opts.name;
      if (this.opts.name !== 'live') icon.root.classList.add('from-file');
      const marker = L.marker(at, {
        icon: L.divIcon({ html: icon.root, className: 'drone-wrap', iconSize: [32, 32], iconAnchor: [16, 16] }),
        keyboard: true,
        riseOnHover: true,
        zIndexOffset: 200,
      });
      marker.on('click', () => this.opts.onSelect(t.key, this.opts.name));
      this.markers.addLayer(marker);
      const trail: L.Polyline[] = [];
      for (let i = 0; i < TRAIL_PIECES; i++) {
        const line = L.polyline([], { renderer: this.renderer, interactive: false, weight: 3, opacity: TRAIL_OPACITY[i]!, color, dashArray: this.opts.name === 'live' ? undefined : '6 6' });
        trail.push(line);
        this.trails.addLayer(line);
      }
      d = { track: t, icon, marker, trail, status, heading };
      this.drawn.set(t.key, d);
      if (this.selected === t.key) icon.root.classList.add('selected');
      if (this.highlighted.has(t.key)) icon.root.classList.add('alerted');
    } else {
      d.marker.setLatLng(at);
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
    d.status = status;
    d.heading = heading;
    const fade = opacityOf(t);
    const styleChanged = d.lineLook !== `${color}|${fade}`;
    d.lineLook = `${color}|${fade}`;

    // Trail: the newest points, in TRAIL_PIECES pieces that overlap by one point.
    const recent = points.slice(-TRAIL_DRAWN).map((p) => L.latLng(p.lat, p.lon));
    const size = Math.ceil(recent.length / TRAIL_PIECES);
    for (let i = 0; i < TRAIL_PIECES; i++) {
      const piece = recent.slice(i * size, Math.min(recent.length, (i + 1) * size + 1));
      d.trail[i]!.setLatLngs(piece.length >= 2 ? piece : []);
      if (styleChanged) d.trail[i]!.setStyle({ color, opacity: TRAIL_OPACITY[i]! * fade });
    }

    // Operator, joined to the drone.
    if (t.operator) {
      const op = L.latLng(t.operator.lat, t.operator.lon);
      if (!d.operator) {
        const icon = operatorIcon(color);
        icon.root.dataset.key = t.key;
        // Under the drones (an operator standing at the take-off point would hide a drone still there).
        const marker = L.marker(op, { icon: L.divIcon({ html: icon.root, className: 'operator-wrap', iconSize: [24, 24], iconAnchor: [12, 12] }), keyboard: false, zIndexOffset: -300 });
        marker.on('click', () => this.opts.onSelect(t.key, this.opts.name));
        const line = L.polyline([op, at], { renderer: this.renderer, interactive: false, weight: 1.5, dashArray: '3 5', color, opacity: 0.8 });
        this.markers.addLayer(marker);
        this.lines.addLayer(line);
        d.operator = { marker, icon, line };
        d.lineLook = '';
      } else {
        d.operator.marker.setLatLng(op);
        d.operator.line.setLatLngs([op, at]);
        if (styleChanged) setOperatorColor(d.operator.icon, color);
      }
      if (styleChanged) {
        d.operator.line.setStyle({ color, opacity: 0.8 * fade });
        d.operator.icon.root.classList.toggle('st-stale', t.state !== 'active');
      }
      const title = `operator of ${air(label, 60)} (${t.operator.source})`;
      if (d.operator.icon.root.title !== title) d.operator.icon.root.title = title;
    } else if (d.operator) {
      this.markers.removeLayer(d.operator.marker);
      this.lines.removeLayer(d.operator.line);
      d.operator = undefined;
    }

    if (t.home) {
      const hp = L.latLng(t.home.lat, t.home.lon);
      if (!d.home) {
        const el = homeIcon();
        el.dataset.key = t.key;
        el.title = `home of ${air(labelOf(t), 60)}`;
        d.home = L.marker(hp, { icon: L.divIcon({ html: el, className: 'home-wrap', iconSize: [20, 20], iconAnchor: [10, 10] }), keyboard: false, interactive: false, zIndexOffset: -400 });
        this.markers.addLayer(d.home);
      } else {
        d.home.setLatLng(hp);
      }
    } else if (d.home) {
      this.markers.removeLayer(d.home);
      d.home = undefined;
    }
  }

  private remove(key: string): void {
    const d = this.drawn.get(key);
    if (!d) return;
    this.markers.removeLayer(d.marker);
    for (const l of d.trail) this.trails.removeLayer(l);
    if (d.operator) {
      this.markers.removeLayer(d.operator.marker);
      this.lines.removeLayer(d.operator.line);
    }
    if (d.home) this.markers.removeLayer(d.home);
    this.drawn.delete(key);
  }

  get leafletMap(): L.Map {
    return this.map;
  }
}
