/**
 * Advertisers: one advert the controller repeats at its interval until its data is replaced or it is removed.
 * Three kinds of command sequence, chosen by the controller's command set (see controller.ts):
 * - legacy commands (4.x controller): LE Set Advertising Parameters (ADV_NONCONN_IND, random address),
 *   LE Set Advertising Data, LE Set Advertising Enable;
 * - BT4 advert on the extended commands: a set with properties 0x0010 (legacy ADV_NONCONN_IND) on LE 1M;
 * - BT5 Long Range: a set with properties 0x0000 (extended, non-connectable, non-scannable) with primary and
 *   secondary PHY LE Coded, its own SID, the whole message pack in one AUX_ADV_IND (spec digest §3.2).
 */

import type { Clock } from '@odid/position';
import * as cmd from './commands.js';
import { HciCapabilityError } from './errors.js';
import { readSelectedTxPower } from './events.js';
import type { CommandResult } from './transport.js';
import type { ControllerInfo } from './controller.js';

export type AdvertiserKind = 'legacy' | 'long-range';

export interface AdvertiserOptions {
  kind: AdvertiserKind;
  /** Longest time between two adverts, ms; the controller may go down to 3/4 of it to fit several sets. */
  intervalMs: number;
  /** Advertising SID of a long-range set, 0..15; default 1 (as ArduRemoteID uses). */
  sid?: number;
  /** Requested TX power, dBm -127..+20; default: the controller's choice. */
  txPowerDbm?: number;
}

export interface Advertiser {
  readonly kind: AdvertiserKind;
  /** The advertising set handle with the extended commands; undefined with the legacy ones. */
  readonly handle: number | undefined;
  readonly enabled: boolean;
  /** TX power the controller selected (extended commands only). */
  readonly selectedTxPowerDbm: number | undefined;
  /** When setData last succeeded, on the controller's clock. */
  readonly lastDataAtMs: number | undefined;
  /** Replaces the advertising data; the first call also starts advertising. */
  setData(advData: Uint8Array): Promise<void>;
  /** Stops advertising and frees the set. */
  remove(): Promise<void>;
}

/** What an advertiser needs from its controller. */
export interface AdvertiserHost {
  info: ControllerInfo;
  address: string;
  send(packet: Uint8Array): Promise<CommandResult>;
  /** Handles (or undefined for the legacy advert) already in use. */
  taken(): (number | undefined)[];
  forget(a: Advertiser): void;
  clock: Clock;
  /** Smallest Advertising_Interval_Min the controller accepts for a non-connectable advert. */
  minIntervalUnits: number;
}

/** Longest advertising interval the legacy commands allow: 0x4000 x 0.625 ms = 10.24 s. */
const LEGACY_MAX_INTERVAL_UNITS = 0x4000;
const EXTENDED_MAX_INTERVAL_UNITS = 0xffffff;
const DEFAULT_LONG_RANGE_SID = 1;
/** Legacy PDUs on an extended set have no SID on air; the field is still sent and must be valid. */
const LEGACY_SET_SID = 0;

function intervals(host: AdvertiserHost, intervalMs: number, maxUnits: number): { intervalMin: number; intervalMax: number } {
  const max = Math.round(intervalMs / cmd.ADV_INTERVAL_UNIT_MS);
  const floorMs = host.minIntervalUnits * cmd.ADV_INTERVAL_UNIT_MS;
  if (!Number.isFinite(intervalMs) || max < host.minIntervalUnits || max > maxUnits) {
    throw new HciCapabilityError(
      'interval',
      `${host.info.device} cannot advertise every ${intervalMs} ms: Bluetooth ${host.info.bluetoothVersion} allows ${floorMs}..${maxUnits * cmd.ADV_INTERVAL_UNIT_MS} ms for a non-connectable advert`,
      `use intervalMs between ${floorMs} and ${maxUnits * cmd.ADV_INTERVAL_UNIT_MS}`,
    );
  }
  // A window rather than one value lets the controller place two sets' events without collisions.
  return { intervalMin: Math.max(host.minIntervalUnits, Math.round(max * 0.75)), intervalMax: max };
}

export async function createAdvertiser(host: AdvertiserHost, opts: AdvertiserOptions): Promise<Advertiser> {
  const { info } = host;
  if (opts.kind === 'long-range') {
    if (!info.extendedAdvertising) {
      throw new HciCapabilityError(
        'no-extended-advertising',
        `${info.device} is a Bluetooth ${info.bluetoothVersion} controller without LE extended advertising (LE feature bit 12), so it cannot send Bluetooth 5 Long Range adverts`,
        'use a Bluetooth 5 adapter that supports LE Coded PHY (LE Long Range) for the ble-extended transport, or drop ble-extended and keep ble-legacy',
      );
    }
    if (!info.codedPhy) {
      throw new HciCapabilityError(
        'no-coded-phy',
        `${info.device} supports extended advertising but not the LE Coded PHY (LE feature bit 11) that Long Range needs`,
        'use a Bluetooth 5 adapter with LE Coded PHY (LE Long Range) for the ble-extended transport',
      );
    }
  }
  if (info.commandSet === 'legacy') return LegacyCommandAdvertiser.create(host, opts);
  return ExtendedSetAdvertiser.create(host, opts);
}

class LegacyCommandAdvertiser implements Advertiser {
  readonly kind = 'legacy' as const;
  readonly handle = undefined;
  readonly selectedTxPowerDbm = undefined;
  enabled = false;
  lastDataAtMs: number | undefined;

  private constructor(private readonly host: AdvertiserHost) {}

  static async create(host: AdvertiserHost, opts: AdvertiserOptions): Promise<LegacyCommandAdvertiser> {
    if (host.taken().includes(undefined)) {
      throw new HciCapabilityError(
        'no-free-set',
        `${host.info.device} (Bluetooth ${host.info.bluetoothVersion}, legacy advertising commands) has a single advert and it is in use`,
        'run one BT4 radio per adapter, or use a Bluetooth 5 adapter (several advertising sets)',
      );
    }
    const iv = intervals(host, opts.intervalMs, LEGACY_MAX_INTERVAL_UNITS);
    await host.send(cmd.leSetAdvertisingParameters({ ...iv, type: cmd.ADV_TYPE.ADV_NONCONN_IND, ownAddressType: cmd.OWN_ADDRESS.RANDOM }));
    return new LegacyCommandAdvertiser(host);
  }

  async setData(advData: Uint8Array): Promise<void> {
    await this.host.send(cmd.leSetAdvertisingData(advData));
    if (!this.enabled) {
      await this.host.send(cmd.leSetAdvertisingEnable(true));
      this.enabled = true;
    }
    this.lastDataAtMs = this.host.clock.now();
  }

  async remove(): Promise<void> {
    this.host.forget(this);
    if (!this.enabled) return;
    this.enabled = false;
    await this.host.send(cmd.leSetAdvertisingEnable(false));
  }
}

class ExtendedSetAdvertiser implements Advertiser {
  enabled = false;
  lastDataAtMs: number | undefined;

  private constructor(
    private readonly host: AdvertiserHost,
    readonly kind: AdvertiserKind,
    readonly handle: number,
    readonly selectedTxPowerDbm: number,
  ) {}

  static async create(host: AdvertiserHost, opts: AdvertiserOptions): Promise<ExtendedSetAdvertiser> {
    const { info } = host;
    const taken = host.taken();
    let handle = 0;
    while (taken.includes(handle)) handle++;
    if (handle >= info.advertisingSets) {
      throw new HciCapabilityError(
        'no-free-set',
        `${info.device} has ${info.advertisingSets} advertising set(s) and all are in use`,
        'run fewer BLE radios on this adapter, or add a second adapter',
      );
    }
    const longRange = opts.kind === 'long-range';
    const iv = intervals(host, opts.intervalMs, EXTENDED_MAX_INTERVAL_UNITS);
    const params: cmd.ExtendedAdvertisingParameters = {
      handle,
      // 0x0000: extended, non-connectable, non-scannable; 0x0010: legacy ADV_NONCONN_IND.
      properties: longRange ? 0 : cmd.ADV_PROPERTY.LEGACY,
      ...iv,
      ownAddressType: cmd.OWN_ADDRESS.RANDOM,
      primaryPhy: longRange ? cmd.PHY.LE_CODED : cmd.PHY.LE_1M,
      secondaryPhy: longRange ? cmd.PHY.LE_CODED : cmd.PHY.LE_1M,
      sid: longRange ? (opts.sid ?? DEFAULT_LONG_RANGE_SID) : LEGACY_SET_SID,
    };
    if (opts.txPowerDbm !== undefined) params.txPower = opts.txPowerDbm;
    const r = await host.send(cmd.leSetExtendedAdvertisingParameters(params));
    const adv = new ExtendedSetAdvertiser(host, opts.kind, handle, readSelectedTxPower(r.returnParameters));
    try {
      await host.send(cmd.leSetAdvertisingSetRandomAddress(handle, host.address));
    } catch (e) {
      await host.send(cmd.leRemoveAdvertisingSet(handle)).catch(() => undefined);
      throw e;
    }
    return adv;
  }

  async setData(advData: Uint8Array): Promise<void> {
    const max = Math.min(this.host.info.maxAdvertisingDataLength, cmd.EXT_ADV_DATA_FRAGMENT_MAX);
    if (advData.length > max) {
      throw new HciCapabilityError(
        'data-too-long',
        `${advData.length} octets of advertising data, but ${this.host.info.device} takes at most ${max} in one advert`,
        'send fewer messages per pack',
      );
    }
    // Fragment_Preference 1: keep the data in one PDU where possible (a Remote ID pack must fit one AUX_ADV_IND).
    await this.host.send(cmd.leSetExtendedAdvertisingData({ handle: this.handle, operation: cmd.ADV_DATA_OPERATION.COMPLETE, fragmentPreference: 1, data: advData }));
    if (!this.enabled) {
      await this.host.send(cmd.leSetExtendedAdvertisingEnable(true, [{ handle: this.handle }]));
      this.enabled = true;
    }
    this.lastDataAtMs = this.host.clock.now();
  }

  async remove(): Promise<void> {
    this.host.forget(this);
    if (this.enabled) {
      this.enabled = false;
      await this.host.send(cmd.leSetExtendedAdvertisingEnable(false, [{ handle: this.handle }]));
    }
    await this.host.send(cmd.leRemoveAdvertisingSet(this.handle));
  }
}
