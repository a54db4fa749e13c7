/**
 * Alerts: what an update raised that a person should see now (TrackAlert) — a new drone, an emergency, a
 * flag, a zone entered — each against what the track had raised before, and not again within the quiet
 * time of the last one of its kind.
 */

import { TRACK_FLAGS, isSpoofFlag, type TrackFlag } from './flags.js';
import type { TrackerSettings } from './settings.js';
import type { Track, TrackAlert } from './types.js';

export class Alerts {
  /** When each alert of a track was last raised (see TrackerOptions.alertQuietMs). */
  private readonly raisedAt = new WeakMap<Track, Map<string, number>>();
  /** Tracks created from a radio address alone whose 'new-drone' alert waits for an ID (see announce); usually empty. */
  private readonly unannounced = new Set<Track>();

  constructor(private readonly settings: Pick<TrackerSettings, 'alertQuietMs' | 'missingAfterMs'>) {}

  /**
   * Whether this update announces the track ('new-drone'). A track created by a message carrying an ID is
   * announced at once. One created from a radio address alone (a BT4 Location before its Basic ID) waits:
   * its ID usually follows within a second and often shows it to be an aircraft already tracked under
   * another address, which it then joins without a second alert; else it is announced with its first ID,
   * or once it has been heard for missingAfterMs without one (by tick, or the next message).
   */
  announce(track: Track, created: boolean, now: number): boolean {
    const due = track.identities.size > 0 || now - track.firstSeen > this.settings.missingAfterMs;
    if (created) {
      if (due) return true;
      this.unannounced.add(track);
      return false;
    }
    return this.unannounced.size > 0 && due && this.unannounced.delete(track);
  }

  /** On a tick: whether a track that never got an ID has now been heard for as long as one would take. */
  announceOnTick(track: Track, now: number): boolean {
    const announce = this.unannounced.size > 0 && this.unannounced.has(track) && now - track.firstSeen > this.settings.missingAfterMs;
    if (announce) this.unannounced.delete(track);
    return announce;
  }

  /**
   * The alerts of an update: what the track raised against its flags and zones before it (see TrackAlert).
   * Lists are replaced, never changed in place, so an unchanged one is the same array: nothing to compare.
   */
  alertsOf(track: Track, flags: readonly TrackFlag[], zones: readonly string[], operatorZones: readonly string[], announce: boolean, now: number): TrackAlert[] | undefined {
    if (!announce && track.flags === flags && track.zones === zones && track.operatorZones === operatorZones) return undefined;
    let alerts: TrackAlert[] | undefined;
    const quietMs = this.settings.alertQuietMs;
    const raise = (alert: TrackAlert, key?: string): boolean => {
      if (key !== undefined && quietMs > 0) {
        let raised = this.raisedAt.get(track);
        const last = raised?.get(key);
        if (last !== undefined && now - last < quietMs) return false;
        if (!raised) this.raisedAt.set(track, (raised = new Map()));
        raised.set(key, now);
      }
      (alerts ??= []).push(alert);
      return true;
    };
    if (announce) raise({ kind: 'new-drone', text: 'new drone' });
    if (track.flags !== flags) {
      const evidence = (flag: TrackFlag): string => track.spoofing.find((e) => e.flag === flag)?.detail ?? '';
      // Spoofing flags raised with 'spoofing-suspect' are told in its one alert (ORDER puts it first);
      // one raised while it already held gets an alert of its own.
      let told = false;
      for (const flag of track.flags) {
        if (flags.includes(flag)) continue;
        if (flag === 'emergency') raise({ kind: 'emergency', flag, text: TRACK_FLAGS.emergency });
        else if (flag === 'spoofing-suspect') {
          const raisedNow = track.flags.filter((f) => isSpoofFlag(f) && !flags.includes(f));
          const quoted = raisedNow.map((f) => `${f}: ${evidence(f)}`).join('; ');
          told = raise({ kind: 'flag', flag, text: quoted ? `${TRACK_FLAGS[flag]}: ${quoted}` : TRACK_FLAGS[flag] }, `flag:${flag}`);
        } else if (isSpoofFlag(flag)) {
          if (!told) raise({ kind: 'flag', flag, text: `${TRACK_FLAGS[flag]}: ${evidence(flag)}` }, `flag:${flag}`);
        } else raise({ kind: 'flag', flag, text: TRACK_FLAGS[flag] }, `flag:${flag}`);
      }
    }
    if (track.zones !== zones) {
      for (const zone of track.zones) if (!zones.includes(zone)) raise({ kind: 'zone', zone, who: 'drone', text: `entered zone ${zone}` }, `zone:drone:${zone}`);
    }
    if (track.operatorZones !== operatorZones) {
      for (const zone of track.operatorZones) {
        if (!operatorZones.includes(zone)) raise({ kind: 'zone', zone, who: 'operator', text: `operator entered zone ${zone}` }, `zone:operator:${zone}`);
      }
    }
    return alerts;
  }

  /**
   * `src` joined `dst` (one aircraft): what the retired track had raised counts as raised for the aircraft,
   * and an address track joining an aircraft already announced is that aircraft: no second 'new-drone'.
   */
  merged(src: Track, dst: Track): void {
    if (!this.unannounced.delete(src)) this.unannounced.delete(dst);
    const srcRaised = this.raisedAt.get(src);
    if (srcRaised) {
      const dstRaised = this.raisedAt.get(dst) ?? new Map<string, number>();
      for (const [k, t] of srcRaised) dstRaised.set(k, Math.max(t, dstRaised.get(k) ?? -Infinity));
      this.raisedAt.set(dst, dstRaised);
    }
  }

  /** A track forgotten (prune). */
  forget(track: Track): void {
    this.unannounced.delete(track);
  }
}
