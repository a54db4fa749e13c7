/**
 * Validity flags: what a person watching the table should look at twice. Names are stable (tests, JSONL
 * consumers and the web UI match on them); each is recomputed from the track's current content, so a flag
 * clears once the cause is gone, except where noted.
 */

import { EASA_COUNTRY_CODES, checkEuOperatorIdFormat, checkSerialNumber } from '@odid/codec';
import { locationAgeSeconds } from './location-time.js';
import type { Track } from './types.js';

export const TRACK_FLAGS = {
  /** A Basic ID of type 1 (or a French record's ANSI/CTA ID) fails the ANSI/CTA-2063-A format check. */
  'invalid-serial': 'serial number is not a valid ANSI/CTA-2063-A serial',
  /**
   * The operator ID fails the EU format check (3-letter EASA country, 12 lower-case alphanumerics, 1 check
   * character: 16 in all). Checked only when the System message declares EU classification or the ID starts
   * with an EASA country code, since other regimes use other formats (UK "GBR-OP-..."). Only the format can
   * be checked: the EU check character covers a 3-character secret that is never broadcast (spec §5.3,
   * pitfall 21), so a well-formed ID with a wrong check character cannot be told apart by a receiver.
   */
  'malformed-operator-id': 'operator ID is not a well-formed EU operator registration number',
  /** validate() reports an error (not a warning) on the latest message of some type (a bad serial included). */
  'out-of-range': 'a field holds a value the standard forbids',
  /**
   * The `missing-*` flags: the track has been heard for longer than missingAfterMs (default 3.5 s: the 3 s
   * longest interval F3411 allows for static messages, plus jitter) without ever receiving that message.
   * Only for tracks that speak Open Drone ID (not DJI/French-only tracks).
   */
  'missing-basic-id': 'no Basic ID received',
  'missing-location': 'no Location received',
  'missing-system': 'no System message received',
  /** Only where the Operator ID is mandatory: the System message declares EU classification (FAA rules carry none). */
  'missing-operator-id': 'no Operator ID received (EU classification declared)',
  /**
   * The latest Location was stamped more than 1 s before it was received (F3411: data not older than 1 s when
   * broadcast). The timestamp is seconds after the hour, compared modulo one hour; assumes the receiver clock
   * is right (NTP/GNSS).
   */
  'stale-location': 'position timestamp more than 1 s older than reception',
  /** Location status 3 (emergency) or a Self-ID of type 1 (emergency description). */
  emergency: 'emergency declared',
  /**
   * A position jump implying more than maxSpeedMps (300 m/s), or one ID heard from two addresses on the same
   * transport at positions more than 1 km apart. Held for spoofHoldMs (60 s) after the last evidence.
   */
  'spoofing-suspect': 'positions inconsistent with one real aircraft',
} as const;

export type TrackFlag = keyof typeof TRACK_FLAGS;

const ORDER = Object.keys(TRACK_FLAGS) as TrackFlag[];
const ODID_KINDS = /^(basicId|location|auth|selfId|system|operatorId)\b/;
const EU_CLASSIFICATION = 1;
const LOCATION_STATUS_EMERGENCY = 3;
const SELF_ID_EMERGENCY = 1;
const MAX_LOCATION_AGE_S = 1;

export interface FlagContext {
  nowMs: number;
  missingAfterMs: number;
  spoofHoldMs: number;
}

export function evaluateFlags(track: Track, ctx: FlagContext): TrackFlag[] {
  const raised = new Set<TrackFlag>();
  const serial = track.basicIds.get(1)?.uasId;
  if (serial !== undefined && !checkSerialNumber(serial).valid) raised.add('invalid-serial');
  const ctaId = track.french?.ansiCtaId;
  if (ctaId && !checkSerialNumber(ctaId).valid) raised.add('invalid-serial');

  if (operatorIdMalformed(track)) raised.add('malformed-operator-id');

  for (const list of track.issues.values()) if (list.some((i) => i.severity === 'error')) raised.add('out-of-range');

  const kinds = [...track.updatedAt.keys()];
  if (kinds.some((k) => ODID_KINDS.test(k)) && ctx.nowMs - track.firstSeen > ctx.missingAfterMs) {
    if (!kinds.some((k) => k.startsWith('basicId'))) raised.add('missing-basic-id');
    if (!track.updatedAt.has('location')) raised.add('missing-location');
    if (!track.updatedAt.has('system')) raised.add('missing-system');
    if (track.system?.classificationType === EU_CLASSIFICATION && !track.updatedAt.has('operatorId')) raised.add('missing-operator-id');
  }

  const loc = track.location;
  const locAt = track.updatedAt.get('location');
  if (loc && locAt !== undefined) {
    const age = locationAgeSeconds(loc.timestamp, locAt);
    if (age !== undefined && age > MAX_LOCATION_AGE_S) raised.add('stale-location');
  }

  if (loc?.status === LOCATION_STATUS_EMERGENCY || track.selfId?.descType === SELF_ID_EMERGENCY) raised.add('emergency');

  if (track.spoofEvidence && ctx.nowMs - track.spoofEvidence.t <= ctx.spoofHoldMs) raised.add('spoofing-suspect');

  return ORDER.filter((f) => raised.has(f));
}

function operatorIdMalformed(track: Track): boolean {
  const op = track.operatorId;
  // Types 201-255 are private: their format is the sender's business.
  if (!op || op.operatorIdType !== 0) return false;
  const euDeclared = track.system?.classificationType === EU_CLASSIFICATION;
  const euLooking = EASA_COUNTRY_CODES.has(op.operatorId.slice(0, 3));
  if (!euDeclared && !euLooking) return false;
  return !checkEuOperatorIdFormat(op.operatorId).valid;
}
