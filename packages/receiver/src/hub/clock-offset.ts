/**
 * How far a receiver's clock is from the hub's. Every fresh batch of frames carries the receiver's clock
 * when it was handed to the broker (`sent`, the clock its frames are stamped with); the hub notes its own
 * clock when the message arrives. The difference is the offset plus the time on the way, which is never
 * negative: the smallest difference over a window is the best estimate of the offset (plus the quickest
 * trip, a few ms on a venue's network). A message that waited — resent after a reconnect, held by a slow
 * broker — only gives a larger difference, which the minimum ignores.
 */

/** Samples older than this (hub clock) no longer count: a clock corrected by NTP shows within a minute. */
export const OFFSET_WINDOW_MS = 60_000;

export class ClockOffset {
  /** Candidates for the minimum, oldest first, values rising (a sliding-window minimum). */
  private readonly at: number[] = [];
  private readonly value: number[] = [];
  private head = 0;
  /** Samples taken. */
  samples = 0;

  constructor(private readonly windowMs = OFFSET_WINDOW_MS) {}

  /** A message sent at `sentMs` (receiver's clock) arrived at `hubMs` (hub's clock). */
  add(sentMs: number, hubMs: number): void {
    if (!Number.isFinite(sentMs) || !Number.isFinite(hubMs)) return;
    const v = hubMs - sentMs;
    this.samples++;
    // A new sample makes every larger older one useless: it is smaller and will outlive them.
    while (this.value.length > this.head && this.value[this.value.length - 1]! >= v) {
      this.value.pop();
      this.at.pop();
    }
    this.value.push(v);
    this.at.push(hubMs);
    while (this.head < this.at.length - 1 && this.at[this.head]! < hubMs - this.windowMs) this.head++;
    if (this.head > 256) {
      this.at.splice(0, this.head);
      this.value.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Add this to a receiver's time to get the hub's (ms); undefined before the first sample. */
  get offsetMs(): number | undefined {
    return this.head < this.value.length ? this.value[this.head] : undefined;
  }
}
