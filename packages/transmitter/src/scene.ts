/**
 * A simulated scene: several drones, each with its own identity, route, transports and radio addresses,
 * scheduled on one shared clock, putting the very bytes real radios would send on a simulated "air"
 * (capture records: radiotap Wi-Fi frames, BLE LL frames), with an RSSI that falls with distance from the
 * receiver. The receiver's sim source and the demo run it; the receive path is the one real radios use.
 */

import { buildAirFrames, type AirFrame, type BroadcastTransport } from '@odid/codec';
import { DEFAULT_ROUTE, LocalFrame, SimulatedFlightSource, distance, type Clock, type Route } from '@odid/position';
import { loadIdentity, type Identity } from './identity.js';
import { Scheduler, type FixProvider } from './scheduler.js';

export interface SceneDrone {
  name: string;
  identity: Identity;
  route: Route;
  transports: BroadcastTransport[];
  /** BLE random static address and Wi-Fi address. */
  addresses: { ble: string; wifi: string };
  rateHz?: number;
  /** Seconds after the scene starts at which the drone declares an emergency. */
  emergencyAfterS?: number;
  /** Seconds after the scene starts at which the drone powers on. */
  startAfterS?: number;
}

/** A frame on the simulated air. */
export interface AirRecord extends AirFrame {
  /** Seconds since the epoch. */
  t: number;
  rssi: number;
  drone: string;
}

/** Moves a route's waypoints and origin by (east, north) metres, so drones of one scene fly apart. */
export function offsetRoute(route: Route, name: string, east: number, north: number, speed = route.speed): Route {
  const origin = route.origin ?? { lat: route.waypoints[0]!.lat, lon: route.waypoints[0]!.lon };
  const frame = new LocalFrame({ lat: origin.lat, lon: origin.lon, alt: 0 });
  const move = (lat: number, lon: number): { lat: number; lon: number } => {
    const p = frame.toEnu(lat, lon, 0);
    const g = frame.fromEnu(p.e + east, p.n + north, 0);
    return { lat: g.lat, lon: g.lon };
  };
  return {
    ...route,
    name,
    speed,
    origin: { ...origin, ...move(origin.lat, origin.lon) },
    waypoints: route.waypoints.map((w) => ({ ...w, ...move(w.lat, w.lon) })),
  };
}

/** The demo scene: different ID types, UA types and transports, one emergency, one bad operator ID. */
export function demoScene(): SceneDrone[] {
  const eu = loadIdentity({
    regime: 'eu', uaType: 'helicopter-or-multirotor', ids: [{ type: 'serial', value: '1581F5FJD228400X0S2K' }],
    operatorId: 'FIN87astrdge12k8-xyz', selfId: 'Bridge inspection', eu: { category: 'open', class: 'c2' },
  });
  const faa = loadIdentity({
    regime: 'faa', uaType: 'aeroplane', operatorLocation: 'live', ids: [{ type: 'serial', value: '4AB9AHKQ7A05LP8' }], operatorId: 'FA3H7KR2MX', selfId: 'Pipeline survey',
  });
  const drip = loadIdentity({
    regime: 'faa', uaType: 'hybrid-lift', ids: [{ type: 'serial', value: '1581F5FHB229F00202DR' }, { type: 'session', det: '2001:3f:fe00:105:a29b:3ff4:2226:c04e' }],
    operatorId: 'FA9QX41PLM', selfId: 'Medical delivery',
  });
  const caa = loadIdentity({ uaType: 'helicopter-or-multirotor', ids: [{ type: 'caa', value: 'GBR-RP-2Y7K9' }], operatorId: 'GBR-OP-123ABCD', selfId: 'Film crew' });
  // A transmitter configured with a broken EU operator ID (a foreign or tampered module): the receiver
  // must flag it. Built directly: loadIdentity would refuse it.
  const badOperator: Identity = { ...eu, basicIds: [{ type: 'basicId', idType: 1, uaType: 2, uasId: '1581F5FKD229H00417TX' }], operatorId: { operatorIdType: 0, operatorId: 'FIN-87astrdge!' }, selfId: { descType: 0, desc: 'Roof survey' } };
  return [
    { name: 'eu-multirotor', identity: eu, route: offsetRoute(DEFAULT_ROUTE, 'north loop', 0, 600), transports: ['ble-legacy', 'ble-extended'], addresses: { ble: 'c3:4a:10:00:00:01', wifi: '02:4a:10:00:00:01' } },
    { name: 'faa-fixed-wing', identity: faa, route: offsetRoute(DEFAULT_ROUTE, 'west loop', -1800, -200, 22), transports: ['wifi-beacon'], addresses: { ble: 'c3:4a:10:00:00:02', wifi: '02:4a:10:00:00:02' }, rateHz: 1 },
    { name: 'drip-vtol', identity: drip, route: offsetRoute(DEFAULT_ROUTE, 'east loop', 1500, 300, 16), transports: ['ble-legacy', 'wifi-nan'], addresses: { ble: 'c3:4a:10:00:00:03', wifi: '02:4a:10:00:00:03' }, emergencyAfterS: 40 },
    { name: 'uk-film', identity: caa, route: offsetRoute(DEFAULT_ROUTE, 'south loop', 200, -900, 8), transports: ['wifi-beacon', 'ble-extended'], addresses: { ble: 'c3:4a:10:00:00:04', wifi: '02:4a:10:00:00:04' } },
    { name: 'bad-operator-id', identity: badOperator, route: offsetRoute(DEFAULT_ROUTE, 'centre loop', -300, 100, 10), transports: ['ble-legacy'], addresses: { ble: 'c3:4a:10:00:00:05', wifi: '02:4a:10:00:00:05' }, startAfterS: 5 },
  ];
}

interface Running {
  drone: SceneDrone;
  sim: SimulatedFlightSource;
  scheduler: Scheduler;
}

export interface SceneOptions {
  drones: SceneDrone[];
  clock: Clock;
  /** Where the receiver stands: the RSSI of each frame depends on the distance to it. */
  receiver: { latitude: number; longitude: number };
  /**
   * The flights began this long before the scene starts (default 0: each drone waits on the ground, then
   * climbs). A live demo sets it so that the drones are already cruising when someone looks. Power-on,
   * emergencies and the first transmissions still count from the scene's start.
   */
  flightElapsedS?: number;
  /**
   * The RSSI the receiver measures for a frame (default: rssiAt, the path-loss model alone): a test adds
   * fading, shadowing, a drone's own power or a receiver's own gain here. Rounded and bounded to what a
   * capture can carry.
   */
  rssi?: (heard: HeardFrame) => number;
}

/** What decides a frame's RSSI: where the drone is when it sends, how far from the receiver, over what. */
export interface HeardFrame {
  readonly metres: number;
  readonly transport: BroadcastTransport;
  readonly drone: SceneDrone;
  /** Where the drone is (the position it reports). */
  readonly lat: number;
  readonly lon: number;
  /** When it sends, ms. */
  readonly timeMs: number;
}

export class SimulatedScene {
  private readonly running: Running[];
  private sequence = 0;

  constructor(private readonly opts: SceneOptions) {
    const start = opts.clock.now();
    this.running = opts.drones.map((drone) => {
      const startTime = start + (drone.startAfterS ?? 0) * 1000;
      const flightStart = startTime - (opts.flightElapsedS ?? 0) * 1000;
      const sim = new SimulatedFlightSource({ clock: opts.clock, route: drone.route, startTime: flightStart, intervalMs: 0 });
      const emergencyAt = drone.emergencyAfterS === undefined ? Infinity : start + drone.emergencyAfterS * 1000;
      const position: FixProvider = {
        latest: () => {
          const now = opts.clock.now();
          if (now < startTime) return undefined;
          const fix = sim.positionAt(now);
          return now >= emergencyAt ? { ...fix, status: 'emergency' } : fix;
        },
      };
      const scheduler = new Scheduler({ identity: drone.identity, transports: drone.transports, position, clock: opts.clock, ...(drone.rateHz ? { rateHz: drone.rateHz } : {}) });
      return { drone, sim, scheduler };
    });
  }

  /** The scene's starting point: a receiver placed here sees every drone. */
  static centre(drones: SceneDrone[]): { latitude: number; longitude: number } {
    const lat = drones.reduce((s, d) => s + (d.route.origin?.lat ?? d.route.waypoints[0]!.lat), 0) / drones.length;
    const lon = drones.reduce((s, d) => s + (d.route.origin?.lon ?? d.route.waypoints[0]!.lon), 0) / drones.length;
    return { latitude: lat, longitude: lon };
  }

  nextDue(): number {
    let t = Infinity;
    for (const r of this.running) t = Math.min(t, r.scheduler.nextDue());
    return t;
  }

  /** Every frame due at or before the clock's now, on the air, in time order. */
  due(): AirRecord[] {
    const out: AirRecord[] = [];
    const now = this.opts.clock.now();
    for (const r of this.running) {
      for (const t of r.scheduler.due()) {
        const pos = r.sim.positionAt(Math.min(now, t.timeMs));
        const here = { lat: this.opts.receiver.latitude, lon: this.opts.receiver.longitude };
        const metres = distance({ lat: pos.latitude, lon: pos.longitude }, here);
        const custom = this.opts.rssi;
        const rssi = custom
          ? Math.max(-128, Math.min(127, Math.round(custom({ metres, transport: t.transport, drone: r.drone, lat: pos.latitude, lon: pos.longitude, timeMs: t.timeMs }))))
          : rssiAt(metres, t.transport);
        const address = t.transport.startsWith('ble') ? r.drone.addresses.ble : r.drone.addresses.wifi;
        const frames = buildAirFrames({ transport: t.transport, address, counter: t.counter, payload: t.payload, timestampUs: t.timeMs * 1000, sequence: this.sequence, rssi });
        this.sequence = (this.sequence + frames.length) & 0xfff;
        for (const f of frames) out.push({ ...f, t: t.timeMs / 1000, rssi, drone: r.drone.name });
      }
    }
    return out.sort((a, b) => a.t - b.t);
  }
}

/** Log-distance path loss: about -40 dBm at 1 m, exponent 2.2 in the open; BLE 5 coded gains ~9 dB. */
export function rssiAt(metres: number, transport: BroadcastTransport): number {
  const base = transport === 'ble-extended' ? -31 : -40;
  return Math.round(base - 22 * Math.log10(Math.max(1, metres)));
}
