/**
 * One scripted spoofing scene per flag (spoofing-scene.ts: the transmitter's Scheduler and the codec's
 * frame builders on a simulated air, the receive path, the tracker): each flag must be raised with the
 * evidence that shows why — its numbers, times, addresses and IDs — and an honest drone flying in the same
 * scene must raise none. Where a lie gives away more than one thing (a clone far away also jumps), the
 * test says which flags fire and why. Then the outputs: the alert, the JSON (against docs/schemas), the
 * table's FLAGS cell, CoT remarks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { destinationPoint, type Fix, type LatLon } from '@odid/position';
import { rssiAt } from '@odid/transmitter';
import { repoRoot } from '../../../test/support/fixtures.js';
import { trackToCot } from '../src/outputs/cot.js';
import { trackUpdateToJson } from '../src/outputs/jsonl.js';
import { renderTable } from '../src/outputs/table.js';
import {
  SPOOF_FLAGS,
  TRACK_FLAGS,
  isSpoofFlag,
  trackToJson,
  type SpoofEvidence,
  type SpoofFlag,
  type Track,
  type TrackAlert,
  type TrackFlag,
  type TrackUpdate,
} from '../src/tracker/index.js';
import {
  DroneSender,
  RECEIVER,
  Scene,
  Scripted,
  T0_MS,
  Window,
  djiFlight,
  faaIdentity,
  fixAt,
  noisy,
  serialOf,
  standing,
  straight,
  type AirRecord,
  type Sender,
} from './spoofing-scene.js';

// ---- the schema the JSON must follow ----
const SCHEMA_DIR = path.join(repoRoot, 'docs/schemas');
const ajv = new Ajv2020.default({ strict: true, allErrors: true });
for (const f of ['message.schema.json', 'received-frame.schema.json', 'track.schema.json']) ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as object);
const trackSchema = ajv.getSchema('https://odid-toolkit.invalid/schemas/track.schema.json')!;
const updateSchema = ajv.getSchema('https://odid-toolkit.invalid/schemas/track.schema.json#/$defs/trackUpdate')!;

/** Every track's JSON and every update's line follow the schema. */
function expectSchemaValid(scene: Scene, updates: readonly TrackUpdate[]): void {
  for (const t of scene.tracker.tracks()) expect(trackSchema(trackToJson(t)), JSON.stringify(trackSchema.errors)).toBe(true);
  const lines = updates.filter((x) => x.alerts || x.reason !== 'updated');
  expect(lines.length).toBeGreaterThan(0);
  for (const u of lines.slice(0, 200)) expect(updateSchema(JSON.parse(trackUpdateToJson(u))), JSON.stringify(updateSchema.errors)).toBe(true);
}

// ---- the cast of every scene ----

/** An honest drone beside every spoofer: BT4 and Wi-Fi, its operator standing where it took off. */
const HONEST_SERIAL = serialOf(1);
const HONEST_START = destinationPoint(RECEIVER, 45, 800);
function honestDrone(scene: Scene): Sender {
  return new DroneSender(scene.clock, {
    identity: faaIdentity(HONEST_SERIAL),
    transports: ['ble-legacy', 'wifi-beacon'],
    address: (tr) => (tr === 'ble-legacy' ? 'c3:00:00:00:00:01' : '02:00:00:00:00:01'),
    fix: noisy(straight(HONEST_START, 90, 10), 1),
    operator: noisy(standing(HONEST_START), 2),
  });
}

/**
 * An update as it was when made: its track goes on changing, but the lists it had then (flags, evidence)
 * are replaced, never changed, so holding them keeps that moment.
 */
interface Seen {
  update: TrackUpdate;
  key: string;
  flags: readonly TrackFlag[];
  spoofing: readonly SpoofEvidence[];
}

/** A scene with the honest drone and the spoofer's senders, run for `seconds`; every update kept. */
function play(seconds: number, make: (scene: Scene) => Sender[], options: ConstructorParameters<typeof Scene>[0] = {}, receiver: LatLon | null = RECEIVER) {
  const scene = new Scene(options, receiver);
  scene.add(honestDrone(scene), ...make(scene));
  const updates: Seen[] = [];
  scene.run(seconds, { onUpdate: (u) => updates.push({ update: u, key: u.track.key, flags: u.track.flags, spoofing: u.track.spoofing }) });
  const honest = scene.tracker.get(HONEST_SERIAL)!;
  return { scene, updates, honest, track: (id: string) => scene.tracker.get(id)! };
}

const spoofFlagsOf = (t: Track): SpoofFlag[] => t.flags.filter(isSpoofFlag);
/** The spoofing flags a track raised at any time of the scene. */
function everRaised(updates: readonly Seen[], key: string): SpoofFlag[] {
  const seen = new Set<SpoofFlag>();
  for (const u of updates) if (u.key === key) for (const f of u.flags) if (isSpoofFlag(f)) seen.add(f);
  return SPOOF_FLAGS.filter((f) => seen.has(f));
}
const alertsOf = (updates: readonly Seen[], key: string): TrackAlert[] => updates.filter((u) => u.key === key).flatMap((u) => u.update.alerts ?? []);
const evidenceOf = (t: Track, flag: SpoofFlag): SpoofEvidence => {
  const e = t.spoofing.find((x) => x.flag === flag);
  if (!e) throw new Error(`no ${flag} evidence on ${t.uasId}: ${t.spoofing.map((x) => x.flag).join(', ')}`);
  return e;
};
/** Every distinct evidence a flag had on a track during the scene, in order (its words). */
function evidenceHistory(updates: readonly Seen[], key: string, flag: SpoofFlag): SpoofEvidence[] {
  const out: SpoofEvidence[] = [];
  for (const u of updates) {
    if (u.key !== key) continue;
    const e = u.spoofing.find((x) => x.flag === flag);
    if (e && out[out.length - 1] !== e) out.push(e);
  }
  return out;
}

/** Honest drones in the scene stay clean, whatever the spoofer does. */
function expectHonestClean(updates: readonly Seen[], honest: Track): void {
  expect(honest.messages).toBeGreaterThan(50);
  expect(everRaised(updates, honest.key)).toEqual([]);
  expect(honest.spoofing).toEqual([]);
}

const SPOOFER = '1596ASPFR000001';

describe('impossible-motion', () => {
  it('a drone that teleports 6 km between two fixes: the jump, its speed, its addresses (and, over 15 s, its reported speed cannot explain it)', () => {
    const from = destinationPoint(RECEIVER, 180, 600);
    const honestPath = noisy(straight(from, 90, 10), 3);
    const fix = (t: number): Fix | undefined => {
      const f = honestPath(t);
      if (!f || t < T0_MS + 20_000) return f;
      const p = destinationPoint({ lat: f.latitude, lon: f.longitude }, 0, 6000);
      return { ...f, latitude: p.lat, longitude: p.lon };
    };
    const { updates, honest, track } = play(24, (s) => [
      new DroneSender(s.clock, { identity: faaIdentity(SPOOFER), transports: ['wifi-beacon'], address: () => '02:66:00:00:00:01', fix }),
    ]);
    const t = track(SPOOFER);
    const e = evidenceOf(t, 'impossible-motion');
    expect(e.values.distanceM).toBeGreaterThan(5900);
    expect(e.values.distanceM).toBeLessThan(6100);
    // Fixes half a second apart count as a second: no supersonic reading from two paths' timing.
    expect(e.values.seconds).toBe(1);
    expect(e.values.speedMps).toBe(e.values.distanceM);
    expect(e.values.limitMps).toBe(300);
    expect(e.addresses).toEqual(['02:66:00:00:00:01']);
    expect(e.detail).toMatch(/^moved 6\d{3} m in 1\.0 s \(6\d{3} m\/s; over 300 m\/s\)$/);
    expect(e.t).toBeGreaterThanOrEqual(T0_MS + 20_000);
    expect(e.t).toBeLessThan(T0_MS + 20_600);
    expect(e.since).toBe(e.t);
    expect(e.count).toBe(1);
    // The 15 s stretch that holds the jump: its positions moved 6 km, its speeds say 150 m.
    expect(spoofFlagsOf(t)).toEqual(['impossible-motion', 'motion-mismatch']);
    expect(t.flags).toContain('spoofing-suspect');
    expectHonestClean(updates, honest);
  });

  it('held for spoofHoldMs after the evidence, then cleared by a tick; the evidence stays', () => {
    const fix = (t: number): Fix => fixAt(t, destinationPoint(RECEIVER, 0, t < T0_MS + 5000 ? 500 : 4000), 0, undefined);
    const { scene, track } = play(8, (s) => [new DroneSender(s.clock, { identity: faaIdentity(SPOOFER), transports: ['wifi-beacon'], address: () => '02:66:00:00:00:01', fix })], { spoofHoldMs: 10_000 });
    const t = track(SPOOFER);
    // Standing at 4 km since: no new evidence.
    expect(spoofFlagsOf(t)).toEqual(['impossible-motion']);
    const at = evidenceOf(t, 'impossible-motion').t;
    scene.tracker.tick(at + 10_000);
    expect(t.flags).toContain('impossible-motion');
    const cleared = scene.tracker.tick(at + 10_001).find((u) => u.track === t)!;
    expect(cleared.reason).toBe('flags');
    expect(cleared.track.flags.filter((f) => f === 'spoofing-suspect' || isSpoofFlag(f))).toEqual([]);
    expect(trackToJson(t).spoofing).toMatchObject([{ flag: 'impossible-motion', t: at / 1000 }]);
  });
});

describe('motion-mismatch', () => {
  it('a spoofer standing still that reports 15 m/s east: reported and observed speed, course, miss and tolerance', () => {
    const at = destinationPoint(RECEIVER, 270, 900);
    const { updates, honest, track } = play(30, (s) => [
      new DroneSender(s.clock, { identity: faaIdentity(SPOOFER), transports: ['ble-legacy'], address: () => 'c3:66:00:00:00:01', fix: noisy((t) => fixAt(t, at, 15, 90), 4) }),
    ]);
    const t = track(SPOOFER);
    expect(spoofFlagsOf(t)).toEqual(['motion-mismatch']);
    const e = evidenceOf(t, 'motion-mismatch');
    expect(e.values.reportedMps).toBeGreaterThan(14.5);
    expect(e.values.reportedMps).toBeLessThan(15.5);
    expect(e.values.reportedCourseDeg).toBeGreaterThanOrEqual(88);
    expect(e.values.reportedCourseDeg).toBeLessThanOrEqual(92);
    expect(e.values.observedMps).toBeLessThan(0.5);
    expect(e.values.seconds).toBeGreaterThanOrEqual(15);
    expect(e.values.seconds).toBeLessThan(16);
    // Miss: the ~225 m the speeds say it flew; tolerance: accuracy (10 m class) twice, 3 m/s and 25 % of the path.
    expect(e.values.missM).toBeGreaterThan(215);
    expect(e.values.toleranceM).toBeGreaterThan(e.values.seconds! * 3 + 20);
    expect(e.values.missM).toBeGreaterThan(e.values.toleranceM!);
    expect(e.addresses).toEqual(['c3:66:00:00:00:01']);
    expect(e.detail).toMatch(/^reported 1[45]\.\d m\/s to (8[89]|9[012])° but moved 0\.\d m\/s over 15\.\d s: 2\d\d m off \(tolerance \d+ m\)$/);
    // A displacement of noise has no direction to speak of.
    expect(e.values.observedCourseDeg).toBeUndefined();
    // First raised once 15 s of flight were there to compare; renewed every second since.
    const first = evidenceHistory(updates, t.key, 'motion-mismatch')[0]!;
    expect(first.t).toBeGreaterThanOrEqual(T0_MS + 15_000);
    expect(first.t).toBeLessThan(T0_MS + 17_000);
    expect(e.count).toBeGreaterThan(10);
    expect(e.since).toBe(first.t);
    expectHonestClean(updates, honest);
  });

  it('a spoofer flying north that says it flies east at its speed: the course gives it away', () => {
    const { updates, honest, track } = play(30, (s) => [
      new DroneSender(s.clock, {
        identity: faaIdentity(SPOOFER),
        transports: ['wifi-beacon'],
        address: () => '02:66:00:00:00:02',
        fix: (t) => ({ ...straight(destinationPoint(RECEIVER, 270, 900), 0, 12)(t), direction: 90 }),
      }),
    ]);
    const e = evidenceOf(track(SPOOFER), 'motion-mismatch');
    expect(e.values.reportedMps).toBeCloseTo(12, 0);
    expect(e.values.observedMps).toBeCloseTo(12, 0);
    expect(e.values.reportedCourseDeg).toBe(90);
    expect(e.values.observedCourseDeg === 0 || e.values.observedCourseDeg === 360).toBe(true);
    // 12 m/s east against 12 m/s north over 15 s: ~255 m apart.
    expect(e.values.missM).toBeGreaterThan(240);
    expect(spoofFlagsOf(track(SPOOFER))).toEqual(['motion-mismatch']);
    expectHonestClean(updates, honest);
  });

  it('hovering with GPS noise, speeds of a few tenths in any direction, and a fast straight flight at 1 Hz: none', () => {
    const { updates, track } = play(120, (s) => [
      new DroneSender(s.clock, { identity: faaIdentity(serialOf(2)), transports: ['ble-legacy'], address: () => 'c3:00:00:00:00:02', fix: noisy(standing(destinationPoint(RECEIVER, 10, 300)), 5, 2.5) }),
      new DroneSender(s.clock, { identity: faaIdentity(serialOf(3)), transports: ['wifi-beacon'], address: () => '02:00:00:00:00:03', rateHz: 1, fix: noisy(straight(destinationPoint(RECEIVER, 200, 300), 135, 40), 6) }),
    ]);
    for (const id of [serialOf(2), serialOf(3)]) expect(everRaised(updates, track(id).key)).toEqual([]);
  });
});

describe('address-spread', () => {
  it("a clone of a drone's ID on the same transport 5 km away: the two addresses and their distance (the clone also jumps and crowds)", () => {
    const clone = faaIdentity(SPOOFER);
    const here = destinationPoint(RECEIVER, 0, 500);
    const there = destinationPoint(RECEIVER, 0, 5500);
    const { updates, honest, track } = play(25, (s) => [
      new DroneSender(s.clock, { identity: clone, transports: ['wifi-beacon'], address: () => '02:66:00:00:00:0a', fix: noisy(straight(here, 90, 8), 7) }),
      new Window(s.clock, T0_MS + 300, Infinity, () => new DroneSender(s.clock, { identity: clone, transports: ['wifi-beacon'], address: () => '02:66:00:00:00:0b', fix: noisy(straight(there, 90, 8), 8) })),
    ]);
    const t = track(SPOOFER);
    const e = evidenceOf(t, 'address-spread');
    expect(e.values.distanceM).toBeGreaterThan(4900);
    expect(e.values.distanceM).toBeLessThan(5100);
    expect(e.values.limitM).toBe(1000);
    expect(e.values.seconds).toBeLessThanOrEqual(1);
    expect([...e.addresses].sort()).toEqual(['02:66:00:00:00:0a', '02:66:00:00:00:0b']);
    expect(e.detail).toMatch(/^02:66:00:00:00:0[ab] and 02:66:00:00:00:0[ab] on wifi-beacon are 5\.0 km apart, 0\.\d s between their fixes$/);
    // Interleaved fixes 5 km apart are also jumps, and two addresses of one transport heard together a crowd.
    // Not motion-mismatch: both clones send every 500 ms, so each 15 s stretch begins and ends with fixes of
    // the same clone, whose own motion is honest (the jumps are impossible-motion's to tell).
    expect(spoofFlagsOf(t)).toEqual(['impossible-motion', 'address-spread', 'address-crowd']);
    expectHonestClean(updates, honest);
  });

  it('one address 2 km from another that fell silent 20 s before: the spread alone (within staleAfterMs)', () => {
    const clone = faaIdentity(SPOOFER);
    const { track } = play(
      40,
      (s) => [
        new Window(s.clock, T0_MS, T0_MS + 5000, () => new DroneSender(s.clock, { identity: clone, transports: ['wifi-beacon'], address: () => '02:66:00:00:00:0a', fix: standing(destinationPoint(RECEIVER, 0, 500)) })),
        new Window(s.clock, T0_MS + 25_000, Infinity, () => new DroneSender(s.clock, { identity: clone, transports: ['wifi-beacon'], address: () => '02:66:00:00:00:0b', fix: standing(destinationPoint(RECEIVER, 0, 2500)) })),
      ],
      { staleAfterMs: 30_000, lostAfterMs: 60_000 },
    );
    const t = track(SPOOFER);
    expect(spoofFlagsOf(t)).toEqual(['address-spread']);
    expect(evidenceOf(t, 'address-spread').values).toMatchObject({ distanceM: 2000, limitM: 1000 });
    expect(evidenceOf(t, 'address-spread').values.seconds).toBeGreaterThan(19);
  });
});

describe('address-crowd', () => {
  it('one ID from three BLE addresses at once, all at one place: the addresses, how long together', () => {
    const clone = faaIdentity(SPOOFER);
    const spot = destinationPoint(RECEIVER, 120, 400);
    const fix = noisy(standing(spot), 9);
    const { updates, honest, track } = play(20, (s) =>
      ['c3:66:00:00:00:01', 'c3:66:00:00:00:02', 'c3:66:00:00:00:03'].map(
        (mac, i) => new Window(s.clock, T0_MS + i * i * 1500, Infinity, () => new DroneSender(s.clock, { identity: clone, transports: ['ble-legacy'], address: () => mac, fix })),
      ),
    );
    const t = track(SPOOFER);
    expect(spoofFlagsOf(t)).toEqual(['address-crowd']);
    const e = evidenceOf(t, 'address-crowd');
    expect(e.values).toMatchObject({ addresses: 3, limit: 1 });
    // The third has been heard with the others since 6 s.
    expect(e.values.overlapS).toBeGreaterThan(13);
    expect([...e.addresses].sort()).toEqual(['c3:66:00:00:00:01', 'c3:66:00:00:00:02', 'c3:66:00:00:00:03']);
    expect(e.detail).toMatch(/^3 addresses on ble-legacy at once \(c3:66:00:00:00:0\d, c3:66:00:00:00:0\d, c3:66:00:00:00:0\d\), heard together for \d+\.\d s; one aircraft uses 1$/);
    // Raised as soon as two had been heard together for over 2 s; the third (from 6 s) joined the evidence.
    const history = evidenceHistory(updates, t.key, 'address-crowd');
    expect(history[0]!.values.addresses).toBe(2);
    expect(history[0]!.t).toBeGreaterThan(T0_MS + 3500);
    expect(history[0]!.t).toBeLessThan(T0_MS + 4500);
    expect(history.find((x) => x.values.addresses === 3)!.t).toBeGreaterThan(T0_MS + 8000);
    expectHonestClean(updates, honest);
  });

  it('what one drone does is no crowd: BT4, BT5 and Wi-Fi on three addresses, a BLE address that rotates every 30 s', () => {
    const { updates, track } = play(150, (s) => [
      new DroneSender(s.clock, {
        identity: faaIdentity(serialOf(4)),
        transports: ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'],
        address: (tr, t) => (tr === 'ble-legacy' || tr === 'ble-extended' ? `c3:00:00:00:${tr === 'ble-legacy' ? '10' : '20'}:${Math.floor((t - T0_MS) / 30_000).toString(16).padStart(2, '0')}` : '02:00:00:00:00:04'),
        fix: noisy(straight(destinationPoint(RECEIVER, 300, 700), 20, 9), 10),
      }),
    ]);
    const t = track(serialOf(4));
    expect(t.addresses.size).toBe(11); // 5 BT4 and 5 BT5 addresses in turn, one for both Wi-Fi transports
    expect(everRaised(updates, t.key)).toEqual([]);
  });

  it('a dual-band transmitter beaconing on channels 6 and 149 from two addresses is no crowd; on one band it would be', () => {
    const both = (channels: [number, number]) =>
      play(20, (s) =>
        channels.map(
          (channel, k) =>
            new DroneSender(s.clock, { identity: faaIdentity(serialOf(6)), transports: ['wifi-beacon'], address: () => `02:00:00:00:06:0${k}`, channel, fix: straight(destinationPoint(RECEIVER, 30, 500), 0, 5) }),
        ),
      ).track(serialOf(6));
    const dual = both([6, 149]);
    expect(dual.links.size).toBe(2);
    expect(spoofFlagsOf(dual)).toEqual([]);
    expect(spoofFlagsOf(both([6, 11]))).toEqual(['address-crowd']);
  });
});

/** Only lets a sender's frames through within its slices of the air clock (it keeps scheduling meanwhile). */
class Slices implements Sender {
  constructor(
    private readonly inner: Sender,
    private readonly on: (tMs: number) => boolean,
  ) {}
  nextDue(): number {
    return this.inner.nextDue();
  }
  due(): AirRecord[] {
    return this.inner.due().filter((r) => this.on(r.t * 1000));
  }
}

describe('id-cycling', () => {
  it('one address taking six serials in turn, 2 s each: every one of those tracks gets the address and the IDs', () => {
    const ids = [100, 101, 102, 103, 104, 105].map((n) => serialOf(n, '1596'));
    const { updates, honest, scene, track } = play(30, (s) =>
      ids.map(
        (id, i) =>
          new Slices(
            new DroneSender(s.clock, { identity: faaIdentity(id), transports: ['wifi-beacon'], address: () => '02:66:00:00:00:c1', fix: standing(destinationPoint(RECEIVER, i * 60, 400 + i * 100)) }),
            (t) => Math.floor((t - T0_MS) / 2000) % ids.length === i,
          ),
      ),
    );
    for (const id of ids) {
      const t = track(id);
      expect(spoofFlagsOf(t), id).toEqual(['id-cycling']);
      const e = evidenceOf(t, 'id-cycling');
      expect(e.addresses).toEqual(['02:66:00:00:00:c1']);
      expect(e.values.ids).toBe(6);
      expect(e.ids).toEqual(ids);
      expect(e.detail).toMatch(new RegExp(`^02:66:00:00:00:c1 sent 6 serials in \\d+(\\.\\d)? s: ${ids.slice(-4).join(', ')} \\(\\+2 more\\)$`));
    }
    // The second serial from that address is the first evidence, on both tracks.
    const first = evidenceHistory(updates, track(ids[1]!).key, 'id-cycling')[0]!;
    expect(first.t).toBeGreaterThanOrEqual(T0_MS + 2000);
    expect(first.t).toBeLessThan(T0_MS + 2600);
    expect(first.ids).toEqual(ids.slice(0, 2));
    expect(scene.tracker.tracks().filter((t) => t.flags.includes('id-cycling'))).toHaveLength(6);
    expectHonestClean(updates, honest);
  });

  it('a serial with a session ID that changes per flight, and CAA + serial + session from one address: no cycling', () => {
    const id = faaIdentity(serialOf(5));
    const withSession = (n: number): typeof id => ({ ...id, basicIds: [...id.basicIds, { type: 'basicId', idType: 4, uaType: 2, uasIdHex: (n.toString(16).padStart(2, '0') + '11'.repeat(19)) }] });
    const { updates, track } = play(40, (s) => [
      new Window(s.clock, T0_MS, T0_MS + 15_000, () => new DroneSender(s.clock, { identity: withSession(1), transports: ['wifi-beacon'], address: () => '02:00:00:00:00:05', fix: standing(destinationPoint(RECEIVER, 0, 300)) })),
      new Window(s.clock, T0_MS + 20_000, Infinity, () => new DroneSender(s.clock, { identity: withSession(2), transports: ['wifi-beacon'], address: () => '02:00:00:00:00:05', fix: standing(destinationPoint(RECEIVER, 0, 300)) })),
    ]);
    const t = track(serialOf(5));
    expect(t.basicIds.get(4)!.uasIdHex!.startsWith('02')).toBe(true);
    expect(everRaised(updates, t.key)).toEqual([]);
  });
});

describe('counter-backwards', () => {
  it('two transmitters on one address and ID (a clone with its MAC): its pack counter steps back again and again', () => {
    const clone = faaIdentity(SPOOFER);
    const fix = straight(destinationPoint(RECEIVER, 250, 600), 10, 6);
    const { updates, honest, track } = play(20, (s) => [
      new DroneSender(s.clock, { identity: clone, transports: ['wifi-beacon'], address: () => '02:66:00:00:00:d1', fix }),
      new Window(s.clock, T0_MS + 5_250, Infinity, () => new DroneSender(s.clock, { identity: clone, transports: ['wifi-beacon'], address: () => '02:66:00:00:00:d1', fix })),
    ]);
    const t = track(SPOOFER);
    expect(spoofFlagsOf(t)).toEqual(['counter-backwards']);
    const e = evidenceOf(t, 'counter-backwards');
    expect(e.values.steps).toBe(3);
    expect(e.values.windowS).toBeLessThan(2);
    // The clone started 10 packs behind: every one of its packs steps back by about 10.
    expect(((e.values.from! - e.values.to!) + 256) % 256).toBeGreaterThanOrEqual(9);
    expect(e.addresses).toEqual(['02:66:00:00:00:d1']);
    expect(e.detail).toMatch(/^the pack counter of wifi-beacon 02:66:00:00:00:d1 stepped back 3 times in \d\.\d s \(last \d+ → \d+\)$/);
    const first = evidenceHistory(updates, t.key, 'counter-backwards')[0]!;
    expect(first.t).toBeGreaterThan(T0_MS + 5_250);
    expect(first.t).toBeLessThan(T0_MS + 7_000);
    expect(t.links.get('wifi-beacon 02:66:00:00:00:d1')!.counters.get('pack')!.resets).toBeGreaterThan(10);
    expectHonestClean(updates, honest);
  });
});

describe('timestamp-mismatch', () => {
  it('a transmitter whose clock is 10 minutes behind: the skew (and stale-location, which says the same for compliance)', () => {
    const { updates, honest, track } = play(10, (s) => [
      new DroneSender(s.clock, { identity: faaIdentity(SPOOFER), transports: ['ble-legacy'], address: () => 'c3:66:00:00:00:e1', clockOffsetMs: -600_000, fix: straight(destinationPoint(RECEIVER, 90, 700), 0, 5) }),
    ]);
    const t = track(SPOOFER);
    expect(spoofFlagsOf(t)).toEqual(['timestamp-mismatch']);
    expect(t.flags).toContain('stale-location');
    const e = evidenceOf(t, 'timestamp-mismatch');
    expect(e.values.skewS).toBeCloseTo(600, 0);
    expect(e.values.limitS).toBe(30);
    expect(e.detail).toMatch(/^Location timestamp 600\.\d s before its reception \(over 30\.0 s\)$/);
    expect(e.addresses).toEqual(['c3:66:00:00:00:e1']);
    expectHonestClean(updates, honest);
  });

  it('a replay of 20 s of a real flight, looped: timestamps go back 20 s, its counters step back, the motion breaks at each loop', () => {
    // Record an honest flight's frames, then send the same bytes again and again.
    const rec = new Scene();
    const recorded: AirRecord[] = [];
    const source = new DroneSender(rec.clock, { identity: faaIdentity(SPOOFER), transports: ['wifi-beacon'], address: () => '02:66:00:00:00:f1', fix: noisy(straight(destinationPoint(RECEIVER, 160, 900), 45, 10), 11) });
    rec.add({ nextDue: () => source.nextDue(), due: () => source.due().map((r) => (recorded.push(r), r)) });
    rec.run(20);
    const loops = [0, 1, 2, 3, 4].flatMap((k) => recorded.map((r) => ({ ...r, t: r.t + k * 20 + 0.5 })));
    const { updates, honest, track } = play(101, (s) => [new Scripted(s.clock, loops)]);
    const t = track(SPOOFER);
    const back = evidenceHistory(updates, t.key, 'timestamp-mismatch').find((e) => e.values.backS !== undefined)!;
    expect(back.values.backS).toBeGreaterThan(19);
    expect(back.values.backS).toBeLessThan(21);
    expect(back.detail).toMatch(/^Location timestamp went back (19|20)\.\d s on wifi-beacon 02:66:00:00:00:f1$/);
    expect(back.t).toBeGreaterThanOrEqual(T0_MS + 20_500);
    expect(back.t).toBeLessThan(T0_MS + 21_600);
    // By the third loop the timestamps are over 30 s behind the reception as well.
    const skew = evidenceOf(t, 'timestamp-mismatch');
    expect(skew.values.skewS).toBeGreaterThan(30);
    // Each loop steps the counter back once: the third loop makes three.
    expect(evidenceOf(t, 'counter-backwards').values.steps).toBe(3);
    expect(spoofFlagsOf(t)).toEqual(['motion-mismatch', 'counter-backwards', 'timestamp-mismatch']);
    expectHonestClean(updates, honest);
  });
});

describe('operator-far', () => {
  it('an operator position 40 km from the drone: the distance and the bound', () => {
    const drone = destinationPoint(RECEIVER, 330, 600);
    const { updates, honest, track } = play(10, (s) => [
      new DroneSender(s.clock, { identity: faaIdentity(SPOOFER, 'fixed', destinationPoint(drone, 90, 40_000)), transports: ['wifi-beacon'], address: () => '02:66:00:00:00:0f', fix: standing(drone) }),
    ]);
    const t = track(SPOOFER);
    expect(spoofFlagsOf(t)).toEqual(['operator-far']);
    const e = evidenceOf(t, 'operator-far');
    expect(e.values.distanceM).toBeGreaterThan(39_900);
    expect(e.values.distanceM).toBeLessThan(40_100);
    expect(e.values.limitM).toBe(20_000);
    expect(e.detail).toBe('operator (fixed) 40 km from the drone (over 20 km)');
    expectHonestClean(updates, honest);
  });

  it('an operator 15 km away (long BVLOS) is within the bound; the bound is an option', () => {
    const drone = destinationPoint(RECEIVER, 330, 600);
    const make = (s: Scene): Sender[] => [
      new DroneSender(s.clock, { identity: faaIdentity(SPOOFER, 'fixed', destinationPoint(drone, 90, 15_000)), transports: ['wifi-beacon'], address: () => '02:66:00:00:00:0f', fix: standing(drone) }),
    ];
    expect(spoofFlagsOf(play(5, make).track(SPOOFER))).toEqual([]);
    expect(spoofFlagsOf(play(5, make, { maxOperatorDistanceM: 10_000 }).track(SPOOFER))).toEqual(['operator-far']);
  });
});

describe('rssi-impossible', () => {
  const near = (s: Scene): Sender[] => [
    new DroneSender(s.clock, {
      identity: faaIdentity(SPOOFER),
      transports: ['ble-legacy'],
      address: () => 'c3:66:00:00:00:a1',
      fix: noisy(straight(destinationPoint(RECEIVER, 200, 8000), 90, 10), 12),
      // The ESP32 sits 10 m from the receiver and says it is 8 km away.
      rssi: (tr) => rssiAt(10, tr),
    }),
  ];

  it('a spoofer 10 m from the receiver claiming to be 8 km away: its RSSI, the distance it claims, what physics allows', () => {
    const { updates, honest, track } = play(10, near);
    const t = track(SPOOFER);
    expect(spoofFlagsOf(t)).toEqual(['rssi-impossible']);
    const e = evidenceOf(t, 'rssi-impossible');
    expect(e.values.rssiDbm).toBe(rssiAt(10, 'ble-legacy'));
    expect(e.values.distanceM).toBeGreaterThan(7950);
    expect(e.values.distanceM).toBeLessThan(8100);
    // 20 dBm EIRP + 15 dB margin - free-space loss over 8 km at 2402 MHz (118.1 dB): about -83 dBm.
    expect(e.values.maxRssiDbm).toBeGreaterThan(-84);
    expect(e.values.maxRssiDbm).toBeLessThan(-82.5);
    expect(e.values.excessDb).toBeCloseTo(e.values.rssiDbm! - e.values.maxRssiDbm!, 1);
    expect(e.detail).toMatch(/^-62 dBm on ble-legacy c3:66:00:00:00:a1, which claims to be 8\.\d km away: free space allows at most -8\d dBm$/);
    expectHonestClean(updates, honest);
  });

  it("without the receiver's position nothing can be said", () => {
    const { track } = play(10, near, {}, null);
    expect(spoofFlagsOf(track(SPOOFER))).toEqual([]);
  });
});

describe('dji-odid-mismatch', () => {
  const CTA = '1581F6N8A23B2ML3Y3KR';

  it('DJI DroneID of a serial 5 km from its Remote ID: both tracks get the distance and both serials', () => {
    const odidAt = destinationPoint(RECEIVER, 20, 700);
    const { updates, honest, track, scene } = play(20, (s) => [
      new DroneSender(s.clock, { identity: faaIdentity(CTA), transports: ['wifi-beacon'], address: () => '60:60:1f:00:00:01', fix: noisy(straight(odidAt, 90, 8), 13) }),
      // DroneID carries the serial cut to its 16-character field.
      new Scripted(s.clock, djiFlight('60:60:1f:00:00:02', CTA.slice(0, 16), destinationPoint(odidAt, 180, 5000), 90, 8, 20)),
    ]);
    const odid = track(CTA);
    const dji = track(CTA.slice(0, 16));
    expect(dji).not.toBe(odid);
    for (const t of [odid, dji]) {
      expect(spoofFlagsOf(t)).toEqual(['dji-odid-mismatch']);
      const e = evidenceOf(t, 'dji-odid-mismatch');
      expect(e.values.distanceM).toBeGreaterThan(4900);
      expect(e.values.distanceM).toBeLessThan(5100);
      expect(e.values.limitM).toBe(1000);
      expect(e.ids).toEqual([CTA.slice(0, 16), CTA]);
      expect([...e.addresses].sort()).toEqual(['60:60:1f:00:00:01', '60:60:1f:00:00:02']);
      expect(e.detail).toMatch(/^DJI DroneID 1581F6N8A23B2ML3 and Remote ID 1581F6N8A23B2ML3Y3KR are 5\.0 km apart, \d\.\d s between their fixes$/);
    }
    expect(scene.tracker.tracks()).toHaveLength(3);
    expectHonestClean(updates, honest);
  });

  it('the two broadcasts of one DJI drone in one place agree: none', () => {
    const odidAt = destinationPoint(RECEIVER, 20, 700);
    const { updates, track } = play(20, (s) => [
      new DroneSender(s.clock, { identity: faaIdentity(CTA), transports: ['wifi-beacon'], address: () => '60:60:1f:00:00:01', fix: noisy(straight(odidAt, 90, 8), 14) }),
      new Scripted(s.clock, djiFlight('60:60:1f:00:00:02', CTA.slice(0, 16), odidAt, 90, 8, 20)),
    ]);
    expect(everRaised(updates, track(CTA).key)).toEqual([]);
    expect(everRaised(updates, track(CTA.slice(0, 16)).key)).toEqual([]);
  });

  it('one address sending DroneID of one CTA serial and Remote ID of another: the serials disagree', () => {
    const at = destinationPoint(RECEIVER, 20, 700);
    const { track } = play(10, (s) => [
      new DroneSender(s.clock, { identity: faaIdentity('1581F5FJD228400X0S2K'), transports: ['wifi-beacon'], address: () => '60:60:1f:00:00:03', fix: standing(at) }),
      new Scripted(s.clock, djiFlight('60:60:1f:00:00:03', CTA.slice(0, 16), at, 0, 0, 10)),
    ]);
    const t = track('1581F5FJD228400X0S2K');
    expect(t).toBe(track(CTA.slice(0, 16)));
    expect(spoofFlagsOf(t)).toEqual(['dji-odid-mismatch']);
    const e = evidenceOf(t, 'dji-odid-mismatch');
    expect(e.ids).toEqual([CTA.slice(0, 16), '1581F5FJD228400X0S2K']);
    expect(e.values).toEqual({});
    expect(e.detail).toBe("DJI DroneID serial 1581F6N8A23B2ML3 and Remote ID serial 1581F5FJD228400X0S2K from one aircraft's addresses name different drones");
  });
});

describe('spoofing-suspect and the outputs', () => {
  /** A drone that teleports at 20 s, heard for 24 s. */
  function teleport() {
    const fix = (t: number): Fix => fixAt(t, destinationPoint(RECEIVER, 0, t < T0_MS + 10_000 ? 500 : 5500), 0, undefined);
    return play(12, (s) => [new DroneSender(s.clock, { identity: faaIdentity(SPOOFER), transports: ['wifi-beacon'], address: () => '02:66:00:00:00:01', fix })]);
  }

  it('spoofing-suspect is raised while any spoofing flag is, and its one alert quotes each flag raised with it and its evidence', () => {
    const { updates, track } = teleport();
    const t = track(SPOOFER);
    expect(t.flags).toEqual(['spoofing-suspect', 'impossible-motion']);
    expect(alertsOf(updates, t.key).filter((a) => a.kind === 'flag')).toEqual([
      { kind: 'flag', flag: 'spoofing-suspect', text: `${TRACK_FLAGS['spoofing-suspect']}: impossible-motion: ${evidenceOf(t, 'impossible-motion').detail}` },
    ]);
  });

  it('a spoofing flag raised while spoofing-suspect already holds gets its own alert', () => {
    const fix = (t: number): Fix => fixAt(t, destinationPoint(RECEIVER, 0, t < T0_MS + 3_000 ? 500 : 5500), 0, undefined);
    const operatorFar = faaIdentity(SPOOFER, 'fixed', destinationPoint(RECEIVER, 0, 30_000));
    const { updates, track } = play(8, (s) => [
      new DroneSender(s.clock, { identity: faaIdentity(SPOOFER), transports: ['wifi-beacon'], address: () => '02:66:00:00:00:01', fix }),
      new Window(s.clock, T0_MS + 5000, Infinity, () => new DroneSender(s.clock, { identity: operatorFar, transports: ['ble-legacy'], address: () => 'c3:66:00:00:00:01', fix })),
    ]);
    const t = track(SPOOFER);
    const flagAlerts = alertsOf(updates, t.key).filter((a) => a.kind === 'flag');
    expect(flagAlerts.map((a) => a.flag)).toEqual(['spoofing-suspect', 'operator-far']);
    expect(flagAlerts[1]!.text).toBe(`${TRACK_FLAGS['operator-far']}: ${evidenceOf(t, 'operator-far').detail}`);
  });

  it('the track JSON carries each evidence (times in seconds) and follows the schema; the update lines too', () => {
    const { scene, updates, track } = teleport();
    const json = trackToJson(track(SPOOFER));
    const e = evidenceOf(track(SPOOFER), 'impossible-motion');
    expect(json.flags).toEqual(['spoofing-suspect', 'impossible-motion']);
    expect(json.spoofing).toEqual([{ flag: 'impossible-motion', t: e.t / 1000, since: e.since / 1000, count: 1, detail: e.detail, values: e.values, addresses: ['02:66:00:00:00:01'] }]);
    expect(trackToJson(scene.tracker.get(HONEST_SERIAL)!)).not.toHaveProperty('spoofing');
    expectSchemaValid(scene, updates.map((u) => u.update));
    // The schema can fail: an evidence of a flag that is not a spoofing flag, or without its words.
    const bad = structuredClone(json) as unknown as { spoofing: Record<string, unknown>[] };
    bad.spoofing[0]!.flag = 'emergency';
    expect(trackSchema(bad)).toBe(false);
    delete bad.spoofing[0]!.detail;
    bad.spoofing[0]!.flag = 'impossible-motion';
    expect(trackSchema(bad)).toBe(false);
  });

  it("the table's FLAGS cell: SPOOF, then each spoofing flag with its evidence in short; CoT remarks quote the evidence", () => {
    const { scene, track } = teleport();
    const text = renderTable(scene.tracker.tracks(), { nowMs: scene.clock.now(), width: 200 });
    const row = text.split('\n').find((l) => l.includes(SPOOFER))!;
    expect(row.startsWith('!')).toBe(true);
    expect(row).toMatch(/SPOOF impossible-motion\(5000m\/s\)$/);
    expect(text.split('\n').find((l) => l.includes(HONEST_SERIAL))).not.toMatch(/SPOOF/);
    const [drone] = trackToCot(track(SPOOFER), scene.clock.now());
    expect(drone!.xml).toContain(`FLAGS spoofing-suspect, impossible-motion; SPOOFING impossible-motion: moved 5000 m in 1.0 s (5000 m/s; over 300 m/s)`);
  });

  it('an address track with evidence of its own joins the ID track it turns out to be: the aircraft keeps both', () => {
    const id = faaIdentity(SPOOFER, 'fixed', destinationPoint(RECEIVER, 0, 30_000));
    const jumping = (t: number): Fix => fixAt(t, destinationPoint(RECEIVER, 0, Math.floor((t - T0_MS) / 1500) % 2 ? 600 : 4600), 0, undefined);
    const { scene, track } = play(9, (s) => [
      // The ID track: its operator 30 km away.
      new DroneSender(s.clock, { identity: id, transports: ['wifi-beacon'], address: () => '02:66:00:00:00:01', fix: standing(destinationPoint(RECEIVER, 0, 600)) }),
      // BT4 Locations without a Basic ID from another address, jumping 4 km: an address track...
      new Window(s.clock, T0_MS, T0_MS + 5000, () => new DroneSender(s.clock, { identity: { ...id, basicIds: [] }, transports: ['ble-legacy'], address: () => 'c3:66:00:00:00:77', fix: jumping })),
      // ...until that address sends the Basic ID.
      new Window(s.clock, T0_MS + 6000, Infinity, () => new DroneSender(s.clock, { identity: id, transports: ['ble-legacy'], address: () => 'c3:66:00:00:00:77', fix: standing(destinationPoint(RECEIVER, 0, 600)) })),
    ]);
    const t = track(SPOOFER);
    expect(scene.tracker.tracks().filter((x) => x !== scene.tracker.get(HONEST_SERIAL))).toEqual([t]);
    expect(t.addresses.has('c3:66:00:00:00:77')).toBe(true);
    const jump = evidenceOf(t, 'impossible-motion');
    expect(jump.t).toBeLessThan(T0_MS + 5000);
    expect(jump.addresses).toEqual(['c3:66:00:00:00:77']);
    expect(evidenceOf(t, 'operator-far').values.distanceM).toBeGreaterThan(29_000);
    expect(spoofFlagsOf(t)).toEqual(['impossible-motion', 'operator-far']);
  });
});

describe('settings', () => {
  it('the thresholds are options with defaults; nonsense is refused', () => {
    const s = new Scene();
    expect(s.tracker).toBeDefined();
    expect(() => new Scene({ maxAddressesPerTransport: 1.5 })).toThrow(/maxAddressesPerTransport must be a whole number, got 1.5/);
    expect(() => new Scene({ counterBackSteps: 0 })).toThrow(/counterBackSteps must be a positive number, got 0/);
    expect(() => new Scene({ maxOperatorDistanceM: Number.NaN })).toThrow(/maxOperatorDistanceM must be a positive number/);
  });
});
