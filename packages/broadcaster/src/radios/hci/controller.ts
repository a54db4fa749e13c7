/**
 * One Bluetooth controller as the broadcaster drives it: opened once (reference-counted, so the legacy and
 * the long-range radio can share it), initialised, and asked for advertisers.
 *
 * Command set: a Bluetooth 5 controller with LE extended advertising (LE feature bit 12) latches the first
 * advertising command style it sees until HCI_Reset, and answers the other style with Command Disallowed
 * (Core v5.4 Vol 4 Part E §3.1.1). So on such a controller *both* advertisers use the extended commands: the
 * BT4 one as a set with the legacy-PDU property (0x0010 = legacy ADV_NONCONN_IND), the long-range one as an
 * extended set on LE Coded. A 4.x controller gets the legacy commands and has room for the BT4 advert only.
 */

import type { Clock } from '@odid/position';
import { randomStaticAddress, isRandomStaticAddress, cryptoRandom, type RandomSource } from './address.js';
import { createAdvertiser, type Advertiser, type AdvertiserOptions } from './advertisers.js';
import * as cmd from './commands.js';
import { HciParameterError } from './errors.js';
import {
  LE_FEATURE_CODED_PHY,
  LE_FEATURE_EXTENDED_ADVERTISING,
  coreVersionName,
  hasLeFeature,
  readBdAddr,
  readLeFeatures,
  readLocalVersion,
  readMaxAdvertisingDataLength,
  readNumberOfAdvertisingSets,
} from './events.js';
import { nativeSocketFactory, openHciSocket, type HciChannel, type HciSocket, type HciSocketFactory } from './socket.js';
import { HciTransport, type CommandResult, type Timers } from './transport.js';

export interface HciControllerOptions {
  /** N of hciN; default 0. */
  hciDevice?: number;
  /** 'user' (default: exclusive, adapter must be down) or 'raw' (shared with bluetoothd); see socket.ts. */
  channel?: HciChannel;
  /** Makes the socket; default the native `@stoprocent/bluetooth-hci-socket`, loaded on first open. */
  socketFactory?: HciSocketFactory;
  clock: Clock;
  /** Random static address to advertise from; default a new one per open. */
  address?: string;
  random?: RandomSource;
  commandTimeoutMs?: number;
  timers?: Timers;
}

export type CommandSet = 'legacy' | 'extended';

export interface ControllerInfo {
  device: string;
  /** Core specification version, "4.2", "5.4"... */
  bluetoothVersion: string;
  hciVersion: number;
  companyId: number;
  publicAddress: string;
  leFeatures: Uint8Array;
  extendedAdvertising: boolean;
  codedPhy: boolean;
  commandSet: CommandSet;
  /** Advertising sets the controller offers (1 with the legacy commands). */
  advertisingSets: number;
  /** Per set, in octets (31 with the legacy commands). */
  maxAdvertisingDataLength: number;
  /** When it was opened, on the injected clock. */
  openedAtMs: number;
}

/** HCI_Version of Core 5.0: from there on, non-connectable adverts may be faster than 100 ms. */
const HCI_VERSION_5_0 = 0x09;

export class HciController {
  readonly device: string;
  readonly hciDevice: number;
  readonly channel: HciChannel;
  private readonly opts: HciControllerOptions;
  private socket: HciSocket | undefined;
  private transport: HciTransport | undefined;
  private opening: Promise<ControllerInfo> | undefined;
  private users = 0;
  private _info: ControllerInfo | undefined;
  private _address: string | undefined;
  private readonly advertisers = new Set<Advertiser>();
  private creating: Promise<unknown> = Promise.resolve();

  constructor(opts: HciControllerOptions) {
    const dev = opts.hciDevice ?? 0;
    if (!Number.isInteger(dev) || dev < 0 || dev > 0xfffe) throw new RangeError(`hciDevice must be an adapter number like 0 for hci0, got ${dev}`);
    if (opts.address !== undefined && !isRandomStaticAddress(opts.address)) {
      throw new HciParameterError('HciController', 'address', opts.address, 'a random static address: first octet 0xC0..0xFF (two top bits 1), e.g. C0:11:22:33:44:55');
    }
    this.opts = opts;
    this.hciDevice = dev;
    this.device = `hci${dev}`;
    this.channel = opts.channel ?? 'user';
  }

  /** What the controller said about itself at open; undefined before. */
  get info(): ControllerInfo | undefined {
    return this._info;
  }

  /** The random static address every advert of this controller uses; undefined before open. */
  get address(): string | undefined {
    return this._address;
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  /** Opens and initialises the controller on first use; later calls share it. Throws HciOpenError / HciError. */
  async open(): Promise<ControllerInfo> {
    this.users++;
    this.opening ??= this.initialise();
    try {
      return await this.opening;
    } catch (e) {
      // A failed open has already shut down (and zeroed the count) for every caller waiting on it.
      this.users = Math.max(0, this.users - 1);
      throw e;
    }
  }

  /** Gives back one open(); the last one stops all adverts and closes the socket. */
  async close(): Promise<void> {
    if (this.users === 0) return;
    if (--this.users > 0) return;
    try {
      await this.opening?.catch(() => undefined);
      for (const a of [...this.advertisers]) await a.remove().catch(() => undefined);
    } finally {
      this.shutdown();
    }
  }

  /** Sends one command built by commands.ts. */
  send(packet: Uint8Array): Promise<CommandResult> {
    if (this.transport === undefined) return Promise.reject(new Error(`${this.device} is not open: call open() first`));
    return this.transport.send(packet);
  }

  /** A new advertiser on this controller (it must be open). Throws HciCapabilityError when it cannot have one. */
  async createAdvertiser(options: AdvertiserOptions): Promise<Advertiser> {
    const info = this._info;
    const address = this._address;
    if (info === undefined || address === undefined) throw new Error(`${this.device} is not open: call open() first`);
    // One at a time: each new advertiser picks its set handle from those already taken.
    const turn = this.creating.then(() => this.newAdvertiser(info, address, options));
    this.creating = turn.catch(() => undefined);
    return turn;
  }

  private async newAdvertiser(info: ControllerInfo, address: string, options: AdvertiserOptions): Promise<Advertiser> {
    const adv = await createAdvertiser(
      {
        info,
        address,
        send: (p) => this.send(p),
        taken: () => [...this.advertisers].map((a) => a.handle),
        forget: (a) => void this.advertisers.delete(a),
        clock: this.opts.clock,
        minIntervalUnits: info.commandSet === 'legacy' && info.hciVersion < HCI_VERSION_5_0 ? 0x00a0 : 0x0020,
      },
      options,
    );
    this.advertisers.add(adv);
    return adv;
  }

  private async initialise(): Promise<ControllerInfo> {
    try {
      const factory = this.opts.socketFactory ?? nativeSocketFactory();
      this.socket = openHciSocket(factory, this.hciDevice, this.channel);
      const transportOpts: { timeoutMs?: number; timers?: Timers } = {};
      if (this.opts.commandTimeoutMs !== undefined) transportOpts.timeoutMs = this.opts.commandTimeoutMs;
      if (this.opts.timers !== undefined) transportOpts.timers = this.opts.timers;
      this.transport = new HciTransport(this.socket, transportOpts);
      // On the user channel the controller is ours: start from a clean state, with no style latched. On the
      // raw channel a reset would pull the controller from under bluetoothd.
      if (this.channel === 'user') await this.send(cmd.reset());
      const version = readLocalVersion((await this.send(cmd.readLocalVersionInformation())).returnParameters);
      const publicAddress = readBdAddr((await this.send(cmd.readBdAddr())).returnParameters);
      const leFeatures = readLeFeatures((await this.send(cmd.leReadLocalSupportedFeatures())).returnParameters);
      const extendedAdvertising = hasLeFeature(leFeatures, LE_FEATURE_EXTENDED_ADVERTISING);
      const address = this.opts.address ?? randomStaticAddress(this.opts.random ?? cryptoRandom);
      let advertisingSets = 1;
      let maxAdvertisingDataLength = cmd.LEGACY_ADV_DATA_MAX;
      if (extendedAdvertising) {
        advertisingSets = readNumberOfAdvertisingSets((await this.send(cmd.leReadNumberOfSupportedAdvertisingSets())).returnParameters);
        maxAdvertisingDataLength = readMaxAdvertisingDataLength((await this.send(cmd.leReadMaximumAdvertisingDataLength())).returnParameters);
      } else {
        // Legacy advertising uses the controller-wide random address; each extended set gets its own later.
        await this.send(cmd.leSetRandomAddress(address));
      }
      this._address = address;
      this._info = {
        device: this.device,
        bluetoothVersion: coreVersionName(version.hciVersion),
        hciVersion: version.hciVersion,
        companyId: version.companyId,
        publicAddress,
        leFeatures,
        extendedAdvertising,
        codedPhy: hasLeFeature(leFeatures, LE_FEATURE_CODED_PHY),
        commandSet: extendedAdvertising ? 'extended' : 'legacy',
        advertisingSets,
        maxAdvertisingDataLength,
        openedAtMs: this.opts.clock.now(),
      };
      return this._info;
    } catch (e) {
      this.shutdown();
      throw e;
    }
  }

  private shutdown(): void {
    this.transport?.close();
    try {
      this.socket?.stop();
    } catch {
      // Already closed.
    }
    this.transport = undefined;
    this.socket = undefined;
    this.opening = undefined;
    this._info = undefined;
    this._address = this.opts.address;
    this.advertisers.clear();
    this.users = 0;
  }
}
