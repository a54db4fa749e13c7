import { RemoteIdExtractor, type ReceivedMessage } from '@odid/codec';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@odid/position';
import { SimulatedScene, demoScene, rssiAt } from '../src/scene.js';

describe('the demo scene', () => {
  it('puts real frames of every drone on the air, each decodable, with RSSI falling with distance', () => {
    const drones = demoScene();
    const clock = new ManualClock(Date.UTC(2026, 10, 25, 12));
    const scene = new SimulatedScene({ drones, clock, receiver: SimulatedScene.centre(drones) });
    const ex = new RemoteIdExtractor();
    const got: ReceivedMessage[] = [];
    const until = clock.now() + 60_000;
    for (let next = scene.nextDue(); next <= until; next = scene.nextDue()) {
      clock.set(next);
      for (const f of scene.due()) got.push(...ex.fromRecord(f.linkType, f.data, { t: f.t }));
    }
    expect(ex.stats.dropped).toEqual({});
    const ids = new Set(got.flatMap((m) => (m.message.type === 'basicId' ? [m.message.uasIdHex ?? m.message.uasId] : [])));
    expect(ids).toEqual(
      new Set(['1581F5FJD228400X0S2K', '4AB9AHKQ7A05LP8', '1581F5FHB229F00202DR', '012001003ffe000105a29b3ff42226c04e000000', 'GBR-RP-2Y7K9', '1581F5FKD229H00417TX']),
    );
    expect(new Set(got.map((m) => m.transport))).toEqual(new Set(['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan']));
    // one drone declares an emergency after 40 s
    expect(got.some((m) => m.message.type === 'location' && m.message.status === 3)).toBe(true);
    expect(got.every((m) => typeof m.rssi === 'number' && m.rssi! < -40)).toBe(true);
  });

  it('with flightElapsedS the drones are already flying: every one moves within the first two seconds', () => {
    const drones = demoScene();
    const firstAndLast = (flightElapsedS: number): Map<string, { first: [number, number]; last: [number, number]; speed: number }> => {
      const clock = new ManualClock(Date.UTC(2026, 10, 25, 12));
      const scene = new SimulatedScene({ drones, clock, receiver: SimulatedScene.centre(drones), flightElapsedS });
      const ex = new RemoteIdExtractor();
      const seen = new Map<string, { first: [number, number]; last: [number, number]; speed: number }>();
      const until = clock.now() + 2_000;
      for (let next = scene.nextDue(); next <= until; next = scene.nextDue()) {
        clock.set(next);
        for (const f of scene.due()) {
          for (const m of ex.fromRecord(f.linkType, f.data, { t: f.t })) {
            if (m.message.type !== 'location') continue;
            const at: [number, number] = [m.message.latitude, m.message.longitude];
            const s = seen.get(f.drone) ?? { first: at, last: at, speed: 0 };
            seen.set(f.drone, { first: s.first, last: at, speed: Math.max(s.speed, m.message.speedHorizontal) });
          }
        }
      }
      return seen;
    };
    const cruising = firstAndLast(60);
    // The drone powered on after 5 s has no position yet; the four others fly.
    const flying = ['eu-multirotor', 'faa-fixed-wing', 'drip-vtol', 'uk-film'];
    for (const name of flying) {
      const s = cruising.get(name)!;
      expect(s.speed).toBeGreaterThan(5);
      expect(s.last).not.toEqual(s.first);
    }
    // Without it, they stand on the ground.
    const grounded = firstAndLast(0);
    for (const name of flying) expect(grounded.get(name)!.speed).toBe(0);
  });

  it('models path loss', () => {
    expect(rssiAt(1, 'wifi-beacon')).toBe(-40);
    expect(rssiAt(1000, 'wifi-beacon')).toBe(-106);
    expect(rssiAt(1000, 'ble-extended')).toBeGreaterThan(rssiAt(1000, 'ble-legacy'));
  });
});
