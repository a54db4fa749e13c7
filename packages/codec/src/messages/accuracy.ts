/**
 * The Location message's accuracy classes both ways, from the bounds in location-meta.ts (remote-id-spec.md
 * §2.2). Each class is an upper bound ("better than"); like the reference, a value on a boundary falls in the
 * coarser class (2.5 m -> 11 "< 3 m", exactly 3 m -> 10 "< 10 m"). Undefined or non-finite -> 0 (unknown).
 */

import { ACCURACY_BOUNDS, type AccuracyKind } from './location-meta.js';

function bucket(value: number | undefined, bounds: readonly number[]): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) return 0;
  let e = 0;
  while (e < bounds.length && value < bounds[e]!) e++;
  return e;
}

export const horizontalAccuracyEnum = (metres: number | undefined): number => bucket(metres, ACCURACY_BOUNDS.horizontal);
export const verticalAccuracyEnum = (metres: number | undefined): number => bucket(metres, ACCURACY_BOUNDS.vertical);
export const speedAccuracyEnum = (mps: number | undefined): number => bucket(mps, ACCURACY_BOUNDS.speed);

const TS_CLASSES = ACCURACY_BOUNDS.timestamp.length;
const TS_WORST = ACCURACY_BOUNDS.timestamp[TS_CLASSES - 1]!;
/** Milliseconds per timestamp accuracy step (0.1 s). */
const TS_STEP_MS = Math.round(ACCURACY_BOUNDS.timestamp[0]! * 1000);

/** Timestamp accuracy: n means "within n × 0.1 s", 1..15; 0 unknown (also for anything worse than 1.5 s). */
export function timestampAccuracyEnum(seconds: number | undefined): number {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds > TS_WORST) return 0;
  // Whole milliseconds first, so that 0.1 × 3 counts as 0.3 s.
  return Math.max(1, Math.ceil(Math.round(seconds * 1000) / TS_STEP_MS));
}

/**
 * The upper bound a class stands for, in the kind's unit (metres for horizontal and vertical, which also
 * covers baro; m/s for speed; seconds for timestamp); undefined for 0 (unknown) and reserved classes.
 */
export function accuracyBound(kind: AccuracyKind, value: number): number | undefined {
  return Number.isInteger(value) && value >= 1 ? ACCURACY_BOUNDS[kind][value - 1] : undefined;
}
