/**
 * Every registered payload kind, end to end through its descriptors: a capture record carrying it (a
 * fixture capture where one exists, else frames built here) -> the codec's descriptor (found under its
 * transport, with its vendor element kind) -> the tracker's descriptor for each payload type it yields ->
 * the track's JSON. A kind registered without a sample here, or a payload type without an expectation,
 * fails this file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CaptureReader,
  PAYLOAD_KINDS,
  RemoteIdExtractor,
  buildAirFrames,
  decodeLinkFrame,
  encodeMessage,
  findVendorElements,
  parseManagementFrame,
  splitAuth,
  type PayloadKind,
  type ReceivedMessage,
  type ReceivedPayload,
  type SingleMessageInput,
} from '@odid/codec';
import { fixturePath } from '../../../test/support/fixtures.js';
import { Tracker, trackToJson, type TrackJson } from '../src/tracker/index.js';
import type { PayloadType } from '../src/tracker/payloads/descriptor.js';
import { TRACK_PAYLOADS } from '../src/tracker/payloads/index.js';

const T0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
/** Records of the frames built here: raw 802.11. */
const LINKTYPE_IEEE802_11 = 105;

/** A capture record: link type, bytes, time (s). */
interface Rec {
  linkType: number;
  data: Uint8Array;
  t: number;
}

function captureRecords(...parts: string[]): Rec[] {
  const reader = new CaptureReader();
  const all = [...reader.push(new Uint8Array(readFileSync(fixturePath('captures', 'opendroneid+wireshark-dissector', ...parts)))), ...reader.end()];
  return all.map((r) => ({ linkType: r.linkType, data: r.data, t: r.timestamp }));
}

function airRecords(transport: 'ble-legacy' | 'ble-extended', messages: SingleMessageInput[]): Rec[] {
  const payloads = transport === 'ble-legacy' ? messages.map((m) => encodeMessage(m)) : [encodeMessage({ type: 'messagePack', messages })];
  return payloads.flatMap((payload, i) =>
    buildAirFrames({ transport, address: '02:00:00:00:00:42', counter: i, payload }).map((f) => ({ linkType: f.linkType, data: f.data, t: T0 + i / 10 })),
  );
}

// ---- DJI DroneID and French ID elements, built here byte by byte (no transmitter sends them) ----

const le = (n: number, v: number): number[] => Array.from({ length: n }, (_, i) => Math.floor((v < 0 ? 2 ** (8 * n) + v : v) / 2 ** (8 * i)) & 0xff);
const be = (n: number, v: number): number[] => le(n, v).reverse();
const latin1 = (s: string, n: number): number[] => Array.from({ length: n }, (_, i) => (i < s.length ? s.charCodeAt(i) : 0));
const radE7 = (deg: number): number => Math.round(((deg * Math.PI) / 180) * 1e7);

/** A beacon from `mac` with one vendor element: OUI and body. */
function beaconWith(mac: string, oui: number[], body: number[]): Rec {
  const addr = mac.split(':').map((h) => parseInt(h, 16));
  const header = [0x80, 0, 0, 0, ...Array<number>(6).fill(0xff), ...addr, ...addr, 0, 0];
  const fixed = [...Array<number>(8).fill(0), 0x64, 0, 0x20, 0x04];
  return { linkType: LINKTYPE_IEEE802_11, data: Uint8Array.from([...header, ...fixed, 0, 0, 0xdd, 3 + body.length, ...oui, ...body]), t: T0 };
}

/** A DJI flight record (subcommand 0x10), layout v2: 87 bytes. */
function djiFlightInfo(serial: string, lat: number, lon: number): number[] {
  const r = [2, ...le(2, 1200), ...le(2, 0x1f77), ...latin1(serial, 16), ...le(4, radE7(lon)), ...le(4, radE7(lat))];
  r.push(...le(2, 120), ...le(2, 40), ...le(2, 300), ...le(2, 400), ...le(2, 0), ...le(2, -4500), ...le(8, 0));
  r.push(...le(4, radE7(lat + 0.001)), ...le(4, radE7(lon + 0.001)), ...le(4, radE7(lon - 0.001)), ...le(4, radE7(lat - 0.001)), 68, 0, ...Array<number>(20).fill(0));
  return [0x58, 0x62, 0x13, 0x10, ...r];
}
/** A DJI flight purpose record (subcommand 0x11). */
const djiFlightPurpose = (serial: string): number[] => [0x58, 0x62, 0x13, 0x11, ...latin1(serial, 16), 4, ...latin1('UAV1', 10), 6, ...latin1('survey', 6)];

const tlv = (type: number, value: number[]): number[] => [type, value.length, ...value];
/** A French element body: type byte 1, then every mandatory TLV, big-endian. */
function frenchId(ansiCtaId: string, lat: number, lon: number): number[] {
  return [
    0x01,
    ...tlv(1, [1]),
    ...tlv(3, latin1(ansiCtaId, ansiCtaId.length)),
    ...tlv(4, be(4, Math.round(lat * 1e5))),
    ...tlv(5, be(4, Math.round(lon * 1e5))),
    ...tlv(6, be(2, 137)),
    ...tlv(7, be(2, 40)),
    ...tlv(8, be(4, Math.round(lat * 1e5) + 9)),
    ...tlv(9, be(4, Math.round(lon * 1e5) + 8)),
    ...tlv(10, be(1, 3)),
    ...tlv(11, be(2, 331)),
  ];
}

const DJI_OUI = [0x26, 0x37, 0x12];
const FRENCH_OUI = [0x6a, 0x5c, 0x35];

const AUTH_PAGES = splitAuth({ authType: 2, timestamp: 200_000_000, data: Uint8Array.from({ length: 40 }, (_, i) => i) });

/** A capture carrying each registered payload kind, by descriptor name. */
const SAMPLES: Readonly<Record<string, () => Rec[]>> = {
  // BT4 carries no pack, so each message alone; with an authentication's pages, which no fixture has.
  'odid-ble': () => [
    ...airRecords('ble-legacy', [{ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F0123456789A' }, ...AUTH_PAGES]),
    ...captureRecords('odid_bt5_lr_sample.pcapng'),
  ],
  'odid-beacon': () => captureRecords('odid_wifi_bcn_sample.pcap'),
  'odid-beacon-parrot': () => captureRecords('history', 'beacon_sample.0bec396.pcap'),
  'odid-nan': () => captureRecords('odid_wifi_sample.pcap'),
  'dji-droneid': () => [beaconWith('60:60:1f:00:00:01', DJI_OUI, djiFlightInfo('3NZCH8A0012345', 46.95, 7.44)), beaconWith('60:60:1f:00:00:01', DJI_OUI, djiFlightPurpose('3NZCH8A0012345'))],
  'french-id': () => [beaconWith('60:60:1f:00:00:02', FRENCH_OUI, frenchId('1581F5FJD228400X0S2K', 43.94965, 4.81871))],
};

/** What each payload type's descriptor writes in the JSON of a track that heard only that message. */
const WRITTEN: { readonly [T in PayloadType]: (p: Extract<ReceivedPayload, { type: T }>, json: TrackJson) => void } = {
  basicId: (p, json) => expect(json.ids).toEqual([p]),
  location: (p, json) => {
    expect(json.location).toEqual(p);
    if (json.position) expect(json.position).toMatchObject({ lat: p.latitude, lon: p.longitude });
  },
  auth: (p, json) => {
    expect(json.auth === null ? json.authMissing : json.auth).toBeDefined();
    expect(json.authMissing ?? []).not.toContain(p.dataPage);
  },
  selfId: (p, json) => expect(json.selfId).toBe(p.desc),
  system: (p, json) => expect(json.system).toEqual(p),
  operatorId: (p, json) => expect(json.operatorId).toBe(p.operatorId),
  djiFlightInfo: (p, json) => {
    expect(json.dji).toEqual(p);
    expect(json.uasId).toBe(p.serialNumber);
  },
  djiFlightPurpose: (p, json) => expect(json.djiPurpose).toEqual(p),
  frenchId: (p, json) => {
    expect(json.frenchId).toEqual(p);
    expect(json.position).toMatchObject({ lat: p.latitude, lon: p.longitude, alt: p.altitude });
  },
};

/** Messages per sample checked one by one (a fresh tracker each): plenty to meet every type. */
const PER_SAMPLE = 60;

/** Whether `kind` is what a record yielded `msgs` through: its transport, and for vendor elements its kind. */
function foundAs(kind: PayloadKind, r: Rec, msgs: readonly ReceivedMessage[]): boolean {
  if (kind.carrier === 'ble-service-data') return msgs.some((m) => m.transport === kind.transport.legacy || m.transport === kind.transport.extended);
  if (!msgs.some((m) => m.transport === kind.transport)) return false;
  if (kind.carrier !== 'vendor-element') return true;
  return decodeLinkFrame(r.linkType, r.data).frames.some((f) => {
    if (f.kind !== 'wifi') return false;
    const hdr = parseManagementFrame(f.frame);
    return findVendorElements(f.frame.subarray(hdr.bodyOffset + hdr.fixedLength)).vendor.some((v) => v.kind === kind.kind);
  });
}

describe('each payload kind, capture -> track JSON through its descriptors', () => {
  const seen = new Set<PayloadType>();

  it('every registered kind has a sample here', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(PAYLOAD_KINDS.map((k) => k.name).sort());
  });

  for (const kind of PAYLOAD_KINDS) {
    it(`${kind.name}: found under ${kind.carrier === 'ble-service-data' ? 'ble-legacy/ble-extended' : kind.transport}, each payload it yields written by its descriptor`, () => {
      const extractor = new RemoteIdExtractor();
      const received: ReceivedMessage[] = [];
      for (const r of SAMPLES[kind.name]!()) {
        // Fixture captures may mix carriers (NAN beside beacons): only this kind's records count.
        const msgs = extractor.fromRecord(r.linkType, r.data, { t: r.t });
        if (foundAs(kind, r, msgs)) received.push(...msgs);
      }
      expect(received.length).toBeGreaterThan(0);
      const types = new Set(received.map((m) => m.message.type));
      const sample = [...types].flatMap((type) => received.filter((m) => m.message.type === type).slice(0, PER_SAMPLE / types.size));
      for (const m of sample) {
        const tracker = new Tracker();
        const update = tracker.ingest(m);
        expect(update, `${m.message.type} makes a track`).toBeDefined();
        const json = trackToJson(update!.track);
        (WRITTEN[m.message.type] as (p: ReceivedPayload, json: TrackJson) => void)(m.message, json);
        // The JSON is what JSONL writes: it survives a round trip unchanged.
        expect(JSON.parse(JSON.stringify(json))).toEqual(JSON.parse(JSON.stringify(trackToJson(tracker.get(json.key)!))));
        seen.add(m.message.type);
      }
    });
  }

  it('the samples met every payload type the tracker has a descriptor for', () => {
    expect([...seen].sort()).toEqual(TRACK_PAYLOADS.map((d) => d.type).sort());
  });
});
