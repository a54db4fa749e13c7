/**
 * BT4 legacy advertising radio (spec digest §3.1): non-connectable ADV_NONCONN_IND from a random static
 * address, one 25-byte Open Drone ID message per advert in the 31-byte AdvData `1E 16 FA FF 0D counter msg`.
 * The scheduler rotates message types; each transmit() replaces the advertising data, and the controller
 * repeats the current advert every `intervalMs` (default 100 ms, so several types go out each second).
 */

import { buildLegacyAdvData } from '@odid/codec';
import { BleHciRadio, type BleRadioOptions } from './hci/ble-radio.js';
import { RadioError } from './types.js';
import { type Transmission } from '@odid/transmitter';

/** 100 ms: fast enough for the 3+ message types due each second, the floor of a Bluetooth 4.x controller. */
export const BLE_LEGACY_DEFAULT_INTERVAL_MS = 100;

export class BleLegacyRadio extends BleHciRadio {
  readonly transport = 'ble-legacy' as const;
  protected readonly kind = 'legacy' as const;

  constructor(opts: BleRadioOptions) {
    super(opts, BLE_LEGACY_DEFAULT_INTERVAL_MS);
  }

  protected what(): string {
    return 'legacy ADV_NONCONN_IND';
  }

  protected advData(t: Transmission): Uint8Array {
    try {
      return buildLegacyAdvData(t.counter, t.payload);
    } catch (e) {
      throw new RadioError('payload', this.transport, `payload rejected: ${(e as Error).message}`, 'give ble-legacy one 25-byte message and a counter 0..255 (packs go to ble-extended)');
    }
  }
}
