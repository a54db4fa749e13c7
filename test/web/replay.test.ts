/**
 * The map of a replay (`rid-scan --replay FILE --web`): a time slider over everything the page has received,
 * play/pause, "latest"; the scene drawn at the slider's time is the scene as it was then. The recording is
 * the simulated scene (rid-scan --sim --fast --record), so where each drone was at any time is known.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock, SimulatedFlightSource, distance } from '@odid/position';
import { demoScene, type SceneDrone } from '@odid/transmitter';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuilt } from '../support/built.js';
import { artifact, guardedPage, launchBrowser, markers, pageTracks, startMapServer, waitFor, type Guard, type MapServer, type PageTrackLite } from './browser.js';

const scene = demoScene();
const droneOf = (uasId: string | null): SceneDrone | undefined => scene.find((d) => d.identity.basicIds.some((b) => b.uasId === uasId));

function truth(d: SceneDrone, startMs: number, ms: number): { lat: number; lon: number } {
  const f = new SimulatedFlightSource({ clock: new ManualClock(startMs), route: d.route, startTime: startMs + (d.startAfterS ?? 0) * 1000, intervalMs: 0 }).positionAt(ms);
  return { lat: f.latitude, lon: f.longitude };
}

/** Replay speed: ten times real time. */
const SPEED = 10;

interface Slider {
  min: number;
  max: number;
  value: number;
  label: string;
  hidden: boolean;
}

describe('the map of a replay', () => {
  let dir: string;
  let browser: Browser;
  let server: MapServer;
  let context: BrowserContext;
  let page: Page;
  let guard: Guard;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'odid-web-replay-'));
    const recording = path.join(dir, 'scene.cbor');
    // Five minutes of the scene, recorded as fast as it can be made; replayed ten times faster than real time.
    const rec = runBuilt('rid-scan', ['--sim', '--fast', '--duration', '300', '--record', recording, '--once']);
    expect(rec.status, rec.stderr).toBe(0);
    [browser, server] = await Promise.all([launchBrowser(), startMapServer(['--replay', recording, '--speed', String(SPEED)])]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, guard } = await guardedPage(context, server.origin));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const slider = (): Promise<Slider> =>
    page.evaluate(() => {
      const { document } = globalThis as unknown as { document: { getElementById(id: string): { value: string; min: string; max: string; textContent: string; hidden: boolean } | null } };
      const s = document.getElementById('timeline-slider')!;
      return { min: Number(s.min), max: Number(s.max), value: Number(s.value), label: document.getElementById('timeline-time')!.textContent, hidden: document.getElementById('timeline')!.hidden };
    });

  const moveSlider = (t: number): Promise<void> =>
    page.evaluate((value) => {
      const g = globalThis as unknown as { document: { getElementById(id: string): { value: string; dispatchEvent(e: unknown): void } }; Event: new (type: string) => unknown };
      const s = g.document.getElementById('timeline-slider');
      s.value = String(value);
      s.dispatchEvent(new g.Event('input'));
    }, t);

  it('shows the scene as it was at the slider time, and follows the replay again on "latest"', async () => {
    await page.goto(server.url);
    const hello = await waitFor('hello', () => page.evaluate(() => (globalThis as unknown as { __odid: { hello(): { mode: string } | null } }).__odid.hello() ?? undefined));
    expect(hello.mode).toBe('replay');
    // Wait until 90 s of the scene have come in (the drones set off about 50 s in).
    const range = await waitFor('90 s of replay', async () => {
      const s = await slider();
      return !s.hidden && s.max - s.min >= 90 ? s : undefined;
    }, 30_000, 200);
    expect(range.label).toContain('(latest)');

    const tracksAt = async (): Promise<PageTrackLite[]> => pageTracks(page);
    const latest = await tracksAt();
    const start = Math.min(...latest.filter((t) => (droneOf(t.uasId)?.startAfterS ?? 0) === 0).map((t) => t.firstSeen)) * 1000;

    // Back to 70 s into the scene: every drone is drawn where the scene had it then.
    const at = start / 1000 + 70;
    await moveSlider(at);
    await waitFor('the slider to hold', async () => ((await slider()).label.includes('(latest)') ? undefined : true));
    const past = await tracksAt();
    const drawn = await markers(page);
    let compared = 0;
    for (const t of past) {
      expect(t.lastSeen, t.key).toBeLessThanOrEqual(at + 1e-6);
      const d = droneOf(t.uasId);
      const m = drawn.find((x) => x.key === t.key);
      if (!d || !t.position || !m) continue;
      expect([m.lat, m.lon]).toEqual([t.position.lat, t.position.lon]);
      expect(distance({ lat: m.lat, lon: m.lon }, truth(d, start, t.position.t * 1000)), d.name).toBeLessThan(15);
      // ...and no older than one batch of the receiver before the slider time: it sends a track at most
      // twice a second of wall time, which at ten times real speed is every 5 s of the scene.
      expect(at - t.position.t, d.name).toBeLessThan(0.5 * SPEED + 1.5);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: artifact('map-replay-past.png') });

    // Play: the time moves on by itself.
    await page.locator('#timeline-play').click();
    await waitFor('time to move', async () => ((await slider()).value > at + 1 ? true : undefined), 5_000);
    await page.locator('#timeline-latest').click();
    await waitFor('the latest again', async () => ((await slider()).label.includes('(latest)') ? true : undefined));
    const now = await tracksAt();
    expect(Math.max(...now.map((t) => t.lastSeen))).toBeGreaterThan(at + 5);

    expect(guard.foreign).toEqual([]);
    expect(await guard.csp()).toEqual([]);
    expect(guard.pageErrors).toEqual([]);
  }, 90_000);
});
