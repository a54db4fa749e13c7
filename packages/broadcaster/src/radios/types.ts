/**
 * What every radio of the broadcaster implements. The scheduler decides what to send when; a radio puts
 * exactly those bytes on the air (or into a pcapng). One file per radio, each implementing `Radio`.
 */

export const TRANSPORT_NAMES = ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'] as const;
export type TransportName = (typeof TRANSPORT_NAMES)[number];

/** One transmission the scheduler asks for. */
export interface Transmission {
  transport: TransportName;
  /** When it is due, ms since the epoch on the broadcaster's clock. */
  timeMs: number;
  /** Message counter, 0..255: per message type on ble-legacy, per transport for packs. */
  counter: number;
  /** One 25-byte message (ble-legacy) or a message pack (every other transport). */
  payload: Uint8Array;
  /** ble-legacy: the type of the message in `payload` (basicId, location, ...). */
  messageType?: string;
}

export interface Radio {
  readonly transport: TransportName;
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
    readonly transport: TransportName,
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`${transport}: ${reason}. Fix: ${fix}`);
  }
}
