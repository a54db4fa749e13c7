/**
 * Validity flags: what a person watching the table should look at twice. Each is a diagnostic of the track
 * group (docs/diagnostics.md); a track lists its flags by name, the id without `track.`. Each is recomputed
 * from the track's current content, so a flag clears once the cause is gone, except where noted.
 */

import { DIAGNOSTICS, EASA_COUNTRY_CODES, checkEuOperatorIdFormat, checkSerialNumber, type GroupId } from '@odid/codec';
import { locationAgeSeconds } from './location-time.js';
import type { Track } from './types.js';

/**
 * The flags, in the order a track lists them; each is the diagnostic `track.<flag>` of the catalogue, whose
 * summary is the flag's text (alerts, the map). What raises each:
 * - invalid-serial: a Basic ID of type 1 (or a French record's ANSI/CTA ID) fails the ANSI/CTA-2063-A format check.
 * - malformed-operator-id: the operator ID fails the EU format check (3-letter EASA country, 12 lower-case
 *   alphanumerics, 1 check character: 16 in all). Checked only when the System message declares EU
 *   classification or the ID starts with an EASA country code, since other regimes use other formats
 *   (pitfall 21). A well-formed UK CAA operator ID ("GBR-OP-" and 12 upper-case alphanumerics) is accepted
 *   even under EU classification: UK drones fly the same open/specific categories. Only the format can be
 *   checked: the EU check character covers a 3-character secret that is never broadcast (spec §5.3), so a
 *   well-formed ID with a wrong check character cannot be told apart by a receiver.
 * - out-of-range: validate() reports an error (not a warning) on the latest message of some type (a bad
 *   serial included).
 * - missing-basic-id, missing-location, missing-system: the track has been heard for longer than
 *   missingAfterMs (default 3.5 s: the 3 s longest interval F3411 allows for static messages, plus jitter)
 *   without ever receiving that message. Only for tracks that speak Open Drone ID (not DJI/French-only tracks).
 * - missing-operator-id: the same, only where the Operator ID is mandatory: the System message declares EU
 *   classification (FAA rules carry none).
 * - stale-location: the latest Location was stamped more than 1 s before it was received (F3411: data not
 *   older than 1 s when broadcast). The timestamp is seconds after the hour, compared modulo one hour;
 *   assumes the receiver clock is right (NTP/GNSS).
 * - emergency: Location status 3 (emergency) or a Self-ID of type 1 (emergency description).
 * - spoofing-suspect: while any of the spoofing flags below is raised (its alert quotes their evidence).
 * - the spoofing flags (SPOOF_FLAGS): each raised while its latest evidence (track.spoofing, spoofing.ts,
 *   which says what raises each) is younger than spoofHoldMs (60 s); the evidence stays on the track after.
 * - drip-forged: with a DRIP verifier, the track's DRIP verdict is forged (track.drip.reason says why); it
 *   stays, as the verdict does.
 */
const ORDER = [
  'invalid-serial',
  'malformed-operator-id',
  'out-of-range',
  'missing-basic-id',
  'missing-location',
  'missing-system',
  'missing-operator-id',
  'stale-location',
  'emergency',
  'spoofing-suspect',
  'impossible-motion',
  'motion-mismatch',
  'address-spread',
  'address-crowd',
  'id-cycling',
  'counter-backwards',
  'timestamp-mismatch',
  'operator-far',
  'rssi-impossible',
  'position-vs-rssi',
  'dji-odid-mismatch',
  'drip-forged',
] as const satisfies readonly TrackFlagOf<TrackDiagnosticId>[];

/** The flags that each stand for one kind of spoofing evidence, in ORDER. */
export const SPOOF_FLAGS = [
  'impossible-motion',
  'motion-mismatch',
  'address-spread',
  'address-crowd',
  'id-cycling',
  'counter-backwards',
  'timestamp-mismatch',
  'operator-far',
  'rssi-impossible',
  'position-vs-rssi',
  'dji-odid-mismatch',
] as const satisfies readonly (typeof ORDER)[number][];
export type SpoofFlag = (typeof SPOOF_FLAGS)[number];
const SPOOF_FLAG_SET: ReadonlySet<string> = new Set(SPOOF_FLAGS);
export const isSpoofFlag = (flag: string): flag is SpoofFlag => SPOOF_FLAG_SET.has(flag);

type TrackDiagnosticId = GroupId<'track'>;
type TrackFlagOf<Id> = Id extends `track.${infer F}` ? F : never;
/** Names are stable (tests, JSONL consumers and the web UI match on them): the catalogue's track ids without `track.`. */
export type TrackFlag = (typeof ORDER)[number];
// Compile-time: every track diagnostic of the catalogue is listed in ORDER (`satisfies` checks the converse).
type Listed<F extends TrackFlag> = F;
type EveryTrackDiagnosticIsAFlag = Listed<TrackFlagOf<TrackDiagnosticId>>;

/** The diagnostic id of a flag. */
export const trackFlagId = (flag: TrackFlag): TrackDiagnosticId => `track.${flag}`;

/** Each flag's text, from the catalogue; in ORDER, so Object.keys gives the order tracks list flags in. */
export const TRACK_FLAGS = Object.fromEntries(ORDER.map((f) => [f, DIAGNOSTICS[trackFlagId(f)].summary])) as { readonly [F in TrackFlag]: string };

const BIT = Object.fromEntries(ORDER.map((f, i) => [f, 1 << i])) as Record<TrackFlag, number>;
const ODID_KINDS = /^(basicId|location|auth|selfId|system|operatorId)\b/;
/** The kinds the tracker stamps that ODID_KINDS matches: a lookup instead of a regex for the usual ones. */
const ODID_KIND_NAMES: ReadonlySet<string> = new Set(['location', 'auth', 'selfId', 'system', 'operatorId', ...Array.from({ length: 16 }, (_, t) => `basicId:${t}`)]);
const EU_CLASSIFICATION = 1;
const LOCATION_STATUS_EMERGENCY = 3;
const SELF_ID_EMERGENCY = 1;
const MAX_LOCATION_AGE_S = 1;

export interface FlagContext {
  nowMs: number;
  missingAfterMs: number;
  spoofHoldMs: number;
}

/**
 * Flags are evaluated on every message and tick of every track, while a track's IDs hardly ever change:
 * what the format checks say is remembered per ID. Bounded, so IDs cycled by a spoofer cannot grow it.
 */
class IdFacts {
  private readonly seen = new Map<string, number>();
  constructor(private readonly facts: (id: string) => number) {}
  of(id: string): number {
    let v = this.seen.get(id);
    if (v === undefined) {
      if (this.seen.size >= 4096) this.seen.clear();
      this.seen.set(id, (v = this.facts(id)));
    }
    return v;
  }
}
const SERIAL_INVALID = 1;
const serials = new IdFacts((id) => (checkSerialNumber(id).valid ? 0 : SERIAL_INVALID));
const EU_LOOKING = 1;
const EU_FORMAT_INVALID = 2;
const UK_FORMAT = 4;
/** UK CAA operator IDs since 2021: country, "OP", 12 upper-case alphanumerics (GBR-OP-BAZ4DH6GJ88T). */
const UK_OPERATOR_ID = /^GBR-OP-[0-9A-Z]{12}$/;
const operatorIds = new IdFacts(
  (id) =>
    (EASA_COUNTRY_CODES.has(id.slice(0, 3)) ? EU_LOOKING : 0) |
    (checkEuOperatorIdFormat(id).valid ? 0 : EU_FORMAT_INVALID) |
    (UK_OPERATOR_ID.test(id) ? UK_FORMAT : 0),
);

export function evaluateFlags(track: Track, ctx: FlagContext): TrackFlag[] {
  // A bit per flag, in ORDER: no Set or intermediate arrays on this hot path.
  let raised = 0;
  const serial = track.basicIds.get(1)?.uasId;
  if (serial !== undefined && serials.of(serial) === SERIAL_INVALID) raised |= BIT['invalid-serial'];
  const ctaId = track.french?.ansiCtaId;
  if (ctaId && serials.of(ctaId) === SERIAL_INVALID) raised |= BIT['invalid-serial'];

  if (operatorIdMalformed(track)) raised |= BIT['malformed-operator-id'];

  for (const list of track.issues.values()) {
    for (const i of list) {
      if (i.severity === 'error') {
        raised |= BIT['out-of-range'];
        break;
      }
    }
  }

  if (ctx.nowMs - track.firstSeen > ctx.missingAfterMs) {
    let odid = false;
    let basicId = false;
    for (const k of track.updatedAt.keys()) {
      if (!odid && (ODID_KIND_NAMES.has(k) || ODID_KINDS.test(k))) odid = true;
      if (!basicId && k.startsWith('basicId')) basicId = true;
    }
    if (odid) {
      if (!basicId) raised |= BIT['missing-basic-id'];
      if (!track.updatedAt.has('location')) raised |= BIT['missing-location'];
      if (!track.updatedAt.has('system')) raised |= BIT['missing-system'];
      if (track.system?.classificationType === EU_CLASSIFICATION && !track.updatedAt.has('operatorId')) raised |= BIT['missing-operator-id'];
    }
  }

  const loc = track.location;
  const locAt = track.updatedAt.get('location');
  if (loc && locAt !== undefined) {
    const age = locationAgeSeconds(loc.timestamp, locAt);
    if (age !== undefined && age > MAX_LOCATION_AGE_S) raised |= BIT['stale-location'];
  }

  if (loc?.status === LOCATION_STATUS_EMERGENCY || track.selfId?.descType === SELF_ID_EMERGENCY) raised |= BIT.emergency;

  for (const e of track.spoofing) if (ctx.nowMs - e.t <= ctx.spoofHoldMs) raised |= BIT[e.flag] | BIT['spoofing-suspect'];

  if (track.drip?.state === 'forged') raised |= BIT['drip-forged'];

  return raised === 0 ? [] : ORDER.filter((f) => (raised & BIT[f]) !== 0);
}

function operatorIdMalformed(track: Track): boolean {
  const op = track.operatorId;
  // Types 201-255 are private: their format is the sender's business.
  if (!op || op.operatorIdType !== 0) return false;
  const facts = operatorIds.of(op.operatorId);
  if (facts & UK_FORMAT) return false;
  const euDeclared = track.system?.classificationType === EU_CLASSIFICATION;
  if (!euDeclared && !(facts & EU_LOOKING)) return false;
  return (facts & EU_FORMAT_INVALID) !== 0;
}
