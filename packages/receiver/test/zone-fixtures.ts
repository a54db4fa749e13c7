/**
 * What the zone, allow-list and alert tests share: messages through the real frame builders and receive
 * path (as tracker.test.ts does), and a few zones around one place.
 */
import { RemoteIdExtractor, buildAirFrames, encodeMessage, type BroadcastTransport, type LocationMessage, type ReceivedMessage, type SingleMessageInput } from '@odid/codec';
import type { LatLon } from '@odid/position';
import type { Tracker } from '../src/tracker/index.js';

/** 2025-06-01T10:00:00Z, seconds. */
export const T0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
export const HOME: LatLon = { lat: 52.52, lon: 13.405 };
export const SERIAL = '1581F5FHB229F00202DR';
export const OTHER_SERIAL = '1581F5FJD228400X0S2K';
export const EU_OPERATOR = 'FIN87astrdge12k8';

export const basicId = (uasId: string, idType = 1): SingleMessageInput =>
  idType === 3 || idType === 4 ? { type: 'basicId', idType, uaType: 2, uasIdHex: uasId } : { type: 'basicId', idType, uaType: 2, uasId };

export function location(t: number, at: LatLon, extra: Partial<LocationMessage> = {}): SingleMessageInput {
  return {
    type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: at.lat, longitude: at.lon,
    altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3,
    speedAccuracy: 3, tsAccuracy: 2, timestamp: Math.round((t % 3600) * 10) / 10, ...extra,
  };
}

/** FAA classification by default: no Operator ID is due, so no flag is raised by its absence. */
export const system = (operator: LatLon, classificationType = 0): SingleMessageInput => ({
  type: 'system', operatorLocationType: 1, classificationType, operatorLatitude: operator.lat, operatorLongitude: operator.lon,
  areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 0, classEU: 0, operatorAltitudeGeo: 40, timestamp: 200_000_000,
});

export const operatorId = (id: string): SingleMessageInput => ({ type: 'operatorId', operatorIdType: 0, operatorId: id });
export const selfId = (desc: string, descType = 0): SingleMessageInput => ({ type: 'selfId', descType, desc });

/** One transmission as a receiver hears it: BT4 one message per frame, the others a pack. */
export function air(transport: BroadcastTransport, mac: string, t: number, messages: SingleMessageInput[], counter = 1): ReceivedMessage[] {
  const extractor = new RemoteIdExtractor();
  const payloads = transport === 'ble-legacy' ? messages.map((m) => encodeMessage(m)) : [encodeMessage({ type: 'messagePack', messages })];
  const out: ReceivedMessage[] = [];
  for (const payload of payloads) for (const f of buildAirFrames({ transport, address: mac, counter, payload, rssi: -60 })) out.push(...extractor.fromRecord(f.linkType, f.data, { t }));
  if (out.length === 0) throw new Error('the frame decoded to nothing');
  return out;
}

/** Feeds messages; returns every update the tracker gave. */
export const feed = (tracker: Tracker, msgs: ReceivedMessage[]) => msgs.map((m) => tracker.ingest(m)).filter((u) => u !== undefined);

/** A closed ring of [lon, lat] from the corners of a box. */
export const box = (west: number, south: number, east: number, north: number): number[][] => [
  [west, south], [east, south], [east, north], [west, north], [west, south],
];

/** Stadium: a box around HOME with a hole in its middle (the pitch, say); ceiling 400 m. */
export const STADIUM = {
  type: 'Feature',
  properties: { name: 'Stadium', ceiling: 400 },
  geometry: { type: 'Polygon', coordinates: [box(13.4, 52.515, 13.41, 52.525), box(13.404, 52.519, 13.406, 52.521)] },
};
/** Two boxes east of the stadium, no altitude band. */
export const DEPOTS = {
  type: 'Feature',
  properties: { name: 'Depots' },
  geometry: { type: 'MultiPolygon', coordinates: [[box(13.42, 52.515, 13.43, 52.525)], [box(13.44, 52.515, 13.45, 52.525)]] },
};
export const collection = (...features: unknown[]): unknown => ({ type: 'FeatureCollection', features });

/** Places relative to the zones. */
export const IN_STADIUM: LatLon = { lat: 52.517, lon: 13.402 };
export const IN_HOLE: LatLon = { lat: 52.52, lon: 13.405 };
export const IN_DEPOT_2: LatLon = { lat: 52.52, lon: 13.445 };
export const OUTSIDE: LatLon = { lat: 52.53, lon: 13.39 };
