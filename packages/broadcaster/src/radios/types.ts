/**
 * What every radio of the broadcaster implements. The scheduler decides what to send when; a radio puts
 * exactly those bytes on the air (or into a pcapng). One file per radio, each implementing `Radio`.
 */

import { ToolkitError, type BroadcastTransport } from '@odid/codec';
import type { Transmission } from '@odid/transmitter';

/**
 * The life cycle every radio keeps (checked for each one by test/contract/radio-contract.ts):
 * - start() opens the hardware; it rejects with a RadioError (code, reason, fix) and leaves nothing open
 *   when it cannot. start() on a started radio is idempotent: it resolves and opens nothing more.
 * - transmit() sends only between start() and stop(): before start() or after stop() it rejects with
 *   RadioError 'not-started' and nothing reaches the air.
 * - stop() releases everything start() opened (sockets, child processes, timers, descriptors); it is
 *   harmless before start() and when called again.
 */
export interface Radio {
  readonly transport: BroadcastTransport;
  /** What it is, for logs: "hci0, raw HCI, legacy advertising". */
  readonly description: string;
  /** Opens the hardware; throws RadioError saying what is missing and how to fix it. Idempotent once started. */
  start(): Promise<void>;
  /** Puts this transmission on the air (updates advertising data, beacon element, or injects a frame). */
  transmit(t: Transmission): Promise<void>;
  /** Releases the hardware; nothing is sent once it resolves. Harmless before start() and twice. */
  stop(): Promise<void>;
}

export type RadioErrorCode =
  | 'not-installed' // a program or native addon the radio needs: hostapd, hostapd_cli, iw, unix-dgram, cap
  | 'permission' // root or capabilities needed
  | 'no-device' // no such interface or adapter, or none given
  | 'no-driver' // the kernel has no Bluetooth, or no nl80211
  | 'not-monitor' // a Wi-Fi interface that is not in monitor mode
  | 'busy' // the adapter is held by another program, or in the wrong state for the channel asked for
  | 'channel' // a Wi-Fi channel the adapter or the regulatory domain refuses
  | 'unsupported' // the hardware lacks what the transport needs (extended advertising, coded PHY, a free set)
  | 'config' // a setting the radio refuses: rate, channel, SSID, country code, names
  | 'payload' // a transmission the radio cannot send as given
  | 'not-started' // transmit() before start(), or a control channel already closed
  | 'hostapd' // hostapd refused, stopped, or stopped answering
  | 'controller' // the Bluetooth controller refused a command or stopped answering
  | 'failed'; // anything else

/** A radio that cannot start or send: what went wrong, and what the user can do about it ("TRANSPORT: REASON. Fix: FIX"). */
export class RadioError extends ToolkitError {
  override readonly name = 'RadioError';
  declare readonly code: RadioErrorCode;
  declare readonly fix: string;
  constructor(
    code: RadioErrorCode,
    readonly transport: BroadcastTransport,
    reason: string,
    fix: string,
    opts: { cause?: unknown } = {},
  ) {
    super(code, reason, { subject: transport, fix, ...opts });
  }
}
