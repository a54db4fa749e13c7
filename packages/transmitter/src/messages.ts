/**
 * A transmitter's Open Drone ID messages, in decoded form, from the identity and the latest fixes.
 * Location carries the position source's value at the moment of sending; a silent or stale source is
 * broadcast as unknown values with status "Remote ID system failure", never as the last known position.
 */

import {
  ALTITUDE_FIELD,
  DIRECTION_FIELD,
  LOCATION_UNKNOWN,
  SPEED_HORIZONTAL_FIELD,
  SPEED_VERTICAL_FIELD,
  horizontalAccuracyEnum,
  speedAccuracyEnum,
  timestampAccuracyEnum,
  verticalAccuracyEnum,
  type SingleMessageInput,
} from '@odid/codec';
import type { Identity } from './identity.js';
import { isStale, type Fix, type FixStatus } from '@odid/position';

/** Seconds between the Unix epoch and 2019-01-01T00:00:00Z, the epoch of System and Auth timestamps. */
export const ODID_EPOCH_S = 1_546_300_800;
/** Location status values (F3411-22a). */
const STATUS: Record<FixStatus, number> = { ground: 1, airborne: 2, emergency: 3, failure: 4 };
const STATUS_UNDECLARED = 0;
const STATUS_SYSTEM_FAILURE = 4;
/** A fix older than this when sent is not broadcast (F3411: data not older than 1 s). */
export const MAX_FIX_AGE_MS = 1000;


const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
/** An altitude in the wire's range, or unknown. */
const alt = (v: number | undefined): number => (v === undefined || !Number.isFinite(v) ? ALTITUDE_FIELD.unknown : clamp(v, ALTITUDE_FIELD.min, ALTITUDE_FIELD.max));

/** Tenths of a second after the full UTC hour of `ms`, as the Location timestamp wants it. */
export const secondsAfterHour = (ms: number): number => (((ms % 3_600_000) + 3_600_000) % 3_600_000) / 1000;

export function locationMessage(fix: Fix | undefined, nowMs: number, protocolVersion = 2): SingleMessageInput {
  if (!fix || isStale(fix, nowMs, MAX_FIX_AGE_MS)) {
    return { type: 'location', protocolVersion, status: protocolVersion >= 2 ? STATUS_SYSTEM_FAILURE : STATUS_UNDECLARED, heightType: 0, ...LOCATION_UNKNOWN };
  }
  const speed = fix.speedHorizontal;
  return {
    type: 'location',
    protocolVersion,
    status: fix.status ? STATUS[fix.status] : STATUS_UNDECLARED,
    direction: fix.direction === undefined ? DIRECTION_FIELD.unknown : ((Math.round(fix.direction) % 360) + 360) % 360,
    speedHorizontal: speed === undefined ? SPEED_HORIZONTAL_FIELD.unknown : clamp(speed, SPEED_HORIZONTAL_FIELD.min, SPEED_HORIZONTAL_FIELD.max),
    speedVertical: fix.speedVertical === undefined ? SPEED_VERTICAL_FIELD.unknown : clamp(fix.speedVertical, SPEED_VERTICAL_FIELD.min, SPEED_VERTICAL_FIELD.max),
    latitude: fix.latitude,
    longitude: fix.longitude,
    altitudeBaro: alt(fix.altitudeBaro),
    altitudeGeo: alt(fix.altitudeGeo),
    heightType: 0, // above takeoff
    height: alt(fix.height),
    horizAccuracy: horizontalAccuracyEnum(fix.horizontalAccuracy),
    vertAccuracy: verticalAccuracyEnum(fix.verticalAccuracy),
    baroAccuracy: fix.altitudeBaro === undefined ? 0 : verticalAccuracyEnum(fix.verticalAccuracy),
    speedAccuracy: speedAccuracyEnum(fix.speedAccuracy),
    // The fix time is GNSS time: a 0.1 s timestamp is exact to its resolution.
    tsAccuracy: timestampAccuracyEnum(0.1),
    timestamp: Math.min(3599.9, Math.round(secondsAfterHour(fix.time) * 10) / 10),
  };
}

export interface OperatorPosition {
  latitude: number;
  longitude: number;
  altitudeGeo?: number;
}

export function systemMessage(identity: Identity, operator: OperatorPosition | undefined, nowMs: number, protocolVersion = 2): SingleMessageInput {
  return {
    type: 'system',
    protocolVersion,
    ...identity.system,
    operatorLatitude: operator?.latitude ?? 0,
    operatorLongitude: operator?.longitude ?? 0,
    operatorAltitudeGeo: alt(operator?.altitudeGeo),
    timestamp: Math.max(0, Math.floor(nowMs / 1000) - ODID_EPOCH_S),
  };
}

/** The messages that do not change during a flight. */
export function staticMessages(identity: Identity, protocolVersion = 2): { basicIds: SingleMessageInput[]; selfId?: SingleMessageInput; operatorId?: SingleMessageInput } {
  return {
    basicIds: identity.basicIds.map((b) => ({ ...b, protocolVersion })),
    ...(identity.selfId ? { selfId: { type: 'selfId', protocolVersion, ...identity.selfId } } : {}),
    ...(identity.operatorId ? { operatorId: { type: 'operatorId', protocolVersion, ...identity.operatorId } } : {}),
  };
}
