/**
 * The French "signalement électronique" (the codec's framing/french-id.ts): position, take-off point and,
 * as identities, the French ID and the ANSI/CTA serial — which shares the `serial` slot with a Basic ID of
 * type 1, so both broadcasts of one drone make one track.
 */

import type { FrenchId } from '@odid/codec';
import { isKnownPosition } from '@odid/position';
import type { TrackIdentity } from '../identity.js';
import type { TrackPoint } from '../types.js';
import { trackPayload, type TrackPayload } from './descriptor.js';

export interface FrenchIdFields {
  /** The latest French record, as decoded. */
  readonly french?: Readonly<FrenchId>;
}
export interface FrenchIdJson {
  frenchId?: FrenchId;
}

export const FRENCH_ID: TrackPayload<FrenchId, FrenchIdFields, FrenchIdJson> = trackPayload({
  type: 'frenchId',
  identities(p) {
    const out: TrackIdentity[] = [];
    if (p.ansiCtaId) out.push({ slot: 'serial', value: p.ansiCtaId });
    if (p.id) out.push({ slot: 'french-id', value: p.id });
    return out;
  },
  apply(track, p, now, link, positions) {
    track.french = p;
    track.updatedAt.set('frenchId', now);
    if (p.takeoffLatitude !== undefined && p.takeoffLongitude !== undefined && isKnownPosition(p.takeoffLatitude, p.takeoffLongitude)) {
      track.home = { lat: p.takeoffLatitude, lon: p.takeoffLongitude, source: 'french-takeoff', t: now };
    }
    if (p.latitude === undefined || p.longitude === undefined || !isKnownPosition(p.latitude, p.longitude)) return;
    const point: TrackPoint = { t: now, lat: p.latitude, lon: p.longitude };
    if (p.altitude !== undefined) point.alt = p.altitude;
    if (p.speedHorizontal !== undefined) point.speed = p.speedHorizontal;
    if (p.course !== undefined) point.course = p.course;
    positions.add(track, link, point);
  },
  merge(src, dst, newer) {
    if (src.french && newer('frenchId')) dst.french = src.french;
  },
  toJson(track, json) {
    if (track.french) json.frenchId = track.french;
  },
});
