/** The shapes the tracker hands out. Tracks are owned by the tracker: read them, don't change them. */

import type {
  AssembledAuth,
  BasicIdMessage,
  DjiFlightInfo,
  DjiFlightPurpose,
  FrenchId,
  LocationMessage,
  OperatorIdMessage,
  ReceivedMessage,
  SelfIdMessage,
  SystemMessage,
  Transport,
  ValidationIssue,
} from '@odid/codec';
import type { LatLon } from '@odid/position';
import type { AllowEntry } from './allow-list.js';
import type { TrackFlag } from './flags.js';
import type { PositionHistory } from './history.js';
import type { IdSlot } from './identity.js';
import type { RadioLink } from './link.js';
import type { RateMeter } from './rates.js';
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

export interface Track {
  /** Stable for this track's life; retired when the track merges into another (TrackUpdate.merged). */
  readonly key: string;
  /** The preferred ID: serial > CAA > UTM > session ID > DJI serial > French ID. Binary IDs (types 3, 4) as hex. */
  uasId?: string;
  /** Basic ID type of uasId (undefined for DJI/French IDs). */
  idType?: number;
  uaType?: number;
  /** Every identity by slot. */
  readonly identities: Map<IdSlot, string>;
  /** Latest Basic ID per ID type (pitfall 14: never let one overwrite the other). */
  readonly basicIds: Map<number, BasicIdMessage>;
  /** Lowercase MAC addresses, in the order first heard. */
  readonly addresses: Set<string>;
  readonly transports: Set<Transport>;
  location?: LocationMessage;
  system?: SystemMessage;
  selfId?: SelfIdMessage;
  operatorId?: OperatorIdMessage;
  dji?: DjiFlightInfo;
  djiPurpose?: DjiFlightPurpose;
  french?: FrenchId;
  /** Receive time (ms) of the latest message of each kind ('location', 'basicId:1', 'djiFlightInfo', ...). */
  readonly updatedAt: Map<string, number>;
  /** Latest known position from any source. */
  position?: TrackPoint;
  /** Bounded, oldest first. */
  readonly history: PositionHistory;
  operator?: OperatorPosition;
  home?: HomePoint;
  /** The latest complete authentication. */
  auth?: AssembledAuth;
  /** Pages still missing from the authentication being assembled (absent when none is pending). */
  authMissing?: number[];
  /** Per radio link: `${transport} ${address}`. */
  readonly links: Map<string, RadioLink>;
  readonly rateMeter: RateMeter;
  /** Receptions per second by message type, as of the last ingest or tick. */
  rates: Record<string, number>;
  /** Validation errors and warnings of the latest message of each kind. */
  readonly issues: Map<string, ValidationIssue[]>;
  /** ms since the Unix epoch, tracker clock. */
  firstSeen: number;
  lastSeen: number;
  /** Messages ingested. */
  messages: number;
  state: TrackState;
  /** Sorted, stable names: see flags.ts. */
  flags: TrackFlag[];
  /** Names of the zones the drone is in (TrackerOptions.zones), in the zones' order; empty without zones. */
  zones: string[];
  /** Names of the zones the operator is in (by position alone: a zone's floor and ceiling are the drone's). */
  operatorZones: string[];
  /** An allow-list entry matches the track at the tracker's time (always false without an allow-list). */
  authorised: boolean;
  /** The entry that authorises it (the first in the list that matches). */
  allowedBy?: AllowEntry;
  spoofEvidence?: SpoofEvidence;
  /** Metres and degrees from the receiver, when both positions are known. */
  distance?: number;
  bearing?: number;
  operatorDistance?: number;
  operatorBearing?: number;
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
  track: Track;
  /** created: first message of a new track; updated: a message changed it; state: stale/lost/active; flags: flags changed on tick. */
  reason: 'created' | 'updated' | 'state' | 'flags';
  /** Tracker time of the update, ms. */
  at: number;
  /** Keys of tracks merged into this one by this message: they no longer exist. */
  merged?: string[];
  /** The message that caused it (ingest only). */
  message?: ReceivedMessage;
  /** Set when the state changed. */
  previousState?: TrackState;
  /** What this update raised (absent when nothing). */
  alerts?: TrackAlert[];
}
