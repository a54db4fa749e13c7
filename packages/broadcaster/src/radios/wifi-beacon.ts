/**
 * The wifi-beacon radio (spec digest §3.3): Open Drone ID packs in a beacon's vendor element, on channel
 * 6 or 149. Two back-ends behind one Radio:
 * - 'hostapd': hostapd beacons as an open AP and each transmission refreshes the element through its
 *   control interface. Needs an adapter with AP mode (most have it) and hostapd.
 * - 'inject': the broadcaster builds each beacon itself and injects it on a monitor interface. Needs an
 *   adapter whose driver injects (hardware/wifi/README.md) and the cap addon (libpcap-dev).
 */

import type { Radio } from './types.js';
import { HostapdBeaconRadio, type HostapdBeaconOptions } from './wifi/hostapd-beacon.js';
import { InjectedWifiRadio, type InjectedRadioOptions } from './wifi/injected-radio.js';

export type WifiBeaconOptions = ({ backend: 'hostapd' } & HostapdBeaconOptions) | ({ backend: 'inject' } & InjectedRadioOptions);

export function createWifiBeaconRadio(opts: WifiBeaconOptions): Radio {
  if (opts.backend === 'hostapd') {
    const { backend: _, ...rest } = opts;
    return new HostapdBeaconRadio(rest);
  }
  const { backend: _, ...rest } = opts;
  return new InjectedWifiRadio('wifi-beacon', rest);
}

export { HostapdBeaconRadio, type HostapdBeaconOptions } from './wifi/hostapd-beacon.js';
export { InjectedWifiRadio, type InjectedRadioOptions } from './wifi/injected-radio.js';
