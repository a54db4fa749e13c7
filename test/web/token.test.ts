/**
 * The map off loopback (`rid-scan --web 0.0.0.0:PORT`): nothing without the token the receiver prints —
 * not the page, not its WebSocket. With it, the page loads, keeps working on reload (the receiver's
 * cookie) and takes the token out of the address bar; a receiver started again with a new token makes an
 * open page say it was refused rather than retry in silence.
 */

import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedPage, launchBrowser, pageTracks, startMapServer, waitFor, type MapServer } from './browser.js';
import { freePort } from '../support/net.js';



/** The URL to open from this machine: the printed one names 0.0.0.0. */
const local = (printed: string): URL => {
  const u = new URL(printed);
  u.hostname = '127.0.0.1';
  return u;
};

/** A WebSocket handshake's HTTP status (101 when it would open). */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the map off loopback', () => {
  let browser: Browser;
  let server: MapServer | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('needs the printed token for the page and its WebSocket, and only once per browser', async () => {
    const port = await freePort();
    server = await startMapServer(['--sim'], 20_000, `0.0.0.0:${port}`);
    const url = local(server.url);
    const token = url.searchParams.get('token');
    expect(token).toBeTruthy();
    const bare = `http://127.0.0.1:${port}/`;

    // Without the token: nothing.
    for (const path of ['', 'app.js', 'world.json', 'export/tracks.geojson']) expect((await fetch(bare + path)).status, path).toBe(401);
    expect(await upgradeStatus(`${bare}ws`)).toBe(401);
    expect(await upgradeStatus(`${bare}ws?token=wrong`)).toBe(401);
    expect(await upgradeStatus(`${bare}ws?token=${token}`, { Origin: `http://127.0.0.1:${port}` })).toBe(101);

    const context = await browser.newContext();
    const { page, guard } = await guardedPage(context, url.origin);
    const refusedPage = await context.newPage();
    expect((await refusedPage.goto(bare))!.status()).toBe(401);
    await refusedPage.close();

    // With it: the page, the drones, and no token left in the address bar.
    await page.goto(url.href);
    await waitFor('drones', async () => ((await pageTracks(page)).length >= 4 ? true : undefined));
    expect(page.url()).not.toContain('token');
    // A reload (the address bar has no token now) still works: the receiver's cookie.
    await page.reload();
    await waitFor('drones after a reload', async () => ((await pageTracks(page)).length >= 4 ? true : undefined));

    // The receiver starts again on the same port with a new token: the open page says it is refused.
    await server.stop();
    server = await startMapServer(['--sim'], 20_000, `0.0.0.0:${port}`);
    expect(local(server.url).searchParams.get('token')).not.toBe(token);
    await waitFor('the refusal', async () => ((await page.locator('#conn').textContent())?.includes('refused') ? true : undefined), 20_000, 250);
    expect(await page.locator('#conn').getAttribute('title')).toContain('token');

    expect(guard.foreign).toEqual([]);
    expect(await guard.csp()).toEqual([]);
    expect(guard.pageErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
