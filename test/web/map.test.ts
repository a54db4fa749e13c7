/**
 * The handheld's live map in a real browser: `rid-scan --sim --web 127.0.0.1:0` serves it, headless
 * Chromium opens it as the officer's phone would. Every page is guarded: a request to any other origin,
 * a CSP violation or an uncaught error fails the test it happens in.
 *
 * The simulated scene is deterministic: each drone's route is known (demoScene), so where a drone must be
 * at any moment is computed here and compared with where the page draws it (window.__odid.markers(), no
 * pixel scraping). Screenshots go to test-artifacts/.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { PcapWriter, buildAirFrames, encodeMessage } from '@odid/codec';
import { ManualClock, SimulatedFlightSource, distance } from '@odid/position';
import { demoScene, type SceneDrone } from '@odid/transmitter';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLIGHT_ELAPSED_S } from '../../packages/receiver/src/sources/sim.js';
import { TRACK_FLAGS } from '../../packages/receiver/src/tracker/flags.js';
import { runBuilt } from '../support/built.js';
import { fixturePath } from '../support/fixtures.js';
import {
  artifact,
  expectCleanPage,
  guardedPage,
  launchBrowser,
  markers,
  markersAndTracks,
  pageAlerts,
  pageStats,
  pageTracks,
  regionOverlaps,
  startMapServer,
  waitFor,
  type Dom,
  type Guard,
  type MapServer,
  type PageMarker,
  type PageTrackLite,
} from './browser.js';

const scene = demoScene();
const droneOf = (uasId: string | null): SceneDrone | undefined => scene.find((d) => d.identity.basicIds.some((b) => b.uasId === uasId));
const EU = scene.find((d) => d.name === 'eu-multirotor')!;
const EMERGENCY = scene.find((d) => d.emergencyAfterS !== undefined)!;
const BAD_OPERATOR = scene.find((d) => d.name === 'bad-operator-id')!;
const uasIdOf = (d: SceneDrone): string => d.identity.basicIds.find((b) => b.idType === 1)!.uasId ?? '';

/** How far into their flights `rid-scan --sim` starts the demo's drones, live (already cruising when someone looks). */
const FLIGHT_ELAPSED_S = DEMO_FLIGHT_ELAPSED_S;

/** Where a scene drone is at `ms`, the scene having started at `startMs`. */
function truth(d: SceneDrone, startMs: number, ms: number): { lat: number; lon: number } {
  const flightStart = startMs + ((d.startAfterS ?? 0) - FLIGHT_ELAPSED_S) * 1000;
  const sim = new SimulatedFlightSource({ clock: new ManualClock(startMs), route: d.route, startTime: flightStart, intervalMs: 0 });
  const f = sim.positionAt(ms);
  return { lat: f.latitude, lon: f.longitude };
}

/**
 * When the scene started (ms): every drone that starts with it sends its first message at its start, and
 * the tracker's time is the frame's.
 */
function sceneStart(tracks: PageTrackLite[]): number {
  return Math.min(...tracks.filter((t) => (droneOf(t.uasId)?.startAfterS ?? 0) === 0).map((t) => t.firstSeen)) * 1000;
}

describe('the live map (rid-scan --sim --web)', () => {
  let browser: Browser;
  let server: MapServer;
  let context: BrowserContext | undefined;
  let guard: Guard | undefined;
  let page: Page;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startMapServer(['--sim'])]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A fresh browser context (no cookies, no storage) and a guarded page, at a viewport. */
  async function open(viewport = { width: 1280, height: 800 }): Promise<Page> {
    context = await browser.newContext({ viewport });
    ({ page, guard } = await guardedPage(context, server.origin));
    return page;
  }

  async function load(): Promise<void> {
    const res = await page.goto(server.url);
    expect(res?.status()).toBe(200);
    await waitFor('the WebSocket', async () => ((await page.evaluate(() => (globalThis as unknown as { __odid: { connection(): string } }).__odid.connection())) === 'open' ? true : undefined));
  }

  afterEach(async (ctx) => {
    // A failed test leaves a picture of the page behind.
    if (ctx.task.result?.state === 'fail' && context) await page.screenshot({ path: artifact(`failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}.png`) }).catch(() => undefined);
    if (guard) await expectCleanPage(guard);
    await context?.close();
    context = undefined;
    guard = undefined;
  });

  it('is served by the receiver alone, under a CSP of its own origin, and connects', async () => {
    await open();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const res = await page.goto(server.url);
    const csp = res!.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    // The page's HTML has no inline script or style for the CSP to block.
    const html = await res!.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    await waitFor('the WebSocket', async () => ((await page.evaluate(() => (globalThis as unknown as { __odid: { connection(): string } }).__odid.connection())) === 'open' ? true : undefined));
    await waitFor('the world outline', async () => (requests.some((u) => u.endsWith('/world.json')) ? true : undefined));
    expect(requests.every((u) => u.startsWith(server.origin) || u.startsWith('data:'))).toBe(true);

    // The exports the receiver offers are links on the page, and each one downloads.
    const hello = await page.evaluate(() => (globalThis as unknown as { __odid: { hello(): { exports: string[] } } }).__odid.hello());
    await page.locator('#show-exports').click();
    const links = await page.locator('#export-list a').evaluateAll((as) => as.map((a) => (a as unknown as { href: string; download: string }).href));
    expect(links).toHaveLength(hello.exports.length);
    for (const href of links) {
      expect(new URL(href).origin).toBe(server.origin);
      const r = await page.request.get(href);
      expect(r.status(), href).toBe(200);
    }
  });

  /**
   * Checks every live marker against the receiver's track and the scene's truth at that position's time;
   * returns the markers by scene drone name.
   */
  async function checkMarkers(): Promise<Map<string, PageMarker>> {
    const { markers: ms, tracks } = await markersAndTracks(page);
    const start = sceneStart(tracks);
    const byKey = new Map(tracks.map((t) => [t.key, t]));
    const out = new Map<string, PageMarker>();
    for (const m of ms.filter((x) => x.layer === 'live')) {
      const t = byKey.get(m.key);
      if (!t?.position) continue;
      // The marker is exactly where the receiver says the drone is...
      expect([m.lat, m.lon]).toEqual([t.position.lat, t.position.lon]);
      // ...and that is where the scene put it.
      const drone = droneOf(t.uasId);
      if (!drone) continue; // still only heard by an address, before its Basic ID
      const want = truth(drone, start, t.position.t * 1000);
      expect(distance({ lat: m.lat, lon: m.lon }, want), `${drone.name} at ${t.position.t}`).toBeLessThan(15);
      out.set(drone.name, m);
    }
    return out;
  }

  /** The EU drone's marker when the page first showed it (the later test checks that it moved). */
  let firstSeenEu: PageMarker | undefined;

  it('draws each simulated drone at its true position within 2 s of opening', async () => {
    await open();
    await page.goto(server.url);
    const shown = Date.now();
    await waitFor('the first drones on the map', async () => {
      const m = await markers(page);
      return m.length >= 4 ? m : undefined;
    }, 2_000, 50);
    expect(Date.now() - shown).toBeLessThan(2_000);
    // The page draws on animation frames: on a busy machine a marker may be a frame behind its track, so
    // look until both agree (they must, within a second).
    const before = await waitFor('markers where their tracks are', () => checkMarkers(), 1_000, 50);
    expect(before.has(EU.name)).toBe(true);
    firstSeenEu = before.get(EU.name);
  });

  it('shows every decoded field of a drone, and each flag with what it means', async () => {
    await open();
    await load();
    const eu = await waitFor('the EU drone', async () => (await pageTracks(page)).find((t) => t.uasId === uasIdOf(EU)));
    await page.locator(`.drone-icon[data-key="${eu.key}"]`).click();
    await waitFor('its details', async () => ((await page.locator('#details-view').isVisible()) ? true : undefined));
    const field = (f: string) => page.locator(`#details-body [data-field="${f}"] td`).first().textContent();
    expect(await field('uasId')).toBe(uasIdOf(EU));
    expect(await field('idType')).toBe('1 serial number (ANSI/CTA-2063-A)');
    expect(await field('uaType')).toBe('2 helicopter or multirotor');
    expect(await field('operatorId')).toBe('FIN87astrdge12k8');
    expect(await field('selfId')).toBe('Bridge inspection');
    expect(await field('system.classificationType')).toBe('1 European Union');
    expect(await field('system.categoryEU')).toBe('1 open');
    expect(await field('system.classEU')).toBe('3 C2');
    expect(await field('location.status')).toMatch(/^\d (undeclared|on ground|airborne)$/);
    expect(await field('location.latitude')).toMatch(/^47\.\d+°$/);
    expect(await field('location.speedHorizontal')).toMatch(/m\/s/);
    expect(await field('links.0.rssi')).toMatch(/^-\d+ dBm/);
    expect(await page.locator('#details-body [data-field^="rates."]').count()).toBeGreaterThan(2);
    expect(await page.locator('#details-heard').textContent()).toMatch(/last heard \d+ s ago/);
    // Every field of the Location and System messages the receiver holds is listed.
    const full = await page.evaluate((key) => (globalThis as unknown as { __odid: { tracks(): { key: string; location: object; system: object }[] } }).__odid.tracks().find((t) => t.key === key), eu.key);
    for (const k of Object.keys(full!.location).filter((k) => k !== 'type')) expect(await page.locator(`#details-body [data-field="location.${k}"]`).count(), `location.${k}`).toBe(1);
    for (const k of Object.keys(full!.system).filter((k) => k !== 'type')) expect(await page.locator(`#details-body [data-field="system.${k}"]`).count(), `system.${k}`).toBe(1);

    // The drone with a broken operator ID: its flag, in the tracker's words.
    const bad = await waitFor('the bad-operator drone', async () => (await pageTracks(page)).find((t) => t.uasId === uasIdOf(BAD_OPERATOR) && t.flags.includes('malformed-operator-id')), 20_000);
    await page.locator(`#track-rows li[data-key="${bad.key}"]`).click();
    const flag = page.locator('#details-body [data-flag="malformed-operator-id"]');
    await waitFor('its flag', async () => ((await flag.count()) === 1 ? true : undefined));
    expect(await flag.textContent()).toBe(`malformed-operator-id: ${TRACK_FLAGS['malformed-operator-id']}`);
    await page.screenshot({ path: artifact('map-desktop-details.png') });
  }, 60_000);

  it('decodes a capture dropped on it in the browser, message for message as odid decode does, uploading nothing', async () => {
    await open();
    await load();
    const file = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap');
    const expected = runBuilt('odid', ['decode', file]);
    expect(expected.status).toBe(0);
    const lines = expected.stdout.toString('utf8').trim().split('\n');
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET') sent.push(`${r.method()} ${r.url()}`);
    });
    const capture = () => page.evaluate(() => (globalThis as unknown as { __odid: { capture(): { name: string; lines: string[]; tracks: { key: string; position: { lat: number; lon: number } | null }[] } | null } }).__odid.capture());

    // Chosen with the file button.
    await page.setInputFiles('#capture-file', file);
    const c = await waitFor('the decoded capture', async () => (await capture()) ?? undefined);
    expect(c.name).toBe('odid_wifi_sample.pcap');
    expect(c.lines).toEqual(lines);
    expect(await page.locator('#capture-messages tbody tr[data-line]').count()).toBe(lines.length);
    expect(await page.locator('#capture-messages tbody tr[data-fields]').count()).toBe(lines.length);
    expect(await page.locator('#capture-summary').textContent()).toContain(`${lines.length} messages`);
    // Its tracks are drawn, where the capture puts them.
    const fileMarkers = (await markers(page)).filter((m) => m.layer === 'file');
    expect(fileMarkers.length).toBe(c.tracks.filter((t) => t.position).length);
    for (const m of fileMarkers) {
      const t = c.tracks.find((x) => x.key === m.key)!;
      expect([m.lat, m.lon]).toEqual([t.position!.lat, t.position!.lon]);
    }
    await page.locator('#capture-close').click();
    expect(await capture()).toBeNull();

    // Dropped onto the page (a drop event with the file, as a browser makes it).
    const bytes = [...readFileSync(file)];
    await page.evaluate((data) => {
      interface DataTransferLike {
        items: { add(f: unknown): void };
      }
      const g = globalThis as unknown as {
        DataTransfer: new () => DataTransferLike;
        File: new (parts: unknown[], name: string, opts: { type: string }) => unknown;
        DragEvent: new (type: string, init: { dataTransfer: DataTransferLike; bubbles: boolean; cancelable: boolean }) => unknown;
        dispatchEvent(e: unknown): boolean;
      };
      const dt = new g.DataTransfer();
      dt.items.add(new g.File([new Uint8Array(data)], 'dropped.pcap', { type: 'application/vnd.tcpdump.pcap' }));
      for (const type of ['dragenter', 'dragover', 'drop']) g.dispatchEvent(new g.DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    const d = await waitFor('the dropped capture', async () => {
      const x = await capture();
      return x?.name === 'dropped.pcap' ? x : undefined;
    });
    expect(d.lines).toEqual(lines);
    expect(await page.locator('#drop-overlay').isVisible()).toBe(false);

    // The same capture gzip-compressed: the codec's own inflater, in the browser, gives the same lines.
    const gz = [...spawnSync('gzip', ['-c'], { input: readFileSync(file) }).stdout];
    await page.evaluate((data) => {
      const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: unknown[], name: string) => unknown; DragEvent: new (type: string, init: object) => unknown; dispatchEvent(e: unknown): boolean };
      const dt = new g.DataTransfer();
      dt.items.add(new g.File([new Uint8Array(data)], 'dropped.pcap.gz'));
      for (const type of ['dragenter', 'dragover', 'drop']) g.dispatchEvent(new g.DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, gz);
    const z = await waitFor('the dropped gzip capture', async () => {
      const x = await capture();
      return x?.name === 'dropped.pcap.gz' ? x : undefined;
    });
    expect(z.lines).toEqual(lines);
    expect(await page.locator('#capture-summary').textContent()).toContain('(pcap, gzip,');
    expect(sent).toEqual([]);
    await page.screenshot({ path: artifact('map-desktop-capture.png') });
  }, 60_000);

  it('shows what a drone calls itself as text, never as markup', async () => {
    await open();
    await load();
    // A capture of a drone whose ID, self-ID and operator ID are HTML.
    const payload = encodeMessage({
      type: 'messagePack',
      messages: [
        { type: 'basicId', idType: 1, uaType: 2, uasId: '<img src=x onerror=a' },
        { type: 'selfId', descType: 0, desc: '<script>alert(1)</scr' },
        { type: 'operatorId', operatorIdType: 0, operatorId: '<svg onload=alert()>' },
        {
          type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: 47.001, longitude: 7.501, altitudeBaro: 500,
          altitudeGeo: 520, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 2, timestamp: 600,
        },
      ],
    });
    const w = new PcapWriter();
    const frames = buildAirFrames({ transport: 'wifi-beacon', address: '02:00:00:00:00:66', counter: 1, payload });
    const parts = [w.header(frames[0]!.linkType), ...frames.map((f) => w.packet(1_700_000_000, f.data))];
    const file = artifact('hostile-names.pcap');
    writeFileSync(file, Buffer.concat(parts));
    await page.setInputFiles('#capture-file', file);
    await waitFor('the capture', async () => ((await page.locator('#capture-tracks li[data-key]').count()) === 1 ? true : undefined));
    await page.locator('#capture-tracks li[data-key]').click();
    expect(await page.locator('#details-body [data-field="uasId"] td').textContent()).toBe('<img src=x onerror=a');
    expect(await page.locator('#details-body [data-field="selfId"] td').textContent()).toBe('<script>alert(1)</scr');
    expect(await page.locator('#details-body [data-field="operatorId"] td').textContent()).toBe('<svg onload=alert()>');
    expect(await page.locator('#app img, #app script, #details-body svg, #capture-view svg').count()).toBe(0);
    expect(await page.locator('#capture-messages').textContent()).toContain('uasId=<img src=x onerror=a');
  }, 30_000);

  it('fits a phone: the map fills the screen, the list is a bottom sheet, no two panels overlap', async () => {
    const phone = { width: 360, height: 740 };
    await open(phone);
    await load();
    await waitFor('drones on the map', async () => ((await markers(page)).length >= 4 ? true : undefined));
    await page.waitForTimeout(700); // the list is redrawn at most twice a second
    const check = async (what: string): Promise<void> => {
      const { boxes, overlaps } = await regionOverlaps(page);
      expect(overlaps, what).toEqual([]);
      for (const b of boxes) {
        expect(b.x, `${what}: ${b.id} left`).toBeGreaterThanOrEqual(-0.5);
        expect(b.y + b.height, `${what}: ${b.id} bottom`).toBeLessThanOrEqual(phone.height + 0.5);
        expect(b.x + b.width, `${what}: ${b.id} right`).toBeLessThanOrEqual(phone.width + 0.5);
      }
      const map = boxes.find((b) => b.id === 'map')!;
      expect(map.width, `${what}: map width`).toBeCloseTo(phone.width, 0);
      // An alert banner (a new drone, the emergency: any time in the scene) takes its room from the map's.
      const mapAndBanner = map.height + (boxes.find((b) => b.id === 'alert-banner')?.height ?? 0);
      expect(mapAndBanner, `${what}: map height (with the banner's)`).toBeGreaterThan(phone.height * 0.3);
    };
    await check('list');
    expect(await page.locator('#track-rows li').count()).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: artifact('map-phone.png') });

    await page.locator('#track-rows li').first().click();
    await waitFor('details', async () => ((await page.locator('#details-view').isVisible()) ? true : undefined));
    expect(await page.locator('#list-view').isVisible()).toBe(false);
    await check('details');
    await page.screenshot({ path: artifact('map-phone-details.png') });

    const mapBefore = (await regionOverlaps(page)).boxes.find((b) => b.id === 'map')!.height;
    await page.locator('#sheet-toggle').click();
    await check('collapsed');
    expect((await regionOverlaps(page)).boxes.find((b) => b.id === 'map')!.height).toBeGreaterThan(mapBefore);
    await page.screenshot({ path: artifact('map-phone-collapsed.png') });
  }, 60_000);

  it('keeps its panels apart on a desktop too, and has a sunlight theme that is remembered', async () => {
    await open({ width: 1280, height: 800 });
    await load();
    await waitFor('drones on the map', async () => ((await markers(page)).length >= 4 ? true : undefined));
    await page.waitForTimeout(700);
    expect((await regionOverlaps(page)).overlaps).toEqual([]);
    await page.screenshot({ path: artifact('map-desktop.png') });

    // The list: filtered by text and by state, sorted by ID.
    const rowKeys = () => page.locator('#track-rows li[data-key]').evaluateAll((li) => li.map((x) => (x as unknown as { dataset: { key: string } }).dataset.key));
    const tracks = await pageTracks(page);
    const uk = tracks.find((t) => t.uasId === 'GBR-RP-2Y7K9')!;
    await page.locator('#filter-text').fill('film crew');
    await waitFor('the filtered list', async () => (JSON.stringify(await rowKeys()) === JSON.stringify([uk.key]) ? true : undefined), 3_000);
    await page.locator('#filter-text').fill('');
    await page.locator('#filter-state').selectOption('flagged');
    await waitFor('flagged drones only', async () => {
      const keys = await rowKeys();
      const flagged = (await pageTracks(page)).filter((t) => t.flags.length > 0).map((t) => t.key);
      return keys.length > 0 && keys.every((k) => flagged.includes(k)) ? true : undefined;
    }, 3_000);
    await page.locator('#filter-state').selectOption('all');
    await page.locator('#sort-key').selectOption('id');
    await waitFor('the list by ID', async () => {
      const ids = await page.locator('#track-rows li[data-key] .row-id').allTextContents();
      return ids.length >= 4 && JSON.stringify(ids) === JSON.stringify([...ids].sort((x, y) => x.localeCompare(y))) ? true : undefined;
    }, 3_000);
    await page.locator('#theme-toggle').click();
    expect(await page.evaluate(() => (globalThis as unknown as Dom).document.documentElement.classList.contains('contrast'))).toBe(true);
    await page.reload();
    await waitFor('the theme again', async () => ((await page.evaluate(() => (globalThis as unknown as Dom).document.documentElement.classList.contains('contrast'))) ? true : undefined));
    await waitFor('drones on the map', async () => ((await markers(page)).length >= 4 ? true : undefined));
    await page.screenshot({ path: artifact('map-desktop-sunlight.png') });
  }, 60_000);

  it('draws a zone by clicking its corners, names it and downloads it as GeoJSON', async () => {
    await open();
    await load();
    await page.locator('#zones-toggle').click();
    await page.locator('#zone-draw').click();
    const map = (await page.locator('#map').boundingBox())!;
    const corners = [
      [0.3, 0.3],
      [0.7, 0.3],
      [0.7, 0.7],
      [0.3, 0.7],
    ] as const;
    for (const [fx, fy] of corners) await page.mouse.click(map.x + map.width * fx, map.y + map.height * fy);
    await page.locator('#zone-finish').click();
    await page.locator('#zone-name').fill('Stadium <b>north</b>');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#zone-download').click()]);
    expect(download.suggestedFilename()).toBe('Stadium-b-north-b.geojson');
    const text = readFileSync((await download.path())!, 'utf8');
    const fc = JSON.parse(text) as { type: string; features: { properties: { name: string }; geometry: { type: string; coordinates: number[][][] } }[] };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(1);
    const f = fc.features[0]!;
    expect(f.properties.name).toBe('Stadium <b>north</b>');
    expect(f.geometry.type).toBe('Polygon');
    const ring = f.geometry.coordinates[0]!;
    expect(ring).toHaveLength(5);
    expect(ring[4]).toEqual(ring[0]);
    // Around the receiver, which the map is centred near: lon/lat order, Swiss plateau.
    for (const [lon, lat] of ring) {
      expect(lon).toBeGreaterThan(7.3);
      expect(lon).toBeLessThan(7.7);
      expect(lat).toBeGreaterThan(46.9);
      expect(lat).toBeLessThan(47.1);
    }
    const zones = await page.evaluate(() => (globalThis as unknown as { __odid: { zones(): { drawn: unknown[] } } }).__odid.zones());
    expect(zones.drawn).toEqual(fc.features);
    // While drawing, clicks on the map drew corners: no drone was selected.
    expect(await page.evaluate(() => (globalThis as unknown as { __odid: { selected(): string | null } }).__odid.selected())).toBeNull();
    await page.screenshot({ path: artifact('map-desktop-zone.png') });
  }, 30_000);

  it('follows the drones as they fly, each update shown within 2 s of being heard', async () => {
    await open();
    await load();
    // Wait until the EU drone is 20 m from where the page first showed it, and check every drone again.
    const a = firstSeenEu!;
    const later = await waitFor('the EU drone to move', async () => {
      const now = await checkMarkers();
      const b = now.get(EU.name);
      return b && distance({ lat: a.lat, lon: a.lon }, { lat: b.lat, lon: b.lon }) > 20 ? now : undefined;
    }, 75_000, 250);
    expect(later.get(EU.name)!.rotation).not.toBeNull();

    // How long after a drone was last heard its update showed (the frames' clock is the wall clock here).
    const stats = await waitFor('some updates drawn', async () => {
      const st = await pageStats(page);
      return st.latencyMs.length >= 20 ? st : undefined;
    }, 20_000, 250);
    const sorted = [...stats.latencyMs].sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length * 0.95)]!).toBeLessThan(2_000);
  }, 100_000);

  it('raises an alert when the drone declares its emergency', async () => {
    await open();
    await load();
    // The scene's emergency comes 40 s after it starts.
    const emergency = await waitFor('the emergency alert', async () => (await pageAlerts(page)).find((a) => a.kind === 'emergency'), 60_000, 250);
    const track = (await pageTracks(page)).find((t) => t.key === emergency.key)!;
    expect(track.uasId).toBe(uasIdOf(EMERGENCY));
    const banner = page.locator('#alert-banner');
    await waitFor('the banner', async () => ((await banner.isVisible()) && (await banner.getAttribute('data-kind')) === 'emergency' ? true : undefined));
    expect(await banner.textContent()).toContain('emergency');
    await waitFor('a red drone', async () => ((await markers(page)).find((m) => m.key === emergency.key)?.color === 'red' ? true : undefined));
    await waitFor('its row marked', async () => ((await page.locator(`#track-rows li[data-key="${emergency.key}"].status-emergency`).count()) === 1 ? true : undefined), 3_000);
    // A page opened during the emergency shows it too (the alert comes with the snapshot).
    const second = await context!.newPage();
    await second.goto(server.url);
    await waitFor('the banner on a new page', async () => ((await second.locator('#alert-banner[data-kind="emergency"]').isVisible()) ? true : undefined));
    await page.screenshot({ path: artifact('map-desktop-emergency.png') });
  }, 90_000);

  // Zones and the allow-list (--zones, --allow): zones.test.ts; the token off loopback: token.test.ts;
  // a receiver restarting: reconnect.test.ts; a replay's slider: replay.test.ts; --basemap: basemap.test.ts.
});
