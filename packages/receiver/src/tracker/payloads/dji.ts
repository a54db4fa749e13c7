/**
 * DJI DroneID records (the codec's framing/dji-droneid.ts): the flight record gives the drone's position,
 * its home point and (v2) the pilot's app position; the purpose record only what it says. Both identify the
 * drone by its serial number, a slot of its own.
 */

import type { DjiFlightInfo, DjiFlightPurpose } from '@odid/codec';
import { isKnownPosition, normalizeDegrees } from '@odid/position';
import type { TrackIdentity } from '../identity.js';
import type { TrackPoint } from '../types.js';
import { trackPayload, type TrackPayload } from './descriptor.js';

const DJI_SEQUENCE_MODULUS = 65_536;

export interface DjiFlightInfoFields {
  /** The latest DJI flight record, as decoded. */
  readonly dji?: Readonly<DjiFlightInfo>;
}
export interface DjiFlightInfoJson {
  dji?: DjiFlightInfo;
}
export interface DjiFlightPurposeFields {
  readonly djiPurpose?: Readonly<DjiFlightPurpose>;
}
export interface DjiFlightPurposeJson {
  djiPurpose?: DjiFlightPurpose;
}

const serialIdentity = (p: DjiFlightInfo | DjiFlightPurpose): TrackIdentity[] =>
  p.serialNumber === '' ? [] : [{ slot: 'dji-serial', value: p.serialNumber }];

export const DJI_FLIGHT_INFO: TrackPayload<DjiFlightInfo, DjiFlightInfoFields, DjiFlightInfoJson> = trackPayload<DjiFlightInfo, DjiFlightInfoFields, DjiFlightInfoJson>({
  type: 'djiFlightInfo',
  // DJI's all-zero firmware records (subcommand 0) carry nothing.
  ignore: (p) => p.serialNumber === '' && p.latitude === 0 && p.longitude === 0,
  identities: serialIdentity,
  // Its own 16-bit sequence number, in place of the ODID counter it lacks.
  sequence: { stream: 'dji', modulus: DJI_SEQUENCE_MODULUS, of: (p) => p.sequence },
  // Layout v2 carries the GPS time, Unix ms (0 before the first fix).
  clock: { what: 'DJI GPS time', at: (p) => (p.layout === 'v2' && p.gpsTime > 0 ? p.gpsTime : undefined) },
  apply(track, p, now, link, positions) {
    track.dji = p;
    track.updatedAt.set('djiFlightInfo', now);
    if (p.layout !== 'partial') {
      if (isKnownPosition(p.homeLatitude, p.homeLongitude)) track.home = { lat: p.homeLatitude, lon: p.homeLongitude, source: 'dji', t: now };
      if (p.layout === 'v2' && isKnownPosition(p.pilotLatitude, p.pilotLongitude)) {
        track.operator = { lat: p.pilotLatitude, lon: p.pilotLongitude, source: 'dji-app', t: now };
      }
    }
    if (!isKnownPosition(p.latitude, p.longitude)) return;
    const point: TrackPoint = { t: now, lat: p.latitude, lon: p.longitude };
    if (p.layout !== 'partial') {
      point.alt = p.altitude;
      point.speed = Math.hypot(p.speedNorth, p.speedEast);
      if (point.speed > 0) point.course = normalizeDegrees((Math.atan2(p.speedEast, p.speedNorth) * 180) / Math.PI);
    }
    positions.add(track, link, point);
  },
  merge(src, dst, newer) {
    if (src.dji && newer('djiFlightInfo')) dst.dji = src.dji;
  },
  toJson(track, json) {
    if (track.dji) json.dji = track.dji;
  },
});

export const DJI_FLIGHT_PURPOSE: TrackPayload<DjiFlightPurpose, DjiFlightPurposeFields, DjiFlightPurposeJson> = trackPayload<DjiFlightPurpose, DjiFlightPurposeFields, DjiFlightPurposeJson>({
  type: 'djiFlightPurpose',
  identities: serialIdentity,
  apply(track, p, now) {
    track.djiPurpose = p;
    track.updatedAt.set('djiFlightPurpose', now);
  },
  merge(src, dst, newer) {
    if (src.djiPurpose && newer('djiFlightPurpose')) dst.djiPurpose = src.djiPurpose;
  },
  toJson(track, json) {
    if (track.djiPurpose) json.djiPurpose = track.djiPurpose;
  },
});
