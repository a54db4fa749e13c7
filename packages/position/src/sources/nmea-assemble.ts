/**
 * Combines the NMEA sentences of one receiver epoch (same UTC time) into a Fix.
 *
 * Receivers send a burst per epoch (e.g. RMC, VTG, GGA, GSA) and only GGA/RMC carry the time. A fix is
 * emitted as soon as the epoch holds every sentence type the previous epochs had (learned, so a GGA-only
 * receiver is not held back a second), and at the latest when the next epoch's time appears.
 */
import type { Clock } from '../clock.js';
import { normalizeDegrees } from '../geo.js';
import type { NmeaSentence } from './nmea-parse.js';
import type { Fix } from './types.js';

export const KNOT = 1852 / 3600; // m/s
const DAY = 86_400_000;

/**
 * User-equivalent range error, 1 sigma, m. Accuracy estimates: horizontal 95 % ~ 2 x HDOP x UERE
 * (2DRMS), vertical 95 % ~ 1.96 x VDOP x UERE. 3.5 m is typical of single-frequency autonomous GNSS.
 */
export const DEFAULT_UERE = 3.5;

export interface AssemblerOptions {
  clock: Clock;
  uere?: number;
}

interface Epoch {
  timeOfDay: number | undefined;
  seen: Set<string>;
  emitted: boolean;
  lat?: number;
  lon?: number;
  altMsl?: number;
  sep?: number;
  quality?: number;
  rmcValid?: boolean;
  speedKnots?: number;
  course?: number;
  hdop?: number;
}

export class NmeaFixAssembler {
  private readonly clock: Clock;
  private readonly uere: number;
  private epoch: Epoch = newEpoch(undefined);
  private history: Set<string>[] = [];
  /** The last RMC date and the time of day it came with, to roll over midnight without RMC. */
  private date: { day: number; tod: number } | undefined;
  /** GSA is often sent at a lower rate: its values hold until the next one. */
  private gsa: { fixMode?: 1 | 2 | 3; hdop?: number; vdop?: number } = {};
  private prev: { time: number; alt: number } | undefined;
  /** Epochs with no usable position (no fix, void, empty lat/lon). */
  noFix = 0;

  constructor(opts: AssemblerOptions) {
    this.clock = opts.clock;
    this.uere = opts.uere ?? DEFAULT_UERE;
  }

  /** Feed one parsed sentence; returns the fixes it completes (usually none or one). */
  push(s: NmeaSentence): Fix[] {
    if (s.type === 'other') return [];
    const out: Fix[] = [];
    const tod = s.type === 'GGA' || s.type === 'RMC' ? s.timeOfDay : undefined;
    if (tod !== undefined && this.epoch.timeOfDay !== undefined && tod !== this.epoch.timeOfDay) {
      const last = this.closeEpoch();
      if (last) out.push(last);
    }
    if (tod !== undefined) this.epoch.timeOfDay = tod;
    this.merge(s);
    if (!this.epoch.emitted && this.complete()) {
      this.epoch.emitted = true;
      const fix = this.build();
      if (fix) out.push(fix);
    }
    return out;
  }

  /** End of input: emit what the current epoch has. */
  flush(): Fix | undefined {
    return this.closeEpoch();
  }

  private closeEpoch(): Fix | undefined {
    const e = this.epoch;
    const fix = e.emitted || e.timeOfDay === undefined ? undefined : this.build();
    if (e.seen.size > 0) this.history = [e.seen, ...this.history].slice(0, 2);
    this.epoch = newEpoch(undefined);
    return fix;
  }

  private complete(): boolean {
    const seen = this.epoch.seen;
    if (this.epoch.timeOfDay === undefined) return false;
    const [a, b] = this.history;
    if (!a) return seen.has('GGA') && seen.has('RMC');
    // Types present in both of the last two epochs: tolerates sentences sent every few seconds.
    const expected = b ? [...a].filter((t) => b.has(t)) : [...a];
    return expected.length > 0 && expected.every((t) => seen.has(t));
  }

  private merge(s: Exclude<NmeaSentence, { type: 'other' }>): void {
    const e = this.epoch;
    e.seen.add(s.type);
    switch (s.type) {
      case 'GGA':
        e.quality = s.quality;
        if (s.latitude !== undefined && s.longitude !== undefined) {
          e.lat = s.latitude;
          e.lon = s.longitude;
        }
        if (s.altitudeMsl !== undefined) e.altMsl = s.altitudeMsl;
        if (s.geoidSeparation !== undefined) e.sep = s.geoidSeparation;
        if (s.hdop !== undefined) e.hdop = s.hdop;
        break;
      case 'RMC':
        e.rmcValid = s.valid;
        if (s.latitude !== undefined && s.longitude !== undefined && e.lat === undefined) {
          e.lat = s.latitude;
          e.lon = s.longitude;
        }
        if (s.speedKnots !== undefined) e.speedKnots = s.speedKnots;
        if (s.course !== undefined) e.course = s.course;
        if (s.date !== undefined && s.timeOfDay !== undefined) this.date = { day: s.date, tod: s.timeOfDay };
        break;
      case 'VTG':
        if (s.speedKnots !== undefined) e.speedKnots = s.speedKnots;
        else if (s.speedKmh !== undefined) e.speedKnots = s.speedKmh / 3.6 / KNOT;
        if (s.courseTrue !== undefined) e.course = s.courseTrue;
        break;
      case 'GSA':
        this.gsa = {
          ...(s.fixMode === undefined ? {} : { fixMode: s.fixMode }),
          ...(s.hdop === undefined ? {} : { hdop: s.hdop }),
          ...(s.vdop === undefined ? {} : { vdop: s.vdop }),
        };
        break;
    }
  }

  private build(): Fix | undefined {
    const e = this.epoch;
    const invalid = e.quality === 0 || e.rmcValid === false || this.gsa.fixMode === 1;
    if (invalid || e.lat === undefined || e.lon === undefined || e.timeOfDay === undefined) {
      this.noFix++;
      return undefined;
    }
    const time = this.absoluteTime(e.timeOfDay);
    const altitudeGeo = e.altMsl !== undefined && e.sep !== undefined ? e.altMsl + e.sep : undefined;
    const hdop = this.gsa.hdop ?? e.hdop;
    const vdop = this.gsa.vdop;
    const fixType = this.gsa.fixMode === 3 ? '3d' : this.gsa.fixMode === 2 ? '2d' : e.altMsl !== undefined ? '3d' : '2d';

    // NMEA has no vertical speed: difference consecutive altitudes, if close enough in time to mean it.
    let speedVertical: number | undefined;
    const alt = altitudeGeo ?? e.altMsl;
    if (alt !== undefined) {
      if (this.prev && time > this.prev.time && time - this.prev.time <= 5000) speedVertical = ((alt - this.prev.alt) * 1000) / (time - this.prev.time);
      this.prev = { time, alt };
    }

    const fix: Fix = { time, latitude: e.lat, longitude: e.lon, fixType };
    if (altitudeGeo !== undefined) fix.altitudeGeo = altitudeGeo;
    if (e.speedKnots !== undefined) fix.speedHorizontal = e.speedKnots * KNOT;
    if (e.course !== undefined) fix.direction = normalizeDegrees(e.course);
    if (speedVertical !== undefined) fix.speedVertical = speedVertical;
    if (hdop !== undefined) fix.horizontalAccuracy = 2 * hdop * this.uere;
    if (vdop !== undefined && fixType === '3d') fix.verticalAccuracy = 1.96 * vdop * this.uere;
    return fix;
  }

  /** Time of day -> ms since epoch, using the RMC date, else the clock's day nearest to now. */
  private absoluteTime(tod: number): number {
    if (this.date) {
      // Rolled past midnight since the last RMC date (e.g. a GGA-only stretch).
      const day = tod < this.date.tod - DAY / 2 ? this.date.day + DAY : this.date.day;
      return day + tod;
    }
    const now = this.clock.now();
    const today = Math.floor(now / DAY) * DAY;
    const candidates = [today - DAY, today, today + DAY].map((d) => d + tod);
    return candidates.reduce((best, t) => (Math.abs(t - now) < Math.abs(best - now) ? t : best));
  }
}

function newEpoch(timeOfDay: number | undefined): Epoch {
  return { timeOfDay, seen: new Set(), emitted: false };
}
