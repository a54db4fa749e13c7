/**
 * A replay's past, kept by the server so that a page opened after the replay began still gets its whole
 * timeline (not only the scene as it is now): the moments of the scene as they went out (the same deltas every
 * page got), from a starting state. Bounded like the page's own timeline: beyond `maxRecords` track records the
 * oldest moments are folded into the starting state, and the slider then starts later.
 */

import type { HistoryMessage, SceneStep } from './protocol.js';
import { applyDelta, type TrackSummary } from './summary.js';

/** As many track records as the page's timeline keeps (timeline-model.ts), so nothing sent is thrown away there. */
export const HISTORY_RECORDS = 60_000;

export class ReplayHistory {
  /** The scene before steps[0], and its time (seconds, frames' clock; undefined before any step was folded). */
  private readonly base = new Map<string, TrackSummary>();
  private baseT: number | undefined;
  private steps: SceneStep[] = [];
  /** Index of the first step still kept (folded ones are dropped in batches, not one shift at a time). */
  private first = 0;
  private records = 0;

  constructor(private readonly maxRecords = HISTORY_RECORDS) {}

  /** A moment that went out (it is not copied: steps are never changed once made). */
  push(step: SceneStep): void {
    this.steps.push(step);
    this.records += size(step);
    while (this.records > this.maxRecords && this.first < this.steps.length) this.fold(this.steps[this.first++]!);
    if (this.first > 1024 && this.first * 2 > this.steps.length) {
      this.steps = this.steps.slice(this.first);
      this.first = 0;
    }
  }

  /** The whole past, for a page that has just connected. */
  message(): HistoryMessage {
    return { type: 'history', t: this.baseT ?? null, base: [...this.base.values()], steps: this.steps.slice(this.first) };
  }

  /** Track records held (bounded by maxRecords). */
  get size(): number {
    return this.records;
  }

  private fold(step: SceneStep): void {
    this.records -= size(step);
    for (const key of step.removed) this.base.delete(key);
    for (const s of step.tracks) this.base.set(s.key, s);
    for (const d of step.changes) {
      const prev = this.base.get(d.key);
      // A change to a track the base does not have cannot happen (every page got the same steps); skip it.
      if (prev) this.base.set(d.key, applyDelta(prev, d));
    }
    this.baseT = step.t;
  }
}

const size = (step: SceneStep): number => step.tracks.length + step.changes.length + step.removed.length + 1;
