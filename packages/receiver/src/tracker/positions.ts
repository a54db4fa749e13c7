/**
 * Where the positions payloads give go (payloads/ hands them here): the spoofing checks, the link's last
 * position, the history (in time order) and the track's position; those of late receptions to the history
 * and the track's position alone (addPast). The track's position is the fix itself, a new object
 * each time, never written into the one a reader may hold.
 */

import type { RadioLink } from './link.js';
import type { PositionSink } from './payloads/descriptor.js';
import type { TrackRecord } from './record.js';
import type { SpoofChecks } from './spoofing.js';
import type { TrackPoint } from './types.js';

export class Positions implements PositionSink {
  constructor(private readonly spoofing: SpoofChecks) {}

  add(track: TrackRecord, link: RadioLink, point: TrackPoint, accuracyM?: number): void {
    this.spoofing.position(track, link, point, accuracyM);
    // The link's own copy, updated in place: its working state for the spoofing checks, which no reader
    // sees (ReadonlyRadioLink), and one object per link rather than one more old→young reference per fix.
    const last = link.lastPosition;
    if (last) {
      last.lat = point.lat;
      last.lon = point.lon;
      last.t = point.t;
    } else link.lastPosition = { lat: point.lat, lon: point.lon, t: point.t };
    // In time order: a fix older than the track's position (a slower path) goes to the history only.
    track.history.insert(point);
    if (!track.position || point.t >= track.position.t) track.position = point;
  }

  /**
   * A fix from a reception that arrived late (backfill.ts): into the history in time order, and the track's
   * position only when newer than it. The spoofing checks and the link's own copy, which follow fixes as
   * they happen, do not see it.
   */
  addPast(track: TrackRecord, point: TrackPoint): void {
    track.history.insert(point);
    if (!track.position || point.t > track.position.t) track.position = point;
  }
}
