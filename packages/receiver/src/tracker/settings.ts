/** The tracker's numeric options with their defaults, checked once: every part of the tracker reads these. */

import type { TrackerOptions } from './types.js';

const DEFAULTS = {
  staleAfterMs: 5_000,
  lostAfterMs: 30_000,
  historyLimit: 1_000,
  missingAfterMs: 3_500,
  rateWindowMs: 10_000,
  rssiTimeConstantMs: 2_000,
  maxSpeedMps: 300,
  maxAddressSpreadM: 1_000,
  spoofHoldMs: 60_000,
  motionWindowMs: 15_000,
  motionToleranceMps: 3,
  motionToleranceRatio: 0.25,
  maxAddressesPerTransport: 1,
  addressOverlapMs: 2_000,
  spoofWindowMs: 60_000,
  counterBackSteps: 3,
  maxClockSkewMs: 30_000,
  timestampBackStepMs: 5_000,
  maxOperatorDistanceM: 20_000,
  maxBleEirpDbm: 20,
  maxWifiEirpDbm: 36,
  rssiMarginDb: 15,
  rssiPositionMarginM: 100,
};
/** Options that count things: whole numbers. */
const COUNTS: readonly (keyof typeof DEFAULTS)[] = ['maxAddressesPerTransport', 'counterBackSteps'];
const ALERT_QUIET_MS = 30_000;

export type TrackerSettings = typeof DEFAULTS & { alertQuietMs: number };

/** The options given, else the defaults; a RangeError naming the first option that makes no sense. */
export function trackerSettings(options: TrackerOptions): TrackerSettings {
  const s = { ...DEFAULTS };
  for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const v = options[k];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`Tracker option ${k} must be a positive number, got ${v}`);
    s[k] = v;
  }
  if (!Number.isInteger(s.historyLimit)) throw new RangeError(`Tracker option historyLimit must be a whole number of points, got ${s.historyLimit}`);
  for (const k of COUNTS) if (!Number.isInteger(s[k])) throw new RangeError(`Tracker option ${k} must be a whole number, got ${s[k]}`);
  if (s.lostAfterMs < s.staleAfterMs) throw new RangeError(`lostAfterMs (${s.lostAfterMs}) must not be shorter than staleAfterMs (${s.staleAfterMs})`);
  const quiet = options.alertQuietMs ?? ALERT_QUIET_MS;
  if (!Number.isFinite(quiet) || quiet < 0) throw new RangeError(`Tracker option alertQuietMs must be a number ≥ 0, got ${quiet}`);
  return { ...s, alertQuietMs: quiet };
}
