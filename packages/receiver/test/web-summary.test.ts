/**
 * The summaries the map's server sends (src/outputs/web/summary.ts): made from the tracker's tracks directly,
 * they must be what the page would make of the same tracks' TrackJson; and the deltas of the live updates,
 * applied one after the other as the page applies them, must give the page the summary the server holds.
 * The tracks are those of the demo scene (`rid-scan --sim`: every transport, every message type, an
 * emergency, a bad operator ID, zones and an allow-list), through the receiver's own pipeline.
 */

import { ManualClock } from '@odid/position';
import { SimulatedScene, demoScene } from '@odid/transmitter';
import { describe, expect, it } from 'vitest';
import { applyDelta, summaryOfJson, trackSummary, updateSummary, type TrackSummary } from '../src/outputs/web/summary.js';
import { Pipeline } from '../src/pipeline.js';
import { trackToJson } from '../src/tracker/track-json.js';
import type { TrackUpdate } from '../src/tracker/types.js';
import { parseZones } from '../src/tracker/zones.js';

const START_MS = Date.UTC(2025, 5, 1, 10, 0, 0);

/** The demo scene for `seconds`, with every update the pipeline made, and the pipeline. */
function fly(seconds: number, onUpdate: (u: TrackUpdate) => void): Pipeline {
  const drones = demoScene();
  const clock = new ManualClock(START_MS);
  const receiver = SimulatedScene.centre(drones);
  const scene = new SimulatedScene({ drones, clock, receiver });
  const pipeline = new Pipeline({ receiverPosition: { lat: receiver.latitude, lon: receiver.longitude } }, { update: onUpdate });
  // A zone around the receiver: zone membership changes as the drones come and go.
  pipeline.setZones(
    parseZones(
      {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { name: 'Centre' },
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [receiver.longitude - 0.004, receiver.latitude - 0.003],
                  [receiver.longitude + 0.004, receiver.latitude - 0.003],
                  [receiver.longitude + 0.004, receiver.latitude + 0.003],
                  [receiver.longitude - 0.004, receiver.latitude + 0.003],
                  [receiver.longitude - 0.004, receiver.latitude - 0.003],
                ],
              ],
            },
          },
        ],
      },
      'zones.geojson',
    ),
  );
  let nextTick = START_MS + 1000;
  while (clock.now() < START_MS + seconds * 1000) {
    const due = scene.nextDue();
    while (nextTick <= due) {
      pipeline.tick(nextTick);
      nextTick += 1000;
    }
    clock.set(due);
    for (const f of scene.due()) pipeline.process({ t: f.t, linkType: f.linkType, data: f.data });
  }
  return pipeline;
}

describe('track summaries', () => {
  it('made from a track are what the page makes of its TrackJson', () => {
    const pipeline = fly(70, () => undefined);
    const tracks = pipeline.tracker.tracks();
    expect(tracks.length).toBeGreaterThanOrEqual(5);
    // The scene has what the summary must carry: operators, home points, flags, zones, several IDs.
    expect(tracks.some((t) => t.operator && t.home)).toBe(true);
    expect(tracks.some((t) => t.flags.length > 0)).toBe(true);
    expect(tracks.some((t) => t.zones.length > 0)).toBe(true);
    expect(tracks.some((t) => t.basicIds.size > 1)).toBe(true);
    for (const track of tracks) {
      const direct = trackSummary(track);
      expect(JSON.parse(JSON.stringify(direct)), track.key).toEqual(JSON.parse(JSON.stringify(summaryOfJson(trackToJson(track)))));
      // Far smaller than the whole track: what makes a thousand drones twice a second affordable.
      expect(JSON.stringify(direct).length).toBeLessThan(JSON.stringify(trackToJson(track)).length / 2);
    }
  });

  it('brought up to date update by update, give the page (applying the deltas) what the server holds', () => {
    const sent = new Map<string, TrackSummary>();
    const page = new Map<string, TrackSummary>();
    let deltas = 0;
    let positionsOnly = 0;
    const pipeline = fly(90, (u) => {
      const key = u.track.key;
      for (const gone of u.merged ?? []) {
        sent.delete(gone);
        page.delete(gone);
      }
      const s = sent.get(key);
      if (!s) {
        const whole = trackSummary(u.track);
        sent.set(key, whole);
        page.set(key, JSON.parse(JSON.stringify(whole)) as TrackSummary);
        return;
      }
      const d = updateSummary(s, u.track);
      // Every update changes something the summary shows (the message count at least).
      expect(d, key).toBeDefined();
      if (!d) return;
      deltas++;
      // Through JSON, as the page gets it.
      const wire = JSON.parse(JSON.stringify(d)) as typeof d;
      if (Object.keys(wire).every((k) => ['key', 'messages', 'lastSeen', 'position', 'direction', 'rssi', 'distance', 'bearing'].includes(k))) positionsOnly++;
      page.set(key, applyDelta(page.get(key)!, wire));
      // The server's summary, brought up to date in place, is the one made afresh.
      expect(JSON.parse(JSON.stringify(s))).toEqual(JSON.parse(JSON.stringify(trackSummary(u.track))));
    });
    expect(deltas).toBeGreaterThan(500);
    // Most updates move the drone and little else: the delta is a small part of the summary.
    expect(positionsOnly / deltas).toBeGreaterThan(0.5);
    for (const track of pipeline.tracker.tracks()) {
      expect(page.get(track.key), track.key).toEqual(JSON.parse(JSON.stringify(trackSummary(track))));
    }
  });

  it('says null for what is no longer known, and the page drops it', () => {
    const before: TrackSummary = { ...base(), rssi: -60, distance: 120.5, direction: 90 };
    const after = applyDelta(before, { key: 'k', rssi: null, direction: null, position: null, flags: ['emergency'] });
    expect('rssi' in after).toBe(false);
    expect('direction' in after).toBe(false);
    expect(after.distance).toBe(120.5);
    expect(after.position).toBeNull();
    expect(after.flags).toEqual(['emergency']);
    // The summary before is left as it was (a replay's timeline holds it).
    expect(before.rssi).toBe(-60);
    expect(before.flags).toEqual([]);
  });
});

function base(): TrackSummary {
  return {
    key: 'k', uasId: 'X', otherIds: [], addresses: [], operatorId: null, selfId: null, messages: 1, firstSeen: 0, lastSeen: 0, state: 'active', flags: [],
    authorised: false, zones: [], operatorZones: [], position: { t: 0, lat: 1, lon: 2 }, operator: null, home: null,
  };
}
