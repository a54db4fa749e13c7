/**
 * Facts from the Bluetooth Core Specification (v5.4 numbering; v4.2 put the HCI in Vol 2 Part E) that the
 * fake controller enforces. Kept apart from the broadcaster's own tables on purpose: the fake must not share
 * a mistake with the code it checks.
 */

/** HCI packet indicators on the H4 transport (Vol 4 Part A §2). */
export const H4_COMMAND = 0x01;
export const H4_ACL = 0x02;
export const H4_EVENT = 0x04;

/** Event codes (Vol 4 Part E §7.7). */
export const EVT_COMMAND_COMPLETE = 0x0e; // §7.7.14
export const EVT_COMMAND_STATUS = 0x0f; // §7.7.15
export const EVT_LE_META = 0x3e; // §7.7.65
export const SUBEVT_ADVERTISING_REPORT = 0x02; // §7.7.65.2
export const SUBEVT_EXT_ADVERTISING_REPORT = 0x0d; // §7.7.65.13

/** Error codes (Vol 1 Part F §1.3). */
export const ERR = {
  SUCCESS: 0x00,
  UNKNOWN_COMMAND: 0x01,
  MEMORY_CAPACITY_EXCEEDED: 0x07,
  COMMAND_DISALLOWED: 0x0c,
  UNSUPPORTED_FEATURE_OR_PARAMETER: 0x11,
  INVALID_PARAMETERS: 0x12,
  UNKNOWN_ADVERTISING_IDENTIFIER: 0x42,
} as const;

export const opcode = (ogf: number, ocf: number): number => ((ogf & 0x3f) << 10) | (ocf & 0x3ff);
export const ogfOf = (op: number): number => op >> 10;
export const ocfOf = (op: number): number => op & 0x3ff;

const CONTROLLER_BASEBAND = 0x03;
const INFORMATIONAL = 0x04;
const LE = 0x08;

/** Every opcode the fake knows. Numbers from Vol 4 Part E §7.3, §7.4 and §7.8. */
export const OP = {
  SET_EVENT_MASK: opcode(CONTROLLER_BASEBAND, 0x001), // §7.3.1
  RESET: opcode(CONTROLLER_BASEBAND, 0x003), // §7.3.2
  READ_LE_HOST_SUPPORT: opcode(CONTROLLER_BASEBAND, 0x06c),
  WRITE_LE_HOST_SUPPORT: opcode(CONTROLLER_BASEBAND, 0x06d),
  READ_LOCAL_VERSION: opcode(INFORMATIONAL, 0x001), // §7.4.1
  READ_LOCAL_COMMANDS: opcode(INFORMATIONAL, 0x002), // §7.4.2
  READ_LOCAL_FEATURES: opcode(INFORMATIONAL, 0x003), // §7.4.3
  READ_BUFFER_SIZE: opcode(INFORMATIONAL, 0x005), // §7.4.5
  READ_BD_ADDR: opcode(INFORMATIONAL, 0x009), // §7.4.6
  LE_SET_EVENT_MASK: opcode(LE, 0x001), // §7.8.1
  LE_READ_BUFFER_SIZE: opcode(LE, 0x002), // §7.8.2
  LE_READ_LOCAL_FEATURES: opcode(LE, 0x003), // §7.8.3
  LE_SET_RANDOM_ADDRESS: opcode(LE, 0x005), // §7.8.4
  LE_SET_ADV_PARAMS: opcode(LE, 0x006), // §7.8.5
  LE_READ_ADV_TX_POWER: opcode(LE, 0x007), // §7.8.6
  LE_SET_ADV_DATA: opcode(LE, 0x008), // §7.8.7
  LE_SET_SCAN_RSP_DATA: opcode(LE, 0x009), // §7.8.8
  LE_SET_ADV_ENABLE: opcode(LE, 0x00a), // §7.8.9
  LE_SET_SCAN_PARAMS: opcode(LE, 0x00b), // §7.8.10
  LE_SET_SCAN_ENABLE: opcode(LE, 0x00c), // §7.8.11
  LE_READ_MAX_DATA_LENGTH: opcode(LE, 0x02f), // §7.8.46
  LE_SET_DEFAULT_PHY: opcode(LE, 0x031), // §7.8.48
  LE_SET_ADV_SET_RANDOM_ADDRESS: opcode(LE, 0x035), // §7.8.52
  LE_SET_EXT_ADV_PARAMS: opcode(LE, 0x036), // §7.8.53
  LE_SET_EXT_ADV_DATA: opcode(LE, 0x037), // §7.8.54
  LE_SET_EXT_SCAN_RSP_DATA: opcode(LE, 0x038), // §7.8.55
  LE_SET_EXT_ADV_ENABLE: opcode(LE, 0x039), // §7.8.56
  LE_READ_MAX_ADV_DATA_LENGTH: opcode(LE, 0x03a), // §7.8.57
  LE_READ_NUM_ADV_SETS: opcode(LE, 0x03b), // §7.8.58
  LE_REMOVE_ADV_SET: opcode(LE, 0x03c), // §7.8.59
  LE_CLEAR_ADV_SETS: opcode(LE, 0x03d), // §7.8.60
  LE_SET_EXT_SCAN_PARAMS: opcode(LE, 0x041), // §7.8.64
  LE_SET_EXT_SCAN_ENABLE: opcode(LE, 0x042), // §7.8.65
} as const;

/**
 * Vol 4 Part E §3.1.1: a controller that supports extended advertising may refuse (Command Disallowed) a
 * legacy advertising/scanning command after an extended one, or the reverse, until HCI_Reset. Real BT5
 * controllers do: they latch the first style used.
 */
export const LEGACY_STYLE = new Set<number>([
  OP.LE_SET_ADV_PARAMS,
  OP.LE_READ_ADV_TX_POWER,
  OP.LE_SET_ADV_DATA,
  OP.LE_SET_SCAN_RSP_DATA,
  OP.LE_SET_ADV_ENABLE,
  OP.LE_SET_SCAN_PARAMS,
  OP.LE_SET_SCAN_ENABLE,
]);
export const EXTENDED_STYLE = new Set<number>([
  OP.LE_SET_ADV_SET_RANDOM_ADDRESS,
  OP.LE_SET_EXT_ADV_PARAMS,
  OP.LE_SET_EXT_ADV_DATA,
  OP.LE_SET_EXT_SCAN_RSP_DATA,
  OP.LE_SET_EXT_ADV_ENABLE,
  OP.LE_READ_MAX_ADV_DATA_LENGTH,
  OP.LE_READ_NUM_ADV_SETS,
  OP.LE_REMOVE_ADV_SET,
  OP.LE_CLEAR_ADV_SETS,
  OP.LE_SET_EXT_SCAN_PARAMS,
  OP.LE_SET_EXT_SCAN_ENABLE,
]);

/** LE feature bits (Vol 6 Part B §4.6). */
export const LE_FEATURE = {
  ENCRYPTION: 0,
  DATA_PACKET_LENGTH_EXTENSION: 5,
  LE_2M_PHY: 8,
  LE_CODED_PHY: 11,
  EXTENDED_ADVERTISING: 12,
} as const;

/** HCI_Version values (Assigned Numbers §2.1). */
export const HCI_VERSION = { '4.2': 0x08, '5.0': 0x09, '5.2': 0x0b, '5.4': 0x0d } as const;
export type BluetoothVersion = keyof typeof HCI_VERSION;

/** Event mask defaults after HCI_Reset (§7.3.1, §7.8.1). LE Meta is bit 61 and is off by default. */
export const DEFAULT_EVENT_MASK = 0x00001fffffffffffn;
export const EVENT_MASK_LE_META = 1n << 61n;
export const DEFAULT_LE_EVENT_MASK = 0x1fn;
/** LE event mask bit n enables LE subevent n + 1. */
export const leEventBit = (subevent: number): bigint => 1n << BigInt(subevent - 1);

/** Extended advertising event properties (§7.8.53). */
export const PROP = {
  CONNECTABLE: 0x01,
  SCANNABLE: 0x02,
  DIRECTED: 0x04,
  HIGH_DUTY: 0x08,
  LEGACY: 0x10,
  ANONYMOUS: 0x20,
  INCLUDE_TX_POWER: 0x40,
} as const;
/** The only legacy-bit combinations §7.8.53 allows, with the legacy PDU each one sends. */
export const LEGACY_PROPERTY_PDUS: ReadonlyMap<number, LegacyPdu> = new Map([
  [0x13, 'ADV_IND'],
  [0x15, 'ADV_DIRECT_IND'],
  [0x1d, 'ADV_DIRECT_IND'],
  [0x12, 'ADV_SCAN_IND'],
  [0x10, 'ADV_NONCONN_IND'],
]);
/** Legacy Advertising_Type values of §7.8.5 (0x01 high duty and 0x04 low duty are both ADV_DIRECT_IND). */
export const LEGACY_ADV_TYPE_PDUS: readonly LegacyPdu[] = ['ADV_IND', 'ADV_DIRECT_IND', 'ADV_SCAN_IND', 'ADV_NONCONN_IND', 'ADV_DIRECT_IND'];
export type LegacyPdu = 'ADV_IND' | 'ADV_DIRECT_IND' | 'ADV_SCAN_IND' | 'ADV_NONCONN_IND';
/** Extended report Event_Type bits for a legacy PDU (§7.7.65.13). */
export const LEGACY_REPORT_PROPS: Readonly<Record<LegacyPdu, number>> = {
  ADV_IND: 0x13,
  ADV_DIRECT_IND: 0x15,
  ADV_SCAN_IND: 0x12,
  ADV_NONCONN_IND: 0x10,
};

/** PHY codes (§7.8.53): primary 1 = LE 1M, 3 = LE Coded; secondary also 2 = LE 2M. */
export const PHY_1M = 1;
export const PHY_2M = 2;
export const PHY_CODED = 3;

/** Largest data in one LE Extended Advertising Report: 255 event bytes - subevent - Num_Reports - 24 fixed. */
export const EXT_REPORT_MAX_DATA = 229;

/**
 * Supported_Commands bit (octet, bit) per command (§6.27). A controller reports a 64-octet mask; the fake
 * derives it from the commands it implements.
 */
export const SUPPORTED_COMMAND_BITS: ReadonlyMap<number, readonly [number, number]> = new Map([
  [OP.SET_EVENT_MASK, [5, 6]],
  [OP.RESET, [5, 7]],
  [OP.READ_LE_HOST_SUPPORT, [24, 5]],
  [OP.WRITE_LE_HOST_SUPPORT, [24, 6]],
  [OP.READ_LOCAL_VERSION, [14, 3]],
  [OP.READ_LOCAL_FEATURES, [14, 5]],
  [OP.READ_BUFFER_SIZE, [14, 7]],
  [OP.READ_BD_ADDR, [15, 1]],
  [OP.LE_SET_EVENT_MASK, [25, 0]],
  [OP.LE_READ_BUFFER_SIZE, [25, 1]],
  [OP.LE_READ_LOCAL_FEATURES, [25, 2]],
  [OP.LE_SET_RANDOM_ADDRESS, [25, 4]],
  [OP.LE_SET_ADV_PARAMS, [25, 5]],
  [OP.LE_READ_ADV_TX_POWER, [25, 6]],
  [OP.LE_SET_ADV_DATA, [25, 7]],
  [OP.LE_SET_SCAN_RSP_DATA, [26, 0]],
  [OP.LE_SET_ADV_ENABLE, [26, 1]],
  [OP.LE_SET_SCAN_PARAMS, [26, 2]],
  [OP.LE_SET_SCAN_ENABLE, [26, 3]],
  [OP.LE_READ_MAX_DATA_LENGTH, [35, 3]],
  [OP.LE_SET_DEFAULT_PHY, [35, 5]],
  [OP.LE_SET_ADV_SET_RANDOM_ADDRESS, [36, 1]],
  [OP.LE_SET_EXT_ADV_PARAMS, [36, 2]],
  [OP.LE_SET_EXT_ADV_DATA, [36, 3]],
  [OP.LE_SET_EXT_SCAN_RSP_DATA, [36, 4]],
  [OP.LE_SET_EXT_ADV_ENABLE, [36, 5]],
  [OP.LE_READ_MAX_ADV_DATA_LENGTH, [36, 6]],
  [OP.LE_READ_NUM_ADV_SETS, [36, 7]],
  [OP.LE_REMOVE_ADV_SET, [37, 0]],
  [OP.LE_CLEAR_ADV_SETS, [37, 1]],
  [OP.LE_SET_EXT_SCAN_PARAMS, [37, 5]],
  [OP.LE_SET_EXT_SCAN_ENABLE, [37, 6]],
]);
