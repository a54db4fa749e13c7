/**
 * Outputs: JSONL, GeoJSON, KML, CoT (+ UDP/TCP senders on 127.0.0.1 only), CBOR recordings, pcapng.
 * XML is checked by a small well-formedness parser below (and by xmllint, which scripts/setup.sh installs); CoT events
 * against the rules of the CoT base schema (MITRE Event.xsd 2.0), written out as checks here.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Encoder } from 'cbor-x';
import { CaptureReader, RemoteIdExtractor, receivedToJson, type LocationMessage, type ReceivedMessage, type SystemMessage } from '@odid/codec';
import { fixturePath } from '../../../test/support/fixtures.js';
import { tshark } from '../../../test/support/tshark.js';
import { destinationPoint, type LatLon } from '@odid/position';
import {
  COT_TYPE_OPERATOR,
  COT_TYPE_UAV_FIXED_WING,
  COT_TYPE_UAV_ROTARY,
  RecordingError,
  createCotOutput,
  createJsonlOutput,
  createPcapngOutput,
  createRecordingWriter,
  createTcpCotSender,
  createUdpCotSender,
  readRecording,
  readRecordingSync,
  trackToCot,
  tracksToGeoJson,
  tracksToKml,
  type CotSender,
  type RawFrame,
  type Sink,
} from '../src/outputs/index.js';
import { Tracker, trackToJson, type Track, type TrackUpdate } from '../src/tracker/index.js';

// ---------------------------------------------------------------------------------------------------
// A small scene: two drones, one with a tricky self-ID, one fixed-wing without altitude, one address-only.

const T0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
const HOME: LatLon = { lat: 48.137, lon: 11.575 };
const SERIAL = '1581F5FHB229F00202DR';
const NASTY = 'Tom & Jerry <"survey"> \x01\'s';

const loc = (t: number, at: LatLon, alt = 110): LocationMessage => ({
  type: 'location', protocolVersion: 2, status: 2, direction: 45, speedHorizontal: 7.5, speedVertical: 0.5, latitude: at.lat, longitude: at.lon,
  altitudeBaro: alt === -1000 ? -1000 : alt - 10, altitudeGeo: alt, heightType: 0, height: 60, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3,
  speedAccuracy: 3, tsAccuracy: 2, timestamp: Math.round((t % 3600) * 10) / 10,
});
const sys = (op: LatLon): SystemMessage => ({
  type: 'system', protocolVersion: 2, operatorLocationType: 1, classificationType: 1, operatorLatitude: op.lat, operatorLongitude: op.lon,
  areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 1, classEU: 2, operatorAltitudeGeo: 520, timestamp: 200_000_000,
});
const rx = (t: number, mac: string, message: ReceivedMessage['message'], transport: ReceivedMessage['transport'] = 'wifi-beacon'): ReceivedMessage => ({
  t, transport, mac, rssi: -62, counter: Math.floor(t) % 256, message,
});

function scene(): { tracker: Tracker; updates: TrackUpdate[]; messages: ReceivedMessage[] } {
  const tracker = new Tracker({ receiverPosition: HOME });
  const updates: TrackUpdate[] = [];
  const messages: ReceivedMessage[] = [];
  const take = (m: ReceivedMessage) => {
    messages.push(m);
    const u = tracker.ingest(m);
    if (u) updates.push(u);
  };
  const op = destinationPoint(HOME, 200, 150);
  for (let i = 0; i < 5; i++) {
    const t = T0 + i;
    take(rx(t, 'aa:bb:cc:00:00:01', { type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: SERIAL }));
    take(rx(t, 'aa:bb:cc:00:00:01', loc(t, destinationPoint(HOME, 45, 300 + i * 8))));
    take(rx(t, 'aa:bb:cc:00:00:01', sys(op)));
    take(rx(t, 'aa:bb:cc:00:00:01', { type: 'operatorId', protocolVersion: 2, operatorIdType: 0, operatorId: 'FIN87astrdge12k8' }));
    take(rx(t, 'aa:bb:cc:00:00:01', { type: 'selfId', protocolVersion: 2, descType: 0, desc: NASTY }));
    // A fixed-wing drone over BT4 whose altitudes are unknown.
    take(rx(t + 0.5, 'dd:ee:ff:00:00:02', { type: 'basicId', protocolVersion: 2, idType: 2, uaType: 1, uasId: 'DEU.LBA.123' }, 'ble-legacy'));
    take(rx(t + 0.5, 'dd:ee:ff:00:00:02', loc(t + 0.5, destinationPoint(HOME, 300, 1000 + i * 20), -1000), 'ble-legacy'));
  }
  // Heard once: an address with nothing but a Self-ID; no position, no features.
  take(rx(T0, '02:00:00:00:00:03', { type: 'selfId', protocolVersion: 2, descType: 0, desc: 'hello' }, 'ble-legacy'));
  updates.push(...tracker.tick((T0 + 5) * 1000));
  return { tracker, updates, messages };
}

const bySerial = (tracker: Tracker): Track => tracker.get(SERIAL)!;

// ---------------------------------------------------------------------------------------------------
// XML well-formedness: a small strict parser (elements, attributes, text, the five entities, character
// references, comments, the declaration). Throws on anything malformed.

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`XML not well-formed at ${i}: ${why} near ${JSON.stringify(src.slice(i, i + 40))}`);
  };
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(src)) fail('a character XML 1.0 forbids');
  const name = (): string => {
    const m = /^[A-Za-z_:][\w.:-]*/.exec(src.slice(i));
    if (!m) fail('expected a name');
    i += m![0].length;
    return m![0];
  };
  const ws = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const unescape = (s: string): string => {
    if (/[<]/.test(s)) fail('"<" in text or attribute');
    return s.replace(/&([^;]*);?/g, (all, ref: string) => {
      if (!all.endsWith(';')) fail(`unterminated reference &${ref}`);
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      if (ref in named) return named[ref]!;
      const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ref);
      if (!m) fail(`unknown entity &${ref};`);
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (cp < 0x20 && ![9, 10, 13].includes(cp)) fail(`reference to forbidden character ${cp}`);
      return String.fromCodePoint(cp);
    });
  };
  const skipMisc = () => {
    for (;;) {
      ws();
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else break;
    }
  };
  const element = (): XmlElement => {
    if (src[i] !== '<') fail('expected "<"');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      ws();
      if (src.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      const a = name();
      ws();
      if (src[i] !== '=') fail('expected "="');
      i++;
      ws();
      const q = src[i];
      if (q !== '"' && q !== "'") fail('expected a quoted attribute value');
      const end = src.indexOf(q!, i + 1);
      if (end < 0) fail('unterminated attribute');
      if (a in el.attrs) fail(`duplicate attribute ${a}`);
      el.attrs[a] = unescape(src.slice(i + 1, end));
      i = end + 1;
    }
    for (;;) {
      const lt = src.indexOf('<', i);
      if (lt < 0) fail(`unclosed <${el.name}>`);
      el.text += unescape(src.slice(i, lt));
      i = lt;
      if (src.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        ws();
        if (src[i] !== '>') fail('expected ">"');
        i++;
        return el;
      }
      if (src.startsWith('<!--', i)) skipMisc();
      else el.children.push(element());
    }
  };
  if (src.startsWith('<?xml', i)) {
    const end = src.indexOf('?>', i);
    if (end < 0) fail('unterminated declaration');
    i = end + 2;
  }
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== src.length) fail('content after the root element');
  return root;
}

const child = (el: XmlElement, n: string): XmlElement | undefined => el.children.find((c) => c.name === n);
const all = (el: XmlElement, n: string): XmlElement[] => [el.name === n ? [el] : [], ...el.children.map((c) => all(c, n))].flat();

function xmllint(xml: string): void {
  if (spawnSync('xmllint', ['--version']).error) throw new Error('xmllint is missing: run scripts/setup.sh (Debian libxml2-utils)');
  const r = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

// ---------------------------------------------------------------------------------------------------
// The CoT base schema (Event.xsd, version 2.0, MITRE), as checks.

const XS_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const XS_DATETIME = /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const EVENT_ATTRS = ['version', 'type', 'access', 'qos', 'opex', 'uid', 'time', 'start', 'stale', 'how'];
const EVENT_REQUIRED = ['version', 'type', 'uid', 'time', 'start', 'stale', 'how'];

function checkCotEvent(ev: XmlElement): void {
  expect(ev.name).toBe('event');
  for (const a of Object.keys(ev.attrs)) expect(EVENT_ATTRS, `unknown event attribute ${a}`).toContain(a);
  for (const a of EVENT_REQUIRED) expect(ev.attrs, `event needs ${a}`).toHaveProperty(a);
  const at = ev.attrs as Record<string, string>;
  expect(at.version).toMatch(XS_DECIMAL);
  expect(Number(at.version)).toBeGreaterThanOrEqual(2);
  expect(at.type).toMatch(/^\w+(-\w+)*(;[^;]*)?$/);
  expect(at.uid!.length).toBeGreaterThan(0);
  for (const a of ['time', 'start', 'stale']) expect(at[a], a).toMatch(XS_DATETIME);
  expect(at.how).toMatch(/^\w(-\w+)*$/);
  if (at.qos !== undefined) expect(at.qos).toMatch(/^\d-\w-\w$/);
  expect(Date.parse(at.stale!)).toBeGreaterThanOrEqual(Date.parse(at.start!));
  // xs:all of point (exactly once) and detail (at most once), nothing else.
  expect(ev.children.map((c) => c.name).sort()).toSatisfy((names: string[]) => names.join() === 'point' || names.join() === 'detail,point');
  expect(ev.text.trim()).toBe('');
  const point = child(ev, 'point')!;
  expect(Object.keys(point.attrs).sort()).toEqual(['ce', 'hae', 'lat', 'le', 'lon']);
  for (const a of ['lat', 'lon', 'hae', 'ce', 'le']) expect(point.attrs[a], a).toMatch(XS_DECIMAL);
  expect(Math.abs(Number(point.attrs.lat))).toBeLessThanOrEqual(90);
  expect(Math.abs(Number(point.attrs.lon))).toBeLessThanOrEqual(180);
  expect(point.children).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------

const collect = <T>(): Sink<T> & { chunks: T[]; ended: boolean } => {
  const s = {
    chunks: [] as T[],
    ended: false,
    write(c: T) {
      s.chunks.push(c);
    },
    end(cb?: () => void) {
      s.ended = true;
      cb?.();
    },
  };
  return s;
};
const concat = (chunks: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
};

describe('JSONL', () => {
  it('writes received messages exactly as receivedToJson, and track updates, one line each', async () => {
    const { updates, messages } = scene();
    const sink = collect<string>();
    const out = createJsonlOutput(sink);
    for (const m of messages) out.message(m);
    for (const u of updates) out.write(u);
    await out.close();
    expect(sink.ended).toBe(true);
    const lines = sink.chunks.join('').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(messages.length + updates.length);
    expect(lines.slice(0, messages.length)).toEqual(messages.map((m) => receivedToJson(m)));
    const trackLines = lines.slice(messages.length).map((l) => JSON.parse(l) as { t: number; update: string; track: { uasId: string | null; key: string } });
    expect(trackLines[0]).toMatchObject({ t: T0, update: 'created', track: { uasId: SERIAL } });
    expect(trackLines.at(-1)!.track).toEqual(JSON.parse(JSON.stringify(trackToJson(updates.at(-1)!.track))));
    expect(() => out.message(messages[0]!)).toThrow(/closed/);
  });

  it('can leave out either stream, add histories, and leave the sink open', async () => {
    const { updates, messages } = scene();
    const sink = collect<string>();
    const out = createJsonlOutput(sink, { messages: false, history: true, end: false });
    out.message(messages[0]!);
    out.write(updates.filter((u) => u.track.uasId === SERIAL).at(-1)!);
    await out.close();
    expect(sink.ended).toBe(false);
    expect(sink.chunks).toHaveLength(1);
    expect((JSON.parse(sink.chunks[0]!) as { track: { history: unknown[] } }).track.history.length).toBeGreaterThan(0);
  });

  it('throttles updated lines per track when asked, never created or state lines', async () => {
    const { updates } = scene();
    const sink = collect<string>();
    const out = createJsonlOutput(sink, { minIntervalMs: 1000 });
    for (const u of updates) out.write(u);
    await out.close();
    const lines = sink.chunks.map((l) => JSON.parse(l) as { update: string; track: { uasId: string | null } });
    // Drone 1 updates 25 times over 5 s: its created line plus one per second.
    expect(lines.filter((l) => l.track.uasId === SERIAL).map((l) => l.update)).toEqual(['created', 'updated', 'updated', 'updated', 'updated']);
    expect(lines.filter((l) => l.track.uasId === null).map((l) => l.update)).toEqual(['created']);
  });
});

describe('GeoJSON', () => {
  it('a FeatureCollection of track lines, drone, operator points with properties', () => {
    const { tracker } = scene();
    const fc = JSON.parse(JSON.stringify(tracksToGeoJson(tracker.tracks()))) as ReturnType<typeof tracksToGeoJson>;
    expect(fc.type).toBe('FeatureCollection');
    const d1 = bySerial(tracker);
    const of = (id: string) => fc.features.find((f) => f.id === id)!;
    expect(fc.features.map((f) => f.id).sort()).toEqual(
      [`${d1.key}/track`, `${d1.key}/drone`, `${d1.key}/operator`, `${tracker.get('DEU.LBA.123')!.key}/track`, `${tracker.get('DEU.LBA.123')!.key}/drone`].sort(),
    );
    const line = of(`${d1.key}/track`);
    expect(line.geometry.type).toBe('LineString');
    expect(line.geometry.coordinates).toHaveLength(5);
    expect(line.geometry.coordinates[0]).toEqual([d1.history.at(0)!.lon, d1.history.at(0)!.lat, 110]);
    const drone = of(`${d1.key}/drone`);
    expect(drone.geometry).toEqual({ type: 'Point', coordinates: [d1.position!.lon, d1.position!.lat, 110] });
    expect(drone.properties).toMatchObject({ kind: 'drone', uasId: SERIAL, state: 'active', speed: 7.5, course: 45, height: 60, operatorId: 'FIN87astrdge12k8', selfId: NASTY });
    expect(drone.properties.distance).toBeCloseTo(332, 0);
    expect(of(`${d1.key}/operator`)).toMatchObject({ geometry: { type: 'Point' }, properties: { kind: 'operator', source: 'live', distance: 150 } });
    // Without altitudes, 2D positions.
    const fixedWing = tracker.get('DEU.LBA.123')!;
    expect(of(`${fixedWing.key}/drone`).geometry.coordinates).toHaveLength(2);
    // RFC 7946 basics: numeric positions in range, lines of at least two positions.
    for (const f of fc.features) {
      const positions = f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.coordinates;
      if (f.geometry.type === 'LineString') expect(positions.length).toBeGreaterThanOrEqual(2);
      for (const p of positions) {
        expect(Math.abs(p[0])).toBeLessThanOrEqual(180);
        expect(Math.abs(p[1])).toBeLessThanOrEqual(90);
      }
    }
  });

  it('can skip lost tracks and histories', () => {
    const { tracker } = scene();
    tracker.tick((T0 + 100) * 1000);
    expect(tracksToGeoJson(tracker.tracks(), { skipLost: true }).features).toEqual([]);
    expect(tracksToGeoJson(tracker.tracks(), { skipHistory: true }).features.every((f) => f.geometry.type === 'Point')).toBe(true);
  });
});

describe('KML', () => {
  it('is well-formed KML 2.2 with drone and operator Placemarks and LineString tracks with altitude', () => {
    const { tracker } = scene();
    const kml = tracksToKml(tracker.tracks(), { name: 'Scene <1>' });
    xmllint(kml);
    const root = parseXml(kml);
    expect(root.name).toBe('kml');
    expect(root.attrs.xmlns).toBe('http://www.opengis.net/kml/2.2');
    const doc = child(root, 'Document')!;
    expect(child(doc, 'name')!.text).toBe('Scene <1>');
    const folders = doc.children.filter((c) => c.name === 'Folder');
    expect(folders.map((f) => child(f, 'name')!.text)).toEqual([SERIAL, 'DEU.LBA.123', '02:00:00:00:00:03'.replace(/.*/, tracker.get('02:00:00:00:00:03')!.key)]);
    const placemarks = all(root, 'Placemark');
    expect(placemarks.map((p) => child(p, 'name')!.text)).toEqual([SERIAL, `${SERIAL} operator`, `${SERIAL} track`, 'DEU.LBA.123', 'DEU.LBA.123 track']);
    // Placemark children in the schema's order.
    const order = ['name', 'description', 'TimeStamp', 'styleUrl', 'ExtendedData', 'Point', 'LineString'];
    for (const p of placemarks) {
      const idx = p.children.map((c) => order.indexOf(c.name));
      expect(idx.every((v) => v >= 0)).toBe(true);
      expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    }
    // The self-ID survives escaping; the control character it held became U+FFFD.
    expect(child(placemarks[0]!, 'description')!.text).toContain(NASTY.replace('\x01', '\ufffd'));
    const d1 = bySerial(tracker);
    const line = child(placemarks[2]!, 'LineString')!;
    expect(child(line, 'altitudeMode')!.text).toBe('absolute');
    const coords = child(line, 'coordinates')!.text.trim().split(/\s+/).map((c) => c.split(',').map(Number));
    expect(coords).toHaveLength(5);
    coords.forEach((c, k) => {
      expect(c[0]).toBeCloseTo(d1.history.at(k)!.lon, 7);
      expect(c[1]).toBeCloseTo(d1.history.at(k)!.lat, 7);
      expect(c[2]).toBe(110);
    });
    const noAlt = child(all(placemarks[3]!, 'Point')[0]!, 'altitudeMode')!;
    expect(noAlt.text).toBe('clampToGround');
    expect(child(all(placemarks[3]!, 'Point')[0]!, 'coordinates')!.text.split(',')).toHaveLength(2);
    expect(child(placemarks[0]!, 'TimeStamp')!.children[0]!.text).toBe(new Date(d1.position!.t).toISOString());
  });
});

describe('Cursor-on-Target', () => {
  it('drone and operator events follow the CoT event schema', () => {
    const { tracker } = scene();
    const now = tracker.now;
    const d1 = bySerial(tracker);
    const events = trackToCot(d1, now);
    expect(events.map((e) => [e.uid, e.type])).toEqual([
      [`odid-${SERIAL}`, COT_TYPE_UAV_ROTARY],
      [`odid-${SERIAL}-operator`, COT_TYPE_OPERATOR],
    ]);
    for (const e of events) {
      xmllint(e.xml);
      expect(e.xml.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><event ')).toBe(true);
      checkCotEvent(parseXml(e.xml));
    }
    const drone = parseXml(events[0]!.xml);
    expect(drone.attrs).toMatchObject({ version: '2.0', how: 'm-g', time: new Date(now).toISOString(), start: new Date(now).toISOString(), stale: new Date(now + 30_000).toISOString() });
    const point = child(drone, 'point')!.attrs;
    expect(Number(point.lat)).toBeCloseTo(d1.position!.lat, 7);
    expect(point.hae).toBe('110.0');
    expect(point.ce).toBe((10 / 2.4477).toFixed(1)); // horizAccuracy 10: < 10 m at 95 %
    expect(point.le).toBe((10 / 1.96).toFixed(1)); // vertAccuracy 4: < 10 m
    const detail = child(drone, 'detail')!;
    expect(child(detail, 'contact')!.attrs.callsign).toBe(SERIAL);
    expect(child(detail, 'track')!.attrs).toEqual({ course: '45.0', speed: '7.50' });
    expect(child(detail, 'remarks')!.text).toContain(`self-ID "${NASTY.replace('\x01', '\ufffd')}"`);
    expect(child(detail, 'remarks')!.text).toContain('operator ID FIN87astrdge12k8');
    const operator = parseXml(events[1]!.xml);
    expect(child(operator, 'point')!.attrs).toMatchObject({ hae: '520.0', ce: '9999999.0', le: '9999999.0' });
  });

  it('fixed-wing type for aeroplanes, unknown altitude as 9999999.0, lost tracks expire at once', () => {
    const { tracker } = scene();
    const fw = tracker.get('DEU.LBA.123')!;
    const [ev] = trackToCot(fw, tracker.now);
    expect(ev!.type).toBe(COT_TYPE_UAV_FIXED_WING);
    const parsed = parseXml(ev!.xml);
    checkCotEvent(parsed);
    expect(child(parsed, 'point')!.attrs.hae).toBe('9999999.0');
    tracker.tick((T0 + 100) * 1000);
    const [lost] = trackToCot(fw, tracker.now);
    const lostEv = parseXml(lost!.xml);
    checkCotEvent(lostEv);
    expect(lostEv.attrs.stale).toBe(lostEv.attrs.time);
    // Nothing to place: no events.
    expect(trackToCot(tracker.get('02:00:00:00:00:03')!, tracker.now)).toEqual([]);
  });

  it('the CoT output sends at most one event set per track per second, state changes always', async () => {
    const sent: string[] = [];
    const sender: CotSender = { send: async (xml) => void sent.push(xml), close: async () => undefined };
    const out = createCotOutput(sender, { minIntervalMs: 1000 });
    const { updates } = scene();
    for (const u of updates) out.write(u);
    await out.close();
    const uids = sent.map((x) => parseXml(x).attrs.uid!);
    // Drone 1: 5 seconds of updates -> 5 event pairs; drone 2: 5 drone events; the address-only track none.
    expect(uids.filter((u) => u === `odid-${SERIAL}`)).toHaveLength(5);
    expect(uids.filter((u) => u === `odid-${SERIAL}-operator`)).toHaveLength(5);
    expect(uids.filter((u) => u === 'odid-DEU.LBA.123')).toHaveLength(5);
    for (const x of sent) checkCotEvent(parseXml(x));
  });

  it('UDP: a local socket receives one event per datagram (sent to 127.0.0.1 only)', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const port = (socket.address() as AddressInfo).port;
    const got: string[] = [];
    const received = new Promise<void>((resolve) =>
      socket.on('message', (m) => {
        got.push(m.toString('utf8'));
        if (got.length === 2) resolve();
      }),
    );
    const sender = await createUdpCotSender({ host: '127.0.0.1', port });
    const { tracker } = scene();
    for (const e of trackToCot(bySerial(tracker), tracker.now)) await sender.send(e.xml);
    await received;
    await sender.close();
    socket.close();
    expect(got.map((x) => parseXml(x).attrs.uid)).toEqual([`odid-${SERIAL}`, `odid-${SERIAL}-operator`]);
    for (const x of got) checkCotEvent(parseXml(x));
    await expect(sender.send(got[0]!)).rejects.toThrow(/closed/);
  });

  /**
   * A real UDP socket whose multicast setters are recorded and whose sends are redirected to a loopback
   * receiver: the defaults are checked on what the sender asks for, and nothing reaches a multicast group.
   */
  async function redirectedUdp() {
    const receiver = createSocket('udp4');
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', () => r()));
    const received = new Promise<string>((resolve) => receiver.once('message', (m) => resolve(m.toString('utf8'))));
    const calls = { ttl: [] as number[], loopback: [] as boolean[], iface: [] as string[], sentTo: [] as string[], bound: false };
    const createTestSocket = () => {
      const s = createSocket({ type: 'udp4', reuseAddr: true });
      const realSend = s.send.bind(s) as (msg: Buffer, port: number, host: string, cb: (err: Error | null) => void) => void;
      s.once('listening', () => (calls.bound = true));
      s.setMulticastTTL = (ttl: number) => (calls.ttl.push(ttl), ttl);
      s.setMulticastLoopback = (on: boolean) => (calls.loopback.push(on), on);
      s.setMulticastInterface = (iface: string) => void calls.iface.push(iface);
      (s as unknown as { send: unknown }).send = (msg: Buffer, port: number, host: string, cb: (err: Error | null) => void) => {
        calls.sentTo.push(`${host}:${port}`);
        realSend(msg, (receiver.address() as AddressInfo).port, '127.0.0.1', cb);
      };
      return s;
    };
    return { receiver, received, calls, createTestSocket };
  }

  it('UDP multicast defaults to ATAK SA 239.2.3.1:6969, TTL 1 (local segment) and loopback on', async () => {
    const { receiver, received, calls, createTestSocket } = await redirectedUdp();
    const sender = await createUdpCotSender({ createSocket: createTestSocket });
    const { tracker } = scene();
    const [first] = trackToCot(bySerial(tracker), tracker.now);
    await sender.send(first!.xml);
    expect(await received).toBe(first!.xml);
    await sender.close();
    receiver.close();
    expect(calls).toEqual({ ttl: [1], loopback: [true], iface: [], sentTo: ['239.2.3.1:6969'], bound: true });
  });

  it('UDP multicast: TTL, loopback and interface are set as asked; a unicast host gets no multicast setup', async () => {
    const a = await redirectedUdp();
    const multicast = await createUdpCotSender({ createSocket: a.createTestSocket, host: '239.2.3.2', port: 7000, ttl: 3, loopback: false, interface: '127.0.0.1' });
    await multicast.send('<event/>');
    expect(await a.received).toBe('<event/>');
    await multicast.close();
    a.receiver.close();
    expect(a.calls).toEqual({ ttl: [3], loopback: [false], iface: ['127.0.0.1'], sentTo: ['239.2.3.2:7000'], bound: true });

    const b = await redirectedUdp();
    const unicast = await createUdpCotSender({ createSocket: b.createTestSocket, host: '127.0.0.1', ttl: 3 });
    await unicast.send('<event/>');
    await b.received;
    await unicast.close();
    b.receiver.close();
    expect(b.calls).toEqual({ ttl: [], loopback: [], iface: [], sentTo: ['127.0.0.1:6969'], bound: true });
  });

  it('TCP: events back to back without XML declarations, received by a local server', async () => {
    let data = '';
    let done!: () => void;
    const complete = new Promise<void>((r) => (done = r));
    const server = createServer((conn) => {
      conn.setEncoding('utf8');
      conn.on('data', (d: string) => {
        data += d;
        if ((data.match(/<\/event>/g) ?? []).length === 5) done();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const sender = await createTcpCotSender({ host: '127.0.0.1', port });
    const { tracker } = scene();
    for (const t of [bySerial(tracker), tracker.get('DEU.LBA.123')!, bySerial(tracker)]) for (const e of trackToCot(t, tracker.now)) await sender.send(e.xml);
    await complete;
    await sender.close();
    await new Promise<void>((r) => server.close(() => r()));
    expect(data.startsWith('<event ')).toBe(true);
    expect(data).not.toContain('<?xml');
    const events = data.split(/(?<=<\/event>)/);
    expect(events).toHaveLength(5);
    for (const e of events) checkCotEvent(parseXml(e));
  });

  it('TCP: a refused connection is a clear error', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    await expect(createTcpCotSender({ host: '127.0.0.1', port })).rejects.toThrow(new RegExp(`cannot connect to 127.0.0.1:${port}`));
  });
});

// ---------------------------------------------------------------------------------------------------

/** Every record of a real capture, as a source would yield them. */
function captureFrames(...parts: string[]): RawFrame[] {
  const reader = new CaptureReader();
  const bytes = new Uint8Array(readFileSync(fixturePath('captures', ...parts)));
  return [...reader.push(bytes), ...reader.end()].map((r) => ({ t: r.timestamp, linkType: r.linkType, data: new Uint8Array(r.data) }));
}

describe('recording (CBOR sequence)', () => {
  const frames: RawFrame[] = [
    { t: 1_748_772_000.123456, linkType: 127, data: Uint8Array.from([0, 0, 8, 0, 0, 0, 0, 0, 0x80]) },
    { t: 1_748_772_000, linkType: 256, data: new Uint8Array(0) },
    { t: 1_748_772_001.5, linkType: 201, data: Uint8Array.from({ length: 300 }, (_, i) => (i * 31) & 0xff) },
  ];

  const record = (fs: RawFrame[], opts = {}): Uint8Array => {
    const sink = collect<Uint8Array>();
    const w = createRecordingWriter(sink, opts);
    for (const f of fs) w.write(f);
    void w.close();
    return concat(sink.chunks);
  };

  it('reads back exactly what was written, whole or in chunks, header first', async () => {
    const bytes = record(frames, { created: 1_748_771_999, application: 'test' });
    const headers: unknown[] = [];
    expect([...readRecordingSync(bytes, { onHeader: (h) => headers.push(h) })]).toEqual(frames);
    expect(headers).toEqual([{ format: 'odid-recording', version: 1, created: 1_748_771_999, application: 'test' }]);
    for (const size of [1, 7, 64]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, k) => bytes.subarray(k * size, (k + 1) * size));
      const back: RawFrame[] = [];
      for await (const f of readRecording(chunks)) back.push(f);
      expect(back).toEqual(frames);
      for (const f of back) expect(Object.getPrototypeOf(f.data)).toBe(Uint8Array.prototype);
    }
  });

  it('is plain CBOR: string-keyed maps, untagged byte strings, no cbor-x records', () => {
    const bytes = record([{ t: 1.5, linkType: 127, data: Uint8Array.of(1, 2, 3) }]);
    const hex = Buffer.from(bytes).toString('hex');
    expect(bytes[0]! >> 5).toBe(5); // a map
    expect(hex).toContain(Buffer.from('data').toString('hex').replace(/^/, '64') + '43010203'); // "data": h'010203'
    expect(hex).not.toMatch(/d840|d9dff|d86[9a]/); // no typed-array tag, no record tags
  });

  it('an empty recording has its header; a recording cut short yields its whole records, then says so', async () => {
    expect([...readRecordingSync(record([]))]).toEqual([]);
    const bytes = record(frames);
    const cut = bytes.subarray(0, bytes.length - 5);
    const got: RawFrame[] = [];
    expect(() => {
      for (const f of readRecordingSync(cut)) got.push(f);
    }).toThrow(expect.objectContaining({ name: 'RecordingError', code: 'truncated' }));
    expect(got).toEqual(frames.slice(0, 2));
    const notes: string[] = [];
    const back: RawFrame[] = [];
    for await (const f of readRecording([cut.subarray(0, 20), cut.subarray(20)], { onTruncated: (d) => notes.push(d) })) back.push(f);
    expect(back).toEqual(frames.slice(0, 2));
    expect(notes).toEqual([expect.stringContaining('cut short')]);
  });

  it('refuses what is not a recording, newer versions and broken records', () => {
    const enc = new Encoder({ useRecords: false, tagUint8Array: false });
    const errorOf = (b: Uint8Array): RecordingError => {
      try {
        [...readRecordingSync(b)];
      } catch (e) {
        return e as RecordingError;
      }
      throw new Error('no error');
    };
    expect(errorOf(new Uint8Array(0)).code).toBe('not-a-recording');
    expect(errorOf(enc.encode({ hello: 1 })).code).toBe('not-a-recording');
    expect(errorOf(enc.encode({ format: 'odid-recording', version: 3 }))).toMatchObject({ code: 'unsupported-version', message: expect.stringMatching(/newer/) });
    const bad = concat([enc.encode({ format: 'odid-recording', version: 1 }), enc.encode({ t: 'soon', linkType: 1, data: new Uint8Array(1) })]);
    expect(errorOf(bad)).toMatchObject({ code: 'bad-record', item: 1 });
    // Extension items (with a string `kind`) are skipped.
    const ext = concat([enc.encode({ format: 'odid-recording', version: 1 }), enc.encode({ kind: 'note', text: 'x' }), enc.encode({ t: 1, linkType: 2, data: Uint8Array.of(9) })]);
    expect([...readRecordingSync(ext)]).toEqual([{ t: 1, linkType: 2, data: Uint8Array.of(9) }]);
    expect(() => createRecordingWriter(collect<Uint8Array>()).write({ t: Number.NaN, linkType: 1, data: new Uint8Array(0) })).toThrow(RangeError);
  });

  it('through real files: a Node write stream as the sink, a read stream as the source', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'odid-rec-')), 'session.odidrec');
    const w = createRecordingWriter(createWriteStream(file), { created: 1 });
    for (const f of frames) w.write(f);
    await w.close();
    const back: RawFrame[] = [];
    for await (const f of readRecording(createReadStream(file, { highWaterMark: 16 }))) back.push(f);
    expect(back).toEqual(frames);
  });

  it('a real capture recorded and replayed gives the same tracks', () => {
    const frames = captureFrames('opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap');
    const track = (fs: Iterable<RawFrame>) => {
      const ex = new RemoteIdExtractor();
      const tr = new Tracker();
      for (const f of fs) for (const m of ex.fromRecord(f.linkType, f.data, { t: f.t })) tr.ingest(m);
      return tr.tracks().map(trackToJson);
    };
    const bytes = record(frames);
    expect([...readRecordingSync(bytes)]).toEqual(frames);
    expect(track(readRecordingSync(bytes))).toEqual(track(frames));
    // Compact: little more than the frames themselves.
    const raw = frames.reduce((n, f) => n + f.data.length, 0);
    expect(bytes.length).toBeLessThan(raw + frames.length * 32 + 64);
  });
});

describe('pcapng', () => {
  it('raw frames of two link types: one interface each, readable by CaptureReader and tshark', async () => {
    const wifi = captureFrames('opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap');
    const ble = captureFrames('opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng').slice(0, 40);
    const frames = [...wifi.slice(0, 10), ...ble, ...wifi.slice(10)];
    const sink = collect<Uint8Array>();
    const out = createPcapngOutput(sink, { interfaceName: (lt) => `dlt${lt}` });
    for (const f of frames) out.write(f);
    await out.close();
    expect(sink.ended).toBe(true);
    const bytes = concat(sink.chunks);

    const reader = new CaptureReader();
    const back = [...reader.push(bytes), ...reader.end()];
    expect(reader.warnings).toEqual([]);
    expect(reader.format).toBe('pcapng');
    expect(back).toHaveLength(frames.length);
    back.forEach((r, k) => {
      expect(r.linkType).toBe(frames[k]!.linkType);
      expect(r.data).toEqual(frames[k]!.data);
      expect(r.timestamp).toBeCloseTo(frames[k]!.t, 6);
      expect(r.frame).toBe(k + 1);
    });
    expect(new Set(back.map((r) => r.interfaceId))).toEqual(new Set([0, 1]));

    const file = path.join(mkdtempSync(path.join(tmpdir(), 'odid-pcapng-')), 'out.pcapng');
    writeFileSync(file, bytes);
    const rows = tshark(['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.interface_id', '-e', 'frame.len'])
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map(Number));
    expect(rows).toHaveLength(frames.length);
    rows.forEach(([n, iface, len], k) => {
      expect(n).toBe(k + 1);
      expect(iface).toBe(frames[k]!.linkType === wifi[0]!.linkType ? 0 : 1);
      expect(len).toBe(frames[k]!.data.length);
    });
  });
});
