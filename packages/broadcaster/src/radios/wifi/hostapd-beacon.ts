/**
 * The hostapd back-end of the wifi-beacon radio: hostapd beacons on its own at the configured interval,
 * and each transmission replaces the ODID vendor element through the control interface. The element
 * also goes into probe responses (hostapd adds vendor_elements to both), as ArduRemoteID recommends.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOdidBeaconElement } from '@odid/codec';
import { RadioError, type Radio } from '../types.js';
import { type Transmission } from '@odid/transmitter';
import { buildHostapdConfig, beaconIntervalTU, checkInterfaceName } from './hostapd-config.js';
import { HostapdCliChannel } from './hostapd-cli.js';
import { HostapdControl } from './hostapd-control.js';
import { HostapdProcess, type SpawnFn } from './hostapd-process.js';
import { UnixDgramChannel, loadUnixDgram } from './ctrl-socket.js';

export type ControlKind = 'auto' | 'unix-dgram' | 'hostapd_cli';

export interface HostapdBeaconOptions {
  iface: string;
  /** Default "RemoteID". */
  ssid?: string;
  /** Default 6. */
  channel?: number;
  /** Packs per second; sets beacon_int. Default 2, the scheduler's default pack rate. */
  rateHz?: number;
  countryCode?: string;
  /** Folder for hostapd.conf and the control socket (default: a new folder in the OS temp dir). */
  workDir?: string;
  hostapdPath?: string;
  hostapdCliPath?: string;
  debug?: boolean;
  /** 'auto': the unix-dgram addon, else hostapd_cli. */
  control?: ControlKind;
  readyTimeoutMs?: number;
  spawn?: SpawnFn;
  /** Replaces the control channel (tests). */
  openControl?: (ctrlDir: string, iface: string) => HostapdControl | Promise<HostapdControl>;
}

/** Opens the control channel of the chosen kind; 'auto' falls back to hostapd_cli if the addon won't load. */
export function openHostapdControl(ctrlDir: string, iface: string, kind: ControlKind = 'auto', cliPath?: string): HostapdControl {
  const socketPath = join(ctrlDir, iface);
  const cli = (): HostapdControl => new HostapdControl(new HostapdCliChannel(ctrlDir, iface, cliPath ? { cliPath } : {}));
  if (kind === 'hostapd_cli') return cli();
  let mod;
  try {
    mod = loadUnixDgram();
  } catch (e) {
    if (kind === 'unix-dgram') throw e;
    return cli();
  }
  return new HostapdControl(UnixDgramChannel.open(socketPath, { module: mod }));
}

export class HostapdBeaconRadio implements Radio {
  readonly transport = 'wifi-beacon' as const;
  readonly description: string;
  private readonly ssid: string;
  private readonly channel: number;
  private readonly rateHz: number;
  private process: HostapdProcess | undefined;
  private control: HostapdControl | undefined;
  private madeDir: string | undefined;

  constructor(private readonly opts: HostapdBeaconOptions) {
    checkInterfaceName(opts.iface);
    this.ssid = opts.ssid ?? 'RemoteID';
    this.channel = opts.channel ?? 6;
    this.rateHz = opts.rateHz ?? 2;
    this.description = `${opts.iface}, hostapd beacon (vendor_elements + UPDATE_BEACON), channel ${this.channel}, ${beaconIntervalTU(this.rateHz)} TU`;
  }

  /** Writes hostapd.conf, starts hostapd and opens its control channel. */
  async start(): Promise<void> {
    if (this.process) return;
    const o = this.opts;
    const dir = o.workDir ?? (this.madeDir = mkdtempSync(join(tmpdir(), 'odid-hostapd-')));
    const ctrlDir = join(dir, 'ctrl');
    const configPath = join(dir, 'hostapd.conf');
    // No vendor element yet: the first transmission sets it, a few ms after AP-ENABLED.
    const config = buildHostapdConfig({
      iface: o.iface,
      ssid: this.ssid,
      channel: this.channel,
      rateHz: this.rateHz,
      ctrlInterface: ctrlDir,
      ...(o.countryCode !== undefined ? { countryCode: o.countryCode } : {}),
    });
    writeFileSync(configPath, config);
    const proc = new HostapdProcess({
      configPath,
      iface: o.iface,
      ...(o.hostapdPath !== undefined ? { hostapdPath: o.hostapdPath } : {}),
      ...(o.debug !== undefined ? { debug: o.debug } : {}),
      ...(o.readyTimeoutMs !== undefined ? { readyTimeoutMs: o.readyTimeoutMs } : {}),
      ...(o.spawn ? { spawn: o.spawn } : {}),
    });
    try {
      await proc.start();
      this.process = proc;
      this.control = await (o.openControl ?? ((d, i) => openHostapdControl(d, i, o.control, o.hostapdCliPath)))(ctrlDir, o.iface);
      await this.control.ping();
    } catch (e) {
      // The written hostapd.conf stays, so the `hostapd -dd FILE` the error suggests can be run.
      this.madeDir = undefined;
      await this.stop();
      await proc.stop();
      throw e;
    }
  }

  async transmit(t: Transmission): Promise<void> {
    if (!this.control || !this.process) {
      throw new RadioError('not-started', 'wifi-beacon', 'transmit() before start()', 'start the radio first');
    }
    if (this.process.exited !== undefined) throw this.process.failure(`hostapd stopped (${this.process.exited})`);
    await this.control.refreshVendorElements(buildOdidBeaconElement(t.counter, t.payload));
  }

  async stop(): Promise<void> {
    const control = this.control;
    const proc = this.process;
    this.control = undefined;
    this.process = undefined;
    await control?.close();
    await proc?.stop();
    if (this.madeDir) rmSync(this.madeDir, { recursive: true, force: true });
    this.madeDir = undefined;
  }
}
