/**
 * Spoofing evidence: positions one real aircraft cannot have given. Each piece is kept as the track's
 * `spoofEvidence` (the latest wins); flags.ts raises 'spoofing-suspect' (diagnostic track.spoofing-suspect)
 * while the latest is younger than spoofHoldMs, and its alert quotes the evidence's words.
 */

import { distance } from '@odid/position';
import type { RadioLink } from './link.js';
import type { TrackRecord } from './record.js';
import type { TrackerSettings } from './settings.js';
import type { SpoofEvidence, Track, TrackPoint } from './types.js';

export type SpoofLimits = Pick<TrackerSettings, 'maxSpeedMps' | 'maxAddressSpreadM' | 'staleAfterMs'>;

/**
 * What a new position of `track`, heard over `link`, gives away (before it becomes the track's position):
 * a jump from the track's position faster than maxSpeedMps, or another address of the same transport
 * reporting, within staleAfterMs, a position more than maxAddressSpreadM away.
 */
export function positionEvidence(track: TrackRecord, link: RadioLink, point: TrackPoint, limits: SpoofLimits): void {
  const prev = track.position;
  if (prev && (prev.lat !== point.lat || prev.lon !== point.lon)) {
    const d = distance(prev, point);
    // At least one second: two paths delivering fixes a few ms apart must not read as supersonic.
    const dt = Math.max(1, Math.abs(point.t - prev.t) / 1000);
    if (d / dt > limits.maxSpeedMps) evidence(track, point.t, 'jump', `moved ${Math.round(d)} m in ${dt.toFixed(1)} s`);
  }
  for (const other of track.links.values()) {
    if (other === link || other.transport !== link.transport || !other.lastPosition) continue;
    if (point.t - other.lastPosition.t > limits.staleAfterMs) continue;
    const d = distance(other.lastPosition, point);
    if (d > limits.maxAddressSpreadM) {
      evidence(track, point.t, 'address-spread', `${link.address} and ${other.address} on ${link.transport} are ${Math.round(d)} m apart`);
    }
  }
}

/** Two tracks of one aircraft: the later evidence of either stands. */
export function mergeEvidence(src: Track, dst: TrackRecord): void {
  if (src.spoofEvidence && (!dst.spoofEvidence || src.spoofEvidence.t > dst.spoofEvidence.t)) dst.spoofEvidence = src.spoofEvidence;
}

function evidence(track: TrackRecord, t: number, kind: SpoofEvidence['kind'], detail: string): void {
  track.spoofEvidence = { t, kind, detail };
}
