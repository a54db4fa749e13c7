/**
 * The WebSocket to the receiver: reconnects with a growing, jittered delay (0.5 s doubling to 15 s) and
 * starts over from the snapshot the receiver sends on every new connection, so nothing missed while away
 * is left stale. A connection silent for 45 s (the receiver answers pings) is taken for dead; a tab shown
 * again after a while asks for a fresh snapshot.
 */

import type { PageMessage, ServerMessage } from '../src/outputs/web/protocol.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed' | 'refused';

export interface ConnectionOptions {
  url: () => string;
  onMessage: (msg: ServerMessage) => void;
  onStatus: (status: ConnectionStatus, detail: string) => void;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;
const PING_EVERY_MS = 15_000;
const DEAD_AFTER_MS = 45_000;
/** Hidden longer than this: ask for a snapshot when shown again (timers were throttled meanwhile). */
const RESYNC_AFTER_HIDDEN_MS = 20_000;
/** Close codes that say the token is wrong: retrying will not help. */
const REFUSED_CODES = new Set([1008, 4401, 4403]);

export class Connection {
  private ws: WebSocket | undefined;
  private delay = FIRST_DELAY_MS;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private ping: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private hiddenAt = 0;
  private stopped = false;
  /** Connections opened so far (1 = the first). */
  attempts = 0;

  constructor(private readonly opts: ConnectionOptions) {
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) this.hiddenAt = Date.now();
      else if (this.hiddenAt && Date.now() - this.hiddenAt > RESYNC_AFTER_HIDDEN_MS) this.send({ type: 'resync' });
    });
    window.addEventListener('online', () => this.reconnectNow());
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    this.ws?.close(1000, 'page closed');
  }

  send(msg: PageMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  resync(): void {
    this.send({ type: 'resync' });
  }

  /** Reconnects at once (the network came back, or the user asked). */
  reconnectNow(): void {
    if (this.stopped) return;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    clearTimeout(this.retry);
    this.delay = FIRST_DELAY_MS;
    this.open();
  }

  private open(): void {
    this.attempts++;
    this.opts.onStatus('connecting', this.attempts > 1 ? `reconnecting (attempt ${this.attempts})` : 'connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url());
    } catch (e) {
      this.opts.onStatus('closed', (e as Error).message);
      this.schedule();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.lastHeard = Date.now();
      this.opts.onStatus('open', 'connected');
      clearInterval(this.ping);
      this.ping = setInterval(() => {
        if (Date.now() - this.lastHeard > DEAD_AFTER_MS) {
          ws.close(4000, 'silent');
          return;
        }
        this.send({ type: 'ping' });
      }, PING_EVERY_MS);
    });
    ws.addEventListener('message', (ev: MessageEvent) => {
      this.lastHeard = Date.now();
      if (typeof ev.data !== 'string') return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return;
      }
      if (msg && typeof msg === 'object' && typeof msg.type === 'string') {
        // A good session: the next loss starts over with a short delay.
        if (msg.type === 'hello') this.delay = FIRST_DELAY_MS;
        this.opts.onMessage(msg);
      }
    });
    let opened = false;
    ws.addEventListener('open', () => (opened = true));
    ws.addEventListener('close', (ev: CloseEvent) => {
      clearInterval(this.ping);
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.stopped) return;
      if (REFUSED_CODES.has(ev.code)) {
        this.refused(ev.reason || `code ${ev.code}`);
        return;
      }
      this.opts.onStatus('closed', `connection lost${ev.reason ? ` (${ev.reason})` : ''}; retrying in ${Math.round(this.delay / 100) / 10} s`);
      this.schedule();
      // A browser does not say why a WebSocket could not open: ask the receiver whether this page may.
      if (!opened) void this.checkAccess();
    });
  }

  /**
   * After a failed connection: a 401 for the page itself means the receiver wants a token this page does
   * not have (it was restarted, with a new one). Retrying goes on, slowly, in case it comes back.
   */
  private async checkAccess(): Promise<void> {
    try {
      const res = await fetch(window.location.pathname, { method: 'HEAD', cache: 'no-store', credentials: 'same-origin' });
      if (res.status === 401 && !this.ws) this.refused('HTTP 401');
    } catch {
      // Unreachable: that is what 'closed' already says.
    }
  }

  private refused(why: string): void {
    this.opts.onStatus('refused', `the receiver refused this page (${why}): open the address rid-scan printed, with its token`);
    this.delay = MAX_DELAY_MS;
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.retry);
    const wait = this.delay * (0.8 + Math.random() * 0.4);
    this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
    this.retry = setTimeout(() => this.open(), wait);
  }
}
