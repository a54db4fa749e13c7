/**
 * What the two BLE radios (ble-legacy.ts, ble-extended.ts) share: options, the controller they open (their
 * own, or one passed in so both adverts run side by side on one adapter), and the translation of every HCI
 * failure into a RadioError that says what to do.
 */

import type { Clock } from '@odid/position';
import { RadioError, type Radio, type RadioErrorCode } from '../types.js';
import { type BroadcastTransport } from '@odid/codec';
import { type Transmission } from '@odid/transmitter';
import type { RandomSource } from './address.js';
import type { Advertiser, AdvertiserKind } from './advertisers.js';
import { HciController } from './controller.js';
import { HciCapabilityError, HciError, HciOpenError, HciParameterError, type HciOpenErrorCode } from './errors.js';
import { STATUS } from './status.js';
import type { HciChannel, HciSocketFactory } from './socket.js';
import type { Timers } from './transport.js';

export interface BleRadioOptions {
  /** N of hciN; default 0. Ignored when `controller` is given. */
  hciDevice?: number;
  /** 'user' (default, exclusive: the adapter must be down) or 'raw' (shared with bluetoothd). */
  channel?: HciChannel;
  /** Makes the HCI socket; default the native @stoprocent/bluetooth-hci-socket. Tests pass a fake. */
  socketFactory?: HciSocketFactory;
  clock: Clock;
  /** Longest time between two adverts, ms. */
  intervalMs?: number;
  /** Random static address (first octet 0xC0..0xFF); default a new one per start. */
  address?: string;
  /**
   * An HciController shared with the other BLE radio, so both adverts run on one adapter with one random
   * address (two advertising sets). Without it the radio opens its own controller from the options above.
   */
  controller?: HciController;
  random?: RandomSource;
  commandTimeoutMs?: number;
  timers?: Timers;
}

/** One controller for both BLE radios on an adapter: pass the result as `controller` to each. */
export function sharedBleController(opts: Omit<BleRadioOptions, 'controller' | 'intervalMs'>): HciController {
  return new HciController(controllerOptions(opts));
}

function controllerOptions(o: BleRadioOptions): ConstructorParameters<typeof HciController>[0] {
  const c: ConstructorParameters<typeof HciController>[0] = { clock: o.clock };
  if (o.hciDevice !== undefined) c.hciDevice = o.hciDevice;
  if (o.channel !== undefined) c.channel = o.channel;
  if (o.socketFactory !== undefined) c.socketFactory = o.socketFactory;
  if (o.address !== undefined) c.address = o.address;
  if (o.random !== undefined) c.random = o.random;
  if (o.commandTimeoutMs !== undefined) c.commandTimeoutMs = o.commandTimeoutMs;
  if (o.timers !== undefined) c.timers = o.timers;
  return c;
}

const STATUS_FIXES: Readonly<Record<number, (device: string) => string>> = {
  [STATUS.UNKNOWN_HCI_COMMAND]: () => 'this controller does not implement the command: use a Bluetooth 5 adapter (LE extended advertising, LE Coded PHY) for ble-extended',
  [STATUS.COMMAND_DISALLOWED]: (d) =>
    `the controller refuses the command in its current state; usually bluetoothd drives the same adapter with the other advertising command style. Use the default user channel (adapter down: sudo hciconfig ${d} down, or stop bluetoothd), or reset it (sudo hciconfig ${d} reset) and retry`,
  [STATUS.UNSUPPORTED_FEATURE_OR_PARAMETER_VALUE]: () => 'the controller lacks a feature this advert needs (LE Coded PHY for ble-extended): use an adapter that supports LE Long Range',
  [STATUS.INVALID_HCI_COMMAND_PARAMETERS]: () => 'the controller refused a parameter: check intervalMs (at least 100 ms on Bluetooth 4.x adapters); if it persists, report the command log',
  [STATUS.MEMORY_CAPACITY_EXCEEDED]: (d) => `the controller has no free advertising set: stop other advertisers on ${d} (bluetoothd on the raw channel) or use the user channel`,
};

/** Any error from the HCI layer as a RadioError with a fix; other errors pass through unchanged. */
export function toRadioError(transport: BroadcastTransport, device: string, e: unknown): unknown {
  if (e instanceof RadioError) return e;
  // The HCI error's fix becomes the radio's; its headline (device and reason, no fix) the reason.
  if (e instanceof HciOpenError) return new RadioError(OPEN_FAILURES[e.code], transport, e.headline, e.fix, { cause: e });
  if (e instanceof HciCapabilityError) return new RadioError('unsupported', transport, e.headline, e.fix, { cause: e });
  if (e instanceof HciParameterError) return new RadioError('config', transport, e.message, 'pass values inside the range the message names', { cause: e });
  if (e instanceof HciError) {
    const fix =
      e.kind === 'status' && e.status !== undefined
        ? (STATUS_FIXES[e.status]?.(device) ?? `reset the adapter (sudo hciconfig ${device} reset) and retry`)
        : e.kind === 'timeout'
          ? `check that ${device} is connected and that no other program drives it (hciconfig -a, btmgmt info); replug it or reset it (sudo hciconfig ${device} reset)`
          : `the adapter stopped answering (unplugged?): check dmesg and hciconfig -a, then restart the broadcaster`;
    return new RadioError('controller', transport, `${device}: ${e.message}`, fix, { cause: e });
  }
  return e;
}

/** Why the socket did not open, as the radio's code. */
const OPEN_FAILURES: Readonly<Record<HciOpenErrorCode, RadioErrorCode>> = {
  EAFNOSUPPORT: 'no-driver',
  ENOMODULE: 'not-installed',
  EPERM: 'permission',
  EACCES: 'permission',
  ENODEV: 'no-device',
  EBUSY: 'busy',
  ENETDOWN: 'busy',
  UNKNOWN: 'failed',
};

/** The Radio life cycle over one advertiser; subclasses say how a transmission becomes advertising data. */
export abstract class BleHciRadio implements Radio {
  abstract readonly transport: BroadcastTransport;
  protected abstract readonly kind: AdvertiserKind;
  readonly controller: HciController;
  protected readonly intervalMs: number;
  private advertiser: Advertiser | undefined;
  private starting: Promise<void> | undefined;
  private sent = 0;

  constructor(
    opts: BleRadioOptions,
    defaultIntervalMs: number,
    private readonly extra: { sid?: number; txPowerDbm?: number } = {},
  ) {
    this.controller = opts.controller ?? new HciController(controllerOptions(opts));
    this.intervalMs = opts.intervalMs ?? defaultIntervalMs;
  }

  get description(): string {
    const info = this.controller.info;
    const how = info === undefined ? 'not started' : `Bluetooth ${info.bluetoothVersion}, ${info.commandSet} advertising commands`;
    return `${this.controller.device}, ${this.controller.channel} HCI channel, ${this.what()} every ${this.intervalMs} ms (${how})`;
  }

  /** Transmissions put on the air since start. */
  get transmissions(): number {
    return this.sent;
  }

  /** The advertiser, for tests and diagnostics; undefined until started. */
  get activeAdvertiser(): Advertiser | undefined {
    return this.advertiser;
  }

  protected abstract what(): string;
  /** The advertising data for one transmission; throws RadioError for a payload this radio cannot send. */
  protected abstract advData(t: Transmission): Uint8Array;

  start(): Promise<void> {
    this.starting ??= this.open().catch((e: unknown) => {
      this.starting = undefined;
      throw toRadioError(this.transport, this.controller.device, e);
    });
    return this.starting;
  }

  private async open(): Promise<void> {
    await this.controller.open();
    try {
      const opts: Parameters<HciController['createAdvertiser']>[0] = { kind: this.kind, intervalMs: this.intervalMs };
      if (this.extra.sid !== undefined) opts.sid = this.extra.sid;
      if (this.extra.txPowerDbm !== undefined) opts.txPowerDbm = this.extra.txPowerDbm;
      this.advertiser = await this.controller.createAdvertiser(opts);
    } catch (e) {
      await this.controller.close();
      throw e;
    }
  }

  async transmit(t: Transmission): Promise<void> {
    if (t.transport !== this.transport) {
      throw new RadioError('payload', this.transport, `asked to send a ${t.transport} transmission`, `route ${t.transport} transmissions to the ${t.transport} radio`);
    }
    const adv = this.advertiser;
    if (adv === undefined) throw new RadioError('not-started', this.transport, 'transmit() before start()', 'await radio.start() first');
    const data = this.advData(t);
    try {
      await adv.setData(data);
      this.sent++;
    } catch (e) {
      throw toRadioError(this.transport, this.controller.device, e);
    }
  }

  async stop(): Promise<void> {
    const starting = this.starting;
    if (starting === undefined) return;
    this.starting = undefined;
    // A start still under way finishes first, so its advertiser is removed too (or it failed and cleaned up).
    if ((await starting.then(() => true, () => false)) === false) return;
    const adv = this.advertiser;
    this.advertiser = undefined;
    try {
      await adv?.remove();
    } catch (e) {
      throw toRadioError(this.transport, this.controller.device, e);
    } finally {
      await this.controller.close();
    }
  }
}
