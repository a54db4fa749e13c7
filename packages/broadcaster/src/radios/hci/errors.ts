/** Typed errors of the HCI layer. Radios turn them into RadioError with a fix for the user. */

import { ToolkitError } from '@odid/codec';
import { opcodeName } from './opcodes.js';
import { statusMeaning, statusName } from './status.js';

export type HciErrorKind =
  | 'status' // the controller answered with a non-zero status
  | 'timeout' // no Command Complete/Status in time
  | 'socket' // the socket reported an error while a command was pending
  | 'closed' // the transport was closed before the answer came
  | 'malformed'; // the answer could not be parsed

/** A command that failed; `code` is its kind. */
export class HciError extends ToolkitError {
  override readonly name = 'HciError';
  declare readonly code: HciErrorKind;
  constructor(
    readonly kind: HciErrorKind,
    readonly opcode: number,
    /** The controller's status, for kind 'status'. */
    readonly status: number | undefined,
    readonly detail: string,
  ) {
    super(
      kind,
      kind === 'status' && status !== undefined
        ? `${opcodeName(opcode)} failed: status 0x${status.toString(16).padStart(2, '0')} ${statusName(status)}: ${statusMeaning(status)}${detail ? ` (${detail})` : ''}`
        : `${opcodeName(opcode)}: ${detail}`,
    );
  }

  get opcodeName(): string {
    return opcodeName(this.opcode);
  }

  get statusName(): string | undefined {
    return this.status === undefined ? undefined : statusName(this.status);
  }

  get meaning(): string | undefined {
    return this.status === undefined ? undefined : statusMeaning(this.status);
  }
}

/** A command parameter the builders refuse before anything reaches the controller. */
export class HciParameterError extends ToolkitError {
  override readonly name = 'HciParameterError';
  declare readonly code: 'bad-parameter';
  constructor(
    readonly command: string,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super('bad-parameter', `${field} = ${typeof value === 'number' ? value : JSON.stringify(value)} is not allowed; expected ${allowed}`, { subject: command });
  }
}

/** Why the HCI socket could not be opened, as an errno name, and what to do about it. */
export type HciOpenErrorCode = 'EAFNOSUPPORT' | 'EPERM' | 'EACCES' | 'ENODEV' | 'EBUSY' | 'ENETDOWN' | 'ENOMODULE' | 'UNKNOWN';

export class HciOpenError extends ToolkitError {
  override readonly name = 'HciOpenError';
  declare readonly code: HciOpenErrorCode;
  declare readonly fix: string;
  constructor(
    code: HciOpenErrorCode,
    readonly device: string,
    reason: string,
    fix: string,
    options?: { cause?: unknown },
  ) {
    super(code, reason, { subject: device, fix, ...options });
  }
}

export type HciCapabilityCode =
  | 'no-extended-advertising' // LE feature bit 12 clear: a Bluetooth 4.x controller
  | 'no-coded-phy' // LE feature bit 11 clear
  | 'no-free-set' // every advertising set the controller has is taken
  | 'data-too-long' // more advertising data than the controller holds per set
  | 'interval'; // an interval this controller cannot use

/** The controller lacks what an advertiser needs; `fix` says what to do instead. */
export class HciCapabilityError extends ToolkitError {
  override readonly name = 'HciCapabilityError';
  declare readonly code: HciCapabilityCode;
  declare readonly fix: string;
  constructor(code: HciCapabilityCode, reason: string, fix: string) {
    super(code, reason, { fix });
  }
}
