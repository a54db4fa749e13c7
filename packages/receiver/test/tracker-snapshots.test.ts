/**
 * What the tracker hands out is read-only: a value taken from a track (its position, operator, flags, a
 * message) stays as it was when taken, whatever the tracker hears next; and TypeScript refuses writes to
 * tracks and updates (the `@ts-expect-error` lines below are checked by `pnpm typecheck`).
 */
import { describe, expect, it } from 'vitest';
import { buildAirFrames, encodeMessage, RemoteIdExtractor, type ReceivedMessage, type SingleMessageInput } from '@odid/codec';
import { destinationPoint, type LatLon } from '@odid/position';
import { Tracker, type Track, type TrackUpdate } from '../src/tracker/index.js';

const T0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
const HOME: LatLon = { lat: 52.52, lon: 13.405 };
const MAC = '02:00:00:00:00:01';

/** One Wi-Fi beacon pack from MAC at `t`: Basic ID, Location at `at`, System with the operator at HOME. */
function heard(t: number, at: LatLon): ReceivedMessage[] {
  const messages: SingleMessageInput[] = [
    { type: 'basicId', idType: 1, uaType: 2, uasId: '1596F0123456789A' },
    {
      type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: at.lat, longitude: at.lon,
      altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3,
      speedAccuracy: 3, tsAccuracy: 2, timestamp: Math.round((t % 3600) * 10) / 10,
    },
    {
      type: 'system', operatorLocationType: 1, classificationType: 0, operatorLatitude: HOME.lat, operatorLongitude: HOME.lon,
      areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 0, classEU: 0, operatorAltitudeGeo: 40, timestamp: 200_000_000,
    },
  ];
  const extractor = new RemoteIdExtractor();
  const payload = encodeMessage({ type: 'messagePack', messages });
  return buildAirFrames({ transport: 'wifi-beacon', address: MAC, counter: Math.round(t) % 256, payload }).flatMap((f) => extractor.fromRecord(f.linkType, f.data, { t }));
}

const feed = (tracker: Tracker, msgs: ReceivedMessage[]): TrackUpdate[] => msgs.flatMap((m) => tracker.ingest(m) ?? []);

describe('read-only snapshots', () => {
  it("a position held from an update stays as it was when a newer fix arrives; the track's is a new object", () => {
    const tracker = new Tracker({ receiverPosition: HOME });
    const first = destinationPoint(HOME, 90, 50);
    const updates = feed(tracker, heard(T0, first));
    const held = updates[updates.length - 1]!.track.position!;
    const heldOperator = updates[updates.length - 1]!.track.operator!;
    const copy = { ...held };
    const operatorCopy = { ...heldOperator };
    expect(held).toMatchObject({ t: T0 * 1000, alt: 110, speed: 5, course: 90 });
    expect(held.lon).toBeCloseTo(first.lon, 6); // as encoded: 1e-7 degree steps

    const next = destinationPoint(HOME, 90, 60);
    feed(tracker, heard(T0 + 1, next));
    tracker.tick((T0 + 10) * 1000);

    expect(held).toEqual(copy);
    expect(heldOperator).toEqual(operatorCopy);
    const track = tracker.get('1596F0123456789A')!;
    expect(track.position).not.toBe(held);
    expect(track.position!.t).toBe((T0 + 1) * 1000);
    expect(track.position!.lon).toBeCloseTo(next.lon, 6);
    expect(held.lon).not.toBeCloseTo(next.lon, 6);
    expect(track.operator).not.toBe(heldOperator);
  });

  it('the same shape of fix, again and again, is a new object each time (no object is reused)', () => {
    const tracker = new Tracker();
    const seen = new Set<object>();
    for (let i = 0; i < 5; i++) {
      feed(tracker, heard(T0 + i, destinationPoint(HOME, 0, i * 10)));
      seen.add(tracker.tracks()[0]!.position!);
    }
    expect(seen.size).toBe(5);
  });

  it('TypeScript refuses writes to what the tracker hands out', () => {
    // Never called: these lines are for the type checker, which must reject each one.
    const writes = (tracker: Tracker, update: TrackUpdate, track: Track): void => {
      // @ts-expect-error the track's fields are readonly
      track.position = undefined;
      // @ts-expect-error and so are the values they hold
      track.position!.lat = 0;
      // @ts-expect-error
      track.messages++;
      // @ts-expect-error lists are readonly arrays
      track.flags.push('emergency');
      // @ts-expect-error maps and sets are read-only
      track.identities.set('serial', 'X');
      // @ts-expect-error
      track.addresses.add('aa:bb:cc:dd:ee:ff');
      // @ts-expect-error the history can be read, not appended to
      track.history.append({ t: 0, lat: 0, lon: 0 });
      // @ts-expect-error a link's measurements are read-only
      track.links.get('wifi-beacon 02:00:00:00:00:01')!.rssi = 0;
      // @ts-expect-error and so are the decoded messages
      track.location!.latitude = 0;
      // @ts-expect-error payload kinds' own fields too
      track.french = undefined;
      // @ts-expect-error an update is read-only
      update.track = track;
      // @ts-expect-error
      update.alerts!.push({ kind: 'new-drone', text: '' });
      // @ts-expect-error the list of tracks is a read-only array
      tracker.tracks().push(track);
    };
    expect(typeof writes).toBe('function');
  });
});
