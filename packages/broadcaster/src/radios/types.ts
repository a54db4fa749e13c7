/**
 * What every radio of the broadcaster implements. The scheduler decides what to send when; a radio puts
 * exactly those bytes on the air (or into a pcapng). One file per radio, each implementing `Radio`.
 */

import type { BroadcastTransport } from '@odid/codec';
import type { Transmission } from '@odid/transmitter';

export interface Radio {
  readonly transport: BroadcastTransport;
  /** What it is, for logs: "hci0, raw HCI, legacy advertising". */
  readonly description: string;
  /** Opens the hardware; throws RadioError saying what is missing and how to fix it. */
  start(): Promise<void>;
  /** Puts this transmission on the air (updates advertising data, beacon element, or injects a frame). */
  transmit(t: Transmission): Promise<void>;
  stop(): Promise<void>;
}

/** A radio that cannot start or send: what went wrong, and what the user can do about it. */
export class RadioError extends Error {
  override readonly name = 'RadioError';
  constructor(
    readonly transport: BroadcastTransport,
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`${transport}: ${reason}. Fix: ${fix}`);
  }
}
