/** What a command handler sees: the controller's fixed capabilities and its mutable state. */

import type { Params } from './params.js';
import type { BluetoothVersion } from './spec.js';
import type { ControllerState } from './state.js';

export interface Capabilities {
  version: BluetoothVersion;
  /** LE feature bit 12: the extended advertising/scanning commands exist. */
  extendedAdvertising: boolean;
  /** LE feature bit 11. */
  codedPhy: boolean;
  /** BD_ADDR, little-endian as on the wire. */
  publicAddress: Uint8Array;
  /** Company identifier returned by Read Local Version Information. */
  manufacturer: number;
  advertisingSets: number;
  /** Per set, for LE Read Maximum Advertising Data Length (§7.8.57: 31..1650). */
  maxAdvertisingDataLength: number;
}

export interface Model {
  readonly caps: Capabilities;
  state: ControllerState;
  /** HCI_Reset: back to the power-on state. */
  reset(): void;
}

/** One command the fake implements. */
export interface CommandSpec {
  name: string;
  /** The Parameter_Total_Length the command must carry, or how to work it out from the parameters. */
  length: number | ((p: Uint8Array) => number);
  /** A Bluetooth 5 command: a 4.2 controller answers Unknown HCI Command. */
  bt5?: boolean;
  /** Exists only on a controller with LE extended advertising (implies bt5). */
  extended?: boolean;
  /** Returns the return parameters after Status; throws Reject to refuse. */
  handle(m: Model, p: Params): Uint8Array | readonly number[] | void;
}
