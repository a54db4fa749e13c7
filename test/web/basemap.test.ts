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
