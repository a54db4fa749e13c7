/**
 * Scripted scenes for the spoofing tests: transmitters on one simulated air clock, each frame built by the
 * transmitter's own Scheduler (what to send when, counters, message encoding) and the codec's frame
 * builders, decoded back by the receive path and fed to a Tracker with a tick every second — what rid-scan
 * does with a radio, minus the radio. A spoofer is a transmitter given a lie: a position source that
 * teleports, a wrong clock, an address shared or cycled, a signal too strong for where it claims to be.
 * DJI DroneID, which no transmitter here encodes, is built byte by byte (as tracker-payloads.test.ts does).
 */
import { RemoteIdExtractor, buildAirFrames, type BroadcastTransport } from '@odid/codec';
import { ManualClock, destinationPoint, distance, type Clock, type Fix, type LatLon } from '@odid/position';
import { Scheduler, loadIdentity, rssiAt, type Identity } from '@odid/transmitter';
import { Random } from '../../../test/support/random.js';
import { Tracker, type TrackerOptions, type TrackUpdate } from '../src/tracker/index.js';

// 2025-06-01T10:00:00Z: a full hour, so Location timestamps are easy to reason about.
export const T0_MS = Date.UTC(2025, 5, 1, 10, 0, 0);
/** Where the receiver stands (farmland on the Swiss plateau, as the transmitter's default route). */
export const RECEIVER: LatLon = { lat: 47.0, lon: 7.5 };
const LINKTYPE_IEEE802_11 = 105;

/** A capture record on the simulated air. */
export interface AirRecord {
  /** Seconds since the epoch. */
  t: number;
  linkType: number;
  data: Uint8Array;
}

/** Something that transmits: when its next frame is due (ms on the air clock), and the frames due by now. */
export interface Sender {
  nextDue(): number;
  due(): AirRecord[];
}

/**
 * A sender the scene need not ask at every moment (the senders of this file): idleAt(now) says exactly when
 * due() would return nothing and change nothing, and its nextDue() changes only when due() runs. With a
 * hundred drones, asking every one at every moment was a good part of a scene's time; the frames, their order
 * and every draw of noise stay the same.
 */
interface QuietSender extends Sender {
  idleAt(now: number): boolean;
}
const isQuiet = (s: Sender): s is QuietSender => typeof (s as Partial<QuietSender>).idleAt === 'function';

export interface DroneOptions {
  identity: Identity;
  transports: BroadcastTransport[];
  /** The address a transport sends from at air time `t` (ms): one per transport, rotating, or shared. */
  address: (transport: BroadcastTransport, t: number) => string;
  /** The position source, asked at the drone's own clock time. */
  fix: (t: number) => Fix | undefined;
  /** A live operator position source (identity operatorLocationType 1). */
  operator?: (t: number) => Fix | undefined;
  rateHz?: number;
  /** dBm the receiver measures for a frame (default: the transmitter's own path-loss model from the fix). */
  rssi?: (transport: BroadcastTransport, fix: Fix | undefined, t: number) => number;
  /** The drone's clock runs this far ahead of the air's (negative: behind): its Location timestamps follow it. */
  clockOffsetMs?: number;
  /** Wi-Fi channel (default 6). */
  channel?: number;
}

/** One transmitter: the transmitter's Scheduler on its own clock, its transmissions put on the air. */
export class DroneSender implements Sender {
  private readonly scheduler: Scheduler;
  private readonly offset: number;
  private sequence = 0;

  constructor(
    private readonly air: Clock,
    private readonly o: DroneOptions,
  ) {
    this.offset = o.clockOffsetMs ?? 0;
    const own: Clock = { now: () => air.now() + this.offset };
    this.scheduler = new Scheduler({
      identity: o.identity,
      transports: o.transports,
      position: { latest: () => o.fix(own.now()) },
      ...(o.operator ? { operator: { latest: () => o.operator!(own.now()) } } : {}),
      clock: own,
      ...(o.rateHz ? { rateHz: o.rateHz } : {}),
    });
  }

  nextDue(): number {
    return this.scheduler.nextDue() - this.offset;
  }

  /** The scheduler's own test (a transmission is due at or before its clock's now), on the drone's clock. */
  idleAt(now: number): boolean {
    return !(this.scheduler.nextDue() <= now + this.offset);
  }

  due(): AirRecord[] {
    const out: AirRecord[] = [];
    for (const tx of this.scheduler.due()) {
      const t = tx.timeMs - this.offset;
      const fix = this.o.fix(tx.timeMs);
      const rssi = this.o.rssi ? this.o.rssi(tx.transport, fix, t) : fix ? rssiAt(distance(RECEIVER, { lat: fix.latitude, lon: fix.longitude }), tx.transport) : -90;
      const frames = buildAirFrames({
        transport: tx.transport,
        address: this.o.address(tx.transport, t),
        counter: tx.counter,
        payload: tx.payload,
        timestampUs: t * 1000,
        sequence: this.sequence,
        // What a capture can carry; a frame this weak would not be heard at all, which is the scene's to decide.
        rssi: Math.max(-127, Math.min(20, Math.round(rssi))),
        ...(this.o.channel !== undefined && tx.transport.startsWith('wifi') ? { channel: this.o.channel } : {}),
      });
      this.sequence = (this.sequence + frames.length) & 0xfff;
      for (const f of frames) out.push({ t: t / 1000, linkType: f.linkType, data: f.data });
    }
    return out;
  }
}

/** A sender that is silent before `startMs` and after `stopMs` (air clock): made when it starts, so its counters start at 0. */
export class Window implements Sender {
  private inner: Sender | undefined;
  constructor(
    private readonly air: Clock,
    private readonly startMs: number,
    private readonly stopMs: number,
    private readonly make: () => Sender,
  ) {}

  nextDue(): number {
    if (!this.inner) return this.startMs < this.stopMs ? this.startMs : Infinity;
    const next = this.inner.nextDue();
    return next >= this.stopMs ? Infinity : next;
  }

  /** After its stop, the sender inside still runs (its frames dropped): it draws on the drone's noise as before. */
  idleAt(now: number): boolean {
    if (!this.inner) return now < this.startMs || now >= this.stopMs;
    return isQuiet(this.inner) && this.inner.idleAt(now);
  }

  due(): AirRecord[] {
    const now = this.air.now();
    if (!this.inner) {
      if (now < this.startMs || now >= this.stopMs) return [];
      this.inner = this.make();
    }
    return this.inner.due().filter((r) => r.t * 1000 < this.stopMs);
  }
}

/** Frames built beforehand, sent at their times (a DJI drone, a replay). */
export class Scripted implements Sender {
  private i = 0;
  constructor(
    private readonly air: Clock,
    private readonly records: AirRecord[],
  ) {
    records.sort((a, b) => a.t - b.t);
  }
  nextDue(): number {
    return this.i < this.records.length ? Math.round(this.records[this.i]!.t * 1000) : Infinity;
  }
  idleAt(now: number): boolean {
    return !(this.i < this.records.length && Math.round(this.records[this.i]!.t * 1000) <= now);
  }
  due(): AirRecord[] {
    const out: AirRecord[] = [];
    while (this.i < this.records.length && Math.round(this.records[this.i]!.t * 1000) <= this.air.now()) out.push(this.records[this.i++]!);
    return out;
  }
}

export interface RunOptions {
  /** Told of every update (ingest and tick). */
  onUpdate?: (u: TrackUpdate) => void;
  /** A frame the receiver misses (true: dropped). */
  lose?: (r: AirRecord) => boolean;
}

/** Senders on one air clock, heard by one tracker that knows where the receiver is. */
export class Scene {
  readonly clock = new ManualClock(T0_MS);
  readonly tracker: Tracker;
  readonly senders: Sender[] = [];
  private readonly extractor = new RemoteIdExtractor();
  private nextTick = T0_MS + 1000;
  /** Frames put on the air, and those the receiver heard. */
  sent = 0;
  heard = 0;

  /** `receiver`: where the receiver stands (null: unknown). */
  constructor(options: TrackerOptions = {}, receiver: LatLon | null = RECEIVER) {
    this.tracker = new Tracker({ ...(receiver ? { receiverPosition: receiver } : {}), ...options });
  }

  add(...senders: Sender[]): this {
    this.senders.push(...senders);
    return this;
  }

  /** Runs `seconds` of the scene (from where it stopped), every update to `onUpdate`. */
  run(seconds: number, opts: RunOptions = {}): void {
    const end = this.clock.now() + seconds * 1000;
    const senders = this.senders;
    // Each quiet sender's nextDue(), asked again only after its due() ran; the others are asked every time.
    const nextDue = senders.map((s) => s.nextDue());
    for (;;) {
      let next = Infinity;
      for (let i = 0; i < senders.length; i++) {
        if (!isQuiet(senders[i]!)) nextDue[i] = senders[i]!.nextDue();
        next = Math.min(next, nextDue[i]!);
      }
      const until = Math.min(next, end);
      while (this.nextTick <= until) {
        this.clock.set(this.nextTick);
        for (const u of this.tracker.tick(this.nextTick)) opts.onUpdate?.(u);
        this.nextTick += 1000;
      }
      if (next > end) break;
      this.clock.set(Math.max(this.clock.now(), next));
      // Every sender's due(), in order, but those it would tell nothing and change nothing.
      const now = this.clock.now();
      const records: AirRecord[] = [];
      for (let i = 0; i < senders.length; i++) {
        const s = senders[i]!;
        if (isQuiet(s) && s.idleAt(now)) continue;
        for (const r of s.due()) records.push(r);
        nextDue[i] = s.nextDue();
      }
      records.sort((a, b) => a.t - b.t);
      for (const r of records) {
        this.sent++;
        if (opts.lose?.(r)) continue;
        this.heard++;
        for (const m of this.extractor.fromRecord(r.linkType, r.data, { t: r.t })) {
          const u = this.tracker.ingest(m);
          if (u) opts.onUpdate?.(u);
        }
      }
    }
    this.clock.set(end);
  }
}

// ---- identities ----

/** An FAA-style drone with one serial (no Operator ID needed), operator position "live" unless said. */
export function faaIdentity(serial: string, operatorLocation: 'takeoff' | 'live' | 'fixed' = 'live', operatorPosition?: LatLon): Identity {
  return loadIdentity({
    regime: 'faa',
    uaType: 'helicopter-or-multirotor',
    operatorLocation,
    ...(operatorPosition ? { operatorPosition: { latitude: operatorPosition.lat, longitude: operatorPosition.lon, altitude: 500 } } : {}),
    ids: [{ type: 'serial', value: serial }],
    operatorId: 'FA3H7KR2MX',
    selfId: 'Survey',
  });
}

/** The same drone with a session ID too (a new one per flight). */
export function withSession(identity: Identity, session: string): Identity {
  return { ...identity, basicIds: [...identity.basicIds, { type: 'basicId', idType: 4, uaType: 2, uasIdHex: Buffer.from(session.padEnd(20, '\0'), 'latin1').toString('hex') }] };
}

/** Serials that pass the ANSI/CTA-2063-A check: manufacturer code, length character, serial. */
export const serialOf = (n: number, maker = '1596'): string => {
  const s = `SP${String(n).padStart(8, '0')}`;
  return `${maker}${s.length.toString(16).toUpperCase()}${s}`;
};

// ---- positions ----

/** A fix at `at`, moving at `speed` m/s towards `course` (both as reported), with a GNSS receiver's accuracies. */
export function fixAt(t: number, at: LatLon, speed: number, course: number | undefined, extra: Partial<Fix> = {}): Fix {
  return {
    time: t,
    latitude: at.lat,
    longitude: at.lon,
    altitudeGeo: 600,
    altitudeBaro: 600,
    height: 100,
    speedHorizontal: speed,
    ...(course === undefined ? {} : { direction: course }),
    speedVertical: 0,
    horizontalAccuracy: 3,
    verticalAccuracy: 4,
    speedAccuracy: 0.5,
    status: 'airborne',
    fixType: '3d',
    ...extra,
  };
}

/** A straight flight from `from` at `speed` m/s towards `course`, starting at T0: an honest fix source. */
export const straight =
  (from: LatLon, course: number, speed: number) =>
  (t: number): Fix =>
    fixAt(t, destinationPoint(from, course, (speed * (t - T0_MS)) / 1000), speed, course);

/** Standing still at `at` (on the ground or hovering): speed 0. */
export const standing =
  (at: LatLon) =>
  (t: number): Fix =>
    fixAt(t, at, 0, undefined);

/**
 * GNSS noise on top of a fix source: a Gauss-Markov error per axis (σ metres, correlation time τ seconds)
 * plus white noise, and speed/course noise, as a consumer receiver shows; deterministic from the seed. Each
 * drone calls its source in time order (the same instant may be asked twice: it answers the same).
 */
export function noisy(source: (t: number) => Fix | undefined, seed: number, sigmaM = 1.5, tauS = 20): (t: number) => Fix | undefined {
  const rand = new Random(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand.float())) * Math.cos(2 * Math.PI * rand.float());
  let e = gauss() * sigmaM;
  let n = gauss() * sigmaM;
  let lastT: number | undefined;
  let last: Fix | undefined;
  return (t) => {
    if (t === lastT) return last;
    const f = source(t);
    if (lastT !== undefined && t > lastT) {
      const a = Math.exp(-(t - lastT) / 1000 / tauS);
      const b = sigmaM * Math.sqrt(1 - a * a);
      e = a * e + b * gauss();
      n = a * n + b * gauss();
    }
    lastT = t;
    if (!f) return (last = undefined);
    const p = destinationPoint({ lat: f.latitude, lon: f.longitude }, (Math.atan2(e, n) * 180) / Math.PI, Math.hypot(e + 0.3 * gauss(), n + 0.3 * gauss()));
    const speed = f.speedHorizontal === undefined ? undefined : Math.max(0, f.speedHorizontal + 0.15 * gauss());
    // A standing receiver's course wanders; a moving one's within a few degrees.
    const course = speed === undefined ? undefined : f.speedHorizontal === 0 ? rand.float() * 360 : f.direction === undefined ? undefined : (f.direction + 2 * gauss() + 360) % 360;
    last = { ...f, latitude: p.lat, longitude: p.lon, ...(speed === undefined ? {} : { speedHorizontal: speed }), ...(course === undefined ? {} : { direction: course }) };
    if (course === undefined) delete last.direction;
    return last;
  };
}

// ---- DJI DroneID, byte by byte ----

const le = (n: number, v: number): number[] => Array.from({ length: n }, (_, i) => Math.floor((v < 0 ? 2 ** (8 * n) + v : v) / 2 ** (8 * i)) & 0xff);
const latin1 = (s: string, n: number): number[] => Array.from({ length: n }, (_, i) => (i < s.length ? s.charCodeAt(i) : 0));
const radE7 = (deg: number): number => Math.round(((deg * Math.PI) / 180) * 1e7);
const DJI_OUI = [0x26, 0x37, 0x12];

/** A beacon from `mac` carrying one vendor element: raw 802.11, as a capture has it. */
export function beaconWith(mac: string, oui: number[], body: number[], t: number): AirRecord {
  const addr = mac.split(':').map((x) => parseInt(x, 16));
  const header = [0x80, 0, 0, 0, ...Array<number>(6).fill(0xff), ...addr, ...addr, 0, 0];
  const fixed = [...Array<number>(8).fill(0), 0x64, 0, 0x20, 0x04];
  return { t, linkType: LINKTYPE_IEEE802_11, data: Uint8Array.from([...header, ...fixed, 0, 0, 0xdd, 3 + body.length, ...oui, ...body]) };
}

/** A DJI flight record (subcommand 0x10, layout v2) of a drone at `at` flying `speed` m/s towards `course`. */
export function djiFlightRecord(o: { serial: string; sequence: number; at: LatLon; speed: number; course: number; gpsTimeMs: number; pilot: LatLon; home: LatLon }): number[] {
  const vn = Math.round(o.speed * Math.cos((o.course * Math.PI) / 180) * 100);
  const ve = Math.round(o.speed * Math.sin((o.course * Math.PI) / 180) * 100);
  const r = [2, ...le(2, o.sequence & 0xffff), ...le(2, 0x1f77), ...latin1(o.serial, 16), ...le(4, radE7(o.at.lon)), ...le(4, radE7(o.at.lat))];
  r.push(...le(2, 120), ...le(2, 100), ...le(2, vn), ...le(2, ve), ...le(2, 0), ...le(2, 0), ...le(8, o.gpsTimeMs));
  r.push(...le(4, radE7(o.pilot.lat)), ...le(4, radE7(o.pilot.lon)), ...le(4, radE7(o.home.lon)), ...le(4, radE7(o.home.lat)), 68, 0, ...Array<number>(20).fill(0));
  return [0x58, 0x62, 0x13, 0x10, ...r];
}

/** A DJI drone's DroneID beacons, one a second from `startS` for `seconds`, on a straight line. */
export function djiFlight(mac: string, serial: string, from: LatLon, course: number, speed: number, seconds: number, startS = 0): AirRecord[] {
  const out: AirRecord[] = [];
  for (let i = 0; i < seconds; i++) {
    const tMs = T0_MS + (startS + i) * 1000 + 150;
    const at = destinationPoint(from, course, speed * (startS + i + 0.15));
    out.push(beaconWith(mac, DJI_OUI, djiFlightRecord({ serial, sequence: 100 + i, at, speed, course, gpsTimeMs: tMs, pilot: from, home: from }), tMs / 1000));
  }
  return out;
}
