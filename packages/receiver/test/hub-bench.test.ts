/**
 * The hub benchmark (packages/receiver/bench/hub.bench.ts) kept honest and kept running: its receivers share
 * one simulated air (hub-air.ts), and what each hears must be exactly what a scene of its own at its place
 * would give it — the same transmissions, byte for byte, with the RSSI its distance gives — so making the
 * load cheap changed nothing the hub sees. With the drones out of step (spreadMs), the air is the same
 * whenever it is looked at, so receivers' processes that share its start hear the same transmissions. And
 * the benchmark at the issue's size for 2 s, through a real mosquitto, the receivers in two processes: every
 * frame taken, the stage breakdown and every process's CPU reported. No timing is asserted.
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

describe("the hub benchmark's air with the drones out of step", () => {
  const fleet = buildFleet({ drones: 30 });
  const start = Date.UTC(2025, 5, 1, 10, 0, 0);
  const places = receiverPlaces(3, SimulatedScene.centre(fleet));
  /** Every frame each receiver hears until `untilMs`, the air looked at on the clock times `at` gives. */
  const heard = (at: (step: number) => number, untilMs: number, spreadMs = 1000): { t: number; data: string; rssi: number }[][] => {
    const clock = new ManualClock(start);
    const air = new SharedAir(fleet, clock, places, { spreadMs });
    const all = places.map((): { t: number; data: string; rssi: number }[] => []);
    for (let step = 0; ; step++) {
      clock.set(Math.min(at(step), untilMs));
      air.due().forEach((frames, i) => all[i]!.push(...frames.map((f) => ({ t: f.t, data: Buffer.from(f.data).toString('hex'), rssi: f.rssi }))));
      if (clock.now() >= untilMs) return all;
    }
  };
  const until = start + 4000;

  it('is the same whenever it is looked at: two processes sharing its start hear the same bytes', () => {
    const every5 = heard((n) => start + 5 * n, until);
    // Irregular looks, as a busy event loop gives.
    const irregular = heard((n) => start + 37 * n + (n % 3) * 11, until);
    expect(every5[0]!.length).toBeGreaterThan(1000);
    expect(irregular).toEqual(every5);
  });

  it('spreads the transmissions over time where the fleet in step sends them in bursts', () => {
    /** The most frames the first receiver hears in one 10 ms step, after the first second. */
    const busiest = (spreadMs: number): number => {
      const counts = new Map<number, number>();
      for (const f of heard((n) => start + 10 * n, until, spreadMs)[0]!) {
        if (f.t * 1000 < start + 1000) continue;
        const slot = Math.floor((f.t * 1000 - start) / 10);
        counts.set(slot, (counts.get(slot) ?? 0) + 1);
      }
      return Math.max(...counts.values());
    };
    // 30 drones, 300 frames a second: 3 in an average 10 ms.
    expect(busiest(0)).toBeGreaterThan(20);
    expect(busiest(1000)).toBeLessThan(12);
  });
});

describe('hub benchmark (2 s)', () => {
  it("runs the issue's 20 receivers x 200 drones for 2 s through mosquitto: every frame taken, stages and CPU reported", () => {
    const r = runCli('packages/receiver/bench/hub.bench.ts', ['--receivers', '20', '--drones', '200', '--seconds', '2', '--offline-seconds', '1', '--receiver-processes', '2']);
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
    expect(line('the first')).toMatch(/reception -> tracked p99 [\d.]+ ms, max [\d.]+ ms; batches: \d+ a second, [\d.]+ KiB each/);
    expect(line('stages')).toMatch(/receiver \(reception -> batch sent; batching ≤ 100\) [\d.]+\/[\d.]+, broker \(sent -> hub message\) [\d.]+\/[\d.]+, hub \(message -> tracked\) [\d.]+\/[\d.]+/);
    // Every process's CPU was read (a "?" would be one not found).
    expect(line('cpu')).toMatch(/hub [\d.]+, mosquitto [\d.]+, receivers' processes \(2\) [\d.]+; machine [\d.]+ % of \d+ cores busy/);
  }, 150_000);
});
