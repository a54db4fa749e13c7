/**
 * The map with zones and an allow-list (`rid-scan --sim --zones FILE --allow FILE --web`): the zones are
 * drawn and listed, an allow-listed drone is green, a drone entering a zone raises an alert, and a zone
 * drawn on the page is saved to the receiver's zones file (and shown on every page).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalFrame } from '@odid/position';
import { SimulatedScene, demoScene } from '@odid/transmitter';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, guardedPage, launchBrowser, markers, pageAlerts, pageTracks, startMapServer, waitFor, type Guard, type MapServer } from './browser.js';

const scene = demoScene();
const EU_SERIAL = '1581F5FJD228400X0S2K';
const centre = SimulatedScene.centre(scene);

/** A square of `half` metres either side of the scene's centre, as GeoJSON [lon, lat] corners. */
function square(half: number): number[][] {
  const f = new LocalFrame({ lat: centre.latitude, lon: centre.longitude, alt: 0 });
  const at = (e: number, n: number): number[] => {
    const g = f.fromEnu(e, n, 0);
    return [g.lon, g.lat];
  };
  return [at(-half, -half), at(half, -half), at(half, half), at(-half, half), at(-half, -half)];
}

describe('the map with zones and an allow-list', () => {
  let dir: string;
  let zonesFile: string;
  let browser: Browser;
  let server: MapServer;
  let context: BrowserContext;
  let page: Page;
  let guard: Guard;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'odid-web-zones-'));
    zonesFile = path.join(dir, 'zones.geojson');
    // Most of the scene: drones fly in and out of it.
    writeFileSync(zonesFile, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Stadium', ceiling: 500 }, geometry: { type: 'Polygon', coordinates: [square(700)] } }] }));
    const allow = path.join(dir, 'allow.csv');
    writeFileSync(allow, `uasId,operatorId,from,until,note\n${EU_SERIAL},,,,bridge inspection\n`);
    [browser, server] = await Promise.all([launchBrowser(), startMapServer(['--sim', '--zones', zonesFile, '--allow', allow])]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, guard } = await guardedPage(context, server.origin));
    await page.goto(server.url);
  }, 60_000);

  afterAll(async () => {
    expect(guard?.foreign ?? []).toEqual([]);
    expect(guard ? await guard.csp() : []).toEqual([]);
    expect(guard?.pageErrors ?? []).toEqual([]);
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws and lists the zones, and shows an allow-listed drone as authorised', async () => {
    await waitFor('the zone list', async () => ((await page.locator('#zone-list li[data-zone="Stadium"]').count()) === 1 ? true : undefined));
    expect(await page.locator('#zone-list li[data-zone="Stadium"]').textContent()).toBe('Stadium (ceiling 500 m)');
    expect(await page.locator('.leaflet-tooltip.zone-label').allTextContents()).toContain('Stadium');
    const eu = await waitFor('the EU drone, authorised', async () => (await pageTracks(page)).find((t) => t.uasId === EU_SERIAL && (t as unknown as { authorised: boolean }).authorised));
    await waitFor('a green drone', async () => ((await markers(page)).find((m) => m.key === eu.key)?.color === 'green' ? true : undefined));
    await page.locator(`#track-rows li[data-key="${eu.key}"]`).click();
    expect(await page.locator('#details-body [data-field="authorised"] td').textContent()).toBe('authorised');
  });

  it('raises an alert when a drone is in a zone, and says so in the list', async () => {
    const alert = await waitFor('a zone alert', async () => (await pageAlerts(page)).find((a) => a.kind === 'zone'), 30_000, 250);
    expect(alert.text).toContain('Stadium');
    await waitFor('the row to say it', async () => ((await page.locator(`#track-rows li[data-key="${alert.key}"] .row-zones`).textContent())?.includes('Stadium') ? true : undefined), 5_000);
  }, 40_000);

  it('saves a zone drawn on the map to the zones file, and every page shows it', async () => {
    await page.locator('#zones-toggle').click();
    expect(await page.locator('#zone-save').isVisible()).toBe(true);
    await page.locator('#zone-draw').click();
    const map = (await page.locator('#map').boundingBox())!;
    for (const [fx, fy] of [
      [0.4, 0.4],
      [0.6, 0.4],
      [0.5, 0.6],
    ] as const) {
      await page.mouse.click(map.x + map.width * fx, map.y + map.height * fy);
    }
    await page.locator('#zone-finish').click();
    await page.locator('#zone-name').fill('Gate 3');
    const [res] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/zones'), page.locator('#zone-save').click()]);
    expect(res.status()).toBe(204);
    expect(res.request().headers()['content-type']).toMatch(/^application\/json/);
    await waitFor('the saved zone in the list', async () => ((await page.locator('#zone-list li[data-zone="Gate 3"]').count()) === 1 ? true : undefined));
    const saved = JSON.parse(readFileSync(zonesFile, 'utf8')) as { features: { properties: { name: string } }[] };
    expect(saved.features.map((f) => f.properties.name)).toEqual(['Stadium', 'Gate 3']);
    // Another page, opened now, gets both.
    const other = await context.newPage();
    await other.goto(server.url);
    await waitFor('both zones on another page', async () => ((await other.locator('#zone-list li[data-zone]').count()) === 2 ? true : undefined));
    await page.screenshot({ path: artifact('map-zones.png') });
    await other.close();
  }, 30_000);
});
