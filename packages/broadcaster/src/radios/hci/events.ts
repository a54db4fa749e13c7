/**
 * Parsing the HCI events a command gets back (Bluetooth Core v5.4 Vol 4 Part E §5.4.4, §7.7.14, §7.7.15) and
 * the return parameters this layer reads.
 */

import { ToolkitError } from '@odid/codec';
import { EVT_COMMAND_COMPLETE, EVT_COMMAND_STATUS, H4_EVENT } from './opcodes.js';

export type HciEvent =
  /** §7.7.14: Num_HCI_Command_Packets, Command_Opcode, Return_Parameters (Status first). */
  | { kind: 'command-complete'; numPackets: number; opcode: number; status: number; returnParameters: Uint8Array }
  /** §7.7.15: Status, Num_HCI_Command_Packets, Command_Opcode. */
  | { kind: 'command-status'; numPackets: number; opcode: number; status: number }
  /** Any other event, or a Command Complete that carries no status. */
  | { kind: 'other'; code: number; parameters: Uint8Array };

/** Parses one H4 packet read from the socket; undefined when it is not an event or is cut short. */
export function parseEvent(packet: Uint8Array): HciEvent | undefined {
  if (packet.length < 3 || packet[0] !== H4_EVENT) return undefined;
  const code = packet[1]!;
  const length = packet[2]!;
  if (packet.length < 3 + length) return undefined;
  const p = packet.subarray(3, 3 + length);
  if (code === EVT_COMMAND_COMPLETE && p.length >= 4) {
    return { kind: 'command-complete', numPackets: p[0]!, opcode: p[1]! | (p[2]! << 8), status: p[3]!, returnParameters: p.subarray(4) };
  }
  if (code === EVT_COMMAND_STATUS && p.length >= 4) {
    return { kind: 'command-status', status: p[0]!, numPackets: p[1]!, opcode: p[2]! | (p[3]! << 8) };
  }
  return { kind: 'other', code, parameters: p };
}

/** Thrown by the return-parameter readers when a controller answers with fewer octets than the spec gives. */
export class ReturnParametersError extends ToolkitError {
  override readonly name = 'ReturnParametersError';
  declare readonly code: 'short-answer';
  constructor(reason: string) {
    super('short-answer', reason);
  }
}

function need(what: string, r: Uint8Array, n: number): void {
  if (r.length < n) throw new ReturnParametersError(`${what}: expected ${n} return octets after Status, got ${r.length}`);
}

export interface LocalVersion {
  hciVersion: number;
  hciSubversion: number;
  lmpVersion: number;
  companyId: number;
  lmpSubversion: number;
}

/** §7.4.1: HCI_Version, HCI_Subversion (2), LMP_Version, Company_Identifier (2), LMP_Subversion (2). */
export function readLocalVersion(r: Uint8Array): LocalVersion {
  need('Read Local Version Information', r, 8);
  return {
    hciVersion: r[0]!,
    hciSubversion: r[1]! | (r[2]! << 8),
    lmpVersion: r[3]!,
    companyId: r[4]! | (r[5]! << 8),
    lmpSubversion: r[6]! | (r[7]! << 8),
  };
}

/** HCI_Version to the Core specification it stands for (Assigned Numbers §2.1). */
const CORE_VERSIONS = ['1.0b', '1.1', '1.2', '2.0', '2.1', '3.0', '4.0', '4.1', '4.2', '5.0', '5.1', '5.2', '5.3', '5.4', '6.0', '6.1'];
export const coreVersionName = (hciVersion: number): string => CORE_VERSIONS[hciVersion] ?? `unknown (HCI version 0x${hciVersion.toString(16)})`;

/** §7.8.3: LE_Features (8), returned as the raw little-endian octets. */
export function readLeFeatures(r: Uint8Array): Uint8Array {
  need('LE Read Local Supported Features', r, 8);
  return r.slice(0, 8);
}

/** Whether LE feature bit n (Vol 6 Part B §4.6) is set. */
export const hasLeFeature = (features: Uint8Array, bit: number): boolean => ((features[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
export const LE_FEATURE_CODED_PHY = 11;
export const LE_FEATURE_EXTENDED_ADVERTISING = 12;

/** §7.4.6: BD_ADDR (6), least significant octet first; returned as printed ("00:1B:DC:..."). */
export function readBdAddr(r: Uint8Array): string {
  need('Read BD_ADDR', r, 6);
  return Array.from(r.subarray(0, 6))
    .reverse()
    .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
    .join(':');
}

/** §7.8.57: Max_Advertising_Data_Length (2). */
export function readMaxAdvertisingDataLength(r: Uint8Array): number {
  need('LE Read Maximum Advertising Data Length', r, 2);
  return r[0]! | (r[1]! << 8);
}

/** §7.8.58: Num_Supported_Advertising_Sets (1). */
export function readNumberOfAdvertisingSets(r: Uint8Array): number {
  need('LE Read Number of Supported Advertising Sets', r, 1);
  return r[0]!;
}

/** §7.8.53: Selected_TX_Power (1, signed dBm). */
export function readSelectedTxPower(r: Uint8Array): number {
  need('LE Set Extended Advertising Parameters', r, 1);
  return (r[0]! << 24) >> 24;
}
