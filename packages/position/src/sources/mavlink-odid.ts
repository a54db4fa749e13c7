/**
 * The MAVLink OPEN_DRONE_ID_* messages as plain objects, and OPEN_DRONE_ID_LOCATION as a Fix. Pure.
 * Plain objects keep MAVLink's field names (camelCase), units and enum numbers, so nothing is lost and
 * the MAVLink docs describe them; byte arrays become number[] and the text fields strings.
 */
import { ALTITUDE_UNKNOWN, accuracyBound } from '@odid/codec';
import type { common } from 'node-mavlink';
import type { Fix, FixStatus } from './types.js';

interface From {
  sysid: number;
  compid: number;
}

interface OdidCommon extends From {
  msgId: number;
  targetSystem: number;
  targetComponent: number;
  /** 20 bytes; all zero unless the data was received from another UA. */
  idOrMac: number[];
}

export interface OdidBasicId extends OdidCommon {
  type: 'basicId';
  idType: number;
  uaType: number;
  uasId: number[];
  /** uasId as text with trailing NULs removed (serial numbers, registration IDs are ASCII). */
  uasIdText: string;
}

export interface OdidLocation extends OdidCommon {
  type: 'location';
  status: number;
  direction: number;
  speedHorizontal: number;
  speedVertical: number;
  latitude: number;
  longitude: number;
  altitudeBarometric: number;
  altitudeGeodetic: number;
  heightReference: number;
  height: number;
  horizontalAccuracy: number;
  verticalAccuracy: number;
  barometerAccuracy: number;
  speedAccuracy: number;
  timestamp: number;
  timestampAccuracy: number;
}

export interface OdidAuthentication extends OdidCommon {
  type: 'authentication';
  authenticationType: number;
  dataPage: number;
  lastPageIndex: number;
  length: number;
  timestamp: number;
  authenticationData: number[];
}

export interface OdidSelfId extends OdidCommon {
  type: 'selfId';
  descriptionType: number;
  description: string;
}

export interface OdidSystem extends OdidCommon {
  type: 'system';
  operatorLocationType: number;
  classificationType: number;
  operatorLatitude: number;
  operatorLongitude: number;
  areaCount: number;
  areaRadius: number;
  areaCeiling: number;
  areaFloor: number;
  categoryEu: number;
  classEu: number;
  operatorAltitudeGeo: number;
  /** Seconds since 2019-01-01 00:00 UTC. */
  timestamp: number;
}

export interface OdidOperatorId extends OdidCommon {
  type: 'operatorId';
  operatorIdType: number;
  operatorId: string;
}

export interface OdidMessagePack extends OdidCommon {
  type: 'messagePack';
  singleMessageSize: number;
  msgPackSize: number;
  messages: number[];
}

export type OdidMavlinkMessage = OdidBasicId | OdidLocation | OdidAuthentication | OdidSelfId | OdidSystem | OdidOperatorId | OdidMessagePack;

export const ODID_MSG_IDS = { basicId: 12900, location: 12901, authentication: 12902, selfId: 12903, system: 12904, operatorId: 12905, messagePack: 12915 } as const;

type AnyOdid =
  | common.OpenDroneIdBasicId
  | common.OpenDroneIdLocation
  | common.OpenDroneIdAuthentication
  | common.OpenDroneIdSelfId
  | common.OpenDroneIdSystem
  | common.OpenDroneIdOperatorId
  | common.OpenDroneIdMessagePack;

const bytes = (a: ArrayLike<number> | undefined): number[] => Array.from(a ?? []);
const text = (v: unknown): string => (typeof v === 'string' ? v : String.fromCharCode(...bytes(v as number[]))).replace(/\0+$/, '');

/** node-mavlink data object -> plain object; undefined for a message id this does not cover. */
export function odidToPlain(msgId: number, d: AnyOdid, from: From): OdidMavlinkMessage | undefined {
  const base = { ...from, msgId, targetSystem: d.targetSystem, targetComponent: d.targetComponent, idOrMac: bytes(d.idOrMac) };
  switch (msgId) {
    case ODID_MSG_IDS.basicId: {
      const m = d as common.OpenDroneIdBasicId;
      return { type: 'basicId', ...base, idType: m.idType, uaType: m.uaType, uasId: bytes(m.uasId), uasIdText: text(m.uasId) };
    }
    case ODID_MSG_IDS.location: {
      const m = d as common.OpenDroneIdLocation;
      return {
        type: 'location',
        ...base,
        status: m.status,
        direction: m.direction,
        speedHorizontal: m.speedHorizontal,
        speedVertical: m.speedVertical,
        latitude: m.latitude,
        longitude: m.longitude,
        altitudeBarometric: m.altitudeBarometric,
        altitudeGeodetic: m.altitudeGeodetic,
        heightReference: m.heightReference,
        height: m.height,
        horizontalAccuracy: m.horizontalAccuracy,
        verticalAccuracy: m.verticalAccuracy,
        barometerAccuracy: m.barometerAccuracy,
        speedAccuracy: m.speedAccuracy,
        timestamp: m.timestamp,
        timestampAccuracy: m.timestampAccuracy,
      };
    }
    case ODID_MSG_IDS.authentication: {
      const m = d as common.OpenDroneIdAuthentication;
      return {
        type: 'authentication',
        ...base,
        authenticationType: m.authenticationType,
        dataPage: m.dataPage,
        lastPageIndex: m.lastPageIndex,
        length: m.length,
        timestamp: m.timestamp,
        authenticationData: bytes(m.authenticationData),
      };
    }
    case ODID_MSG_IDS.selfId: {
      const m = d as common.OpenDroneIdSelfId;
      return { type: 'selfId', ...base, descriptionType: m.descriptionType, description: text(m.description) };
    }
    case ODID_MSG_IDS.system: {
      const m = d as common.OpenDroneIdSystem;
      return {
        type: 'system',
        ...base,
        operatorLocationType: m.operatorLocationType,
        classificationType: m.classificationType,
        operatorLatitude: m.operatorLatitude,
        operatorLongitude: m.operatorLongitude,
        areaCount: m.areaCount,
        areaRadius: m.areaRadius,
        areaCeiling: m.areaCeiling,
        areaFloor: m.areaFloor,
        categoryEu: m.categoryEu,
        classEu: m.classEu,
        operatorAltitudeGeo: m.operatorAltitudeGeo,
        timestamp: m.timestamp,
      };
    }
    case ODID_MSG_IDS.operatorId: {
      const m = d as common.OpenDroneIdOperatorId;
      return { type: 'operatorId', ...base, operatorIdType: m.operatorIdType, operatorId: text(m.operatorId) };
    }
    case ODID_MSG_IDS.messagePack: {
      const m = d as common.OpenDroneIdMessagePack;
      return { type: 'messagePack', ...base, singleMessageSize: m.singleMessageSize, msgPackSize: m.msgPackSize, messages: bytes(m.messages) };
    }
    default:
      return undefined;
  }
}

/**
 * An F3411 accuracy class (the codec's bounds; 0 = unknown) means "better than X": report 99 % of X, so a
 * scheduler that turns metres back into a class (with either < or <= at the boundary) gets the same class
 * the autopilot sent.
 */
export function accuracyFromClass(table: 'horizontal' | 'vertical' | 'speed', value: number): number | undefined {
  const bound = accuracyBound(table, value);
  return bound === undefined ? undefined : bound * 0.99;
}

const STATUS: (FixStatus | undefined)[] = [undefined, 'ground', 'airborne', 'emergency', 'failure'];

/** Seconds after the UTC hour -> ms since epoch: the hour that puts it closest to `now`. */
export function timeFromSecondsAfterHour(seconds: number, now: number): number {
  const hour = 3_600_000;
  const base = Math.floor(now / hour) * hour + Math.round(seconds * 1000);
  return [base - hour, base, base + hour].reduce((best, t) => (Math.abs(t - now) < Math.abs(best - now) ? t : best));
}

/** OPEN_DRONE_ID_LOCATION -> Fix; undefined when it holds no position (lat = lon = 0 means unknown). */
export function odidLocationToFix(m: OdidLocation, now: number): Fix | undefined {
  if (m.latitude === 0 && m.longitude === 0) return undefined;
  const fix: Fix = {
    time: m.timestamp >= 0 && m.timestamp <= 3600 ? timeFromSecondsAfterHour(m.timestamp, now) : now,
    latitude: m.latitude / 1e7,
    longitude: m.longitude / 1e7,
  };
  // MAVLink carries F3411's altitudes as they are: the same -1000 m "unknown".
  if (m.altitudeGeodetic > ALTITUDE_UNKNOWN) fix.altitudeGeo = m.altitudeGeodetic;
  if (m.altitudeBarometric > ALTITUDE_UNKNOWN) fix.altitudeBaro = m.altitudeBarometric;
  // Fix.height is above takeoff; a height above ground (reference 1) has no place there.
  if (m.height > ALTITUDE_UNKNOWN && m.heightReference === 0) fix.height = m.height;
  if (m.speedHorizontal !== 25500) fix.speedHorizontal = m.speedHorizontal / 100;
  if (m.direction <= 35999) fix.direction = m.direction / 100;
  if (m.speedVertical !== 6300) fix.speedVertical = m.speedVertical / 100;
  const h = accuracyFromClass('horizontal', m.horizontalAccuracy);
  const v = accuracyFromClass('vertical', m.verticalAccuracy);
  const s = accuracyFromClass('speed', m.speedAccuracy);
  if (h !== undefined) fix.horizontalAccuracy = h;
  if (v !== undefined) fix.verticalAccuracy = v;
  if (s !== undefined) fix.speedAccuracy = s;
  const status = STATUS[m.status];
  if (status) fix.status = status;
  fix.fixType = fix.altitudeGeo !== undefined ? '3d' : '2d';
  return fix;
}
