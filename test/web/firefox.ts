/**
 * The map page's browser tests in Firefox: Debian's Firefox ESR, driven by puppeteer-core over WebDriver
 * BiDi (playwright drives only its own patched Firefox, not the stock one). Every launch gets a new profile
 * (puppeteer-core makes a temporary one and deletes it on close) that keeps Firefox off the internet, and
 * every page a guard like the Chromium one (browser.ts): requests to any origin but the receiver's, CSP
 * violations and uncaught errors are recorded for the test to fail on.
 */

import { inflateSync } from 'node:zlib';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import type { PageMarker, PageTrackLite } from './browser.js';

export const FIREFOX_PATH = '/usr/bin/firefox-esr';

/**
 * What a new profile must say so that Firefox reaches for nothing but the page it is given: no update,
 * telemetry, studies, captive-portal or connectivity probe, Safe Browsing list, remote settings, add-on or
 * plugin (OpenH264) download, push service, DNS-over-HTTPS, prefetch or speculative connection.
 * puppeteer-core's own defaults cover some of these already; they are repeated here so that this list says
 * all of it.
 */
export const FIREFOX_PREFS: Record<string, string | number | boolean> = {
  'app.update.auto': false,
  'app.update.enabled': false,
  'app.update.checkInstallTime': false,
  'app.update.disabledForTesting': true,
  'app.update.staging.enabled': false,
  'app.update.service.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.updatePing.enabled': false,
  'toolkit.telemetry.shutdownPingSender.enabled': false,
  'toolkit.telemetry.firstShutdownPing.enabled': false,
  'toolkit.telemetry.newProfilePing.enabled': false,
  'toolkit.telemetry.bhrPing.enabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.usage.uploadEnabled': false,
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'network.captive-portal-service.enabled': false,
  'captivedetect.canonicalURL': '',
  'network.connectivity-service.enabled': false,
  'network.connectivity-service.IPv4.url': '',
  'network.connectivity-service.IPv6.url': '',
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.passwords.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  // A release build heeds this only with MOZ_REMOTE_SETTINGS_DEVTOOLS in its environment (FIREFOX_ENV).
  'services.settings.server': 'data:,#remote-settings-off/v1',
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.blocklist.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.systemAddon.update.url': '',
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-manager.url': '',
  'media.gmp-gmpopenh264.enabled': false,
  'media.gmp-widevinecdm.enabled': false,
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'browser.urlbar.speculativeConnect.enabled': false,
  'browser.places.speculativeConnect.enabled': false,
  'security.OCSP.enabled': 0,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'geo.provider.network.url': '',
  'browser.search.update': false,
  'dom.push.enabled': false,
  'dom.push.connection.enabled': false,
  'dom.push.serverURL': '',
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.showSponsored': false,
  'browser.topsites.contile.enabled': false,
  'browser.translations.enable': false,
  'browser.ml.enable': false,
  'identity.fxaccounts.enabled': false,
};

/**
 * The environment Firefox gets on top of the tests' own. Checked with MOZ_LOG=nsHostResolver:5 (every host
 * it resolved) over a minute on the map: with the prefs alone, a release build still polls
 * firefox.settings.services.mozilla.com, as it ignores services.settings.server unless
 * MOZ_REMOTE_SETTINGS_DEVTOOLS is set; with both, the only names it resolves are 127.0.0.1 and localhost.
 * MOZ_DISABLE_NONLOCAL_CONNECTIONS (what Mozilla's own test harnesses set) makes it refuse any connection
 * off this machine, should something the prefs miss try one.
 */
export const FIREFOX_ENV: Record<string, string> = {
  MOZ_REMOTE_SETTINGS_DEVTOOLS: '1',
  MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1',
  MOZ_CRASHREPORTER_DISABLE: '1',
};

/** Headless Firefox ESR, a new profile, off the internet. Close it with closeFirefox. */
export function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
    env: { ...process.env, ...FIREFOX_ENV },
    // A loaded 2-core machine starts Firefox slowly.
    timeout: 90_000,
    protocolTimeout: 90_000,
  });
}

/**
 * Closes Firefox, and kills its process group if it does not go within `graceMs` (puppeteer-core starts it
 * in a group of its own), so that no Firefox outlives the tests whatever state they left it in.
 */
export async function closeFirefox(browser: Browser | undefined, graceMs = 15_000): Promise<void> {
  if (!browser) return;
  const proc = browser.process();
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([browser.close().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  if (proc?.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      proc.kill('SIGKILL');
    }
  }
}

export interface FirefoxGuard {
  /** Requests to anything but the receiver (data: and blob: URLs are the page's own). */
  foreign: string[];
  /**
   * The errors Firefox reports for the page (WebDriver BiDi log entries of type "javascript"): uncaught
   * exceptions, and also what Firefox writes to its console as errors, such as a CSP block or a WebSocket
   * that could not connect.
   */
  pageErrors: string[];
  consoleErrors: string[];
  /** Responses with an error status, with their URL. */
  failed: string[];
  /** CSP violations the page saw (its securitypolicyviolation events). */
  csp(): Promise<string[]>;
  /** Uncaught errors and unhandled rejections the page saw (its error and unhandledrejection events). */
  uncaught(): Promise<string[]>;
}

/** What the guard's script keeps in the page. */
interface GuardGlobals {
  __cspViolations?: string[];
  __uncaught?: string[];
}

/**
 * A page of `context` at `viewport`, with the guard installed before anything loads: its listeners are
 * injected ahead of the page's scripts (evaluateOnNewDocument, a BiDi preload script).
 */
export async function guardedFirefoxPage(context: BrowserContext, origin: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; guard: FirefoxGuard }> {
  const page = await context.newPage();
  await page.setViewport(viewport);
  const read = (which: keyof GuardGlobals) => page.evaluate((w) => (globalThis as unknown as GuardGlobals)[w] ?? [], which);
  const guard: FirefoxGuard = { foreign: [], pageErrors: [], consoleErrors: [], failed: [], csp: () => read('__cspViolations'), uncaught: () => read('__uncaught') };
  page.on('request', (req) => {
    const u = req.url();
    if (/^(data|blob|about):/.test(u)) return;
    if (new URL(u).origin !== origin) guard.foreign.push(u);
  });
  page.on('pageerror', (e) => guard.pageErrors.push(e instanceof Error ? e.message : String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') guard.consoleErrors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) guard.failed.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  await page.evaluateOnNewDocument(() => {
    const g = globalThis as unknown as GuardGlobals & {
      document: { addEventListener(type: 'securitypolicyviolation', fn: (e: { violatedDirective: string; blockedURI: string; sourceFile: string; lineNumber: number }) => void): void };
      addEventListener(type: 'error', fn: (e: { message: string; filename: string; lineno: number }) => void): void;
      addEventListener(type: 'unhandledrejection', fn: (e: { reason: unknown }) => void): void;
    };
    const csp: string[] = [];
    const uncaught: string[] = [];
    g.__cspViolations = csp;
    g.__uncaught = uncaught;
    g.document.addEventListener('securitypolicyviolation', (e) => csp.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
    g.addEventListener('error', (e) => uncaught.push(`${e.message} at ${e.filename}:${e.lineno}`));
    g.addEventListener('unhandledrejection', (e) => uncaught.push(`unhandled rejection: ${String(e.reason)}`));
  });
  return { page, guard };
}

/** What recordSockets keeps in the page. */
interface SocketGlobals {
  __sockets?: { readyState: number; close(): void }[];
}

/**
 * Keeps every WebSocket the page opens (its constructor wrapped by a preload script, otherwise untouched), so
 * that a test can drop the page's connection as a lost network would. Call before the page loads.
 */
export async function recordSockets(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const g = globalThis as unknown as SocketGlobals & { WebSocket: new (...args: unknown[]) => { readyState: number; close(): void } };
    const sockets: NonNullable<SocketGlobals['__sockets']> = [];
    g.__sockets = sockets;
    g.WebSocket = new Proxy(g.WebSocket, {
      construct(target, args) {
        const ws = Reflect.construct(target, args) as { readyState: number; close(): void };
        sockets.push(ws);
        return ws;
      },
    });
  });
}

/** The page's WebSockets so far: how many it opened, and the readyState of each (1 open, 3 closed). */
export const pageSockets = (page: Page): Promise<number[]> => page.evaluate(() => ((globalThis as unknown as SocketGlobals).__sockets ?? []).map((s) => s.readyState));

/** Closes the page's open WebSockets from the page's side; resolves with how many there were. */
export const dropPageSockets = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const open = ((globalThis as unknown as SocketGlobals).__sockets ?? []).filter((s) => s.readyState === 1);
    for (const s of open) s.close();
    return open.length;
  });

/** The page's read-only test hook (window.__odid), as these tests read it. */
interface OdidHookLite {
  markers(): PageMarker[];
  tracks(): PageTrackLite[];
  connection(): string;
}

export const connectionOf = (page: Page): Promise<string> => page.evaluate(() => (globalThis as unknown as { __odid: OdidHookLite }).__odid.connection());

export const tracksOf = (page: Page): Promise<PageTrackLite[]> => page.evaluate(() => (globalThis as unknown as { __odid: OdidHookLite }).__odid.tracks());

/** The markers and the tracks they were drawn from, read in one go (no update can land between the two). */
export const markersAndTracksOf = (page: Page): Promise<{ markers: PageMarker[]; tracks: PageTrackLite[] }> =>
  page.evaluate(() => {
    const odid = (globalThis as unknown as { __odid: OdidHookLite }).__odid;
    return { markers: odid.markers(), tracks: odid.tracks() };
  });

export const statsOf = (page: Page): Promise<{ rendered: number; latencyMs: number[] }> =>
  page.evaluate(() => (globalThis as unknown as { __odidStats: { rendered: number; latencyMs: number[] } }).__odidStats);

/** The page's text at a selector (null when nothing matches). */
export const textAt = (page: Page, selector: string): Promise<string | null> =>
  page.evaluate((sel) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector(sel)?.textContent ?? null, selector);

/** How many elements match a selector. */
export const countOf = (page: Page, selector: string): Promise<number> =>
  page.evaluate((sel) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll(sel).length, selector);

/** Whether an element is displayed (in the layout, with a size): what a user can see or tap. */
export const isShown = (page: Page, selector: string): Promise<boolean> =>
  page.evaluate((sel) => {
    const el = (globalThis as unknown as { document: { querySelector(s: string): { getClientRects(): { length: number }; getBoundingClientRect(): { width: number; height: number } } | null } }).document.querySelector(sel);
    if (!el || el.getClientRects().length === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }, selector);

export interface Png {
  width: number;
  height: number;
  /** 4 bytes a pixel, row after row. */
  rgba: Uint8Array;
}

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/**
 * Decodes a PNG as browsers write screenshots: 8-bit RGB or RGBA, not interlaced (anything else throws).
 * The PNG specification's filters (none, sub, up, average, Paeth) over the inflated IDAT stream.
 */
export function decodePng(data: Uint8Array): Png {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 8 || buf.readUInt32BE(0) !== 0x89504e47 || buf.readUInt32BE(4) !== 0x0d0a1a0a) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const body = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || interlace !== 0 || (colourType !== 2 && colourType !== 6)) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colourType}, interlace ${interlace}`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + len;
  }
  if (!channels) throw new Error('PNG without IHDR');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('PNG data too short');
  const rgba = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      const x = line[i]!;
      const v = filter === 0 ? x : filter === 1 ? x + a : filter === 2 ? x + b : filter === 3 ? x + ((a + b) >> 1) : filter === 4 ? x + paeth(a, b, c) : NaN;
      if (Number.isNaN(v)) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      cur[i] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      rgba[o] = cur[x * channels]!;
      rgba[o + 1] = cur[x * channels + 1]!;
      rgba[o + 2] = cur[x * channels + 2]!;
      rgba[o + 3] = channels === 4 ? cur[x * channels + 3]! : 255;
    }
    prev = cur;
  }
  return { width, height, rgba };
}

/**
 * The colours of an image, or of a region of it in pixels (RGB as 0xRRGGBB, alpha ignored), with how many
 * pixels each, most frequent first.
 */
export function colours(png: Png, region?: { x: number; y: number; width: number; height: number }): [number, number][] {
  const x0 = Math.max(0, Math.round(region?.x ?? 0));
  const y0 = Math.max(0, Math.round(region?.y ?? 0));
  const x1 = Math.min(png.width, Math.round(region ? region.x + region.width : png.width));
  const y1 = Math.min(png.height, Math.round(region ? region.y + region.height : png.height));
  const count = new Map<number, number>();
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const o = (y * png.width + x) * 4;
      const c = (png.rgba[o]! << 16) | (png.rgba[o + 1]! << 8) | png.rgba[o + 2]!;
      count.set(c, (count.get(c) ?? 0) + 1);
    }
  }
  return [...count].sort((a, b) => b[1] - a[1]);
}

/** 'rgb(r, g, b)' (or rgba) as computed styles give it, to 0xRRGGBB. */
export function cssRgb(css: string): number {
  const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
  if (!m) throw new Error(`not an rgb() colour: ${css}`);
  return (Number(m[1]) << 16) | (Number(m[2]) << 8) | Number(m[3]);
}

/** Whether two 0xRRGGBB colours are within `tolerance` on every channel. */
export function sameColour(a: number, b: number, tolerance = 3): boolean {
  return [16, 8, 0].every((s) => Math.abs(((a >> s) & 0xff) - ((b >> s) & 0xff)) <= tolerance);
}
