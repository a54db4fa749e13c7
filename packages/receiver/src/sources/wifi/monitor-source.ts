/**
 * Live Wi-Fi Remote ID reception on a monitor-mode interface: tcpdump captures beacons, probe responses
 * and action frames (radiotap + 802.11, exactly what a capture file holds), the channel hopper moves
 * the radio between the Remote ID channels.
 *
 * How the interface gets into monitor mode (monitorMode):
 * - 'existing' (default): it already is (hardware/wifi/monitor-setup.sh, or a monN made by hand).
 * - 'iw': this source switches it (ip link down, iw set type monitor, ip link up) and back to managed at stop.
 * - 'rfmon': tcpdump -I. libpcap then captures on a monN interface it adds itself (libpcap pcap-linux.c,
 *   enter_rfmon_mode_mac80211), whose name we do not learn, so no channel hopping in this mode.
 */

import { EventEmitter } from 'node:events';
import type { FrameSource, FrameSourceEvents } from '../types.js';
import { runCommand, type CommandRunner, type SpawnFn } from './commands.js';
import { ChannelHopper, DEFAULT_DWELL_MS, REMOTE_ID_CHANNELS } from './channel-hopper.js';
import { WifiSourceError } from './errors.js';
import { setInterfaceType } from './monitor-mode.js';
import { TcpdumpCapture, liveTcpdumpArgs } from './tcpdump.js';
import { systemTimers, type Timers } from './timers.js';

export type MonitorModeSetup = 'existing' | 'iw' | 'rfmon';

export interface WifiMonitorOptions {
  iface: string;
  monitorMode?: MonitorModeSetup;
  /** Channels to hop over (default 6 and 149); one channel = tune once; [] = leave the channel alone. */
  channels?: readonly number[];
  /** Time on each channel, ms (default 1100). */
  dwellMs?: number;
  /** With monitorMode 'iw': put the interface back in managed mode at stop (default true). */
  restoreManaged?: boolean;
  /** BPF filter (default: beacons, probe responses, action frames). */
  filter?: string;
  tcpdumpPath?: string;
  /** Replaces tcpdump's arguments (tests read a capture file through the same pipe). */
  tcpdumpArgs?: readonly string[];
  run?: CommandRunner;
  spawn?: SpawnFn;
  timers?: Timers;
  /** Called each time the radio is tuned (t: ms since the epoch), e.g. to show it in the UI. */
  onChannel?: (channel: number, t: number) => void;
}

const IFACE_RE = /^[A-Za-z0-9_.:-]{1,15}$/;

export class WifiMonitorSource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  readonly name: string;
  readonly capture: TcpdumpCapture;
  readonly hopper: ChannelHopper | undefined;
  private readonly mode: MonitorModeSetup;
  private readonly run: CommandRunner;
  private switched = false;
  private started = false;

  constructor(private readonly opts: WifiMonitorOptions) {
    super();
    if (!IFACE_RE.test(opts.iface)) throw new WifiSourceError('config', `'${opts.iface}' is not an interface name`, 'name the interface as `iw dev` lists it, e.g. wlan1');
    this.mode = opts.monitorMode ?? 'existing';
    this.run = opts.run ?? runCommand;
    const timers = opts.timers ?? systemTimers;
    const channels = opts.channels ?? (this.mode === 'rfmon' ? [] : REMOTE_ID_CHANNELS);
    if (this.mode === 'rfmon' && channels.length > 0) {
      throw new WifiSourceError(
        'config',
        "with monitorMode 'rfmon' tcpdump captures on a monN interface libpcap creates, which cannot be tuned from here",
        "use monitorMode 'iw' (or 'existing' after hardware/wifi/monitor-setup.sh) to hop channels, or give channels: []",
      );
    }
    this.name = `wifi:${opts.iface} (monitor${channels.length ? `, channels ${channels.join('/')}` : ''})`;
    if (channels.length > 0) {
      this.hopper = new ChannelHopper({
        iface: opts.iface,
        channels,
        dwellMs: opts.dwellMs ?? DEFAULT_DWELL_MS,
        run: this.run,
        timers,
        ...(opts.onChannel ? { onChannel: opts.onChannel } : {}),
        onError: (e) => this.emit('error', e),
      });
    }
    this.capture = new TcpdumpCapture({
      args: opts.tcpdumpArgs ?? liveTcpdumpArgs(opts.iface, { rfmon: this.mode === 'rfmon', ...(opts.filter ? { filter: opts.filter } : {}) }),
      label: opts.iface,
      ...(opts.tcpdumpPath ? { tcpdumpPath: opts.tcpdumpPath } : {}),
      ...(opts.spawn ? { spawn: opts.spawn } : {}),
    });
    this.capture.on('frame', (f) => this.emit('frame', f));
    this.capture.on('error', (e) => this.emit('error', e));
    this.capture.on('end', () => this.emit('end'));
  }

  /** Monitor mode (if asked), first channel, then tcpdump; rejects with a WifiSourceError and undoes what it did. */
  async start(): Promise<void> {
    if (this.started) return;
    try {
      if (this.mode === 'iw') {
        await setInterfaceType(this.opts.iface, 'monitor', this.run);
        this.switched = true;
      }
      await this.hopper?.start();
      await this.capture.start();
      this.started = true;
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    this.hopper?.stop();
    await this.capture.stop();
    if (this.switched && this.opts.restoreManaged !== false) {
      this.switched = false;
      try {
        await setInterfaceType(this.opts.iface, 'managed', this.run);
      } catch (e) {
        this.emit('error', e as Error);
      }
    }
  }
}
