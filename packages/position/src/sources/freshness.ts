import type { Fix } from './types.js';

/**
 * Remote ID data must not be older than 1 s when broadcast (F3411 / spec §4.1).
 * A fix from the future (clock skew between GNSS and system time) is not stale; the caller decides
 * whether to trust it.
 */
export function isStale(fix: Fix | undefined, now: number, maxAgeMs = 1000): boolean {
  if (!fix) return true;
  return now - fix.time > maxAgeMs;
}
