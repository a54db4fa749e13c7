/**
 * Loss estimate from message counters (spec §4.3, pitfall 20). A counter is per message type on BT4 and per
 * pack elsewhere; transmitters may bump it on every send or only when the content changes, so a counter that
 * stays the same is a repeat, not an error, and counters are never taken as proof of freshness. A step of
 * n > 1 means n - 1 transmissions this receiver did not hear. A step backwards (more than half the counter
 * range) or a long silence is a restart, not loss.
 */

/** A counter this little behind the last one is a frame that came late, not a step back. */
const REORDER_STEPS = 2;

export interface CounterSnapshot {
  /** Distinct counter values heard. */
  received: number;
  /** Values skipped between heard ones: transmissions this receiver missed. */
  missed: number;
  /** Same value heard again (unchanged content, or one frame heard on two paths). */
  repeats: number;
  /** Restarts: backwards steps or a silence too long to count across. */
  resets: number;
  /** missed / (received + missed); undefined before two values were heard. */
  loss?: number;
  last: number;
}

export class CounterStats {
  received = 0;
  missed = 0;
  repeats = 0;
  resets = 0;
  private last: number | undefined;
  private lastAt = 0;
  /** Frame the last value came from: members of one pack share it and count once. */
  private lastFrame: string | number | undefined;

  /**
   * @param modulus counter range: 256 for Remote ID, 65536 for the DJI sequence number
   * @param resetAfterMs a silence longer than this is not counted across (the counter may have wrapped)
   */
  constructor(
    private readonly modulus: number,
    private readonly resetAfterMs: number,
  ) {}

  /**
   * `frame`: anything that is equal (===) for the members of one frame and differs between frames. Returns
   * the value the counter stepped back from when it ran backwards without a long silence (a restart, a
   * replay, or two senders on one link: spoofing.ts counts them), else undefined. A step back by one or
   * two is taken for frames reordered on their way, not a step back.
   */
  observe(counter: number, atMs: number, frame: string | number): number | undefined {
    if (frame === this.lastFrame) return undefined;
    this.lastFrame = frame;
    const last = this.last;
    const silence = atMs - this.lastAt;
    this.last = counter;
    this.lastAt = atMs;
    if (last === undefined) {
      this.received++;
      return undefined;
    }
    const step = (((counter - last) % this.modulus) + this.modulus) % this.modulus;
    if (step === 0) this.repeats++;
    else if (step >= this.modulus / 2 || silence > this.resetAfterMs) {
      this.resets++;
      this.received++;
      if (silence <= this.resetAfterMs && this.modulus - step > REORDER_STEPS) return last;
    } else {
      this.received++;
      this.missed += step - 1;
    }
    return undefined;
  }

  snapshot(): CounterSnapshot {
    const heard = this.received + this.missed;
    const s: CounterSnapshot = { received: this.received, missed: this.missed, repeats: this.repeats, resets: this.resets, last: this.last ?? 0 };
    if (this.received >= 2 && heard > 0) s.loss = this.missed / heard;
    return s;
  }

  /** Adds another stream's totals (two tracks of one aircraft merged). */
  absorb(other: CounterStats): void {
    this.received += other.received;
    this.missed += other.missed;
    this.repeats += other.repeats;
    this.resets += other.resets;
    if (other.lastAt > this.lastAt) {
      this.last = other.last;
      this.lastAt = other.lastAt;
      this.lastFrame = other.lastFrame;
    }
  }
}
