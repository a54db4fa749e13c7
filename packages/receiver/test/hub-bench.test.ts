/**
 * The hub benchmark (packages/receiver/bench/hub.bench.ts) kept honest and kept running: its receivers share
 * one simulated air (hub-air.ts), and what each hears must be exactly what a scene of its own at its place
 * would give it — the same transmissions, byte for byte, with the RSSI its distance gives — so making the
 * load cheap changed nothing the hub sees. And the benchmark at the size for 2 s, through a real
 * mosquitto: every frame taken, the stage breakdown and every process's CPU reported. No timing is asserted.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@odid/position';
import { SimulatedScene } from '@odid/transmitter';
import { buildFleet } from '../bench/fleet.js';
import { receiverPlaces, SharedAir } from '../bench/hub-air.js';
import { runCli } from '../../../test/support/run-cli.js';

describe("the hub benchmark's shared air", () => {
  it("gives each receiver what a scene of its own at its place hears: the same bytes, the same RSSI, at the same times", () => {
    const fleet = buildFleet({ drones: 20 });
    const start = Date.UTC(2025, 5, 1, 10, 0, 0);
    const places = receiverPlaces(4, SimulatedScene.centre(fleet));
    const shared = new ManualClock(start);
    const air = new SharedAir(fleet, shared, places);
    const own = places.map((receiver) => {
      const clock = new ManualClock(start);
      return { clock, scene: new SimulatedScene({ drones: fleet, clock, receiver }) };
    });
    let frames = 0;
    const rssis = new Set<number>();
    for (let t = start + 100; t <= start + 3000; t += 100) {
      shared.set(t);
      const heard = air.due();
      own.forEach(({ clock, scene }, i) => {
        clock.set(t);
        const expected = scene.due();
        expect(heard[i]!.map((f) => f.t)).toEqual(expected.map((f) => f.t));
        expected.forEach((f, n) => {
          const got = heard[i]![n]!;
          expect([got.transport, got.linkType, got.rssi]).toEqual([f.transport, f.linkType, f.rssi]);
          expect(Buffer.from(got.data).equals(Buffer.from(f.data))).toBe(true);
          rssis.add(got.rssi);
        });
        frames += expected.length;
      });
    }
    // 20 drones x 10 frames/s x ~3 s x 4 receivers, and the receivers do not all hear alike.
    expect(frames).toBeGreaterThan(2000);
    expect(rssis.size).toBeGreaterThan(10);
  });
});

describe('hub benchmark (2 s)', () => {
  it("runs the issue's 20 receivers x 200 drones for 2 s through mosquitto: every frame taken, stages and CPU reported", () => {
    const r = runCli('packages/receiver/bench/hub.bench.ts', ['--receivers', '20', '--drones', '200', '--seconds', '2', '--offline-seconds', '1']);
    expect(r.status, r.stderr).toBe(0);
    const line = (prefix: string): string => {
      const found = r.stdout.split('\n').find((l) => l.startsWith(prefix));
      expect(found, `a line "${prefix}..." in\n${r.stdout}`).toBeDefined();
      return found!;
    };
    expect(line('offline:')).toMatch(/frames per CPU-second/);
    const [, taken, published] = /^live: (\d+)\/(\d+) frames taken/.exec(line('live:')) ?? [];
    expect(Number(published)).toBeGreaterThan(0);
    expect(taken).toBe(published);
    expect(line('live:')).toMatch(/reception -> tracked p50 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(line('stages')).toMatch(/receiver \(reception -> batch sent; batching ≤ 100\) [\d.]+\/[\d.]+, broker \(sent -> hub message\) [\d.]+\/[\d.]+, hub \(message -> tracked\) [\d.]+\/[\d.]+/);
    // Every process's CPU was read (a "?" would be one not found).
    expect(line('cpu')).toMatch(/hub [\d.]+, mosquitto [\d.]+, receivers' process [\d.]+; machine [\d.]+ % of \d+ cores busy/);
  }, 150_000);
});
