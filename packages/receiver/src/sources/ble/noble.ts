/**
 * Loading `@stoprocent/noble` only when a BLE source starts (so `rid-scan --sim` and replays never touch
 * Bluetooth), and the part of it the source relies on, private fields included, typed in one place.
 *
 * noble runs the controller: it picks the adapter (the `deviceId` option, else env NOBLE_HCI_DEVICE_ID,
 * else the first adapter that is up), binds the raw channel (or the user channel: `userChannel`, env
 * HCI_CHANNEL_USER), resets it, and scans with the extended commands on LE 1M + LE Coded when the
 * controller has LE extended advertising (feature bit 12) and LE Coded (bit 11), with the legacy commands
 * otherwise. The advertising bytes themselves are read from its HCI socket (`_bindings._hci._socket`):
 * noble's parsed Peripheral has no raw data, and it drops fragmented extended reports.
 */

import { createRequire } from 'node:module';
import { bleError } from './errors.js';

export const NOBLE_PACKAGE = '@stoprocent/noble';
const HCI_SOCKET_PACKAGE = '@stoprocent/bluetooth-hci-socket';

export type AdapterState = 'poweredOn' | 'poweredOff' | 'unauthorized' | 'unsupported' | 'unknown' | 'resetting';

/** The `@stoprocent/bluetooth-hci-socket` calls this package makes (reading, and probing after a failure). */
export interface HciSocketLike {
  on(event: 'data', listener: (packet: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'data', listener: (packet: Buffer) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  listeners(event: 'data'): unknown[];
  bindRaw(devId?: number): number | undefined;
  bindUser(devId?: number): number | undefined;
  isDevUp(): boolean;
  start(): void;
  stop(): void;
}

/** noble's Hci object (lib/hci-socket/hci.js), private. */
export interface NobleHci {
  _socket?: HciSocketLike;
  /** Extended scanning commands in use (set once LE features are read). */
  _isExtended?: boolean;
  _supportsCodedPhy?: boolean;
  /** Writes HCI_Reset; 'reset' is emitted once the controller answered and noble set it up again. */
  reset?: () => void;
  once?: (event: 'reset', listener: () => void) => unknown;
}

export interface NobleBindings {
  _hci?: NobleHci | null;
  _gap?: { _discoveries?: Record<string, unknown> } | null;
  _sigIntHandler?: (...args: unknown[]) => void;
  onStateChange?: (state: AdapterState) => void;
}

/** A Noble instance: the public calls used, plus `_bindings`. */
export interface NobleLike {
  on(event: 'stateChange', listener: (state: AdapterState) => void): unknown;
  removeListener(event: 'stateChange', listener: (state: AdapterState) => void): unknown;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
  stop(): void;
  _bindings?: NobleBindings;
  _cleanupPeriperals?: () => void;
}

export interface NobleHciOptions {
  deviceId?: number;
  userChannel?: boolean;
  /** Omitted: noble decides from the controller's LE features. */
  extended?: boolean;
}

/** What the BLE source needs from the installed noble. */
export interface NobleRuntime {
  version: string;
  /** A new Noble on the HCI bindings; it opens nothing until a 'stateChange' listener is added. */
  create(options: NobleHciOptions): NobleLike;
  /** A new socket from the same bluetooth-hci-socket noble uses, to find out why noble failed. */
  createSocket(): HciSocketLike;
}

interface NobleModule {
  withBindings(type: 'hci', options: NobleHciOptions): NobleLike;
}
type SocketModule = (new () => HciSocketLike) & { loadDriver?: (type: string) => new () => HciSocketLike };

/** Imports noble now (not at module load). Throws BleSourceError 'no-noble' when it is not installed. */
export async function loadNoble(): Promise<NobleRuntime> {
  let entry: string;
  let mod: Partial<NobleModule> & { default?: Partial<NobleModule> };
  try {
    entry = createRequire(import.meta.url).resolve(NOBLE_PACKAGE);
    mod = (await import('@stoprocent/noble')) as unknown as typeof mod;
  } catch (e) {
    throw bleError('no-noble', 'hci', (e as Error).message, { cause: e });
  }
  const withBindings = mod.withBindings ?? mod.default?.withBindings;
  if (typeof withBindings !== 'function') throw bleError('no-noble', 'hci', `${NOBLE_PACKAGE} has no withBindings()`);
  // Resolved from noble's own directory, so the probe gets the very module noble loaded.
  const fromNoble = createRequire(entry);
  const version = (fromNoble('./package.json') as { version?: string }).version ?? 'unknown';
  return {
    version,
    create: (options) => withBindings('hci', options),
    createSocket: () => {
      const m = fromNoble(HCI_SOCKET_PACKAGE) as SocketModule;
      const Socket = typeof m.loadDriver === 'function' ? m.loadDriver('default') : m;
      return new Socket();
    },
  };
}

/** noble's HCI socket, once its bindings have started. */
export function hciOf(noble: NobleLike): NobleHci | undefined {
  return noble._bindings?._hci ?? undefined;
}

/**
 * Forgets what noble remembers of every advertiser it ever heard (Peripherals, and its GAP layer's
 * per-address discoveries), which otherwise grows for as long as the receiver runs. The source never
 * connects, so nothing is lost.
 */
export function forgetDiscoveries(noble: NobleLike): void {
  if (typeof noble._cleanupPeriperals === 'function') noble._cleanupPeriperals();
  const gap = noble._bindings?._gap;
  if (gap && typeof gap._discoveries === 'object') gap._discoveries = {};
}

/**
 * noble prints its own advice to stdout (console.log) on 'unsupported'/'unauthorized', which would corrupt
 * a receiver writing JSON to stdout, and is less precise than the source's BleSourceError. This mutes
 * console.log for the duration of noble's state handler only. Call before noble starts (the handler is
 * bound when its bindings start).
 */
export function quietStateWarnings(noble: NobleLike): void {
  const bindings = noble._bindings;
  const handler = bindings?.onStateChange;
  if (!bindings || typeof handler !== 'function') return;
  bindings.onStateChange = function (this: NobleBindings, state: AdapterState): void {
    const log = console.log;
    console.log = () => undefined;
    try {
      handler.call(this, state);
    } finally {
      console.log = log;
    }
  };
}
