/**
 * The air that the hub benchmark's receivers share: one simulated scene of the fleet, and each receiver's
 * copy of every transmission — the same transmitted bytes, in a radio header that carries the RSSI at that
 * receiver's place (log-distance from where the drone is at that instant), as receivers around a venue hear
 * one drone.
 *
 * Why not one SimulatedScene per receiver: a scene costs ~40 µs of CPU a frame (positions, messages, framing),
 * so 20 receivers hearing 200 drones (~36,000 frames/s) took 1.5 cores to make, blocked the simulated
 * receivers' event loop for seconds at a time and put that delay on the hub's latency. Every scene made the
 * same transmissions anyway; only the RSSI differed.
 *
 * One scene switches every drone on at once, so they transmit in step: at 250 drones the air came in bursts
 * of up to 5,500 frames (all receivers' copies) within 5 ms, then nothing, and a receiver's 100 ms batch
 * held anything from 75 to 425 frames. Independent drones are not in step: with `spreadMs`, each drone is
 * switched on at its own (seeded) moment before the air's start, in a scene of its own.
 */

import { buildRadiotap, concatBytes, LINKTYPE, parseRadiotap, type BroadcastTransport } from '@odid/codec';
import { distance, ManualClock, SimulatedFlightSource, type Clock } from '@odid/position';
import { rssiAt, SimulatedScene, type AirRecord, type SceneDrone } from '@odid/transmitter';
import { rng } from '../../../test/support/random.js';

/** LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR: RF channel (1 byte), then the signal power in dBm (signed). */
const PHDR_SIGNAL_OFFSET = 1;

export interface Place {
  latitude: number;
  longitude: number;
}

/** Receiver i stands on a ring of 3 km around the fleet's centre. */
export function receiverPlaces(n: number, centre: Place): Place[] {
  return Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / n;
    return { latitude: centre.latitude + 0.027 * Math.cos(a), longitude: centre.longitude + 0.04 * Math.sin(a) };
  });
}

/** One frame as one receiver hears it. */
export interface ReceiverFrame {
  /** When it was sent, seconds since the epoch. */
  t: number;
  transport: BroadcastTransport;
  linkType: number;
  data: Uint8Array;
  rssi: number;
}

/** `data` with `rssi` in its radio header instead of the scene's (a fresh copy). */
export function withRssi(linkType: number, data: Uint8Array, rssi: number): Uint8Array {
  if (linkType === LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR) {
    const copy = data.slice();
    copy[PHDR_SIGNAL_OFFSET] = rssi & 0xff;
    return copy;
  }
  if (linkType === LINKTYPE.IEEE802_11_RADIOTAP) {
    const info = parseRadiotap(data);
    const header = buildRadiotap({ ...(info.freqMHz !== undefined ? { freqMHz: info.freqMHz } : {}), ...(info.rateKbps !== undefined ? { rateKbps: info.rateKbps } : {}), rssi });
    return concatBytes([header, data.subarray(info.headerLength)]);
  }
  throw new Error(`no radio header to carry an RSSI in link type ${linkType}`);
}

export interface SharedAirOptions {
  /**
   * Each drone switched on at a random moment (seeded) up to this long before the air's start, in a scene
   * of its own; 0, the default: all at the start, in step, as one SimulatedScene flies them. The first
   * due() then holds what they sent before the start.
   */
  spreadMs?: number;
  seed?: number;
}

export class SharedAir {
  /** One scene for the fleet; or, spread, one per drone on a clock of its own. */
  private readonly scenes: { scene: SimulatedScene; clock?: ManualClock }[] = [];
  /** Each drone's flight, as its scene flies it: where it is when it transmits. */
  private readonly flights = new Map<string, SimulatedFlightSource>();

  constructor(
    drones: SceneDrone[],
    private readonly clock: Clock,
    private readonly places: readonly Place[],
    opts: SharedAirOptions = {},
  ) {
    const start = clock.now();
    const receiver = SimulatedScene.centre(drones);
    const spreadMs = opts.spreadMs ?? 0;
    const random = rng(opts.seed ?? 1);
    if (spreadMs <= 0) this.scenes.push({ scene: new SimulatedScene({ drones, clock, receiver }) });
    for (const d of drones) {
      let on = start;
      if (spreadMs > 0) {
        on = start - random() * spreadMs;
        const own = new ManualClock(on);
        this.scenes.push({ scene: new SimulatedScene({ drones: [d], clock: own, receiver }), clock: own });
      }
      this.flights.set(d.name, new SimulatedFlightSource({ clock, route: d.route, startTime: on + (d.startAfterS ?? 0) * 1000, intervalMs: 0 }));
    }
  }

  /** Every frame due at or before the clock's now, once per receiver: `heard[i]` is receiver i's, in time order. */
  due(): ReceiverFrame[][] {
    const heard = this.places.map((): ReceiverFrame[] => []);
    const now = this.clock.now();
    for (const f of this.sent(now)) {
      const fix = this.flights.get(f.drone)!.positionAt(Math.min(now, f.t * 1000));
      const at = { lat: fix.latitude, lon: fix.longitude };
      this.places.forEach((p, i) => {
        const rssi = rssiAt(distance(at, { lat: p.latitude, lon: p.longitude }), f.transport);
        heard[i]!.push({ t: f.t, transport: f.transport, linkType: f.linkType, data: withRssi(f.linkType, f.data, rssi), rssi });
      });
    }
    return heard;
  }

  /** Lets every frame due at or before the clock's now go by, heard by no receiver (cheaper than due()); how many. */
  pass(): number {
    return this.sent(this.clock.now()).length;
  }

  private sent(now: number): AirRecord[] {
    const sent: AirRecord[] = [];
    for (const { scene, clock } of this.scenes) {
      if (!clock) {
        for (const f of scene.due()) sent.push(f);
        continue;
      }
      // A drone's transmissions made each at its own time: what they say (where it is) does not depend on
      // when the air is looked at, so processes that share the air (the same start) hear the same bytes.
      for (let at = scene.nextDue(); at <= now; at = scene.nextDue()) {
        clock.set(at);
        for (const f of scene.due()) sent.push(f);
      }
    }
    if (this.scenes.length > 1) sent.sort((a, b) => a.t - b.t);
    return sent;
  }
}
