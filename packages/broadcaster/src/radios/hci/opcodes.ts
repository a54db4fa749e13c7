/**
 * HCI packet framing constants and command opcodes (Bluetooth Core v5.4, Vol 4 Part E). An opcode is
 * OGF (6 bits) << 10 | OCF (10 bits), sent little-endian (§5.4.1).
 */

/** HCI packet indicators on H4 / the Linux HCI socket (Vol 4 Part A §2). */
export const H4_COMMAND = 0x01;
export const H4_EVENT = 0x04;

/** Event codes (§7.7). */
export const EVT_COMMAND_COMPLETE = 0x0e; // §7.7.14
export const EVT_COMMAND_STATUS = 0x0f; // §7.7.15
export const EVT_LE_META = 0x3e; // §7.7.65

const OGF_CONTROLLER_BASEBAND = 0x03;
const OGF_INFORMATIONAL = 0x04;
const OGF_LE = 0x08;

export const opcodeOf = (ogf: number, ocf: number): number => (ogf << 10) | ocf;

export const OPCODE = {
  SET_EVENT_MASK: opcodeOf(OGF_CONTROLLER_BASEBAND, 0x0001), // §7.3.1
  RESET: opcodeOf(OGF_CONTROLLER_BASEBAND, 0x0003), // §7.3.2
  READ_LOCAL_VERSION_INFORMATION: opcodeOf(OGF_INFORMATIONAL, 0x0001), // §7.4.1
  READ_LOCAL_SUPPORTED_COMMANDS: opcodeOf(OGF_INFORMATIONAL, 0x0002), // §7.4.2
  READ_LOCAL_SUPPORTED_FEATURES: opcodeOf(OGF_INFORMATIONAL, 0x0003), // §7.4.3
  READ_BD_ADDR: opcodeOf(OGF_INFORMATIONAL, 0x0009), // §7.4.6
  LE_SET_EVENT_MASK: opcodeOf(OGF_LE, 0x0001), // §7.8.1
  LE_READ_BUFFER_SIZE: opcodeOf(OGF_LE, 0x0002), // §7.8.2
  LE_READ_LOCAL_SUPPORTED_FEATURES: opcodeOf(OGF_LE, 0x0003), // §7.8.3
  LE_SET_RANDOM_ADDRESS: opcodeOf(OGF_LE, 0x0005), // §7.8.4
  LE_SET_ADVERTISING_PARAMETERS: opcodeOf(OGF_LE, 0x0006), // §7.8.5
  LE_SET_ADVERTISING_DATA: opcodeOf(OGF_LE, 0x0008), // §7.8.7
  LE_SET_SCAN_RESPONSE_DATA: opcodeOf(OGF_LE, 0x0009), // §7.8.8
  LE_SET_ADVERTISING_ENABLE: opcodeOf(OGF_LE, 0x000a), // §7.8.9
  LE_SET_SCAN_PARAMETERS: opcodeOf(OGF_LE, 0x000b), // §7.8.10
  LE_SET_SCAN_ENABLE: opcodeOf(OGF_LE, 0x000c), // §7.8.11
  LE_SET_DEFAULT_PHY: opcodeOf(OGF_LE, 0x0031), // §7.8.48
  LE_SET_ADVERTISING_SET_RANDOM_ADDRESS: opcodeOf(OGF_LE, 0x0035), // §7.8.52
  LE_SET_EXTENDED_ADVERTISING_PARAMETERS: opcodeOf(OGF_LE, 0x0036), // §7.8.53
  LE_SET_EXTENDED_ADVERTISING_DATA: opcodeOf(OGF_LE, 0x0037), // §7.8.54
  LE_SET_EXTENDED_ADVERTISING_ENABLE: opcodeOf(OGF_LE, 0x0039), // §7.8.56
  LE_READ_MAXIMUM_ADVERTISING_DATA_LENGTH: opcodeOf(OGF_LE, 0x003a), // §7.8.57
  LE_READ_NUMBER_OF_SUPPORTED_ADVERTISING_SETS: opcodeOf(OGF_LE, 0x003b), // §7.8.58
  LE_REMOVE_ADVERTISING_SET: opcodeOf(OGF_LE, 0x003c), // §7.8.59
  LE_CLEAR_ADVERTISING_SETS: opcodeOf(OGF_LE, 0x003d), // §7.8.60
  LE_SET_EXTENDED_SCAN_PARAMETERS: opcodeOf(OGF_LE, 0x0041), // §7.8.64
  LE_SET_EXTENDED_SCAN_ENABLE: opcodeOf(OGF_LE, 0x0042), // §7.8.65
} as const;

const NAMES: ReadonlyMap<number, string> = new Map([
  [OPCODE.SET_EVENT_MASK, 'Set Event Mask'],
  [OPCODE.RESET, 'Reset'],
  [OPCODE.READ_LOCAL_VERSION_INFORMATION, 'Read Local Version Information'],
  [OPCODE.READ_LOCAL_SUPPORTED_COMMANDS, 'Read Local Supported Commands'],
  [OPCODE.READ_LOCAL_SUPPORTED_FEATURES, 'Read Local Supported Features'],
  [OPCODE.READ_BD_ADDR, 'Read BD_ADDR'],
  [OPCODE.LE_SET_EVENT_MASK, 'LE Set Event Mask'],
  [OPCODE.LE_READ_BUFFER_SIZE, 'LE Read Buffer Size'],
  [OPCODE.LE_READ_LOCAL_SUPPORTED_FEATURES, 'LE Read Local Supported Features'],
  [OPCODE.LE_SET_RANDOM_ADDRESS, 'LE Set Random Address'],
  [OPCODE.LE_SET_ADVERTISING_PARAMETERS, 'LE Set Advertising Parameters'],
  [OPCODE.LE_SET_ADVERTISING_DATA, 'LE Set Advertising Data'],
  [OPCODE.LE_SET_SCAN_RESPONSE_DATA, 'LE Set Scan Response Data'],
  [OPCODE.LE_SET_ADVERTISING_ENABLE, 'LE Set Advertising Enable'],
  [OPCODE.LE_SET_SCAN_PARAMETERS, 'LE Set Scan Parameters'],
  [OPCODE.LE_SET_SCAN_ENABLE, 'LE Set Scan Enable'],
  [OPCODE.LE_SET_DEFAULT_PHY, 'LE Set Default PHY'],
  [OPCODE.LE_SET_ADVERTISING_SET_RANDOM_ADDRESS, 'LE Set Advertising Set Random Address'],
  [OPCODE.LE_SET_EXTENDED_ADVERTISING_PARAMETERS, 'LE Set Extended Advertising Parameters'],
  [OPCODE.LE_SET_EXTENDED_ADVERTISING_DATA, 'LE Set Extended Advertising Data'],
  [OPCODE.LE_SET_EXTENDED_ADVERTISING_ENABLE, 'LE Set Extended Advertising Enable'],
  [OPCODE.LE_READ_MAXIMUM_ADVERTISING_DATA_LENGTH, 'LE Read Maximum Advertising Data Length'],
  [OPCODE.LE_READ_NUMBER_OF_SUPPORTED_ADVERTISING_SETS, 'LE Read Number of Supported Advertising Sets'],
  [OPCODE.LE_REMOVE_ADVERTISING_SET, 'LE Remove Advertising Set'],
  [OPCODE.LE_CLEAR_ADVERTISING_SETS, 'LE Clear Advertising Sets'],
  [OPCODE.LE_SET_EXTENDED_SCAN_PARAMETERS, 'LE Set Extended Scan Parameters'],
  [OPCODE.LE_SET_EXTENDED_SCAN_ENABLE, 'LE Set Extended Scan Enable'],
]);

/** "LE Set Advertising Data (0x2008)", or "opcode 0x2050" for one this layer never sends. */
export function opcodeName(opcode: number): string {
  const hex = `0x${opcode.toString(16).padStart(4, '0')}`;
  const name = NAMES.get(opcode);
  return name === undefined ? `opcode ${hex}` : `${name} (${hex})`;
}
