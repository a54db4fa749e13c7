/** Location/Vector (type 0x1): where the aircraft is and how it moves. Layout: remote-id-spec.md §2.2. */

import { i32le, u16le } from '../bytes.js';
import {
  LIMITS,
  decodeAltitude,
  decodeDirection,
  decodeLatLon,
  decodeLocationTimestamp,
  decodeSpeedHorizontal,
  decodeSpeedVertical,
  encodeAltitude,
  encodeDirection,
  encodeLatLon,
  encodeLocationTimestamp,
  encodeSpeedHorizontal,
  encodeSpeedVertical,
  requireInt,
} from './fields.js';
import { encodeHeader } from './header.js';
import { HEIGHT_TYPE, HORIZONTAL_ACCURACY, LOCATION_STATUS, SPEED_ACCURACY, TIMESTAMP_ACCURACY, VERTICAL_ACCURACY } from './location-meta.js';
import { MESSAGE_SIZE, MessageType, type EncodeInput, type LocationMessage } from './types.js';
import { putU16le, putU32le } from '../bytes.js';

const OFF = {
  flags: 1, // status (7..4), reserved (3), height type (2), E/W (1), speed multiplier (0)
  direction: 2,
  speedHorizontal: 3,
  speedVertical: 4,
  latitude: 5,
  longitude: 9,
  altitudeBaro: 13,
  altitudeGeo: 15,
  height: 17,
  vertHorizAccuracy: 19,
  baroSpeedAccuracy: 20,
  timestamp: 21,
  tsAccuracy: 23,
} as const;

export function decodeLocation(b: Uint8Array, o: number): LocationMessage {
  const flags = b[o + OFF.flags]!;
  const acc1 = b[o + OFF.vertHorizAccuracy]!;
  const acc2 = b[o + OFF.baroSpeedAccuracy]!;
  const m: LocationMessage = {
    type: 'location',
    protocolVersion: b[o]! & 0x0f,
    status: flags >> 4,
    direction: decodeDirection(b[o + OFF.direction]!, (flags >> 1) & 1),
    speedHorizontal: decodeSpeedHorizontal(b[o + OFF.speedHorizontal]!, flags & 1),
    speedVertical: decodeSpeedVertical((b[o + OFF.speedVertical]! << 24) >> 24),
    latitude: decodeLatLon(i32le(b, o + OFF.latitude)),
    longitude: decodeLatLon(i32le(b, o + OFF.longitude)),
    altitudeBaro: decodeAltitude(u16le(b, o + OFF.altitudeBaro)),
    altitudeGeo: decodeAltitude(u16le(b, o + OFF.altitudeGeo)),
    heightType: (flags >> 2) & 1,
    height: decodeAltitude(u16le(b, o + OFF.height)),
    horizAccuracy: acc1 & 0x0f,
    vertAccuracy: acc1 >> 4,
    baroAccuracy: acc2 >> 4,
    speedAccuracy: acc2 & 0x0f,
    tsAccuracy: b[o + OFF.tsAccuracy]! & 0x0f,
    timestamp: decodeLocationTimestamp(u16le(b, o + OFF.timestamp)),
  };
  // 63.75 m/s has two encodings; the reference writes the high-range one for 63.75 < v < 64.125.
  // Keep the bit so that encoding the decoded form gives these very bytes back.
  if (flags & 1 && b[o + OFF.speedHorizontal] === 0) m.speedMultiplier = 1;
  return m;
}

export function encodeLocation(m: EncodeInput<LocationMessage>, path = 'location'): Uint8Array {
  const out = new Uint8Array(MESSAGE_SIZE);
  out[0] = encodeHeader(MessageType.location, path, m.protocolVersion);
  const status = requireInt(`${path}.status`, m.status, 0, LOCATION_STATUS.max);
  const heightType = requireInt(`${path}.heightType`, m.heightType, 0, HEIGHT_TYPE.max);
  const dir = encodeDirection(`${path}.direction`, m.direction);
  const speed = encodeSpeedHorizontal(`${path}.speedHorizontal`, m.speedHorizontal, m.speedMultiplier === 1);
  out[OFF.flags] = (status << 4) | (heightType << 2) | (dir.ew << 1) | speed.mult;
  out[OFF.direction] = dir.raw;
  out[OFF.speedHorizontal] = speed.raw;
  out[OFF.speedVertical] = encodeSpeedVertical(`${path}.speedVertical`, m.speedVertical);
  putU32le(out, OFF.latitude, encodeLatLon(`${path}.latitude`, m.latitude, LIMITS.latitude.max));
  putU32le(out, OFF.longitude, encodeLatLon(`${path}.longitude`, m.longitude, LIMITS.longitude.max));
  putU16le(out, OFF.altitudeBaro, encodeAltitude(`${path}.altitudeBaro`, m.altitudeBaro));
  putU16le(out, OFF.altitudeGeo, encodeAltitude(`${path}.altitudeGeo`, m.altitudeGeo));
  putU16le(out, OFF.height, encodeAltitude(`${path}.height`, m.height));
  out[OFF.vertHorizAccuracy] =
    (requireInt(`${path}.vertAccuracy`, m.vertAccuracy, 0, VERTICAL_ACCURACY.max) << 4) | requireInt(`${path}.horizAccuracy`, m.horizAccuracy, 0, HORIZONTAL_ACCURACY.max);
  out[OFF.baroSpeedAccuracy] =
    (requireInt(`${path}.baroAccuracy`, m.baroAccuracy, 0, VERTICAL_ACCURACY.max) << 4) | requireInt(`${path}.speedAccuracy`, m.speedAccuracy, 0, SPEED_ACCURACY.max);
  putU16le(out, OFF.timestamp, encodeLocationTimestamp(`${path}.timestamp`, m.timestamp));
  out[OFF.tsAccuracy] = requireInt(`${path}.tsAccuracy`, m.tsAccuracy, 0, TIMESTAMP_ACCURACY.max);
  return out;
}
