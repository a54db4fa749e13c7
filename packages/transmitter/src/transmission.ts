/** What the scheduler hands a radio: one payload, due at a time, on one transport. */

import type { BroadcastTransport } from '@odid/codec';

/** One transmission the scheduler asks for. */
export interface Transmission {
  transport: BroadcastTransport;
  /** When it is due, ms since the epoch on the scheduler's clock. */
  timeMs: number;
  /** Message counter, 0..255: per message type on ble-legacy, per transport for packs. */
  counter: number;
  /** One 25-byte message (ble-legacy) or a message pack (every other transport). */
  payload: Uint8Array;
  /** ble-legacy: the type of the message in `payload` (basicId, location, ...). */
  messageType?: string;
}
