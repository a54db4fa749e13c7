/**
 * The scene `rid-scan --sim` flies (demoScene), as the map's browser tests compare a page with it: the
 * drones' routes are deterministic, so where a drone truly is at any moment is computed here and set
 * against where the page draws it (the page's hook, no pixel scraping).
 */

import { ManualClock, SimulatedFlightSource, distance } from '@odid/position';
import { demoScene, type SceneDrone } from '@odid/transmitter';
import { DEMO_FLIGHT_ELAPSED_S } from '../../packages/receiver/src/sources/sim.js';
import type { PageMarker, PageTrackLite } from './browser.js';

export const SIM_SCENE: readonly SceneDrone[] = demoScene();

/** The scene drone that broadcasts this UAS ID, if any. */
export function sceneDrone(uasId: string | null): SceneDrone | undefined {
  if (uasId === null) return undefined;
  return SIM_SCENE.find((d) => d.identity.basicIds.some((b) => b.uasId === uasId));
}

export function sceneDroneNamed(name: string): SceneDrone {
  const d = SIM_SCENE.find((x) => x.name === name);
  if (!d) throw new Error(`no drone ${name} in the demo scene`);
  return d;
}

/** A drone's serial number (its Basic ID of type 1). */
export function serialOf(d: SceneDrone): string {
  const id = d.identity.basicIds.find((b) => b.idType === 1)?.uasId;
  if (!id) throw new Error(`${d.name} broadcasts no serial number`);
  return id;
}

/**
 * When the scene started, in ms since the epoch: the drones there from the start send their first message
 * at that moment, and the tracker keeps the frames' time.
 */
export function sceneStartMs(tracks: readonly Pick<PageTrackLite, 'uasId' | 'firstSeen'>[]): number {
  const fromStart = tracks.filter((t) => {
    const d = sceneDrone(t.uasId);
    return d !== undefined && (d.startAfterS ?? 0) === 0;
  });
  if (fromStart.length === 0) throw new Error('no track of a drone flying from the start of the scene yet');
  return Math.min(...fromStart.map((t) => t.firstSeen * 1000));
}

/** Where a scene drone truly is at `atMs`, the scene having started at `startMs` (live, drones start mid-flight). */
export function truePosition(d: SceneDrone, startMs: number, atMs: number): { lat: number; lon: number } {
  const flightStart = startMs + ((d.startAfterS ?? 0) - DEMO_FLIGHT_ELAPSED_S) * 1000;
  const flight = new SimulatedFlightSource({ clock: new ManualClock(startMs), route: d.route, startTime: flightStart, intervalMs: 0 });
  const fix = flight.positionAt(atMs);
  return { lat: fix.latitude, lon: fix.longitude };
}

/**
 * Sets the page's live markers against the tracks they were drawn from and against the scene: each marker
 * must be exactly where its track is, and that within `toleranceM` of where the scene put the drone at the
 * track's time. Returns what is wrong (nothing when all is right) and the markers by scene drone name.
 */
export function compareWithScene(markers: readonly PageMarker[], tracks: readonly PageTrackLite[], toleranceM = 15): { byName: Map<string, PageMarker>; problems: string[] } {
  const problems: string[] = [];
  const byName = new Map<string, PageMarker>();
  const trackOf = new Map(tracks.map((t) => [t.key, t]));
  const start = sceneStartMs(tracks);
  for (const m of markers) {
    if (m.layer !== 'live') continue;
    const t = trackOf.get(m.key);
    if (!t?.position) {
      problems.push(`marker ${m.key} has no track with a position`);
      continue;
    }
    if (m.lat !== t.position.lat || m.lon !== t.position.lon) problems.push(`marker ${m.key} at ${m.lat},${m.lon}, its track at ${t.position.lat},${t.position.lon}`);
    const d = sceneDrone(t.uasId);
    if (!d) continue; // heard only by its address so far, before its Basic ID
    const off = distance({ lat: m.lat, lon: m.lon }, truePosition(d, start, t.position.t * 1000));
    if (!(off < toleranceM)) problems.push(`${d.name} drawn ${off.toFixed(1)} m from where it was at ${t.position.t}`);
    byName.set(d.name, m);
  }
  return { byName, problems };
}
