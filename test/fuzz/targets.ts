/**
 * Role: every coverage target of the toolkit, by name: the codec's (packages/codec/scripts/fuzz/
 * coverage-targets.ts: messages, framing.*, link.*, receive.*, capture) and the parsers of hostile input in
 * the other packages (recording, iw-scan, nmea). Import it only after the coverage probe has started
 * (coverage.ts): V8 counts blocks only in code compiled after that.
 */

import { codecTargets } from '../../packages/codec/scripts/fuzz/coverage-targets.js';
import type { CoverageTarget } from '../../packages/codec/scripts/fuzz/coverage-target.js';
import { iwScanTarget } from './iw-scan-target.js';
import { nmeaTarget } from './nmea-target.js';
import { recordingTarget } from './recording-target.js';

export function allTargets(): CoverageTarget[] {
  return [...codecTargets(), recordingTarget(), iwScanTarget(), nmeaTarget()];
}

/**
 * The targets a name selects: "all", a target's name ("link.127"), or the start of names up to a dot
 * ("link", "framing", "receive"). Throws, listing the names, when none matches.
 */
export function selectTargets(spec: string, targets = allTargets()): CoverageTarget[] {
  const picked = spec === 'all' ? targets : targets.filter((t) => t.name === spec || t.name.startsWith(`${spec}.`));
  if (picked.length === 0) throw new Error(`no fuzz target "${spec}"; targets: all, ${targets.map((t) => t.name).join(', ')}`);
  return picked;
}
