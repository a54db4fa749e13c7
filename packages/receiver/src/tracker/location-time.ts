/**
 * The Location timestamp is tenths of a second after the full UTC hour (pitfall 8), so its age is only known
 * modulo one hour: a fix stamped 3599.8 s received at 0.3 s past the next hour is 0.5 s old, not -3599.5 s.
 */

export const LOCATION_TIMESTAMP_UNKNOWN = 65535;
const HOUR_S = 3600;

/**
 * How old a Location fix was when received, seconds, in [-1800, 1800): negative means stamped in the future
 * (transmitter or receiver clock off). Undefined when the timestamp is unknown or out of range.
 */
export function locationAgeSeconds(timestamp: number, receivedMs: number): number | undefined {
  if (timestamp === LOCATION_TIMESTAMP_UNKNOWN || !(timestamp >= 0 && timestamp <= HOUR_S)) return undefined;
  const receivedInHour = (((receivedMs / 1000) % HOUR_S) + HOUR_S) % HOUR_S;
  const age = receivedInHour - timestamp;
  // Fold into the half-open hour around zero: the nearest interpretation wins.
  const folded = ((((age + HOUR_S / 2) % HOUR_S) + HOUR_S) % HOUR_S) - HOUR_S / 2;
  // Whole milliseconds: float noise must not make an age of exactly 1 s read as 1.0000000001.
  return Math.round(folded * 1000) / 1000;
}
