/**
 * The wifi-nan radio (spec digest §3.4): per transmission a NAN synchronisation beacon and, right after
 * it, the NAN service discovery frame carrying `[counter][pack]`, as core-c and ArduRemoteID send them.
 * No Linux AP daemon speaks NAN for us, so the frames are injected on a monitor interface (inject.ts).
 */

import type { Radio } from './types.js';
import { InjectedWifiRadio, type InjectedRadioOptions } from './wifi/injected-radio.js';

export type WifiNanOptions = Omit<InjectedRadioOptions, 'ssid'>;

export function createWifiNanRadio(opts: WifiNanOptions): Radio {
  return new InjectedWifiRadio('wifi-nan', opts);
}
