/**
 * A hub's RSSI estimate on the live map, in a real browser: a pipeline with a hub (rid-hub's Hub, its map
 * started by cli/web-map.ts as rid-hub starts it) fed by three simulated receivers at known places — each
 * receiver's RSSI set by the scene from its distance to each drone — and headless Chromium on the page.
 * Two drones: one reporting its position, one whose Location messages never reach a receiver. The page is
 * guarded as the other map tests guard it (a request to any other origin, a CSP violation, an uncaught
 * error fails the test).
 *
 * What is checked, on the page's own drawing (SVG geometry and marker boxes, no pixel scraping): each
 * estimate's circle is centred where the Web Mercator projection puts the estimate and its radius is the
 * estimate's radius in pixels at the map's scale (measured from two markers of known place); the drone
 * without a position stands at its circle's centre, drawn as estimated, the other at its own position; when
 * the silent drone flies out of one receiver's hearing, its estimate can no longer be made and its circle
 * goes (and the drone with it: it has no other place), while the other's stays; heard again, it returns.
 * Screenshots go to test-artifacts/.
 */

import { RemoteIdExtractor } from '@odid/codec';
import { ManualClock } from '@odid/position';
import { demoScene, SimulatedScene, type SceneDrone } from '@odid/transmitter';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebMap, type WebMapRun } from '../../packages/receiver/src/cli/web-map.js';
import { Hub } from '../../packages/receiver/src/hub/hub.js';
import { HubReceivers } from '../../packages/receiver/src/hub/receivers.js';
import { Pipeline, type PipelineSinks } from '../../packages/receiver/src/pipeline.js';
import { artifact, expectCleanPage, guardedPage, launchBrowser, waitFor, type Guard } from './browser.js';

const scene = demoScene();
/** Reports its position (BLE legacy and Long Range). */
const HONEST: SceneDrone = scene.find((d) => d.name === 'eu-multirotor')!;
/** Flies the centre loop from the start, BLE legacy; its Location messages are never heard. */
const SILENT: SceneDrone = { ...scene.find((d) => d.name === 'bad-operator-id')!, name: 'silent', startAfterS: 0 };
const serialOf = (d: SceneDrone): string => d.identity.basicIds[0]!.uasId ?? '';

const ORIGIN = HONEST.route.origin!;
const M_PER_DEG = 111_195;
const place = (east: number, north: number): { lat: number; lon: number } => ({
  lat: ORIGIN.lat + north / M_PER_DEG,
  lon: ORIGIN.lon + east / (M_PER_DEG * Math.cos(ORIGIN.lat * (Math.PI / 180))),
});
/** Three receivers about 1.2 km apart around both loops. */
const RECEIVERS = [
  { id: 'north', at: place(0, 1100) },
  { id: 'south-east', at: place(650, 0) },
  { id: 'south-west', at: place(-700, -100) },
];

/** Leaflet's Earth radius for circles (L.CRS.Earth.R). */
const LEAFLET_EARTH_M = 6_371_000;

/** What the page draws, read in one go: markers' and circles' boxes on the screen, and the hook's tracks. */
interface Drawing {
  markers: { key: string; x: number; y: number; estimated: boolean }[];
  circles: { key: string; x: number; y: number; width: number; height: number }[];
  tracks: { key: string; uasId: string | null; position: { lat: number; lon: number } | null; estimate?: { lat: number; lon: number; radius: number; t: number } }[];
  hooked: { key: string; lat: number; lon: number; layer: string }[];
}

interface BoxElement {
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  getAttribute(name: string): string | null;
  classList: { contains(c: string): boolean };
  closest(selector: string): BoxElement | null;
}

const drawing = (page: Page): Promise<Drawing> =>
  page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { querySelectorAll(s: string): Iterable<BoxElement> };
      __odid: { tracks(): Drawing['tracks']; markers(): Drawing['hooked'] };
    };
    const centre = (el: BoxElement): { x: number; y: number; width: number; height: number } => {
      const r = el.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2, width: r.width, height: r.height };
    };
    const markers = [...g.document.querySelectorAll('.drone-wrap .drone-icon[data-layer="live"]')].map((icon) => {
      const c = centre(icon.closest('.drone-wrap')!);
      return { key: icon.getAttribute('data-key') ?? '', x: c.x, y: c.y, estimated: icon.classList.contains('estimated') };
    });
    const circles = [...g.document.querySelectorAll('path.rssi-estimate')].map((p) => ({ key: p.getAttribute('data-key') ?? '', ...centre(p) }));
    return { markers, circles, tracks: g.__odid.tracks(), hooked: g.__odid.markers() };
  });

/** Web Mercator at world width `w` pixels: where a point is, in pixels from the world's top-left. */
function mercator(p: { lat: number; lon: number }, w: number): { x: number; y: number } {
  const phi = (p.lat * Math.PI) / 180;
  return { x: (w * (p.lon + 180)) / 360, y: w * (0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI)) };
}

describe('the hub\'s RSSI estimate on the map (a hub fed by three simulated receivers, Chromium)', () => {
  let browser: Browser;
  let web: WebMapRun;
  let url = '';
  let timer: ReturnType<typeof setInterval> | undefined;
  let context: BrowserContext | undefined;
  let guard: Guard | undefined;
  let page: Page;
  /** While true, the south-west receiver no longer hears the silent drone. */
  let outOfReach = false;

  beforeAll(async () => {
    const sinks: PipelineSinks = {};
    const receivers = new HubReceivers();
    const now = Date.now();
    for (const r of RECEIVERS) receivers.status(r.id, { rx: r.id, boot: 1, sent: now / 1000, online: true, position: r.at }, now, false);
    const tracked = new Pipeline({ staleAfterMs: 30_000, lostAfterMs: 60_000 }, sinks);
    const hub = new Hub(tracked, receivers);
    web = await startWebMap(
      {
        address: { host: '127.0.0.1', port: 0 },
        mode: 'live',
        source: 'hub of three simulated receivers',
        tracker: tracked.tracker,
        say: (line) => {
          const m = /^map at (\S+)/.exec(line);
          if (m) url = m[1]!;
        },
      },
      sinks,
    );
    Object.assign(sinks, web.sinks);
    // The air, as three receivers hear it, on the wall clock (the map's live mode runs on it).
    const clock = new ManualClock(now);
    const scenes = RECEIVERS.map((r) => new SimulatedScene({ drones: [HONEST, SILENT], clock, receiver: { latitude: r.at.lat, longitude: r.at.lon }, flightElapsedS: 60 }));
    const extractor = new RemoteIdExtractor();
    let lastTick = 0;
    timer = setInterval(() => {
      const t = Date.now();
      clock.set(t);
      scenes.forEach((s, i) => {
        for (const f of s.due()) {
          if (f.drone === SILENT.name) {
            if (outOfReach && RECEIVERS[i]!.id === 'south-west') continue;
            if (extractor.fromRecord(f.linkType, f.data, {}).some((m) => m.message.type === 'location')) continue;
          }
          hub.take({ t: f.t, linkType: f.linkType, data: f.data, receiver: RECEIVERS[i]!.id });
        }
      });
      if (t - lastTick >= 200) {
        lastTick = t;
        tracked.tick(t);
        hub.tick();
      }
    }, 50);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    clearInterval(timer);
    await browser?.close();
    await web?.server.close();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && context) await page.screenshot({ path: artifact('failed-hub-estimate.png') }).catch(() => undefined);
    if (guard) await expectCleanPage(guard);
    await context?.close();
    context = undefined;
    guard = undefined;
  });

  it('draws each estimate\'s circle at the estimate, the silent drone at its centre; the circle goes with the estimate', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, guard } = await guardedPage(context, new URL(url).origin));
    expect((await page.goto(url))?.status()).toBe(200);

    // Both drones drawn, each with its circle.
    const keyOf = (d: Drawing, drone: SceneDrone): string | undefined => d.tracks.find((t) => t.uasId === serialOf(drone))?.key;
    await waitFor('both drones and their circles', async () => {
      const d = await drawing(page);
      const keys = [keyOf(d, HONEST), keyOf(d, SILENT)];
      return keys.every((k) => k && d.circles.some((c) => c.key === k) && d.markers.some((m) => m.key === k)) ? d : undefined;
    }, 30_000);
    // Out far enough to see the circles (kilometres: the default model, one drone reporting its position).
    await page.locator('.leaflet-control-zoom-out').click();
    await page.locator('.leaflet-control-zoom-out').click();
    // Settled: the same drawing twice, a little apart (the drones move: their markers, not the zoom).
    const d = await waitFor('the zoom to settle', async () => {
      const a = await drawing(page);
      await new Promise((r) => setTimeout(r, 400));
      const b = await drawing(page);
      const size = (x: Drawing): string => x.circles.map((c) => `${c.key}:${c.width.toFixed(1)}`).sort().join();
      return size(a) === size(b) && a.circles.length === 2 ? b : undefined;
    }, 15_000);
    await page.screenshot({ path: artifact('hub-estimate.png') });

    const honestKey = keyOf(d, HONEST)!;
    const silentKey = keyOf(d, SILENT)!;
    const track = (k: string): Drawing['tracks'][number] => d.tracks.find((t) => t.key === k)!;
    const marker = (k: string): Drawing['markers'][number] => d.markers.find((m) => m.key === k)!;
    const hooked = (k: string): Drawing['hooked'][number] => d.hooked.find((m) => m.key === k && m.layer === 'live')!;

    // The drone reporting its position stands there; the silent one at its estimate, drawn as estimated.
    expect(track(honestKey).position).not.toBeNull();
    expect(marker(honestKey).estimated).toBe(false);
    expect(hooked(honestKey)).toMatchObject({ lat: track(honestKey).position!.lat, lon: track(honestKey).position!.lon });
    expect(track(silentKey).position).toBeNull();
    expect(marker(silentKey).estimated).toBe(true);
    expect(hooked(silentKey)).toMatchObject({ lat: track(silentKey).estimate!.lat, lon: track(silentKey).estimate!.lon });

    // The map's scale, from the two markers' places and where they are drawn (Leaflet zooms in halves).
    const a = hooked(honestKey);
    const b = hooked(silentKey);
    const unit = { a: mercator(a, 1), b: mercator(b, 1) };
    const measured = Math.hypot(marker(silentKey).x - marker(honestKey).x, marker(silentKey).y - marker(honestKey).y) / Math.hypot(unit.b.x - unit.a.x, unit.b.y - unit.a.y);
    const zoom = Math.round(2 * Math.log2(measured / 256)) / 2;
    // Markers are placed to the whole pixel: a few hundred metres apart, that is a few per cent of scale.
    expect(Math.abs(Math.log2(measured / 256) - zoom), `measured zoom ${Math.log2(measured / 256)}`).toBeLessThan(0.15);
    const w = 256 * 2 ** zoom;

    for (const key of [honestKey, silentKey]) {
      const e = track(key).estimate!;
      const circle = d.circles.find((c) => c.key === key)!;
      // Centred where the projection puts the estimate (from the honest marker, drawn at a known place).
      const at = mercator(e, w);
      const from = mercator(a, w);
      const expected = { x: marker(honestKey).x + at.x - from.x, y: marker(honestKey).y + at.y - from.y };
      expect(Math.abs(circle.x - expected.x), `circle of ${key} at x ${circle.x}, projected ${expected.x}`).toBeLessThan(1.5);
      expect(Math.abs(circle.y - expected.y), `circle of ${key} at y ${circle.y}, projected ${expected.y}`).toBeLessThan(1.5);
      // The estimate's radius in pixels at this scale, both ways (Mercator is conformal).
      const radiusPx = (w * e.radius) / (2 * Math.PI * LEAFLET_EARTH_M * Math.cos((e.lat * Math.PI) / 180));
      expect(radiusPx, 'a circle worth measuring').toBeGreaterThan(20);
      expect(Math.abs(circle.width / 2 - radiusPx), `circle of ${key}: ${circle.width / 2} px wide, ${radiusPx} px expected`).toBeLessThan(Math.max(1.5, 0.01 * radiusPx));
      expect(Math.abs(circle.height / 2 - radiusPx)).toBeLessThan(Math.max(1.5, 0.01 * radiusPx));
    }
    // The silent drone stands at its circle's centre.
    const silentCircle = d.circles.find((c) => c.key === silentKey)!;
    expect(Math.hypot(marker(silentKey).x - silentCircle.x, marker(silentKey).y - silentCircle.y)).toBeLessThan(1.5);

    // Out of the south-west receiver's reach: two receivers cannot place it, its estimate ages and the hub
    // takes it off the track, so it goes from the map with the drone (it has no other place); the other
    // drone and its circle stay.
    outOfReach = true;
    const gone = await waitFor('the silent drone\'s circle to go', async () => {
      const x = await drawing(page);
      return !x.circles.some((c) => c.key === silentKey) && !x.markers.some((m) => m.key === silentKey) ? x : undefined;
    }, 40_000);
    expect(gone.circles.map((c) => c.key)).toEqual([honestKey]);
    expect(gone.markers.map((m) => m.key)).toEqual([honestKey]);
    // Still tracked (heard by two receivers), its estimate taken off the track by the hub: no longer current.
    const kept = gone.tracks.find((t) => t.key === silentKey)!;
    expect(kept.estimate).toBeUndefined();
    await page.screenshot({ path: artifact('hub-estimate-gone.png') });

    // Heard by three again: a new estimate, and its circle and drone are back.
    outOfReach = false;
    await waitFor('the silent drone\'s circle to return', async () => {
      const x = await drawing(page);
      return x.circles.some((c) => c.key === silentKey) && x.markers.some((m) => m.key === silentKey && m.estimated) ? x : undefined;
    }, 30_000);
  }, 150_000);
});
