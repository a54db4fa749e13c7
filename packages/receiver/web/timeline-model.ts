/**
 * A replay's timeline: every moment of the scene the page received (the receiver batches a replay on the
 * frames' clock: a state per track per half second of the scene, whatever the replay's speed), with its
 * time, so that the slider can show the scene as it was at any moment received so far. Bounded: beyond `maxEntries` track records the oldest
 * updates are folded into the starting state (the slider's range then starts later). Keyframes (a copy of
 * the whole state every `keyEvery` track records) keep a jump to any time cheap. No DOM: unit-tested in Node.
 */

/** What the timeline keeps of a track at each moment (the page keeps summaries: protocol.ts). */
interface Keyed {
  key: string;
}

interface Frame<T extends Keyed> {
  seq: number;
  t: number;
  tracks: T[];
  removed: string[];
  /** A snapshot: the state is exactly these tracks. */
  full: boolean;
}

interface Keyframe<T extends Keyed> {
  seq: number;
  state: Map<string, T>;
}

export class Timeline<T extends Keyed = Keyed> {
  private frames: Frame<T>[] = [];
  private keyframes: Keyframe<T>[] = [];
  /** The state before frames[0]. */
  private base = new Map<string, T>();
  private baseT: number | undefined;
  /** The state after the last frame. */
  private head = new Map<string, T>();
  private entries = 0;
  private sinceKeyframe = 0;
  private seq = 0;

  constructor(
    private readonly maxEntries = 60_000,
    private readonly keyEvery = 2_000,
  ) {}

  /** Seconds (frames' clock) of the earliest moment the slider can show; undefined while empty. */
  get start(): number | undefined {
    return this.baseT ?? this.frames[0]?.t;
  }

  get end(): number | undefined {
    return this.frames[this.frames.length - 1]?.t ?? this.baseT;
  }

  /** Track records held (bounded by maxEntries). */
  get size(): number {
    return this.entries;
  }

  /** Forgets everything (another run started). */
  clear(): void {
    this.frames = [];
    this.keyframes = [];
    this.base = new Map();
    this.baseT = undefined;
    this.head = new Map();
    this.entries = 0;
    this.sinceKeyframe = 0;
  }

  push(t: number, tracks: T[], removed: string[], full: boolean): void {
    // Times never go backwards on the slider: a late batch counts as now.
    const last = this.end;
    const at = last !== undefined && t < last ? last : t;
    const frame: Frame<T> = { seq: this.seq++, t: at, tracks, removed, full };
    this.frames.push(frame);
    applyFrame(this.head, frame);
    this.entries += tracks.length + removed.length + 1;
    this.sinceKeyframe += tracks.length + removed.length + 1;
    if (this.sinceKeyframe >= this.keyEvery) {
      this.keyframes.push({ seq: frame.seq, state: new Map(this.head) });
      this.sinceKeyframe = 0;
    }
    if (this.entries > this.maxEntries) this.evict();
  }

  /** The tracks as they were at time t (seconds): every update up to and including t applied. */
  stateAt(t: number): Map<string, T> {
    const i = lastAtOrBefore(this.frames, t);
    if (i < 0) return new Map(this.base);
    if (i === this.frames.length - 1) return new Map(this.head);
    const target = this.frames[i]!.seq;
    // The latest keyframe at or before the target frame, else the base.
    let k = this.keyframes.length - 1;
    while (k >= 0 && this.keyframes[k]!.seq > target) k--;
    const from = k >= 0 ? this.keyframes[k]! : undefined;
    const state = new Map(from ? from.state : this.base);
    const first = from ? from.seq - this.frames[0]!.seq + 1 : 0;
    for (let j = first; j <= i; j++) applyFrame(state, this.frames[j]!);
    return state;
  }

  /** Drops the oldest updates (folding them into the base) until a tenth of the room is free again. */
  private evict(): void {
    let n = 0;
    while (this.entries > this.maxEntries * 0.9 && n < this.frames.length - 1) {
      const f = this.frames[n]!;
      applyFrame(this.base, f);
      this.baseT = f.t;
      this.entries -= f.tracks.length + f.removed.length + 1;
      n++;
    }
    this.frames.splice(0, n);
    const firstSeq = this.frames[0]?.seq ?? this.seq;
    this.keyframes = this.keyframes.filter((k) => k.seq >= firstSeq);
  }
}

function applyFrame<T extends Keyed>(state: Map<string, T>, f: Frame<T>): void {
  if (f.full) state.clear();
  for (const key of f.removed) state.delete(key);
  for (const t of f.tracks) state.set(t.key, t);
}

/** Index of the last frame at or before t, -1 if none. */
function lastAtOrBefore(frames: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (frames[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
