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
 *
 * rid-hub's path is longer (warmUpHub): every receiver's copy of a frame, the first decoded and tracked, the
 * others only adding their receiver's signal, and on the hub's tick the RSSI estimates — whose grid search
 * takes a millisecond once compiled and tens of milliseconds before. Without it, a hub started amid 20
 * receivers stalled its first seconds by 200-670 ms.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BROADCAST_TRANSPORTS } from '@odid/codec';
import { ManualClock } from '@odid/position';
import { SimulatedScene, demoScene, rssiAt } from '@odid/transmitter';
import { Hub } from './hub/hub.js';
import { HubReceivers } from './hub/receivers.js';
import { SAMPLE_EVERY_MS } from './hub/rssi-calibration.js';
import { TICK_EVERY_MS } from './hub/rssi-estimates.js';
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

export interface HubWarmUpResult extends WarmUpResult {
  /** Copies another receiver brought in first: only their signal taken. */
  duplicates: number;
  /** RSSI estimates made on the way, and those made with calibrated models. */
  estimates: number;
  calibrated: number;
}

/** The scratch hub's receivers: a triangle 1.2 km across about the demo scene's centre (east, north metres). */
const WARM_UP_RECEIVERS = [
  [0, 700],
  [600, -350],
  [-600, -350],
] as const;
const M_PER_DEG = 111_195;

/**
 * rid-hub's warm-up: `frames` receptions of the demo scene (every frame heard by each of three receivers at
 * known places, with the RSSI its distance gives) through a scratch hub built with `options`, ticking as
 * rid-hub ticks, so the estimates run too — with calibrated models for BLE legacy (its calibration fed
 * beforehand with drones heard at known distances), with the default models for the other transports.
 */
export function warmUpHub(options: PipelineOptions = {}, frames = 2000): HubWarmUpResult {
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`warm-up frames must be a whole number >= 1, got ${frames}`);
  const began = performance.now();
  const drones = demoScene();
  const clock = new ManualClock(SCENE_START_MS);
  const centre = SimulatedScene.centre(drones);
  const cosLat = Math.cos((centre.latitude * Math.PI) / 180);
  const receivers = new HubReceivers();
  const scenes = WARM_UP_RECEIVERS.map(([east, north], i) => {
    const at = { latitude: centre.latitude + north / M_PER_DEG, longitude: centre.longitude + east / (M_PER_DEG * cosLat) };
    receivers.status(`warm-up-${i}`, { rx: `warm-up-${i}`, boot: 1, sent: SCENE_START_MS / 1000, online: true, position: { lat: at.latitude, lon: at.longitude } }, SCENE_START_MS, false);
    return new SimulatedScene({ drones, clock, receiver: at });
  });
  const scratch = new Pipeline(options);
  const hub = new Hub(scratch, receivers, { now: () => clock.now() });
  // A past of eight drones heard at 200 m to 4 km (the scene's own path loss): a model per receiver.
  const calibration = hub.estimates.calibration!;
  for (let k = 0; k < 20; k++) {
    for (let d = 0; d < 8; d++) {
      const metres = 200 * 1.17 ** ((k + 2 * d) % 20);
      for (let i = 0; i < scenes.length; i++) calibration.add(`warm-up-${i}`, 'ble-legacy', `warm-up-drone-${d}`, metres, rssiAt(metres, 'ble-legacy') + ((k + d + i) % 3) - 1, SCENE_START_MS - (20 - k) * SAMPLE_EVERY_MS);
    }
  }
  let n = 0;
  let tickAt = SCENE_START_MS;
  while (n < frames) {
    clock.set(Math.min(...scenes.map((s) => s.nextDue()), tickAt + TICK_EVERY_MS));
    scenes.forEach((scene, i) => {
      for (const f of scene.due()) {
        hub.take({ t: f.t, linkType: f.linkType, data: f.data, receiver: `warm-up-${i}` });
        n++;
      }
    });
    if (clock.now() >= tickAt + TICK_EVERY_MS) {
      tickAt = clock.now();
      scratch.tick(tickAt);
      hub.tick();
    }
  }
  const transports = Object.keys(scratch.stats.byTransport).sort();
  const result = { frames: n, messages: scratch.stats.messages, tracks: scratch.tracker.tracks().length, transports, duplicates: hub.stats.duplicates, estimates: hub.estimates.made, calibrated: hub.estimates.calibrated };
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
