/**
 * The shapes the tracker hands out. A Track is the tracker's own, read-only to everyone else: its fields are
 * typed readonly (maps, sets and lists too), and the values it holds are never changed in place but
 * replaced — a position, an operator position, a message, a flag list taken from a track stays as it was
 * when taken. The track itself goes on changing with every reception; `trackToJson` is a copy of it now.
 */

import type { BasicIdMessage, ReceivedMessage, Transport, ValidationIssue } from '@odid/codec';
import type { LatLon } from '@odid/position';
import type { AllowEntry } from './allow-list.js';
import type { TrackFlag } from './flags.js';
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
  /** Speed above which a position jump is suspect (default 300 m/s). */
  maxSpeedMps?: number;
  /** Distance between two addresses of one ID on one transport that is suspect (default 1000 m). */
  maxAddressSpreadM?: number;
  /** How long 'spoofing-suspect' stays raised after the last evidence (default 60000 ms). */
  spoofHoldMs?: number;
  /** Zones (zones.ts): each track says which ones its drone and its operator are in. Replace with Tracker.setZones. */
  zones?: readonly Zone[];
  /** Allow-list (allow-list.ts): tracks it matches at the tracker's time are `authorised`. Replace with Tracker.setAllowList. */
  allowList?: readonly AllowEntry[];
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

/** Why the track was flagged 'spoofing-suspect' last. */
export interface SpoofEvidence {
  t: number;
  kind: 'jump' | 'address-spread';
  detail: string;
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
  readonly spoofEvidence?: Readonly<SpoofEvidence>;
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
  /** Tracker time of the update, ms. */
  readonly at: number;
  /** Keys of tracks merged into this one by this message: they no longer exist. */
  readonly merged?: readonly string[];
  /** The message that caused it (ingest only). */
  readonly message?: ReceivedMessage;
  /** Set when the state changed. */
  readonly previousState?: TrackState;
  /** What this update raised (absent when nothing). */
  readonly alerts?: readonly TrackAlert[];
}
