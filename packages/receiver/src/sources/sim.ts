/**
 * The simulated scene of @odid/transmitter, in-process: several drones put real frame bytes on a simulated air,
 * and this source hands them over like a radio would. Runs in real time on the system clock, or as fast
 * as possible on a simulated clock (tests, benchmarks).
 */

import { EventEmitter } from 'node:events';
import { ManualClock, systemClock, type Clock } from '@odid/position';
import { SimulatedScene, demoScene, type SceneDrone } from '@odid/transmitter';
import type { FrameSource, FrameSourceEvents } from './types.js';

export interface SimulatedSceneOptions {
  drones?: SceneDrone[];
  /** Where the receiver stands (default: the scene's centre). */
  receiver?: { latitude: number; longitude: number };
  /** Simulated clock: run `durationS` of scene time as fast as possible, then emit 'end'. */
  fast?: { startMs: number; durationS: number };
  clock?: Clock;
  /** The drones' flights began this long before the source starts (see SceneOptions.flightElapsedS). */
  flightElapsedS?: number;
}

/** Seconds into their flights the live demo's drones are when the scene starts: past take-off and climb. */
export const DEMO_FLIGHT_ELAPSED_S = 60;

/** With a simulated clock, the longest the source runs before letting the event loop in (ms). */
const SLICE_MS = 20;

export class SimulatedSceneSource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  readonly name = 'sim';
  readonly drones: SceneDrone[];
  readonly receiver: { latitude: number; longitude: number };
  private timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  private stopped = false;
  private started = false;

  constructor(private readonly opts: SimulatedSceneOptions = {}) {
    super();
    this.drones = opts.drones ?? demoScene();
    this.receiver = opts.receiver ?? SimulatedScene.centre(this.drones);
  }

  /** Starts the scene; on a started source it does nothing (one scene, delivered once). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.fast) {
      const clock = new ManualClock(this.opts.fast.startMs);
      const scene = new SimulatedScene({ drones: this.drones, clock, receiver: this.receiver, ...(this.opts.flightElapsedS ? { flightElapsedS: this.opts.flightElapsedS } : {}) });
      const until = this.opts.fast.startMs + this.opts.fast.durationS * 1000;
      // Deliver asynchronously so listeners attached after start() see everything, in slices of about
      // SLICE_MS with the event loop free in between: a signal, a timer or a closed pipe is seen within one.
      const slice = (): void => {
        const sliceEnd = Date.now() + SLICE_MS;
        for (let next = scene.nextDue(); next <= until && !this.stopped; next = scene.nextDue()) {
          clock.set(next);
          for (const f of scene.due()) this.emit('frame', { t: f.t, linkType: f.linkType, data: f.data });
          if (Date.now() >= sliceEnd) {
            this.timer = setImmediate(slice);
            return;
          }
        }
        // A stopped source does not end: whoever stopped it is already finishing.
        if (!this.stopped) this.emit('end');
      };
      this.timer = setImmediate(slice);
      return;
    }
    const clock = this.opts.clock ?? systemClock;
    const scene = new SimulatedScene({ drones: this.drones, clock, receiver: this.receiver, ...(this.opts.flightElapsedS ? { flightElapsedS: this.opts.flightElapsedS } : {}) });
    const step = (): void => {
      if (this.stopped) return;
      for (const f of scene.due()) this.emit('frame', { t: f.t, linkType: f.linkType, data: f.data });
      this.timer = setTimeout(step, Math.max(1, scene.nextDue() - clock.now()));
    };
    step();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer as ReturnType<typeof setTimeout>);
      clearImmediate(this.timer as ReturnType<typeof setImmediate>);
    }
  }
}
