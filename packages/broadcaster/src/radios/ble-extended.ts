/**
 * BT5 Long Range radio (spec digest §3.2): an extended advertising set, non-connectable and non-scannable
 * (properties 0), primary and secondary PHY LE Coded, SID 1, carrying the message pack in the AD
 * `[len] 16 FA FF 0D counter pack`, sent to the controller in one LE Set Extended Advertising Data
 * (operation 3, complete). The pack goes out once per interval: 1 s by default, i.e. 1 Hz; pass
 * intervalMs = 1000 / rate for faster rates.
 */

import { buildExtendedAdvData } from '@odid/codec';
import { BleHciRadio, type BleRadioOptions } from './hci/ble-radio.js';
import { RadioError } from './types.js';
import { type Transmission } from '@odid/transmitter';

export const BLE_EXTENDED_DEFAULT_INTERVAL_MS = 1000;

export interface BleExtendedRadioOptions extends BleRadioOptions {
  /** Advertising SID 0..15; default 1. */
  sid?: number;
  /** Requested TX power, dBm -127..+20; default the controller's choice. */
  txPowerDbm?: number;
}

export class BleExtendedRadio extends BleHciRadio {
  readonly transport = 'ble-extended' as const;
  protected readonly kind = 'long-range' as const;

  constructor(opts: BleExtendedRadioOptions) {
    const extra: { sid?: number; txPowerDbm?: number } = {};
    if (opts.sid !== undefined) extra.sid = opts.sid;
    if (opts.txPowerDbm !== undefined) extra.txPowerDbm = opts.txPowerDbm;
    super(opts, BLE_EXTENDED_DEFAULT_INTERVAL_MS, extra);
  }

  protected what(): string {
    return 'extended advertising on LE Coded (Long Range)';
  }

  protected advData(t: Transmission): Uint8Array {
    try {
      return buildExtendedAdvData(t.counter, t.payload);
    } catch (e) {
      throw new RadioError('payload', this.transport, `payload rejected: ${(e as Error).message}`, 'give ble-extended one message pack (at most 9 messages) and a counter 0..255');
    }
  }
}
