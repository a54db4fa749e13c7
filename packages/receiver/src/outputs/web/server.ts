/**
 * The live map, served from the receiver process itself: the page (built into dist/web), a WebSocket that
 * streams track changes (batched: at most two a second per track) after a snapshot, exports made by the
 * receiver on request, and — only when a zones file was given — saving a zone drawn on the map to it.
 *
 * Nothing is fetched from elsewhere and nothing else changes the receiver. Off loopback every request and
 * every WebSocket upgrade needs the session's token (401 otherwise). The Host header must name this
 * server (no DNS rebinding), a WebSocket's Origin must be the page's own, and a Content-Security-Policy
 * forbids every other origin.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { trackHistoryToJson, trackToJson, type TrackJson } from '../../tracker/track-json.js';
import type { Track, TrackUpdate } from '../../tracker/types.js';
import type { TrackOutput } from '../types.js';
import { isLoopbackHost, newToken, requestToken, tokenMatches, TOKEN_COOKIE } from './access.js';
import { UpdateBatcher } from './batcher.js';
import type { HelloMessage, LatLonAlt, PageMessage, ServerMessage, WebAlert } from './protocol.js';
import { WEB_PROTOCOL_VERSION } from './protocol.js';
import { listAssets, sendFile } from './static-files.js';

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

/** Positions kept per track in a snapshot, so a page that (re)connects can draw recent trails. */
const SNAPSHOT_HISTORY = 120;
/** Alerts a (re)connecting page gets back. */
const ALERTS_KEPT = 100;
/** A page further behind than this gets no more updates until it has drained, then a fresh snapshot. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Largest request body (a drawn zone) and WebSocket message taken. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface WebExport {
  /** URL name under /export/, e.g. "tracks.geojson". */
  name: string;
  contentType: string;
  produce(): string | Uint8Array;
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
}

interface Client {
  ws: WebSocket;
  /** Skipped updates while its buffer was full: it gets a snapshot once drained. */
  behind: boolean;
}

export class WebMapServer implements TrackOutput {
  readonly token: string | undefined;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly batcher: UpdateBatcher;
  private readonly alerts: WebAlert[] = [];
  private assets = new Map<string, string>();
  private nextAlertId = 1;
  private url: URL | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: WebMapOptions) {
    const host = opts.host ?? DEFAULT_WEB_HOST;
    this.token = isLoopbackHost(host) ? undefined : (opts.token ?? newToken());
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
    this.batcher = new UpdateBatcher((keys, removed) => this.sendTracks(keys, removed), { minIntervalMs: opts.batchIntervalMs ?? 500 });
  }

  /** Binds and starts serving; resolves with the URL to open (with the token when one is needed). */
  async start(): Promise<URL> {
    this.assets = listAssets(this.opts.assetsDir ?? DEFAULT_ASSETS_DIR);
    if (!this.assets.has('/index.html')) throw new Error(`the map page is not built (no index.html in ${this.opts.assetsDir ?? DEFAULT_ASSETS_DIR}): run pnpm build`);
    const host = this.opts.host ?? DEFAULT_WEB_HOST;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? DEFAULT_WEB_PORT, host.replace(/^\[|\]$/g, ''), () => {
        this.server.off('error', reject);
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

  write(update: TrackUpdate): void {
    const key = update.track.key;
    for (const gone of update.merged ?? []) this.batcher.gone(gone);
    this.batcher.changed(key);
    for (const a of update.alerts ?? []) {
      const alert: WebAlert = { id: this.nextAlertId++, kind: a.kind, key, uasId: update.track.uasId ?? null, t: update.at / 1000, text: a.text };
      if (a.flag !== undefined) alert.flag = a.flag;
      if (a.zone !== undefined) alert.zone = a.zone;
      if (a.who !== undefined) alert.who = a.who;
      this.alerts.push(alert);
      if (this.alerts.length > ALERTS_KEPT) this.alerts.shift();
      this.broadcast({ type: 'alert', alert });
    }
  }

  /** The receiver's own position moved. */
  receiverMoved(receiver: LatLonAlt): void {
    this.broadcast({ type: 'receiver', receiver });
  }

  async close(): Promise<void> {
    this.batcher.flushDue();
    this.batcher.stop();
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

  private snapshot(): ServerMessage {
    const tracks: TrackJson[] = [];
    for (const track of this.opts.tracks()) {
      const json = trackToJson(track);
      json.history = trackHistoryToJson(track).slice(-SNAPSHOT_HISTORY);
      tracks.push(json);
    }
    return { type: 'snapshot', t: this.opts.now() / 1000, tracks, alerts: [...this.alerts] };
  }

  private sendTracks(keys: string[], removed: string[]): void {
    if (this.clients.size === 0) return;
    const tracks: TrackJson[] = [];
    for (const key of keys) {
      const track = this.opts.track(key);
      if (track) tracks.push(trackToJson(track));
      else removed.push(key);
    }
    this.broadcast({ type: 'tracks', t: this.opts.now() / 1000, tracks, removed });
  }

  private broadcast(msg: ServerMessage): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(msg);
    for (const c of this.clients) {
      if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        c.behind = true;
        continue;
      }
      if (c.behind) {
        c.behind = false;
        this.send(c, this.snapshot());
      }
      c.ws.send(text);
    }
  }

  private send(c: Client, msg: ServerMessage): void {
    c.ws.send(JSON.stringify(msg));
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
      if (url.pathname.startsWith('/export/')) return this.sendExport(res, url.pathname.slice('/export/'.length), method === 'HEAD');
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

  private sendExport(res: ServerResponse, name: string, headOnly: boolean): void {
    const exp = this.opts.exports?.find((e) => e.name === name);
    if (!exp) return plain(res, 404, 'no such export');
    const body = exp.produce();
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
    const client: Client = { ws, behind: false };
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
      if (msg?.type === 'resync') this.send(client, this.snapshot());
    });
    this.send(client, this.hello());
    this.send(client, this.snapshot());
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
