/**
 * The receiver's Bluetooth LE source: noble scans (duplicates allowed, legacy or extended on LE 1M + LE
 * Coded as the controller allows), and every advertising report the controller sends is taken raw from
 * noble's HCI socket, split out of its event by the codec (splitHciAdvReports), passed through a cheap
 * 0xFFFA Service Data pre-filter and handed on as a DLT 201 record holding that report's bytes, exactly
 * as btmon would have captured it. The pipeline's extractor then reassembles extended-report fragments,
 * which noble itself drops.
 *
 * noble is imported only in start(), so nothing touches Bluetooth until a BLE source is started.
 * Failures say what is missing and how to fix it (BleSourceError with `code` and `fix`).
 */

import { EventEmitter } from 'node:events';
import { splitHciAdvReports, type HciAdvReport } from '@odid/codec';
import type { FrameSource, FrameSourceEvents, RawFrame } from './types.js';
import { systemTimers, type Timers } from './wifi/timers.js';
import { diagnoseHci } from './ble/diagnose.js';
import { BleSourceError, bleError, type BleErrorCode } from './ble/errors.js';
import { forgetDiscoveries, hciOf, loadNoble, quietStateWarnings, type AdapterState, type HciSocketLike, type NobleHciOptions, type NobleLike, type NobleRuntime } from './ble/noble.js';
import { RemoteIdGate } from './ble/odid-filter.js';
import { BLE_RECORD_LINKTYPE, reportToRecord } from './ble/records.js';

export type BleScanMode = 'auto' | 'extended' | 'legacy';

export interface BleSourceOptions {
  /** hciN to scan on. Default: env NOBLE_HCI_DEVICE_ID, else the first adapter that is up. */
  hciDevice?: number;
  /**
   * The exclusive HCI user channel (adapter down, bluetoothd stopped) instead of the raw channel shared
   * with bluetoothd. Default: env HCI_CHANNEL_USER set.
   */
  userChannel?: boolean;
  /**
   * 'auto' (default): extended scanning (LE 1M + LE Coded where supported) when the controller has LE
   * extended advertising, legacy otherwise. 'extended': fail unless it has. 'legacy': legacy commands only.
   */
  scan?: BleScanMode;
  /** Forward every advertising report, not only those with Remote ID Service Data (full recordings). */
  allReports?: boolean;
  /** How long the adapter may take to power on and start scanning, ms (default 10000). */
  startTimeoutMs?: number;
  /** How often noble's memory of past advertisers is cleared, ms (default 60000; 0 = never). */
  forgetEveryMs?: number;
  /** Clock for frame times and the start deadline. */
  timers?: Timers;
  /** Where noble comes from (tests wrap it); default: import `@stoprocent/noble`. */
  loadNoble?: () => Promise<NobleRuntime>;
}

export interface BleSourceStats {
  /** HCI LE advertising report events read. */
  events: number;
  reports: number;
  /** Records emitted as frames. */
  forwarded: number;
  /** Reports the controller got wrong (emitted as errors too). */
  malformed: number;
}

/** Service Data UUID noble filters its own discoveries by (ours come from the socket, unfiltered). */
const REMOTE_ID_UUID = 'fffa';
const FAILED_STATES: ReadonlySet<AdapterState> = new Set(['unsupported', 'unauthorized', 'poweredOff']);
const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_FORGET_EVERY_MS = 60_000;
const H4_EVENT = 0x04;
const EVT_LE_META = 0x3e;

/** A report and the event it came in (its bytes are recorded from there), held by the gate until it may go on. */
interface Received {
  packet: Uint8Array;
  report: HciAdvReport;
  t: number;
}

function deviceFromEnv(): number | undefined {
  const v = process.env.NOBLE_HCI_DEVICE_ID;
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw bleError('config', 'hci', `NOBLE_HCI_DEVICE_ID=${v} is not an adapter number`);
  return Number(v);
}

export class BleSource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  readonly name: string;
  readonly stats: BleSourceStats = { events: 0, reports: 0, forwarded: 0, malformed: 0 };
  /** What is running, for logs ("hci1, raw HCI channel, extended scanning on LE 1M + LE Coded, noble 2.8.0"). */
  description = 'not started';
  private readonly device: number | undefined;
  private readonly label: string;
  private readonly userChannel: boolean;
  private readonly timers: Timers;
  private readonly gate = new RemoteIdGate<Received>();
  private noble: NobleLike | undefined;
  private socket: HciSocketLike | undefined;
  private forgetTimer: ReturnType<typeof setInterval> | undefined;
  private poweredOn = false;
  private stopped = false;
  /** Rejects a start() in progress when stop() is called. */
  private abortStart: ((e: Error) => void) | undefined;
  private aborted = new Promise<never>(() => undefined);
  /** The failure being worked out (noble's state and the deadline may both report one). */
  private failing: Promise<BleSourceError> | undefined;
  private starting: Promise<void> | undefined;
  /** When start() gives up (ms on `timers`). */
  private deadline = 0;

  constructor(private readonly opts: BleSourceOptions = {}) {
    super();
    const device = opts.hciDevice ?? deviceFromEnv();
    if (device !== undefined && !(Number.isInteger(device) && device >= 0 && device <= 0xffff)) {
      throw bleError('config', 'hci', `hciDevice ${device} is not an adapter number (0 for hci0)`);
    }
    if (opts.scan !== undefined && !['auto', 'extended', 'legacy'].includes(opts.scan)) {
      throw bleError('config', 'hci', `scan '${String(opts.scan)}' is not one of auto, extended, legacy`);
    }
    this.device = device;
    this.label = `hci${device ?? 0}`;
    this.userChannel = opts.userChannel ?? Boolean(process.env.HCI_CHANNEL_USER);
    this.timers = opts.timers ?? systemTimers;
    this.name = `ble:${device === undefined ? 'hci (first adapter up)' : this.label}`;
  }

  /** Opens the adapter and starts scanning; rejects with a BleSourceError saying what to fix. */
  start(): Promise<void> {
    if (this.noble && !this.starting) return Promise.resolve();
    this.starting ??= this.open().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async open(): Promise<void> {
    this.stopped = false;
    this.failing = undefined;
    this.aborted = new Promise<never>((_, reject) => (this.abortStart = reject));
    this.aborted.catch(() => undefined); // only start() awaits it
    this.deadline = this.timers.now() + (this.opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    const runtime = await (this.opts.loadNoble ?? loadNoble)();
    if (this.stopped) throw bleError('config', this.label, 'stop() was called while the source was starting');
    const options: NobleHciOptions = { userChannel: this.userChannel };
    if (this.device !== undefined) options.deviceId = this.device;
    if (this.opts.scan === 'legacy') options.extended = false;
    const noble = runtime.create(options);
    quietStateWarnings(noble);
    this.noble = noble;
    try {
      await this.withDeadline(runtime, () => this.powerOn(noble, runtime));
      const hci = hciOf(noble);
      if (this.opts.scan === 'extended' && !hci?._isExtended) throw bleError('no-extended', this.label);
      if (this.userChannel && hci) await this.withDeadline(runtime, () => this.resetController(hci));
      this.attach(noble);
      await this.withDeadline(runtime, () =>
        noble.startScanningAsync([REMOTE_ID_UUID], true).catch((e: unknown) => {
          throw bleError('scan-failed', this.label, (e as Error).message, { cause: e });
        }),
      );
      noble.on('stateChange', this.onState);
      this.poweredOn = true;
      this.description = this.describe(runtime.version, hci);
      const every = this.opts.forgetEveryMs ?? DEFAULT_FORGET_EVERY_MS;
      if (every > 0) {
        this.forgetTimer = setInterval(() => forgetDiscoveries(noble), every);
        this.forgetTimer.unref();
      }
    } catch (e) {
      await this.release();
      throw e;
    } finally {
      this.abortStart = undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abortStart?.(bleError('config', this.label, 'stop() was called while the source was starting'));
    await this.release();
  }

  /** Resolves on poweredOn; on a failure state, stops noble and rejects with what is wrong. */
  private powerOn(noble: NobleLike, runtime: NobleRuntime): Promise<void> {
    return new Promise((resolve, reject) => {
      const listener = (state: AdapterState): void => {
        if (state === 'poweredOn') {
          noble.removeListener('stateChange', listener);
          resolve();
        } else if (FAILED_STATES.has(state)) {
          noble.removeListener('stateChange', listener);
          void this.failure(state, runtime).then(reject);
        }
      };
      // Adding the listener is what makes noble open the adapter (on the next tick).
      noble.on('stateChange', listener);
    });
  }

  /**
   * On the user channel noble (2.8.0) reads the LE features only after the first Read Local Version
   * answer, so it has already configured legacy scanning when it learns the controller is Bluetooth 5;
   * its extended scan commands are then refused with Command Disallowed (Core Vol 4 Part E §3.1.1) until
   * an HCI_Reset (harmless on a 4.x controller). On the raw channel the features come first.
   */
  private resetController(hci: NonNullable<ReturnType<typeof hciOf>>): Promise<void> {
    if (typeof hci.reset !== 'function' || typeof hci.once !== 'function') return Promise.reject(bleError('noble-internals', this.label, 'no _hci.reset()'));
    return new Promise((resolve) => {
      hci.once?.('reset', resolve);
      hci.reset?.();
    });
  }

  /** Races `step` against what is left until the start deadline (and stop()); on timeout, finds out why. */
  private async withDeadline<T>(runtime: NobleRuntime, step: () => Promise<T>): Promise<T> {
    let timer: unknown;
    const ms = this.opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const timeout = new Promise<never>((_, reject) => {
      const left = Math.max(0, this.deadline - this.timers.now());
      timer = this.timers.setTimeout(() => void this.failure('timeout', runtime, ms).then(reject), left);
    });
    try {
      return await Promise.race([step(), timeout, this.aborted]);
    } finally {
      this.timers.clearTimeout(timer);
    }
  }

  /** The error for a failed start: noble is stopped first, so the probe can open the adapter itself. */
  private failure(state: AdapterState | 'timeout', runtime: NobleRuntime, ms?: number): Promise<BleSourceError> {
    this.failing ??= this.diagnose(state, runtime, ms);
    return this.failing;
  }

  private async diagnose(state: AdapterState | 'timeout', runtime: NobleRuntime, ms?: number): Promise<BleSourceError> {
    await this.release();
    const found = diagnoseHci(() => runtime.createSocket(), this.device, this.userChannel);
    if (found) return bleError(found.code, this.label, `noble: ${state}; ${found.detail}`);
    const fallback: Record<AdapterState | 'timeout', BleErrorCode> = {
      unsupported: 'no-le',
      unauthorized: 'permission',
      poweredOff: 'adapter-down',
      timeout: 'timeout',
      unknown: 'timeout',
      resetting: 'timeout',
      poweredOn: 'timeout',
    };
    const detail = state === 'timeout' ? `no poweredOn and scanning within ${ms} ms` : `noble: ${state}`;
    return bleError(fallback[state], this.label, detail);
  }

  /** Reads the reports from noble's HCI socket (again after noble re-opens the adapter). */
  private attach(noble: NobleLike): void {
    const socket = hciOf(noble)?._socket;
    if (!socket || typeof socket.on !== 'function') throw bleError('noble-internals', this.label);
    if (this.socket === socket && socket.listeners('data').includes(this.onPacket)) return;
    this.socket?.removeListener('data', this.onPacket);
    this.socket = socket;
    socket.on('data', this.onPacket);
    // The receiver's CLI owns Ctrl-C and stops the source; noble would exit the process on its own.
    const sigint = noble._bindings?._sigIntHandler;
    if (typeof sigint === 'function') process.removeListener('SIGINT', sigint);
  }

  private readonly onPacket = (packet: Buffer): void => {
    if (packet[0] !== H4_EVENT || packet[1] !== EVT_LE_META) return; // only LE Meta events can hold reports
    const event = splitHciAdvReports(packet, 1);
    const { reports, error } = event;
    if (event.subevent === undefined || (reports.length === 0 && error === undefined)) return;
    this.stats.events++;
    this.stats.reports += reports.length;
    // The reports before the damage are good: they go on.
    if (error !== undefined) this.malformed(`${error.message}; ${reports.length} of ${event.numReports} reports read`, packet);
    const t = this.timers.now() / 1000;
    for (const report of reports) {
      const item: Received = { packet, report, t };
      const out = this.opts.allReports ? [item] : this.gate.offer(report, item);
      for (const held of out) this.forward(held);
    }
  };

  private forward({ packet, report, t }: Received): void {
    let data: Uint8Array;
    try {
      data = reportToRecord(packet, report);
    } catch (e) {
      this.malformed((e as Error).message);
      return;
    }
    this.stats.forwarded++;
    const frame: RawFrame = { t, linkType: BLE_RECORD_LINKTYPE, data };
    this.emit('frame', frame);
  }

  private malformed(detail: string, packet?: Buffer): void {
    this.stats.malformed++;
    const hex = packet ? `; event ${packet.toString('hex')}` : '';
    this.emit('error', bleError('malformed', this.label, `${detail}${hex}`));
  }

  /** After a start: noble re-opens an adapter that comes back up, and scanning must be started again. */
  private readonly onState = (state: AdapterState): void => {
    const noble = this.noble;
    if (!noble || this.stopped) return;
    if (state === 'poweredOn') {
      if (this.poweredOn) return;
      this.poweredOn = true;
      try {
        this.attach(noble);
      } catch (e) {
        this.emit('error', e as Error);
        return;
      }
      // noble still believes it is scanning: stop first, or it sends nothing.
      noble
        .stopScanningAsync()
        .catch(() => undefined)
        .then(() => noble.startScanningAsync([REMOTE_ID_UUID], true))
        .catch((e: unknown) => this.emit('error', bleError('scan-failed', this.label, (e as Error).message, { cause: e })));
      return;
    }
    if (!this.poweredOn || !FAILED_STATES.has(state)) return;
    this.poweredOn = false;
    // 'unsupported' while running: the socket failed, most likely the adapter was unplugged.
    const code: BleErrorCode = state === 'unauthorized' ? 'permission' : state === 'unsupported' ? 'no-adapter' : 'adapter-down';
    this.emit('error', bleError(code, this.label, `noble: ${state} while scanning; scanning resumes when the adapter is back`));
  };

  private describe(version: string, hci: ReturnType<typeof hciOf>): string {
    const channel = this.userChannel ? 'user' : 'raw';
    const scanning = hci?._isExtended ? `extended scanning on LE 1M${hci._supportsCodedPhy ? ' + LE Coded' : ''}` : 'legacy scanning';
    return `${this.label}, ${channel} HCI channel, ${scanning}, noble ${version}`;
  }

  /** Stops noble and lets go of its socket; safe to call more than once. */
  private async release(): Promise<void> {
    if (this.forgetTimer) clearInterval(this.forgetTimer);
    this.forgetTimer = undefined;
    this.socket?.removeListener('data', this.onPacket);
    this.socket = undefined;
    this.poweredOn = false;
    const noble = this.noble;
    this.noble = undefined;
    if (!noble) return;
    noble.removeListener('stateChange', this.onState);
    // noble opens the adapter on the tick after the first 'stateChange' listener: wait for that.
    if (!hciOf(noble)) await new Promise<void>((r) => setImmediate(r));
    try {
      noble.stop();
    } catch {
      // bindings that never started have nothing to stop
    }
  }
}

export { BleSourceError, bleError, type BleErrorCode } from './ble/errors.js';
export { reportToRecord, reportFault, BLE_RECORD_LINKTYPE } from './ble/records.js';
export { hasOdidServiceData, RemoteIdGate, type GateOptions } from './ble/odid-filter.js';
export { loadNoble, NOBLE_PACKAGE, type NobleRuntime, type NobleLike, type NobleHciOptions, type AdapterState } from './ble/noble.js';
export { diagnoseHci, type Diagnosis } from './ble/diagnose.js';
