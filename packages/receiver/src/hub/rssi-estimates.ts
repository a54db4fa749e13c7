/**
 * The hub's RSSI position estimates: on the hub's tick (about once a second, never per frame), for every
 * active track, the latest smoothed RSSI of each receiver that heard it recently and knows its own position
 * (its status), one transport at a time — a BLE advertiser and a Wi-Fi beacon of one drone radiate
 * differently. The transport heard by the most such receivers is fitted (rssi-position.ts); with three or
 * more receivers at three places the estimate goes on the track (Tracker.setEstimate), which checks the
 * track's reported position against it (position-vs-rssi).
 */

import { TRANSPORTS, type Transport } from '@odid/codec';
import type { Tracker } from '../tracker/tracker.js';
import type { Track, TrackUpdate } from '../tracker/types.js';
import type { HubReceivers } from './receivers.js';
import { estimateFromRssi, PATH_LOSS_MODELS, type PathLossModel, type RssiReading } from './rssi-position.js';

/** A receiver's reading counts when it heard the track within this of the tracker's clock. */
export const RECENT_READING_MS = 3000;
/** Estimates are made at most this often (hub clock). */
export const ESTIMATE_EVERY_MS = 1000;
/**
 * Estimates made per tick at most (each takes about a millisecond): with more tracks than this heard by
 * three receivers, each tick goes on where the last one stopped, so every track is estimated in turn.
 */
export const MAX_ESTIMATES_PER_TICK = 100;

export interface RssiEstimatesOptions {
  recentMs?: number;
  everyMs?: number;
  /** Per transport (default PATH_LOSS_MODELS). */
  models?: Readonly<Record<Transport, PathLossModel>>;
}

export class RssiEstimates {
  private readonly recentMs: number;
  private readonly everyMs: number;
  private readonly models: Readonly<Record<Transport, PathLossModel>>;
  private lastAt = -Infinity;
  /** Where the next tick starts in the track list (see MAX_ESTIMATES_PER_TICK). */
  private next = 0;
  /** Estimates made so far. */
  made = 0;

  constructor(
    private readonly tracker: Tracker,
    private readonly receivers: HubReceivers,
    opts: RssiEstimatesOptions = {},
  ) {
    this.recentMs = opts.recentMs ?? RECENT_READING_MS;
    this.everyMs = opts.everyMs ?? ESTIMATE_EVERY_MS;
    this.models = opts.models ?? PATH_LOSS_MODELS;
  }

  /** At `hubMs`: when due, an estimate for every active track that has one; returns the tracks' updates. */
  tick(hubMs: number): TrackUpdate[] {
    if (hubMs - this.lastAt < this.everyMs) return [];
    this.lastAt = hubMs;
    const now = this.tracker.now;
    const updates: TrackUpdate[] = [];
    const tracks = this.tracker.tracks();
    let estimated = 0;
    for (let n = 0; n < tracks.length && estimated < MAX_ESTIMATES_PER_TICK; n++) {
      const at = (this.next + n) % tracks.length;
      const track = tracks[at]!;
      if (track.state !== 'active') continue;
      const best = this.readingsOf(track, now);
      if (!best) continue;
      estimated++;
      if (estimated === MAX_ESTIMATES_PER_TICK) this.next = at + 1;
      const est = estimateFromRssi(best.readings, this.models[best.transport]);
      if (!est) continue;
      this.made++;
      const u = this.tracker.setEstimate(track.key, {
        lat: est.lat,
        lon: est.lon,
        radius: est.radius,
        transport: best.transport,
        receivers: est.readings.map((r) => ({ id: r.receiver, rssi: r.rssi })),
        t: now,
      });
      if (u) updates.push(u);
    }
    if (estimated < MAX_ESTIMATES_PER_TICK) this.next = 0;
    return updates;
  }

  /** The transport with the most recent readings of receivers at known places (three at least), and those readings. */
  private readingsOf(track: Track, now: number): { transport: Transport; readings: RssiReading[] } | undefined {
    let best: { transport: Transport; readings: RssiReading[] } | undefined;
    for (const transport of TRANSPORTS) {
      if (!track.transports.has(transport)) continue;
      // Per receiver, its freshest hearing of any link of this transport (a drone may change address).
      const freshest = new Map<string, { rssi: number; at: number }>();
      for (const link of track.links.values()) {
        if (link.transport !== transport || !link.receivers) continue;
        for (const [id, h] of link.receivers) {
          if (h.rssiSmoothed === undefined || now - h.lastSeen > this.recentMs) continue;
          const had = freshest.get(id);
          if (!had || h.lastSeen > had.at) freshest.set(id, { rssi: h.rssiSmoothed, at: h.lastSeen });
        }
      }
      const readings: RssiReading[] = [];
      for (const [id, f] of freshest) {
        const r = this.receivers.get(id);
        const p = r?.online ? r.status?.position : undefined;
        if (p) readings.push({ receiver: id, lat: p.lat, lon: p.lon, rssi: f.rssi });
      }
      if (readings.length >= 3 && (!best || readings.length > best.readings.length)) best = { transport, readings };
    }
    return best;
  }
}
