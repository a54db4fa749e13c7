/**
 * What every reception changes on its track, whatever its payload: the radio link it came over (count,
 * times, RSSI, channel, counter statistics), the track's transports, message count, times and rates.
 */

import type { ReceivedMessage, Transport } from '@odid/codec';
import { RadioLink, linkKey } from './link.js';
import type { TrackPayload } from './payloads/descriptor.js';
import type { TrackRecord } from './record.js';
import type { TrackerSettings } from './settings.js';
import type { Track } from './types.js';

const COUNTER_MODULUS = 256;

export class Receptions {
  /** The link each track heard last: pack members and bursts share one, found without building its key. */
  private readonly lastLink = new WeakMap<Track, RadioLink>();
  /** Distinguishes frames that carry one message each (BT4, DJI), for the counter statistics. */
  private frameSeq = 0;

  constructor(private readonly settings: Pick<TrackerSettings, 'rssiTimeConstantMs' | 'lostAfterMs'>) {}

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

  /** Counts `msg`, received at `now` over `link`, on the link and the track; `payload` is its type's descriptor. */
  observe(track: TrackRecord, link: RadioLink, msg: ReceivedMessage, payload: TrackPayload | undefined, now: number): void {
    link.messages++;
    link.lastSeen = Math.max(link.lastSeen, now);
    if (msg.rssi !== undefined) link.observeRssi(msg.rssi, now, this.settings.rssiTimeConstantMs);
    if (msg.channel !== undefined) link.channel = msg.channel;
    const reset = this.settings.lostAfterMs;
    const p = msg.message;
    const sequence = payload?.sequence;
    if (sequence) {
      link.counter(sequence.stream, sequence.modulus, reset).observe(sequence.of(p), now, ++this.frameSeq);
    } else if (msg.counter !== undefined) {
      // BT4 carries one message per frame with a counter per type; the other transports carry packs whose
      // members share the frame and its one counter, and count once.
      // Frame identities as numbers where they can be (no string per message): equal exactly when the
      // strings `${frame}@${now}` were.
      const legacy = msg.transport === 'ble-legacy';
      const frame = legacy ? ++this.frameSeq : msg.frame === undefined ? now : `${msg.frame}@${now}`;
      link.counter(legacy ? p.type : 'pack', COUNTER_MODULUS, reset).observe(msg.counter, now, frame);
    }
    track.transports.add(msg.transport);
    track.messages++;
    track.firstSeen = Math.min(track.firstSeen, now);
    track.lastSeen = Math.max(track.lastSeen, now);
    track.rateMeter.add(p.type, now);
  }
}
