/**
 * The summaries the map's server sends (src/outputs/web/summary.ts): made from the tracker's tracks directly,
 * they must be what the page would make of the same tracks' TrackJson; and the deltas of the live updates,
 * applied one after the other as the page applies them, must give the page the summary the server holds.
 * The tracks are those of the demo scene (`rid-scan --sim`: every transport, every message type, an
 * emergency, a bad operator ID, zones and an allow-list), through the receiver's own pipeline.
 */

import { buildAirFrames, encodeMessage, RemoteIdExtractor, type SingleMessageInput } from '@odid/codec';
import { ManualClock } from '@odid/position';
import { SimulatedScene, demoScene } from '@odid/transmitter';
import { describe, expect, it } from 'vitest';
import { applyDelta, SentSummary, summaryOfJson, trackSummary, type TrackSummary } from '../src/outputs/web/summary.js';
import { Pipeline } from '../src/pipeline.js';
import { trackToJson } from '../src/tracker/track-json.js';
import type { TrackUpdate } from '../src/tracker/types.js';
import { Tracker } from '../src/tracker/tracker.js';
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
    const sent = new Map<string, SentSummary>();
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
        const now = SentSummary.of(u.track);
        sent.set(key, now);
        page.set(key, JSON.parse(JSON.stringify(now.summary())) as TrackSummary);
        return;
      }
      const d = s.update(u.track);
      // Every update changes something the summary shows (the message count at least).
      expect(d, key).toBeDefined();
      if (!d) return;
      deltas++;
      // Through JSON, as the page gets it.
      const wire = JSON.parse(JSON.stringify(d)) as typeof d;
      if (Object.keys(wire).every((k) => ['key', 'messages', 'lastSeen', 'position', 'direction', 'rssi', 'distance', 'bearing'].includes(k))) positionsOnly++;
      page.set(key, applyDelta(page.get(key)!, wire));
      // The server's summary, brought up to date in place, is the one made afresh.
      expect(JSON.parse(JSON.stringify(s.summary()))).toEqual(JSON.parse(JSON.stringify(trackSummary(u.track))));
    });
    expect(deltas).toBeGreaterThan(500);
    // Most updates move the drone and little else: the delta is a small part of the summary.
    expect(positionsOnly / deltas).toBeGreaterThan(0.5);
    for (const track of pipeline.tracker.tracks()) {
      expect(page.get(track.key), track.key).toEqual(JSON.parse(JSON.stringify(trackSummary(track))));
    }
  });

  it('see what changes in place in a track (its Basic IDs, its addresses) as well as what the tracker replaces', () => {
    // What SentSummary.update skips is what it saw last time (the same object again): these change without a new object.
    const tracker = new Tracker();
    const extractor = new RemoteIdExtractor();
    let counter = 0;
    const location: SingleMessageInput = {
      type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: 47.1, longitude: 8.5, altitudeBaro: 100, altitudeGeo: 110,
      heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 2, timestamp: 100,
    };
    const hear = (address: string, messages: SingleMessageInput[], ms: number): void => {
      const payload = encodeMessage({ type: 'messagePack', messages });
      for (const f of buildAirFrames({ transport: 'wifi-beacon', address, counter: counter++ & 0xff, payload })) {
        for (const m of extractor.fromRecord(f.linkType, f.data, { t: (START_MS + ms) / 1000 })) tracker.ingest(m, START_MS + ms);
      }
    };
    const serial: SingleMessageInput = { type: 'basicId', idType: 1, uaType: 2, uasId: '1596F0123456789A' };
    hear('02:00:00:00:00:01', [serial, location], 0);
    const track = tracker.tracks()[0]!;
    const s = SentSummary.of(track);
    const same = (): void => expect(JSON.parse(JSON.stringify(s.summary()))).toEqual(JSON.parse(JSON.stringify(trackSummary(track))));
    const steps: [string, SingleMessageInput[]][] = [
      // A second ID type: the set of Basic IDs grows.
      ['02:00:00:00:00:01', [serial, { type: 'basicId', idType: 2, uaType: 2, uasId: 'GBR-OP-ABCDEFGH' }]],
      // The same ID type again, another aircraft type: a new message set in place under the same key.
      ['02:00:00:00:00:01', [serial, { type: 'basicId', idType: 2, uaType: 4, uasId: 'GBR-OP-ABCDEFGH' }]],
      // Heard from another address with the same serial number: the address joins the track's set.
      ['02:00:00:00:00:02', [serial, { ...location, latitude: 47.2 }]],
    ];
    let ms = 0;
    const changed: string[][] = [];
    for (const [address, messages] of steps) {
      hear(address, messages, (ms += 500));
      expect(tracker.tracks()).toHaveLength(1);
      const d = s.update(track);
      changed.push(Object.keys(d ?? {}));
      same();
    }
    expect(changed[0]).toContain('otherIds');
    expect(s.summary().otherIds).toEqual(['GBR-OP-ABCDEFGH']);
    expect(changed[1]).not.toContain('otherIds');
    expect(track.basicIds.get(2)?.uaType).toBe(4);
    expect(changed[2]).toContain('addresses');
    expect(s.summary().addresses).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:02']);
    // Nothing changed since: no delta.
    expect(s.update(track)).toBeUndefined();
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
