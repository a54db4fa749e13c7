/**
 * Channel hopping for a monitor interface: `iw dev IF set channel N` over the Remote ID channels, a
 * fixed dwell on each. A drone beacons on one channel only (6 or 149), so a receiver that hops sees
 * each drone during its share of the cycle; the default dwell (1100 ms) covers one whole beacon period
 * of a 1 Hz transmitter (1000 TU = 1.024 s), so each visit catches at least one of its beacons.
 */

import { runCommand, type CommandRunner } from './commands.js';
import { WifiSourceError } from './errors.js';
import { explainIwFailure } from './iw-errors.js';
import { systemTimers, type Timers } from './timers.js';

/** 2.4 GHz channel 6 and 5 GHz channel 149, where the ASTM means of compliance puts Remote ID. */
export const REMOTE_ID_CHANNELS: readonly number[] = [6, 149];
export const DEFAULT_DWELL_MS = 1100;

export interface ChannelHopperOptions {
  iface: string;
  channels?: readonly number[];
  dwellMs?: number;
  run?: CommandRunner;
  timers?: Timers;
  /** After each successful tune. */
  onChannel?: (channel: number, atMs: number) => void;
  /** Trouble while hopping (the first tune throws from start() instead). */
  onError?: (e: WifiSourceError) => void;
}

/** Errors after which hopping cannot go on at all. */
const FATAL = new Set(['not-installed', 'no-wifi-driver', 'no-device', 'permission', 'unsupported', 'interface-down']);

export class ChannelHopper {
  private readonly run: CommandRunner;
  private readonly timers: Timers;
  private readonly dwellMs: number;
  private channels: number[];
  private index = 0;
  private timer: unknown;
  private nextDue = 0;
  private running = false;
  /** Channel the interface is on now (undefined before the first tune). */
  current: number | undefined;

  constructor(private readonly opts: ChannelHopperOptions) {
    this.channels = [...(opts.channels ?? REMOTE_ID_CHANNELS)];
    this.dwellMs = opts.dwellMs ?? DEFAULT_DWELL_MS;
    this.run = opts.run ?? runCommand;
    this.timers = opts.timers ?? systemTimers;
    if (this.channels.length === 0) throw new WifiSourceError('config', 'no channel to listen on', 'give at least one channel, e.g. 6');
    for (const c of this.channels) {
      if (!Number.isInteger(c) || c < 1 || c > 233) throw new WifiSourceError('config', `${c} is not a Wi-Fi channel number`, 'use channel numbers such as 6 and 149');
    }
    if (!(Number.isFinite(this.dwellMs) && this.dwellMs >= 50)) {
      throw new WifiSourceError('config', `dwell time ${opts.dwellMs} ms is too short to receive anything`, 'use at least 50 ms (default 1100)');
    }
  }

  /** The channels still in the cycle (ones the adapter refused are dropped). */
  get cycle(): readonly number[] {
    return this.channels;
  }

  /** Tunes the first channel (throws WifiSourceError if that fails) and, with several, starts hopping. */
  async start(): Promise<void> {
    if (this.running) return;
    this.index = 0;
    for (;;) {
      const ch = this.channels[this.index]!;
      try {
        await this.tune(ch);
        break;
      } catch (e) {
        // A channel the adapter cannot use leaves the cycle; anything else, or nothing left, fails start().
        if (!(e instanceof WifiSourceError) || e.code !== 'channel' || this.channels.length === 1) throw e;
        this.channels.splice(this.index, 1);
        this.opts.onError?.(e);
      }
    }
    this.running = true;
    this.nextDue = this.timers.now() + this.dwellMs;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running || this.channels.length < 2) return;
    // Due times advance by exactly one dwell, so slow iw calls do not make the cycle drift.
    this.timer = this.timers.setTimeout(() => void this.hop(), Math.max(0, this.nextDue - this.timers.now()));
  }

  private async hop(): Promise<void> {
    this.timer = undefined;
    if (!this.running) return;
    this.index = (this.index + 1) % this.channels.length;
    const ch = this.channels[this.index]!;
    try {
      await this.tune(ch);
    } catch (e) {
      const err = e instanceof WifiSourceError ? e : new WifiSourceError('tool-failed', String(e), 'see hardware/wifi/README.md');
      if (err.code === 'channel') {
        this.channels.splice(this.index, 1);
        this.index = (this.index - 1 + this.channels.length) % this.channels.length;
      }
      if (FATAL.has(err.code)) this.running = false;
      this.opts.onError?.(err);
    }
    this.nextDue += this.dwellMs;
    this.schedule();
  }

  private async tune(channel: number): Promise<void> {
    const iface = this.opts.iface;
    const r = await this.run('iw', ['dev', iface, 'set', 'channel', String(channel)]);
    if (r.code !== 0) throw explainIwFailure(r, { tool: 'iw', iface, action: `set channel ${channel}`, channel });
    this.current = channel;
    this.opts.onChannel?.(channel, this.timers.now());
  }
}
