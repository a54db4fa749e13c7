/**
 * The hub's choice of readings for an RSSI estimate, without a broker: the simulated air heard by receivers
 * at known places, their frames taken by the Hub as rid-hub takes them (first copies decoded, other copies'
 * signal added), the receivers' statuses set as the broker would deliver them. What is checked: only
 * receivers that know their position, are online and heard the drone within 3 s take part; estimates are
 * made at most once a second, on the tick, never per frame; an estimate that did not move meaningfully since
 * the last one handed to the outputs goes on the track but makes no update.
 */

import { describe, expect, it } from 'vitest';
import { ManualClock } from '@odid/position';
import { demoScene, SimulatedScene } from '@odid/transmitter';
import { distance } from '@odid/position';
import type { PositionEstimate, TrackUpdate } from '../src/tracker/types.js';
import { Hub } from '../src/hub/hub.js';
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

/**
 * A hub on a manual clock whose receivers heard `seconds` of the drone; `position(id)` says which receivers'
 * statuses give a position, `online(id)` which are online.
 */
function heard(
  seconds: number,
  opts: { position?: (id: string) => boolean; online?: (id: string) => boolean } = {},
): { hub: Hub; pipeline: Pipeline; clock: ManualClock; receivers: HubReceivers; more: (seconds: number, everySecond: () => void) => void } {
  const start = Date.UTC(2026, 0, 1, 12);
  const clock = new ManualClock(start);
  const receivers = new HubReceivers();
  for (const r of RECEIVERS) {
    const status = { rx: r.id, boot: 1, sent: start / 1000, online: opts.online?.(r.id) ?? true, ...((opts.position?.(r.id) ?? true) ? { position: r.at } : {}) };
    receivers.status(r.id, status, start, false);
  }
  const pipeline = new Pipeline({ staleAfterMs: 60_000, lostAfterMs: 120_000 });
  const hub = new Hub(pipeline, receivers, { now: () => clock.now() });
  const scenes = RECEIVERS.map((r) => new SimulatedScene({ drones: [drone], clock, receiver: { latitude: r.at.lat, longitude: r.at.lon }, flightElapsedS: 60 }));
  let t = start;
  /** The air for `s` more seconds, `everySecond` called on each whole second. */
  const more = (s: number, everySecond: () => void = () => undefined): void => {
    for (const end = t + s * 1000; t <= end; t += 50) {
      clock.set(t);
      scenes.forEach((scene, i) => {
        for (const f of scene.due()) hub.take({ t: f.t, linkType: f.linkType, data: f.data, receiver: RECEIVERS[i]!.id });
      });
      if ((t - start) % 1000 === 0) everySecond();
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
});
