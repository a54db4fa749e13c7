/**
 * Where the positions payloads give go (payloads/ hands them here): the spoofing checks, the link's last
 * position, the history and the track's position. Each fix is a new object, never written into the one a
 * reader may hold; the link shares it (both only read it).
 */

import type { RadioLink } from './link.js';
import type { PositionSink } from './payloads/descriptor.js';
import type { TrackRecord } from './record.js';
import { positionEvidence, type SpoofLimits } from './spoofing.js';
import type { TrackPoint } from './types.js';

export class Positions implements PositionSink {
  constructor(private readonly limits: SpoofLimits) {}

  add(track: TrackRecord, link: RadioLink, point: TrackPoint): void {
    positionEvidence(track, link, point, this.limits);
    link.lastPosition = point;
    track.history.append(point);
    // A fix older than the track's position (a slower path) goes to the history only.
    if (!track.position || point.t >= track.position.t) track.position = point;
  }
}
