/**
 * The hub's choice of readings for an RSSI estimate, without a broker: the simulated air heard by receivers
 * at known places, their frames taken by the Hub as rid-hub takes them (first copies decoded, other copies'
 * signal added), the receivers' statuses set as the broker would deliver them. What is checked: only
 * receivers that know their position, are online and heard the drone within 3 s take part; estimates are
 * made at most once a second, on the tick, never per frame.
 */

import { describe, expect, it } from 'vitest';
import { ManualClock } from '@odid/position';
import { demoScene, SimulatedScene } from '@odid/transmitter';
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
function heard(seconds: number, opts: { position?: (id: string) => boolean; online?: (id: string) => boolean } = {}): { hub: Hub; pipeline: Pipeline; clock: ManualClock } {
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
  for (let t = start; t <= start + seconds * 1000; t += 50) {
    clock.set(t);
    scenes.forEach((scene, i) => {
      for (const f of scene.due()) hub.take({ t: f.t, linkType: f.linkType, data: f.data, receiver: RECEIVERS[i]!.id });
    });
  }
  return { hub, pipeline, clock };
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
});
