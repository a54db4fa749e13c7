/**
 * The bounded position history of a track, stored column-wise in typed arrays: a receiver watching 1,000
 * drones keeps up to a million points, and as objects (~170 bytes each) they would dominate its memory and
 * its garbage collector's work. Here a point costs 36 bytes and the GC sees six arrays per track.
 *
 * Time, latitude and longitude are kept as doubles (exact); altitude, speed and course as 32-bit floats,
 * exact for every value ODID can carry (0.5 m, 0.25 m/s and 1° steps) and within 1e-7 of DJI's derived
 * speed and course. Absent values are stored as NaN.
 */

import type { TrackPoint } from './types.js';

const GROWTH_MIN = 16;
/** A fix this little before an equal one is the same fix, heard by another path (insert). */
export const SAME_FIX_MS = 1000;

/** What a track's reader may do with its history: read it (every point read is a new object). */
export type ReadonlyPositionHistory = Pick<PositionHistory, 'limit' | 'length' | 'at' | 'timeAt' | 'points' | typeof Symbol.iterator>;

export class PositionHistory implements Iterable<TrackPoint> {
  private t = new Float64Array(0);
  private lat = new Float64Array(0);
  private lon = new Float64Array(0);
  private alt = new Float32Array(0);
  private speed = new Float32Array(0);
  private course = new Float32Array(0);
  /** Ring buffer: the oldest point sits at `head`. */
  private head = 0;
  private size = 0;

  /** At most `limit` points: the oldest go first. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`history limit must be a whole number of points, at least 1, got ${limit}`);
  }

  get length(): number {
    return this.size;
  }

  /** The i-th point, oldest first; negative counts from the newest (-1: the latest), as Array.prototype.at. */
  at(i: number): TrackPoint | undefined {
    const k = i < 0 ? this.size + i : i;
    if (!(k >= 0 && k < this.size)) return undefined;
    return this.point(this.slot(k));
  }

  /** The i-th point's time alone (as `at` counts), without making the point. */
  timeAt(i: number): number | undefined {
    const k = i < 0 ? this.size + i : i;
    if (!(k >= 0 && k < this.size)) return undefined;
    return this.t[this.slot(k)];
  }

  /** Every point, oldest first, as new objects. */
  points(): TrackPoint[] {
    const out = new Array<TrackPoint>(this.size);
    for (let k = 0; k < this.size; k++) out[k] = this.point(this.slot(k));
    return out;
  }

  *[Symbol.iterator](): Iterator<TrackPoint> {
    for (let k = 0; k < this.size; k++) yield this.point(this.slot(k));
  }

  /**
   * Appends a position unless it repeats the last one: the same fix arrives over BT4, BT5 and Wi-Fi, and a
   * hovering drone repeats itself. Returns whether it was added. Drops the oldest beyond the limit.
   */
  append(p: TrackPoint): boolean {
    if (this.size > 0 && this.repeats(this.slot(this.size - 1), p)) return false;
    if (this.size === this.t.length && this.size < this.limit) this.grow();
    let i: number;
    if (this.size < this.t.length) i = this.slot(this.size++);
    else {
      // Full at the limit: the ring turns, the newest taking the oldest's place.
      i = this.head;
      this.head = (this.head + 1) % this.t.length;
    }
    this.write(i, p);
    return true;
  }

  /**
   * Puts a position in its place in time order, after every point at or before its time: a fix that
   * arrived late (a hub's receiver replaying its spool: Tracker.backfill) or by a slower path. Dropped when
   * it repeats the point before it (as append: a hover, the same fix again, an exact repeat at the same
   * time), or the point after it within SAME_FIX_MS (the same fix by another path, stamped a little
   * earlier), or when the history is full and it is older than every point held (it would be the first to
   * go). At the limit the oldest goes. Returns whether it was added. The points after it are moved: a late
   * fix among the newest is cheap.
   */
  insert(p: TrackPoint): boolean {
    if (this.size === 0 || p.t >= this.t[this.slot(this.size - 1)]!) return this.append(p);
    let k = this.indexAfter(p.t);
    if (k > 0 && this.repeats(this.slot(k - 1), p)) return false;
    // k < size: p is older than the newest point.
    const next = this.slot(k);
    if (this.t[next]! - p.t <= SAME_FIX_MS && this.repeats(next, p)) return false;
    if (this.size === this.limit) {
      if (k === 0) return false;
      // Full: the oldest goes, freeing its slot at the end of the ring.
      this.head = (this.head + 1) % this.t.length;
      this.size--;
      k--;
    } else if (this.size === this.t.length) this.grow();
    for (let j = this.size; j > k; j--) this.move(this.slot(j - 1), this.slot(j));
    this.write(this.slot(k), p);
    this.size++;
    return true;
  }

  /** Takes in another track's history (two tracks found to be one aircraft): both in time order, repeats dropped. */
  absorb(other: PositionHistory): void {
    const all = [...this.points(), ...other.points()].sort((x, y) => x.t - y.t);
    this.head = 0;
    this.size = 0;
    for (const p of all) this.append(p);
  }

  /** The index of the first point later than `t` (the points are in time order). */
  private indexAfter(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.t[this.slot(mid)]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether the point in slot `i` is at p's place (latitude, longitude and altitude), whatever its time. */
  private repeats(i: number, p: TrackPoint): boolean {
    return this.lat[i] === p.lat && this.lon[i] === p.lon && sameOptional(this.alt[i]!, p.alt);
  }

  private write(i: number, p: TrackPoint): void {
    this.t[i] = p.t;
    this.lat[i] = p.lat;
    this.lon[i] = p.lon;
    this.alt[i] = p.alt ?? NaN;
    this.speed[i] = p.speed ?? NaN;
    this.course[i] = p.course ?? NaN;
  }

  private move(from: number, to: number): void {
    this.t[to] = this.t[from]!;
    this.lat[to] = this.lat[from]!;
    this.lon[to] = this.lon[from]!;
    this.alt[to] = this.alt[from]!;
    this.speed[to] = this.speed[from]!;
    this.course[to] = this.course[from]!;
  }

  private slot(k: number): number {
    const i = this.head + k;
    return i < this.t.length ? i : i - this.t.length;
  }

  private point(i: number): TrackPoint {
    const p: TrackPoint = { t: this.t[i]!, lat: this.lat[i]!, lon: this.lon[i]! };
    const alt = this.alt[i]!;
    const speed = this.speed[i]!;
    const course = this.course[i]!;
    if (alt === alt) p.alt = alt;
    if (speed === speed) p.speed = speed;
    if (course === course) p.course = course;
    return p;
  }

  /**
   * Grows the columns by a quarter (at least 16 points), up to the limit: with a thousand tracks growing
   * side by side, doubling would leave a third of their memory unused on average. Below the limit the ring
   * never turns, so head is still 0.
   */
  private grow(): void {
    const n = this.t.length;
    const capacity = Math.min(this.limit, n + Math.max(GROWTH_MIN, n >> 2));
    this.t = copied(this.t, new Float64Array(capacity));
    this.lat = copied(this.lat, new Float64Array(capacity));
    this.lon = copied(this.lon, new Float64Array(capacity));
    this.alt = copied(this.alt, new Float32Array(capacity));
    this.speed = copied(this.speed, new Float32Array(capacity));
    this.course = copied(this.course, new Float32Array(capacity));
  }
}

function copied<A extends Float64Array | Float32Array>(src: A, dst: A): A {
  dst.set(src);
  return dst;
}

/** The stored (float32, NaN when absent) altitude against a new one. */
function sameOptional(stored: number, value: number | undefined): boolean {
  return value === undefined ? stored !== stored : stored === Math.fround(value);
}
