/**
 * HCI command packet builders, byte for byte as Bluetooth Core v5.4 Vol 4 Part E lays them out: H4 indicator
 * 0x01, opcode (2, little-endian), Parameter_Total_Length (1), parameters (§5.4.1). Multi-octet parameters
 * are little-endian; a BD_ADDR is written least significant octet first. Each builder checks the ranges its
 * section gives and throws HciParameterError before anything reaches the controller.
 */

import { HciParameterError } from './errors.js';
import { H4_COMMAND, OPCODE } from './opcodes.js';

/** Advertising_Type of LE Set Advertising Parameters (§7.8.5). */
export const ADV_TYPE = {
  ADV_IND: 0x00,
  ADV_DIRECT_IND_HIGH_DUTY: 0x01,
  ADV_SCAN_IND: 0x02,
  ADV_NONCONN_IND: 0x03,
  ADV_DIRECT_IND_LOW_DUTY: 0x04,
} as const;

/** Own_Address_Type (§7.8.5, §7.8.53). */
export const OWN_ADDRESS = { PUBLIC: 0x00, RANDOM: 0x01, RPA_OR_PUBLIC: 0x02, RPA_OR_RANDOM: 0x03 } as const;

/** Advertising_Event_Properties bits (§7.8.53). */
export const ADV_PROPERTY = {
  CONNECTABLE: 0x0001,
  SCANNABLE: 0x0002,
  DIRECTED: 0x0004,
  HIGH_DUTY_DIRECTED: 0x0008,
  LEGACY: 0x0010,
  ANONYMOUS: 0x0020,
  INCLUDE_TX_POWER: 0x0040,
} as const;

/** PHY codes for advertising parameters (§7.8.53). */
export const PHY = { LE_1M: 0x01, LE_2M: 0x02, LE_CODED: 0x03 } as const;

/** Operation of LE Set Extended Advertising Data (§7.8.54). */
export const ADV_DATA_OPERATION = { INTERMEDIATE: 0x00, FIRST: 0x01, LAST: 0x02, COMPLETE: 0x03, UNCHANGED: 0x04 } as const;

/** Advertising_TX_Power 0x7F: the host has no preference (§7.8.53). */
export const TX_POWER_NO_PREFERENCE = 0x7f;
/** All three primary advertising channels, 37, 38 and 39. */
export const ALL_CHANNELS = 0x07;
export const LEGACY_ADV_DATA_MAX = 31;
/** One LE Set Extended Advertising Data command carries at most 251 data octets (§7.8.54). */
export const EXT_ADV_DATA_FRAGMENT_MAX = 251;
/** Advertising intervals are counted in 0.625 ms units. */
export const ADV_INTERVAL_UNIT_MS = 0.625;

const ADDRESS_LENGTH = 6;

function packet(opcode: number, params: readonly number[] | Uint8Array = []): Uint8Array {
  if (params.length > 255) throw new RangeError(`HCI command parameters are at most 255 octets, got ${params.length}`);
  const out = new Uint8Array(4 + params.length);
  out[0] = H4_COMMAND;
  out[1] = opcode & 0xff;
  out[2] = opcode >> 8;
  out[3] = params.length;
  out.set(params, 4);
  return out;
}

function check(command: string, field: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new HciParameterError(command, field, v, `an integer ${lo}..${hi} (0x${lo.toString(16)}..0x${hi.toString(16)})`);
  }
  return v;
}

const le16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const le24 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
const le64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));

/** "C0:11:22:33:44:55" (as printed, most significant octet first) -> the 6 wire octets, least significant first. */
export function addressBytes(command: string, field: string, address: string): number[] {
  const parts = address.split(':');
  if (parts.length !== ADDRESS_LENGTH || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new HciParameterError(command, field, address, 'a Bluetooth address like C0:11:22:33:44:55');
  }
  return parts.reverse().map((p) => parseInt(p, 16));
}

function mask64(command: string, mask: bigint): number[] {
  if (mask < 0n || mask > 0xffffffffffffffffn) throw new HciParameterError(command, 'mask', mask.toString(16), 'a 64-bit mask');
  return le64(mask);
}

function fixedData(command: string, data: Uint8Array): number[] {
  // §7.8.7 / §7.8.8: a length octet, then always 31 data octets; the unused ones are zero.
  check(command, 'data length', data.length, 0, LEGACY_ADV_DATA_MAX);
  const out = new Array<number>(1 + LEGACY_ADV_DATA_MAX).fill(0);
  out[0] = data.length;
  data.forEach((b, i) => (out[1 + i] = b));
  return out;
}

// ------------------------------------------------------------------------------------------------------
// Controller & baseband, informational (§7.3, §7.4)

export const reset = (): Uint8Array => packet(OPCODE.RESET);
/** §7.3.1: Event_Mask (8). */
export const setEventMask = (mask: bigint): Uint8Array => packet(OPCODE.SET_EVENT_MASK, mask64('Set Event Mask', mask));
export const readLocalVersionInformation = (): Uint8Array => packet(OPCODE.READ_LOCAL_VERSION_INFORMATION);
export const readLocalSupportedCommands = (): Uint8Array => packet(OPCODE.READ_LOCAL_SUPPORTED_COMMANDS);
export const readLocalSupportedFeatures = (): Uint8Array => packet(OPCODE.READ_LOCAL_SUPPORTED_FEATURES);
export const readBdAddr = (): Uint8Array => packet(OPCODE.READ_BD_ADDR);

// ------------------------------------------------------------------------------------------------------
// LE basics (§7.8.1 - §7.8.4)

/** §7.8.1: LE_Event_Mask (8). */
export const leSetEventMask = (mask: bigint): Uint8Array => packet(OPCODE.LE_SET_EVENT_MASK, mask64('LE Set Event Mask', mask));
export const leReadBufferSize = (): Uint8Array => packet(OPCODE.LE_READ_BUFFER_SIZE);
export const leReadLocalSupportedFeatures = (): Uint8Array => packet(OPCODE.LE_READ_LOCAL_SUPPORTED_FEATURES);
/** §7.8.4: Random_Address (6). */
export const leSetRandomAddress = (address: string): Uint8Array =>
  packet(OPCODE.LE_SET_RANDOM_ADDRESS, addressBytes('LE Set Random Address', 'Random_Address', address));

// ------------------------------------------------------------------------------------------------------
// Legacy advertising (§7.8.5 - §7.8.9)

export interface AdvertisingParameters {
  /** 0.625 ms units, 0x0020..0x4000 (20 ms .. 10.24 s). */
  intervalMin: number;
  intervalMax: number;
  type: number;
  ownAddressType: number;
  peerAddressType?: number;
  peerAddress?: string;
  channelMap?: number;
  filterPolicy?: number;
}

/**
 * §7.8.5: Advertising_Interval_Min (2), Advertising_Interval_Max (2), Advertising_Type (1),
 * Own_Address_Type (1), Peer_Address_Type (1), Peer_Address (6), Advertising_Channel_Map (1),
 * Advertising_Filter_Policy (1) = 15 octets.
 */
export function leSetAdvertisingParameters(p: AdvertisingParameters): Uint8Array {
  const c = 'LE Set Advertising Parameters';
  const min = check(c, 'Advertising_Interval_Min', p.intervalMin, 0x0020, 0x4000);
  const max = check(c, 'Advertising_Interval_Max', p.intervalMax, 0x0020, 0x4000);
  if (min > max) throw new HciParameterError(c, 'Advertising_Interval_Min', min, `<= Advertising_Interval_Max (${max})`);
  return packet(OPCODE.LE_SET_ADVERTISING_PARAMETERS, [
    ...le16(min),
    ...le16(max),
    check(c, 'Advertising_Type', p.type, 0, 4),
    check(c, 'Own_Address_Type', p.ownAddressType, 0, 3),
    check(c, 'Peer_Address_Type', p.peerAddressType ?? 0, 0, 1),
    ...addressBytes(c, 'Peer_Address', p.peerAddress ?? '00:00:00:00:00:00'),
    check(c, 'Advertising_Channel_Map', p.channelMap ?? ALL_CHANNELS, 1, 7),
    check(c, 'Advertising_Filter_Policy', p.filterPolicy ?? 0, 0, 3),
  ]);
}

/** §7.8.7: Advertising_Data_Length (1), Advertising_Data (31). */
export const leSetAdvertisingData = (data: Uint8Array): Uint8Array =>
  packet(OPCODE.LE_SET_ADVERTISING_DATA, fixedData('LE Set Advertising Data', data));
/** §7.8.8: Scan_Response_Data_Length (1), Scan_Response_Data (31). */
export const leSetScanResponseData = (data: Uint8Array): Uint8Array =>
  packet(OPCODE.LE_SET_SCAN_RESPONSE_DATA, fixedData('LE Set Scan Response Data', data));
/** §7.8.9: Advertising_Enable (1). */
export const leSetAdvertisingEnable = (enable: boolean): Uint8Array => packet(OPCODE.LE_SET_ADVERTISING_ENABLE, [enable ? 1 : 0]);

// ------------------------------------------------------------------------------------------------------
// Legacy scanning (§7.8.10, §7.8.11)

export interface ScanParameters {
  /** 0 passive, 1 active. */
  type: number;
  /** 0.625 ms units, 0x0004..0x4000; window <= interval. */
  interval: number;
  window: number;
  ownAddressType?: number;
  filterPolicy?: number;
}

/** §7.8.10: LE_Scan_Type, LE_Scan_Interval (2), LE_Scan_Window (2), Own_Address_Type, Scanning_Filter_Policy. */
export function leSetScanParameters(p: ScanParameters): Uint8Array {
  const c = 'LE Set Scan Parameters';
  const interval = check(c, 'LE_Scan_Interval', p.interval, 0x0004, 0x4000);
  const window = check(c, 'LE_Scan_Window', p.window, 0x0004, interval);
  return packet(OPCODE.LE_SET_SCAN_PARAMETERS, [
    check(c, 'LE_Scan_Type', p.type, 0, 1),
    ...le16(interval),
    ...le16(window),
    check(c, 'Own_Address_Type', p.ownAddressType ?? 0, 0, 3),
    check(c, 'Scanning_Filter_Policy', p.filterPolicy ?? 0, 0, 3),
  ]);
}

/** §7.8.11: LE_Scan_Enable, Filter_Duplicates. */
export const leSetScanEnable = (enable: boolean, filterDuplicates: boolean): Uint8Array =>
  packet(OPCODE.LE_SET_SCAN_ENABLE, [enable ? 1 : 0, filterDuplicates ? 1 : 0]);

// ------------------------------------------------------------------------------------------------------
// PHY (§7.8.48)

export interface DefaultPhy {
  /** Bit 0: no TX preference; bit 1: no RX preference. */
  allPhys: number;
  /** Bit 0 LE 1M, bit 1 LE 2M, bit 2 LE Coded. */
  txPhys: number;
  rxPhys: number;
}

/** §7.8.48: All_PHYs, TX_PHYs, RX_PHYs. */
export function leSetDefaultPhy(p: DefaultPhy): Uint8Array {
  const c = 'LE Set Default PHY';
  const all = check(c, 'All_PHYs', p.allPhys, 0, 3);
  const tx = check(c, 'TX_PHYs', p.txPhys, all & 1 ? 0 : 1, 7);
  const rx = check(c, 'RX_PHYs', p.rxPhys, all & 2 ? 0 : 1, 7);
  return packet(OPCODE.LE_SET_DEFAULT_PHY, [all, tx, rx]);
}

// ------------------------------------------------------------------------------------------------------
// Extended advertising (§7.8.52 - §7.8.60)

/** Advertising_Handle 0x00..0xEF. */
export const MAX_ADVERTISING_HANDLE = 0xef;

/** §7.8.52: Advertising_Handle (1), Random_Address (6). */
export function leSetAdvertisingSetRandomAddress(handle: number, address: string): Uint8Array {
  const c = 'LE Set Advertising Set Random Address';
  return packet(OPCODE.LE_SET_ADVERTISING_SET_RANDOM_ADDRESS, [
    check(c, 'Advertising_Handle', handle, 0, MAX_ADVERTISING_HANDLE),
    ...addressBytes(c, 'Random_Address', address),
  ]);
}

export interface ExtendedAdvertisingParameters {
  handle: number;
  /** ADV_PROPERTY bits; 0x0010 alone = legacy ADV_NONCONN_IND, 0x0000 = extended, non-connectable, non-scannable. */
  properties: number;
  /** 0.625 ms units, 0x000020..0xFFFFFF. */
  intervalMin: number;
  intervalMax: number;
  channelMap?: number;
  ownAddressType: number;
  peerAddressType?: number;
  peerAddress?: string;
  filterPolicy?: number;
  /** dBm -127..+20, or TX_POWER_NO_PREFERENCE. */
  txPower?: number;
  /** PHY.LE_1M or PHY.LE_CODED. */
  primaryPhy: number;
  secondaryMaxSkip?: number;
  secondaryPhy: number;
  /** Advertising SID 0..15. */
  sid: number;
  scanRequestNotification?: boolean;
}

/**
 * §7.8.53 [v1]: Advertising_Handle (1), Advertising_Event_Properties (2), Primary_Advertising_Interval_Min (3),
 * Primary_Advertising_Interval_Max (3), Primary_Advertising_Channel_Map (1), Own_Address_Type (1),
 * Peer_Address_Type (1), Peer_Address (6), Advertising_Filter_Policy (1), Advertising_TX_Power (1),
 * Primary_Advertising_PHY (1), Secondary_Advertising_Max_Skip (1), Secondary_Advertising_PHY (1),
 * Advertising_SID (1), Scan_Request_Notification_Enable (1) = 25 octets.
 */
export function leSetExtendedAdvertisingParameters(p: ExtendedAdvertisingParameters): Uint8Array {
  const c = 'LE Set Extended Advertising Parameters';
  const min = check(c, 'Primary_Advertising_Interval_Min', p.intervalMin, 0x20, 0xffffff);
  const max = check(c, 'Primary_Advertising_Interval_Max', p.intervalMax, 0x20, 0xffffff);
  if (min > max) throw new HciParameterError(c, 'Primary_Advertising_Interval_Min', min, `<= Primary_Advertising_Interval_Max (${max})`);
  const tx = p.txPower ?? TX_POWER_NO_PREFERENCE;
  if (tx !== TX_POWER_NO_PREFERENCE) check(c, 'Advertising_TX_Power', tx, -127, 20);
  const primary = p.primaryPhy;
  if (primary !== PHY.LE_1M && primary !== PHY.LE_CODED) throw new HciParameterError(c, 'Primary_Advertising_PHY', primary, '1 (LE 1M) or 3 (LE Coded)');
  return packet(OPCODE.LE_SET_EXTENDED_ADVERTISING_PARAMETERS, [
    check(c, 'Advertising_Handle', p.handle, 0, MAX_ADVERTISING_HANDLE),
    ...le16(check(c, 'Advertising_Event_Properties', p.properties, 0, 0x7f)),
    ...le24(min),
    ...le24(max),
    check(c, 'Primary_Advertising_Channel_Map', p.channelMap ?? ALL_CHANNELS, 1, 7),
    check(c, 'Own_Address_Type', p.ownAddressType, 0, 3),
    check(c, 'Peer_Address_Type', p.peerAddressType ?? 0, 0, 1),
    ...addressBytes(c, 'Peer_Address', p.peerAddress ?? '00:00:00:00:00:00'),
    check(c, 'Advertising_Filter_Policy', p.filterPolicy ?? 0, 0, 3),
    tx & 0xff,
    primary,
    check(c, 'Secondary_Advertising_Max_Skip', p.secondaryMaxSkip ?? 0, 0, 0xff),
    check(c, 'Secondary_Advertising_PHY', p.secondaryPhy, 1, 3),
    check(c, 'Advertising_SID', p.sid, 0, 0x0f),
    p.scanRequestNotification ? 1 : 0,
  ]);
}

export interface ExtendedAdvertisingData {
  handle: number;
  /** ADV_DATA_OPERATION; COMPLETE for data sent in one command. */
  operation: number;
  /** 0: the controller may fragment; 1: the host prefers it does not. */
  fragmentPreference?: number;
  data: Uint8Array;
}

/**
 * §7.8.54: Advertising_Handle (1), Operation (1), Fragment_Preference (1), Advertising_Data_Length (1),
 * Advertising_Data (Advertising_Data_Length octets, at most 251).
 */
export function leSetExtendedAdvertisingData(p: ExtendedAdvertisingData): Uint8Array {
  const c = 'LE Set Extended Advertising Data';
  return packet(OPCODE.LE_SET_EXTENDED_ADVERTISING_DATA, [
    check(c, 'Advertising_Handle', p.handle, 0, MAX_ADVERTISING_HANDLE),
    check(c, 'Operation', p.operation, 0, 4),
    check(c, 'Fragment_Preference', p.fragmentPreference ?? 0, 0, 1),
    check(c, 'Advertising_Data_Length', p.data.length, 0, EXT_ADV_DATA_FRAGMENT_MAX),
    ...p.data,
  ]);
}

export interface AdvertisingSetEnable {
  handle: number;
  /** 10 ms units; 0 = until disabled. */
  duration?: number;
  /** 0 = no limit. */
  maxEvents?: number;
}

/**
 * §7.8.56: Enable (1), Num_Sets (1), then per set Advertising_Handle (1), Duration (2),
 * Max_Extended_Advertising_Events (1). With more than one set they are written one set after the other, as
 * Linux and Zephyr do; this layer enables one set per command, where every reading agrees.
 */
export function leSetExtendedAdvertisingEnable(enable: boolean, sets: readonly AdvertisingSetEnable[]): Uint8Array {
  const c = 'LE Set Extended Advertising Enable';
  check(c, 'Num_Sets', sets.length, enable ? 1 : 0, 0x3f);
  const params = [enable ? 1 : 0, sets.length];
  for (const s of sets) {
    params.push(check(c, 'Advertising_Handle', s.handle, 0, MAX_ADVERTISING_HANDLE));
    params.push(...le16(check(c, 'Duration', s.duration ?? 0, 0, 0xffff)));
    params.push(check(c, 'Max_Extended_Advertising_Events', s.maxEvents ?? 0, 0, 0xff));
  }
  return packet(OPCODE.LE_SET_EXTENDED_ADVERTISING_ENABLE, params);
}

export const leReadMaximumAdvertisingDataLength = (): Uint8Array => packet(OPCODE.LE_READ_MAXIMUM_ADVERTISING_DATA_LENGTH);
export const leReadNumberOfSupportedAdvertisingSets = (): Uint8Array => packet(OPCODE.LE_READ_NUMBER_OF_SUPPORTED_ADVERTISING_SETS);
/** §7.8.59: Advertising_Handle (1). */
export const leRemoveAdvertisingSet = (handle: number): Uint8Array =>
  packet(OPCODE.LE_REMOVE_ADVERTISING_SET, [check('LE Remove Advertising Set', 'Advertising_Handle', handle, 0, MAX_ADVERTISING_HANDLE)]);
export const leClearAdvertisingSets = (): Uint8Array => packet(OPCODE.LE_CLEAR_ADVERTISING_SETS);

// ------------------------------------------------------------------------------------------------------
// Extended scanning (§7.8.64, §7.8.65)

export interface ExtendedScanPhy {
  phy: '1M' | 'coded';
  type: number;
  /** 0.625 ms units, 0x0004..0xFFFF; window <= interval. */
  interval: number;
  window: number;
}

/**
 * §7.8.64: Own_Address_Type, Scanning_Filter_Policy, Scanning_PHYs (bit 0 LE 1M, bit 2 LE Coded), then for
 * each PHY in that order Scan_Type (1), Scan_Interval (2), Scan_Window (2).
 */
export function leSetExtendedScanParameters(p: { ownAddressType?: number; filterPolicy?: number; phys: readonly ExtendedScanPhy[] }): Uint8Array {
  const c = 'LE Set Extended Scan Parameters';
  const ordered = [...p.phys].sort((a, b) => (a.phy === b.phy ? 0 : a.phy === '1M' ? -1 : 1));
  if (ordered.length === 0 || ordered.length > 2 || (ordered.length === 2 && ordered[0]!.phy === ordered[1]!.phy)) {
    throw new HciParameterError(c, 'phys', ordered.map((x) => x.phy), "one or both of '1M' and 'coded'");
  }
  let mask = 0;
  const per: number[] = [];
  for (const x of ordered) {
    mask |= x.phy === '1M' ? 0x01 : 0x04;
    const interval = check(c, 'Scan_Interval', x.interval, 0x0004, 0xffff);
    per.push(check(c, 'Scan_Type', x.type, 0, 1), ...le16(interval), ...le16(check(c, 'Scan_Window', x.window, 0x0004, interval)));
  }
  return packet(OPCODE.LE_SET_EXTENDED_SCAN_PARAMETERS, [
    check(c, 'Own_Address_Type', p.ownAddressType ?? 0, 0, 3),
    check(c, 'Scanning_Filter_Policy', p.filterPolicy ?? 0, 0, 3),
    mask,
    ...per,
  ]);
}

/** §7.8.65: Enable (1), Filter_Duplicates (1), Duration (2, 10 ms units), Period (2, 1.28 s units). */
export function leSetExtendedScanEnable(p: { enable: boolean; filterDuplicates?: number; duration?: number; period?: number }): Uint8Array {
  const c = 'LE Set Extended Scan Enable';
  return packet(OPCODE.LE_SET_EXTENDED_SCAN_ENABLE, [
    p.enable ? 1 : 0,
    check(c, 'Filter_Duplicates', p.filterDuplicates ?? 0, 0, 2),
    ...le16(check(c, 'Duration', p.duration ?? 0, 0, 0xffff)),
    ...le16(check(c, 'Period', p.period ?? 0, 0, 0xffff)),
  ]);
}
