/**
 * The transmissions the hub has taken in, remembered far longer than duplicates.ts's few seconds, for the
 * frames that arrive late: a receiver that lost the broker replays its spool a minute later, and what it
 * heard that another receiver brought in on time must count once, as a copy in time does. A late frame is
 * a copy when the transmission's first copy (the same bytes: duplicates.ts) came from another receiver
 * and was received within DUPLICATE_WINDOW_MS of it.
 *
 * Bounded by count, not time: two generations of at most HEARD_COPIES_KEPT / 2 transmissions (the older
 * dropped whole), so the last 65,536 to 131,072 first copies are known — at a busy site's 1,000 a second
 * one to two minutes back, for a handful of drones an hour or more — in about 16 MB at most. A late copy
 * whose first copy is older than that is taken as a transmission of its own (its messages counted twice;
 * its positions are not, the history dropping a fix that repeats its neighbour: tracker/history.ts).
 */

import { DUPLICATE_WINDOW_MS, type FirstCopy } from './duplicates.js';

/** First copies remembered: two generations of half as many. */
export const HEARD_COPIES_KEPT = 131_072;

/** A first copy, with when it was received (the hub's clock, ms). */
export interface HeardCopy extends FirstCopy {
  readonly at: number;
}

/** Transmission keys (53 bits, duplicates.ts) keep 45 bits beside 8 of the time slot: one number, no string. */
const KEY_BITS = 2 ** 45;
const SLOTS = 256;

export class HeardCopies {
  private current = new Map<number, HeardCopy>();
  private previous = new Map<number, HeardCopy>();
  private readonly generation: number;

  constructor(
    kept = HEARD_COPIES_KEPT,
    private readonly windowMs = DUPLICATE_WINDOW_MS,
  ) {
    if (!Number.isInteger(kept) || kept < 2) throw new RangeError(`heard copies kept must be a whole number, at least 2, got ${kept}`);
    this.generation = kept >> 1;
  }

  /**
   * Remembers the latest copy taken of transmission `key`, by the time slot (windowMs wide) it was received
   * in: the same bytes sent again seconds later (a message repeated unchanged) are remembered beside it.
   */
  remember(key: number, copy: HeardCopy): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(this.slotKey(key, Math.floor(copy.at / this.windowMs)), copy);
  }

  /** The first copy of which a frame `receiver` received at `atMs` is a copy, if one is remembered. */
  copyOf(key: number, receiver: string, atMs: number): HeardCopy | undefined {
    const slot = Math.floor(atMs / this.windowMs);
    // A copy within windowMs is in this slot or one beside it.
    for (let s = slot - 1; s <= slot + 1; s++) {
      const k = this.slotKey(key, s);
      const first = this.current.get(k) ?? this.previous.get(k);
      if (first && first.receiver !== receiver && Math.abs(first.at - atMs) <= this.windowMs) return first;
    }
    return undefined;
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  private slotKey(key: number, slot: number): number {
    return (key % KEY_BITS) * SLOTS + (((slot % SLOTS) + SLOTS) % SLOTS);
  }
}
