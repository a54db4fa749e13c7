/**
 * Accuracy in SI units -> the Location message's accuracy enums (remote-id-spec.md §2.2). Each enum value
 * is an upper bound ("better than"); like the reference, a value on a boundary falls in the coarser bucket
 * (2.5 m -> 11 "< 3 m", exactly 3 m -> 10 "< 10 m"). Undefined or non-finite -> 0 (unknown).
 */

/** Upper bounds, best bucket last: index i holds the bound of enum value i + 1. */
const HORIZONTAL_M = [18520, 7408, 3704, 1852, 926, 555.6, 185.2, 92.6, 30, 10, 3, 1];
const VERTICAL_M = [150, 45, 25, 10, 3, 1];
const SPEED_MPS = [10, 3, 1, 0.3];

function bucket(value: number | undefined, bounds: readonly number[]): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) return 0;
  let e = 0;
  while (e < bounds.length && value < bounds[e]!) e++;
  return e;
}

export const horizontalAccuracyEnum = (metres: number | undefined): number => bucket(metres, HORIZONTAL_M);
export const verticalAccuracyEnum = (metres: number | undefined): number => bucket(metres, VERTICAL_M);
export const speedAccuracyEnum = (mps: number | undefined): number => bucket(mps, SPEED_MPS);

/** Timestamp accuracy: n means "within n × 0.1 s", 1..15; 0 unknown (also for anything worse than 1.5 s). */
export function timestampAccuracyEnum(seconds: number | undefined): number {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds > 1.5) return 0;
  return Math.max(1, Math.ceil(Math.round(seconds * 1000) / 100));
}
