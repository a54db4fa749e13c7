/**
 * The live map in Firefox (issue 10: the map works in Chromium and Firefox). Debian's Firefox ESR, headless,
 * driven by puppeteer-core over WebDriver BiDi (firefox.ts), opens what `rid-scan --sim --web 127.0.0.1:0`
 * serves, as map.test.ts does in Chromium, and checks the core of it: loaded from the receiver alone, within
 * its CSP, without an error; the basemap painted; the drones where the scene flies them (scene.ts), within
 * 2 s of being heard, moving; a drone's details on a tap; a phone's layout; the connection coming back.
 * Every page is guarded: a request to another origin, a CSP violation or an error fails the test it happens
 * in. Screenshots go to test-artifacts/ (firefox-*.png).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distance } from '@odid/position';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { artifact, overlapsOf, startMapServer, visibleRegions, waitFor, type MapServer, type PageMarker } from './browser.js';
import {
  closeFirefox,
  colours,
  connectionOf,
  countOf,
  cssRgb,
  decodePng,
  dropPageSockets,
  guardedFirefoxPage,
  isShown,
  launchFirefox,
  markersAndTracksOf,
  pageSockets,
  recordSockets,
  sameColour,
  statsOf,
  textAt,
  tracksOf,
  type FirefoxGuard,
} from './firefox.js';
import { tinyPmtiles } from './pmtiles.js';
import { compareWithScene, sceneDroneNamed, serialOf } from './scene.js';

const EU = sceneDroneNamed('eu-multirotor');

/** What Firefox reports (as an error of the page) for each WebSocket that could not connect. */
const WS_REFUSED = /establish a connection to the server at ws:\/\/127\.0\.0\.1:\d+\/ws/;

/** Firefox or a receiver starting on a loaded 2-core machine: generous. */
const START_MS = 120_000;

let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchFirefox();
}, START_MS);

afterAll(async () => {
  await closeFirefox(browser);
}, 60_000);

/**
 * One guarded page at a time in a new browser context (no cookies, no storage): the guard is checked and
 * the context closed after each test, whatever happened in it.
 */
function pages(serverOf: () => MapServer | undefined) {
  const s: { context?: BrowserContext; page?: Page; guard?: FirefoxGuard } = {};
  afterEach(async (ctx) => {
    try {
      if (ctx.task.result?.state === 'fail' && s.page) await s.page.screenshot({ path: artifact(`firefox-failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`) }).catch(() => undefined);
      if (s.guard) {
        const csp = await s.guard.csp().catch(() => []);
        const uncaught = await s.guard.uncaught().catch(() => []);
        expect(s.guard.foreign, 'requests to other origins').toEqual([]);
        expect(csp, 'CSP violations').toEqual([]);
        expect(uncaught, 'uncaught errors').toEqual([]);
        expect(s.guard.pageErrors, 'errors Firefox reported').toEqual([]);
        expect(s.guard.failed, 'failed requests').toEqual([]);
        expect(s.guard.consoleErrors, 'console errors').toEqual([]);
      }
    } finally {
      await s.context?.close().catch(() => undefined);
      s.context = s.page = s.guard = undefined;
    }
  });
  return {
    async open(viewport?: { width: number; height: number }): Promise<{ page: Page; guard: FirefoxGuard }> {
      s.context = await browser!.createBrowserContext();
      const g = await guardedFirefoxPage(s.context, serverOf()!.origin, viewport);
      s.page = g.page;
      s.guard = g.guard;
      return g;
    },
    /** The guard is not to be checked after this test (it made the page misbehave on purpose). */
    unguard(): void {
      s.guard = undefined;
    },
  };
}

/** Loads the map and waits for its WebSocket. */
async function load(page: Page, server: MapServer): Promise<void> {
  const res = await page.goto(server.url, { timeout: 60_000 });
  expect(res?.status()).toBe(200);
  await waitFor('the WebSocket', async () => ((await connectionOf(page)) === 'open' ? true : undefined), 30_000);
}

/** The live markers, each where its track and the scene say (else throws, for waitFor to try again), by drone name. */
async function markersOnScene(page: Page): Promise<Map<string, PageMarker>> {
  const { markers, tracks } = await markersAndTracksOf(page);
  const { byName, problems } = compareWithScene(markers, tracks);
  if (problems.length) throw new Error(problems.join('; '));
  return byName;
}

describe('the live map in Firefox ESR (rid-scan --sim --web)', () => {
  let server: MapServer | undefined;
  const { open, unguard } = pages(() => server);

  beforeAll(async () => {
    server = await startMapServer(['--sim'], START_MS);
  }, START_MS);

  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  it('has a guard that sees a foreign request, a CSP violation and an uncaught error', async () => {
    const { page, guard } = await open();
    await load(page, server!);
    unguard();
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        document: { createElement(t: 'script'): { textContent: string }; head: { append(e: unknown): void } };
        setTimeout(fn: () => void, ms: number): void;
      };
      // An inline script: the page's CSP (script-src 'self') blocks it.
      const script = g.document.createElement('script');
      script.textContent = 'void 0';
      g.document.head.append(script);
      g.setTimeout(() => {
        throw new Error('thrown by the guard test');
      }, 0);
    });
    await waitFor('the violation and the error', async () => ((await guard.csp()).length > 0 && (await guard.uncaught()).length > 0 && guard.pageErrors.some((e) => e.includes('thrown by the guard test')) ? true : undefined));
    expect((await guard.csp())[0]).toMatch(/^script-src/);
    expect(await guard.uncaught()).toEqual([expect.stringContaining('thrown by the guard test')]);
    // Firefox does not even start a request its CSP blocks (no request event), so another origin is reached
    // by navigating to it: the receiver's own address under another name.
    const elsewhere = server!.url.replace('127.0.0.1', 'localhost');
    await page.goto(elsewhere, { timeout: 30_000 }).catch(() => undefined);
    await waitFor('the foreign request', async () => (guard.foreign.includes(elsewhere) ? true : undefined));
  }, 90_000);

  it('is served by the receiver alone, within its CSP, and paints the world basemap under the drones', async () => {
    const { page } = await open({ width: 1280, height: 800 });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const res = await page.goto(server!.url, { timeout: 60_000 });
    expect(res?.status()).toBe(200);
    const csp = res!.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await waitFor('the WebSocket', async () => ((await connectionOf(page)) === 'open' ? true : undefined), 30_000);
    await waitFor('the world outline', async () => ((await countOf(page, '#map path.world')) > 0 ? true : undefined), 30_000);
    await waitFor('the drones', async () => ((await markersAndTracksOf(page)).markers.length >= 4 ? true : undefined), 30_000);
    // The trails are drawn on a canvas: it has pixels once the drones have flown a little.
    await waitFor('trails on the canvas', () =>
      page.evaluate(() => {
        type Canvas = { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
        const canvas = (globalThis as unknown as { document: { querySelector(s: string): Canvas | null } }).document.querySelector('#map .leaflet-overlay-pane canvas');
        if (!canvas || canvas.width === 0) return undefined;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
        return painted > 20 ? painted : undefined;
      }), 30_000, 250);

    // The land of the world outline (the scene is over the Swiss plateau) fills the map, in the outline's
    // colour and not the map's own background; the drones, rings and labels are drawn over it.
    const look = await page.evaluate(() => {
      const { document, getComputedStyle } = globalThis as unknown as {
        document: { querySelector(s: string): { getBoundingClientRect(): { x: number; y: number; width: number; height: number } } | null };
        getComputedStyle(e: unknown): { fill: string; backgroundColor: string };
      };
      const land = document.querySelector('#map path.world');
      const map = document.querySelector('#map')!;
      const r = map.getBoundingClientRect();
      return { land: getComputedStyle(land).fill, background: getComputedStyle(map).backgroundColor, box: { x: r.x, y: r.y, width: r.width, height: r.height } };
    });
    const land = cssRgb(look.land);
    expect(sameColour(land, cssRgb(look.background)), 'land and background are told apart').toBe(false);
    const shot = decodePng(await page.screenshot({ path: artifact('firefox-desktop.png') }));
    expect([shot.width, shot.height]).toEqual([1280, 800]);
    const onMap = colours(shot, look.box);
    const total = onMap.reduce((n, [, c]) => n + c, 0);
    const [dominant, share] = onMap[0]!;
    expect(sameColour(dominant, land), `the map's commonest colour #${dominant.toString(16)} is the land's #${land.toString(16)}`).toBe(true);
    expect(share / total).toBeGreaterThan(0.5);
    expect(share / total).toBeLessThan(0.99);
    expect(onMap.length).toBeGreaterThan(20);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith(server!.origin) && !u.startsWith('data:'))).toEqual([]);
  }, 120_000);

  it('draws each drone where the scene flies it, within 2 s of being heard, and follows it', async () => {
    const { page } = await open();
    await load(page, server!);
    // The page draws on animation frames, so a marker may be a frame behind its track: look until both
    // agree with the scene.
    const first = await waitFor('markers where the scene puts them', async () => {
      const m = await markersOnScene(page);
      return m.size >= 4 && m.has(EU.name) ? m : undefined;
    }, 30_000, 100);
    const a = first.get(EU.name)!;
    const later = await waitFor('the EU drone to move', async () => {
      const m = await markersOnScene(page);
      const b = m.get(EU.name);
      return b && distance({ lat: a.lat, lon: a.lon }, { lat: b.lat, lon: b.lon }) > 20 ? m : undefined;
    }, 90_000, 250);
    expect(later.get(EU.name)!.rotation).not.toBeNull();
    // How long after a drone was last heard its update was drawn (live, the frames' clock is the wall clock).
    const stats = await waitFor('updates drawn', async () => {
      const st = await statsOf(page);
      return st.latencyMs.length >= 20 ? st : undefined;
    }, 30_000, 250);
    const sorted = [...stats.latencyMs].sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length * 0.95)]!).toBeLessThan(2_000);
  }, 150_000);

  it('opens the details of a drone tapped on the map, every field decoded', async () => {
    const { page } = await open();
    await load(page, server!);
    const eu = await waitFor('the EU drone on the map', async () => {
      const { markers, tracks } = await markersAndTracksOf(page);
      const t = tracks.find((x) => x.uasId === serialOf(EU));
      return t && markers.some((m) => m.key === t.key) ? t : undefined;
    }, 30_000);
    // Tapped again should the first tap miss (the drone flies on; an alert banner can push the map down).
    const selected = () => page.evaluate(() => (globalThis as unknown as { __odid: { selected(): string | null } }).__odid.selected());
    await waitFor('its details', async () => {
      if ((await selected()) !== eu.key) await page.click(`.drone-icon[data-key="${eu.key}"]`);
      return (await selected()) === eu.key && (await isShown(page, '#details-view')) ? true : undefined;
    }, 20_000, 250);
    const field = (f: string) => textAt(page, `#details-body [data-field="${f}"] td`);
    // The full details come from the receiver on request: wait for them, not only for the panel.
    await waitFor('the decoded fields', async () => ((await field('uasId')) === serialOf(EU) ? true : undefined), 10_000).catch(() => undefined);
    expect(await field('uasId')).toBe(serialOf(EU));
    expect(await field('idType')).toBe('1 serial number (ANSI/CTA-2063-A)');
    expect(await field('uaType')).toBe('2 helicopter or multirotor');
    expect(await field('operatorId')).toBe('FIN87astrdge12k8');
    expect(await field('selfId')).toBe('Bridge inspection');
    expect(await field('system.classificationType')).toBe('1 European Union');
    expect(await field('system.classEU')).toBe('3 C2');
    expect(await field('location.latitude')).toMatch(/^47\.\d+°$/);
    expect(await field('location.speedHorizontal')).toMatch(/m\/s/);
    expect(await field('links.0.rssi')).toMatch(/^-\d+ dBm/);
    expect(await textAt(page, '#details-heard')).toMatch(/last heard \d+ s ago/);
    await page.screenshot({ path: artifact('firefox-desktop-details.png') });
  }, 90_000);

  it('fits a phone: no two panels overlap, with the list, the details or the sheet folded', async () => {
    const phone = { width: 360, height: 740 };
    const { page } = await open(phone);
    await load(page, server!);
    await waitFor('drones in the list', async () => ((await countOf(page, '#track-rows li[data-key]')) >= 4 ? true : undefined), 30_000);
    // An alert banner (a new drone, a flag, the emergency: any time in the scene) takes its room from the
    // map, so the map is measured with it.
    const check = async (what: string): Promise<number> => {
      const boxes = await page.evaluate(visibleRegions);
      expect(overlapsOf(boxes), what).toEqual([]);
      for (const b of boxes) {
        expect(b.x, `${what}: ${b.id} left`).toBeGreaterThanOrEqual(-0.5);
        expect(b.x + b.width, `${what}: ${b.id} right`).toBeLessThanOrEqual(phone.width + 0.5);
        expect(b.y + b.height, `${what}: ${b.id} bottom`).toBeLessThanOrEqual(phone.height + 0.5);
      }
      expect(boxes.map((b) => b.id), `${what}: regions`).toEqual(expect.arrayContaining(['bar', 'map', 'panel']));
      const map = boxes.find((b) => b.id === 'map')!;
      expect(map.width, `${what}: map width`).toBeCloseTo(phone.width, 0);
      const mapAndBanner = map.height + (boxes.find((b) => b.id === 'alert-banner')?.height ?? 0);
      expect(mapAndBanner, `${what}: map height (with the banner's)`).toBeGreaterThan(phone.height * 0.3);
      return mapAndBanner;
    };
    await check('list');
    await page.screenshot({ path: artifact('firefox-phone.png') });

    // The list is redrawn twice a second: tapped again should a row be replaced under the first tap.
    await waitFor('the details', async () => {
      if (!(await isShown(page, '#details-view'))) await page.click('#track-rows li[data-key]').catch(() => undefined);
      return (await isShown(page, '#details-view')) ? true : undefined;
    }, 20_000, 250);
    expect(await isShown(page, '#list-view')).toBe(false);
    const withDetails = await check('details');
    await page.screenshot({ path: artifact('firefox-phone-details.png') });

    await page.click('#sheet-toggle');
    await waitFor('the sheet folded', () => page.evaluate(() => ((globalThis as unknown as { document: { getElementById(id: string): { classList: { contains(c: string): boolean } } } }).document.getElementById('panel').classList.contains('collapsed') ? true : undefined)));
    expect(await check('folded')).toBeGreaterThan(withDetails);
    await page.screenshot({ path: artifact('firefox-phone-folded.png') });
  }, 90_000);

  it('reconnects when its connection drops, and at once when the network comes back', async () => {
    const { page, guard } = await open();
    await recordSockets(page);
    await load(page, server!);
    await waitFor('drones', async () => ((await tracksOf(page)).length >= 4 ? true : undefined), 30_000);

    // The socket closes under the page: it connects again by itself (0.5 s later) and starts over.
    expect(await dropPageSockets(page)).toBe(1);
    await waitFor('a new connection', async () => {
      const s = await pageSockets(page);
      return s.length >= 2 && s.at(-1) === 1 && (await connectionOf(page)) === 'open' ? true : undefined;
    }, 30_000);
    await waitFor('the drones again', async () => ((await markersOnScene(page)).size >= 4 ? true : undefined), 30_000);

    // Offline (BiDi's network emulation): the page is told, and its connection is lost with the network.
    await page.setOfflineMode(true);
    await waitFor('the page offline', async () => ((await page.evaluate(() => (globalThis as unknown as { navigator: { onLine: boolean } }).navigator.onLine)) ? undefined : true));
    const before = (await pageSockets(page)).length;
    expect(await dropPageSockets(page)).toBe(1);
    await waitFor('the page to say so', async () => ((await connectionOf(page)) !== 'open' && /offline|connecting/.test((await textAt(page, '#conn')) ?? '') ? true : undefined), 10_000);
    // Its retries fail while offline, each after a longer wait (0.5, 1, 2, 4, 8 s, ±20 %): after the fifth,
    // the next is at least 12.8 s away.
    await waitFor('five failed retries', async () => {
      const retries = (await pageSockets(page)).slice(before);
      return retries.length >= 5 && retries.every((r) => r === 3) ? true : undefined;
    }, 60_000, 100);
    expect(await connectionOf(page)).not.toBe('open');
    // Online again: the page reconnects at once (its online listener), not when the next retry is due.
    const back = Date.now();
    await page.setOfflineMode(false);
    await waitFor('the connection back', async () => ((await connectionOf(page)) === 'open' ? true : undefined), 30_000, 50);
    expect(Date.now() - back).toBeLessThan(8_000);
    await waitFor('the drones again', async () => ((await markersOnScene(page)).size >= 4 ? true : undefined), 30_000);
    await page.screenshot({ path: artifact('firefox-reconnected.png') });

    // Firefox reports each refused WebSocket as an error of the page (not an uncaught one: the page's own
    // error events saw none, as the guard checks after this test); nothing else was reported.
    expect(guard.pageErrors.length).toBeGreaterThanOrEqual(5);
    expect(guard.pageErrors.filter((e) => !WS_REFUSED.test(e))).toEqual([]);
    guard.pageErrors.length = 0;
  }, 180_000);
});

describe('the map on a local PMTiles basemap in Firefox ESR', () => {
  let dir: string | undefined;
  let server: MapServer | undefined;
  const { open } = pages(() => server);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'odid-firefox-basemap-'));
    const file = path.join(dir, 'earth.pmtiles');
    writeFileSync(file, tinyPmtiles());
    server = await startMapServer(['--sim', '--basemap', file], START_MS);
  }, START_MS);

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('draws the basemap tiles on canvas, read by byte ranges from the receiver', async () => {
    const { page } = await open({ width: 800, height: 600 });
    const ranges: { status: number; range: string | undefined }[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/basemap.pmtiles') ranges.push({ status: r.status(), range: r.request().headers().range });
    });
    await load(page, server!);
    // Each tile is a canvas protomaps-leaflet paints: wait until every one on the map has pixels.
    const painted = await waitFor('painted tiles', () =>
      page.evaluate(() => {
        type Canvas = { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
        const tiles = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Canvas> } }).document.querySelectorAll('#map canvas.leaflet-tile');
        const counts: number[] = [];
        for (const c of tiles) {
          if (c.width === 0 || c.height === 0) return undefined;
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
          counts.push(n);
        }
        return counts.length > 0 && counts.every((n) => n > 0) ? counts : undefined;
      }), 30_000, 250);
    expect(painted.length).toBeGreaterThan(0);
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.filter((r) => r.status !== 206 || !r.range?.startsWith('bytes='))).toEqual([]);
    expect(await textAt(page, '.leaflet-control-attribution')).toContain('OpenStreetMap');
    await page.screenshot({ path: artifact('firefox-basemap.png') });
  }, 90_000);
});
