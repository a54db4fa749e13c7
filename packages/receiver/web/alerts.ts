/**
 * Alerts from the receiver (new drone, emergency, a flag raised, a zone entered): a banner with the latest
 * one (emergencies stay until dismissed), the tracks concerned highlighted in the list and on the map for a
 * minute, and an optional sound (WebAudio beeps; off by default, the choice remembered).
 */

import type { WebAlert } from '../src/outputs/web/protocol.js';
import { h, stored } from './dom.js';
import { air, clockTime } from './format.js';

/** How long an alert keeps its track highlighted (seconds of the frames' clock). */
const HIGHLIGHT_S: Record<WebAlert['kind'], number> = { emergency: 300, flag: 60, zone: 60, 'new-drone': 10 };
/** Non-emergency banners go by themselves after this (ms of the wall clock). */
const BANNER_MS = 12_000;

export interface AlertsOptions {
  onSelect: (key: string) => void;
  now: () => number;
}

export class Alerts {
  readonly banner: HTMLElement;
  readonly soundButton: HTMLButtonElement;
  private readonly text: HTMLElement;
  private readonly more: HTMLElement;
  private current: WebAlert | undefined;
  private hideTimer: ReturnType<typeof setTimeout> | undefined;
  private audio: AudioContext | undefined;
  private sound = stored.get('odid.sound') === 'on';
  private all: WebAlert[] = [];
  /** Alerts the officer dismissed (number, time, track: unique across runs): not shown again by a later snapshot. */
  private readonly dismissed = new Set<string>();

  constructor(private readonly opts: AlertsOptions) {
    this.text = h('span', { class: 'alert-text', id: 'alert-text' });
    this.more = h('span', { class: 'alert-more' });
    const dismiss = h('button', { type: 'button', class: 'icon-button', id: 'alert-dismiss', title: 'Dismiss', 'aria-label': 'Dismiss alert' }, '✕');
    dismiss.addEventListener('click', (e) => {
      e.stopPropagation();
      this.hide();
    });
    this.banner = h('div', { id: 'alert-banner', class: 'alert-banner', role: 'alert', hidden: true }, this.text, this.more, dismiss);
    this.banner.addEventListener('click', () => this.current && this.opts.onSelect(this.current.key));
    this.soundButton = h('button', { type: 'button', class: 'tool-button', id: 'sound-toggle', 'aria-pressed': String(this.sound), title: 'Alert sound' });
    this.soundButton.addEventListener('click', () => this.setSound(!this.sound));
    this.renderSoundButton();
  }

  /** Every alert known (a snapshot's and the live ones), oldest first. */
  setAll(alerts: WebAlert[]): void {
    this.all = alerts;
  }

  /** New alerts as they arrive: banner, and sound when on (not when `quiet`: old news from a snapshot). */
  raise(alerts: WebAlert[], quiet = false): void {
    const fresh = alerts.filter((a) => !this.dismissed.has(alertId(a)));
    if (fresh.length === 0) return;
    const worst = [...fresh].reverse().find((a) => a.kind === 'emergency') ?? fresh[fresh.length - 1]!;
    // An emergency on show is not replaced by lesser news.
    if (!(this.current?.kind === 'emergency' && !this.banner.hidden && worst.kind !== 'emergency')) this.showBanner(worst, fresh.length - 1);
    if (this.sound && !quiet) this.beep(worst.kind === 'emergency' ? 3 : 1, worst.kind === 'emergency' ? 880 : 660);
  }

  /**
   * Keys of tracks with a recent alert (emergencies for 5 minutes, flags and zones for one, new drones for
   * 10 s), or only those of the given kinds.
   */
  recentKeys(kinds?: ReadonlySet<WebAlert['kind']>): Set<string> {
    const now = this.opts.now();
    const keys = new Set<string>();
    for (const a of this.all) if (now - a.t <= HIGHLIGHT_S[a.kind] && (!kinds || kinds.has(a.kind))) keys.add(a.key);
    return keys;
  }

  private showBanner(a: WebAlert, others: number): void {
    this.current = a;
    this.banner.hidden = false;
    this.banner.className = `alert-banner kind-${a.kind}`;
    this.banner.dataset.kind = a.kind;
    this.banner.dataset.key = a.key;
    this.text.textContent = `${clockTime(a.t)} ${air(a.uasId ?? a.key, 40)}: ${air(a.text, 120)}`;
    this.more.textContent = others > 0 ? ` (+${others} more)` : '';
    clearTimeout(this.hideTimer);
    if (a.kind !== 'emergency') this.hideTimer = setTimeout(() => this.hide(), BANNER_MS);
  }

  private hide(): void {
    if (this.current && !this.banner.hidden) this.dismissed.add(alertId(this.current));
    this.banner.hidden = true;
    clearTimeout(this.hideTimer);
  }

  private setSound(on: boolean): void {
    this.sound = on;
    stored.set('odid.sound', on ? 'on' : 'off');
    this.renderSoundButton();
    // The button press is the user gesture browsers want before audio may play.
    if (on) this.beep(1, 660);
  }

  private renderSoundButton(): void {
    this.soundButton.textContent = this.sound ? 'Sound: on' : 'Sound: off';
    this.soundButton.setAttribute('aria-pressed', String(this.sound));
  }

  private beep(times: number, freq: number): void {
    try {
      const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!Ctx) return;
      this.audio ??= new Ctx();
      const ctx = this.audio;
      void ctx.resume?.();
      for (let i = 0; i < times; i++) {
        const start = ctx.currentTime + i * 0.25;
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.2, start + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start);
        osc.stop(start + 0.2);
      }
    } catch {
      // No audio on this device: the banner is enough.
    }
  }
}

const alertId = (a: WebAlert): string => `${a.id}|${a.t}|${a.key}`;
