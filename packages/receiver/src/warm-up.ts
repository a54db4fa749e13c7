/**
 * A live receiver's first second is its slowest: until V8 has compiled the decode-and-track path, a frame
 * costs several times what it will, and in a dense scene (1,000 drones) the queue backs up by tens of
 * milliseconds just as every track is being created. Running that path over a short simulated scene
 * before the radios start moves the cost to start-up, where no frame waits for it.
 *
 * Nothing of it stays: the frames go through a scratch pipeline of their own, which is then dropped, and
 * one full garbage collection follows. That collection matters for memory: V8 sets how far the old
 * generation may grow before its next full collection from the live size it found at the last one. Left to
 * itself, its first full collection comes only once ~60 MB have piled up (start-up garbage, then the
 * receiver's short-lived objects), and a 1,000-drone scene peaked at ~150 MB of RSS before settling at
 * ~125; collected here, the limit follows the receiver's real live data (~20-40 MB of heap) from the start.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '@odid/position';
import { SimulatedScene, demoScene } from '@odid/transmitter';
import { Pipeline, type PipelineOptions } from './pipeline.js';

export interface WarmUpResult {
  frames: number;
  /** Messages decoded and tracks made on the way: what the scratch pipeline exercised. */
  messages: number;
  tracks: number;
  /** The transports it went through. */
  transports: string[];
  /** Whether the full collection after it ran. */
  collected: boolean;
  /** Wall-clock time it took, ms. */
  ms: number;
}

/** Any fixed instant: the scratch tracker only sees the scene's own clock. */
const SCENE_START_MS = Date.UTC(2025, 0, 1, 12, 0, 0);

/**
 * Feeds `frames` frames of the demo scene (every transport, every message type, an emergency, a bad
 * operator ID) through a scratch pipeline built with `options` (the live one's, so the same code paths run).
 */
export function warmUp(options: PipelineOptions = {}, frames = 2000): WarmUpResult {
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`warm-up frames must be a whole number >= 1, got ${frames}`);
  const began = performance.now();
  const drones = demoScene();
  const clock = new ManualClock(SCENE_START_MS);
  const scene = new SimulatedScene({ drones, clock, receiver: SimulatedScene.centre(drones) });
  const scratch = new Pipeline(options);
  let n = 0;
  while (n < frames) {
    clock.set(scene.nextDue());
    for (const f of scene.due()) {
      scratch.process({ t: f.t, linkType: f.linkType, data: f.data });
      n++;
    }
  }
  const result = { frames: n, messages: scratch.stats.messages, tracks: scratch.tracker.tracks().length, transports: Object.keys(scratch.stats.byTransport).sort() };
  return { ...result, collected: collectGarbage(), ms: performance.now() - began };
}

/**
 * One full collection now. Node offers `gc` only under --expose-gc; the flag can be set at run time, and a
 * fresh context then carries the function. Returns false where even that is refused.
 */
function collectGarbage(): boolean {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as (() => void) | undefined;
    } catch {
      return false;
    }
  }
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}
