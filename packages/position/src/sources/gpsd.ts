/**
 * gpsd position source: the gpsd JSON protocol over TCP. Sends ?WATCH, reads newline-delimited JSON
 * reports (which arrive split across TCP segments), turns TPV reports into fixes and keeps the SKY
 * DOPs for when TPV has no error estimates. Reconnects with backoff when gpsd goes away.
 */
import { connect, type Socket } from 'node:net';
import { LineSplitter, ToolkitError, UsageError } from '@odid/commands';
import type { Clock } from '../clock.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { PositionSourceError } from './errors.js';
import { normalizeDegrees } from '../geo.js';
import { DEFAULT_UERE } from './nmea-assemble.js';
import type { Fix, FixType, PositionSource, SourceEvents } from './types.js';

export const GPSD_DEFAULT_PORT = 2947;

export interface GpsdAddress {
  host: string;
  port: number;
  /** Only use reports from this device (gpsd://host:port/dev/ttyUSB0). */
  device?: string;
}

/**
 * gpsd://host:port[/device] -> address. Defaults: localhost:2947. "localhost" becomes 127.0.0.1, where
 * gpsd listens by default, so no resolver is involved.
 */
export function parseGpsdUrl(spec: string): GpsdAddress {
  const usage = 'expected gpsd://host:port (e.g. gpsd://127.0.0.1:2947, gpsd:// for the default localhost:2947)';
  const bad = (reason: string): UsageError => new UsageError('bad-gpsd-url', reason, { fix: usage });
  if (!/^gpsd:/i.test(spec)) throw bad(`not a gpsd URL: '${spec}'`);
  const rest = spec.slice(5);
  if (rest === '' || rest === '//') return { host: '127.0.0.1', port: GPSD_DEFAULT_PORT };
  let url: URL;
  try {
    url = new URL(rest.startsWith('//') ? `gpsd:${rest}` : `gpsd://${rest}`);
  } catch {
    throw bad(`bad gpsd URL '${spec}'`);
  }
  if (url.username || url.password || url.search || url.hash) throw bad(`bad gpsd URL '${spec}': no user, query or fragment allowed`);
  const port = url.port === '' ? GPSD_DEFAULT_PORT : Number(url.port);
  if (!(port >= 1 && port <= 65535)) throw bad(`bad gpsd port in '${spec}'`);
  let host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '' || host.toLowerCase() === 'localhost') host = '127.0.0.1';
  const device = url.pathname && url.pathname !== '/' ? decodeURIComponent(url.pathname) : undefined;
  return { host, port, ...(device ? { device } : {}) };
}

export interface GpsdSourceOptions extends Partial<GpsdAddress> {
  clock: Clock;
  reconnect?: BackoffOptions;
  /** Give up on one connection attempt after this long (default 5000 ms). */
  connectTimeoutMs?: number;
  /** UERE (m) for the SKY-DOP accuracy fallback (default 3.5). */
  uere?: number;
}

export interface SkyInfo {
  hdop?: number;
  vdop?: number;
  satellitesVisible?: number;
  satellitesUsed?: number;
}

export interface GpsdEvents extends SourceEvents {
  connect: { host: string; port: number };
  disconnect: Error;
  sky: SkyInfo;
  /** Every JSON report as received (TPV, SKY, VERSION, DEVICES, ...). */
  report: Record<string, unknown>;
}

export interface GpsdStats {
  connects: number;
  reports: number;
  tpv: number;
  sky: number;
  /** Lines that were not JSON objects. */
  bad: number;
  /** TPV reports without a usable position (mode < 2). */
  noFix: number;
}

export class GpsdSource extends Emitter<GpsdEvents> implements PositionSource {
  readonly name: string;
  readonly address: GpsdAddress;
  readonly stats: GpsdStats = { connects: 0, reports: 0, tpv: 0, sky: 0, bad: 0, noFix: 0 };
  /** gpsd's release, from its VERSION banner. */
  release: string | undefined;
  sky: SkyInfo = {};
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly connectTimeoutMs: number;
  private readonly uere: number;
  private socket: Socket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private last: Fix | undefined;

  constructor(opts: GpsdSourceOptions) {
    super();
    this.address = { host: opts.host ?? '127.0.0.1', port: opts.port ?? GPSD_DEFAULT_PORT, ...(opts.device ? { device: opts.device } : {}) };
    this.name = `gpsd://${this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host}:${this.address.port}${this.address.device ?? ''}`;
    this.clock = opts.clock;
    this.backoff = new Backoff(opts.reconnect);
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.uere = opts.uere ?? DEFAULT_UERE;
  }

  /** Connects once; rejects with what to do if gpsd is not there. Later losses reconnect by themselves. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.attach(await this.connectOnce());
    } catch (e) {
      this.running = false;
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const s = this.socket;
    this.socket = undefined;
    if (s && !s.destroyed) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.destroy();
      });
    }
  }

  latest(): Fix | undefined {
    return this.last;
  }

  private connectOnce(): Promise<Socket> {
    const { host, port } = this.address;
    return new Promise((resolve, reject) => {
      const s = connect({ host, port });
      const fail = (err: Error): void => {
        s.destroy();
        const code = (err as NodeJS.ErrnoException).code ?? err.message;
        reject(
          new PositionSourceError(
            'unreachable',
            `gpsd not reachable at ${host}:${port} (${code})`,
            'run gpsd, watching your receiver. Install: apt-get install gpsd; start: systemctl start gpsd (DEVICES= in /etc/default/gpsd) or gpsd -N -n /dev/ttyUSB0; check: gpspipe -w -n 5',
            { cause: err },
          ),
        );
      };
      s.setTimeout(this.connectTimeoutMs, () => fail(new Error(`ETIMEDOUT after ${this.connectTimeoutMs} ms`)));
      s.once('error', fail);
      s.once('connect', () => {
        s.setTimeout(0);
        s.off('error', fail);
        const watch: Record<string, unknown> = { enable: true, json: true };
        if (this.address.device) watch.device = this.address.device;
        s.write(`?WATCH=${JSON.stringify(watch)};\n`);
        resolve(s);
      });
    });
  }

  private attach(s: Socket): void {
    if (!this.running) {
      s.destroy();
      return;
    }
    this.socket = s;
    this.stats.connects++;
    this.emit('connect', { host: this.address.host, port: this.address.port });
    const lines = new LineSplitter('utf8', 1 << 20);
    let lastError: Error | undefined;
    s.on('data', (chunk: Buffer) => {
      for (const line of lines.push(chunk)) this.report(line);
    });
    s.on('error', (err) => {
      lastError = err;
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      if (!this.running) return;
      const err = new Error(`gpsd connection to ${this.address.host}:${this.address.port} lost${lastError ? ` (${lastError.message})` : ''}; reconnecting`);
      this.emit('disconnect', err);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connectOnce().then(
        (s) => this.attach(s),
        (e: Error) => {
          if (!this.running) return;
          this.emit('error', e);
          this.scheduleReconnect();
        },
      );
    }, this.backoff.next());
  }

  private report(line: string): void {
    if (line.trim() === '') return;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      this.stats.bad++;
      return;
    }
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      this.stats.bad++;
      return;
    }
    const rep = r as Record<string, unknown>;
    this.stats.reports++;
    // gpsd answered: the link works, so the next loss starts again from a short delay.
    this.backoff.reset();
    this.emit('report', rep);
    switch (rep.class) {
      case 'VERSION':
        this.release = str(rep.release);
        break;
      case 'DEVICES':
        if (Array.isArray(rep.devices) && rep.devices.length === 0) {
          const reason = `gpsd at ${this.address.host}:${this.address.port} has no GNSS device`;
          this.emit('error', new PositionSourceError('no-gnss', reason, 'add one: gpsdctl add /dev/ttyUSB0, or DEVICES="/dev/ttyUSB0" in /etc/default/gpsd'));
        }
        break;
      case 'ERROR':
        // gpsd refused what we asked (its own words); typed, its message stays "gpsd: MESSAGE".
        this.emit('error', new ToolkitError('gpsd-error', str(rep.message) ?? JSON.stringify(rep), { subject: 'gpsd' }));
        break;
      case 'SKY':
        this.stats.sky++;
        this.onSky(rep);
        break;
      case 'TPV':
        this.stats.tpv++;
        this.onTpv(rep);
        break;
    }
  }

  private onSky(rep: Record<string, unknown>): void {
    if (this.address.device && rep.device !== undefined && rep.device !== this.address.device) return;
    const sats = Array.isArray(rep.satellites) ? (rep.satellites as Record<string, unknown>[]) : undefined;
    const sky: SkyInfo = {};
    const hdop = num(rep.hdop);
    const vdop = num(rep.vdop);
    if (hdop !== undefined) sky.hdop = hdop;
    if (vdop !== undefined) sky.vdop = vdop;
    const visible = num(rep.nSat) ?? sats?.length;
    const used = num(rep.uSat) ?? sats?.filter((s) => s.used === true).length;
    if (visible !== undefined) sky.satellitesVisible = visible;
    if (used !== undefined) sky.satellitesUsed = used;
    // gpsd may send a SKY with only satellites and no DOPs: keep the DOPs we had.
    this.sky = { ...this.sky, ...sky };
    this.emit('sky', this.sky);
  }

  private onTpv(rep: Record<string, unknown>): void {
    if (this.address.device && rep.device !== undefined && rep.device !== this.address.device) return;
    const mode = num(rep.mode) ?? 0;
    const lat = num(rep.lat);
    const lon = num(rep.lon);
    if (mode < 2 || lat === undefined || lon === undefined) {
      this.stats.noFix++;
      return;
    }
    const parsedTime = typeof rep.time === 'string' ? Date.parse(rep.time) : NaN;
    const fixType: FixType = mode >= 3 ? '3d' : '2d';
    const fix: Fix = { time: Number.isFinite(parsedTime) ? parsedTime : this.clock.now(), latitude: lat, longitude: lon, fixType };

    if (fixType === '3d') {
      // gpsd >= 3.20 reports altHAE; older ones only "alt".
      const altMsl = num(rep.altMSL);
      const sep = num(rep.geoidSep);
      const hae = num(rep.altHAE) ?? (altMsl !== undefined && sep !== undefined ? altMsl + sep : undefined) ?? num(rep.alt);
      if (hae !== undefined) fix.altitudeGeo = hae;
      const climb = num(rep.climb);
      if (climb !== undefined) fix.speedVertical = climb;
    }
    const speed = num(rep.speed);
    if (speed !== undefined) fix.speedHorizontal = speed;
    const track = num(rep.track);
    if (track !== undefined) fix.direction = normalizeDegrees(track);

    // gpsd's ep* are 95 % estimates. epx/epy are per axis: their hypotenuse is a (slightly pessimistic) radius.
    const epx = num(rep.epx);
    const epy = num(rep.epy);
    const h = num(rep.eph) ?? (epx !== undefined && epy !== undefined ? Math.hypot(epx, epy) : undefined) ?? (this.sky.hdop !== undefined ? 2 * this.sky.hdop * this.uere : undefined);
    if (h !== undefined) fix.horizontalAccuracy = h;
    const v = num(rep.epv) ?? (this.sky.vdop !== undefined ? 1.96 * this.sky.vdop * this.uere : undefined);
    if (v !== undefined && fixType === '3d') fix.verticalAccuracy = v;
    const eps = num(rep.eps);
    if (eps !== undefined) fix.speedAccuracy = eps;

    this.last = fix;
    this.emit('fix', fix);
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
