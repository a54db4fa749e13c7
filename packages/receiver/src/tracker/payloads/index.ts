/**
 * Every payload type the tracker takes, one line each (the descriptors: descriptor.ts). The track's JSON
 * is written in this order, so the keys kinds append come in it: authMissing, dji, djiPurpose, frenchId.
 * The fields payload kinds keep on a Track, and add to its JSON, are derived from this list.
 */

import type { ReceivedPayload } from '@odid/codec';
import type { TrackIdentity } from '../identity.js';
import type { PayloadType, TrackPayload } from './descriptor.js';
import { DJI_FLIGHT_INFO, DJI_FLIGHT_PURPOSE } from './dji.js';
import { FRENCH_ID } from './french-id.js';
import { AUTH, BASIC_ID, LOCATION, OPERATOR_ID, SELF_ID, SYSTEM } from './odid.js';

export const TRACK_PAYLOADS = [
  BASIC_ID,
  LOCATION,
  AUTH,
  SELF_ID,
  SYSTEM,
  OPERATOR_ID,
  DJI_FLIGHT_INFO,
  DJI_FLIGHT_PURPOSE,
  FRENCH_ID,
] as const;

type Listed = (typeof TRACK_PAYLOADS)[number];
// Compile-time: every payload type the codec delivers has a descriptor here.
type Described<T extends Listed['type']> = T;
type EveryPayloadTypeIsDescribed = Described<PayloadType>;

type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** The fields every payload kind keeps on a track (Track extends this). */
export type TrackPayloadFields = Intersection<NonNullable<Listed['fields']>>;
/** The keys payload kinds add to a track's JSON (TrackJson extends this). */
export type TrackPayloadJson = Intersection<NonNullable<Listed['jsonFields']>>;

const BY_TYPE: ReadonlyMap<string, TrackPayload> = new Map(TRACK_PAYLOADS.map((d): [string, TrackPayload] => [d.type, d]));

/** The descriptor of a payload's type (undefined for a type the tracker does not know). */
export const trackPayloadOf = (p: ReceivedPayload): TrackPayload | undefined => BY_TYPE.get(p.type);

/** The identities a received payload carries (none for Location, System, ...). */
export function identitiesOf(p: ReceivedPayload): TrackIdentity[] {
  return BY_TYPE.get(p.type)?.identities?.(p) ?? [];
}
