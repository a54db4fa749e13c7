/**
 * What the tracker knows per radio link, i.e. per (transport, address): one aircraft may use several (BT4,
 * BT5 and Wi-Fi with different MACs), and signal strength, counters and authentication pages only make
 * sense per link.
 */

import { FecAuthAssembler, type Transport } from '@odid/codec';
import { CounterStats, type CounterSnapshot } from './counters.js';

export const linkKey = (transport: Transport, address: string): string => `${transport} ${address}`;

/**
 * Who heard a reception, when it did not come from this process's own radios: a hub (rid-hub) merging
 * several receivers names the receiver, and each link keeps what each receiver heard of it (receivers).
 */
export interface ReceptionVia {
  /** The receiver's ID, as it publishes under (rid/<site>/<receiver>/...). */
  readonly receiver: string;
}

/** What one receiver of a hub heard of a link: signal, channel, times and messages, per receiver. */
export class ReceiverHearing {
  lastSeen: number;
  messages = 0;
  /** dBm, latest. */
  rssi?: number;
  /** dBm, smoothed with the link's time constant. */
  rssiSmoothed?: number;
  private rssiAt = 0;
  channel?: number;

  constructor(public firstSeen: number) {
    this.lastSeen = firstSeen;
  }

  /**
   * `messages` messages heard at `atMs` (a duplicate frame of another receiver counts the messages its
   * original had). One older than the latest (a frame that arrived late) is counted, and may move firstSeen
   * back, but its signal and channel are not taken: they say what the receiver hears now.
   */
  observe(messages: number, rssi: number | undefined, channel: number | undefined, atMs: number, timeConstantMs: number): void {
    this.messages += messages;
    if (atMs < this.firstSeen) this.firstSeen = atMs;
    if (atMs < this.lastSeen) return;
    this.lastSeen = atMs;
    if (channel !== undefined) this.channel = channel;
    if (rssi === undefined) return;
    this.rssi = rssi;
    if (this.rssiSmoothed === undefined) this.rssiSmoothed = rssi;
    else this.rssiSmoothed += (1 - Math.exp(-Math.max(0, atMs - this.rssiAt) / timeConstantMs)) * (rssi - this.rssiSmoothed);
    this.rssiAt = atMs;
  }

  /** Folds in the same receiver's hearing of the same link from another track (a merge). */
  absorb(other: ReceiverHearing): ReceiverHearing {
    const [older, newer] = other.lastSeen > this.lastSeen ? [this, other] : [other, this];
    const out = new ReceiverHearing(Math.min(this.firstSeen, other.firstSeen));
    Object.assign(out, newer, { firstSeen: out.firstSeen, messages: this.messages + other.messages });
    if (out.rssiSmoothed === undefined) out.rssiSmoothed = older.rssiSmoothed;
    return out;
  }
}

export type ReadonlyReceiverHearing = Readonly<Pick<ReceiverHearing, 'firstSeen' | 'lastSeen' | 'messages' | 'rssi' | 'rssiSmoothed' | 'channel'>>;

/** A counter stream as a track's reader sees it. */
export type ReadonlyCounterStats = Readonly<Pick<CounterStats, 'received' | 'missed' | 'repeats' | 'resets' | 'snapshot'>>;

/**
 * A link as a track's reader sees it: what it measured, read-only. Its authentication assembler and last
 * position are the tracker's working state, not shown.
 */
export interface ReadonlyRadioLink
  extends Readonly<Pick<RadioLink, 'transport' | 'address' | 'firstSeen' | 'lastSeen' | 'messages' | 'rssi' | 'rssiSmoothed' | 'channel' | 'counterSnapshots'>> {
  readonly counters: ReadonlyMap<string, ReadonlyCounterStats>;
  /** Receptions relayed by a hub: what each receiver heard of this link, by receiver ID (absent otherwise). */
  readonly receivers?: ReadonlyMap<string, ReadonlyReceiverHearing>;
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
  /**
   * Authentication pages are grouped per sender: two links may be mid-way through different signatures. A DRIP
   * message sent with FEC completes with one page lost (the lost page rebuilt from the others).
   */
  auth = new FecAuthAssembler();
  /** Latest position this link reported, for the address-spread check (updated in place; not shown to readers). */
  lastPosition?: { lat: number; lon: number; t: number };
  /** Per receiver of a hub (ReceptionVia); made on the first relayed reception, so a local receiver pays nothing. */
  receivers?: Map<string, ReceiverHearing>;

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

  /** Receiver `receiver` heard `messages` messages of this link at `atMs` (see ReceptionVia). */
  heardBy(receiver: string, messages: number, rssi: number | undefined, channel: number | undefined, atMs: number, timeConstantMs: number): void {
    const receivers = (this.receivers ??= new Map());
    let hearing = receivers.get(receiver);
    if (!hearing) receivers.set(receiver, (hearing = new ReceiverHearing(atMs)));
    hearing.observe(messages, rssi, channel, atMs, timeConstantMs);
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
    for (const [receiver, h] of other.receivers ?? []) {
      const receivers = (this.receivers ??= new Map());
      const mine = receivers.get(receiver);
      receivers.set(receiver, mine ? mine.absorb(h) : h);
    }
  }
}
