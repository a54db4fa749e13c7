/**
 * The map with a detailed local basemap (`rid-scan --basemap FILE.pmtiles --web`): the page loads the
 * PMTiles renderer (its own chunk) and reads the file from the receiver by byte ranges, still from no other
 * origin and within the CSP.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, guardedPage, launchBrowser, markers, startMapServer, waitFor, type MapServer } from './browser.js';
import { tinyPmtiles } from './pmtiles.js';


describe('the map on a local basemap', () => {
  let dir: string;
  let browser: Browser;
  let server: MapServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'odid-web-basemap-'));
    const file = path.join(dir, 'earth.pmtiles');
    writeFileSync(file, tinyPmtiles());
    [browser, server] = await Promise.all([launchBrowser(), startMapServer(['--sim', '--basemap', file])]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the PMTiles basemap, read by ranges from the receiver', async () => {
    const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    const { page, guard } = await guardedPage(context, server.origin);
    const ranges: { status: number; range: string | undefined }[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/basemap.pmtiles') ranges.push({ status: r.status(), range: r.request().headers().range });
    });
    await page.goto(server.url);
    const hello = await waitFor('hello', () => page.evaluate(() => (globalThis as unknown as { __odid: { hello(): { basemap: boolean } | null } }).__odid.hello() ?? undefined));
    expect(hello.basemap).toBe(true);
    await waitFor('drones', async () => ((await markers(page)).length >= 4 ? true : undefined));
    await waitFor('basemap tiles', async () => ((await page.locator('.leaflet-pane canvas.leaflet-tile').count()) > 0 ? true : undefined));
    // Seen, not just painted: across the map, a basemap tile lies above the world outline wherever both are.
    interface Styled {
      matches(selector: string): boolean;
      style: { setProperty(name: string, value: string, priority: string): void; removeProperty(name: string): void };
    }
    interface StackDom {
      document: {
        querySelector(s: string): { getBoundingClientRect(): { left: number; top: number; width: number; height: number } };
        querySelectorAll(s: string): Iterable<Styled>;
        elementsFromPoint(x: number, y: number): Styled[];
      };
    }
    const stackingNow = (): Promise<string[]> => page.evaluate(() => {
      const { document } = globalThis as unknown as StackDom;
      // Leaflet makes both ignore the pointer; let hit-testing see them so the browser reports their stacking
      // (through the CSSOM: the page's CSP forbids a <style> element).
      const layers = [...document.querySelectorAll('canvas.leaflet-tile, path.world')];
      for (const e of layers) e.style.setProperty('pointer-events', 'auto', 'important');
      const box = document.querySelector('.leaflet-container').getBoundingClientRect();
      const seen: string[] = [];
      for (let i = 1; i < 10; i++) {
        const x = box.left + (box.width * i) / 10;
        const y = box.top + (box.height * i) / 10;
        const first = document.elementsFromPoint(x, y).find((e) => e.matches('canvas.leaflet-tile, path.world'));
        if (first) seen.push(first.matches('canvas.leaflet-tile') ? 'tile' : 'world');
      }
      for (const e of layers) e.style.removeProperty('pointer-events');
      return seen;
    });
    // Tiles arrive one by one after the map settles: wait until they cover the sampled points (a tile under
    // the outline never gets there, and the wait fails).
    let stacking: string[] = [];
    await waitFor('basemap tiles above the world outline', async () => {
      stacking = await stackingNow();
      return stacking.length > 0 && stacking.every((s) => s === 'tile') ? true : undefined;
    }, 15_000).catch(() => undefined);
    expect(stacking.length).toBeGreaterThan(0);
    expect(stacking).toEqual(stacking.map(() => 'tile'));
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((r) => r.range?.startsWith('bytes=') && r.status === 206)).toBe(true);
    expect(await page.locator('.leaflet-control-attribution').textContent()).toContain('OpenStreetMap');
    await page.screenshot({ path: artifact('map-basemap.png') });
    expect(guard.foreign).toEqual([]);
    expect(await guard.csp()).toEqual([]);
    expect(guard.pageErrors).toEqual([]);
    expect(guard.failed).toEqual([]);
    await context.close();
  }, 60_000);
});
