/**
 * Receptions taken in late, as the past rather than as news (Tracker.backfill): a hub's receiver that lost
 * the broker replays its spool when it comes back, and what it alone heard meanwhile belongs in the tracks,
 * at its own time. What such a reception says goes where it belongs in time:
 * - its positions into the history in time order, the track's position only when newer (positions.ts);
 * - each payload's content (the Location, System, Basic IDs, ... a track holds: payloads/) only when newer
 *   than what the track holds of that kind: the payload is applied to a scratch track, whose content the
 *   track then takes as it would a merged track's (routing.ts takeNewerContent: the payload's own merge
 *   rule, judged by the stamps);
 * - its counts (receptions.ts observePast).
 * What reads receptions as they happen never sees it: rates, counter statistics, the spoofing checks
 * (motion, counters, claimed times, addresses, IDs), DRIP verification. Authentication pages of the past
 * are put together apart from live ones (a link of the past per link), so neither spoils the other.
 *
 * Alerts: a reception from the past raises none — a "new drone", a zone entered or a flag raised 50 s ago
 * would read as news. The track's flags and zones are brought up to date quietly, and count as raised. A
 * track heard only late so far raises nothing (not on a tick either) until it is heard in time: it is then
 * announced as a new track would be, with every flag and zone it holds.
 */

import type { ReceivedPayload } from '@odid/codec';
import { RadioLink } from './link.js';
import type { PositionSink, TrackPayload } from './payloads/descriptor.js';
import type { Positions } from './positions.js';
import { newTrackRecord, type TrackRecord } from './record.js';
import { takeNewerContent } from './routing.js';
import type { TrackerSettings } from './settings.js';
import type { Track, TrackPoint } from './types.js';

export class PastReceptions {
  /** Tracks heard only late so far (see heardInTime), and how many: none, usually, and then nothing is looked up. */
  private readonly lateOnly = new WeakSet<Track>();
  private lateOnlyCount = 0;
  /** Each link's own of the past: where its late authentication pages are put together. */
  private readonly pastLinks = new WeakMap<RadioLink, RadioLink>();
  /** The track a scratch track's positions belong to, while a payload is applied. */
  private target: TrackRecord | undefined;
  private readonly sink: PositionSink;

  constructor(
    private readonly settings: Pick<TrackerSettings, 'historyLimit' | 'rateWindowMs'>,
    positions: Positions,
  ) {
    this.sink = { add: (_scratch, _link, point: TrackPoint) => positions.addPast(this.target!, point) };
  }

  /** What payload `p` (its descriptor `payload`), received at `now` over `link`, says, taken into `track` where it is newer. */
  apply(track: TrackRecord, link: RadioLink, payload: TrackPayload, p: ReceivedPayload, now: number): void {
    const scratch = newTrackRecord(track.key, now, this.settings);
    // The IDs the track holds: a payload keeps only those it accepts as its track's own (payloads/odid.ts).
    for (const [slot, value] of track.identities) scratch.identities.set(slot, value);
    this.target = track;
    try {
      payload.apply(scratch, p, now, this.pastLink(link), this.sink);
    } finally {
      this.target = undefined;
    }
    takeNewerContent(scratch, track, [payload]);
  }

  /** `track` was created by a reception taken in late: it raises nothing until heard in time. */
  createdLate(track: Track): void {
    this.lateOnly.add(track);
    this.lateOnlyCount++;
  }

  /** Whether `track` has been heard only late so far (it raises no alert). */
  isLateOnly(track: Track): boolean {
    return this.lateOnlyCount > 0 && this.lateOnly.has(track);
  }

  /** A reception in time for `track`: true, once, when it had been heard only late (it is to be announced now). */
  heardInTime(track: Track): boolean {
    return this.lateOnlyCount > 0 && this.drop(track);
  }

  /** `src` joined `dst` (one aircraft): heard in time if either was. */
  merged(src: Track, dst: Track): void {
    if (this.lateOnlyCount > 0 && !this.drop(src)) this.drop(dst);
  }

  /** A track forgotten (Tracker.prune). */
  forget(track: Track): void {
    if (this.lateOnlyCount > 0) this.drop(track);
  }

  private drop(track: Track): boolean {
    if (!this.lateOnly.delete(track)) return false;
    this.lateOnlyCount--;
    return true;
  }

  private pastLink(link: RadioLink): RadioLink {
    let past = this.pastLinks.get(link);
    if (!past) this.pastLinks.set(link, (past = new RadioLink(link.transport, link.address, link.firstSeen)));
    return past;
  }
}
