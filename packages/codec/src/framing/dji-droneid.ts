/**
 * DJI DroneID, the proprietary Wi-Fi beacon vendor element (OUI 26:37:12; spec digest §7.1). The element
 * body after the OUI is `vendor_type unk unk subcommand` (seen as 58 62 13 xx) then a record:
 * subcommand 0x10 flight telemetry, 0x11 flight purpose. The same 0x10 "v2" record is the payload of the
 * OcuSync DroneID burst (§7.2), so `parseDjiFlightInfoRecord` takes a bare record too.
 *
 * There is no public specification; layouts come from Kismet, RUB-SysSec/DroneSecurity and the
 * DJIDroneIDspoofer captures. Every decoded record keeps the raw integers in `raw` so callers can rescale.
 *
 * Units (the choices, and why — see also DJI.md):
 * - Positions: i32 radians × 1e7 → degrees = raw / 1e7 × 180/π. (The "raw / 174533.0" found in several
 *   decoders is a rounded form of the same constant; it shifts results in the 6th decimal.) The drone and
 *   home positions are longitude first; the v2 pilot position is latitude first.
 * - Velocities: i16 cm/s, signed → m/s. One decoder reads them unsigned and shows 655.34 m/s for raw 0xFFFE;
 *   the real OcuSync record has v_north = −2 next to v_east = +2 and v_up = +26, so signed it is.
 * - Angles (pitch, roll, yaw): i16 centi-degrees → degrees, raw / 100, no offset. The spoofer writes
 *   yaw as (heading − 180) × 100 and one decoder adds 180; the origin is unsettled, raw.yaw keeps the value.
 * - Altitude and height: i16 METRES by default (Kismet's reading), scaled by `altitudeScale` (metres per
 *   raw unit) for those who prefer another. Evidence, from the only real record with the altitude-valid
 *   state bit set (DJI Mavic Air 2 OcuSync burst, RUB-SysSec sample, home point 51.4463 N 7.2674 E in
 *   Bochum-Querenburg, district reference height 127 m NHN, city range 43–196 m): raw altitude 141, height 42.
 *     metres (Kismet):           141 m and 42 m → take-off ground at 141 − 42 = 99 m, inside Bochum's range;
 *     feet (DroneSecurity ÷3.281): 43.0 m and 12.8 m → ground at 30 m, below Bochum's lowest point (43 m);
 *     decimetres (scapy-uas-remoteid ÷10): 14.1 m and 4.2 m → ground at 9.9 m, impossible.
 *   Only metres gives a consistent ground height. Caveat: 141 ft (43.0 m) ≈ 42 m is also what an altitude
 *   in feet above take-off next to a height in metres would look like; one record cannot exclude that mix.
 *   The Wi-Fi Mavic record (no GPS: altitude −17, height 12) has altitude-valid clear and proves nothing.
 */

import { DecodeError } from '../errors.js';
import { diagnostic, type DiagnosticId, type DiagnosticSink } from '../diagnostics.js';
import { i16le, i32le, readLatin1Field, u16le, u32le } from '../bytes.js';
import { DJI_PRODUCT_TYPES } from './dji-products.js';
import type { RecordElementPayload } from './payload-kind.js';

/** The element's OUI, as transmitted; any type byte follows it (DJI sends 0x58). */
export const OUI_DJI = [0x26, 0x37, 0x12] as const;
export const DJI_SUBCOMMAND_FLIGHT_INFO = 0x10;
export const DJI_SUBCOMMAND_FLIGHT_PURPOSE = 0x11;
/** Mavic firmware V01.04.0100/0200 sends blank elements with subcommand 0 (Kismet flags them). */
export const DJI_SUBCOMMAND_BLANK = 0x00;
/** Multiply a raw altitude/height by this to read it as feet (DroneSecurity's choice). */
export const DJI_ALTITUDE_SCALE_FEET = 0.3048;

const HEADER_SIZE = 4; // vendor_type, unk, unk, subcommand
const HDR_SUBCOMMAND = 3;
/** Kismet calls a subcommand-0 element blank when the first 32 record bytes are zero. */
const BLANK_CHECK_SIZE = 32;

const RAD_E7_TO_DEG = 180 / (Math.PI * 1e7);
const CENTI = 100;
const TWO_POW_32 = 0x1_0000_0000;

// Flight-info record, offsets shared by every layout.
const R_VERSION = 0;
const R_SEQUENCE = 1;
const R_STATE = 3;
const R_SERIAL = 5;
const SERIAL_SIZE = 16;
const R_LONGITUDE = 21;
const R_LATITUDE = 25;
/** A record that ends here still yields the fields Kismet trusts on unknown layouts. */
const COMMON_SIZE = 29;
const R_ALTITUDE = 29;
const R_HEIGHT = 31;
const R_V_NORTH = 33;
const R_V_EAST = 35;
const R_V_UP = 37;
const UUID_SLOT = 20;

/** "Version 1" (Kismet's ksy; older Wi-Fi models). */
const V1 = {
  version: 1,
  pitch: 39,
  roll: 41,
  yaw: 43,
  homeLongitude: 45,
  homeLatitude: 49,
  productType: 53,
  uuidLength: 54,
  uuid: 55,
  size: 75,
} as const;
/** "Version 2" (app GPS; also the OcuSync payload). */
const V2 = {
  version: 2,
  yaw: 39,
  gpsTime: 41,
  pilotLatitude: 49,
  pilotLongitude: 53,
  homeLongitude: 57,
  homeLatitude: 61,
  productType: 65,
  uuidLength: 66,
  uuid: 67,
  size: 87,
} as const;

// Flight-purpose record.
const P_SERIAL = 0;
const P_DRONE_ID_LENGTH = 16;
const P_DRONE_ID = 17;
const DRONE_ID_SLOT = 10;
const P_PURPOSE_LENGTH = 27;
const P_PURPOSE = 28;

/** State-info bits as Kismet names them (several marked "guessed" there). */
export interface DjiStateFlags {
  serialValid: boolean;
  privacyOff: boolean;
  homePointSet: boolean;
  uuidSet: boolean;
  motorsOn: boolean;
  inAir: boolean;
  gpsValid: boolean;
  altitudeValid: boolean;
  heightValid: boolean;
  horizontalVelocityValid: boolean;
  verticalVelocityValid: boolean;
  attitudeValid: boolean;
}
const STATE_BITS: readonly (keyof DjiStateFlags)[] = [
  'serialValid',
  'privacyOff',
  'homePointSet',
  'uuidSet',
  'motorsOn',
  'inAir',
  'gpsValid',
  'altitudeValid',
  'heightValid',
  'horizontalVelocityValid',
  'verticalVelocityValid',
  'attitudeValid',
];

export interface DjiDecodeOptions {
  /** Metres per raw altitude/height unit: 1 (default, metres) or DJI_ALTITUDE_SCALE_FEET. */
  altitudeScale?: number;
}

interface DjiFlightInfoCommon {
  type: 'djiFlightInfo';
  version: number;
  sequence: number;
  stateInfo: number;
  state: DjiStateFlags;
  serialNumber: string;
  /** Degrees. */
  longitude: number;
  latitude: number;
  /**
   * Why a value may not mean what it says: unknown layout, out-of-range position, length overflow. The words
   * of the diagnostics raised (framing.dji-*), which a caller can also receive with their ids.
   */
  warnings: string[];
}

/** A record whose version/length match no known layout (or a blank one): only the fields Kismet trusts. */
export interface DjiFlightInfoPartial extends DjiFlightInfoCommon {
  layout: 'partial';
  raw: { longitude: number; latitude: number };
}

export interface DjiRawCommon {
  longitude: number;
  latitude: number;
  altitude: number;
  height: number;
  speedNorth: number;
  speedEast: number;
  speedUp: number;
  yaw: number;
  homeLongitude: number;
  homeLatitude: number;
  uuidLength: number;
}

interface DjiFlightInfoFull extends DjiFlightInfoCommon {
  /** Metres × altitudeScale. */
  altitude: number;
  /** Above home, metres × altitudeScale. */
  height: number;
  /** m/s. */
  speedNorth: number;
  speedEast: number;
  speedUp: number;
  /** Degrees. */
  yaw: number;
  homeLongitude: number;
  homeLatitude: number;
  productType: number;
  productName?: string;
  uuid: string;
}

export interface DjiFlightInfoV1 extends DjiFlightInfoFull {
  layout: 'v1';
  pitch: number;
  roll: number;
  raw: DjiRawCommon & { pitch: number; roll: number };
}

export interface DjiFlightInfoV2 extends DjiFlightInfoFull {
  layout: 'v2';
  /** Unix time in ms (exact below 2^53, i.e. for every plausible date). */
  gpsTime: number;
  pilotLatitude: number;
  pilotLongitude: number;
  raw: DjiRawCommon & { gpsTime: number; pilotLatitude: number; pilotLongitude: number };
}

export type DjiFlightInfo = DjiFlightInfoV1 | DjiFlightInfoV2 | DjiFlightInfoPartial;

export interface DjiFlightPurpose {
  type: 'djiFlightPurpose';
  serialNumber: string;
  droneId: string;
  purpose: string;
  warnings: string[];
}

export type DjiDroneIdRecord = DjiFlightInfo | DjiFlightPurpose;

/** What a DJI record says about itself (the element that does not decode at all is a DecodeError). */
type DjiId = Extract<DiagnosticId, `framing.dji-${string}`>;

/**
 * A record's diagnostics: each goes to the caller's sink as it is raised, and its words to the record's
 * `warnings` (what the decoded JSON shows).
 */
function recorder(report: DiagnosticSink<DjiId> | undefined): { warnings: string[]; raise: (id: DjiId, detail: string, offset: number) => void } {
  const warnings: string[] = [];
  return {
    warnings,
    raise(id, detail, offset) {
      warnings.push(detail);
      report?.(diagnostic(id, detail, { offset, path: 'dji' }));
    },
  };
}

/** Its payload descriptor (payload-kind.ts): a beacon vendor element, reported under dji-wifi. */
export const DJI_DRONEID_ELEMENT: RecordElementPayload<'dji', DjiDroneIdRecord> = {
  carrier: 'vendor-element',
  name: 'dji-droneid',
  kind: 'dji',
  oui: OUI_DJI,
  ouiType: undefined,
  transport: 'dji-wifi',
  malformed: 'framing.malformed-dji',
  content: 'record',
  types: { djiFlightInfo: true, djiFlightPurpose: true },
  parse: (body, options, report) => parseDjiDroneId(body, options.dji, report),
};

/**
 * Decodes a DJI vendor element body: the bytes after the OUI 26:37:12. Throws DecodeError 'truncated' for a
 * record too short for its kind, 'unsupported' for an unknown subcommand. `report` receives the record's
 * diagnostics (offsets from the start of the record).
 */
export function parseDjiDroneId(body: Uint8Array, options: DjiDecodeOptions = {}, report?: DiagnosticSink<DjiId>): DjiDroneIdRecord {
  if (body.length < HEADER_SIZE) {
    throw new DecodeError('truncated', body.length, 'DJI element shorter than its 4-byte header', 'dji.header');
  }
  const subcommand = body[HDR_SUBCOMMAND]!;
  const record = body.subarray(HEADER_SIZE);
  try {
    if (subcommand === DJI_SUBCOMMAND_FLIGHT_INFO) return parseDjiFlightInfoRecord(record, options, report);
    if (subcommand === DJI_SUBCOMMAND_FLIGHT_PURPOSE) return parseDjiFlightPurposeRecord(record, report);
  } catch (e) {
    throw e instanceof DecodeError ? e.within(HEADER_SIZE, 'dji') : e;
  }
  if (subcommand === DJI_SUBCOMMAND_BLANK && record.subarray(0, BLANK_CHECK_SIZE).every((b) => b === 0)) {
    return blankRecord(report);
  }
  const reason = `unknown DJI subcommand 0x${subcommand.toString(16)}`;
  throw new DecodeError('unsupported', HDR_SUBCOMMAND, reason, 'dji.subcommand');
}

/** Decodes a subcommand-0x10 record starting at its version byte (Wi-Fi element or OcuSync payload). */
export function parseDjiFlightInfoRecord(record: Uint8Array, options: DjiDecodeOptions = {}, report?: DiagnosticSink<DjiId>): DjiFlightInfo {
  if (record.length < COMMON_SIZE) {
    const reason = `flight record of ${record.length} bytes, at least ${COMMON_SIZE} needed`;
    throw new DecodeError('truncated', record.length, reason, 'flightInfo');
  }
  const { warnings, raise } = recorder(report);
  const stateInfo = u16le(record, R_STATE);
  const common = {
    type: 'djiFlightInfo' as const,
    version: record[R_VERSION]!,
    sequence: u16le(record, R_SEQUENCE),
    stateInfo,
    state: stateFlags(stateInfo),
    serialNumber: readLatin1Field(record, R_SERIAL, SERIAL_SIZE),
    longitude: position(record, R_LONGITUDE, 'longitude', 180, raise),
    latitude: position(record, R_LATITUDE, 'latitude', 90, raise),
    warnings,
  };
  const layout = [V1, V2].find((l) => l.version === common.version && record.length >= l.size);
  if (!layout) {
    raise(
      'framing.dji-unknown-layout',
      `version ${common.version} with ${record.length} record bytes matches no known layout ` +
        `(v1: version 1, ${V1.size} bytes; v2: version 2, ${V2.size} bytes): only the common fields are decoded`,
      R_VERSION,
    );
    const raw = { longitude: i32le(record, R_LONGITUDE), latitude: i32le(record, R_LATITUDE) };
    return { ...common, layout: 'partial', raw };
  }
  const scale = options.altitudeScale ?? 1;
  const uuidLength = record[layout.uuidLength]!;
  if (uuidLength > UUID_SLOT) raise('framing.dji-length-overflow', `UUID length ${uuidLength} exceeds its ${UUID_SLOT}-byte slot; truncated`, layout.uuidLength);
  const raw: DjiRawCommon = {
    longitude: i32le(record, R_LONGITUDE),
    latitude: i32le(record, R_LATITUDE),
    altitude: i16le(record, R_ALTITUDE),
    height: i16le(record, R_HEIGHT),
    speedNorth: i16le(record, R_V_NORTH),
    speedEast: i16le(record, R_V_EAST),
    speedUp: i16le(record, R_V_UP),
    yaw: i16le(record, layout.yaw),
    homeLongitude: i32le(record, layout.homeLongitude),
    homeLatitude: i32le(record, layout.homeLatitude),
    uuidLength,
  };
  const productType = record[layout.productType]!;
  const full = {
    ...common,
    altitude: raw.altitude * scale,
    height: raw.height * scale,
    speedNorth: raw.speedNorth / CENTI,
    speedEast: raw.speedEast / CENTI,
    speedUp: raw.speedUp / CENTI,
    yaw: raw.yaw / CENTI,
    homeLongitude: position(record, layout.homeLongitude, 'homeLongitude', 180, raise),
    homeLatitude: position(record, layout.homeLatitude, 'homeLatitude', 90, raise),
    productType,
    ...(DJI_PRODUCT_TYPES[productType] !== undefined && { productName: DJI_PRODUCT_TYPES[productType] }),
    uuid: readLatin1Field(record, layout.uuid, Math.min(uuidLength, UUID_SLOT)),
  };
  if (layout === V1) {
    const pitch = i16le(record, V1.pitch);
    const roll = i16le(record, V1.roll);
    return { ...full, layout: 'v1', pitch: pitch / CENTI, roll: roll / CENTI, raw: { ...raw, pitch, roll } };
  }
  const gpsTime = u32le(record, V2.gpsTime) + u32le(record, V2.gpsTime + 4) * TWO_POW_32;
  return {
    ...full,
    layout: 'v2',
    gpsTime,
    pilotLatitude: position(record, V2.pilotLatitude, 'pilotLatitude', 90, raise),
    pilotLongitude: position(record, V2.pilotLongitude, 'pilotLongitude', 180, raise),
    raw: {
      ...raw,
      gpsTime,
      pilotLatitude: i32le(record, V2.pilotLatitude),
      pilotLongitude: i32le(record, V2.pilotLongitude),
    },
  };
}

/**
 * Decodes a subcommand-0x11 record: serial (16) | drone-ID length u8 | drone ID (10-byte slot) | purpose
 * length u8 | purpose (rest). Kismet's reading: one-byte lengths, the purpose cut to what is present because
 * DJI firmware mis-sends its length.
 */
export function parseDjiFlightPurposeRecord(record: Uint8Array, report?: DiagnosticSink<DjiId>): DjiFlightPurpose {
  if (record.length < P_PURPOSE) {
    const reason = `flight-purpose record of ${record.length} bytes, at least ${P_PURPOSE} needed`;
    throw new DecodeError('truncated', record.length, reason, 'flightPurpose');
  }
  const { warnings, raise } = recorder(report);
  const idLength = record[P_DRONE_ID_LENGTH]!;
  if (idLength > DRONE_ID_SLOT) {
    raise('framing.dji-length-overflow', `drone ID length ${idLength} exceeds its ${DRONE_ID_SLOT}-byte slot; truncated`, P_DRONE_ID_LENGTH);
  }
  const purposeLength = record[P_PURPOSE_LENGTH]!;
  const present = record.length - P_PURPOSE;
  if (purposeLength > present) {
    raise('framing.dji-length-overflow', `purpose length ${purposeLength} but ${present} bytes present; truncated`, P_PURPOSE_LENGTH);
  }
  return {
    type: 'djiFlightPurpose',
    serialNumber: readLatin1Field(record, P_SERIAL, SERIAL_SIZE),
    droneId: readLatin1Field(record, P_DRONE_ID, Math.min(idLength, DRONE_ID_SLOT)),
    purpose: readLatin1Field(record, P_PURPOSE, Math.min(purposeLength, present)),
    warnings,
  };
}

function stateFlags(bits: number): DjiStateFlags {
  const flags = {} as DjiStateFlags;
  STATE_BITS.forEach((name, i) => (flags[name] = (bits & (1 << i)) !== 0));
  return flags;
}

/** Degrees from radians × 1e7, with a diagnostic when out of range (a layout or byte-order mismatch). */
function position(record: Uint8Array, offset: number, name: string, limit: number, raise: ReturnType<typeof recorder>['raise']): number {
  const deg = i32le(record, offset) * RAD_E7_TO_DEG;
  if (Math.abs(deg) > limit) {
    raise('framing.dji-position-range', `${name} ${deg.toFixed(6)}° is outside ±${limit}°: layout or field order may not match`, offset);
  }
  return deg;
}

function blankRecord(report: DiagnosticSink<DjiId> | undefined): DjiFlightInfoPartial {
  const { warnings, raise } = recorder(report);
  raise('framing.dji-blank', 'blank record (subcommand 0, all zero): a known DJI Mavic firmware bug; it carries no data', 0);
  return {
    type: 'djiFlightInfo',
    layout: 'partial',
    version: 0,
    sequence: 0,
    stateInfo: 0,
    state: stateFlags(0),
    serialNumber: '',
    longitude: 0,
    latitude: 0,
    warnings,
    raw: { longitude: 0, latitude: 0 },
  };
}
