/**
 * The map of a replay (`rid-scan --replay FILE --web`): a time slider over everything the page has received,
 * play/pause, "latest"; the scene drawn at the slider's time is the scene as it was then. The recording is
 * the simulated scene (rid-scan --sim --fast --record), so where each drone was at any time is known; what
 * the receiver heard of it (every position, and when) comes from replaying it with --out .jsonl. However
 * fast the replay plays, the timeline keeps the scene's detail: a state per drone per half second of it.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock, SimulatedFlightSource, distance } from '@odid/position';
import { demoScene, type SceneDrone } from '@odid/transmitter';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuilt } from '../support/built.js';
import { artifact, guardedPage, launchBrowser, markersAndTracks, pageTracks, startMapServer, waitFor, type Guard, type MapServer, type PageTrackLite } from './browser.js';

const scene = demoScene();
const droneOf = (uasId: string | null): SceneDrone | undefined => scene.find((d) => d.identity.basicIds.some((b) => b.uasId === uasId));

function truth(d: SceneDrone, startMs: number, ms: number): { lat: number; lon: number } {
  const f = new SimulatedFlightSource({ clock: new ManualClock(startMs), route: d.route, startTime: startMs + (d.startAfterS ?? 0) * 1000, intervalMs: 0 }).positionAt(ms);
  return { lat: f.latitude, lon: f.longitude };
}

/** Replay speed: ten times real time. */
const SPEED = 10;
/** The fast replay: 300 s of the scene in 10 s. */
const FAST = 30;
/** The receiver sends a drone at most once per this much of the scene (s). */
const BATCH_S = 0.5;

let dir: string;
let recording: string;
/** Every position the receiver heard, by UAS ID: reception times (s), in order. */
const heard = new Map<string, number[]>();
/** The times of the recording's first and last frames (s). */
let firstFrame = Infinity;
let lastFrame = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'odid-web-replay-'));
  recording = path.join(dir, 'scene.cbor');
  // Five minutes of the scene, recorded as fast as it can be made.
  const rec = runBuilt('rid-scan', ['--sim', '--fast', '--duration', '300', '--record', recording, '--once']);
  expect(rec.status, rec.stderr).toBe(0);
  const updates = path.join(dir, 'updates.jsonl');
  const out = runBuilt('rid-scan', ['--replay', recording, '--fast', '--once', '--out', updates]);
  expect(out.status, out.stderr).toBe(0);
  for (const line of readFileSync(updates, 'utf8').trim().split('\n')) {
    const u = JSON.parse(line) as { t: number; track: PageTrackLite };
    lastFrame = Math.max(lastFrame, u.t);
    firstFrame = Math.min(firstFrame, u.t);
    const p = u.track.position;
    if (!u.track.uasId || !p) continue;
    let times = heard.get(u.track.uasId);
    if (!times) heard.set(u.track.uasId, (times = []));
    if (times.at(-1) !== p.t) times.push(p.t);
  }
  expect(heard.size).toBeGreaterThanOrEqual(4);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The latest position of a drone the receiver had heard by time t (s), undefined before its first. */
function heardBy(uasId: string, t: number): number | undefined {
  const times = heard.get(uasId) ?? [];
  let found: number | undefined;
  for (const x of times) {
    if (x > t + 1e-6) break;
    found = x;
  }
  return found;
}

interface Slider {
  min: number;
  max: number;
  value: number;
  label: string;
  hidden: boolean;
}

describe('the map of a replay', () => {
  let browser: Browser;
  let server: MapServer;
  let context: BrowserContext;
  let page: Page;
  let guard: Guard;

  beforeAll(async () => {
    // Replayed ten times faster than real time.
    [browser, server] = await Promise.all([launchBrowser(), startMapServer(['--replay', recording, '--speed', String(SPEED)])]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, guard } = await guardedPage(context, server.origin));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const slider = (): Promise<Slider> => readSlider(page);
  const moveSlider = (t: number): Promise<void> => setSlider(page, t);

  it('shows the scene as it was at the slider time, and follows the replay again on "latest"', async () => {
    await page.goto(server.url);
    const hello = await waitFor('hello', () => page.evaluate(() => (globalThis as unknown as { __odid: { hello(): { mode: string } | null } }).__odid.hello() ?? undefined));
    expect(hello.mode).toBe('replay');
    // Wait until 90 s of the scene have come in (the drones set off about 50 s in).
    const range = await waitFor('90 s of replay', async () => {
      const s = await slider();
      return !s.hidden && s.max - s.min >= 90 ? s : undefined;
    }, 30_000, 200);
    expect(range.label).toContain('(latest)');

    const tracksAt = async (): Promise<PageTrackLite[]> => pageTracks(page);
    const latest = await tracksAt();
    const start = Math.min(...latest.filter((t) => (droneOf(t.uasId)?.startAfterS ?? 0) === 0).map((t) => t.firstSeen)) * 1000;

    // Back to 70 s into the scene: every drone is drawn where the scene had it then.
    const at = start / 1000 + 70;
    await moveSlider(at);
    await waitFor('the slider to hold', async () => ((await slider()).label.includes('(latest)') ? undefined : true));
    // The slider moves in steps of 0.1 s from its start: the time it shows.
    const shownAt = (await slider()).value;
    expect(Math.abs(shownAt - at)).toBeLessThanOrEqual(0.05 + 1e-6);
    // The map is redrawn at the next animation frame: wait until every marker shows its track then.
    const { tracks: past, markers: drawn } = await waitFor('the map at the slider time', async () => {
      const both = await markersAndTracks(page);
      return both.tracks.every((t) => {
        const m = both.markers.find((x) => x.key === t.key);
        return !t.position || (m !== undefined && m.lat === t.position.lat && m.lon === t.position.lon);
      })
        ? both
        : undefined;
    });
    let compared = 0;
    for (const t of past) {
      expect(t.lastSeen, t.key).toBeLessThanOrEqual(shownAt + 1e-6);
      const d = droneOf(t.uasId);
      const m = drawn.find((x) => x.key === t.key);
      if (!d || !t.position || !m) continue;
      expect([m.lat, m.lon]).toEqual([t.position.lat, t.position.lon]);
      expect(distance({ lat: m.lat, lon: m.lon }, truth(d, start, t.position.t * 1000)), d.name).toBeLessThan(15);
      // ...and the latest the receiver had heard by half a second (one batch of the scene) before then,
      // however fast the replay ran.
      expect(t.position.t, d.name).toBeGreaterThanOrEqual(heardBy(t.uasId!, shownAt - BATCH_S - 0.01)!);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: artifact('map-replay-past.png') });

    // Play: the time moves on by itself.
    await page.locator('#timeline-play').click();
    await waitFor('time to move', async () => ((await slider()).value > at + 1 ? true : undefined), 5_000);
    await page.locator('#timeline-latest').click();
    await waitFor('the latest again', async () => ((await slider()).label.includes('(latest)') ? true : undefined));
    const now = await tracksAt();
    expect(Math.max(...now.map((t) => t.lastSeen))).toBeGreaterThan(at + 5);

    expect(guard.foreign).toEqual([]);
    expect(await guard.csp()).toEqual([]);
    expect(guard.pageErrors).toEqual([]);
  }, 90_000);
});

describe('the map of a fast replay', () => {
  let browser: Browser;
  let server: MapServer;
  let page: Page;
  let guard: Guard;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startMapServer(['--replay', recording, '--speed', String(FAST)])]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, guard } = await guardedPage(context, server.origin));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('keeps a state per drone per half second of the scene, in few messages, and seeks anywhere in it', async () => {
    // The receiver's messages as they arrive: when, and how many moments of the scene each carries.
    const arrivals: { at: number; moments: number }[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        const m = JSON.parse(String(f.payload)) as { type: string; steps?: unknown[] };
        if (m.type === 'steps' || m.type === 'tracks') arrivals.push({ at: Date.now(), moments: m.steps?.length ?? 1 });
      }),
    );
    await page.goto(server.url);
    await waitFor('the replay to end', async () => (/input ended/.test(server.stderr()) ? true : undefined), 30_000, 200);
    // The last changes follow once the frames' clock has stood still for half a second: the slider then
    // reaches the recording's last frame.
    const range = await waitFor('the last moment', async () => {
      const s = await readSlider(page);
      return s.max >= lastFrame - 1e-3 ? s : undefined;
    }, 5_000);
    expect(range.max).toBeCloseTo(lastFrame, 3);
    expect(range.hidden).toBe(false);
    // From the snapshot the page started from: it connected a moment (some seconds, on a busy machine)
    // after the replay began.
    expect(lastFrame - range.min).toBeGreaterThan(150);

    // Not flooded: at most one message per 50 ms flush, each carrying many moments of the scene.
    const wallS = (arrivals.at(-1)!.at - arrivals[0]!.at) / 1000;
    expect(arrivals.length).toBeLessThanOrEqual(Math.ceil(wallS * 20) + 3);
    const moments = arrivals.reduce((n, a) => n + a.moments, 0);
    expect(moments / arrivals.length).toBeGreaterThan(3);

    // 30 s of the scene, looked at every 0.1 s on the slider.
    const from = range.min + 20;
    const samples = await sweep(page, from, from + 30);
    expect(samples.length).toBeGreaterThanOrEqual(295);
    const states = new Map<string, Set<number>>();
    const positions = new Map<string, Set<number>>();
    for (const { t, tracks } of samples) {
      for (const track of tracks) {
        if (!track.uasId || !track.position || !heard.has(track.uasId)) continue;
        // Never a position from after the slider's time, and never older than what the receiver had heard
        // half a second (one batch of the scene) before it.
        expect(track.position.t, track.uasId).toBeLessThanOrEqual(t + 1e-6);
        const by = heardBy(track.uasId, t - BATCH_S - 0.01);
        if (by !== undefined) expect(track.position.t, `${track.uasId} at ${t}`).toBeGreaterThanOrEqual(by);
        if (!states.has(track.uasId)) states.set(track.uasId, new Set());
        if (!positions.has(track.uasId)) positions.set(track.uasId, new Set());
        states.get(track.uasId)!.add(track.messages);
        positions.get(track.uasId)!.add(track.position.t);
      }
    }
    expect(positions.size).toBeGreaterThanOrEqual(4);
    for (const [uasId, seen] of positions) {
      const inSpan = heard.get(uasId)!.filter((t) => t >= from && t <= from + 30).length;
      // Every position the capture holds, thinned to one per half second at most: a drone heard once a
      // second keeps them all, one heard four times a second keeps about two a second.
      expect(seen.size, uasId).toBeGreaterThanOrEqual(Math.min(inSpan, 30 / BATCH_S) * 0.9);
      expect(states.get(uasId)!.size, uasId).toBeLessThanOrEqual(30 / BATCH_S + 2);
    }

    // Seeking, well after that span: every drone is where the scene had it then.
    const latest = await pageTracks(page);
    const start = Math.min(...latest.filter((t) => (droneOf(t.uasId)?.startAfterS ?? 0) === 0).map((t) => t.firstSeen)) * 1000;
    await setSlider(page, range.min + 100);
    const shownAt = (await readSlider(page)).value;
    // The map is redrawn at the next animation frame: wait until every marker shows its track then.
    const { markers: drawn, tracks } = await waitFor('the map at the slider time', async () => {
      const both = await markersAndTracks(page);
      const drawnAtTime = both.tracks.every((t) => {
        const m = both.markers.find((x) => x.key === t.key);
        return !t.position || (m !== undefined && m.lat === t.position.lat && m.lon === t.position.lon);
      });
      return drawnAtTime ? both : undefined;
    });
    let compared = 0;
    for (const t of tracks) {
      const d = droneOf(t.uasId);
      const m = drawn.find((x) => x.key === t.key);
      if (!d || !t.position || !m) continue;
      expect(t.position.t, d.name).toBeLessThanOrEqual(shownAt + 1e-6);
      expect(t.position.t, d.name).toBeGreaterThanOrEqual(heardBy(t.uasId!, shownAt - BATCH_S - 0.01)!);
      expect(distance({ lat: m.lat, lon: m.lon }, truth(d, start, t.position.t * 1000)), d.name).toBeLessThan(15);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: artifact('map-replay-fast.png') });

    expect(guard.foreign).toEqual([]);
    expect(guard.pageErrors).toEqual([]);
  }, 90_000);

  it('gives a page opened after the replay began the whole timeline, from the first frame', async () => {
    // The replay has ended (the test before waited for it): a page opened now gets the past from the receiver.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const late = await guardedPage(context, server.origin);
    await late.page.goto(server.url);
    const range = await waitFor('the timeline', async () => {
      const s = await readSlider(late.page);
      return !s.hidden && s.max >= lastFrame - 1e-3 ? s : undefined;
    }, 10_000);
    expect(range.min).toBeLessThanOrEqual(firstFrame + BATCH_S + 1e-3);
    // Early in the scene, before this page existed: drones where the scene had them, as the receiver heard them.
    const latest = await pageTracks(late.page);
    const start = Math.min(...latest.filter((t) => (droneOf(t.uasId)?.startAfterS ?? 0) === 0).map((t) => t.firstSeen)) * 1000;
    const at = start / 1000 + 60;
    await setSlider(late.page, at);
    const shownAt = (await readSlider(late.page)).value;
    const past = await waitFor('the tracks at the slider time', async () => {
      const tracks = await pageTracks(late.page);
      return tracks.length > 0 && tracks.every((t) => t.lastSeen <= shownAt + 1e-6) ? tracks : undefined;
    });
    let compared = 0;
    for (const t of past) {
      const d = droneOf(t.uasId);
      if (!d || !t.position) continue;
      expect(t.position.t, d.name).toBeGreaterThanOrEqual(heardBy(t.uasId!, shownAt - BATCH_S - 0.01)!);
      expect(distance(t.position, truth(d, start, t.position.t * 1000)), d.name).toBeLessThan(15);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(4);
    expect(late.guard.foreign).toEqual([]);
    expect(late.guard.pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});

/** A track as the page's hook gives it, with its message count: one value per state the receiver sent. */
type SweptTrack = PageTrackLite & { messages: number };

interface SliderDom {
  document: { getElementById(id: string): { value: string; min: string; max: string; textContent: string; hidden: boolean; dispatchEvent(e: unknown): void } | null };
  Event: new (type: string) => unknown;
  __odid: { tracks(): SweptTrack[] };
}

function readSlider(page: Page): Promise<Slider> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as SliderDom;
    const s = document.getElementById('timeline-slider')!;
    return { min: Number(s.min), max: Number(s.max), value: Number(s.value), label: document.getElementById('timeline-time')!.textContent, hidden: document.getElementById('timeline')!.hidden };
  });
}

/** Moves the slider as a hand does (an input event); it snaps to its 0.1 s steps. */
function setSlider(page: Page, t: number): Promise<void> {
  return page.evaluate((value) => {
    const g = globalThis as unknown as SliderDom;
    const s = g.document.getElementById('timeline-slider')!;
    s.value = String(value);
    s.dispatchEvent(new g.Event('input'));
  }, t);
}

/** The tracks shown at each 0.1 s step of the slider from `from` to `to` (seconds), in one go. */
function sweep(page: Page, from: number, to: number): Promise<{ t: number; tracks: SweptTrack[] }[]> {
  return page.evaluate(
    ([a, b]) => {
      const g = globalThis as unknown as SliderDom;
      const s = g.document.getElementById('timeline-slider')!;
      const out: { t: number; tracks: SweptTrack[] }[] = [];
      for (let i = 0; a + i * 0.1 <= b; i++) {
        s.value = String(a + i * 0.1);
        s.dispatchEvent(new g.Event('input'));
        out.push({ t: Number(s.value), tracks: g.__odid.tracks() });
      }
      return out;
    },
    [from, to] as const,
  );
}
