/**
 * Every HCI command the fake implements, and how one command packet is handled the way a controller does it:
 * H4 framing, opcode lookup, Parameter_Total_Length, the command's own checks, then a Command Complete (or,
 * for an opcode the controller does not know, a Command Status) event.
 */

import { CORE_COMMANDS } from './commands-core.js';
import { EXT_ADV_COMMANDS } from './commands-ext-adv.js';
import { LEGACY_ADV_COMMANDS } from './commands-legacy-adv.js';
import type { CommandSpec, Model } from './model.js';
import { Params, Reject } from './params.js';
import {
  ERR,
  EVT_COMMAND_COMPLETE,
  EVT_COMMAND_STATUS,
  EXTENDED_STYLE,
  H4_COMMAND,
  H4_EVENT,
  LEGACY_STYLE,
  OP,
  SUPPORTED_COMMAND_BITS,
} from './spec.js';

/** Num_HCI_Command_Packets the fake reports: one command at a time, like most USB dongles. */
const NUM_COMMAND_PACKETS = 1;

function commandAvailable(m: Model, spec: CommandSpec): boolean {
  if (spec.extended) return m.caps.extendedAdvertising;
  if (spec.bt5) return m.caps.version !== '4.2';
  return true;
}

const readLocalCommands: CommandSpec = {
  // §7.4.2: Supported_Commands (64 octets), one bit per command this controller answers.
  name: 'Read Local Supported Commands',
  length: 0,
  handle: (m) => {
    const mask = new Uint8Array(64);
    for (const [op, [octet, bit]] of SUPPORTED_COMMAND_BITS) {
      const spec = COMMANDS.get(op);
      if (spec !== undefined && commandAvailable(m, spec)) mask[octet] = mask[octet]! | (1 << bit);
    }
    return mask;
  },
};

export const COMMANDS: ReadonlyMap<number, CommandSpec> = new Map<number, CommandSpec>([
  ...CORE_COMMANDS,
  [OP.READ_LOCAL_COMMANDS, readLocalCommands],
  ...LEGACY_ADV_COMMANDS,
  ...EXT_ADV_COMMANDS,
]);

/** One command as the fake saw it: what tests read to check what the host sent and what it got back. */
export interface CommandRecord {
  opcode: number;
  /** The command's name, or "unknown 0x....". */
  name: string;
  params: Uint8Array;
  status: number;
  /** Why the command was refused, in words (empty on success). */
  why: string;
  /** The event sent back, as H4 bytes. */
  reply: Uint8Array;
}

function commandComplete(op: number, status: number, ret: Uint8Array | readonly number[] = []): Uint8Array {
  // §7.7.14: Num_HCI_Command_Packets, Command_Opcode (2), Return_Parameters (Status first).
  const body = [NUM_COMMAND_PACKETS, op & 0xff, op >> 8, status, ...(status === ERR.SUCCESS ? ret : [])];
  return Uint8Array.from([H4_EVENT, EVT_COMMAND_COMPLETE, body.length, ...body]);
}

function commandStatus(op: number, status: number): Uint8Array {
  // §7.7.15: Status, Num_HCI_Command_Packets, Command_Opcode (2).
  return Uint8Array.from([H4_EVENT, EVT_COMMAND_STATUS, 4, status, NUM_COMMAND_PACKETS, op & 0xff, op >> 8]);
}

/**
 * Handles one H4 command packet. Returns undefined for a packet too short to carry an opcode: a controller
 * cannot answer what it cannot name (the kernel refuses such writes before they get here anyway).
 */
export function executeCommand(m: Model, packet: Uint8Array): CommandRecord | undefined {
  if (packet.length < 4 || packet[0] !== H4_COMMAND) return undefined;
  const op = packet[1]! | (packet[2]! << 8);
  const declared = packet[3]!;
  const params = packet.subarray(4);
  const spec = COMMANDS.get(op);
  const record = (status: number, why: string, reply: Uint8Array): CommandRecord => ({
    opcode: op,
    name: spec?.name ?? `unknown 0x${op.toString(16).padStart(4, '0')}`,
    params: params.slice(),
    status,
    why,
    reply,
  });

  // Vol 4 Part E §4.5: an opcode the controller does not support gets Unknown HCI Command. Either event
  // type is allowed; like Zephyr's controller, the fake uses Command Status.
  if (spec === undefined || !commandAvailable(m, spec)) {
    const why = spec === undefined ? 'opcode not implemented' : `${spec.name} needs a Bluetooth 5 controller with LE extended advertising`;
    return record(ERR.UNKNOWN_COMMAND, why, commandStatus(op, ERR.UNKNOWN_COMMAND));
  }
  const fail = (status: number, why: string): CommandRecord => record(status, why, commandComplete(op, status));
  if (declared !== params.length) {
    return fail(ERR.INVALID_PARAMETERS, `Parameter_Total_Length ${declared} but the packet carries ${params.length} parameter octets`);
  }
  const expected = typeof spec.length === 'number' ? spec.length : params.length === 0 ? -1 : spec.length(params);
  if (expected !== params.length) {
    return fail(ERR.INVALID_PARAMETERS, `${spec.name} takes ${expected < 0 ? 'more than 0' : expected} parameter octets, got ${params.length}`);
  }

  // Legacy and extended advertising/scanning commands do not mix until HCI_Reset (§3.1.1).
  const style = LEGACY_STYLE.has(op) ? 'legacy' : EXTENDED_STYLE.has(op) ? 'extended' : undefined;
  if (style !== undefined && m.caps.extendedAdvertising && m.state.style !== undefined && m.state.style !== style) {
    return fail(ERR.COMMAND_DISALLOWED, `${style} advertising command after ${m.state.style} ones without an HCI_Reset`);
  }

  try {
    const ret = spec.handle(m, new Params(params)) ?? [];
    if (style !== undefined && m.caps.extendedAdvertising) m.state.style ??= style;
    return record(ERR.SUCCESS, '', commandComplete(op, ERR.SUCCESS, ret));
  } catch (e) {
    if (e instanceof Reject) return fail(e.status, e.why);
    throw e;
  }
}
