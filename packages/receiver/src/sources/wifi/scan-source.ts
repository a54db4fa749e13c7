/**
 * Managed-mode fallback for adapters without monitor mode: scan the Remote ID frequencies again and
 * again with `iw dev IF scan -u flush freq 2437 5745` and turn each BSS that carries a drone element
 * (ASTM/Parrot Remote ID, DJI DroneID, French ID) into a synthetic beacon. Slower and coarser than
 * monitor mode (one sighting per scan, NAN action frames never seen), but it works with any adapter.
 *
 * - `-u` makes iw print vendor elements it does not know; without it they are not printed at all.
 * - `flush` drops cached results first, so every result was seen during this scan.
 * - When another program is scanning (EBUSY), the round falls back to `iw dev IF scan dump -u`, the
 *   kernel's cache, and the per-BSS fingerprint keeps a cached sighting from being delivered twice.
 */

import { EventEmitter } from 'node:events';
import { classifyVendorElement, toHex } from '@odid/codec';
import type { FrameSource, FrameSourceEvents } from '../types.js';
import { runCommand, type CommandRunner } from './commands.js';
import { WifiSourceError } from './errors.js';
import { explainIwFailure } from './iw-errors.js';
import { parseIwScan, type ScannedBss } from './iw-scan-parse.js';
import { syntheticFrame } from './synthetic-frame.js';
import { systemTimers, type Timers } from './timers.js';

/** 2437 MHz (channel 6) and 5745 MHz (channel 149). */
export const REMOTE_ID_FREQS: readonly number[] = [2437, 5745];

export interface WifiScanOptions {
  iface: string;
  /** Frequencies to scan (default 2437 and 5745 MHz); [] = every channel the adapter has. */
  freqs?: readonly number[];
  /** Pause between the end of one scan and the start of the next (default 1000 ms). */
  intervalMs?: number;
  /** 'trigger' (default): scan actively; 'dump': only read results others' scans left in the cache. */
  mode?: 'trigger' | 'dump';
  run?: CommandRunner;
  timers?: Timers;
  /** Called after each round: how many BSSes it listed, how many frames it delivered, from the cache or not. */
  onScan?: (round: ScanRound) => void;
}

export interface ScanRound {
  /** ms since the epoch. */
  t: number;
  bss: number;
  delivered: number;
  cached: boolean;
}

const MAX_REMEMBERED = 4096;

/** Errors that end scanning: nothing will change by trying again. */
const FATAL = new Set(['not-installed', 'no-wifi-driver', 'no-device', 'permission', 'unsupported', 'interface-down']);

/** Vendor elements that identify drones; other BSSes (ordinary access points) are not delivered. */
function carriesDroneElement(elements: readonly Uint8Array[]): boolean {
  return elements.some((e) => {
    const v = classifyVendorElement({ id: e[0]!, offset: 0, data: e.subarray(2) });
    return v !== undefined && v.kind !== 'other';
  });
}

export class WifiScanSource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  readonly name: string;
  readonly stats = { scans: 0, cachedScans: 0, delivered: 0 };
  private readonly run: CommandRunner;
  private readonly timers: Timers;
  private readonly intervalMs: number;
  private readonly seen = new Map<string, string>();
  private timer: unknown;
  private running = false;
  private round: Promise<void> | undefined;

  constructor(private readonly opts: WifiScanOptions) {
    super();
    if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(opts.iface)) throw new WifiSourceError('config', `'${opts.iface}' is not an interface name`, 'name the interface as `iw dev` lists it');
    this.run = opts.run ?? runCommand;
    this.timers = opts.timers ?? systemTimers;
    this.intervalMs = opts.intervalMs ?? 1000;
    if (!(this.intervalMs >= 0)) throw new WifiSourceError('config', `scan interval ${opts.intervalMs} ms`, 'use a number of ms >= 0');
    this.name = `wifi:${opts.iface} (managed-mode scan)`;
  }

  /** Runs the first scan; rejects with a WifiSourceError if scanning cannot work at all. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.scanOnce();
    } catch (e) {
      this.running = false;
      throw e;
    }
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.round = this.scanOnce()
        .then(() => undefined)
        .catch((e: unknown) => {
          const err = e instanceof WifiSourceError ? e : new WifiSourceError('tool-failed', String(e), 'see hardware/wifi/README.md');
          if (FATAL.has(err.code)) this.running = false;
          this.emit('error', err);
        })
        .finally(() => this.schedule());
    }, this.intervalMs);
  }

  /** One round: scan (or read the cache), deliver new sightings. Throws WifiSourceError. */
  async scanOnce(): Promise<number> {
    const iface = this.opts.iface;
    const freqs = this.opts.freqs ?? REMOTE_ID_FREQS;
    let cached = this.opts.mode === 'dump';
    let r = cached
      ? await this.run('iw', ['dev', iface, 'scan', 'dump', '-u'])
      : await this.run('iw', ['dev', iface, 'scan', '-u', 'flush', ...(freqs.length ? ['freq', ...freqs.map(String)] : [])], { timeoutMs: 30_000 });
    if (r.code !== 0 && !cached && /Device or resource busy|\(-16\)/.test(r.stderr)) {
      // Someone else's scan is running: read what the kernel already has instead.
      cached = true;
      r = await this.run('iw', ['dev', iface, 'scan', 'dump', '-u']);
    }
    if (r.code !== 0) throw explainIwFailure(r, { tool: 'iw', iface, action: cached ? 'scan dump' : 'scan' });
    const now = this.timers.now();
    const list = parseIwScan(r.stdout);
    let delivered = 0;
    for (const bss of list) delivered += this.deliver(bss, now);
    this.stats.scans++;
    if (cached) this.stats.cachedScans++;
    this.stats.delivered += delivered;
    this.opts.onScan?.({ t: now, bss: list.length, delivered, cached });
    return delivered;
  }

  private deliver(bss: ScannedBss, now: number): number {
    let n = 0;
    for (const set of bss.ieSets) {
      if (!carriesDroneElement(set.vendorElements)) continue;
      // A BSS seen again in the cache has the same boottime/TSF and bytes: not a new sighting.
      const key = `${bss.bssid}/${set.source}`;
      const print = `${bss.lastSeenBoottimeMs ?? ''}|${bss.tsf ?? ''}|${set.vendorElements.map((e) => toHex(e)).join(',')}`;
      if (this.seen.get(key) === print) continue;
      if (this.seen.size >= MAX_REMEMBERED) this.seen.clear(); // randomised MACs: never grow without bound
      this.seen.set(key, print);
      const f = syntheticFrame(bss, set);
      const t = (now - (bss.lastSeenMsAgo ?? 0)) / 1000;
      this.emit('frame', { t, linkType: f.linkType, data: f.data });
      n++;
    }
    return n;
  }
}
