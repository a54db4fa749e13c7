/**
 * The decoded form of Open Drone ID messages (docs/decoded-json.md): the reference library's
 * decoded-struct names in lowerCamelCase, SI units, and its "unknown" sentinels.
 */

export const MessageType = {
  basicId: 0x0,
  location: 0x1,
  auth: 0x2,
  selfId: 0x3,
  system: 0x4,
  operatorId: 0x5,
  messagePack: 0xf,
} as const;

/** Every Remote ID message is 25 bytes; only the pack is longer. */
export const MESSAGE_SIZE = 25;
/** The protocol version this toolkit encodes unless told otherwise: ASTM F3411-22a. */
export const DEFAULT_PROTOCOL_VERSION = 2;

export interface BasicIdMessage {
  type: 'basicId';
  protocolVersion: number;
  /** 0 none, 1 serial number, 2 CAA registration, 3 UTM UUID, 4 specific session ID. */
  idType: number;
  /** 0 none, 1 aeroplane, 2 helicopter or multirotor, ... 15 other: the F3411 UA type, as a number (names: uaTypeName). */
  uaType: number;
  /** The 20-byte field as Latin-1 text, trailing NULs removed. */
  uasId: string;
  /** For idType 3 and 4, whose IDs are binary: the 20 raw bytes as lowercase hex. */
  uasIdHex?: string;
}

export interface LocationMessage {
  type: 'location';
  protocolVersion: number;
  /** 0 undeclared, 1 ground, 2 airborne, 3 emergency, 4 remote ID system failure. */
  status: number;
  /** Degrees clockwise from true north, 0..359; 361 = unknown. */
  direction: number;
  /** m/s; 255 = unknown. */
  speedHorizontal: number;
  /**
   * Present (1) only on the rare encoding of exactly 63.75 m/s with the speed multiplier set, which the
   * reference produces for 63.75 < v < 64.125; encoding honours it so decode and encode stay inverses.
   */
  speedMultiplier?: 1;
  /** m/s, positive up; 63 = unknown. */
  speedVertical: number;
  /** Degrees; 0 (with longitude 0) = unknown. */
  latitude: number;
  longitude: number;
  /** Metres; -1000 = unknown. */
  altitudeBaro: number;
  altitudeGeo: number;
  /** 0 above takeoff, 1 above ground level. */
  heightType: number;
  height: number;
  horizAccuracy: number;
  vertAccuracy: number;
  baroAccuracy: number;
  speedAccuracy: number;
  /** n means n × 0.1 s; 0 = unknown. */
  tsAccuracy: number;
  /** Seconds after the full hour, in tenths; 65535 = unknown. */
  timestamp: number;
}

export interface AuthMessage {
  type: 'auth';
  protocolVersion: number;
  authType: number;
  dataPage: number;
  /** Page 0 only. */
  lastPageIndex?: number;
  /** Page 0 only: bytes of authentication data over all pages. */
  length?: number;
  /** Page 0 only: seconds since 2019-01-01T00:00:00Z. */
  timestamp?: number;
  /** This page's data bytes as lowercase hex: 17 on page 0, 23 on others. */
  authData: string;
}

export interface SelfIdMessage {
  type: 'selfId';
  protocolVersion: number;
  /** 0 text, 1 emergency, 2 extended status, 201-255 private. */
  descType: number;
  desc: string;
}

export interface SystemMessage {
  type: 'system';
  protocolVersion: number;
  /** 0 takeoff, 1 live GNSS, 2 fixed. */
  operatorLocationType: number;
  /** 0 undeclared, 1 EU. */
  classificationType: number;
  operatorLatitude: number;
  operatorLongitude: number;
  areaCount: number;
  /** Metres, in 10 m steps. */
  areaRadius: number;
  areaCeiling: number;
  areaFloor: number;
  categoryEU: number;
  classEU: number;
  /** Metres; -1000 = unknown. */
  operatorAltitudeGeo: number;
  /** Seconds since 2019-01-01T00:00:00Z. */
  timestamp: number;
}

export interface OperatorIdMessage {
  type: 'operatorId';
  protocolVersion: number;
  /** 0 = operator ID; 201-255 private. */
  operatorIdType: number;
  operatorId: string;
}

/** One of the six 25-byte message types. */
export type SingleMessage =
  | BasicIdMessage
  | LocationMessage
  | AuthMessage
  | SelfIdMessage
  | SystemMessage
  | OperatorIdMessage;

export interface PackMemberError {
  /** Index of the member inside the pack. */
  index: number;
  offset: number;
  code: string;
  reason: string;
}

export interface MessagePack {
  type: 'messagePack';
  protocolVersion: number;
  singleMessageSize: number;
  messages: SingleMessage[];
  /**
   * Members the pack carried but that did not decode. Like the reference, a pack whose structure is
   * sound keeps its good members; the bad ones are listed here instead of being lost silently.
   */
  memberErrors?: PackMemberError[];
}

export type OdidMessage = SingleMessage | MessagePack;

/**
 * What the encoder takes: the decoded form, with protocolVersion optional (default 2, F3411-22a).
 * A pack's members may themselves omit protocolVersion.
 */
export type EncodeInput<M> = M extends { protocolVersion: number }
  ? Omit<M, 'protocolVersion'> & { protocolVersion?: number }
  : M;
/** A Basic ID to encode may give its 20 bytes as uasIdHex alone (binary ID types 3 and 4). */
export type BasicIdInput = Omit<EncodeInput<BasicIdMessage>, 'uasId'> & { uasId?: string };
export type SingleMessageInput =
  | BasicIdInput
  | EncodeInput<LocationMessage>
  | EncodeInput<AuthMessage>
  | EncodeInput<SelfIdMessage>
  | EncodeInput<SystemMessage>
  | EncodeInput<OperatorIdMessage>;
export interface MessagePackInput {
  type: 'messagePack';
  protocolVersion?: number;
  singleMessageSize?: number;
  messages: SingleMessageInput[];
}
export type OdidMessageInput = SingleMessageInput | MessagePackInput;
