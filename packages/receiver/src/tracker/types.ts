/**
 * The shapes the tracker hands out. A Track is the tracker's own, read-only to everyone else: its fields are
 * typed readonly (maps, sets and lists too), and the values it holds are never changed in place but
 * replaced — a position, an operator position, a message, a flag list taken from a track stays as it was
 * when taken. The track itself goes on changing with every reception; `trackToJson` is a copy of it now.
 */

import type { BasicIdMessage, ReceivedMessage, Transport, ValidationIssue } from '@odid/codec';
import type { LatLon } from '@odid/position';
import type { AllowEntry } from './allow-list.js';
import type { DripVerifying } from './payloads/drip.js';
import type { SpoofFlag, TrackFlag } from './flags.js';
import type { ReadonlyPositionHistory } from './history.js';
import type { IdSlot } from './identity.js';
import type { ReadonlyRadioLink } from './link.js';
import type { TrackPayloadFields } from './payloads/index.js';
import type { Zone } from './zones.js';

/** active: heard within staleAfterMs; stale: within lostAfterMs; lost: longer ago. */
export type TrackState = 'active' | 'stale' | 'lost';

export interface TrackerOptions {
  /** Silence after which a track turns stale (default 5000 ms). */
  staleAfterMs?: number;
  /** Silence after which a track is lost (default 30000 ms). */
  lostAfterMs?: number;
  /** Positions kept per track (default 1000); the oldest go first. */
  historyLimit?: number;
  /** Where the receiver is; distances and bearings need it. */
  receiverPosition?: LatLon;
  /** How long a track must have been heard before a never-received message counts as missing (default 3500 ms). */
  missingAfterMs?: number;
  /** Sliding window of the message rates (default 10000 ms). */
  rateWindowMs?: number;
  /** Time constant of the smoothed RSSI (default 2000 ms). */
  rssiTimeConstantMs?: number;
  /**
   * The spoofing checks (spoofing.ts says what raises each flag). How long a spoofing flag stays raised after
   * its latest evidence (default 60000 ms).
   */
  spoofHoldMs?: number;
  /** impossible-motion: speed between two fixes above which a move is impossible (default 300 m/s). */
  maxSpeedMps?: number;
  /** motion-mismatch: the shortest stretch of flight over which reported and observed motion are compared (default 15000 ms). */
  motionWindowMs?: number;
  /** motion-mismatch: tolerance, m/s over the stretch (default 3)... */
  motionToleranceMps?: number;
  /** ...plus this fraction of the distance the reported speeds cover (default 0.25). */
  motionToleranceRatio?: number;
  /** address-spread: distance between two addresses of one ID on one transport, heard within staleAfterMs of each other, that is suspect (default 1000 m). */
  maxAddressSpreadM?: number;
  /** address-crowd: addresses of one transport one aircraft may use at once (default 1). */
  maxAddressesPerTransport?: number;
  /** address-crowd: two addresses are "at once" when each was heard while the other was, for longer than this (default 2000 ms). */
  addressOverlapMs?: number;
  /** id-cycling and counter-backwards look back this far (default 60000 ms). */
  spoofWindowMs?: number;
  /** counter-backwards: backward steps of one counter within spoofWindowMs that are suspect (default 3). */
  counterBackSteps?: number;
  /** timestamp-mismatch: a claimed time (Location timestamp, DJI GPS time) farther than this from the reception time (default 30000 ms)... */
  maxClockSkewMs?: number;
  /** ...or earlier than the same link's previous one by more than this (default 5000 ms: a fix sent after a newer one; a looping replay goes back by its length). */
  timestampBackStepMs?: number;
  /** operator-far: operator distance from the drone that is suspect (default 20000 m). */
  maxOperatorDistanceM?: number;
  /** rssi-impossible: the strongest a transmitter may radiate, BLE (default 20 dBm EIRP)... */
  maxBleEirpDbm?: number;
  /** ...and Wi-Fi, DJI included (default 36 dBm EIRP)... */
  maxWifiEirpDbm?: number;
  /** ...plus this for the receiver's antenna gain, multipath and RSSI calibration (default 15 dB). */
  rssiMarginDb?: number;
  /** position-vs-rssi: how much farther than the estimate's radius a reported position may be from a hub's RSSI estimate (default 100 m). */
  rssiPositionMarginM?: number;
  /** Zones (zones.ts): each track says which ones its drone and its operator are in. Replace with Tracker.setZones. */
  zones?: readonly Zone[];
  /** Allow-list (allow-list.ts): tracks it matches at the tracker's time are `authorised`. Replace with Tracker.setAllowList. */
  allowList?: readonly AllowEntry[];
  /**
   * DRIP verifier (payloads/drip.ts; @odid/trust's DripVerifier): every track gets `drip`, verified, unverified
   * or forged with the reason. Its messages need the bytes they came in (the Pipeline keeps them when this is set).
   */
  drip?: DripVerifying;
  /**
   * The same alert of one track (the same flag, the same zone for drone or operator) is not raised again
   * within this time of the last one, so a flag or a zone boundary that flickers does not flood whoever
   * watches (default 30000 ms; 0: every time). New-drone and emergency alerts are always raised.
   */
  alertQuietMs?: number;
}

/** One position of the aircraft. */
export interface TrackPoint {
  /** Receive time, ms since the Unix epoch (the tracker's clock). */
  t: number;
  lat: number;
  lon: number;
  /** Metres: ODID geodetic altitude (WGS-84 HAE), else barometric; DJI/French altitude as decoded. */
  alt?: number;
  /** Ground speed, m/s. */
  speed?: number;
  /** Track over ground, degrees from true north. */
  course?: number;
}

export type OperatorSource = 'takeoff' | 'live' | 'fixed' | 'dji-app';
export type HomeSource = 'system-takeoff' | 'dji' | 'french-takeoff';

export interface OperatorPosition extends LatLon {
  /** Metres (WGS-84 HAE) when the System message gives it. */
  alt?: number;
  /** System operatorLocationType (takeoff, live GNSS, fixed) or the DJI app's GPS. */
  source: OperatorSource;
  /** Receive time, ms. */
  t: number;
}

export interface HomePoint extends LatLon {
  alt?: number;
  source: HomeSource;
  t: number;
}

/**
 * The latest evidence behind one spoofing flag (spoofing.ts). Its flag is raised while `t` is younger than
 * spoofHoldMs; the evidence stays on the track after.
 */
export interface SpoofEvidence {
  readonly flag: SpoofFlag;
  /** The latest observation, ms (tracker clock). */
  readonly t: number;
  /** The first observation of this run (since the flag was last clear), ms. */
  readonly since: number;
  /** Observations recorded in this run (at most four a second: spoofing.ts). */
  readonly count: number;
  /** The latest observation in words. */
  readonly detail: string;
  /** The numbers behind it, by name; the name ends in its unit (M, S, Mps, Dbm, Db, Deg) unless it is a count. */
  readonly values: Readonly<Record<string, number>>;
  /** The radio addresses involved. */
  readonly addresses: readonly string[];
  /** The UAS IDs involved (id-cycling, dji-odid-mismatch). */
  readonly ids?: readonly string[];
  /** The receivers whose signal is the evidence, with what each heard (position-vs-rssi). */
  readonly receivers?: readonly EstimateReading[];
}

/** One receiver's reading behind a position estimate: its ID and the smoothed RSSI it heard, dBm. */
export interface EstimateReading {
  readonly id: string;
  readonly rssi: number;
}

/**
 * Where a hub's receivers' signal strengths put the aircraft (hub/rssi-position.ts): a log-distance fit of
 * three or more receivers at known places. Crude: the radius is tens to hundreds of metres, often more.
 */
export interface PositionEstimate {
  lat: number;
  lon: number;
  /** Metres: the circle about (lat, lon) holding 99 % of the fit's probability. */
  radius: number;
  /** The transport whose receptions were used (one transport: their powers differ). */
  transport: Transport;
  /** The receivers used, strongest first. */
  receivers: readonly EstimateReading[];
  /** When it was made, ms (tracker clock). */
  t: number;
}

/**
 * One aircraft. Besides these fields, each payload kind keeps fields of its own (TrackPayloadFields, declared
 * in payloads/): `location`, `system`, `selfId`, `operatorId`, `auth`, `authMissing` (odid.ts), `dji`,
 * `djiPurpose` (dji.ts), `french` (french-id.ts).
 */
export interface Track extends TrackPayloadFields {
  /** Stable for this track's life; retired when the track merges into another (TrackUpdate.merged). */
  readonly key: string;
  /** The preferred ID: serial > CAA > UTM > session ID > DJI serial > French ID. Binary IDs (types 3, 4) as hex. */
  readonly uasId?: string;
  /** Basic ID type of uasId (undefined for DJI/French IDs). */
  readonly idType?: number;
  readonly uaType?: number;
  /** Every identity by slot. */
  readonly identities: ReadonlyMap<IdSlot, string>;
  /** Latest Basic ID per ID type (pitfall 14: never let one overwrite the other). */
  readonly basicIds: ReadonlyMap<number, Readonly<BasicIdMessage>>;
  /** Lowercase MAC addresses, in the order first heard. */
  readonly addresses: ReadonlySet<string>;
  readonly transports: ReadonlySet<Transport>;
  /** Receive time (ms) of the latest message of each kind ('location', 'basicId:1', 'djiFlightInfo', ...). */
  readonly updatedAt: ReadonlyMap<string, number>;
  /** Latest known position from any source: a new object for every fix. */
  readonly position?: Readonly<TrackPoint>;
  /**
   * A hub's latest estimate from its receivers' RSSI (replaced whole), beside `position`, never in it: a
   * track without a valid position of its own is drawn at the estimate, marked as such.
   */
  readonly estimate?: Readonly<PositionEstimate>;
  /** Bounded, oldest first. */
  readonly history: ReadonlyPositionHistory;
  readonly operator?: Readonly<OperatorPosition>;
  readonly home?: Readonly<HomePoint>;
  /** Per radio link: `${transport} ${address}`. */
  readonly links: ReadonlyMap<string, ReadonlyRadioLink>;
  /** Receptions per second by message type, as of the last ingest or tick. */
  readonly rates: Readonly<Record<string, number>>;
  /** Validation errors and warnings of the latest message of each kind. */
  readonly issues: ReadonlyMap<string, readonly ValidationIssue[]>;
  /** ms since the Unix epoch, tracker clock. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Messages ingested. */
  readonly messages: number;
  readonly state: TrackState;
  /** Sorted, stable names: see flags.ts. */
  readonly flags: readonly TrackFlag[];
  /** Names of the zones the drone is in (TrackerOptions.zones), in the zones' order; empty without zones. */
  readonly zones: readonly string[];
  /** Names of the zones the operator is in (by position alone: a zone's floor and ceiling are the drone's). */
  readonly operatorZones: readonly string[];
  /** An allow-list entry matches the track at the tracker's time (always false without an allow-list). */
  readonly authorised: boolean;
  /** The entry that authorises it (the first in the list that matches). */
  readonly allowedBy?: Readonly<AllowEntry>;
  /** The latest evidence of each spoofing flag ever raised, in SPOOF_FLAGS order (replaced whole when it changes). */
  readonly spoofing: readonly SpoofEvidence[];
  /** Metres and degrees from the receiver, when both positions are known. */
  readonly distance?: number;
  readonly bearing?: number;
  readonly operatorDistance?: number;
  readonly operatorBearing?: number;
}

export type TrackAlertKind = 'new-drone' | 'emergency' | 'flag' | 'zone';

/** Something an update raised that a person should see now; every output that shows people things carries it. */
export interface TrackAlert {
  kind: TrackAlertKind;
  /** One line, in the receiver's words: "emergency declared", "entered zone Stadium (operator)". */
  text: string;
  /** kind 'flag' (and 'emergency'): the flag raised. */
  flag?: TrackFlag;
  /** kind 'zone': the zone's name and who is inside it. */
  zone?: string;
  who?: 'drone' | 'operator';
}

export interface TrackUpdate {
  readonly track: Track;
  /** created: first message of a new track; updated: a message changed it; state: stale/lost/active; flags: flags changed on tick. */
  readonly reason: 'created' | 'updated' | 'state' | 'flags';
  /** Tracker time of the update, ms (for a `late` one, the tracker's time when it was taken in). */
  readonly at: number;
  /** Keys of tracks merged into this one by this message: they no longer exist. */
  readonly merged?: readonly string[];
  /** The message that caused it (ingest only). */
  readonly message?: ReceivedMessage;
  /** Set when the state changed. */
  readonly previousState?: TrackState;
  /** What this update raised (absent when nothing). */
  readonly alerts?: readonly TrackAlert[];
  /**
   * Made by a message that arrived late, taken in as the past (Tracker.backfill): its `message` is older
   * than `at`, the track's history may have gained points before its latest (a map redraws the trail),
   * and it raised no alert.
   */
  readonly late?: true;
}
