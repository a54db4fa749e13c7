/**
 * Support for the map page's browser tests: headless Chromium (Debian's, through playwright-core), the
 * receiver serving the page (`rid-scan ... --web 127.0.0.1:0`, the built program as users run it), and a
 * guard on every page that records what must never happen: a request to any origin but the receiver's, a
 * Content-Security-Policy violation, an uncaught error.
 */

import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startBuilt } from '../support/built.js';
import { repoRoot } from '../support/fixtures.js';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots and other things worth looking at after a run (gitignored). */
export const artifactsDir = path.join(repoRoot, 'test-artifacts');

export function artifact(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return path.join(artifactsDir, name);
}

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });


export interface MapServer {
  url: string;
  origin: string;
  proc: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `rid-scan ARGS --web ADDRESS` and resolves with the URL it prints on stderr. */
export async function startMapServer(args: string[], timeoutMs = 20_000, address = '127.0.0.1:0'): Promise<MapServer> {
  const proc = startBuilt('rid-scan', [...args, '--web', address]);
  let err = '';
  proc.stdout?.resume();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rid-scan printed no map URL within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      err += d;
      const m = /rid-scan: map at (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rid-scan exited (${code}) before printing the map URL; stderr:\n${err}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    proc,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const kill = setTimeout(() => {
          try {
            process.kill(-proc.pid!, 'SIGKILL');
          } catch {
            // gone
          }
        }, 10_000);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        try {
          process.kill(-proc.pid!, 'SIGINT');
        } catch {
          resolve();
        }
      }),
  };
}

/**
 * The few browser globals the tests' page functions touch, typed here: the root project (Node code) has no
 * DOM typings, and must not get them.
 */
export interface Dom {
  document: {
    documentElement: { classList: { contains(c: string): boolean } };
    getElementById(id: string): { hidden: boolean; getBoundingClientRect(): { x: number; y: number; width: number; height: number } } | null;
    addEventListener(type: 'securitypolicyviolation', fn: (e: { violatedDirective: string; blockedURI: string; sourceFile: string; lineNumber: number }) => void): void;
  };
}

export interface Guard {
  /** Requests to anything but the receiver (data: and blob: URLs are the page's own). */
  foreign: string[];
  pageErrors: string[];
  consoleErrors: string[];
  /** Responses with an error status, with their URL. */
  failed: string[];
  /** CSP violations the page reported. */
  csp(): Promise<string[]>;
}

/** A page with the guard installed: call before the page loads anything. */
export async function guardedPage(context: BrowserContext, origin: string): Promise<{ page: Page; guard: Guard }> {
  const page = await context.newPage();
  const guard: Guard = {
    foreign: [],
    pageErrors: [],
    consoleErrors: [],
    failed: [],
    csp: () => page.evaluate(() => (globalThis as unknown as { __cspViolations?: string[] }).__cspViolations ?? []),
  };
  page.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (new URL(u).origin !== origin) guard.foreign.push(u);
  });
  page.on('pageerror', (e) => guard.pageErrors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) guard.failed.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') guard.consoleErrors.push(m.text());
  });
  await page.addInitScript(() => {
    const list: string[] = [];
    (globalThis as unknown as { __cspViolations: string[] }).__cspViolations = list;
    (globalThis as unknown as Dom).document.addEventListener('securitypolicyviolation', (e) => list.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
  });
  return { page, guard };
}

/** The page's read-only test hook (window.__odid), as the tests read it. */
/** After a test: the guarded page reached nothing else, broke no CSP rule, threw nothing, and nothing it asked for failed. */
export async function expectCleanPage(guard: Guard): Promise<void> {
  const csp = await guard.csp().catch(() => []);
  expect(guard.foreign, 'requests to other origins').toEqual([]);
  expect(csp, 'CSP violations').toEqual([]);
  expect(guard.pageErrors, 'uncaught errors').toEqual([]);
  expect(guard.failed, 'failed requests').toEqual([]);
  expect(guard.consoleErrors, 'console errors').toEqual([]);
}

export interface PageMarker {
  key: string;
  lat: number;
  lon: number;
  color: 'red' | 'orange' | 'green' | 'blue';
  rotation: number | null;
  status: string;
  state: string;
  layer: string;
}

export const markers = (page: Page): Promise<PageMarker[]> => page.evaluate(() => (globalThis as unknown as { __odid: { markers(): PageMarker[] } }).__odid.markers());

export interface PageTrackLite {
  key: string;
  uasId: string | null;
  firstSeen: number;
  lastSeen: number;
  flags: string[];
  state: string;
  position: { t: number; lat: number; lon: number } | null;
}

export const pageTracks = (page: Page): Promise<PageTrackLite[]> => page.evaluate(() => (globalThis as unknown as { __odid: { tracks(): PageTrackLite[] } }).__odid.tracks());

/** The markers and the tracks they were drawn from, read in one go (no update can land between the two). */
export const markersAndTracks = (page: Page): Promise<{ markers: PageMarker[]; tracks: PageTrackLite[] }> =>
  page.evaluate(() => {
    const odid = (globalThis as unknown as { __odid: { markers(): PageMarker[]; tracks(): PageTrackLite[] } }).__odid;
    return { markers: odid.markers(), tracks: odid.tracks() };
  });

export const pageAlerts = (page: Page): Promise<{ id: number; kind: string; key: string; text: string }[]> =>
  page.evaluate(() => (globalThis as unknown as { __odid: { alerts(): { id: number; kind: string; key: string; text: string }[] } }).__odid.alerts());

export const pageStats = (page: Page): Promise<{ rendered: number; latencyMs: number[] }> =>
  page.evaluate(() => (globalThis as unknown as { __odidStats: { rendered: number; latencyMs: number[] } }).__odidStats);

/** Polls `probe` until it returns something other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A page function (for page.evaluate in playwright-core or puppeteer-core alike): the boxes of the page's
 * visible regions (header, banner, map, timeline, panel).
 */
export const visibleRegions = (): Box[] => {
  const { document } = globalThis as unknown as Dom;
  const ids = ['bar', 'alert-banner', 'map', 'timeline', 'panel'];
  const out: { id: string; x: number; y: number; width: number; height: number }[] = [];
  for (const id of ids) {
    const el = document.getElementById(id);
    if (!el || el.hidden) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    out.push({ id, x: r.x, y: r.y, width: r.width, height: r.height });
  }
  return out;
};

/** The pairs of boxes that overlap (by more than half a pixel each way), described. */
export function overlapsOf(boxes: readonly Box[]): string[] {
  const overlaps: string[] = [];
  const eps = 0.5;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (w > eps && h > eps) overlaps.push(`${a.id} and ${b.id} overlap by ${w.toFixed(1)}×${h.toFixed(1)} px`);
    }
  }
  return overlaps;
}

/** The page's visible regions (header, banner, map, timeline, panel) and the pairs of them that overlap. */
export async function regionOverlaps(page: Page): Promise<{ boxes: Box[]; overlaps: string[] }> {
  const boxes = await page.evaluate(visibleRegions);
  return { boxes, overlaps: overlapsOf(boxes) };
}
