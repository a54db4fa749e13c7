/**
 * The handheld's live map, served by `rid-scan --web`: boot, the connection to the receiver, and the
 * render loop that keeps the map, the list, the details, the alerts and the replay slider in step with
 * what the receiver sends (protocol.ts). Offline: everything it loads comes from the receiver itself.
 *
 * A render follows every message at the next animation frame and touches only what changed: the markers
 * of the tracks in it, their rows (the list's order at most twice a second), the details when they are of
 * a track in it. The details of the selected live track are asked of the receiver (only that one travels whole).
 */

import 'leaflet/dist/leaflet.css';
import './style.css';
import type * as L from 'leaflet';
import type { ServerMessage, WebAlert } from '../src/outputs/web/protocol.js';
import { initToken, wsUrl } from './api.js';
import { Alerts } from './alerts.js';
import type { DecodedCapture } from './capture-decode.js';
import { Connection, type ConnectionStatus } from './connection.js';
import { Details } from './details.js';
import { byId, h } from './dom.js';
import { CaptureDrop } from './drop.js';
import { exportLinks } from './exports.js';
import { air } from './format.js';
import { installHook, installStats, recordRender } from './hooks.js';
import { TrackList } from './list.js';
import { ReceiverLayer, TrackLayer, addBasemap, addWorld, createMap } from './map-layer.js';
import { Store, type PageTrack, type TrackSummary } from './store.js';
import { summaryOfJson } from '../src/outputs/web/summary.js';
import { setupTheme } from './theme.js';
import { TimelineBar } from './timeline.js';
import { Zones } from './zones.js';

type View = 'list' | 'details' | 'capture' | 'zones' | 'exports';

/** Alerts whose track's halo pulses (a new drone's stays still). */
const URGENT: ReadonlySet<WebAlert['kind']> = new Set(['emergency', 'flag', 'zone']);

class App {
  private readonly store = new Store();
  private readonly stats = installStats();
  private readonly map: L.Map;
  private readonly live: TrackLayer;
  private readonly file: TrackLayer;
  private readonly receiver: ReceiverLayer;
  private readonly list: TrackList;
  private readonly details: Details;
  private readonly alerts: Alerts;
  private readonly timeline: TimelineBar;
  private readonly drop: CaptureDrop;
  private readonly zones: Zones;
  private readonly connection: Connection;
  private readonly panel = byId('panel');
  private readonly connEl = byId('conn');
  private readonly exportsList: HTMLElement;
  private status: ConnectionStatus = 'connecting';
  private selected: { key: string; layer: string } | undefined;
  private capture: DecodedCapture | undefined;
  private renderQueued = false;
  private timeMoved = false;
  private fitted = false;
  private centredOnReceiver = false;
  private basemapAdded = false;
  private drawing = false;
  private emergencyCheck = false;
  private listNow = false;
  private resyncAsked = false;
  /** Wall time of the last message that carried the receiver's clock, to advance it between messages. */
  private heardAt = Date.now();

  constructor() {
    initToken();
    // The receiver has set its cookie by now: the token need not stay in the address bar for all to read.
    if (/[?#&]token=/.test(window.location.href)) history.replaceState(null, '', window.location.pathname);

    this.map = createMap(byId('map'));
    void addWorld(this.map).catch((e: Error) => this.say(`world map: ${e.message}`));
    const select = (key: string, layer: string): void => this.select(key, layer);
    this.receiver = new ReceiverLayer(this.map);
    this.file = new TrackLayer(this.map, { name: 'file', onSelect: select });
    this.live = new TrackLayer(this.map, { name: 'live', onSelect: select });

    this.list = new TrackList({ onSelect: (key) => this.select(key, 'live', true), now: () => this.now() });
    this.details = new Details({ onClose: () => this.closeDetails(), onCentre: (key) => this.centre(key), now: () => this.now() });
    this.alerts = new Alerts({ onSelect: (key) => this.select(key, 'live', true), now: () => this.now() });
    this.timeline = new TimelineBar(this.store.timeline, { onTime: () => this.timeChanged() });
    this.drop = new CaptureDrop({ onDecoded: (c) => this.captureDecoded(c), onSelectTrack: (key) => this.select(key, 'file', true) });
    this.zones = new Zones(this.map, { onDrawing: (on) => (this.drawing = on) });
    this.exportsList = h('ul', { class: 'export-list', id: 'export-list' });

    // Toolbar.
    const viewButton = (view: View, text: string, title: string): HTMLButtonElement => {
      const b = h('button', { type: 'button', class: 'tool-button', id: `show-${view}`, title }, text);
      b.addEventListener('click', () => this.showView(this.panel.dataset.view === view && view !== 'list' ? 'list' : view, true));
      return b;
    };
    const fit = h('button', { type: 'button', class: 'tool-button', id: 'fit-all', title: 'Show every drone and the receiver' }, 'Fit all');
    fit.addEventListener('click', () => this.fit(true));
    this.zones.button.addEventListener('click', () => this.showView(this.panel.dataset.view === 'zones' ? 'list' : 'zones', true));
    byId('tools').append(viewButton('list', 'List', 'The list of drones'), fit, this.zones.button, viewButton('exports', 'Exports', 'Exports of the receiver'), this.drop.fileButton, this.alerts.soundButton, setupTheme());

    // Panels.
    byId('banner-slot').replaceWith(this.alerts.banner);
    byId('timeline-slot').replaceWith(this.timeline.root);
    byId('list-count').replaceWith(this.list.countEl);
    byId('list-view').append(this.list.root);
    byId('details-view').append(this.details.root);
    byId('capture-view').append(this.drop.root);
    byId('zones-view').append(this.zones.root);
    byId('exports-view').append(h('div', { class: 'exports' }, h('h2', null, 'Exports'), h('p', { class: 'muted' }, 'Written by the receiver from what it holds now.'), this.exportsList));
    document.body.append(this.drop.overlay);
    byId('sheet-toggle').addEventListener('click', () => this.collapse(!this.panel.classList.contains('collapsed')));
    this.showView('list', false);

    this.connection = new Connection({
      url: () => wsUrl(),
      onMessage: (m) => this.onMessage(m),
      onStatus: (s, detail) => this.onStatus(s, detail),
    });

    installHook({
      tracks: () => [...this.shownTracks().values()].map((t) => this.withDetails(t)),
      markers: () => [...this.live.markerInfo(), ...this.file.markerInfo()],
      alerts: () => this.store.alerts,
      hello: () => this.store.hello,
      connection: () => this.status,
      selected: () => this.selected?.key ?? null,
      capture: () => (this.capture ? { name: this.capture.name, lines: this.capture.lines, tracks: this.capture.tracks } : null),
      zones: () => this.zones.all(),
    });

    setInterval(() => {
      this.list.tick();
      this.details.tick();
      // Highlights run out with time: the list and the map drop them.
      const alerted = this.alerts.recentKeys();
      this.live.highlight(alerted, this.alerts.recentKeys(URGENT));
      this.list.update(this.shownTracks(), new Set(), this.selectedLive(), alerted);
    }, 1000);
    this.connection.start();
  }

  /** The receiver's clock now (seconds): in a replay the slider's time or the latest update; live, advanced by the time since the last message. */
  private now(): number {
    const t = this.timeline.time;
    if (t !== undefined) return t;
    if (this.store.replay) return this.store.t;
    return this.store.t ? this.store.t + (Date.now() - this.heardAt) / 1000 : Date.now() / 1000;
  }

  private shownTracks(): Map<string, TrackSummary> {
    const t = this.timeline.time;
    return this.store.replay && t !== undefined ? this.store.timeline.stateAt(t) : this.store.tracks;
  }

  private selectedLive(): string | undefined {
    return this.selected?.layer === 'live' ? this.selected.key : undefined;
  }

  /** A track as the hook gives it: its summary, over its details when the page holds them. */
  private withDetails(t: TrackSummary): TrackSummary | (PageTrack & TrackSummary) {
    const held = t.key === this.selectedLive() ? this.store.details(t.key)?.track : undefined;
    return held ? overlay(held, t) : t;
  }

  private onMessage(m: ServerMessage): void {
    const kind = this.store.apply(m);
    if (m.type === 'snapshot' || m.type === 'tracks' || m.type === 'steps') this.heardAt = Date.now();
    // A snapshot is a new start: the list shows it at once.
    if (m.type === 'snapshot') this.emergencyCheck = this.listNow = true;
    if (m.type === 'hello' || m.type === 'snapshot') this.resyncAsked = false;
    // A change to a track the page does not have: it missed something, and starts over from a snapshot.
    if (this.store.outOfStep && !this.resyncAsked) {
      this.resyncAsked = true;
      this.connection.resync();
    }
    // A new connection: the receiver is asked again for the details shown.
    if (kind === 'hello' && this.store.wantedKey !== undefined) this.connection.send({ type: 'details', key: this.store.wantedKey });
    if (kind === 'hello') this.helloChanged();
    if (kind === 'receiver') this.receiver.set(this.store.receiver);
    if (kind === 'zones') this.zones.setGiven(this.store.zones, this.store.hello?.canSaveZones ?? false);
    this.queueRender();
  }

  private onStatus(s: ConnectionStatus, detail: string): void {
    this.status = s;
    this.connEl.className = `conn conn-${s}`;
    this.connEl.textContent = s === 'open' ? (this.store.replay ? '● replay' : '● live') : s === 'connecting' ? '○ connecting' : s === 'refused' ? '✕ refused' : '○ offline';
    this.connEl.title = detail;
    if (s !== 'open') this.say(detail);
    else this.say('');
  }

  private say(text: string): void {
    byId('status-line').textContent = text;
  }

  private helloChanged(): void {
    const hello = this.store.hello!;
    byId('source').textContent = air(hello.source, 80);
    document.title = `rid-scan: ${hello.source}`;
    this.timeline.show(hello.mode === 'replay');
    if (this.status === 'open') this.connEl.textContent = hello.mode === 'replay' ? '● replay' : '● live';
    this.receiver.set(hello.receiver);
    this.zones.setGiven(this.store.zones, hello.canSaveZones);
    exportLinks(this.exportsList, hello.exports);
    if (hello.basemap && !this.basemapAdded) {
      this.basemapAdded = true;
      void addBasemap(this.map).catch((e: Error) => this.say(`basemap: ${e.message}`));
    }
  }

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    // At the next frame: a render costs what changed since the last, not what the page holds.
    // A hidden tab gets no animation frames: a timer then, so that the page is current when shown.
    if (document.hidden) setTimeout(() => this.render(), 250);
    else requestAnimationFrame(() => this.render());
  }

  private timeChanged(): void {
    this.timeMoved = true;
    this.queueRender();
  }

  private render(): void {
    this.renderQueued = false;
    const changes = this.store.takeChanges();
    const shown = this.shownTracks();
    const atTime = this.store.replay ? this.timeline.time : undefined;
    const all = this.timeMoved || atTime !== undefined;
    this.timeMoved = false;
    this.live.render(shown, (key) => this.store.trail(key, atTime ?? Infinity), all ? 'all' : changes);
    const updated: TrackSummary[] = [];
    for (const key of changes) {
      const t = shown.get(key);
      if (t) updated.push(t);
    }
    recordRender(this.stats, updated, !this.store.replay);
    if (this.store.replay) this.timeline.refresh();

    const alerted = this.alerts.recentKeys();
    this.live.highlight(alerted, this.alerts.recentKeys(URGENT));
    this.list.update(shown, all || this.listNow ? 'all' : changes, this.selectedLive(), alerted);
    this.listNow = false;

    const key = this.selectedLive();
    if (key !== undefined && (all || changes.has(key))) this.showLiveDetails(key, shown);
    this.alerts.setAll(this.store.alerts);
    this.alerts.raise(this.store.takeNewAlerts());
    if (this.emergencyCheck) {
      // A page opened (or reconnected) during an emergency shows it: the alert is in the snapshot, not new.
      this.emergencyCheck = false;
      const ongoing = this.store.alerts.filter((a) => a.kind === 'emergency' && this.store.tracks.get(a.key)?.flags.includes('emergency'));
      this.alerts.raise(ongoing, true);
    }
    if (!this.fitted) this.fit(false);
  }

  /** The list brought up to date now (the selection changed). */
  private renderList(): void {
    this.list.update(this.shownTracks(), 'all', this.selectedLive(), this.alerts.recentKeys());
  }

  /**
   * The selected live track's details: its details from the receiver under its summary (in a replay's past,
   * the summary of the slider's time over the latest details), or its summary alone until they come.
   */
  private showLiveDetails(key: string, shown: Map<string, TrackSummary>): void {
    const summary = shown.get(key);
    const held = this.store.details(key);
    if (!summary) return this.details.show(undefined);
    if (!held) return this.details.pending(summary);
    if (!held.track) return this.details.show(undefined);
    const past = this.store.replay && this.timeline.time !== undefined;
    this.details.show(overlay(held.track, summary), 'live', past ? 'position and state at the slider time, decoded fields as last received' : '');
  }

  private select(key: string, layer: string, centre = false): void {
    if (this.drawing) return;
    this.selected = { key, layer };
    this.live.select(layer === 'live' ? key : undefined);
    this.file.select(layer === 'file' ? key : undefined);
    // Only the live track selected travels whole: asked for now, then sent with each of its updates.
    const live = layer === 'live' ? key : undefined;
    if (this.store.wantedKey !== live) {
      this.store.want(live);
      this.connection.send({ type: 'details', key: live ?? null });
    }
    if (live !== undefined) this.showLiveDetails(live, this.shownTracks());
    else this.details.show(this.capture?.tracks.find((x) => x.key === key), this.capture?.name);
    this.showView('details', true);
    if (centre) this.centre(key);
    this.renderList();
  }

  private closeDetails(): void {
    this.selected = undefined;
    this.live.select(undefined);
    this.file.select(undefined);
    if (this.store.wantedKey !== undefined) {
      this.store.want(undefined);
      this.connection.send({ type: 'details', key: null });
    }
    this.showView(this.capture ? 'capture' : 'list', false);
    this.renderList();
  }

  private centre(key: string): void {
    const at = (this.selected?.layer === 'file' ? this.file : this.live).position(key);
    if (at) this.map.setView(at, Math.max(this.map.getZoom(), 15));
  }

  private showView(view: View, expand: boolean): void {
    this.panel.dataset.view = view;
    for (const b of document.querySelectorAll<HTMLElement>('#tools [id^="show-"]')) b.classList.toggle('active', b.id === `show-${view}`);
    this.zones.button.classList.toggle('active', view === 'zones');
    if (expand) this.collapse(false);
  }

  private collapse(on: boolean): void {
    this.panel.classList.toggle('collapsed', on);
    const b = byId('sheet-toggle');
    b.textContent = on ? '▲' : '▼';
    b.setAttribute('aria-expanded', String(!on));
    b.title = on ? 'Show the panel' : 'Hide the panel';
  }

  private captureDecoded(c: DecodedCapture | undefined): void {
    this.capture = c;
    if (!c) {
      this.file.clear();
      if (this.selected?.layer === 'file') this.closeDetails();
      return;
    }
    const byKey = new Map(c.tracks.map((t) => [t.key, t]));
    const summaries = new Map(c.tracks.map((t) => [t.key, summaryOfJson(t)]));
    this.file.render(summaries, (key) => (byKey.get(key)?.history ?? []).map((p) => ({ t: p.t, lat: p.lat, lon: p.lon })), 'all');
    this.showView('capture', true);
    const b = this.file.bounds();
    if (b) this.map.fitBounds(b.pad(0.2), { maxZoom: 16 });
  }

  /**
   * Shows the receiver and every drone: once by itself when the first drone appears (before that, the
   * receiver's surroundings), then only when asked, so that the view is the officer's.
   */
  private fit(force: boolean): void {
    if (this.fitted && !force) return;
    const pts: L.LatLngExpression[] = [];
    const r = this.store.receiver;
    if (r) pts.push([r.lat, r.lon]);
    let drones = 0;
    for (const t of this.shownTracks().values()) {
      if (!t.position) continue;
      pts.push([t.position.lat, t.position.lon]);
      drones++;
    }
    if (pts.length === 0) return;
    if (drones === 0 && !force) {
      if (!this.centredOnReceiver) this.map.setView(pts[0]!, 14, { animate: false });
      this.centredOnReceiver = true;
      return;
    }
    this.fitted = true;
    // The first view appears at once (no zoom animation under the officer's first tap); asked for, it glides.
    const animate = force;
    if (pts.length === 1) this.map.setView(pts[0]!, 15, { animate });
    else this.map.fitBounds(pts as L.LatLngBoundsLiteral, { padding: [30, 30], maxZoom: 16, animate });
  }
}

/**
 * A track's details under its summary: the summary is at least as new (it came in the same batch, or it is
 * that of a replay's slider time). The operator and home point keep the details' time (a summary has none).
 */
function overlay(details: PageTrack, s: TrackSummary): PageTrack & TrackSummary {
  return {
    ...details,
    ...s,
    operator: s.operator && { t: details.operator?.t ?? s.lastSeen, ...s.operator },
    home: s.home && { t: details.home?.t ?? s.lastSeen, ...s.home },
  };
}

function boot(): void {
  try {
    new App();
  } catch (e) {
    const el = document.getElementById('status-line');
    if (el) el.textContent = `the map could not start: ${(e as Error).message}`;
    throw e;
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
