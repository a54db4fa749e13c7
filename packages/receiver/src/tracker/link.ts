/**
 * What the tracker knows per radio link, i.e. per (transport, address): one aircraft may use several (BT4,
 * BT5 and Wi-Fi with different MACs), and signal strength, counters and authentication pages only make
 * sense per link.
 */

import { AuthAssembler, type Transport } from '@odid/codec';
import { CounterStats, type CounterSnapshot } from './counters.js';

export const linkKey = (transport: Transport, address: string): string => `${transport} ${address}`;

/** A counter stream as a track's reader sees it. */
export type ReadonlyCounterStats = Readonly<Pick<CounterStats, 'received' | 'missed' | 'repeats' | 'resets' | 'snapshot'>>;

/**
 * A link as a track's reader sees it: what it measured, read-only. Its authentication assembler and last
 * position are the tracker's working state, not shown.
 */
export interface ReadonlyRadioLink
  extends Readonly<Pick<RadioLink, 'transport' | 'address' | 'firstSeen' | 'lastSeen' | 'messages' | 'rssi' | 'rssiSmoothed' | 'channel' | 'counterSnapshots'>> {
  readonly counters: ReadonlyMap<string, ReadonlyCounterStats>;
}

export class RadioLink {
  firstSeen: number;
  lastSeen: number;
  messages = 0;
  /** dBm, latest. */
  rssi?: number;
  /** dBm, exponentially smoothed over time (see observeRssi). */
  rssiSmoothed?: number;
  private rssiAt = 0;
  channel?: number;
  /** Counter streams by message type (BT4), 'pack', or 'dji' (DJI sequence number). */
  readonly counters = new Map<string, CounterStats>();
  /** Authentication pages are grouped per sender: two links may be mid-way through different signatures. */
  auth = new AuthAssembler();
  /** Latest position this link reported, for the address-spread check (updated in place; not shown to readers). */
  lastPosition?: { lat: number; lon: number; t: number };

  constructor(
    readonly transport: Transport,
    readonly address: string,
    atMs: number,
  ) {
    this.firstSeen = atMs;
    this.lastSeen = atMs;
  }

  /**
   * Smooths with a time constant rather than per sample, so a BT4 link heard 10 times a second and a Wi-Fi link
   * heard once a second settle equally fast.
   */
  observeRssi(rssi: number, atMs: number, timeConstantMs: number): void {
    this.rssi = rssi;
    if (this.rssiSmoothed === undefined) this.rssiSmoothed = rssi;
    else {
      const alpha = 1 - Math.exp(-Math.max(0, atMs - this.rssiAt) / timeConstantMs);
      this.rssiSmoothed += alpha * (rssi - this.rssiSmoothed);
    }
    this.rssiAt = atMs;
  }

  counter(kind: string, modulus: number, resetAfterMs: number): CounterStats {
    let c = this.counters.get(kind);
    if (!c) this.counters.set(kind, (c = new CounterStats(modulus, resetAfterMs)));
    return c;
  }

  counterSnapshots(): Record<string, CounterSnapshot> {
    const out: Record<string, CounterSnapshot> = {};
    for (const [kind, c] of this.counters) out[kind] = c.snapshot();
    return out;
  }

  /** Folds in the same link as seen by another track (two tracks of one aircraft merged). */
  absorb(other: RadioLink): void {
    this.firstSeen = Math.min(this.firstSeen, other.firstSeen);
    this.messages += other.messages;
    if (other.lastSeen > this.lastSeen) {
      this.lastSeen = other.lastSeen;
      if (other.rssi !== undefined) this.rssi = other.rssi;
      if (other.channel !== undefined) this.channel = other.channel;
      if (other.lastPosition) this.lastPosition = other.lastPosition;
      this.auth = other.auth;
    }
    if (this.rssiSmoothed === undefined && other.rssiSmoothed !== undefined) this.rssiSmoothed = other.rssiSmoothed;
    for (const [kind, c] of other.counters) {
      const mine = this.counters.get(kind);
      if (mine) mine.absorb(c);
      else this.counters.set(kind, c);
    }
  }
}
