/**
 * What every reception changes on its track, whatever its payload: the radio link it came over (count,
 * times, RSSI, channel, counter statistics), the track's transports, message count, times and rates; and
 * the less a reception taken in late changes (observePast).
 */

import type { ReceivedMessage, Transport } from '@odid/codec';
import { RadioLink, linkKey, type ReceptionVia } from './link.js';
import type { TrackPayload } from './payloads/descriptor.js';
import type { TrackRecord } from './record.js';
import type { TrackerSettings } from './settings.js';
import type { SpoofChecks } from './spoofing.js';
import type { Track } from './types.js';

const COUNTER_MODULUS = 256;

export class Receptions {
  /** The link each track heard last: pack members and bursts share one, found without building its key. */
  private readonly lastLink = new WeakMap<Track, RadioLink>();
  /** Distinguishes frames that carry one message each (BT4, DJI), for the counter statistics. */
  private frameSeq = 0;

  constructor(
    private readonly settings: Pick<TrackerSettings, 'rssiTimeConstantMs' | 'lostAfterMs'>,
    /** Told of every counter that steps back. */
    private readonly spoofing: SpoofChecks,
  ) {}

  /** The link of `track` over `transport` from `address`, created on first use. */
  link(track: TrackRecord, transport: Transport, address: string, now: number): RadioLink {
    // A track's links are never removed (merges add to them), so the cached one is still track.links' own.
    const last = this.lastLink.get(track);
    if (last && last.transport === transport && last.address === address) return last;
    const key = linkKey(transport, address);
    let link = track.links.get(key);
    if (!link) track.links.set(key, (link = new RadioLink(transport, address, now)));
    this.lastLink.set(track, link);
    return link;
  }

  /**
   * Counts `msg`, received at `now` over `link`, on the link and the track; `payload` is its type's descriptor.
   * `via`: the receiver of a hub that heard it, whose own view of the link is kept too.
   */
  observe(track: TrackRecord, link: RadioLink, msg: ReceivedMessage, payload: TrackPayload | undefined, now: number, via?: ReceptionVia): void {
    link.messages++;
    link.lastSeen = Math.max(link.lastSeen, now);
    if (msg.rssi !== undefined) link.observeRssi(msg.rssi, now, this.settings.rssiTimeConstantMs);
    if (msg.channel !== undefined) link.channel = msg.channel;
    if (via) link.heardBy(via.receiver, 1, msg.rssi, msg.channel, now, this.settings.rssiTimeConstantMs);
    const reset = this.settings.lostAfterMs;
    const p = msg.message;
    const sequence = payload?.sequence;
    if (sequence) {
      const value = sequence.of(p);
      const back = link.counter(sequence.stream, sequence.modulus, reset).observe(value, now, ++this.frameSeq);
      if (back !== undefined) this.spoofing.counterStepBack(track, link, sequence.stream, back, value, now);
    } else if (msg.counter !== undefined) {
      // BT4 carries one message per frame with a counter per type; the other transports carry packs whose
      // members share the frame and its one counter, and count once.
      // Frame identities as numbers where they can be (no string per message): equal exactly when the
      // strings `${frame}@${now}` were.
      const legacy = msg.transport === 'ble-legacy';
      const frame = legacy ? ++this.frameSeq : msg.frame === undefined ? now : `${msg.frame}@${now}`;
      const stream = legacy ? p.type : 'pack';
      const back = link.counter(stream, COUNTER_MODULUS, reset).observe(msg.counter, now, frame);
      if (back !== undefined) this.spoofing.counterStepBack(track, link, stream, back, msg.counter, now);
    }
    track.transports.add(msg.transport);
    track.messages++;
    track.firstSeen = Math.min(track.firstSeen, now);
    track.lastSeen = Math.max(track.lastSeen, now);
    track.rateMeter.add(p.type, now);
  }

  /**
   * Counts `msg`, received at `now` over `link` but taken in late (Tracker.backfill), on the link and the
   * track: times only widen (first heard earlier, last heard later), and the link's signal and channel are
   * taken only from its newest reception. Rates and counter statistics, which read receptions as they
   * happen, do not see it.
   */
  observePast(track: TrackRecord, link: RadioLink, msg: ReceivedMessage, now: number, via?: ReceptionVia): void {
    link.messages++;
    link.firstSeen = Math.min(link.firstSeen, now);
    if (now >= link.lastSeen) {
      link.lastSeen = now;
      if (msg.rssi !== undefined) link.observeRssi(msg.rssi, now, this.settings.rssiTimeConstantMs);
      if (msg.channel !== undefined) link.channel = msg.channel;
    }
    if (via) link.heardBy(via.receiver, 1, msg.rssi, msg.channel, now, this.settings.rssiTimeConstantMs);
    track.transports.add(msg.transport);
    track.messages++;
    track.firstSeen = Math.min(track.firstSeen, now);
    track.lastSeen = Math.max(track.lastSeen, now);
  }

  /**
   * Another receiver of a hub heard a transmission already counted (the same bytes, first heard by another
   * receiver): only that receiver's view of the link changes — no count, rate, counter or content twice.
   */
  observeAgain(link: RadioLink, via: ReceptionVia, messages: number, rssi: number | undefined, channel: number | undefined, now: number): void {
    link.heardBy(via.receiver, messages, rssi, channel, now, this.settings.rssiTimeConstantMs);
  }
}
