/**
 * Reported against observed motion (motion-mismatch). Over a stretch of flight the reported velocities,
 * integrated, must give the displacement the positions show: the integral of velocity is displacement, on a
 * curved path too. Compared over at least motionWindowMs, so that honest noise stays small against it:
 * - position noise: each end's declared horizontal accuracy (an undeclared one counts as 30 m);
 * - the 1-2 Hz rate, turns between samples, reception jitter (reception times are used, not the drone's
 *   own timestamps, which a spoofer may fake too): a fraction of the distance flown (motionToleranceRatio);
 * - speed noise and quantisation, airspeed against ground speed: motionToleranceMps over the stretch.
 * A hovering drone reports ~0 m/s and moves by its noise: well inside. A stretch with a silence longer than
 * MAX_GAP_MS is not compared (the drone may have done anything in it), nor one with an unknown speed; with
 * a speed but no course, only "moved farther than its speed allows" is checked.
 */

import { EARTH_RADIUS_M } from '@odid/position';

/** Declared horizontal accuracy taken for a fix that declares none (DJI, or class 0). */
export const UNDECLARED_ACCURACY_M = 30;
/** Fixes closer together than this add nothing (the same fix heard over BT4, BT5 and Wi-Fi). */
const MIN_SPACING_MS = 250;
const MAX_GAP_MS = 5_000;
/** A track's motion is compared at most this often. */
const EVERY_MS = 1_000;
const COLUMNS = 7;
const DEG = Math.PI / 180;

export interface MotionLimits {
  motionWindowMs: number;
  motionToleranceMps: number;
  motionToleranceRatio: number;
}

export interface MotionComparison {
  /** Length of the stretch compared, s. */
  seconds: number;
  /** Displacement over the stretch divided by its length, m/s, and its direction (undefined when it did not move). */
  observedMps: number;
  observedCourseDeg: number | undefined;
  /** The reported velocities' mean (its magnitude; the mean speed where a course was missing) and direction. */
  reportedMps: number;
  reportedCourseDeg: number | undefined;
  /** How far the reported motion misses the observed, and what the tolerance allowed, m. */
  missM: number;
  toleranceM: number;
  /** Only "moved farther than the speed allows" was checked (a course was missing). */
  speedOnly: boolean;
}

/** Recent fixes of one track with their reported velocity, in a ring of typed columns. */
export class MotionSamples {
  private readonly data: Float64Array;
  private readonly capacity: number;
  private head = 0;
  private size = 0;
  private comparedAt = -Infinity;

  constructor(private readonly limits: MotionLimits) {
    this.capacity = Math.ceil(limits.motionWindowMs / MIN_SPACING_MS) + 8;
    this.data = new Float64Array(this.capacity * COLUMNS);
  }

  /**
   * A fix at `t` (ms). `speed` m/s, `course` degrees, either undefined when unknown; `accuracyM` the declared
   * horizontal accuracy. Returns whether it was kept (fixes out of order, or too close to the last, are not).
   */
  add(t: number, lat: number, lon: number, speed: number | undefined, course: number | undefined, accuracyM: number): boolean {
    if (this.size > 0 && t - this.column(this.size - 1, 0) < MIN_SPACING_MS) return false;
    const i = this.size < this.capacity ? (this.head + this.size++) % this.capacity : this.turn();
    const o = i * COLUMNS;
    const d = this.data;
    d[o] = t;
    d[o + 1] = lat;
    d[o + 2] = lon;
    d[o + 3] = speed ?? NaN;
    // Velocity east and north; a standing drone's needs no course.
    const v = speed === undefined ? NaN : speed === 0 ? 0 : course === undefined ? NaN : speed;
    d[o + 4] = v === 0 || Number.isNaN(v) ? v : v * Math.sin(course! * DEG);
    d[o + 5] = v === 0 || Number.isNaN(v) ? v : v * Math.cos(course! * DEG);
    d[o + 6] = accuracyM;
    return true;
  }

  /**
   * The stretch ending at the latest fix, at least motionWindowMs long, compared; undefined when there is
   * none to compare yet (too short, a gap, an unknown speed) or it was compared less than a second ago.
   * `mismatch` says whether the miss exceeds the tolerance.
   */
  compare(): (MotionComparison & { mismatch: boolean }) | undefined {
    const n = this.size;
    if (n < 2) return undefined;
    const end = n - 1;
    const tEnd = this.column(end, 0);
    if (tEnd - this.comparedAt < EVERY_MS) return undefined;
    let start = end;
    while (start > 0) {
      if (this.column(start, 0) - this.column(start - 1, 0) > MAX_GAP_MS) return undefined;
      start--;
      if (tEnd - this.column(start, 0) >= this.limits.motionWindowMs) break;
    }
    const tStart = this.column(start, 0);
    if (tEnd - tStart < this.limits.motionWindowMs) return undefined;
    this.comparedAt = tEnd;

    let east = 0;
    let north = 0;
    let path = 0;
    let speedOnly = false;
    for (let k = start; k <= end; k++) {
      if (Number.isNaN(this.column(k, 3))) return undefined;
      if (Number.isNaN(this.column(k, 4))) speedOnly = true;
    }
    for (let k = start; k < end; k++) {
      const dt = (this.column(k + 1, 0) - this.column(k, 0)) / 1000;
      path += ((this.column(k, 3) + this.column(k + 1, 3)) / 2) * dt;
      east += ((this.column(k, 4) + this.column(k + 1, 4)) / 2) * dt;
      north += ((this.column(k, 5) + this.column(k + 1, 5)) / 2) * dt;
    }
    const seconds = (tEnd - tStart) / 1000;
    const lat0 = this.column(start, 1);
    const lat1 = this.column(end, 1);
    let dLon = this.column(end, 2) - this.column(start, 2);
    if (dLon > 180) dLon -= 360;
    else if (dLon < -180) dLon += 360;
    const obsNorth = (lat1 - lat0) * DEG * EARTH_RADIUS_M;
    const obsEast = dLon * DEG * EARTH_RADIUS_M * Math.cos(((lat0 + lat1) / 2) * DEG);
    const observed = Math.hypot(obsEast, obsNorth);
    const toleranceM =
      this.column(start, 6) + this.column(end, 6) + this.limits.motionToleranceMps * seconds + this.limits.motionToleranceRatio * path;
    const missM = speedOnly ? observed - path : Math.hypot(obsEast - east, obsNorth - north);
    const reported = speedOnly ? path : Math.hypot(east, north);
    return {
      seconds,
      observedMps: observed / seconds,
      observedCourseDeg: courseOf(obsEast, obsNorth),
      reportedMps: reported / seconds,
      reportedCourseDeg: speedOnly ? undefined : courseOf(east, north),
      missM,
      toleranceM,
      speedOnly,
      mismatch: missM > toleranceM,
    };
  }

  /** The ring is full: the oldest slot takes the newest fix. */
  private turn(): number {
    const i = this.head;
    this.head = (this.head + 1) % this.capacity;
    return i;
  }

  /** Column `c` of the k-th kept fix, oldest first. */
  private column(k: number, c: number): number {
    return this.data[((this.head + k) % this.capacity) * COLUMNS + c]!;
  }
}

/** Degrees clockwise from north of a vector east/north; undefined for one too short to have a direction. */
function courseOf(east: number, north: number): number | undefined {
  if (Math.hypot(east, north) < 1e-6) return undefined;
  const deg = Math.atan2(east, north) / DEG;
  return deg < 0 ? deg + 360 : deg;
}
