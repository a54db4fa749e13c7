/** System (type 0x4): operator position, area of operation, EU classification, system timestamp. */

import { i32le, putU16le, putU32le, u16le, u32le } from '../bytes.js';
import {
  LIMITS,
  decodeAltitude,
  decodeAreaRadius,
  decodeLatLon,
  encodeAltitude,
  encodeAreaRadius,
  encodeLatLon,
  requireInt,
} from './fields.js';
import { encodeHeader } from './header.js';
import { EPOCH_2019_TIMESTAMP } from './meta.js';
import { AREA_COUNT_FIELD, CATEGORY_EU, CLASS_EU, CLASSIFICATION_TYPE, OPERATOR_LOCATION_TYPE } from './system-meta.js';
import { MESSAGE_SIZE, MessageType, type EncodeInput, type SystemMessage } from './types.js';

const OFF = {
  flags: 1, // reserved (7..5), classification type (4..2), operator location type (1..0)
  operatorLatitude: 2,
  operatorLongitude: 6,
  areaCount: 10,
  areaRadius: 12,
  areaCeiling: 13,
  areaFloor: 15,
  categoryClass: 17, // EU category (7..4), EU class (3..0)
  operatorAltitudeGeo: 18,
  timestamp: 20,
} as const;

export function decodeSystem(b: Uint8Array, o: number): SystemMessage {
  const flags = b[o + OFF.flags]!;
  const cc = b[o + OFF.categoryClass]!;
  return {
    type: 'system',
    protocolVersion: b[o]! & 0x0f,
    operatorLocationType: flags & 0x03,
    classificationType: (flags >> 2) & 0x07,
    operatorLatitude: decodeLatLon(i32le(b, o + OFF.operatorLatitude)),
    operatorLongitude: decodeLatLon(i32le(b, o + OFF.operatorLongitude)),
    areaCount: u16le(b, o + OFF.areaCount),
    areaRadius: decodeAreaRadius(b[o + OFF.areaRadius]!),
    areaCeiling: decodeAltitude(u16le(b, o + OFF.areaCeiling)),
    areaFloor: decodeAltitude(u16le(b, o + OFF.areaFloor)),
    categoryEU: cc >> 4,
    classEU: cc & 0x0f,
    operatorAltitudeGeo: decodeAltitude(u16le(b, o + OFF.operatorAltitudeGeo)),
    timestamp: u32le(b, o + OFF.timestamp),
  };
}

export function encodeSystem(m: EncodeInput<SystemMessage>, path = 'system'): Uint8Array {
  const out = new Uint8Array(MESSAGE_SIZE);
  out[0] = encodeHeader(MessageType.system, path, m.protocolVersion);
  out[OFF.flags] =
    (requireInt(`${path}.classificationType`, m.classificationType, 0, CLASSIFICATION_TYPE.max) << 2) |
    requireInt(`${path}.operatorLocationType`, m.operatorLocationType, 0, OPERATOR_LOCATION_TYPE.max);
  putU32le(out, OFF.operatorLatitude, encodeLatLon(`${path}.operatorLatitude`, m.operatorLatitude, LIMITS.latitude.max));
  putU32le(out, OFF.operatorLongitude, encodeLatLon(`${path}.operatorLongitude`, m.operatorLongitude, LIMITS.longitude.max));
  putU16le(out, OFF.areaCount, requireInt(`${path}.areaCount`, m.areaCount, AREA_COUNT_FIELD.min, AREA_COUNT_FIELD.max));
  out[OFF.areaRadius] = encodeAreaRadius(`${path}.areaRadius`, m.areaRadius);
  putU16le(out, OFF.areaCeiling, encodeAltitude(`${path}.areaCeiling`, m.areaCeiling));
  putU16le(out, OFF.areaFloor, encodeAltitude(`${path}.areaFloor`, m.areaFloor));
  out[OFF.categoryClass] = (requireInt(`${path}.categoryEU`, m.categoryEU, 0, CATEGORY_EU.max) << 4) | requireInt(`${path}.classEU`, m.classEU, 0, CLASS_EU.max);
  putU16le(out, OFF.operatorAltitudeGeo, encodeAltitude(`${path}.operatorAltitudeGeo`, m.operatorAltitudeGeo));
  putU32le(out, OFF.timestamp, requireInt(`${path}.timestamp`, m.timestamp, EPOCH_2019_TIMESTAMP.min, EPOCH_2019_TIMESTAMP.max));
  return out;
}
