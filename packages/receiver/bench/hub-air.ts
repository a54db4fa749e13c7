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
 */

import { buildRadiotap, concatBytes, LINKTYPE, parseRadiotap, type BroadcastTransport } from '@odid/codec';
import { distance, SimulatedFlightSource, type Clock } from '@odid/position';
import { rssiAt, SimulatedScene, type SceneDrone } from '@odid/transmitter';

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

export class SharedAir {
  private readonly scene: SimulatedScene;
  /** Each drone's flight, as the scene flies it: where it is when it transmits. */
  private readonly flights = new Map<string, SimulatedFlightSource>();

  constructor(
    drones: SceneDrone[],
    private readonly clock: Clock,
    private readonly places: readonly Place[],
  ) {
    const start = clock.now();
    this.scene = new SimulatedScene({ drones, clock, receiver: SimulatedScene.centre(drones) });
    for (const d of drones) this.flights.set(d.name, new SimulatedFlightSource({ clock, route: d.route, startTime: start + (d.startAfterS ?? 0) * 1000, intervalMs: 0 }));
  }

  /** Every frame due at or before the clock's now, once per receiver: `heard[i]` is receiver i's, in time order. */
  due(): ReceiverFrame[][] {
    const heard = this.places.map((): ReceiverFrame[] => []);
    const now = this.clock.now();
    for (const f of this.scene.due()) {
      const fix = this.flights.get(f.drone)!.positionAt(Math.min(now, f.t * 1000));
      const at = { lat: fix.latitude, lon: fix.longitude };
      this.places.forEach((p, i) => {
        const rssi = rssiAt(distance(at, { lat: p.latitude, lon: p.longitude }), f.transport);
        heard[i]!.push({ t: f.t, transport: f.transport, linkType: f.linkType, data: withRssi(f.linkType, f.data, rssi), rssi });
      });
    }
    return heard;
  }
}
