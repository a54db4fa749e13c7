/**
 * The real radio for each transport, as the CLI configures them (--hci, --wifi, --wifi-mode). Both BLE
 * transports share one controller (two advertising sets, one random static address), as real
 * transmitters do and as a BT5 controller requires.
 */

import type { Clock } from '@odid/position';
import { BleExtendedRadio } from './ble-extended.js';
import { BleLegacyRadio } from './ble-legacy.js';
import { sharedBleController } from './hci/ble-radio.js';
import { randomAddresses } from './pcapng-sink.js';
import { RadioError, type Radio } from './types.js';
import { type BroadcastTransport } from '@odid/codec';
import { createWifiBeaconRadio } from './wifi-beacon.js';
import { createWifiNanRadio } from './wifi-nan.js';

export interface HardwareOptions {
  hci: number;
  wifi?: string;
  wifiMode: 'hostapd' | 'inject';
  clock: Clock;
  rateHz: number;
}

export function createHardwareRadios(transports: readonly BroadcastTransport[], opts: HardwareOptions): Radio[] {
  const ble = transports.filter((t) => t.startsWith('ble'));
  const controller = ble.length ? sharedBleController({ hciDevice: opts.hci, clock: opts.clock }) : undefined;
  // Injected frames carry a locally administered address of their own, new at every start.
  const wifiMac = randomAddresses().wifi;
  return transports.map((transport): Radio => {
    switch (transport) {
      case 'ble-legacy':
        return new BleLegacyRadio({ clock: opts.clock, controller });
      case 'ble-extended':
        return new BleExtendedRadio({ clock: opts.clock, controller, intervalMs: Math.round(1000 / opts.rateHz) });
      case 'wifi-beacon':
        if (!opts.wifi) return missingInterface(transport);
        return opts.wifiMode === 'inject'
          ? createWifiBeaconRadio({ backend: 'inject', iface: opts.wifi, mac: wifiMac, clock: opts.clock, rateHz: opts.rateHz })
          : createWifiBeaconRadio({ backend: 'hostapd', iface: opts.wifi, rateHz: opts.rateHz });
      case 'wifi-nan':
        if (!opts.wifi) return missingInterface(transport);
        return createWifiNanRadio({ iface: opts.wifi, mac: wifiMac, clock: opts.clock });
    }
  });
}

/** A Wi-Fi transport without --wifi: it says so when started, and the other transports run. */
function missingInterface(transport: BroadcastTransport): Radio {
  return {
    transport,
    description: 'no Wi-Fi interface',
    start: async () => {
      throw new RadioError('no-device', transport, 'no Wi-Fi interface was given', 'add --wifi IFACE (see hardware/wifi/README.md; `iw dev` lists interfaces)');
    },
    transmit: async () => {},
    stop: async () => {},
  };
}
