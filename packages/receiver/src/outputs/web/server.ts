/**
 * The live map, served from the receiver process itself: the page (built into dist/web), a WebSocket that
 * streams track summaries (batched: at most two a second per track — of the scene's time in a replay —,
 * and live 1,000 track states a second in all: see batcher.ts) after a snapshot, and the whole of the one
 * track a page has open (protocol.ts), exports made by the receiver on request, and — only when a zones
 * file was given — saving a zone drawn on the map to it.
 *
 * Each batch is serialised once for every page. A page that falls behind (its socket's buffer past
 * MAX_BUFFERED_BYTES: a slow phone, a busy tab) is skipped, and gets a fresh snapshot as soon as its socket
 * has drained — told by the callbacks of its own writes, not at the next batch.
 *
 * Nothing is fetched from elsewhere and nothing else changes the receiver. Off loopback every request and
 * every WebSocket upgrade needs the session's token (401 otherwise). The Host header must name this
 * server (no DNS rebinding), a WebSocket's Origin must be the page's own, and a Content-Security-Policy
 * forbids every other origin.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { ToolkitError } from '@odid/codec';
import { trackToJson } from '../../tracker/track-json.js';
import type { Track, TrackUpdate } from '../../tracker/types.js';
import type { TrackOutput } from '../types.js';
import { isLoopbackHost, newToken, requestToken, tokenMatches, TOKEN_COOKIE } from './access.js';
import { SceneBatcher, UpdateBatcher, type Batcher } from './batcher.js';
import type { DetailsMessage, HelloMessage, LatLonAlt, PageMessage, SceneStep, ServerMessage, SnapshotMessage, TrackChanges, WebAlert } from './protocol.js';
import { WEB_PROTOCOL_VERSION } from './protocol.js';
import { ReplayHistory } from './replay-history.js';
import { listAssets, sendFile } from './static-files.js';
import { SentSummary, trackTrail, type TrackDelta, type TrackSummary } from './summary.js';

export const DEFAULT_WEB_HOST = '127.0.0.1';
/** The map's documented default port (ASD-STAN EN 4709, the EU Remote ID standard). */
export const DEFAULT_WEB_PORT = 4709;

/** Where `pnpm build` writes the page, from this file in src/ or in dist/ alike. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Positions kept per track in a snapshot, so a page that (re)connects can draw recent trails... */
const SNAPSHOT_HISTORY = 120;
/** ...and in all (~40 bytes each): a thousand tracks get 40 each, so a snapshot stays near 2 MB. */
const SNAPSHOT_TRAIL_POINTS = 40_000;
/** Positions sent with a track whose past a late frame filled in: the page keeps as many (web/store.ts TRAIL_LIMIT). */
const PAST_TRAIL_POINTS = 600;
/** How often per batch interval the live batcher looks for tracks due. */
const LIVE_LOOKS_PER_INTERVAL = 5;
/**
 * Alerts go out as soon as the receiver is between frames, but at most once per this (ms): those raised
 * meanwhile wait and go together.
 */
const ALERTS_GAP_MS = 100;
/** Alerts a (re)connecting page gets back. */
const ALERTS_KEPT = 100;
/**
 * A page with more than this waiting in its socket's buffer (about two seconds of updates for a thousand
 * drones, or one snapshot) is behind: it gets no track updates until its socket has drained, then a fresh
 * snapshot. Alerts still go to it (they are few, and a banner must not wait).
 */
export const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;
/** Longest track key a page may ask the details of. */
const MAX_KEY_LENGTH = 256;
/** ws sends a Buffer as a binary frame unless told: the pages' messages are JSON text, whichever form they are given in. */
const TEXT_FRAME = { binary: false } as const;
/** Largest request body (a drawn zone) and WebSocket message taken. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Why the server cannot listen, with what to do about it. */
function listenError(e: NodeJS.ErrnoException, host: string, port: number): ToolkitError {
  const where = `${host}:${port}`;
  // rid-scan puts "--web: " before the message: no subject of its own.
  const opts = { cause: e };
  if (e.code === 'EADDRINUSE') return new ToolkitError('port-in-use', `${where} is in use by another program`, { ...opts, fix: `give another port (--web ${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:PORT), or stop the program that holds it` });
  if (e.code === 'EACCES') return new ToolkitError('permission', `not allowed to listen on ${where}`, { ...opts, fix: 'use a port above 1023' });
  if (e.code === 'EADDRNOTAVAIL') return new ToolkitError('no-address', `${host} is not an address of this machine`, { ...opts, fix: 'listen on 127.0.0.1, or 0.0.0.0 for every interface' });
  return new ToolkitError('listen-failed', `cannot listen on ${where}: ${e.message}`, opts);
}

export interface WebExport {
  /** URL name under /export/, e.g. "tracks.geojson". */
  name: string;
  contentType: string;
  /** The file, made now; a promise for one made in steps (so as not to hold up the receiver). */
  produce(): string | Uint8Array | Promise<string | Uint8Array>;
}

export interface WebMapOptions {
  host?: string;
  port?: number;
  /** Required off loopback (a random one is made when absent); ignored on loopback. */
  token?: string;
  assetsDir?: string;
  /** A local PMTiles basemap, served at /basemap.pmtiles. */
  basemap?: string;
  mode: 'live' | 'replay';
  /** What feeds the receiver, for the page's title. */
  source: string;
  /** The tracks as they are now (the tracker's), and one by key (undefined once merged or forgotten). */
  tracks(): Iterable<Track>;
  track(key: string): Track | undefined;
  /** Now on the frames' clock, ms. */
  now(): number;
  receiver?(): LatLonAlt | null;
  /** The zones in force, as a GeoJSON FeatureCollection (null when none). */
  zones?(): unknown;
  /** Saves a zone collection drawn on the page; present only when a zones file was configured. */
  saveZones?(collection: unknown): Promise<void>;
  exports?: WebExport[];
  batchIntervalMs?: number;
  /** Live: track states a second to the pages in all (batcher.ts, DEFAULT_STATES_PER_SECOND). */
  statesPerSecond?: number;
}

interface Client {
  ws: WebSocket;
  /** Skipped updates while its buffer was full: it gets a snapshot once drained. */
  behind: boolean;
  /** The track whose details it has open. */
  details: string | null;
  /** Called back by each of its writes: catches it up once drained. */
  written: (err?: Error) => void;
}

/** What went to the pages, for tests and the benchmark. */
export interface WebMapCounters {
  /** Snapshots sent (on connection, on request, after falling behind). */
  snapshots: number;
  /** Of those, sent because the page had fallen behind and then drained. */
  catchUps: number;
  /** Track batches (or replay moments) a page missed while behind. */
  skipped: number;
  /** Details messages sent. */
  details: number;
}

export class WebMapServer implements TrackOutput {
  readonly token: string | undefined;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly batcher: Batcher;
  /** A replay's batcher, on the frames' clock (the same object as `batcher`). */
  private readonly scene: SceneBatcher<SceneStep> | undefined;
  /** Live, the batcher (the same object as `batcher`): it watches each track for the changes not urgent. */
  private readonly live: UpdateBatcher | undefined;
  /** A replay's moments so far, for pages opened later (whether or not a page was listening then). */
  private readonly history: ReplayHistory | undefined;
  private readonly alerts: WebAlert[] = [];
  private assets = new Map<string, string>();
  private nextAlertId = 1;
  private url: URL | undefined;
  private closed = false;
  private readonly sockets = new Set<Socket>();
  readonly counters: WebMapCounters = { snapshots: 0, catchUps: 0, skipped: 0, details: 0 };
  /**
   * Each track's summary as last sent to the pages: what the next batch's deltas are taken against, and
   * what a snapshot holds. Kept only while a page is connected (`sentValid`).
   */
  private readonly sent = new Map<string, SentSummary>();
  private sentValid = false;
  /**
   * Tracks whose history a late frame filled in (TrackUpdate.late): their next change goes whole, with
   * their trail, since the page builds trails from the positions it is sent.
   */
  private readonly pastFilled = new Set<string>();
  /** Alerts raised and not sent yet. */
  private alertsDue: WebAlert[] = [];
  /** The alerts' send, when due: at once (between frames) or at the end of the gap since the last send. */
  private alertTimer: NodeJS.Timeout | undefined;
  /** When alerts last went out (wall ms). */
  private alertsSentAt = -Infinity;

  constructor(private readonly opts: WebMapOptions) {
    const host = opts.host ?? DEFAULT_WEB_HOST;
    this.token = isLoopbackHost(host) ? undefined : (opts.token ?? newToken());
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // No permessage-deflate (ws's default, said here): deflating ~400 KB/s for a thousand drones would cost
    // the receiver more than the bytes cost a local network.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
    const minIntervalMs = opts.batchIntervalMs ?? 500;
    if (opts.mode === 'replay') {
      this.history = new ReplayHistory();
      // The moments are made from the start, heard or not: the summaries they are taken against stay valid.
      this.sentValid = true;
      this.scene = new SceneBatcher<SceneStep>({ capture: (keys, removed, at) => this.step(keys, removed, at), send: (steps) => this.sendSteps(steps) }, { minIntervalMs });
      this.batcher = this.scene;
    } else {
      // Looked at five times per interval (every 100 ms; with a crowd's longer interval up to every 200): a
      // position then waits 50-100 ms on average, and a thousand drones are five messages a second — each
      // one a socket write here and a render in the page.
      this.batcher = this.live = new UpdateBatcher((keys, removed) => this.sendTracks(keys, removed), { minIntervalMs, flushEveryMs: minIntervalMs / LIVE_LOOKS_PER_INTERVAL, ...(opts.statesPerSecond ? { statesPerSecond: opts.statesPerSecond } : {}) });
    }
  }

  /** Binds and starts serving; resolves with the URL to open (with the token when one is needed). */
  async start(): Promise<URL> {
    try {
      this.assets = listAssets(this.opts.assetsDir ?? DEFAULT_ASSETS_DIR);
    } catch (e) {
      // No folder at all is a page not built either (the check below says so).
      if (!['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      this.assets = new Map();
    }
    if (!this.assets.has('/index.html')) throw new ToolkitError('not-built', `the map page is not built (no index.html in ${this.opts.assetsDir ?? DEFAULT_ASSETS_DIR})`, { subject: 'rid-scan --web', fix: 'run pnpm build' });
    const host = this.opts.host ?? DEFAULT_WEB_HOST;
    const port = this.opts.port ?? DEFAULT_WEB_PORT;
    await new Promise<void>((resolve, reject) => {
      const failed = (e: NodeJS.ErrnoException): void => reject(listenError(e, host, port));
      this.server.once('error', failed);
      this.server.listen(port, host.replace(/^\[|\]$/g, ''), () => {
        this.server.off('error', failed);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.url = new URL(`http://${shown}:${addr.port}/`);
    if (this.token) this.url.searchParams.set('token', this.token);
    this.batcher.start();
    return this.url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * A replay's frame at `ms` (frames' clock), told before the tracker takes it, so that what was due
   * before it is captured as it was then. Live, nothing to do.
   */
  frameTime(ms: number): void {
    this.scene?.advance(ms);
  }

  write(update: TrackUpdate): void {
    if (this.closed) throw new ToolkitError('closed', 'the map server is closed');
    const key = update.track.key;
    // (No `?? []` here: a frame brings a few updates, each would make an array for nothing.)
    if (update.merged) {
      for (const gone of update.merged) this.batcher.gone(gone, update.at);
    }
    // To the live batcher: a new position goes out fresh, a new state or flag (or alert) at once.
    const urgent = update.reason !== 'updated' || update.alerts !== undefined || update.merged !== undefined;
    if (update.late) this.pastFilled.add(key);
    else if (!urgent && this.live) return; // live, the batcher looks at the track itself (watch, below)
    this.batcher.changed(key, update.at, update.track.position ?? null, urgent);
    this.live?.watch(key, update.track);
    if (update.alerts) this.raise(update, update.alerts);
  }

  /**
   * The alerts an update raised, to the pages. Apart from write, which runs for every update: the arrow
   * function below needs a context object, and V8 would make one at each call of the function holding it
   * (a thousand drones: 26,000 a second for nothing).
   */
  private raise(update: TrackUpdate, alerts: NonNullable<TrackUpdate['alerts']>): void {
    const key = update.track.key;
    for (const a of alerts) {
      const alert: WebAlert = { id: this.nextAlertId++, kind: a.kind, key, uasId: update.track.uasId ?? null, t: update.at / 1000, text: a.text };
      if (a.flag !== undefined) alert.flag = a.flag;
      if (a.zone !== undefined) alert.zone = a.zone;
      if (a.who !== undefined) alert.who = a.who;
      this.alerts.push(alert);
      if (this.alerts.length > ALERTS_KEPT) this.alerts.shift();
      // Out as soon as the receiver is between frames, with those raised meanwhile: a lone alert at once, a
      // burst (a thousand drones appearing) every ALERTS_GAP_MS rather than after every frame.
      this.alertsDue.push(alert);
      this.alertTimer ??= setTimeout(() => this.sendAlerts(), Math.max(0, this.alertsSentAt + ALERTS_GAP_MS - Date.now()));
    }
  }

  /** The receiver's own position moved. */
  receiverMoved(receiver: LatLonAlt): void {
    this.broadcast({ type: 'receiver', receiver });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.batcher.flushDue();
    this.batcher.stop();
    clearTimeout(this.alertTimer);
    this.sendAlerts();
    for (const c of this.clients) c.ws.close(1001, 'receiver stopping');
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Keep-alive connections would hold close() open.
      for (const s of this.sockets) s.destroy();
    });
  }

  private hello(): HelloMessage {
    return {
      type: 'hello',
      version: WEB_PROTOCOL_VERSION,
      mode: this.opts.mode,
      source: this.opts.source,
      receiver: this.opts.receiver?.() ?? null,
      zones: this.opts.zones?.() ?? null,
      canSaveZones: this.opts.saveZones !== undefined,
      basemap: this.opts.basemap !== undefined,
      exports: (this.opts.exports ?? []).map((e) => e.name),
    };
  }

  /**
   * Every track as the pages have it (the summaries as last sent: a track changed since comes in the next
   * batch, as a delta against this), each with its trail as the tracker has it now.
   */
  private snapshot(): SnapshotMessage {
    if (!this.sentValid) {
      // No page was listening: the summaries are made afresh, and the batches go on from these.
      this.sent.clear();
      for (const track of this.opts.tracks()) this.sent.set(track.key, SentSummary.of(track));
      this.sentValid = true;
    }
    const trailPoints = Math.min(SNAPSHOT_HISTORY, Math.floor(SNAPSHOT_TRAIL_POINTS / Math.max(1, this.sent.size)));
    const tracks: TrackSummary[] = [];
    for (const [key, s] of this.sent) {
      const track = this.opts.track(key);
      const summary = s.summary();
      summary.trail = track && trailPoints > 0 ? trackTrail(track, trailPoints) : [];
      tracks.push(summary);
    }
    return { type: 'snapshot', t: this.opts.now() / 1000, tracks, alerts: [...this.alerts] };
  }

  /** Tracks the pipeline forgot (lost for long): pages drop them with the next batch. */
  forget(keys: readonly string[]): void {
    if (this.closed) return;
    const at = this.opts.now();
    for (const key of keys) this.batcher.gone(key, at);
  }

  private sendAlerts(): void {
    this.alertTimer = undefined;
    this.alertsSentAt = Date.now();
    const alerts = this.alertsDue;
    this.alertsDue = [];
    if (alerts.length) this.broadcast({ type: 'alerts', alerts });
  }

  /** Nobody listens: nothing is sent, and what was sent before is no longer what any page has. */
  private unheard(): void {
    this.sent.clear();
    this.pastFilled.clear();
    this.sentValid = false;
  }

  private sendTracks(keys: string[], removed: string[]): void {
    if (this.clients.size === 0) return this.unheard();
    const changes = this.changes(keys, removed, this.opts.now() / 1000);
    if (changes.tracks.length === 0 && changes.changes.length === 0 && changes.removed.length === 0) return;
    this.broadcastTracks(JSON.stringify({ type: 'tracks', ...changes }), keys, removed);
  }

  /** A moment of a replay, captured when the frames' clock passes it, and kept for pages opened later. */
  private step(keys: string[], removed: string[], at: number): SceneStep | undefined {
    const step = this.changes(keys, removed, at / 1000);
    if (step.tracks.length > 0 || step.changes.length > 0 || step.removed.length > 0) this.history!.push(step);
    return step;
  }

  private sendSteps(steps: SceneStep[]): void {
    if (this.clients.size === 0) return;
    const keys: string[] = [];
    const removed: string[] = [];
    for (const step of steps) {
      for (const t of step.tracks) keys.push(t.key);
      for (const d of step.changes) keys.push(d.key);
      for (const k of step.removed) removed.push(k);
    }
    this.broadcastTracks(JSON.stringify({ type: 'steps', steps }), keys, removed);
  }

  /**
   * These tracks as they are now, against what was sent of them: a delta for each one sent before (none
   * when nothing the summary shows changed), the whole summary of each new one. Keys no longer tracked
   * join `removed`.
   */
  private changes(keys: string[], removed: string[], t: number): TrackChanges {
    const tracks: TrackSummary[] = [];
    const changes: TrackDelta[] = [];
    for (const key of keys) {
      const track = this.opts.track(key);
      if (!track) {
        removed.push(key);
        continue;
      }
      const sent = this.sent.get(key);
      const past = this.pastFilled.size > 0 && this.pastFilled.delete(key);
      if (sent && !past) {
        // Brought up to date in place: only what changed is made anew.
        const d = sent.update(track);
        if (d) changes.push(d);
      } else {
        const now = SentSummary.of(track);
        this.sent.set(key, now);
        const whole = now.summary();
        if (past) whole.trail = trackTrail(track, PAST_TRAIL_POINTS);
        tracks.push(whole);
      }
    }
    for (const key of removed) {
      this.sent.delete(key);
      this.pastFilled.delete(key);
    }
    return { t, tracks, changes, removed };
  }

  /**
   * A batch (`text`, serialised once) to every page that keeps up, then the details of the tracks in it to
   * the pages that have them open (each made once, however many pages want it).
   */
  private broadcastTracks(text: string, keys: string[], removed: string[]): void {
    let wanted: Set<string> | undefined;
    let bytes: Buffer | undefined;
    for (const c of this.clients) {
      if (!this.ready(c)) {
        this.counters.skipped++;
        continue;
      }
      this.sendText(c, (bytes ??= Buffer.from(text)));
      if (c.details !== null) (wanted ??= new Set()).add(c.details);
    }
    if (!wanted) return;
    const made = new Map<string, string>();
    const inBatch = new Set<string>();
    for (const k of keys) if (wanted.has(k)) inBatch.add(k);
    for (const k of removed) if (wanted.has(k)) inBatch.add(k);
    if (inBatch.size === 0) return;
    for (const c of this.clients) {
      if (c.details === null || !inBatch.has(c.details) || c.behind) continue;
      let msg = made.get(c.details);
      if (msg === undefined) made.set(c.details, (msg = JSON.stringify(this.details(c.details))));
      this.sendText(c, msg);
      this.counters.details++;
    }
  }

  private details(key: string): DetailsMessage {
    const track = this.opts.track(key);
    return { type: 'details', key, t: this.opts.now() / 1000, track: track ? trackToJson(track) : null };
  }

  /** Whether a page keeps up: once its buffer is past the limit it is behind until drained (then caught up). */
  private ready(c: Client): boolean {
    if (c.behind) return false;
    if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      c.behind = true;
      return false;
    }
    return true;
  }

  /** Messages other than track batches (alerts, zones, the receiver): to every page, even one behind. */
  private broadcast(msg: ServerMessage): void {
    if (this.clients.size === 0) return;
    const bytes = Buffer.from(JSON.stringify(msg));
    for (const c of this.clients) this.sendText(c, bytes);
  }

  /**
   * A text message to one page. A message for several is given as its UTF-8 bytes, encoded once: ws would
   * encode a string again for each page.
   */
  private sendText(c: Client, text: string | Buffer): void {
    c.ws.send(text, TEXT_FRAME, c.written);
  }

  private send(c: Client, msg: ServerMessage): void {
    this.sendText(c, JSON.stringify(msg));
  }

  /**
   * A snapshot (and the details the page has open) to one page: new, asking, or caught up; a new page of a
   * replay gets the replay's past before it (`history`).
   */
  private sendSnapshot(c: Client, catchUp = false, history = false): void {
    // A replay's moments captured before the snapshot go first (to the other pages; this one skips them,
    // being behind or new): applied after it, they would take the page back.
    c.behind = true;
    this.scene?.flushDue();
    c.behind = false;
    if (history && this.history) this.send(c, this.history.message());
    this.counters.snapshots++;
    if (catchUp) this.counters.catchUps++;
    this.send(c, this.snapshot());
    if (c.details !== null) {
      this.send(c, this.details(c.details));
      this.counters.details++;
    }
  }

  /** One of a page's writes went out: a page behind that has drained now gets a fresh snapshot. */
  private drained(c: Client): void {
    if (!c.behind || !this.clients.has(c) || c.ws.readyState !== WebSocket.OPEN) return;
    if (c.ws.bufferedAmount > 0) return;
    this.sendSnapshot(c, true);
  }

  /** The Host header must name this server: a page on another name (DNS rebinding) gets nothing. */
  private hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    if (!host || !this.url) return false;
    const port = String(this.port);
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
    if (!m || (m[2] ?? '80') !== port) return false;
    const name = m[1]!.toLowerCase();
    const bound = this.opts.host ?? DEFAULT_WEB_HOST;
    if (isLoopbackHost(bound)) return isLoopbackHost(name);
    // Off loopback the token is the gate; any name that reaches us (an IP, a local hostname) is fine.
    return true;
  }

  private authorised(req: IncomingMessage, url: URL): boolean {
    if (this.token === undefined) return true;
    return tokenMatches(requestToken(url, req.headers.cookie), this.token);
  }

  private securityHeaders(res: ServerResponse): void {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.securityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://receiver.invalid');
    if (!this.hostAllowed(req)) return plain(res, 421, 'wrong host for this receiver');
    if (!this.authorised(req, url)) return plain(res, 401, 'this map needs the token the receiver printed');
    if (this.token !== undefined && url.searchParams.has('token')) {
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${encodeURIComponent(this.token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    const method = req.method ?? 'GET';
    try {
      if (url.pathname === '/zones') return void this.postZones(req, res, method);
      if (method !== 'GET' && method !== 'HEAD') return plain(res, 405, 'method not allowed');
      if (url.pathname.startsWith('/export/')) return void this.sendExport(res, url.pathname.slice('/export/'.length), method === 'HEAD');
      if (url.pathname === '/basemap.pmtiles') {
        if (!this.opts.basemap) return plain(res, 404, 'no basemap given (--basemap FILE.pmtiles)');
        // Tiles never change during a run: the browser may keep them.
        res.setHeader('Cache-Control', 'private, max-age=3600');
        return sendFile(res, this.opts.basemap, req.headers.range, method === 'HEAD');
      }
      const file = this.assets.get(url.pathname === '/' ? '/index.html' : url.pathname);
      if (!file) return plain(res, 404, 'not found');
      sendFile(res, file, undefined, method === 'HEAD');
    } catch (e) {
      plain(res, 500, `receiver error: ${(e as Error).message}`);
    }
  }

  private async sendExport(res: ServerResponse, name: string, headOnly: boolean): Promise<void> {
    const exp = this.opts.exports?.find((e) => e.name === name);
    if (!exp) return plain(res, 404, 'no such export');
    let body: string | Uint8Array;
    try {
      body = await exp.produce();
    } catch (e) {
      return plain(res, 500, `receiver error: ${(e as Error).message}`);
    }
    res.setHeader('Content-Type', exp.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${exp.name}"`);
    res.end(headOnly ? undefined : body);
  }

  private async postZones(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (method !== 'POST') return plain(res, 405, 'POST a GeoJSON FeatureCollection');
    if (!this.opts.saveZones) return plain(res, 404, 'no zones file configured (--zones FILE)');
    // A form on another site cannot post JSON without a preflight we never answer, but say it plainly.
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return plain(res, 415, 'send application/json');
    let body: string;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (e) {
      return plain(res, 413, (e as Error).message);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return plain(res, 400, 'the body is not JSON');
    }
    try {
      await this.opts.saveZones(parsed);
    } catch (e) {
      return plain(res, 400, (e as Error).message);
    }
    plain(res, 204, '');
    this.broadcast({ type: 'zones', zones: this.opts.zones?.() ?? parsed });
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://receiver.invalid');
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (!this.hostAllowed(req)) return refuse(421, 'Misdirected Request');
    if (!this.authorised(req, url)) return refuse(401, 'Unauthorized');
    // Only the page itself may open the socket (a site the officer also visits may not).
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return refuse(403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  private connected(ws: WebSocket): void {
    const client: Client = {
      ws,
      behind: false,
      details: null,
      written: (err) => {
        if (!err) this.drained(client);
      },
    };
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: PageMessage;
      try {
        msg = JSON.parse(String(data)) as PageMessage;
      } catch {
        return;
      }
      if (msg?.type === 'resync') {
        this.sendSnapshot(client);
      } else if (msg?.type === 'details') {
        const key = msg.key;
        if (key !== null && (typeof key !== 'string' || key.length > MAX_KEY_LENGTH)) return;
        client.details = key;
        if (key !== null && !client.behind) {
          this.send(client, this.details(key));
          this.counters.details++;
        }
      }
    });
    this.send(client, this.hello());
    // The replay's moments captured so far go to the other pages; this one starts from its past and the
    // snapshot, which hold them.
    this.sendSnapshot(client, false, true);
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  if (status === 204) return void res.end();
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`${text}\n`);
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error(`body larger than ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
