/**
 * Track updates to the page, at most `minIntervalMs` apart per track (500 ms: two a second). The first
 * change of a quiet track goes out at the next flush; later ones are coalesced, and the track's latest
 * state is sent when its interval has passed, so nothing waits longer than one interval and no change is
 * lost. The JSON of a track is made only when it is sent, not on every message.
 */

export interface BatcherOptions {
  minIntervalMs?: number;
  /** How often due tracks are looked for (default 50 ms). */
  flushEveryMs?: number;
  now?: () => number;
}

export class UpdateBatcher {
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly lastSent = new Map<string, number>();
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (keys: string[], removed: string[]) => void,
    private readonly opts: BatcherOptions = {},
  ) {
    this.minIntervalMs = opts.minIntervalMs ?? 500;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => this.flushDue(), this.opts.flushEveryMs ?? 50);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  changed(key: string): void {
    this.removed.delete(key);
    this.dirty.add(key);
  }

  gone(key: string): void {
    this.dirty.delete(key);
    this.lastSent.delete(key);
    this.removed.add(key);
  }

  /** Sends what is due now; returns how many tracks went out. */
  flushDue(): number {
    const now = this.now();
    const due: string[] = [];
    for (const key of this.dirty) {
      const last = this.lastSent.get(key);
      if (last === undefined || now - last >= this.minIntervalMs) due.push(key);
    }
    if (due.length === 0 && this.removed.size === 0) return 0;
    for (const key of due) {
      this.dirty.delete(key);
      this.lastSent.set(key, now);
    }
    const removed = [...this.removed];
    this.removed.clear();
    this.flush(due, removed);
    return due.length;
  }
}
