/**
 * HCI status/error codes (Bluetooth Core v5.4, Vol 1 Part F §1.3 and §2), with what each one means for a
 * host that only advertises.
 */

export const STATUS = {
  SUCCESS: 0x00,
  UNKNOWN_HCI_COMMAND: 0x01,
  HARDWARE_FAILURE: 0x03,
  MEMORY_CAPACITY_EXCEEDED: 0x07,
  COMMAND_DISALLOWED: 0x0c,
  UNSUPPORTED_FEATURE_OR_PARAMETER_VALUE: 0x11,
  INVALID_HCI_COMMAND_PARAMETERS: 0x12,
  UNSPECIFIED_ERROR: 0x1f,
  CONTROLLER_BUSY: 0x3a,
  UNKNOWN_ADVERTISING_IDENTIFIER: 0x42,
  LIMIT_REACHED: 0x43,
  PACKET_TOO_LONG: 0x45,
} as const;

interface StatusInfo {
  name: string;
  meaning: string;
}

const TABLE: ReadonlyMap<number, StatusInfo> = new Map([
  [0x00, { name: 'Success', meaning: 'the command succeeded' }],
  [0x01, { name: 'Unknown HCI Command', meaning: 'the controller does not implement this command (too old a Bluetooth version for it)' }],
  [0x02, { name: 'Unknown Connection Identifier', meaning: 'no connection has that handle' }],
  [0x03, { name: 'Hardware Failure', meaning: 'the controller reported a hardware fault' }],
  [0x07, { name: 'Memory Capacity Exceeded', meaning: 'the controller has no room for another advertising set or that much data' }],
  [0x0c, { name: 'Command Disallowed', meaning: 'the controller refuses the command in its current state (e.g. legacy and extended advertising commands mixed, or parameters changed while advertising)' }],
  [0x0d, { name: 'Connection Rejected due to Limited Resources', meaning: 'the controller lacks resources' }],
  [0x11, { name: 'Unsupported Feature or Parameter Value', meaning: 'the controller lacks a feature the parameters ask for (e.g. LE Coded PHY)' }],
  [0x12, { name: 'Invalid HCI Command Parameters', meaning: 'a parameter is out of range or the parameter length is wrong' }],
  [0x1f, { name: 'Unspecified Error', meaning: 'the controller failed without saying why' }],
  [0x20, { name: 'Unsupported LL Parameter Value', meaning: 'a link-layer parameter is not supported' }],
  [0x3a, { name: 'Controller Busy', meaning: 'the controller is busy; try again' }],
  [0x3c, { name: 'Advertising Timeout', meaning: 'advertising stopped because its duration ran out' }],
  [0x42, { name: 'Unknown Advertising Identifier', meaning: 'no advertising set has that handle' }],
  [0x43, { name: 'Limit Reached', meaning: 'the advertising set reached its event limit' }],
  [0x44, { name: 'Operation Cancelled by Host', meaning: 'the host cancelled the operation' }],
  [0x45, { name: 'Packet Too Long', meaning: 'the advertising data does not fit the advertising interval or PDU' }],
]);

export function statusName(status: number): string {
  return TABLE.get(status)?.name ?? `Reserved/vendor status 0x${status.toString(16).padStart(2, '0')}`;
}

export function statusMeaning(status: number): string {
  return TABLE.get(status)?.meaning ?? 'a status this layer does not know';
}
