/**
 * Receptions that arrive late, taken in as the past (Tracker.backfill, Pipeline.backfill): a hub's receiver
 * that lost the broker replays what it heard meanwhile. Messages go through the real frame builders and
 * the codec's receive path. What is checked: positions go into the history in time order while the
 * track's position, lastSeen and latest messages only move forward; rates, counter statistics, spoofing
 * checks and alerts never see the past (the same receptions ingested as news raise spoofing flags); a
 * drone heard only late gets its track, announced once heard in time; the hub (on its own clock, without a
 * broker: test/mqtt-hub.test.ts has the broker) merges late frames and counts another receiver's late
 * copies once; a late recording keeps its mark, so its replay takes the past as the past too; the map
 * page gets the trail the past filled in.
 */

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Encoder } from 'cbor-x';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildAirFrames, encodeMessage, RemoteIdExtractor, type LocationMessage, type ReceivedMessage, type SingleMessageInput } from '@odid/codec';
import { destinationPoint, type LatLon } from '@odid/position';
import { HeardCopies } from '../src/hub/heard-copies.js';
import { Hub } from '../src/hub/hub.js';
import { HubReceivers } from '../src/hub/receivers.js';
import { rawPublicKey } from '../src/outputs/receiver-key.js';
import { createEvidenceRecordingWriter } from '../src/outputs/recording-chain.js';
import { verifyRecording } from '../src/outputs/recording-verify.js';
import { RECORDING_ENCODER_OPTIONS, RecordingError, readRecordingSync } from '../src/outputs/recording.js';
import type { ServerMessage } from '../src/outputs/web/protocol.js';
import { WebMapServer } from '../src/outputs/web/server.js';
import { Pipeline } from '../src/pipeline.js';
import type { RawFrame } from '../src/sources/types.js';
import { parseZones } from '../src/tracker/zones.js';
import { Tracker, type Track, type TrackUpdate } from '../src/tracker/index.js';
import { Store } from '../web/store.js';

// A full hour, so Location timestamps (tenths after the hour) are easy to reason about.
const T0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
const HOME: LatLon = { lat: 52.52, lon: 13.405 };
const SERIAL = '1581F5FHB229F00202DR';
const MAC = '02:aa:00:00:00:01';

function location(t: number, at: LatLon, extra: Partial<LocationMessage> = {}): SingleMessageInput {
  return {
    type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: at.lat, longitude: at.lon,
    altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 2,
    timestamp: Math.round((t % 3600) * 10) / 10,
    ...extra,
  };
}
const system = (operator: LatLon): SingleMessageInput => ({
  type: 'system', operatorLocationType: 1, classificationType: 0, operatorLatitude: operator.lat, operatorLongitude: operator.lon,
  areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 0, classEU: 0, operatorAltitudeGeo: 40, timestamp: 200_000_000,
});
const basicId = (uasId: string, idType = 1): SingleMessageInput =>
  idType === 4 ? { type: 'basicId', idType, uaType: 2, uasIdHex: Buffer.from(uasId.padEnd(20, '\0'), 'latin1').toString('hex') } : { type: 'basicId', idType, uaType: 2, uasId };

/** Where the drone is `i` seconds into its flight: 5 m/s east of HOME. */
const placeAt = (i: number): LatLon => destinationPoint(HOME, 90, i * 5);

/** Second `i` of the flight as a Wi-Fi beacon (a pack: Basic ID, Location, System), as a radio captures it. */
function beacon(i: number, opts: { mac?: string; serial?: string; operator?: LatLon; rssi?: number } = {}): RawFrame {
  const t = T0 + i;
  const payload = encodeMessage({ type: 'messagePack', messages: [basicId(opts.serial ?? SERIAL), location(t, placeAt(i)), system(opts.operator ?? HOME)] });
  const [f] = buildAirFrames({ transport: 'wifi-beacon', address: opts.mac ?? MAC, counter: i & 0xff, payload, rssi: opts.rssi ?? -60 });
  return { t, linkType: f!.linkType, data: f!.data };
}

const messagesOf = (f: RawFrame): ReceivedMessage[] => {
  const out = new RemoteIdExtractor().fromRecord(f.linkType, f.data, { t: f.t });
  expect(out.length).toBeGreaterThan(0);
  return out;
};
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

const ingest = (tr: Tracker, f: RawFrame, receiver = 'a'): TrackUpdate[] => messagesOf(f).map((m) => tr.ingest(m, f.t * 1000, { receiver })!);
const backfill = (tr: Tracker, f: RawFrame, receiver = 'b'): TrackUpdate[] => messagesOf(f).map((m) => tr.backfill(m, f.t * 1000, { receiver })!);
const only = (tr: Tracker): Track => {
  expect(tr.tracks()).toHaveLength(1);
  return tr.tracks()[0]!;
};
const seconds = (track: Track): number[] => track.history.points().map((p) => p.t / 1000 - T0);

describe('Tracker.backfill: a late reception is the past, not news', () => {
  it('an outage another receiver filled in: its positions go into the history in time order; position, lastSeen, messages held and rates, counters and spoofing checks do not move', () => {
    const tr = new Tracker();
    // Receiver a heard seconds 0-9, lost the drone, and heard it again from 40 on.
    for (const i of [...range(0, 10), ...range(40, 50)]) ingest(tr, beacon(i));
    const track = only(tr);
    const link = track.links.get(`wifi-beacon ${MAC}`)!;
    const before = {
      position: track.position,
      location: track.location,
      system: track.system,
      lastSeen: track.lastSeen,
      messages: track.messages,
      rates: { ...track.rates },
      counters: link.counterSnapshots(),
      flags: track.flags,
      spoofing: track.spoofing,
      linkRssi: link.rssi,
      linkLastSeen: link.lastSeen,
      clock: tr.now,
    };
    expect(seconds(track)).toEqual([...range(0, 10), ...range(40, 50)]);

    // Receiver b's spool, seconds 10-39, arrives after second 49: older Location timestamps, counters stepping back.
    const updates = range(10, 40).flatMap((i) => backfill(tr, beacon(i, { rssi: -75 })));
    expect(updates.every((u) => u.late === true && u.reason === 'updated' && u.alerts === undefined && u.at === before.clock)).toBe(true);
    expect(updates.map((u) => u.message!.t)).toEqual(range(10, 40).flatMap((i) => [T0 + i, T0 + i, T0 + i]));

    expect(seconds(track)).toEqual(range(0, 50));
    const p15 = track.history.at(15)!;
    expect(p15).toMatchObject({ t: (T0 + 15) * 1000, alt: 110 });
    expect(p15.lat).toBeCloseTo(placeAt(15).lat, 6);
    expect(p15.lon).toBeCloseTo(placeAt(15).lon, 6);
    // What the track holds now is still the newest.
    expect(track.position).toBe(before.position);
    expect(track.location).toBe(before.location);
    expect(track.system).toBe(before.system);
    expect(track.lastSeen).toBe(before.lastSeen);
    expect(tr.now).toBe(before.clock);
    // Counted once each (three messages a beacon), but nothing that reads receptions as they happen saw them.
    expect(track.messages).toBe(before.messages + 30 * 3);
    expect(link.messages).toBe(track.messages);
    expect(track.rates).toEqual(before.rates);
    expect(link.counterSnapshots()).toEqual(before.counters);
    expect(track.spoofing).toEqual(before.spoofing);
    expect(track.flags).toEqual(before.flags);
    expect(link.rssi).toBe(before.linkRssi);
    expect(link.lastSeen).toBe(before.linkLastSeen);
    // b's own view of the link: every message it relayed, its last-heard and signal from its newest.
    const b = link.receivers!.get('b')!;
    expect(b).toMatchObject({ messages: 90, firstSeen: (T0 + 10) * 1000, lastSeen: (T0 + 39) * 1000, rssi: -75 });
    expect(link.receivers!.get('a')!.lastSeen).toBe((T0 + 49) * 1000);

    // The same receptions ingested as news (what the hub did before): spoofing flags, and a history out of order.
    const asNews = new Tracker();
    for (const i of [...range(0, 10), ...range(40, 50), ...range(10, 40)]) ingest(asNews, beacon(i));
    const news = only(asNews);
    expect(news.spoofing.map((e) => e.flag)).toContain('timestamp-mismatch');
    expect(news.flags).toContain('spoofing-suspect');
  });

  it('a late reception newer than what the track holds (another receiver lost the drone first) moves position, lastSeen and content forward', () => {
    const tr = new Tracker({ staleAfterMs: 5000, lostAfterMs: 30_000 });
    for (const i of range(0, 10)) ingest(tr, beacon(i));
    tr.tick((T0 + 60) * 1000);
    const track = only(tr);
    expect(track.state).toBe('lost');
    const moved = destinationPoint(HOME, 0, 300);
    const updates = range(50, 58).flatMap((i) => backfill(tr, beacon(i, { operator: moved })));
    expect(track.position!.t).toBe((T0 + 57) * 1000);
    expect(track.position!.lon).toBeCloseTo(placeAt(57).lon, 6);
    expect(track.lastSeen).toBe((T0 + 57) * 1000);
    expect((track.location as LocationMessage).longitude).toBeCloseTo(placeAt(57).lon, 6);
    expect(track.operator!.t).toBe((T0 + 57) * 1000);
    expect(track.operator!.lat).toBeCloseTo(moved.lat, 6);
    expect(track.state).toBe('active');
    expect(updates[0]!.previousState).toBe('lost');
    expect(updates.every((u) => u.late && !u.alerts)).toBe(true);
  });

  it('a drone heard only late gets its track, with its ID and path, and raises nothing until it is heard in time: then it is announced with its zones', () => {
    // A field around the flight path.
    const ring = [[13.39, 52.51], [13.43, 52.51], [13.43, 52.53], [13.39, 52.53], [13.39, 52.51]];
    const zones = parseZones({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Field' }, geometry: { type: 'Polygon', coordinates: [ring] } }] }, 'test');
    const tr = new Tracker({ zones, staleAfterMs: 5000, lostAfterMs: 30_000 });
    const updates = range(0, 20).flatMap((i) => backfill(tr, beacon(i)));
    expect(updates[0]).toMatchObject({ reason: 'created', late: true });
    expect(updates.some((u) => u.alerts)).toBe(false);
    const track = only(tr);
    expect(track.uasId).toBe(SERIAL);
    expect(seconds(track)).toEqual(range(0, 20));
    expect(track.firstSeen).toBe(T0 * 1000);
    expect(track.zones).toEqual(['Field']);
    // Ticks raise nothing either, while it changes state.
    const ticks = [tr.tick((T0 + 21) * 1000), tr.tick((T0 + 30) * 1000)].flat();
    expect(ticks.map((u) => u.reason)).toContain('state');
    expect(ticks.some((u) => u.alerts)).toBe(false);
    // Heard in time: news now, announced as a new track would be; once.
    const [first] = ingest(tr, beacon(31));
    expect(first!.alerts?.map((a) => `${a.kind} ${a.who ?? ''}`)).toEqual(['new-drone ', 'zone drone', 'zone operator']);
    const [second] = ingest(tr, beacon(32));
    expect(second!.alerts).toBeUndefined();
  });

  it('a drone heard in time raises its new-drone alert once: the late receptions of another receiver add no alert', () => {
    const tr = new Tracker();
    const live = range(0, 5).flatMap((i) => ingest(tr, beacon(i)));
    expect(live.flatMap((u) => u.alerts ?? []).map((a) => a.kind)).toEqual(['new-drone']);
    const late = range(5, 10).flatMap((i) => backfill(tr, beacon(i)));
    expect(late.some((u) => u.alerts)).toBe(false);
    expect(range(10, 12).flatMap((i) => ingest(tr, beacon(i))).some((u) => u.alerts)).toBe(false);
  });

  it('the same fix another receiver brought in is one point, whichever clock stamped it a little earlier or later; the same late reception twice is one too', () => {
    const tr = new Tracker();
    for (const i of range(0, 5)) ingest(tr, beacon(i));
    const track = only(tr);
    const copy = (i: number, dtMs: number): RawFrame => ({ ...beacon(i), t: T0 + i + dtMs / 1000 });
    backfill(tr, copy(2, -5));
    backfill(tr, copy(3, 4));
    expect(seconds(track)).toEqual(range(0, 5));
    backfill(tr, beacon(7));
    backfill(tr, beacon(7));
    expect(seconds(track)).toEqual([...range(0, 5), 7]);
  });

  it('an older session ID from the past neither replaces the one the track holds nor its Basic ID', () => {
    const tr = new Tracker();
    const pack = (i: number, session: string): RawFrame => {
      const payload = encodeMessage({ type: 'messagePack', messages: [basicId(session, 4), location(T0 + i, placeAt(i))] });
      const [f] = buildAirFrames({ transport: 'wifi-beacon', address: MAC, counter: i, payload });
      return { t: T0 + i, linkType: f!.linkType, data: f!.data };
    };
    ingest(tr, pack(10, 'FLIGHT-2'));
    const held = only(tr).identities.get('session');
    const basic = only(tr).basicIds.get(4);
    backfill(tr, pack(5, 'FLIGHT-1'));
    const track = only(tr);
    expect(track.identities.get('session')).toBe(held);
    expect(track.basicIds.get(4)).toBe(basic);
    expect(seconds(track)).toEqual([5, 10]);
    // The same ID as news does replace it (a new flight).
    ingest(tr, pack(11, 'FLIGHT-3'));
    expect(track.identities.get('session')).not.toBe(held);
  });
});

describe('the hub takes late frames as the past', () => {
  it('a frame older than --late is merged as the past; a late copy of what another receiver brought in counts once; a drone heard only late gets its track', () => {
    let clockMs = 0;
    const frames: RawFrame[] = [];
    const pipeline = new Pipeline({}, { frame: (f) => frames.push(f) });
    const receivers = new HubReceivers();
    const hub = new Hub(pipeline, receivers, { now: () => clockMs });
    const take = (f: RawFrame, receiver: string, arrivedMs: number): void => {
      clockMs = arrivedMs;
      hub.take({ ...f, receiver });
    };
    const OTHER = { mac: '02:bb:00:00:00:02', serial: '1581F5FHB229F00202XX' };
    // a hears drone 1 throughout, on time; b hears drone 1 and drone 2, but its frames of seconds 0-19 come 25 s late.
    for (const i of range(0, 20)) take(beacon(i), 'a', (T0 + i) * 1000 + 80);
    for (const i of range(0, 20)) {
      take(beacon(i, { rssi: -80 }), 'b', (T0 + 25) * 1000);
      take(beacon(i, OTHER), 'b', (T0 + 25) * 1000);
    }
    expect(hub.stats).toEqual({ frames: 60, tracked: 40, duplicates: 20, late: 40, ahead: 0 });
    expect(receivers.get('b')).toMatchObject({ late: 40, duplicates: 20 });
    const one = pipeline.tracker.get(SERIAL)!;
    const two = pipeline.tracker.get(OTHER.serial)!;
    // Drone 1 counted once per transmission; b's hearing of it whole.
    expect(one.messages).toBe(20 * 3);
    const link = one.links.get(`wifi-beacon ${MAC}`)!;
    expect(link.receivers!.get('b')).toMatchObject({ messages: 60, lastSeen: (T0 + 19) * 1000 });
    expect(link.receivers!.get('a')!.rssi).toBe(-60);
    // Drone 2, heard only by b, only late: its track, ID and path.
    expect(two.messages).toBe(20 * 3);
    expect(seconds(two)).toEqual(range(0, 20));
    expect(two.spoofing).toEqual([]);
    // The outputs hold each transmission once: drone 1's from a, drone 2's from b, marked late.
    expect(frames).toHaveLength(40);
    expect(frames.filter((f) => f.late)).toHaveLength(20);
  });

  it('HeardCopies: a late copy matches a first copy of another receiver within the window, in a neighbouring time slot too; bounded by count', () => {
    const copy = (receiver: string, at: number) => ({ receiver, transport: 'ble-legacy' as const, address: 'aa', messages: 1, at });
    const h = new HeardCopies(4, 3000);
    h.remember(7, copy('a', 2999));
    expect(h.copyOf(7, 'b', 2999)?.receiver).toBe('a');
    expect(h.copyOf(7, 'b', 5500)?.receiver).toBe('a');
    expect(h.copyOf(7, 'b', 6500)).toBeUndefined();
    expect(h.copyOf(7, 'a', 2999)).toBeUndefined();
    expect(h.copyOf(8, 'b', 2999)).toBeUndefined();
    // The same bytes again 10 s later: both remembered.
    h.remember(7, copy('a', 12_999));
    expect(h.copyOf(7, 'b', 3000)?.at).toBe(2999);
    expect(h.copyOf(7, 'b', 13_000)?.at).toBe(12_999);
    // Two generations of two: the oldest go whole.
    for (const k of [1, 2, 3, 4]) h.remember(k, copy('a', 20_000));
    expect(h.size).toBeLessThanOrEqual(4);
    expect(h.copyOf(7, 'b', 3000)).toBeUndefined();
    expect(h.copyOf(4, 'b', 20_000)?.receiver).toBe('a');
  });
});

describe('Pipeline.backfill and recordings: the late mark travels with the frame', () => {
  it('a recording marks the frames taken in as the past; the verifier counts them; its replay gives the same track, without the flags news would raise', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const chunks: Uint8Array[] = [];
    const writer = createEvidenceRecordingWriter({ write: (c: Uint8Array) => void chunks.push(Uint8Array.from(c)) }, { key: { privateKey, publicKey: rawPublicKey(privateKey) }, software: 'test', sealEveryFrames: 7 });
    const messages: ReceivedMessage[] = [];
    const hub = new Pipeline({}, { frame: (f) => writer.write(f), message: (m) => messages.push(m) });
    for (const i of [...range(0, 10), ...range(40, 50)]) hub.process(beacon(i));
    const late = range(10, 40).map((i) => beacon(i));
    for (const f of late) hub.backfill(f);
    await writer.close();
    const bytes = Buffer.concat(chunks);

    // The message outputs got them too, with their own reception times.
    expect(messages.slice(-90).map((m) => m.t)).toEqual(late.flatMap((f) => [f.t, f.t, f.t]));
    const report = await verifyRecording([bytes]);
    expect(report).toMatchObject({ status: 'complete', frames: 50, lateFrames: 30 });
    const recorded = [...readRecordingSync(bytes)];
    expect(recorded.map((f) => f.t)).toEqual([...range(0, 10), ...range(40, 50), ...range(10, 40)].map((i) => T0 + i));
    expect(recorded.map((f) => f.late === true)).toEqual([...Array<boolean>(20).fill(false), ...Array<boolean>(30).fill(true)]);

    const hubTrack = only(hub.tracker);
    const replayed = new Pipeline();
    for (const f of recorded) replayed.process(f);
    const replayTrack = only(replayed.tracker);
    expect(replayTrack.history.points()).toEqual(hubTrack.history.points());
    expect(replayTrack.messages).toBe(hubTrack.messages);
    expect(replayTrack.spoofing).toEqual([]);
    expect(replayTrack.flags).toEqual(hubTrack.flags);

    // Without the mark, a replay would take the past as news.
    const unmarked = new Pipeline();
    for (const f of recorded) unmarked.process({ t: f.t, linkType: f.linkType, data: f.data });
    expect(only(unmarked.tracker).flags).toContain('spoofing-suspect');
  });

  it('a recording whose late mark is not true or false is refused with a typed error', () => {
    const enc = new Encoder(RECORDING_ENCODER_OPTIONS);
    const f = beacon(0);
    const bytes = Buffer.concat([enc.encode({ format: 'odid-recording', version: 1 }), enc.encode({ t: f.t, linkType: f.linkType, data: f.data, late: 'yes' })]);
    expect(() => [...readRecordingSync(bytes)]).toThrow(RecordingError);
    expect(() => [...readRecordingSync(bytes)]).toThrow(/late yes is not true or false/);
  });
});

describe('the map page redraws a trail the past filled in', () => {
  let assets: string;
  const servers: WebMapServer[] = [];
  beforeAll(() => {
    assets = mkdtempSync(path.join(tmpdir(), 'odid-backfill-web-'));
    writeFileSync(path.join(assets, 'index.html'), '<!doctype html><title>map</title>');
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  afterAll(() => rmSync(assets, { recursive: true, force: true }));

  it('a late update sends the track whole with its trail, which the page merges in time order', async () => {
    const tracker = new Tracker();
    const server = new WebMapServer({ host: '127.0.0.1', port: 0, assetsDir: assets, mode: 'live', source: 'test', tracks: () => tracker.tracks(), track: (k) => tracker.get(k), now: () => tracker.now });
    servers.push(server);
    const url = await server.start();
    for (const i of range(0, 3)) for (const u of ingest(tracker, beacon(i))) server.write(u);
    const store = new Store();
    const ws = new WebSocket(`ws://127.0.0.1:${url.port}/ws`);
    /** Trails that came in 'tracks' messages (the store takes them out of the summaries it keeps). */
    const trails: number[][] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as ServerMessage;
      if (m.type === 'tracks') for (const s of m.tracks) if (s.trail) trails.push(s.trail);
      store.apply(m);
    });
    await new Promise((r) => ws.once('open', r));
    const until = async (cond: () => boolean): Promise<void> => {
      const end = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > end) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const key = only(tracker).key;
    await until(() => store.tracks.has(key));
    for (const i of range(10, 13)) for (const u of ingest(tracker, beacon(i))) server.write(u);
    // Live, the page gets the latest position of each batch: 10 and 11 went by in one.
    await until(() => store.trail(key).at(-1)!.t === T0 + 12);
    expect(store.trail(key).map((p) => Math.round(p.t - T0))).toEqual([0, 1, 2, 12]);
    // Seconds 3-9, heard by another receiver, arrive late.
    for (const i of range(3, 10)) for (const u of backfill(tracker, beacon(i))) server.write(u);
    await until(() => store.trail(key).length === 13);
    expect(store.trail(key).map((p) => Math.round(p.t - T0))).toEqual(range(0, 13));
    // It came whole, with its trail (flat [t, lat, lon] triples), instead of a delta.
    expect(trails.length).toBeGreaterThan(0);
    expect(trails.at(-1)!.filter((_, k) => k % 3 === 0).map((t) => Math.round(t - T0))).toEqual(range(0, 13));
    expect(store.outOfStep).toBe(false);
    ws.close();
  });
});
