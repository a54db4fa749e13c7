/**
 * Location/Vector's table (see meta.ts; layout and sentinels: remote-id-spec.md §2.2), and the accuracy
 * classes: the upper bound ("better than") each class stands for, which accuracy.ts turns both ways.
 */

import { ALTITUDE_FIELD, LATITUDE_FIELD, LONGITUDE_FIELD, PROTOCOL_VERSION, type EnumMeta, type FieldMeta, type MessageMeta } from './meta.js';
import { MessageType, type LocationMessage } from './types.js';

export type AccuracyKind = 'horizontal' | 'vertical' | 'speed' | 'timestamp';

/** Upper bound of each accuracy class in the kind's unit (m, m, m/s, s): index i holds class i + 1; 0 is unknown. */
export const ACCURACY_BOUNDS: { readonly [K in AccuracyKind]: readonly number[] } = {
  horizontal: [18520, 7408, 3704, 1852, 926, 555.6, 185.2, 92.6, 30, 10, 3, 1],
  vertical: [150, 45, 25, 10, 3, 1],
  speed: [10, 3, 1, 0.3],
  // Timestamp accuracy n means "within n × 0.1 s": every nibble value is a class.
  timestamp: Array.from({ length: 15 }, (_, i) => (i + 1) / 10),
};

const metres = (m: number): string => (m >= 1000 ? `${m / 1000} km` : `${m} m`);
const accuracyEnum = (names: readonly string[]): EnumMeta => ({ names: ['unknown', ...names], max: 15 });
export const HORIZONTAL_ACCURACY = accuracyEnum(ACCURACY_BOUNDS.horizontal.map((b) => `< ${metres(b)}`));
export const VERTICAL_ACCURACY = accuracyEnum(ACCURACY_BOUNDS.vertical.map((b) => `< ${metres(b)}`));
export const SPEED_ACCURACY = accuracyEnum(ACCURACY_BOUNDS.speed.map((b) => `< ${b} m/s`));
export const TIMESTAMP_ACCURACY = accuracyEnum(ACCURACY_BOUNDS.timestamp.map((b) => `within ${b} s`));

export const LOCATION_STATUS: EnumMeta = { names: ['undeclared', 'ground', 'airborne', 'emergency', 'remote ID system failure'], max: 15 };
export const HEIGHT_TYPE: EnumMeta = { names: ['above take-off', 'above ground level'], max: 1 };

/** Speeds up to 63.75 m/s travel in 0.25 m/s steps, faster ones in 0.75 m/s steps (the multiplier bit). */
export const SPEED_HORIZONTAL_FIELD = { unit: 'm/s', resolution: 0.25, min: 0, max: 254.25, unknown: 255 } as const satisfies FieldMeta;
export const SPEED_HORIZONTAL_HIGH_RESOLUTION = 0.75;
export const DIRECTION_FIELD = { unit: 'deg', resolution: 1, min: 0, max: 359, unknown: 361 } as const satisfies FieldMeta;
export const SPEED_VERTICAL_FIELD = { unit: 'm/s', resolution: 0.5, min: -62, max: 62, unknown: 63 } as const satisfies FieldMeta;
/** Seconds after the full hour; 65535 = unknown (F3411-20 and later). */
export const LOCATION_TIMESTAMP_FIELD = { unit: 's', resolution: 0.1, min: 0, max: 3600, unknown: 65535 } as const satisfies FieldMeta;

/** Class 0 of every accuracy: unknown (or worse than the coarsest class). */
const ACCURACY_UNKNOWN = 0;
const accuracy = (e: EnumMeta): FieldMeta => ({ enum: e, unknown: ACCURACY_UNKNOWN });

/** A Location that knows nothing: every field that has an "unknown" value, set to it. */
export const LOCATION_UNKNOWN = {
  direction: DIRECTION_FIELD.unknown,
  speedHorizontal: SPEED_HORIZONTAL_FIELD.unknown,
  speedVertical: SPEED_VERTICAL_FIELD.unknown,
  latitude: LATITUDE_FIELD.unknown,
  longitude: LONGITUDE_FIELD.unknown,
  altitudeBaro: ALTITUDE_FIELD.unknown,
  altitudeGeo: ALTITUDE_FIELD.unknown,
  height: ALTITUDE_FIELD.unknown,
  horizAccuracy: ACCURACY_UNKNOWN,
  vertAccuracy: ACCURACY_UNKNOWN,
  baroAccuracy: ACCURACY_UNKNOWN,
  speedAccuracy: ACCURACY_UNKNOWN,
  tsAccuracy: ACCURACY_UNKNOWN,
  timestamp: LOCATION_TIMESTAMP_FIELD.unknown,
} as const satisfies Partial<LocationMessage>;

export const LOCATION_META: MessageMeta<LocationMessage> = {
  type: 'location',
  messageType: MessageType.location,
  name: 'Location',
  fields: {
    protocolVersion: PROTOCOL_VERSION,
    status: { enum: LOCATION_STATUS },
    direction: DIRECTION_FIELD,
    speedHorizontal: SPEED_HORIZONTAL_FIELD,
    speedVertical: SPEED_VERTICAL_FIELD,
    latitude: LATITUDE_FIELD,
    longitude: LONGITUDE_FIELD,
    altitudeBaro: ALTITUDE_FIELD,
    altitudeGeo: ALTITUDE_FIELD,
    heightType: { enum: HEIGHT_TYPE },
    height: ALTITUDE_FIELD,
    horizAccuracy: accuracy(HORIZONTAL_ACCURACY),
    vertAccuracy: accuracy(VERTICAL_ACCURACY),
    baroAccuracy: accuracy(VERTICAL_ACCURACY),
    speedAccuracy: accuracy(SPEED_ACCURACY),
    tsAccuracy: accuracy(TIMESTAMP_ACCURACY),
    timestamp: LOCATION_TIMESTAMP_FIELD,
    // Only on the rare high-range encoding of exactly 63.75 m/s (see LocationMessage).
    speedMultiplier: { optional: true },
  },
};
