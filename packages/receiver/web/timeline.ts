/**
 * The replay slider (hello.mode 'replay'): over everything the page has received so far, play, pause,
 * speed, and a "latest" button that follows the replay as it arrives. The scene at the slider's time is
 * rebuilt from the bounded client-side timeline (timeline-model.ts).
 */

import { h } from './dom.js';
import { clockTime } from './format.js';
import type { Timeline } from './timeline-model.js';

const SPEEDS = [0.5, 1, 2, 5, 10, 30, 100];

export interface TimelineOptions {
  /** The time to show changed (undefined: follow the latest). */
  onTime: (t: number | undefined) => void;
}

export class TimelineBar {
  readonly root: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly label: HTMLElement;
  private readonly play: HTMLButtonElement;
  private readonly latest: HTMLButtonElement;
  private readonly speed: HTMLSelectElement;
  /** undefined: following the latest update. */
  private t: number | undefined;
  private playing = false;
  private lastFrame = 0;
  private raf = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly opts: TimelineOptions,
  ) {
    this.slider = h('input', { type: 'range', id: 'timeline-slider', min: 0, max: 1, step: 0.1, value: 1, 'aria-label': 'Replay time' });
    this.label = h('span', { class: 'timeline-time', id: 'timeline-time' }, '—');
    this.play = h('button', { type: 'button', class: 'tool-button', id: 'timeline-play' }, 'Play');
    this.latest = h('button', { type: 'button', class: 'tool-button', id: 'timeline-latest', title: 'Follow the replay as it arrives' }, 'Latest');
    this.speed = h('select', { id: 'timeline-speed', 'aria-label': 'Playback speed' }, ...SPEEDS.map((s) => h('option', { value: s }, `${s}×`)));
    this.speed.value = '1';
    this.root = h('div', { class: 'timeline', id: 'timeline', hidden: true }, this.play, this.slider, this.label, this.speed, this.latest);
    this.slider.addEventListener('input', () => {
      this.setTime(Number(this.slider.value));
    });
    this.play.addEventListener('click', () => (this.playing ? this.pause() : this.start()));
    this.latest.addEventListener('click', () => {
      this.pause();
      this.setTime(undefined);
    });
  }

  show(on: boolean): void {
    this.root.hidden = !on;
  }

  /** The time shown, undefined while following the latest. */
  get time(): number | undefined {
    return this.t;
  }

  /** New updates arrived: the range grows; a followed slider stays at the end. */
  refresh(): void {
    const start = this.timeline.start;
    const end = this.timeline.end;
    if (start === undefined || end === undefined) return;
    this.slider.min = String(start);
    this.slider.max = String(end);
    if (this.t === undefined) this.slider.value = String(end);
    else if (this.t < start) this.t = start;
    this.label.textContent = `${clockTime(this.t ?? end)}${this.t === undefined ? ' (latest)' : ''}`;
    this.latest.classList.toggle('active', this.t === undefined);
  }

  private setTime(t: number | undefined): void {
    const end = this.timeline.end;
    this.t = t === undefined || (end !== undefined && t >= end && !this.playing) ? undefined : t;
    this.refresh();
    this.opts.onTime(this.t);
  }

  private start(): void {
    const start = this.timeline.start;
    if (start === undefined) return;
    if (this.t === undefined) this.t = start;
    this.playing = true;
    this.play.textContent = 'Pause';
    this.lastFrame = performance.now();
    const step = (now: number): void => {
      if (!this.playing) return;
      const dt = (now - this.lastFrame) / 1000;
      this.lastFrame = now;
      const end = this.timeline.end ?? 0;
      const next = (this.t ?? end) + dt * Number(this.speed.value);
      if (next >= end) {
        this.pause();
        this.setTime(undefined);
        return;
      }
      this.t = next;
      this.slider.value = String(next);
      this.refresh();
      this.opts.onTime(next);
      this.raf = requestAnimationFrame(step);
    };
    this.raf = requestAnimationFrame(step);
  }

  private pause(): void {
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.play.textContent = 'Play';
  }
}
