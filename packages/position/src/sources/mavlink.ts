/**
 * MAVLink 2 position source (node-mavlink) over UDP or a serial port. Fixes come from, in order of
 * preference: OPEN_DRONE_ID_LOCATION (an autopilot that already speaks Remote ID drives the broadcast),
 * GLOBAL_POSITION_INT (the autopilot's fused position, completed with GPS_RAW_INT's ellipsoid height and
 * accuracies), or GPS_RAW_INT alone. The other OPEN_DRONE_ID_* messages come out as 'odid' events.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { UsageError } from '@odid/commands';
import type { common, minimal, MavLinkPacketSplitter, MavLinkPacketRegistry, MavLinkProtocol } from 'node-mavlink';
import type { Clock } from '../clock.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { PositionSourceError } from './errors.js';
import { courseFromVelocity, normalizeDegrees } from '../geo.js';
import { odidLocationToFix, odidToPlain, type OdidMavlinkMessage } from './mavlink-odid.js';
import { DEFAULT_UERE } from './nmea-assemble.js';
import { checkBaudRate, openSerialPort, type SerialLoader, type SerialPortLike } from './serial.js';
import type { Fix, FixStatus, FixType, PositionSource, SourceEvents } from './types.js';

export * from './mavlink-odid.js';

export type MavlinkEndpoint = { kind: 'udp'; host: string; port: number } | { kind: 'serial'; path: string; baudRate: number };

export const MAVLINK_DEFAULT_UDP_PORT = 14550;
export const MAVLINK_DEFAULT_BAUD = 57600;

const ENDPOINT_FORMS = 'udp://:14550 (listen on all interfaces), udp://127.0.0.1:14550 (listen on one address), serial:/dev/ttyACM0?baud=57600';

/** What is wrong with an endpoint, as "mavlink: REASON; FIX". */
const bad = (reason: string, fix?: string): UsageError => new UsageError('bad-mavlink-endpoint', reason, { subject: 'mavlink', ...(fix ? { fix } : {}) });

/** 'udp://[host]:port' (listen) or 'serial:/dev/tty...[?baud=N]'. */
export function parseMavlinkEndpoint(spec: string): MavlinkEndpoint {
  const udp = /^udp:\/\/(?:\[([^\]]+)\]|([^:/?#]*))(?::(\d+))?\/?$/i.exec(spec);
  if (udp) {
    const port = udp[3] === undefined ? MAVLINK_DEFAULT_UDP_PORT : Number(udp[3]);
    if (!(port >= 1 && port <= 65535)) throw bad(`bad UDP port in '${spec}'`, `accepted: ${ENDPOINT_FORMS}`);
    const host = udp[1] ?? (udp[2] || '0.0.0.0');
    return { kind: 'udp', host: host.toLowerCase() === 'localhost' ? '127.0.0.1' : host, port };
  }
  const serial = /^serial:([^?]+)(?:\?(.*))?$/i.exec(spec);
  if (serial) {
    const params = new URLSearchParams(serial[2] ?? '');
    for (const k of params.keys()) if (k !== 'baud') throw bad(`unknown option '${k}' in '${spec}' (only ?baud=N)`);
    const baud = params.has('baud') ? Number(params.get('baud')) : MAVLINK_DEFAULT_BAUD;
    return { kind: 'serial', path: serial[1]!, baudRate: checkBaudRate(baud, `mavlink:${spec}`) };
  }
  throw bad(`cannot use '${spec}'`, `accepted: ${ENDPOINT_FORMS}`);
}

export interface MavlinkSourceOptions {
  endpoint: MavlinkEndpoint | string;
  clock: Clock;
  /** Only take positions from this MAVLink system id; default: the first system that sends one. */
  systemId?: number;
  /** Serial: reopen after the device goes away, with these delays; false = give up. */
  reopen?: BackoffOptions | false;
  serialLoader?: SerialLoader;
  /** UERE in m for the HDOP/VDOP accuracy fallback (default 3.5). */
  uere?: number;
}

export interface MavlinkEvents extends SourceEvents {
  /** Every OPEN_DRONE_ID_* message (BASIC_ID, LOCATION, AUTHENTICATION, SELF_ID, SYSTEM, OPERATOR_ID, MESSAGE_PACK). */
  odid: OdidMavlinkMessage;
}

export interface MavlinkStats {
  packets: number;
  crcErrors: number;
  /** Packets whose message id is not in node-mavlink's common dialect. */
  unknown: number;
  /** Frames with a good CRC whose payload could not be decoded. */
  malformed: number;
  byMsgId: Record<number, number>;
}

type NodeMavlink = typeof import('node-mavlink');
interface MavlinkLib {
  lib: NodeMavlink;
  registry: MavLinkPacketRegistry;
}
let mavlinkLib: Promise<MavlinkLib> | undefined;
/**
 * node-mavlink (its dialects take ~150 ms to load) is loaded when a MAVLink source starts, not when the
 * package is imported: every CLI that merely can read a position would pay for it at each start.
 */
const loadMavlink = (): Promise<MavlinkLib> =>
  (mavlinkLib ??= import('node-mavlink').then((lib) => ({ lib, registry: { ...lib.minimal.REGISTRY, ...lib.common.REGISTRY } })));
const MSG = { HEARTBEAT: 0, SYSTEM_TIME: 2, GPS_RAW_INT: 24, SCALED_PRESSURE: 29, GLOBAL_POSITION_INT: 33, EXTENDED_SYS_STATE: 245 } as const;
const UNKNOWN_U16 = 65535;
/** Data older than this is not merged into a fix. */
const RECENT_MS = 2000;
/** While a better source was heard within this time, lesser ones do not produce fixes. */
const PREFER_MS = 3000;

interface SystemState {
  gps?: GpsState;
  /** Unix ms minus boot ms, from SYSTEM_TIME. */
  bootOffset?: number;
  baro?: { at: number; alt: number };
  landed?: { at: number; state: number };
  heartbeat?: { at: number; armed: boolean; emergency: boolean };
}

interface GpsState {
  at: number;
  fixType: number;
  time?: number;
  lat: number;
  lon: number;
  altMsl: number;
  altEllipsoid?: number;
  hAcc?: number;
  vAcc?: number;
  velAcc?: number;
  hdop?: number;
  vdop?: number;
  vel?: number;
  cog?: number;
}

export class MavlinkSource extends Emitter<MavlinkEvents> implements PositionSource {
  readonly name: string;
  readonly endpoint: MavlinkEndpoint;
  readonly stats: MavlinkStats = { packets: 0, crcErrors: 0, unknown: 0, malformed: 0, byMsgId: {} };
  private readonly opts: MavlinkSourceOptions;
  private readonly clock: Clock;
  private readonly uere: number;
  private vehicle: number | undefined;
  private last: Fix | undefined;
  private udp: UdpSocket | undefined;
  private serial: SerialPortLike | undefined;
  private splitter: MavLinkPacketSplitter | undefined;
  /** node-mavlink, from start() on. */
  private mavlink: MavlinkLib | undefined;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  /** What each MAVLink system has told us; a GCS sends SYSTEM_TIME too, so keep them apart. */
  private readonly systems = new Map<number, SystemState>();
  private lastOdidAt = -Infinity;
  private lastGpiAt = -Infinity;

  constructor(opts: MavlinkSourceOptions) {
    super();
    this.opts = opts;
    this.endpoint = typeof opts.endpoint === 'string' ? parseMavlinkEndpoint(opts.endpoint) : opts.endpoint;
    if (this.endpoint.kind === 'serial') checkBaudRate(this.endpoint.baudRate, `mavlink:serial:${this.endpoint.path}`);
    const e = this.endpoint;
    this.name = e.kind === 'udp' ? `mavlink:udp://${isIPv6(e.host) ? `[${e.host}]` : e.host}:${e.port}` : `mavlink:serial:${e.path}?baud=${e.baudRate}`;
    this.clock = opts.clock;
    this.uere = opts.uere ?? DEFAULT_UERE;
    this.vehicle = opts.systemId;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.mavlink = await loadMavlink();
      if (this.endpoint.kind === 'udp') await this.bindUdp(this.endpoint);
      else await this.openSerial(this.endpoint);
    } catch (e) {
      this.running = false;
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    const port = this.serial;
    this.serial = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.splitter?.destroy();
    this.splitter = undefined;
  }

  latest(): Fix | undefined {
    return this.last;
  }

  /** The bound UDP address (useful with port 0), undefined for serial or before start. */
  address(): { address: string; port: number } | undefined {
    return this.udp?.address();
  }

  /**
   * node-mavlink's splitter finds and CRC-checks frames. After garbage it can wait for up to a frame's
   * worth of further bytes before resyncing, so UDP gets a fresh splitter per datagram (datagrams hold
   * whole frames) and only the serial byte stream keeps one.
   */
  private makeSplitter(): MavLinkPacketSplitter {
    const splitter = new this.mavlink!.lib.MavLinkPacketSplitter({}, { onCrcError: () => void this.stats.crcErrors++ });
    splitter.on('data', (chunk: { buffer: Buffer }) => {
      try {
        this.onFrame(chunk.buffer);
      } catch (e) {
        // A frame that passed the CRC but does not decode: count it, never let it escape the stream.
        this.stats.malformed++;
        this.emit('error', new Error(`mavlink: cannot decode a frame: ${(e as Error).message}`, { cause: e }));
      }
    });
    splitter.on('error', (e: Error) => this.emit('error', new Error(`mavlink: framing error: ${e.message}`, { cause: e })));
    return splitter;
  }

  private bindUdp(e: { host: string; port: number }): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = createSocket({ type: isIPv6(e.host) ? 'udp6' : 'udp4', reuseAddr: false });
      const onBindError = (err: NodeJS.ErrnoException): void => {
        sock.close();
        const failed = (code: PositionSourceError['code'], what: string, fix: string): PositionSourceError =>
          new PositionSourceError(code, `cannot listen on UDP ${e.host}:${e.port}: ${err.code ?? err.message}${what ? ` (${what})` : ''}`, fix, { subject: 'mavlink', cause: err });
        reject(
          err.code === 'EADDRINUSE'
            ? failed('busy', 'the port is in use: another GCS, MAVProxy or mavlink-router on this machine?', `listen on a free port, e.g. mavlink:udp://:${e.port + 1}, and send the telemetry there`)
            : err.code === 'EACCES'
              ? failed('permission', 'ports below 1024 need root', 'use a higher port')
              : err.code === 'EADDRNOTAVAIL'
                ? failed('no-address', `${e.host} is not an address of this machine`, `use udp://:${e.port} to listen on all interfaces`)
                : failed('udp', '', 'check the address and port'),
        );
      };
      sock.once('error', onBindError);
      sock.bind(e.port, e.host, () => {
        sock.off('error', onBindError);
        sock.on('error', (err) => this.emit('error', new Error(`mavlink: UDP socket error: ${err.message}`, { cause: err })));
        sock.on('message', (msg) => this.makeSplitter().end(msg));
        this.udp = sock;
        resolve();
      });
    });
  }

  private async openSerial(e: { path: string; baudRate: number }): Promise<void> {
    const port = await openSerialPort(e.path, e.baudRate, this.opts.serialLoader);
    if (!this.running) {
      port.close();
      return;
    }
    this.serial = port;
    const splitter = this.makeSplitter();
    this.splitter = splitter;
    port.on('data', (chunk: Buffer) => splitter.write(chunk));
    port.on('error', (err: Error) => this.emit('error', new Error(`mavlink: serial ${e.path}: ${err.message}`, { cause: err })));
    port.once('close', () => {
      splitter.destroy();
      if (this.splitter === splitter) this.splitter = undefined;
      if (this.serial !== port || !this.running) return;
      this.serial = undefined;
      if (this.opts.reopen === false) {
        this.emit('error', new Error(`mavlink: serial port ${e.path} closed`));
        return;
      }
      this.emit('error', new Error(`mavlink: serial port ${e.path} closed; reopening`));
      this.scheduleReopen(e, new Backoff(this.opts.reopen || undefined));
    });
  }

  private scheduleReopen(e: { path: string; baudRate: number }, backoff: Backoff): void {
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (!this.running) return;
      this.openSerial(e).catch((err: Error) => {
        if (!this.running) return;
        this.emit('error', err);
        this.scheduleReopen(e, backoff);
      });
    }, backoff.next());
  }

  private onFrame(buffer: Buffer): void {
    const { lib, registry } = this.mavlink!;
    const protocol: MavLinkProtocol = buffer[0] === lib.MavLinkProtocolV2.START_BYTE ? new lib.MavLinkProtocolV2() : new lib.MavLinkProtocolV1();
    const header = protocol.header(buffer);
    const id = header.msgid;
    this.stats.packets++;
    this.stats.byMsgId[id] = (this.stats.byMsgId[id] ?? 0) + 1;
    const clazz = registry[id];
    if (!clazz) {
      this.stats.unknown++;
      return;
    }
    const from = { sysid: header.sysid, compid: header.compid };
    const now = this.clock.now();
    const data = protocol.data(protocol.payload(buffer), clazz);
    const sys = this.system(from.sysid);
    switch (id) {
      case MSG.HEARTBEAT:
        return this.onHeartbeat(data as minimal.Heartbeat, sys, now);
      case MSG.SYSTEM_TIME: {
        const m = data as common.SystemTime;
        const unixMs = Number(m.timeUnixUsec) / 1000;
        if (unixMs > 1e12) sys.bootOffset = unixMs - m.timeBootMs;
        return;
      }
      case MSG.SCALED_PRESSURE: {
        const hpa = (data as common.ScaledPressure).pressAbs;
        // ISA pressure altitude against 1013.25 hPa, as F3411's pressure altitude is defined.
        if (hpa > 0) sys.baro = { at: now, alt: 44330.77 * (1 - (hpa / 1013.25) ** 0.190263) };
        return;
      }
      case MSG.EXTENDED_SYS_STATE:
        sys.landed = { at: now, state: (data as common.ExtendedSysState).landedState };
        return;
      case MSG.GPS_RAW_INT:
        return this.onGpsRaw(data as common.GpsRawInt, from.sysid, sys, now);
      case MSG.GLOBAL_POSITION_INT:
        return this.onGlobalPosition(data as common.GlobalPositionInt, from.sysid, sys, now);
    }
    if (id >= 12900 && id <= 12915) {
      const msg = odidToPlain(id, data as Parameters<typeof odidToPlain>[1], from);
      if (!msg) return;
      // idOrMac set = data relayed from another aircraft, never our own position.
      if (msg.type === 'location' && msg.idOrMac.every((b) => b === 0) && this.isVehicle(from.sysid)) {
        const fix = odidLocationToFix(msg, now);
        if (fix) {
          this.lastOdidAt = now;
          this.addBaroAndStatus(fix, sys, now, false);
          this.deliver(fix);
        }
      }
      this.emit('odid', msg);
    }
  }

  private system(sysid: number): SystemState {
    let s = this.systems.get(sysid);
    if (!s) this.systems.set(sysid, (s = {}));
    return s;
  }

  /** Locks onto the first system that reports a position, unless systemId was given. */
  private isVehicle(sysid: number): boolean {
    if (this.vehicle === undefined) this.vehicle = sysid;
    return this.vehicle === sysid;
  }

  private onHeartbeat(m: minimal.Heartbeat, sys: SystemState, now: number): void {
    const GCS = 6;
    const INVALID_AUTOPILOT = 8;
    if (m.type === GCS || m.autopilot === INVALID_AUTOPILOT) return;
    const CRITICAL = 5;
    const EMERGENCY = 6;
    const TERMINATION = 8;
    sys.heartbeat = { at: now, armed: (m.baseMode & 128) !== 0, emergency: m.systemStatus === CRITICAL || m.systemStatus === EMERGENCY || m.systemStatus === TERMINATION };
  }

  private onGpsRaw(m: common.GpsRawInt, sysid: number, sys: SystemState, now: number): void {
    if (!this.isVehicle(sysid)) return;
    const usec = Number(m.timeUsec);
    const g: GpsState = { at: now, fixType: m.fixType, lat: m.lat / 1e7, lon: m.lon / 1e7, altMsl: m.alt / 1000 };
    // time_usec is "UNIX epoch or time since boot": anything before 2001 is since boot.
    if (usec > 1e15) g.time = Math.round(usec / 1000);
    // alt_ellipsoid is a MAVLink 2 extension: 0 when the sender does not fill it.
    if (m.altEllipsoid) g.altEllipsoid = m.altEllipsoid / 1000;
    if (m.hAcc) g.hAcc = m.hAcc / 1000;
    if (m.vAcc) g.vAcc = m.vAcc / 1000;
    if (m.velAcc) g.velAcc = m.velAcc / 1000;
    if (m.eph && m.eph !== UNKNOWN_U16) g.hdop = m.eph / 100;
    if (m.epv && m.epv !== UNKNOWN_U16) g.vdop = m.epv / 100;
    if (m.vel !== UNKNOWN_U16) g.vel = m.vel / 100;
    if (m.cog !== UNKNOWN_U16) g.cog = m.cog / 100;
    sys.gps = g;

    if (now - this.lastOdidAt < PREFER_MS || now - this.lastGpiAt < PREFER_MS) return;
    if (g.fixType < 2 || (m.lat === 0 && m.lon === 0)) return;
    const fix: Fix = { time: g.time ?? now, latitude: g.lat, longitude: g.lon };
    if (g.altEllipsoid !== undefined && g.fixType >= 3) fix.altitudeGeo = g.altEllipsoid;
    if (g.vel !== undefined) fix.speedHorizontal = g.vel;
    if (g.cog !== undefined && g.cog < 360) fix.direction = normalizeDegrees(g.cog);
    this.addGpsQuality(fix, g);
    this.addBaroAndStatus(fix, sys, now, true);
    this.deliver(fix);
  }

  private onGlobalPosition(m: common.GlobalPositionInt, sysid: number, sys: SystemState, now: number): void {
    if (!this.isVehicle(sysid)) return;
    // All zero until the autopilot's estimator has an origin.
    if (m.lat === 0 && m.lon === 0) return;
    this.lastGpiAt = now;
    if (now - this.lastOdidAt < PREFER_MS) return;
    const fix: Fix = {
      time: sys.bootOffset !== undefined ? Math.round(sys.bootOffset + m.timeBootMs) : now,
      latitude: m.lat / 1e7,
      longitude: m.lon / 1e7,
      height: m.relativeAlt / 1000,
    };
    const speed = Math.hypot(m.vx, m.vy) / 100;
    fix.speedHorizontal = speed;
    fix.speedVertical = -m.vz / 100;
    // Below walking pace the velocity's direction is noise: use the heading instead.
    const course = speed >= 0.2 ? courseFromVelocity(m.vx, m.vy) : m.hdg !== UNKNOWN_U16 ? normalizeDegrees(m.hdg / 100) : undefined;
    if (course !== undefined) fix.direction = course;
    const g = sys.gps && now - sys.gps.at <= RECENT_MS ? sys.gps : undefined;
    // GLOBAL_POSITION_INT's alt is MSL: the GNSS's own ellipsoid-MSL difference gives HAE.
    if (g?.altEllipsoid !== undefined) fix.altitudeGeo = m.alt / 1000 + (g.altEllipsoid - g.altMsl);
    if (g) this.addGpsQuality(fix, g);
    this.addBaroAndStatus(fix, sys, now, true);
    this.deliver(fix);
  }

  private addGpsQuality(fix: Fix, g: GpsState): void {
    const fixType: FixType = g.fixType >= 3 ? '3d' : g.fixType === 2 ? '2d' : 'none';
    fix.fixType = fixType;
    const h = g.hAcc ?? (g.hdop !== undefined ? 2 * g.hdop * this.uere : undefined);
    const v = g.vAcc ?? (g.vdop !== undefined ? 1.96 * g.vdop * this.uere : undefined);
    if (h !== undefined) fix.horizontalAccuracy = h;
    if (v !== undefined) fix.verticalAccuracy = v;
    if (g.velAcc !== undefined) fix.speedAccuracy = g.velAcc;
  }

  /** Baro and status from the same system; an ODID location brings its own, which win. */
  private addBaroAndStatus(fix: Fix, sys: SystemState, now: number, overwrite: boolean): void {
    if (sys.baro && now - sys.baro.at <= RECENT_MS && (overwrite || fix.altitudeBaro === undefined)) fix.altitudeBaro = sys.baro.alt;
    const status = this.status(sys, now);
    if (status && (overwrite || fix.status === undefined)) fix.status = status;
  }

  private status(sys: SystemState, now: number): FixStatus | undefined {
    const hb = sys.heartbeat && now - sys.heartbeat.at <= 3000 ? sys.heartbeat : undefined;
    if (hb?.emergency) return 'emergency';
    if (sys.landed && now - sys.landed.at <= 3000) {
      if (sys.landed.state === 1) return 'ground';
      if (sys.landed.state >= 2) return 'airborne';
    }
    if (hb && !hb.armed) return 'ground';
    return undefined;
  }

  private deliver(fix: Fix): void {
    this.last = fix;
    this.emit('fix', fix);
  }
}

