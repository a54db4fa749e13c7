/** The real radio for each transport, as the CLI configures them (--hci, --wifi, --wifi-mode). */

import type { Clock } from '../clock.js';
import { RadioError, type Radio, type TransportName } from './types.js';

export interface HardwareOptions {
  hci: number;
  wifi?: string;
  wifiMode: 'hostapd' | 'inject';
  clock: Clock;
  rateHz: number;
}

/**
 * Returns a radio that reports, when started, why it cannot run. The drivers are being wired in; until
 * then every hardware transport says so and --pcapng is the way to broadcast.
 */
export function createHardwareRadio(transport: TransportName, _opts: HardwareOptions): Radio {
  return {
    transport,
    description: 'hardware radio',
    start: async () => {
      throw new RadioError(transport, 'the hardware driver is not wired into rid-broadcast in this build', 'use --pcapng FILE to broadcast into a capture');
    },
    transmit: async () => {},
    stop: async () => {},
  };
}
