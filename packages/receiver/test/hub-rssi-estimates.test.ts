/**
 * The hub's choice of readings for an RSSI estimate, without a broker: the simulated air heard by receivers
 * at known places, their frames taken by the Hub as rid-hub takes them (first copies decoded, other copies'
 * signal added), the receivers' statuses set as the broker would deliver them. What is checked: only
 * receivers that know their position, are online and heard the drone within 3 s take part; estimates are
 * made at most once a second, on the tick, never per frame; an estimate that did not move meaningfully since
 * the last one handed to the outputs goes on the track but makes no update. With many tracks, a tick stops
 * at its time budget (counted here on a clock of the test's own, a millisecond a look) and the next goes on
 * with the tracks waiting longest, each once a round; a round longer than LONGEST_WAIT_MS makes the ticks
 * catch up, so no estimate lapses while its drone is heard.
 */

import { describe, expect, it } from 'vitest';
import { ManualClock } from '@odid/position';
import { demoScene, SimulatedScene, type SceneDrone } from '@odid/transmitter';
import { distance } from '@odid/position';
import type { PositionEstimate, Track, TrackUpdate } from '../src/tracker/types.js';
import { Hub } from '../src/hub/hub.js';
import { foldOf, SAMPLE_EVERY_MS } from '../src/hub/rssi-calibration.js';
import { ESTIMATE_EVERY_MS, ESTIMATE_KEPT_MS, LONGEST_WAIT_MS, type RssiEstimatesOptions } from '../src/hub/rssi-estimates.js';
import { HubReceivers } from '../src/hub/receivers.js';
import { Pipeline } from '../src/pipeline.js';

const drone = { ...demoScene()[0]!, transports: ['ble-legacy' as const] };
const ORIGIN = drone.route.origin ?? drone.route.waypoints[0]!;
const M_PER_DEG = 111_195;
const place = (east: number, north: number): { lat: number; lon: number } => ({
  lat: ORIGIN.lat + north / M_PER_DEG,
  lon: ORIGIN.lon + east / (M_PER_DEG * Math.cos(ORIGIN.lat * (Math.PI / 180))),
});
const RECEIVERS = [
  { id: 'a', at: place(0, 700) },
  { id: 'b', at: place(650, -450) },
  { id: 'c', at: place(-650, -450) },
  { id: 'd', at: place(0, -900) },
];

/** `n` drones like `drone`, each its own serial number and addresses. */
const fleetOf = (n: number): SceneDrone[] =>
  Array.from({ length: n }, (_, i) => {
    const uasId = `1581F5FJD2284000${String(i).padStart(4, '0')}`;
    const hex = i.toString(16).padStart(2, '0');
    return { ...drone, name: `d${i}`, identity: { ...drone.identity, basicIds: [{ ...drone.identity.basicIds[0]!, uasId }] }, addresses: { ble: `c3:4a:30:00:00:${hex}`, wifi: `02:4a:30:00:00:${hex}` } };
  });

/**
 * A hub on a manual clock whose receivers heard `seconds` of the drone (or `drones`); `position(id)` says
 * which receivers' statuses give a position, `online(id)` which are online.
 */
function heard(
  seconds: number,
  opts: { position?: (id: string) => boolean; online?: (id: string) => boolean; drones?: SceneDrone[]; estimates?: RssiEstimatesOptions } = {},
): { hub: Hub; pipeline: Pipeline; clock: ManualClock; receivers: HubReceivers; more: (seconds: number, onTick?: () => void, everyMs?: number) => void } {
  const start = Date.UTC(2026, 0, 1, 12);
  const clock = new ManualClock(start);
  const receivers = new HubReceivers();
  for (const r of RECEIVERS) {
    const status = { rx: r.id, boot: 1, sent: start / 1000, online: opts.online?.(r.id) ?? true, ...((opts.position?.(r.id) ?? true) ? { position: r.at } : {}) };
    receivers.status(r.id, status, start, false);
  }
  const pipeline = new Pipeline({ staleAfterMs: 60_000, lostAfterMs: 120_000 });
  const hub = new Hub(pipeline, receivers, { now: () => clock.now(), ...(opts.estimates ? { estimates: opts.estimates } : {}) });
  const scenes = RECEIVERS.map((r) => new SimulatedScene({ drones: opts.drones ?? [drone], clock, receiver: { latitude: r.at.lat, longitude: r.at.lon }, flightElapsedS: 60 }));
  let t = start;
  /** The air for `s` more seconds, `onTick` called every `everyMs`. */
  const more = (s: number, onTick: () => void = () => undefined, everyMs = 1000): void => {
    for (const end = t + s * 1000; t <= end; t += 50) {
      clock.set(t);
      scenes.forEach((scene, i) => {
        for (const f of scene.due()) hub.take({ t: f.t, linkType: f.linkType, data: f.data, receiver: RECEIVERS[i]!.id });
      });
      if ((t - start) % everyMs === 0) onTick();
    }
  };
  more(seconds);
  return { hub, pipeline, clock, receivers, more };
}

const trackOf = (p: Pipeline) => p.tracker.tracks().find((t) => t.uasId === '1581F5FJD228400X0S2K')!;

describe('the hub\'s RSSI estimates', () => {
  it('are made on the tick, at most once a second, from every receiver that heard the drone and knows its place', () => {
    const { hub, pipeline, clock } = heard(3);
    expect(trackOf(pipeline).estimate, 'no estimate per frame').toBeUndefined();
    hub.tick();
    const e = trackOf(pipeline).estimate!;
    expect(e.receivers.map((r) => r.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(e.transport).toBe('ble-legacy');
    expect(e.t).toBe(pipeline.tracker.now);
    expect(hub.estimates.made).toBe(1);
    clock.set(clock.now() + 500);
    hub.tick();
    expect(hub.estimates.made, 'not again within a second').toBe(1);
    clock.set(clock.now() + 600);
    hub.tick();
    expect(hub.estimates.made).toBe(2);
  });

  it('leave out receivers without a position and offline ones; fewer than three left make none', () => {
    const some = heard(2, { position: (id) => id !== 'd' });
    some.hub.tick();
    expect(trackOf(some.pipeline).estimate!.receivers.map((r) => r.id).sort()).toEqual(['a', 'b', 'c']);

    const few = heard(2, { position: (id) => id === 'a' || id === 'b', online: (id) => id !== 'c' });
    few.hub.tick();
    expect(trackOf(few.pipeline).estimate).toBeUndefined();
    expect(few.hub.estimates.made).toBe(0);

    const offline = heard(2, { online: (id) => id !== 'a' && id !== 'b' });
    offline.hub.tick();
    expect(trackOf(offline.pipeline).estimate).toBeUndefined();
  });

  it('leave out readings older than 3 s: a drone gone silent keeps its last estimate, not a new one', () => {
    const { hub, pipeline, clock } = heard(2);
    hub.tick();
    const first = trackOf(pipeline).estimate!;
    // Four seconds on, nothing heard since.
    clock.set(clock.now() + 4000);
    pipeline.tick(clock.now());
    hub.tick();
    expect(hub.estimates.made).toBe(1);
    expect(trackOf(pipeline).estimate).toBe(first);
  });

  it('an estimate not renewed for 10 s is taken off the track, with an update; its flags stay', () => {
    const { hub, pipeline, clock } = heard(2);
    hub.tick();
    const first = trackOf(pipeline).estimate!;
    // Nothing heard since: kept while at most 10 s old...
    clock.set(first.t + 10_000);
    pipeline.tick(clock.now());
    expect(hub.estimates.tick(clock.now())).toEqual([]);
    expect(trackOf(pipeline).estimate).toBe(first);
    // ...then gone, and the outputs are told.
    clock.set(first.t + 11_000);
    pipeline.tick(clock.now());
    const flags = trackOf(pipeline).flags;
    const u = hub.estimates.tick(clock.now());
    expect(u.map((x) => [x.track.key, x.reason])).toEqual([[trackOf(pipeline).key, 'flags']]);
    expect(trackOf(pipeline).estimate).toBeUndefined();
    expect(trackOf(pipeline).flags).toEqual(flags);
    clock.set(first.t + 13_000);
    expect(hub.estimates.tick(clock.now()), 'told once').toEqual([]);
  });

  it('an estimate that did not move meaningfully goes on the track but makes no update; one that moved does', () => {
    const { hub, pipeline, receivers, more } = heard(2);
    const updates: TrackUpdate[] = [];
    let told: PositionEstimate | undefined;
    const decisions: string[] = [];
    const tick = (): void => {
      const made = hub.estimates.made;
      const u = hub.estimates.tick(pipeline.tracker.now);
      if (hub.estimates.made === made) return;
      const e = trackOf(pipeline).estimate!;
      // Always the latest on the track: the position check uses it.
      expect(e.t).toBe(pipeline.tracker.now);
      const moved = !told || distance(told, e) > 0.25 * Math.min(told.radius, e.radius) || Math.abs(e.radius - told.radius) > 0.1 * told.radius;
      decisions.push(`${moved ? 'moved' : 'still'}:${u.length}`);
      if (moved) {
        expect(u.map((x) => x.track)).toEqual([trackOf(pipeline)]);
        told = e;
      } else expect(u).toEqual([]);
      updates.push(...u);
    };
    more(30, tick);
    expect(hub.estimates.made).toBeGreaterThanOrEqual(30);
    expect(updates.length, decisions.join(' ')).toBeLessThan(hub.estimates.made / 2);
    expect(hub.estimates.unchanged).toBe(hub.estimates.made - updates.length);
    // A receiver moved 1.5 km (its status says so): the estimate jumps, and the outputs hear of it.
    const before = updates.length;
    receivers.status('d', { rx: 'd', boot: 1, sent: pipeline.tracker.now / 1000, online: true, position: place(1500, -900) }, pipeline.tracker.now, false);
    more(3, tick);
    expect(updates.length, decisions.join(' ')).toBeGreaterThan(before);
  });

  it('a tick stops at its budget; the next goes on with the tracks waiting longest, each once a round', () => {
    // The budget's clock moves a millisecond at each look: a 3 ms budget is three estimates a tick.
    let ms = 0;
    const { hub, pipeline, clock, more } = heard(2, { drones: fleetOf(10), estimates: { budgetMs: 3, clock: () => ms++ } });
    const tracks = (): readonly Track[] => pipeline.tracker.tracks();
    expect(tracks()).toHaveLength(10);
    /** Per tick: the tracks estimated in it. */
    const ticks: string[][] = [];
    const when = new Map<string, number[]>();
    more(
      4,
      () => {
        const before = new Map(tracks().map((t) => [t.key, t.estimate]));
        hub.tick();
        const estimated = tracks().filter((t) => t.estimate && t.estimate !== before.get(t.key)).map((t) => t.key);
        for (const k of estimated) when.set(k, [...(when.get(k) ?? []), clock.now()]);
        ticks.push(estimated);
      },
      100,
    );
    // Three a tick at most; the first round, ten tracks in four ticks, none twice.
    expect(Math.max(...ticks.map((t) => t.length))).toBe(3);
    expect(ticks.slice(0, 4).map((t) => t.length)).toEqual([3, 3, 3, 1]);
    expect(new Set(ticks.slice(0, 4).flat()).size).toBe(10);
    expect(hub.estimates.deferred).toBeGreaterThan(0);
    // Then every track once a second, to the tick: none waits longer than its turn, none goes twice.
    for (const [key, times] of when) {
      expect(times.length, key).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, key).toBe(ESTIMATE_EVERY_MS);
    }
  });

  it('a round longer than LONGEST_WAIT_MS makes the ticks catch up: no estimate of a drone still heard lapses', () => {
    // A tick a second, one estimate a tick: twelve tracks would wait 12 s for their turn, longer than an
    // estimate is kept.
    const run = (catchUpBudgetMs: number): { lapsed: string[]; longestWait: number; caughtUp: number } => {
      let ms = 0;
      const { hub, pipeline, clock, more } = heard(2, { drones: fleetOf(12), estimates: { budgetMs: 1, catchUpBudgetMs, clock: () => ms++ } });
      const lapsed: string[] = [];
      const last = new Map<string, number>();
      let longestWait = 0;
      more(30, () => {
        const before = new Map(pipeline.tracker.tracks().map((t) => [t.key, t.estimate]));
        hub.tick();
        for (const t of pipeline.tracker.tracks()) {
          if (t.estimate && t.estimate !== before.get(t.key)) {
            if (last.has(t.key)) longestWait = Math.max(longestWait, clock.now() - last.get(t.key)!);
            last.set(t.key, clock.now());
          }
          if (!t.estimate && before.get(t.key)) lapsed.push(`${t.key} at ${clock.now()}`);
        }
      });
      return { lapsed, longestWait, caughtUp: hub.estimates.caughtUp };
    };
    const caughtUp = run(4);
    expect(caughtUp.caughtUp).toBeGreaterThan(0);
    expect(caughtUp.lapsed).toEqual([]);
    // Each track's turn came within the longest wait and a tick (the one that found it waiting too long).
    expect(caughtUp.longestWait).toBeLessThanOrEqual(LONGEST_WAIT_MS + 1000);
    // Without catching up, the same hub lets estimates of drones it still hears lapse.
    const behind = run(1);
    expect(behind.longestWait).toBeGreaterThan(ESTIMATE_KEPT_MS);
    expect(behind.lapsed.length).toBeGreaterThan(0);
  });

  it('judge a track by its receivers\' models fitted without its fold: drones of its own fold never calibrate it', () => {
    const own = drone.addresses!.ble!.toLowerCase();
    /** Eight drones heard at 200 m to 1 km by every receiver, in the judged drone's fold or not. */
    const sources = (sameFold: boolean): string[] =>
      Array.from({ length: 400 }, (_, i) => `src-${i}`)
        .filter((s) => (foldOf(s) === foldOf(own)) === sameFold)
        .slice(0, 8);
    const calibratedWith = (others: string[]): { calibrated: number; made: number; fittedAll: boolean } => {
      const { hub, clock } = heard(2);
      const calibration = hub.estimates.calibration!;
      others.forEach((source, n) => {
        for (let k = 0; k < 10; k++) {
          const metres = 200 * 1.2 ** ((k + n) % 10);
          for (const r of RECEIVERS) calibration.add(r.id, 'ble-legacy', source, metres, -45 - 25 * Math.log10(metres) + (k % 2 ? 1 : -1), clock.now() - (10 - k) * SAMPLE_EVERY_MS);
        }
      });
      hub.tick();
      const fittedAll = RECEIVERS.every((r) => calibration.model(r.id, 'ble-legacy', new Set(), clock.now()) !== undefined);
      return { calibrated: hub.estimates.calibrated, made: hub.estimates.made, fittedAll };
    };
    // Drones of other folds: a calibrated estimate.
    expect(calibratedWith(sources(false))).toEqual({ calibrated: 1, made: 1, fittedAll: true });
    // Drones of its own fold: models exist, but none that may judge it; the default model's estimate.
    expect(calibratedWith(sources(true))).toEqual({ calibrated: 0, made: 1, fittedAll: true });
  });
});
