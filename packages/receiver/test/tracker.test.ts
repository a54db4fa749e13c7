/**
 * Tracker scenarios. Messages are encoded with the codec, put in real air frames (BLE PDUs, beacons, NAN)
 * and decoded back by the receive path, so the tracker sees exactly what a radio would give it; a few
 * out-of-range cases use literal decoded objects, since the encoder refuses to produce them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CaptureReader,
  DIAGNOSTICS,
  RemoteIdExtractor,
  buildAirFrames,
  encodeMessage,
  fromHex,
  splitAuth,
  type BroadcastTransport,
  type LocationMessage,
  type ReceivedMessage,
  type SingleMessageInput,
} from '@odid/codec';
import { corpusPath, fixturePath, itCorpus } from '../../../test/support/fixtures.js';
import { destinationPoint, type LatLon } from '@odid/position';
import { Tracker, TRACK_FLAGS, locationAgeSeconds, trackFlagId, trackHistoryToJson, trackToJson, type Track, type TrackFlag } from '../src/tracker/index.js';

// 2025-06-01T10:00:00Z: a full hour, so Location timestamps are easy to reason about.
const T0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
const HOME: LatLon = { lat: 52.52, lon: 13.405 };
const SERIAL = '1581F5FHB229F00202DR';
const EU_OPERATOR = 'FIN87astrdge12k8';

const basicId = (uasId: string, idType = 1): SingleMessageInput =>
  idType === 3 || idType === 4
    ? { type: 'basicId', idType, uaType: 2, uasIdHex: Buffer.from(uasId.padEnd(20, '\0'), 'latin1').toString('hex') }
    : { type: 'basicId', idType, uaType: 2, uasId };

/** A Location stamped at receive time `t` (tenths after the hour), unless `timestamp` says otherwise. */
function location(t: number, at: LatLon, extra: Partial<LocationMessage> = {}): SingleMessageInput {
  return {
    type: 'location',
    status: 2,
    direction: 90,
    speedHorizontal: 5,
    speedVertical: 0,
    latitude: at.lat,
    longitude: at.lon,
    altitudeBaro: 100,
    altitudeGeo: 110,
    heightType: 0,
    height: 50,
    horizAccuracy: 10,
    vertAccuracy: 4,
    baroAccuracy: 3,
    speedAccuracy: 3,
    tsAccuracy: 2,
    timestamp: Math.round((t % 3600) * 10) / 10,
    ...extra,
  };
}

const system = (operator: LatLon, classificationType = 1, operatorLocationType = 1): SingleMessageInput => ({
  type: 'system',
  operatorLocationType,
  classificationType,
  operatorLatitude: operator.lat,
  operatorLongitude: operator.lon,
  areaCount: 1,
  areaRadius: 0,
  areaCeiling: -1000,
  areaFloor: -1000,
  categoryEU: classificationType === 1 ? 1 : 0,
  classEU: classificationType === 1 ? 2 : 0,
  operatorAltitudeGeo: 40,
  timestamp: 200_000_000,
});

const operatorId = (id: string): SingleMessageInput => ({ type: 'operatorId', operatorIdType: 0, operatorId: id });
const selfId = (desc: string, descType = 0): SingleMessageInput => ({ type: 'selfId', descType, desc });

/**
 * What a receiver hears from one transmission: BT4 sends each message alone, the other transports a pack.
 * Goes through the real frame builders and the codec's receive path.
 */
function air(transport: BroadcastTransport, mac: string, counter: number, t: number, messages: SingleMessageInput[], rssi = -60): ReceivedMessage[] {
  const extractor = new RemoteIdExtractor();
  const out: ReceivedMessage[] = [];
  const payloads = transport === 'ble-legacy' ? messages.map((m) => encodeMessage(m)) : [encodeMessage({ type: 'messagePack', messages })];
  for (const payload of payloads) {
    for (const f of buildAirFrames({ transport, address: mac, counter, payload, rssi })) out.push(...extractor.fromRecord(f.linkType, f.data, { t }));
  }
  if (out.length === 0) throw new Error('the frame decoded to nothing');
  return out;
}

/** A minimal FAA-style pack (no EU classification, so no Operator ID is due). */
const flightPack = (t: number, at: LatLon): SingleMessageInput[] => [basicId(SERIAL), location(t, at), system(HOME, 0)];

const feed = (tracker: Tracker, msgs: ReceivedMessage[]) => msgs.map((m) => tracker.ingest(m));

/** A compliant EU drone heard on BT4 for `seconds`, 1 Hz: every message every second. */
function cleanFlight(tracker: Tracker, mac: string, seconds: number, start = T0): void {
  for (let i = 0; i < seconds; i++) {
    const t = start + i;
    const pos = destinationPoint(HOME, 90, i * 5);
    const msgs = [basicId(SERIAL), location(t, pos), system(HOME), operatorId(EU_OPERATOR), selfId('survey')];
    feed(tracker, msgs.flatMap((m, k) => air('ble-legacy', mac, i, t + k * 0.05, [m])));
  }
}

const only = (tracker: Tracker): Track => {
  const all = tracker.tracks();
  expect(all).toHaveLength(1);
  return all[0]!;
};

describe('identity and merging', () => {
  it('an address track becomes the ID track when its address sends a Basic ID', () => {
    const tr = new Tracker();
    const [first] = feed(tr, air('ble-legacy', 'AA:00:00:00:00:01', 1, T0, [location(T0, HOME)]));
    expect(first!.reason).toBe('created');
    expect(first!.track.uasId).toBeUndefined();
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 1, T0 + 0.1, [basicId(SERIAL)]));
    const t = only(tr);
    expect(t.key).toBe(first!.track.key);
    expect(t.uasId).toBe(SERIAL);
    expect(t.idType).toBe(1);
    expect(t.uaType).toBe(2);
    expect([...t.addresses]).toEqual(['aa:00:00:00:00:01']);
  });

  it('an address track merges into an existing ID track, keeping history and counters', () => {
    const tr = new Tracker();
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 7, T0, [basicId(SERIAL), location(T0, HOME)]));
    const idTrack = only(tr);
    // Another address of the same drone: positions first, its Basic ID only later.
    const b = 'bb:00:00:00:00:02';
    feed(tr, air('ble-legacy', b, 1, T0 + 1, [location(T0 + 1, destinationPoint(HOME, 0, 5))]));
    feed(tr, air('ble-legacy', b, 2, T0 + 2, [location(T0 + 2, destinationPoint(HOME, 0, 10))]));
    expect(tr.tracks()).toHaveLength(2);
    const addressTrack = tr.get(b)!;
    expect(addressTrack.key).not.toBe(idTrack.key);

    const [update] = feed(tr, air('ble-legacy', b, 1, T0 + 3, [basicId(SERIAL)]));
    expect(update!.merged).toEqual([addressTrack.key]);
    const t = only(tr);
    expect(t.key).toBe(idTrack.key);
    expect([...t.addresses].sort()).toEqual(['aa:00:00:00:00:01', b]);
    expect(t.history.points().map((p) => p.t)).toEqual([T0 * 1000, (T0 + 1) * 1000, (T0 + 2) * 1000]);
    expect(t.messages).toBe(5);
    expect(t.firstSeen).toBe(T0 * 1000);
    const bLink = t.links.get(`ble-legacy ${b}`)!;
    expect(bLink.counters.get('location')!.snapshot()).toMatchObject({ received: 2, missed: 0 });
    expect(tr.get(addressTrack.key)).toBeUndefined();
    expect(tr.get(b)).toBe(t);
  });

  it('two Basic IDs (serial and session ID) are one track shown by its serial, whatever the order', () => {
    for (const order of [
      [basicId('SESSION-42', 4), basicId(SERIAL, 1)],
      [basicId(SERIAL, 1), basicId('SESSION-42', 4)],
    ]) {
      const tr = new Tracker();
      feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 1, T0, order));
      const t = only(tr);
      expect(t.uasId).toBe(SERIAL);
      expect(t.idType).toBe(1);
      const json = trackToJson(t);
      expect(json.ids.map((i) => [i.idType, i.uasId])).toEqual([
        [1, SERIAL],
        [4, 'SESSION-42'],
      ]);
      expect(json.ids[1]!.uasIdHex).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('a track with only a session ID is shown by the session ID in hex; CAA beats session, serial beats CAA', () => {
    const tr = new Tracker();
    const mac = 'aa:00:00:00:00:01';
    feed(tr, air('ble-legacy', mac, 1, T0, [basicId('S1', 4)]));
    expect(only(tr).uasId).toBe(Buffer.from('S1'.padEnd(20, '\0'), 'latin1').toString('hex'));
    expect(only(tr).idType).toBe(4);
    feed(tr, air('ble-legacy', mac, 2, T0 + 1, [basicId('DEU.ABC123', 2)]));
    expect([only(tr).uasId, only(tr).idType]).toEqual(['DEU.ABC123', 2]);
    feed(tr, air('ble-legacy', mac, 3, T0 + 2, [basicId(SERIAL, 1)]));
    expect([only(tr).uasId, only(tr).idType]).toEqual([SERIAL, 1]);
  });

  it('a new session ID (next flight) stays on the serial track', () => {
    const tr = new Tracker();
    const mac = 'aa:00:00:00:00:01';
    feed(tr, air('ble-legacy', mac, 1, T0, [basicId(SERIAL), basicId('FLIGHT-1', 4)]));
    feed(tr, air('ble-legacy', mac, 2, T0 + 60, [basicId('FLIGHT-2', 4), basicId(SERIAL)]));
    const t = only(tr);
    expect(t.uasId).toBe(SERIAL);
    expect(t.basicIds.get(4)!.uasId).toBe('FLIGHT-2');
  });

  it('BT4 and Wi-Fi beacon under different MACs are one track, linked by UAS ID', () => {
    const tr = new Tracker();
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 1, T0, [basicId(SERIAL), location(T0, HOME)]));
    feed(tr, air('wifi-beacon', '02:00:00:00:00:0b', 9, T0 + 0.5, [location(T0 + 0.5, HOME), basicId(SERIAL), system(HOME)]));
    feed(tr, air('ble-extended', 'cc:00:00:00:00:03', 4, T0 + 0.7, [basicId(SERIAL), location(T0 + 0.7, HOME)]));
    const t = only(tr);
    expect(trackToJson(t).transports).toEqual(['ble-legacy', 'ble-extended', 'wifi-beacon']);
    expect([...t.addresses].sort()).toEqual(['02:00:00:00:00:0b', 'aa:00:00:00:00:01', 'cc:00:00:00:00:03']);
    expect(t.links.size).toBe(3);
  });

  it('one address sending two different serials is two aircraft (a spoofer cycling IDs)', () => {
    const tr = new Tracker();
    const mac = 'aa:00:00:00:00:01';
    feed(tr, air('wifi-beacon', mac, 1, T0, [basicId('1581F5FHB229F00202DR'), location(T0, HOME)]));
    feed(tr, air('wifi-beacon', mac, 2, T0 + 0.2, [basicId('1581F5FHB229F00203DR'), location(T0 + 0.2, destinationPoint(HOME, 0, 50))]));
    expect(tr.tracks().map((t) => t.uasId)).toEqual(['1581F5FHB229F00202DR', '1581F5FHB229F00203DR']);
    expect(tr.tracks().map((t) => t.history.length)).toEqual([1, 1]);
  });

  it('looks tracks up by key, any ID, or address; ignores frames with a bad FCS', () => {
    const tr = new Tracker();
    feed(tr, air('ble-legacy', 'AA:00:00:00:00:01', 1, T0, [basicId(SERIAL), basicId('S1', 4)]));
    const t = only(tr);
    expect(tr.get(t.key)).toBe(t);
    expect(tr.get(SERIAL)).toBe(t);
    expect(tr.get('S1')).toBe(t);
    expect(tr.get('AA:00:00:00:00:01')).toBe(t);
    expect(tr.get('nope')).toBeUndefined();
    const [bad] = air('ble-legacy', 'dd:00:00:00:00:04', 1, T0, [basicId('1581F5FHB229F00999DR')]);
    expect(tr.ingest({ ...bad!, badFcs: true })).toBeUndefined();
    expect(tr.tracks()).toHaveLength(1);
  });
});

describe('DJI and French records', () => {
  itCorpus('a real DJI DroneID beacon forms a dji-wifi track by serial (its swapped coordinates are not a position)', () => {
    const ref = JSON.parse(readFileSync(corpusPath('reference', 'aeburriel+scapy-uas-remoteid__extracted__test_wifi_dji.hex.json'), 'utf8')) as {
      frames: { frame_hex: string }[];
    };
    const msgs = new RemoteIdExtractor().fromRecord(105, fromHex(ref.frames[0]!.frame_hex), { t: T0 });
    const tr = new Tracker();
    feed(tr, msgs);
    const json = trackToJson(only(tr));
    expect(json).toMatchObject({ uasId: 'DroneID is crap!', idType: null, transports: ['dji-wifi'], position: null });
    expect(json.dji).toMatchObject({ productName: 'Mavic Pro' });
  });

  it('a DJI v2 record gives position, home point and pilot position', () => {
    const tr = new Tracker({ receiverPosition: HOME });
    const drone = destinationPoint(HOME, 30, 400);
    const pilot = destinationPoint(HOME, 200, 120);
    const home = destinationPoint(HOME, 200, 100);
    const state = Object.fromEntries(
      ['serialValid', 'privacyOff', 'homePointSet', 'uuidSet', 'motorsOn', 'inAir', 'gpsValid', 'altitudeValid', 'heightValid', 'horizontalVelocityValid', 'verticalVelocityValid', 'attitudeValid'].map((k) => [k, true]),
    );
    tr.ingest({
      t: T0,
      transport: 'dji-wifi',
      mac: '60:60:1F:00:00:01',
      message: {
        type: 'djiFlightInfo', layout: 'v2', version: 2, sequence: 100, stateInfo: 0xfff, state: state as never, serialNumber: '3NZCH8A0012345',
        longitude: drone.lon, latitude: drone.lat, altitude: 120, height: 60, speedNorth: 3, speedEast: 4, speedUp: 0, yaw: 0,
        gpsTime: T0 * 1000, pilotLatitude: pilot.lat, pilotLongitude: pilot.lon, homeLongitude: home.lon, homeLatitude: home.lat,
        productType: 68, productName: 'Mavic 3', uuid: '', warnings: [],
        raw: { longitude: 0, latitude: 0, altitude: 0, height: 0, speedNorth: 0, speedEast: 0, speedUp: 0, yaw: 0, homeLongitude: 0, homeLatitude: 0, uuidLength: 0, gpsTime: 0, pilotLatitude: 0, pilotLongitude: 0 },
      },
    });
    const t = only(tr);
    expect(t.uasId).toBe('3NZCH8A0012345');
    expect(t.position).toMatchObject({ lat: drone.lat, lon: drone.lon, alt: 120, speed: 5 });
    expect(t.position!.course).toBeCloseTo(53.13, 2);
    expect(t.home).toMatchObject({ source: 'dji', lat: home.lat });
    expect(t.operator).toMatchObject({ source: 'dji-app', lat: pilot.lat });
    expect(t.distance).toBeCloseTo(400, 3);
    expect(t.operatorDistance).toBeCloseTo(120, 3);
  });

  itCorpus('a real French beacon joins the ODID track of the same ANSI/CTA serial', () => {
    const ref = JSON.parse(readFileSync(corpusPath('reference', 'aeburriel+scapy-uas-remoteid__extracted__test_wifi_sgdsn.hex.json'), 'utf8')) as {
      frames: { frame_hex: string }[];
    };
    const tr = new Tracker();
    feed(tr, new RemoteIdExtractor().fromRecord(105, fromHex(ref.frames[0]!.frame_hex), { t: T0 }));
    const fr = only(tr);
    expect(fr.uasId).toBe('1581E0M6DF7700119BY');
    expect(fr.home?.source).toBe('french-takeoff');
    expect(fr.position).toMatchObject({ alt: 37, speed: 1, course: 331 });
    expect(fr.position!.lat).toBeCloseTo(43.94965, 7);
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 1, T0 + 1, [basicId('1581E0M6DF7700119BY')]));
    expect(only(tr).transports).toEqual(new Set(['wifi-beacon', 'ble-legacy']));
    expect(only(tr).flags).not.toContain('invalid-serial');
  });
});

describe('state over time', () => {
  it('active -> stale after staleAfterMs -> lost after lostAfterMs -> active again', () => {
    const tr = new Tracker({ staleAfterMs: 5000, lostAfterMs: 30000 });
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 1, T0, flightPack(T0, HOME)));
    const t0 = T0 * 1000;
    expect(tr.tick(t0 + 5000)).toEqual([]);
    const [stale] = tr.tick(t0 + 5001);
    expect(stale).toMatchObject({ reason: 'state', previousState: 'active' });
    expect(stale!.track.state).toBe('stale');
    expect(tr.tick(t0 + 20000)).toEqual([]);
    const [lost] = tr.tick(t0 + 30001);
    expect(lost).toMatchObject({ reason: 'state', previousState: 'stale' });
    expect(only(tr).state).toBe('lost');
    const [back] = feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 2, T0 + 40, flightPack(T0 + 40, HOME)));
    expect(back).toMatchObject({ reason: 'updated', previousState: 'lost' });
    expect(back!.track.state).toBe('active');
    expect(trackToJson(back!.track)).toMatchObject({ firstSeen: T0, lastSeen: T0 + 40, state: 'active' });
  });

  it('prune forgets long-lost tracks; the aircraft coming back starts afresh', () => {
    const tr = new Tracker();
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 1, T0, flightPack(T0, HOME)));
    const old = only(tr);
    tr.tick((T0 + 20) * 1000);
    expect(tr.prune(60_000)).toEqual([]); // stale, not lost
    tr.tick((T0 + 100) * 1000);
    expect(tr.prune(60_000)).toEqual([old.key]);
    expect(tr.tracks()).toEqual([]);
    expect(tr.get(SERIAL)).toBeUndefined();
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 2, T0 + 101, flightPack(T0 + 101, HOME)));
    expect(only(tr).key).not.toBe(old.key);
    expect(only(tr).messages).toBe(3);
  });

  it('takes time only from frames and ticks: nowMs overrides the frame time', () => {
    const tr = new Tracker();
    const [m] = air('ble-legacy', 'aa:00:00:00:00:01', 1, T0, [basicId(SERIAL)]);
    tr.ingest(m!, 5_000);
    expect(only(tr).firstSeen).toBe(5_000);
    expect(tr.now).toBe(5_000);
  });

  it('keeps at most historyLimit positions, the newest', () => {
    const tr = new Tracker({ historyLimit: 5 });
    for (let i = 0; i < 12; i++) feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', i, T0 + i, [location(T0 + i, destinationPoint(HOME, 0, i * 3))]));
    const t = only(tr);
    expect(t.history).toHaveLength(5);
    expect(t.history.at(0)!.t).toBe((T0 + 7) * 1000);
    expect(t.position!.t).toBe((T0 + 11) * 1000);
  });
});

describe('counters, rates, signal', () => {
  it('counter gaps are estimated loss per address, transport and message type', () => {
    const tr = new Tracker();
    const mac = 'aa:00:00:00:00:01';
    [1, 2, 5, 6, 6].forEach((c, i) => feed(tr, air('ble-legacy', mac, c, T0 + i, [location(T0 + i, HOME)])));
    [254, 255, 0, 1].forEach((c, i) => feed(tr, air('ble-legacy', mac, c, T0 + i + 0.5, [basicId(SERIAL)])));
    const links = trackToJson(only(tr)).links;
    expect(links).toHaveLength(1);
    expect(links[0]!.counters.location).toMatchObject({ received: 4, missed: 2, repeats: 1, loss: 0.3333 });
    expect(links[0]!.counters.basicId).toMatchObject({ received: 4, missed: 0, loss: 0 });
  });

  it('a pack counts once however many members it has; counters restart after a reboot', () => {
    const tr = new Tracker();
    const mac = '02:00:00:00:00:0b';
    const pack = (t: number) => [basicId(SERIAL), location(t, HOME), system(HOME), operatorId(EU_OPERATOR)];
    [10, 11, 13, 14].forEach((c, i) => feed(tr, air('wifi-beacon', mac, c, T0 + i, pack(T0 + i))));
    feed(tr, air('wifi-beacon', mac, 0, T0 + 5, pack(T0 + 5))); // the transmitter restarted
    const link = trackToJson(only(tr)).links[0]!;
    expect(link.counters.pack).toMatchObject({ received: 5, missed: 1, resets: 1, loss: 0.1667 });
    expect(link.messages).toBe(20);
  });

  it('rates per message type over the sliding window, falling to zero in silence', () => {
    const tr = new Tracker({ rateWindowMs: 10_000 });
    const mac = 'aa:00:00:00:00:01';
    for (let i = 0; i < 10; i++) {
      feed(tr, air('ble-legacy', mac, i, T0 + i, [location(T0 + i, HOME)]));
      if (i % 3 === 0) feed(tr, air('ble-legacy', mac, i, T0 + i + 0.5, [basicId(SERIAL)]));
    }
    tr.tick((T0 + 10) * 1000);
    // Counting in a 10 s window quantises: a 1 Hz stream reads 0.9 to 1.1.
    const rates = only(tr).rates;
    expect(Object.keys(rates)).toEqual(['location', 'basicId']);
    expect(rates.location).toBeGreaterThanOrEqual(0.9);
    expect(rates.location).toBeLessThanOrEqual(1.1);
    expect(rates.basicId).toBeGreaterThanOrEqual(0.3);
    expect(rates.basicId).toBeLessThanOrEqual(0.4);
    tr.tick((T0 + 25) * 1000);
    expect(only(tr).rates).toEqual({ location: 0, basicId: 0 });
  });

  it('keeps RSSI per link, latest and smoothed; the JSON rssi is that of the link heard last', () => {
    const tr = new Tracker({ rssiTimeConstantMs: 1000 });
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 1, T0, [basicId(SERIAL)], -80));
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 2, T0 + 1, [basicId(SERIAL)], -60));
    feed(tr, air('wifi-beacon', '02:00:00:00:00:0b', 1, T0 + 1.5, [basicId(SERIAL)], -45));
    const json = trackToJson(only(tr));
    const bt = json.links.find((l) => l.transport === 'ble-legacy')!;
    expect(bt.rssi).toBe(-60);
    // One time constant later, the smoothed value has gone 1 - 1/e of the way.
    expect(bt.rssiSmoothed).toBeCloseTo(-80 + 20 * (1 - Math.exp(-1)), 1);
    expect(json.rssi).toBe(-45);
  });
});

describe('authentication', () => {
  it('assembles pages that arrive out of order, per address and transport', () => {
    const data = Uint8Array.from({ length: 70 }, (_, i) => (i * 7 + 3) & 0xff);
    const pages = splitAuth({ authType: 2, timestamp: 200_000_000, data });
    expect(pages).toHaveLength(4);
    const tr = new Tracker();
    const mac = 'aa:00:00:00:00:01';
    feed(tr, air('ble-legacy', mac, 1, T0, [basicId(SERIAL)]));
    for (const [i, p] of [2, 0, 3].entries()) feed(tr, air('ble-legacy', mac, i, T0 + i * 0.1, [pages[p]!]));
    expect(only(tr).auth).toBeUndefined();
    expect(only(tr).authMissing).toEqual([1]);
    // Page 1 from a Wi-Fi address of the same drone does not complete the BT4 set: pages are per sender.
    feed(tr, air('wifi-beacon', '02:00:00:00:00:0b', 1, T0 + 0.5, [basicId(SERIAL), pages[1]!]));
    expect(only(tr).auth).toBeUndefined();
    feed(tr, air('ble-legacy', mac, 4, T0 + 0.6, [pages[1]!]));
    const json = trackToJson(only(tr));
    expect(json.auth).toEqual({ type: 'authAssembled', authType: 2, length: 70, timestamp: 200_000_000, authData: Buffer.from(data).toString('hex') });
    expect(json.authMissing).toBeUndefined();
  });

  it('a merge keeps the authentication completed last, whichever track heard it', () => {
    const sig = (fill: number, timestamp: number) => splitAuth({ authType: 2, timestamp, data: new Uint8Array(40).fill(fill) });
    const older = sig(1, 200_000_000);
    const newer = sig(2, 200_000_010);
    for (const idTrackHasNewer of [false, true]) {
      const tr = new Tracker();
      const a = 'aa:00:00:00:00:01';
      const b = 'bb:00:00:00:00:02';
      feed(tr, air('ble-legacy', a, 1, T0, [basicId(SERIAL)]));
      // The other address of the drone, not yet known as it: its own track, with its own signature.
      feed(tr, air('ble-legacy', b, 1, T0 + 0.5, [location(T0, HOME)]));
      const [first, second] = idTrackHasNewer ? [[b, older], [a, newer]] as const : [[a, older], [b, newer]] as const;
      first[1].forEach((p, i) => feed(tr, air('ble-legacy', first[0], 10 + i, T0 + 1 + i * 0.1, [p])));
      second[1].forEach((p, i) => feed(tr, air('ble-legacy', second[0], 20 + i, T0 + 2 + i * 0.1, [p])));
      expect(tr.tracks()).toHaveLength(2);
      const [update] = feed(tr, air('ble-legacy', b, 30, T0 + 3, [basicId(SERIAL)]));
      expect(update!.merged).toHaveLength(1);
      expect(trackToJson(only(tr)).auth).toMatchObject({ timestamp: 200_000_010, authData: '02'.repeat(40) });
    }
  });
});

describe('flags', () => {
  const flagsOf = (tr: Tracker): readonly TrackFlag[] => {
    tr.tick(tr.now);
    return only(tr).flags;
  };

  it('every flag is a track diagnostic of the catalogue, whose meaning is its description', () => {
    const trackIds = Object.keys(DIAGNOSTICS).filter((id) => id.startsWith('track.'));
    expect((Object.keys(TRACK_FLAGS) as TrackFlag[]).map(trackFlagId)).toEqual(trackIds);
    for (const [flag, text] of Object.entries(TRACK_FLAGS)) expect(text).toBe(DIAGNOSTICS[trackFlagId(flag as TrackFlag)].summary);
  });

  it('every flag has a description', () => {
    expect(Object.keys(TRACK_FLAGS).sort()).toEqual(
      [
        'emergency',
        'invalid-serial',
        'malformed-operator-id',
        'missing-basic-id',
        'missing-location',
        'missing-operator-id',
        'missing-system',
        'out-of-range',
        'spoofing-suspect',
        'stale-location',
        // the spoofing checks (test/spoofing-*.test.ts)
        'impossible-motion',
        'motion-mismatch',
        'address-spread',
        'address-crowd',
        'id-cycling',
        'counter-backwards',
        'timestamp-mismatch',
        'operator-far',
        'rssi-impossible',
        'dji-odid-mismatch',
        // the hub's cross-check of several receivers (test/hub-rssi*.test.ts)
        'position-vs-rssi',
        // DRIP (rid-scan --trust; test/e2e/drip-*.test.ts)
        'drip-forged',
      ].sort(),
    );
  });

  it('a clean, compliant EU drone raises none', () => {
    const tr = new Tracker();
    cleanFlight(tr, 'aa:00:00:00:00:01', 10);
    expect(flagsOf(tr)).toEqual([]);
    expect(only(tr).history.length).toBe(10);
  });

  it('invalid-serial (and out-of-range, which covers every validate() error)', () => {
    const tr = new Tracker();
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 1, T0, [basicId('1581F5FHB229F0O202DR')]));
    expect(flagsOf(tr)).toEqual(['invalid-serial', 'out-of-range']);
  });

  it('malformed-operator-id when EU is declared or the ID looks EU; not for other regimes or a UK CAA ID', () => {
    const run = (id: string, classification: number): readonly TrackFlag[] => {
      const tr = new Tracker();
      feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 1, T0, [basicId(SERIAL), location(T0, HOME), system(HOME, classification), operatorId(id)]));
      return flagsOf(tr);
    };
    expect(run('FIN87astrdge12k8-xyz', 1)).toEqual(['malformed-operator-id']); // secret broadcast too
    expect(run('GBR-OP-123ABCD', 1)).toEqual(['malformed-operator-id']); // neither EU nor UK (12 characters after GBR-OP-)
    expect(run('GBR-OP-BAZ4DH6GJ88T', 1)).toEqual([]); // a UK CAA operator ID under EU classification
    expect(run('FIN87ASTRDGE12K8', 0)).toEqual(['malformed-operator-id']); // EU-looking, wrong case
    expect(run('GBR-OP-123ABCD', 0)).toEqual([]);
    expect(run('FIN87astrdge12k8', 1)).toEqual([]);
    // A wrong check character is still well-formed: only the secret's owner could tell.
    expect(run('FIN87astrdge12k9', 1)).toEqual([]);
  });

  it('out-of-range for a value validate() calls an error', () => {
    const tr = new Tracker();
    const [good] = air('ble-legacy', 'aa:00:00:00:00:01', 1, T0, [location(T0, HOME)]);
    tr.ingest({ ...good!, message: { ...(good!.message as LocationMessage), direction: 400 } });
    expect(flagsOf(tr)).toEqual(['out-of-range']);
    // A later, valid Location clears it: flags describe the latest of each message.
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 2, T0 + 0.5, [location(T0 + 0.5, HOME)]));
    expect(flagsOf(tr)).toEqual([]);
  });

  it('missing-* once the track has been heard for more than 3.5 s', () => {
    const tr = new Tracker();
    const mac = 'aa:00:00:00:00:01';
    feed(tr, air('ble-legacy', mac, 1, T0, [system(HOME, 1)]));
    expect(flagsOf(tr)).toEqual([]);
    tr.tick((T0 + 3.5) * 1000);
    expect(only(tr).flags).toEqual([]);
    const updates = tr.tick((T0 + 3.6) * 1000);
    expect(updates.map((u) => u.reason)).toEqual(['flags']);
    expect(only(tr).flags).toEqual(['missing-basic-id', 'missing-location', 'missing-operator-id']);
    feed(tr, air('ble-legacy', mac, 2, T0 + 4, [location(T0 + 4, HOME), basicId(SERIAL), operatorId(EU_OPERATOR)]));
    expect(flagsOf(tr)).toEqual([]);

    const noSystem = new Tracker();
    feed(noSystem, air('ble-legacy', mac, 1, T0, [basicId(SERIAL), location(T0, HOME)]));
    noSystem.tick((T0 + 4) * 1000);
    // Without a System message the regime is unknown: the operator ID is not demanded.
    expect(only(noSystem).flags).toEqual(['missing-system']);
  });

  it('stale-location when the fix is more than 1 s older than its reception', () => {
    const tr = new Tracker();
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 1, T0 + 100, [location(T0 + 100, HOME, { timestamp: 98.9 })]));
    expect(flagsOf(tr)).toEqual(['stale-location']);
    feed(tr, air('ble-legacy', 'aa:00:00:00:00:01', 2, T0 + 101, [location(T0 + 101, HOME, { timestamp: 100 })]));
    expect(flagsOf(tr)).toEqual([]); // exactly 1 s old is still fresh
  });

  it('stale-location across the hour wrap', () => {
    const hour = T0 + 3600; // 11:00:00
    const fresh = new Tracker();
    feed(fresh, air('ble-legacy', 'aa:00:00:00:00:01', 1, hour + 0.3, [location(hour, HOME, { timestamp: 3599.8 })]));
    expect(flagsOf(fresh)).toEqual([]);
    const stale = new Tracker();
    feed(stale, air('ble-legacy', 'aa:00:00:00:00:01', 1, hour + 0.3, [location(hour, HOME, { timestamp: 3598 })]));
    expect(flagsOf(stale)).toEqual(['stale-location']);
    expect(locationAgeSeconds(3599.8, (hour + 0.3) * 1000)).toBeCloseTo(0.5, 6);
    expect(locationAgeSeconds(0.5, (hour - 0.2) * 1000)).toBeCloseTo(-0.7, 6);
    expect(locationAgeSeconds(65535, hour * 1000)).toBeUndefined();
  });

  it('emergency from the Location status or an emergency Self-ID', () => {
    const a = new Tracker();
    feed(a, air('ble-legacy', 'aa:00:00:00:00:01', 1, T0, [location(T0, HOME, { status: 3 })]));
    expect(flagsOf(a)).toEqual(['emergency']);
    const b = new Tracker();
    feed(b, air('ble-legacy', 'aa:00:00:00:00:01', 1, T0, [selfId('motor failure', 1)]));
    expect(flagsOf(b)).toEqual(['emergency']);
  });

  it('spoofing-suspect on a position jump faster than 300 m/s; held, then cleared', () => {
    const tr = new Tracker({ spoofHoldMs: 60_000 });
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 1, T0, flightPack(T0, HOME)));
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 2, T0 + 1, flightPack(T0 + 1, destinationPoint(HOME, 90, 250))));
    expect(flagsOf(tr)).toEqual([]); // 250 m/s: fast, but possible
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 3, T0 + 2, flightPack(T0 + 2, destinationPoint(HOME, 90, 5250))));
    expect(flagsOf(tr)).toEqual(['spoofing-suspect', 'impossible-motion']);
    expect(only(tr).spoofing).toMatchObject([{ flag: 'impossible-motion', values: { distanceM: 5000, speedMps: 5000 } }]);
    tr.tick((T0 + 61) * 1000);
    expect(only(tr).flags).toEqual(['spoofing-suspect', 'impossible-motion']);
    const [cleared] = tr.tick((T0 + 62.1) * 1000);
    expect(cleared!.track.flags).toEqual([]);
  });

  it('spoofing-suspect when one ID speaks from two addresses on one transport more than 1 km apart', () => {
    const tr = new Tracker();
    const far = destinationPoint(HOME, 0, 5000);
    for (let i = 0; i < 3; i++) {
      feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', i, T0 + i, flightPack(T0 + i, HOME)));
      feed(tr, air('wifi-beacon', 'bb:00:00:00:00:02', i, T0 + i + 0.5, flightPack(T0 + i + 0.5, far)));
    }
    expect(flagsOf(tr)).toContain('spoofing-suspect');
    expect(only(tr).spoofing.map((e) => e.flag)).toContain('address-spread');

    // The same two addresses on different transports 50 m apart are one drone's BT and Wi-Fi.
    const ok = new Tracker();
    for (let i = 0; i < 3; i++) {
      feed(ok, air('wifi-beacon', 'aa:00:00:00:00:01', i, T0 + i, flightPack(T0 + i, HOME)));
      feed(ok, air('ble-legacy', 'bb:00:00:00:00:02', i, T0 + i + 0.5, flightPack(T0 + i + 0.5, destinationPoint(HOME, 0, 50))));
    }
    expect(flagsOf(ok)).toEqual([]);
  });

  it('address-spread alone, without a jump in the merged history', () => {
    // Two addresses report positions 2 km apart, but 20 s apart in time: no jump, yet both are fresh.
    const tr = new Tracker({ staleAfterMs: 30_000, lostAfterMs: 60_000 });
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 1, T0, flightPack(T0, HOME)));
    feed(tr, air('wifi-beacon', 'bb:00:00:00:00:02', 1, T0 + 20, flightPack(T0 + 20, destinationPoint(HOME, 0, 2000))));
    expect(flagsOf(tr)).toEqual(['spoofing-suspect', 'address-spread']);
    expect(only(tr).spoofing.map((e) => e.flag)).toEqual(['address-spread']);
  });
});

describe('distance and bearing', () => {
  it('from the receiver to drone and operator, following setReceiverPosition', () => {
    const tr = new Tracker();
    const drone = destinationPoint(HOME, 45, 500);
    const operator = destinationPoint(HOME, 180, 100);
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 1, T0, [basicId(SERIAL), location(T0, drone), system(operator)]));
    expect(only(tr).distance).toBeUndefined();
    expect(trackToJson(only(tr))).not.toHaveProperty('distance');
    tr.setReceiverPosition(HOME);
    const json = trackToJson(only(tr));
    expect(json.distance).toBeCloseTo(500, 0);
    expect(json.bearing).toBeCloseTo(45, 0);
    expect(json.operatorDistance).toBeCloseTo(100, 0);
    expect(json.operatorBearing).toBeCloseTo(180, 0);
    tr.setReceiverPosition(drone);
    // The encoded position is quantised to 1e-7 degrees: about a centimetre.
    expect(only(tr).distance).toBeLessThan(0.05);
    tr.setReceiverPosition(undefined);
    expect(only(tr).distance).toBeUndefined();
    expect(() => tr.setReceiverPosition({ lat: 91, lon: 0 })).toThrow(RangeError);
  });

  it('refuses options that make no sense, naming the option', () => {
    expect(() => new Tracker({ historyLimit: 2.5 })).toThrow(/historyLimit must be a whole number of points, got 2.5/);
    expect(() => new Tracker({ staleAfterMs: -1 })).toThrow(/staleAfterMs must be a positive number/);
    expect(() => new Tracker({ staleAfterMs: 10_000, lostAfterMs: 5_000 })).toThrow(/lostAfterMs \(5000\) must not be shorter/);
  });

  it('operator position by System location type; takeoff also sets the home point', () => {
    const tr = new Tracker();
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 1, T0, [basicId(SERIAL), system(HOME, 1, 0)]));
    expect(only(tr).operator).toMatchObject({ source: 'takeoff', alt: 40 });
    expect(only(tr).home).toMatchObject({ source: 'system-takeoff', lat: HOME.lat });
    feed(tr, air('wifi-beacon', 'aa:00:00:00:00:01', 2, T0 + 1, [basicId(SERIAL), system(destinationPoint(HOME, 0, 10), 1, 1)]));
    expect(only(tr).operator!.source).toBe('live');
    expect(only(tr).home!.source).toBe('system-takeoff');
  });
});

describe('the JSON form', () => {
  it('has the documented fields, decoded messages exactly as decoded, seconds on the frame clock', () => {
    const tr = new Tracker({ receiverPosition: HOME });
    const msgs = air('wifi-beacon', 'AA:BB:CC:DD:EE:01', 3, T0 + 0.25, [basicId(SERIAL), location(T0 + 0.25, destinationPoint(HOME, 0, 100)), system(HOME), operatorId(EU_OPERATOR), selfId('survey')], -55);
    feed(tr, msgs);
    const json = trackToJson(only(tr));
    expect(Object.keys(json).slice(0, 21)).toEqual([
      'key', 'uasId', 'idType', 'uaType', 'ids', 'addresses', 'transports', 'location', 'system', 'operatorId', 'selfId', 'auth',
      'messages', 'firstSeen', 'lastSeen', 'state', 'flags', 'authorised', 'zones', 'operatorZones', 'position',
    ]);
    expect(json).toMatchObject({
      uasId: SERIAL,
      idType: 1,
      uaType: 2,
      addresses: ['aa:bb:cc:dd:ee:01'],
      transports: ['wifi-beacon'],
      operatorId: EU_OPERATOR,
      selfId: 'survey',
      auth: null,
      messages: 5,
      firstSeen: T0 + 0.25,
      lastSeen: T0 + 0.25,
      state: 'active',
      flags: [],
      authorised: false,
      zones: [],
      operatorZones: [],
      rssi: -55,
    });
    expect(json.location).toBe(msgs.find((m) => m.message.type === 'location')!.message);
    expect(json.system).toBe(msgs.find((m) => m.message.type === 'system')!.message);
    expect(json.ids).toEqual([msgs[0]!.message]);
    expect(json.distance).toBeCloseTo(100, 0);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(trackHistoryToJson(only(tr))).toHaveLength(1);
  });
});

describe('real captures', () => {
  function replay(file: string): Tracker {
    const bytes = new Uint8Array(readFileSync(file));
    const reader = new CaptureReader();
    const extractor = new RemoteIdExtractor();
    const tr = new Tracker();
    for (const r of [...reader.push(bytes), ...reader.end()]) {
      for (const m of extractor.fromRecord(r.linkType, r.data, { t: r.timestamp, frame: r.frame })) tr.ingest(m);
    }
    return tr;
  }

  it('Wi-Fi beacon and NAN from one transmitter are one track', () => {
    const tr = replay(fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap'));
    const json = trackToJson(only(tr));
    expect(json.transports).toEqual(['wifi-beacon', 'wifi-nan']);
    expect(json.operatorId).toBe('GBR-OP-123ABCD');
  });

  it('a BT5 long-range capture: one track, pack loss estimated from counter gaps', () => {
    const tr = replay(fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng'));
    const json = trackToJson(only(tr));
    expect(json.uasId).toBe('SSEVTFG93700070');
    const pack = json.links[0]!.counters.pack!;
    expect(pack.missed).toBeGreaterThan(0);
    expect(pack.loss).toBeGreaterThan(0);
    expect(pack.loss).toBeLessThan(0.5);
  });

  itCorpus('a DJI Air 3 heard over Wi-Fi beacon: serial, position, live operator', () => {
    const tr = replay(corpusPath('bkerler+DroneID', 'examples', 'dji_air3.pcapng'));
    const json = trackToJson(only(tr));
    expect(json).toMatchObject({ uasId: '1581F6N8A23B2ML3Y3KR', idType: 1, flags: [], operator: { source: 'live' } });
    expect(json.position!.lat).toBeCloseTo(33.665, 2);
  });
});
