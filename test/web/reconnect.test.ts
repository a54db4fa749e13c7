/**
 * The receiver goes away and comes back (restarted, or the phone walked out of Wi-Fi range): the page says
 * it is offline, retries with a growing delay, and on reconnecting starts over from the new snapshot, so
 * nothing from before is left on the map as if it were current.
 */

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedPage, launchBrowser, pageTracks, startMapServer, waitFor, type MapServer } from './browser.js';
import { freePort } from '../support/net.js';



describe('the map when the receiver restarts', () => {
  let browser: Browser;
  let server: MapServer | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('goes offline, reconnects by itself and starts over from the new snapshot', async () => {
    const port = await freePort();
    server = await startMapServer(['--sim'], 20_000, `127.0.0.1:${port}`);
    const context = await browser.newContext();
    const { page, guard } = await guardedPage(context, server.origin);
    const connection = () => page.evaluate(() => (globalThis as unknown as { __odid: { connection(): string } }).__odid.connection());
    await page.goto(server.url);
    const before = await waitFor('drones', async () => {
      const t = await pageTracks(page);
      return t.length >= 4 ? t : undefined;
    });

    await server.stop();
    await waitFor('the page to notice', async () => ((await connection()) !== 'open' ? true : undefined), 10_000);
    expect(await page.locator('#conn').textContent()).toMatch(/offline|connecting/);

    // The receiver is back on the same address: a new run, its own scene and track keys.
    server = await startMapServer(['--sim'], 20_000, `127.0.0.1:${port}`);
    await waitFor('the page to reconnect', async () => ((await connection()) === 'open' ? true : undefined), 20_000, 200);
    const after = await waitFor('the new snapshot', async () => {
      const t = await pageTracks(page);
      return t.length >= 4 && t.every((x) => x.firstSeen > Math.max(...before.map((b) => b.lastSeen))) ? t : undefined;
    }, 10_000);
    // Nothing of the first run is left: every track is of the new one.
    expect(after.every((t) => !before.some((b) => b.firstSeen === t.firstSeen && b.key === t.key))).toBe(true);
    expect(guard.foreign).toEqual([]);
    expect(await guard.csp()).toEqual([]);
    expect(guard.pageErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
