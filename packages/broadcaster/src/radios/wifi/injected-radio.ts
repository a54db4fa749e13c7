/**
 * A Wi-Fi radio that injects its frames on a monitor interface: the inject back-end of wifi-beacon and
 * the only back-end of wifi-nan. start() tunes the interface (`iw dev IF set channel N`) and opens the
 * injector; each transmission sends the codec's frames for it, back to back.
 */

import type { Clock } from '@odid/position';
import { RadioError, type Radio } from '../types.js';
import { type Transmission } from '@odid/transmitter';
import { beaconIntervalTU, checkInterfaceName } from './hostapd-config.js';
import { runCommand, toolOutput, type CommandRunner } from '@odid/commands';
import { openMonitorInjector, monitorFix, type FrameSender } from './inject.js';
import { injectionFrames } from './tx-frames.js';

export interface InjectedRadioOptions {
  iface: string;
  /** Transmitter address written into the frames (a locally administered one hides the adapter's). */
  mac: string;
  clock: Clock;
  /** Default 6. */
  channel?: number;
  /** wifi-beacon: SSID (default "RemoteID") and the pack rate the beacon interval field announces (default 2). */
  ssid?: string;
  rateHz?: number;
  /** Tune the interface at start (default true); false when something else owns the channel. */
  setChannel?: boolean;
  /** Replaces the libpcap injector (tests). */
  openSender?: () => FrameSender;
  /** Runs iw (tests script it). */
  run?: CommandRunner;
}

export class InjectedWifiRadio implements Radio {
  readonly description: string;
  private sender: FrameSender | undefined;
  private sequence = 0;
  private startMs = 0;
  private readonly channel: number;

  constructor(
    readonly transport: 'wifi-beacon' | 'wifi-nan',
    private readonly opts: InjectedRadioOptions,
  ) {
    checkInterfaceName(opts.iface);
    this.channel = opts.channel ?? 6;
    this.description = `${opts.iface}, monitor-mode injection (${transport === 'wifi-nan' ? 'NAN sync beacon + SDF' : 'beacon'}), channel ${this.channel}`;
  }

  async start(): Promise<void> {
    if (this.sender) return;
    const o = this.opts;
    const sender = o.openSender ? o.openSender() : openMonitorInjector({ transport: this.transport, iface: o.iface });
    try {
      if (o.setChannel !== false) await this.tune();
    } catch (e) {
      sender.close();
      throw e;
    }
    this.sender = sender;
    this.startMs = o.clock.now();
    this.sequence = 0;
  }

  /** `iw dev IF set channel N`: a monitor interface transmits on whatever channel it is tuned to. */
  private async tune(): Promise<void> {
    const iface = this.opts.iface;
    const r = await (this.opts.run ?? runCommand)('iw', ['dev', iface, 'set', 'channel', String(this.channel)]);
    if (r.code === 0) return;
    const said = toolOutput(r);
    if (r.spawnError === 'ENOENT') throw new RadioError('not-installed', this.transport, 'iw is not installed', 'apt-get install iw');
    if (/nl80211 not found/.test(said)) {
      throw new RadioError('no-driver', this.transport, 'the kernel has no nl80211 (no Wi-Fi driver is loaded)', 'plug in a Wi-Fi adapter that supports monitor mode and injection; see hardware/wifi/README.md');
    }
    if (/Operation not permitted/.test(said)) throw new RadioError('permission', this.transport, `not allowed to tune ${iface}`, 'run as root (iw needs CAP_NET_ADMIN)');
    if (/Invalid argument|\(-22\)/.test(said)) {
      throw new RadioError('channel', this.transport, `${iface} cannot use channel ${this.channel} (band not supported, or the regulatory domain forbids it)`, 'use channel 6, or set the country: iw reg set XX (hardware/wifi/README.md)');
    }
    if (/busy|\(-16\)|not supported|\(-95\)/i.test(said)) throw new RadioError('busy', this.transport, `${iface} cannot be tuned: ${said}`, monitorFix(iface));
    throw new RadioError('channel', this.transport, `iw could not set channel ${this.channel} on ${iface}: ${said}`, monitorFix(iface));
  }

  async transmit(t: Transmission): Promise<void> {
    const sender = this.sender;
    if (!sender) throw new RadioError('not-started', this.transport, 'transmit() before start()', 'start the radio first');
    if (t.transport !== this.transport) throw new RangeError(`${this.transport} radio asked to send ${t.transport}`);
    const frames = injectionFrames(t, {
      mac: this.opts.mac,
      channel: this.channel,
      // TSF: µs since this radio started, on the broadcaster's clock.
      timestampUs: Math.max(0, Math.round((t.timeMs - this.startMs) * 1000)),
      sequence: this.sequence,
      ...(this.opts.ssid !== undefined ? { ssid: this.opts.ssid } : { ssid: 'RemoteID' }),
      beaconIntervalTU: beaconIntervalTU(this.opts.rateHz ?? 2),
    });
    this.sequence = (this.sequence + frames.length) & 0xfff;
    for (const f of frames) sender.send(f);
  }

  async stop(): Promise<void> {
    this.sender?.close();
    this.sender = undefined;
  }
}
