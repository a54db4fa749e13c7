/**
 * Track updates to the page, at most one per track per `minIntervalMs` (500 ms: two a second). The first
 * change of a quiet track goes out at the next flush; later ones are coalesced, and the track's latest
 * state is sent once its interval has passed, so no change is lost.
 *
 * Live (`UpdateBatcher`) the interval is wall time, and longer with a crowd: the tracks share
 * `statesPerSecond` (1,000 by default: past 500 tracks each goes less often than twice a second), and the
 * batcher looks for due tracks as much less often, up to half as often. The JSON of a track is made only
 * when it is sent, not on every message. What the map must show soonest is where a drone is: once a
 * track's interval has passed it goes out with a fresh position (received within `freshMs`), waiting for
 * one if its latest is older — a drone sending two positions a second would otherwise be drawn up to half
 * a second after each —, but never more than `maxWaitMs` past its interval.
 * A position not sent goes once the next is overdue (the drone fell silent, and its last position goes
 * rather than waiting on one that will not come), as soon as `minIntervalMs` has passed however crowded:
 * `lateMs` after it, or sooner for a watched track whose history shows its drone sends faster — its
 * longest gap between recent positions and `overdueSlackMs` (a drone sending four a second that stops has
 * its last position sent 0.3-0.4 s after its reception, not 0.65-0.75 s). A change marked urgent (a new
 * state, a flag, an alert) goes as soon as the interval has passed.
 *
 * A replay (`SceneBatcher`) runs on the frames' own clock instead: played ten or a
 * thousand times faster than recorded, it still gives one state per track per half second of the scene (the
 * page's timeline and trails keep the capture's detail), captured at that moment of the scene; the states
 * captured meanwhile travel together at each wall-time flush, so the page gets few messages however fast.
 */

export interface BatcherOptions {
  minIntervalMs?: number;
  /**
   * Live: at most this many track states a second in all (default 1,000): with more tracks than that
   * allows at minIntervalMs, each track's interval grows to tracks / statesPerSecond seconds.
   */
  statesPerSecond?: number;
  /** How often due tracks are looked for (default 50 ms). */
  flushEveryMs?: number;
  /** Live: a position received this recently is fresh (default 150 ms). */
  freshMs?: number;
  /** Live: how long past its interval a track waits for a fresh position (default: one interval). */
  maxWaitMs?: number;
  /**
   * Live: a position newer than the one sent is waited on no longer once it is this old (default: one
   * interval and freshMs): a drone sending at least two a second would have sent the next by then.
   */
  lateMs?: number;
  /** Live, a watched track with a history: how long past its drone's longest recent gap its next position is overdue (default 50 ms: reception jitter). */
  overdueSlackMs?: number;
  now?: () => number;
}

/** What the server gives either batcher: `at` is the change's time on the frames' clock (ms). */
export interface Batcher {
  start(): void;
  stop(): void;
  /**
   * A track changed. Live: `position`, the track's position now (a position with another reception time
   * `t` is a new one); `urgent`, the change must not wait for a fresh position (a new track, a state or
   * flags changed, an alert) — by default, when no position is given.
   */
  changed(key: string, at: number, position?: Position | null, urgent?: boolean): void;
  gone(key: string, at: number): void;
  /** Sends what is due now; returns how many track states went out. */
  flushDue(): number;
}

/** What the live batcher needs of a position: when it was received (ms, the batcher's clock live). */
export interface Position {
  readonly t: number;
}

/**
 * A track the live batcher looks at itself (UpdateBatcher.watch): what it reads of it at each look. The
 * tracker changes these in place; each fix is a new position, with its own reception time.
 */
export interface Watched {
  /** When it was last heard (any message), ms. */
  readonly lastSeen: number;
  /** Where it is; `t` its reception, ms on the batcher's clock (the wall clock, live). */
  readonly position?: Position | undefined;
  /** The times of its positions so far, oldest first (the tracker's history): how often its drone sends one. */
  readonly history?: { readonly length: number; timeAt(i: number): number | undefined };
}

/**
 * Track states a second the live batcher sends in all, by default: 2 a second each up to 500 tracks, then
 * less often each (1,000 tracks: once a second). The page draws each state it gets (a marker moved, a list
 * row, a trail point); at 2,000 a second a desktop's headless Chromium is ~40 % busy drawing them, which a
 * phone (the map's first screen) would not keep up with, and the receiver spends its share on each
 * (summary, JSON, socket). A drone sending the one position a second the rules ask for loses nothing.
 */
export const DEFAULT_STATES_PER_SECOND = 1000;
/** A track sent within this long (or two intervals) counts for the interval (a lost one then no longer does). */
const ACTIVE_MS = 10_000;
/** With a crowd, how many times further apart than flushEveryMs the live batcher looks at most (a fresh position waits for the look). */
const MAX_LOOK_SPACING = 2;

/** A watched position's reception time is taken as when it moved if it is this close to the batcher's clock (ms). */
const MOVED_AT_SKEW_MS = 1000;
/**
 * Gaps between a watched track's latest positions looked at for its drone's pace: enough to span each
 * transport's copy (a drone on BLE and Wi-Fi sends each position at its own moment on each).
 */
const PACE_GAPS = 8;

/**
 * A KeyState's position time before any position was told, and with none told: numbers, as every number
 * field of a KeyState is (a reception time, -Infinity before the first send), so that V8 keeps each field
 * as a double it overwrites in place. A field that may also hold null or undefined stores each new time
 * as a new heap number, held until the next: a thousand tracks' worth a second, outliving the young
 * generation (the sampling heap profiler showed ~110 KB/s of them reaching the old generation).
 */
const NOT_TOLD = -Infinity;
const NO_POSITION = Infinity;

/** What the live batcher keeps of a track: one object, so that a change costs one lookup and no allocation. */
interface KeyState {
  key: string;
  /** The track itself when watched, and its lastSeen when last looked at. */
  watched: Watched | undefined;
  seen: number;
  /** Wall ms of the last send; -Infinity before the first. */
  lastSent: number;
  /** Changed since then (and in `pending`). */
  dirty: boolean;
  urgent: boolean;
  /**
   * The latest position told, by its reception time (NO_POSITION: none; NOT_TOLD: not told yet), and
   * when it came (wall ms). Its time, not the object: the tracker's position objects are not kept alive
   * here (the batcher would hold each for up to an interval, long enough for V8 to move it to the old
   * generation).
   */
  positionT: number;
  movedAt: number;
  /**
   * The position at the last send. A position not sent yet is told by this, not by comparing times with
   * the send's: one received just before a send may reach the tracker just after it (its frame queued).
   */
  sentPositionT: number;
}

/** Both batchers look for due tracks on a timer (every `flushEveryMs`, default 50 ms) while started. */
abstract class TimedBatcher {
  private timer: NodeJS.Timeout | undefined;

  constructor(protected readonly flushEveryMs = 50) {}

  abstract flushDue(): number;

  start(): void {
    this.timer ??= setInterval(() => this.flushDue(), this.flushEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export class UpdateBatcher extends TimedBatcher implements Batcher {
  private readonly keys = new Map<string, KeyState>();
  /** Tracks changed and not sent yet (each once), by their state: a flush looks nothing up. */
  private readonly pending: (KeyState | undefined)[] = [];
  /**
   * How many of `pending` are in use. The array itself never shrinks: emptied by every flush and refilled,
   * its storage would be made anew as it grew back, a thousand entries' worth several times a second.
   */
  private pendingCount = 0;
  /**
   * The track changed last: the messages of one frame (a message pack) are changes of one track in a row,
   * each of which then costs no lookup.
   */
  private last: KeyState | undefined;
  private readonly removed = new Set<string>();
  /** Tracks sent lately, as the last look counted them: what the interval is shared among. */
  private active = 0;
  /** When the batcher last looked for due tracks (its clock). */
  private lookedAt = -Infinity;
  private readonly minIntervalMs: number;
  private readonly statesPerSecond: number;
  private readonly freshMs: number;
  private readonly maxWaitMs: number;
  private readonly lateMs: number;
  private readonly overdueSlackMs: number;
  private readonly now: () => number;

  /** `flush` may add to `removed` the keys it found no longer tracked: they are forgotten here too. */
  constructor(
    private readonly flush: (keys: string[], removed: string[]) => void,
    opts: BatcherOptions = {},
  ) {
    super(opts.flushEveryMs);
    this.minIntervalMs = opts.minIntervalMs ?? 500;
    this.statesPerSecond = opts.statesPerSecond ?? DEFAULT_STATES_PER_SECOND;
    if (!(this.statesPerSecond > 0)) throw new RangeError('statesPerSecond must be above 0');
    this.freshMs = opts.freshMs ?? 150;
    this.maxWaitMs = opts.maxWaitMs ?? this.minIntervalMs;
    this.lateMs = opts.lateMs ?? this.minIntervalMs + this.freshMs;
    this.overdueSlackMs = opts.overdueSlackMs ?? 50;
    this.now = opts.now ?? Date.now;
  }

  changed(key: string, _at = 0, position?: Position | null, urgent = position === undefined): void {
    let k = this.last;
    if (k?.key !== key) {
      k = this.keys.get(key);
      if (!k) {
        this.keys.set(key, (k = { key, watched: undefined, seen: -Infinity, lastSent: -Infinity, dirty: false, urgent: false, positionT: NOT_TOLD, movedAt: -Infinity, sentPositionT: NOT_TOLD }));
        if (this.removed.size > 0) this.removed.delete(key);
      }
      this.last = k;
    }
    if (urgent) k.urgent = true;
    if (position !== undefined) {
      const t = position === null ? NO_POSITION : position.t;
      if (t !== k.positionT) {
        if (position !== null) k.movedAt = this.now();
        k.positionT = t;
      }
    }
    if (!k.dirty) {
      k.dirty = true;
      this.pending[this.pendingCount++] = k;
    }
  }

  /**
   * From now on the batcher looks at `track` itself each time it looks for due tracks (every flushEveryMs),
   * and takes a new lastSeen as a change (a position with a new time as a move, at that time):
   * the changes that are not urgent need not be told one by one (`changed`), which for a thousand drones is
   * ~26,000 calls a second, each finding its track's state cold. Call after `changed` for the same key.
   */
  watch(key: string, track: Watched): void {
    const k = this.last?.key === key ? this.last : this.keys.get(key);
    if (!k) return;
    k.watched = track;
    k.seen = track.lastSeen;
  }

  /**
   * Watched tracks heard since the last look: changed, as `changed` would have been told. A new position
   * moved at its reception time when that is on this clock (within MOVED_AT_SKEW_MS of now: live, frames
   * are stamped on the wall clock when received), else now — a source whose clock is off must not make
   * every position look stale, or fresh. A track sent less than minIntervalMs ago cannot be due yet and
   * is not looked at (a thousand tracks read ten times a second, each cold, cost more than the rest of the
   * look): what it did meanwhile is found once it can be due, its position still at its own time. Counts
   * the tracks sent lately on the way (`active`).
   */
  private look(now: number, interval: number): void {
    const activeWithin = Math.max(ACTIVE_MS, 2 * interval);
    let active = 0;
    for (const k of this.keys.values()) {
      if (now - k.lastSent < activeWithin) active++;
      const w = k.watched;
      if (w === undefined || now - k.lastSent < this.minIntervalMs || w.lastSeen === k.seen) continue;
      k.seen = w.lastSeen;
      const t = w.position?.t ?? NO_POSITION;
      if (t !== k.positionT) {
        if (t !== NO_POSITION) k.movedAt = Math.abs(now - t) <= MOVED_AT_SKEW_MS ? Math.min(now, t) : now;
        k.positionT = t;
      }
      if (!k.dirty) {
        k.dirty = true;
        this.pending[this.pendingCount++] = k;
      }
    }
    this.active = active;
  }

  gone(key: string): void {
    const k = this.keys.get(key);
    if (k) {
      // Not sent (a flush skips it), and no longer the one changed last.
      k.dirty = false;
      this.keys.delete(key);
    }
    if (this.last === k) this.last = undefined;
    this.removed.add(key);
  }

  /**
   * How long after a track's latest position its next one is overdue: lateMs, or for a watched track whose
   * latest position is the latest of its history, its longest gap of the last PACE_GAPS and the slack if
   * that is sooner. Only asked of a track waiting for a fresh position.
   */
  private overdueMs(k: KeyState): number {
    const w = k.watched;
    const h = w?.history;
    const n = h?.length ?? 0;
    const t = w?.position?.t;
    if (t === undefined || t !== k.positionT || n < 2 || h!.timeAt(n - 1) !== t) return this.lateMs;
    let gap = 0;
    let later = h!.timeAt(n - 1)!;
    for (let i = n - 2; i >= 0 && i >= n - 1 - PACE_GAPS; i--) {
      const t = h!.timeAt(i)!;
      gap = Math.max(gap, later - t);
      later = t;
    }
    return gap > 0 ? Math.min(this.lateMs, gap + this.overdueSlackMs) : this.lateMs;
  }

  /**
   * Each track's interval now: minIntervalMs, or longer when the tracks sent lately (within ACTIVE_MS, or
   * two intervals) would pass statesPerSecond at it. Tracks lost meanwhile, sent no more, do not count.
   */
  private get intervalMs(): number {
    return Math.max(this.minIntervalMs, (this.active * 1000) / this.statesPerSecond);
  }

  /** Sends what is due now; returns how many tracks went out. */
  flushDue(): number {
    const now = this.now();
    const interval = this.intervalMs;
    // A crowd's longer interval spaces the looks as much (as many per interval), up to MAX_LOOK_SPACING
    // times further apart: each look reads every track that can be due, and each one that finds some is a
    // message to every page.
    const spacing = Math.min(MAX_LOOK_SPACING, interval / this.minIntervalMs);
    if (spacing > 1 && now - this.lookedAt < this.flushEveryMs * (spacing - 0.5)) return 0;
    this.lookedAt = now;
    this.look(now, interval);
    const due: string[] = [];
    let kept = 0;
    const pending = this.pending;
    const count = this.pendingCount;
    for (let i = 0; i < count; i++) {
      const k = pending[i]!;
      if (!k.dirty) continue; // gone since
      const since = now - k.lastSent;
      const age = now - k.movedAt;
      // Due: the first change; or past its interval and urgent, with a fresh position, or waited on long
      // enough; or a position not sent that the next should have replaced by now (the drone fell silent:
      // its last position goes once minIntervalMs has passed, however long a crowd made the interval).
      if (
        k.lastSent === -Infinity ||
        (since >= interval && (k.urgent || age <= this.freshMs || since >= interval + this.maxWaitMs)) ||
        (since >= this.minIntervalMs && Number.isFinite(k.positionT) && k.positionT !== k.sentPositionT && age >= this.overdueMs(k))
      ) {
        k.dirty = false;
        k.urgent = false;
        k.lastSent = now;
        k.sentPositionT = k.positionT;
        due.push(k.key);
      } else {
        pending[kept++] = k;
      }
    }
    // The slots let go hold nothing (a track gone since must not be kept alive here).
    pending.fill(undefined, kept, count);
    this.pendingCount = kept;
    if (due.length === 0 && this.removed.size === 0) return 0;
    const removed = [...this.removed];
    this.removed.clear();
    this.flush(due, removed);
    // Keys the flush found no longer tracked.
    for (const key of removed) {
      const k = this.keys.get(key);
      if (!k) continue;
      k.dirty = false;
      this.keys.delete(key);
      if (this.last === k) this.last = undefined;
    }
    return due.length;
  }
}

export interface SceneSink<S> {
  /**
   * The tracks `keys` as they are now, and the `removed` ones, as one moment of the scene at `at` (ms,
   * frames' clock); undefined when nobody wants it (no page connected).
   */
  capture(keys: string[], removed: string[], at: number): S | undefined;
  /** The moments captured since the last call, oldest first (never empty): one message to the page. */
  send(steps: S[]): void;
}

export interface SceneBatcherOptions {
  /** Of the frames' clock (default 500). */
  minIntervalMs?: number;
  /** How often the captured moments are sent (wall time, default 50 ms). */
  flushEveryMs?: number;
  /**
   * The frames' clock standing still this long (wall ms: the replay ended, waits through a gap in the
   * capture, or plays slower than real time) sends every pending change at once, at the clock's time, so
   * the page never waits on the next frame (default 500).
   */
  idleAfterMs?: number;
  /** The wall clock (tests). */
  wallNow?: () => number;
}

/** A change due at `t` (ms, frames' clock); `gone`: the key's removal. Superseded entries are skipped when popped. */
interface Due {
  t: number;
  key: string;
  gone: boolean;
}

export class SceneBatcher<S> extends TimedBatcher implements Batcher {
  /** Changed tracks not sent yet, and when each is due. */
  private readonly dirty = new Map<string, number>();
  /** Tracks gone, and when. */
  private readonly removed = new Map<string, number>();
  private readonly lastSent = new Map<string, number>();
  private readonly queue = new DueQueue();
  private captured: S[] = [];
  private capturedStates = 0;
  private clock = -Infinity;
  private movedAt: number;
  private readonly minIntervalMs: number;
  private readonly idleAfterMs: number;
  private readonly wallNow: () => number;

  constructor(
    private readonly sink: SceneSink<S>,
    opts: SceneBatcherOptions = {},
  ) {
    super(opts.flushEveryMs);
    this.minIntervalMs = opts.minIntervalMs ?? 500;
    this.idleAfterMs = opts.idleAfterMs ?? 500;
    this.wallNow = opts.wallNow ?? Date.now;
    this.movedAt = this.wallNow();
  }

  /**
   * The frames' clock reached `at` (ms), before the tracker takes anything at `at`: every track due before
   * then is captured now, as it was then (nothing has changed it since).
   */
  advance(at: number): void {
    if (!(at > this.clock)) return;
    this.captureDue(at, false);
    this.clock = at;
    this.movedAt = this.wallNow();
  }

  changed(key: string, at: number): void {
    // A frame out of time order counts as now: the page's timeline never goes back.
    const t = Math.max(at, this.clock);
    this.removed.delete(key);
    const due = this.dirty.get(key);
    if (due !== undefined && due < t) {
      // Overdue: only without advance() before the tracker took this change, so the track's state already
      // holds it. It goes now, at t: never at a time before a change it holds.
      this.setDue(key, t);
      this.advance(t);
      this.captureDue(t, true);
      return;
    }
    this.advance(t);
    if (!this.dirty.has(key)) {
      const last = this.lastSent.get(key);
      this.setDue(key, last === undefined ? t : Math.max(t, last + this.minIntervalMs));
    }
  }

  gone(key: string, at: number): void {
    const t = Math.max(at, this.clock);
    this.advance(t);
    this.dirty.delete(key);
    this.lastSent.delete(key);
    this.removed.set(key, t);
    this.queue.push({ t, key, gone: true });
  }

  /**
   * Captures what is due by the frames' clock (everything when it has stood still a while), then sends all
   * captured moments as one message. Returns how many track states went out.
   */
  flushDue(): number {
    const idle = this.wallNow() - this.movedAt >= this.idleAfterMs;
    if (idle) this.captureDue(Infinity, true, this.clock);
    else this.captureDue(this.clock, true);
    if (this.captured.length === 0) return 0;
    const steps = this.captured;
    const states = this.capturedStates;
    this.captured = [];
    this.capturedStates = 0;
    this.sink.send(steps);
    return states;
  }

  private setDue(key: string, t: number): void {
    this.dirty.set(key, t);
    this.queue.push({ t, key, gone: false });
  }

  /**
   * Captures, oldest first, the changes due before `limit` (or at it, when `inclusive`), each at its own
   * time — or at `latest` if that is earlier.
   */
  private captureDue(limit: number, inclusive: boolean, latest = Infinity): void {
    let stepT = NaN;
    let keys: string[] = [];
    let removed: string[] = [];
    const close = (): void => {
      if (keys.length === 0 && removed.length === 0) return;
      const s = this.sink.capture(keys, removed, stepT);
      if (s !== undefined) {
        this.captured.push(s);
        this.capturedStates += keys.length;
      }
      keys = [];
      removed = [];
    };
    for (let d = this.queue.peek(); d && (d.t < limit || (inclusive && d.t === limit)); d = this.queue.peek()) {
      this.queue.pop();
      const live = d.gone ? this.removed.get(d.key) === d.t : this.dirty.get(d.key) === d.t;
      if (!live) continue;
      // Due later than the clock only when the replay stands still (ended, a gap, slower than real time):
      // its state is the one it has at the clock's time, and it goes now rather than when the next frame comes.
      const t = Math.min(d.t, latest);
      if (t !== stepT) close();
      stepT = t;
      if (d.gone) {
        this.removed.delete(d.key);
        removed.push(d.key);
      } else {
        this.dirty.delete(d.key);
        this.lastSent.set(d.key, t);
        keys.push(d.key);
      }
    }
    close();
  }
}

/** A binary min-heap of due changes by time (ties in the order pushed, so removals keep their place). */
class DueQueue {
  private readonly heap: (Due & { seq: number })[] = [];
  private seq = 0;

  push(d: Due): void {
    const h = this.heap;
    h.push({ ...d, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  peek(): Due | undefined {
    return this.heap[0];
  }

  pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

const before = (a: Due & { seq: number }, b: Due & { seq: number }): boolean => a.t < b.t || (a.t === b.t && a.seq < b.seq);
