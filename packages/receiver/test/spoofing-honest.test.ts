/**
 * The other half of the spoofing checks: honest drones must never trip them. A 10-minute scene of 100
 * honest drones (simulated time, run as fast as it goes) with what real ones do: GNSS noise, hovering with
 * speeds of a few tenths in any direction, fast fixed wings, drones on the ground, the 1 and 2 Hz rates,
 * BT4 + BT5 + Wi-Fi on different addresses, signals as strong as the rules allow heard in free space, BLE addresses that rotate, drones restarting with a new session
 * ID (their counters starting again), clocks a few seconds off, fading on the signal, frames lost on the
 * way. No spoofing flag may be raised on any track at any time. Then the same scene with the motion
 * tolerances made tight: motion-mismatch fires, so it is the tolerances that keep it quiet, not a check
 * that never runs.
 */
import { describe, expect, it } from 'vitest';
import type { BroadcastTransport } from '@odid/codec';
import { DEFAULT_ROUTE, SimulatedFlightSource, destinationPoint, distance, type Fix, type LatLon } from '@odid/position';
import { offsetRoute, rssiAt } from '@odid/transmitter';
import { Random, deriveSeed } from '../../../test/support/random.js';
import { freeSpaceLossDb, isSpoofFlag, type TrackerOptions } from '../src/tracker/index.js';
import { DroneSender, RECEIVER, Scene, T0_MS, Window, faaIdentity, noisy, serialOf, standing, withSession, type Sender } from './spoofing-scene.js';

const SEED = 20250601;
const DRONES = 100;
const SCENE_S = 600;

const TRANSPORTS: BroadcastTransport[][] = [
  ['ble-legacy'],
  ['ble-legacy', 'ble-extended'],
  ['wifi-beacon'],
  ['ble-legacy', 'wifi-nan'],
  ['ble-extended', 'wifi-beacon'],
  ['ble-legacy', 'ble-extended', 'wifi-beacon'],
];

const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
/** Loud honest transmitters (EIRP): BLE power class 1 (20 dBm), Wi-Fi at the FCC's 1 W (30 dBm). */
const LOUDEST_BLE_DBM = 20;
const LOUDEST_WIFI_DBM = 30;

interface Cast {
  senders: Sender[];
  serials: string[];
  /** Drones whose BLE address rotates, and those that restart mid-scene. */
  rotating: string[];
  restarting: string[];
}

/** The 100 drones: what each is, where, how it sends; all from the seed. `declaredAccuracyM`: what their fixes claim instead of 3 m. */
function honestCast(scene: Scene, count = DRONES, declaredAccuracyM?: number): Cast {
  const cast: Cast = { senders: [], serials: [], rotating: [], restarting: [] };
  for (let i = 0; i < count; i++) {
    const r = new Random(deriveSeed(SEED, `drone ${i}`));
    const serial = serialOf(1000 + i);
    cast.serials.push(serial);
    const kind = i % 10 < 6 ? 'cruise' : i % 10 < 8 ? 'hover' : i % 10 === 8 ? 'fixed-wing' : 'ground';
    const east = (r.float() - 0.5) * 6000;
    const north = (r.float() - 0.5) * 6000;
    const home: LatLon = destinationPoint(RECEIVER, (Math.atan2(east, north) * 180) / Math.PI, Math.hypot(east, north));
    let path: (t: number) => Fix | undefined;
    if (kind === 'cruise' || kind === 'fixed-wing') {
      const speed = kind === 'cruise' ? 6 + r.float() * 16 : 28 + r.float() * 12;
      const route = offsetRoute(DEFAULT_ROUTE, `route ${i}`, east, north, speed);
      const sim = new SimulatedFlightSource({ clock: scene.clock, route, startTime: T0_MS - r.float() * 120_000 });
      path = (t) => sim.positionAt(t);
    } else {
      const ground = kind === 'ground';
      const still = standing(home);
      path = (t) => ({ ...still(t), status: ground ? 'ground' : 'airborne', height: ground ? 0 : 30 });
    }
    // Hovering drones' positions wander more (a cheaper receiver, the wind).
    const noisyPath = noisy(path, deriveSeed(SEED, `noise ${i}`), kind === 'hover' ? 2.5 : 1.5);
    const fix = declaredAccuracyM === undefined ? noisyPath : (t: number): Fix | undefined => {
      const f = noisyPath(t);
      return f && { ...f, horizontalAccuracy: declaredAccuracyM };
    };
    const operator = noisy(standing(destinationPoint(home, r.float() * 360, 20 + r.float() * 300)), deriveSeed(SEED, `operator ${i}`), 1);
    const transports = TRANSPORTS[i % TRANSPORTS.length]!;
    const rotates = i % 7 === 3 && transports.some((tr) => tr.startsWith('ble'));
    if (rotates) cast.rotating.push(serial);
    const rotateEveryMs = 90_000 + r.int(120_000);
    const sameBleAddress = i % 2 === 0;
    const address = (tr: BroadcastTransport, t: number): string => {
      if (tr.startsWith('wifi')) return `02:00:00:00:${hex2(i >> 8)}:${hex2(i)}`;
      const epoch = rotates ? Math.floor((t - T0_MS) / rotateEveryMs) : 0;
      const lane = tr === 'ble-extended' && !sameBleAddress ? 0x80 : 0;
      return `c3:${hex2(epoch)}:00:${hex2(lane)}:${hex2(i >> 8)}:${hex2(i)}`;
    };
    // Honest clocks: GNSS time, or an NTP-set one a few seconds off.
    const clockOffsetMs = i % 9 === 4 ? (r.float() - 0.5) * 6000 : 0;
    const fading = new Random(deriveSeed(SEED, `fading ${i}`));
    // A quarter are as loud as the rules let them be, heard in free space: the strongest honest signal there is.
    const loud = i % 4 === 1;
    const rssi = (tr: BroadcastTransport, f: Fix | undefined): number => {
      const d = f ? distance(RECEIVER, { lat: f.latitude, lon: f.longitude }) : 3000;
      const hz = tr.startsWith('ble') ? 2_402e6 : (i % 5 === 0 ? 5_745e6 : 2_437e6);
      const mean = loud ? (tr.startsWith('ble') ? LOUDEST_BLE_DBM : LOUDEST_WIFI_DBM) - freeSpaceLossDb(d, hz) : rssiAt(d, tr);
      // Multipath: mostly losses, at most +6 dB when paths add up.
      return Math.min(mean + 6, mean + (fading.float() - 0.7) * 20);
    };
    const identityFor = (flight: number) => withSession(faaIdentity(serial, i % 4 === 0 ? 'takeoff' : 'live'), `flight-${i}-${flight}`);
    const sender = (flight: number): Sender =>
      new DroneSender(scene.clock, {
        identity: identityFor(flight),
        transports,
        address,
        fix,
        operator,
        rateHz: i % 3 === 0 ? 1 : 2,
        rssi,
        clockOffsetMs,
        channel: i % 5 === 0 ? 149 : 6,
      });
    const start = T0_MS + r.int(60_000);
    if (i % 20 === 7) {
      // Lands, restarts 15 s later with a new session ID: same addresses, counters from 0 again.
      cast.restarting.push(serial);
      const stop = T0_MS + 250_000 + r.int(100_000);
      cast.senders.push(new Window(scene.clock, start, stop, () => sender(1)), new Window(scene.clock, stop + 15_000, Infinity, () => sender(2)));
    } else cast.senders.push(new Window(scene.clock, start, Infinity, () => sender(1)));
  }
  return cast;
}

/** Frames the receiver misses: 10 % at random. */
function losses(seed: number): (r: { t: number }) => boolean {
  const rand = new Random(seed);
  return () => rand.float() < 0.1;
}

function runHonest(seconds: number, options: TrackerOptions = {}, count = DRONES, declaredAccuracyM?: number) {
  const scene = new Scene(options);
  const cast = honestCast(scene, count, declaredAccuracyM);
  scene.add(...cast.senders);
  const raised: string[] = [];
  let updates = 0;
  scene.run(seconds, {
    lose: losses(deriveSeed(SEED, 'loss')),
    onUpdate: (u) => {
      updates++;
      if (u.track.flags.some(isSpoofFlag) && raised.length < 20) {
        for (const e of u.track.spoofing) raised.push(`${u.track.uasId ?? u.track.key} ${e.flag}: ${e.detail}`);
      }
    },
  });
  return { scene, cast, raised, updates };
}

describe('honest drones raise no spoofing flag', () => {
  it(`${DRONES} honest drones for ${SCENE_S / 60} minutes of simulated time: not one spoofing flag, at any time`, () => {
    const { scene, cast, raised, updates } = runHonest(SCENE_S);
    expect(raised).toEqual([]);
    const tracks = scene.tracker.tracks();
    // One track per drone: rotations and restarts stay one aircraft.
    expect(tracks.map((t) => t.uasId).sort()).toEqual([...cast.serials].sort());
    for (const t of tracks) {
      expect(t.spoofing, t.uasId).toEqual([]);
      expect(t.flags.filter((f) => f === 'spoofing-suspect' || isSpoofFlag(f))).toEqual([]);
    }
    // What the scene was made of actually happened.
    expect(scene.sent).toBeGreaterThan(200_000);
    expect(scene.heard / scene.sent).toBeGreaterThan(0.85);
    expect(scene.heard / scene.sent).toBeLessThan(0.95);
    expect(updates).toBeGreaterThan(500_000);
    expect(cast.rotating.length).toBeGreaterThan(5);
    for (const s of cast.rotating) expect(scene.tracker.get(s)!.addresses.size, s).toBeGreaterThan(2);
    for (const s of cast.restarting) {
      const t = scene.tracker.get(s)!;
      // The second flight's session ID, and its counters started again (a reset, once per stream).
      expect(Buffer.from(t.basicIds.get(4)!.uasIdHex!, 'hex').toString('latin1')).toMatch(/-2\0*$/);
      const resets = [...t.links.values()].flatMap((l) => [...l.counters.values()].map((c) => c.resets));
      expect(Math.max(...resets)).toBeGreaterThanOrEqual(1);
    }
    // The receiver knew where it stood: distances (and so the RSSI check) for every drone.
    expect(tracks.every((t) => t.distance !== undefined)).toBe(true);
  }, 300_000);

  it('the same drones claiming 1 m accuracy, under tolerances made tight: motion-mismatch fires on their GNSS noise alone (the check runs; its defaults keep it quiet)', () => {
    const tight = { motionToleranceMps: 0.01, motionToleranceRatio: 0.001 };
    expect(runHonest(60, tight, 20, 0.5).raised.some((r) => / motion-mismatch: /.test(r))).toBe(true);
    // The claim alone, or the tolerances alone, are not enough.
    expect(runHonest(60, {}, 20, 0.5).raised).toEqual([]);
    expect(runHonest(60, tight, 20).raised).toEqual([]);
  }, 120_000);
});
