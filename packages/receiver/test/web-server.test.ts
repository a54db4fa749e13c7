/**
 * The map's server on real sockets (loopback only): what it serves, to whom, and how track changes reach a
 * page. The page itself is tested in a browser (test/web); here the assets are a stand-in folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { buildAirFrames, encodeMessage, RemoteIdExtractor, type SingleMessageInput } from '@odid/codec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tracksToGeoJson } from '../src/outputs/geojson.js';
import { MAX_BUFFERED_BYTES, WebMapServer, type WebMapOptions } from '../src/outputs/web/server.js';
import type { ServerMessage } from '../src/outputs/web/protocol.js';
import { trackSummary } from '../src/outputs/web/summary.js';
import { trackToJson } from '../src/tracker/track-json.js';
import { Tracker } from '../src/tracker/tracker.js';
import type { TrackUpdate } from '../src/tracker/types.js';
import { Store } from '../web/store.js';

let assets: string;
let basemap: string;
const servers: WebMapServer[] = [];

beforeAll(() => {
  assets = mkdtempSync(path.join(tmpdir(), 'odid-web-'));
  writeFileSync(path.join(assets, 'index.html'), '<!doctype html><title>map</title>');
  writeFileSync(path.join(assets, 'app.js'), 'console.log(1)');
  basemap = path.join(assets, '..', `${path.basename(assets)}.pmtiles`);
  writeFileSync(basemap, Uint8Array.from({ length: 256 }, (_, i) => i));
});
afterAll(() => {
  rmSync(assets, { recursive: true, force: true });
  rmSync(basemap, { force: true });
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const T0 = 1_750_000_000_000;
const location = (lat: number): SingleMessageInput => ({
  type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: lat, longitude: 8.5,
  altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 2, timestamp: 100,
});

/** One simulated drone heard on Wi-Fi: each call is one beacon, through the real frame builders and decoder. */
function drone(tracker: Tracker, n = 1): (i: number) => TrackUpdate[] {
  const extractor = new RemoteIdExtractor();
  const address = `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
  const uasId = `1596F01234567${n.toString(16).padStart(3, '0').toUpperCase()}`;
  return (i) => {
    const payload = encodeMessage({ type: 'messagePack', messages: [{ type: 'basicId', idType: 1, uaType: 2, uasId }, location(47 + n / 100 + i / 1e4)] });
    const updates: TrackUpdate[] = [];
    for (const f of buildAirFrames({ transport: 'wifi-beacon', address, counter: i & 0xff, payload })) {
      for (const m of extractor.fromRecord(f.linkType, f.data, { t: (T0 + i * 100) / 1000 })) {
        const u = tracker.ingest(m, T0 + i * 100);
        if (u) updates.push(u);
      }
    }
    return updates;
  };
}

async function serve(tracker: Tracker, extra: Partial<WebMapOptions> = {}): Promise<{ server: WebMapServer; url: URL }> {
  const server = new WebMapServer({
    host: '127.0.0.1',
    port: 0,
    assetsDir: assets,
    mode: 'live',
    source: 'test',
    tracks: () => tracker.tracks(),
    track: (key) => tracker.get(key),
    now: () => tracker.now,
    ...extra,
  });
  servers.push(server);
  return { server, url: await server.start() };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
function get(url: URL | string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What a binary frame is recorded as: every message to a page is JSON text (a browser would get a Blob). */
const BINARY_FRAME = { type: 'binary frame' } as unknown as ServerMessage;

/** Opens the socket and collects what arrives; resolves once open (or with the refusal's status). */
function connect(url: string, headers: Record<string, string> = {}): Promise<{ ws?: WebSocket; messages: ServerMessage[]; status?: number }> {
  return new Promise((resolve) => {
    const messages: ServerMessage[] = [];
    const ws = new WebSocket(url, { headers });
    ws.on('message', (d, binary) => messages.push(binary ? BINARY_FRAME : (JSON.parse(String(d)) as ServerMessage)));
    ws.on('open', () => resolve({ ws, messages }));
    ws.on('unexpected-response', (_req, res) => resolve({ messages, status: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ messages, status: -1 }));
  });
}
/** A page's store fed from the socket (as the page applies what it gets), with every message. */
async function pageOf(url: URL): Promise<{ ws: WebSocket; store: Store; messages: ServerMessage[] }> {
  const store = new Store();
  const { ws, messages } = await connect(`ws://127.0.0.1:${url.port}/ws`);
  ws!.on('message', (d) => store.apply(JSON.parse(String(d)) as ServerMessage));
  // What came before the store listened.
  for (const m of messages) store.apply(m);
  return { ws: ws!, store, messages };
}
const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  // The monotonic clock: a step of the wall clock (this machine's was seen to jump) must not cut the wait.
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('web map server on loopback', () => {
  it('serves the page with a CSP that allows only itself, and nothing outside its folder', async () => {
    const { url } = await serve(new Tracker());
    const page = await get(url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/https?:|\*/);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    expect((await get(new URL('/app.js', url))).status).toBe(200);
    for (const p of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/nope.js', '/..%2fserver.ts']) expect((await get(new URL(p, url))).status).toBe(404);
    expect((await get(new URL('/', url), {}, 'DELETE')).status).toBe(405);
  });

  it('refuses a Host that is not this machine (DNS rebinding) and a WebSocket from another origin', async () => {
    const { url } = await serve(new Tracker());
    expect((await get(url, { Host: `attacker.example:${url.port}` })).status).toBe(421);
    const ws = `ws://127.0.0.1:${url.port}/ws`;
    expect((await connect(ws, { Origin: 'http://attacker.example' })).status).toBe(403);
    const ok = await connect(ws, { Origin: `http://127.0.0.1:${url.port}` });
    expect(ok.ws).toBeDefined();
    ok.ws!.close();
  });

  it('a page gets hello and a snapshot, then changes at most twice a second per track, ending with the latest state', async () => {
    const tracker = new Tracker();
    const fly = drone(tracker);
    const { server, url } = await serve(tracker);
    for (const u of fly(0)) server.write(u);
    const { ws, messages } = await connect(`ws://127.0.0.1:${url.port}/ws`);
    await until(() => messages.length >= 2);
    expect(messages.map((m) => m.type)).toEqual(['hello', 'snapshot']);
    const snapshot = messages[1] as Extract<ServerMessage, { type: 'snapshot' }>;
    expect(snapshot.tracks).toHaveLength(1);
    expect(snapshot.tracks[0]!.uasId).toBe('1596F01234567001');
    expect(snapshot.tracks[0]!.trail!.length).toBeGreaterThan(0);
    // Summaries only: what the list and the map draw, not every decoded field.
    expect(snapshot.tracks[0]).not.toHaveProperty('location');
    expect(snapshot.tracks[0]).not.toHaveProperty('links');
    const store = new Store();
    for (const m of messages.slice(0, 2)) store.apply(m);

    // 20 beacons within one second of wall time: at most 3 batches (now, +0.5 s, +1 s) carry the track.
    const started = Date.now();
    for (let i = 1; i <= 20; i++) {
      for (const u of fly(i)) server.write(u);
      await new Promise((r) => setTimeout(r, 45));
    }
    await new Promise((r) => setTimeout(r, 700));
    const batches = messages.filter((m): m is Extract<ServerMessage, { type: 'tracks' }> => m.type === 'tracks');
    const elapsed = (Date.now() - started) / 1000;
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(elapsed * 2) + 1);
    // Each carries what changed (the position, the message count, ...), not the whole track again.
    for (const b of batches) {
      expect(b.tracks).toEqual([]);
      expect(b.changes).toHaveLength(1);
      expect(b.changes[0]).not.toHaveProperty('uasId');
      expect(b.changes[0]).toHaveProperty('position');
    }
    for (const b of batches) store.apply(b);
    const key = tracker.tracks()[0]!.key;
    expect(store.tracks.get(key)!.position!.lat).toBeCloseTo(47.01 + 20 / 1e4, 6);
    // The page has what the server would send whole now.
    expect(store.tracks.get(key)).toEqual(JSON.parse(JSON.stringify(trackSummary(tracker.get(key)!))));
    ws!.close();
  });

  it('resync sends the snapshot again; a merged-away track is reported removed', async () => {
    const tracker = new Tracker();
    const { server, url } = await serve(tracker);
    for (const u of drone(tracker)(0)) server.write(u);
    const { ws, messages } = await connect(`ws://127.0.0.1:${url.port}/ws`);
    await until(() => messages.length >= 2);
    ws!.send(JSON.stringify({ type: 'resync' }));
    await until(() => messages.filter((m) => m.type === 'snapshot').length === 2);
    server.write({ track: tracker.tracks()[0]!, reason: 'updated', at: T0, merged: ['trk-gone'] });
    await until(() => messages.some((m) => m.type === 'tracks' && m.removed.includes('trk-gone')));
    ws!.close();
  });

  it('a track the pipeline forgot is reported removed to the pages', async () => {
    const tracker = new Tracker();
    const { server, url } = await serve(tracker);
    for (const u of drone(tracker)(0)) server.write(u);
    const { ws, messages } = await connect(`ws://127.0.0.1:${url.port}/ws`);
    await until(() => messages.some((m) => m.type === 'snapshot'));
    const key = tracker.tracks()[0]!.key;
    server.forget([key]);
    await until(() => messages.some((m) => m.type === 'tracks' && m.removed.includes(key)));
    ws!.close();
  });

  it('live, finds what changed in a track itself: after its first update, the messages the tracker takes need not be written to it', async () => {
    const tracker = new Tracker();
    const fly = drone(tracker);
    const { server, url } = await serve(tracker);
    // The new track (urgent) is written; the next 15 beacons go to the tracker only.
    for (const u of fly(0)) server.write(u);
    const page = await pageOf(url);
    for (let i = 1; i <= 15; i++) {
      for (const u of fly(i)) expect(u.reason).toBe('updated');
      await new Promise((r) => setTimeout(r, 50));
    }
    const key = tracker.tracks()[0]!.key;
    const want = JSON.parse(JSON.stringify(trackSummary(tracker.get(key)!))) as unknown;
    // (Compared as values: a field a delta added comes last in the page's object.)
    await until(() => isDeepStrictEqual(JSON.parse(JSON.stringify(page.store.tracks.get(key) ?? null)), want), 5000);
    expect(page.store.tracks.get(key)!.position!.lat).toBeCloseTo(47.01 + 15 / 1e4, 6);
    page.ws.close();
  });

  it('pages that connect at different times end with the same tracks as the tracker, from the deltas after their snapshots', async () => {
    const tracker = new Tracker();
    const { server, url } = await serve(tracker);
    const flights = [1, 2, 3].map((n) => drone(tracker, n));
    const fly = (i: number): void => {
      for (const f of flights) for (const u of f(i)) server.write(u);
    };
    fly(0);
    const first = await pageOf(url);
    for (let i = 1; i <= 12; i++) {
      fly(i);
      await new Promise((r) => setTimeout(r, 40));
    }
    // Joins midway: its snapshot holds the summaries as last sent, the next deltas are taken against those.
    const second = await pageOf(url);
    const fourth = drone(tracker, 4);
    for (let i = 13; i <= 30; i++) {
      fly(i);
      for (const u of fourth(i)) server.write(u);
      await new Promise((r) => setTimeout(r, 40));
    }
    // The last changes: a position no longer fresh waits at most an interval more for a newer one.
    await new Promise((r) => setTimeout(r, 1300));
    const want = Object.fromEntries(tracker.tracks().map((t) => [t.key, JSON.parse(JSON.stringify(trackSummary(t)))]));
    expect(Object.keys(want)).toHaveLength(4);
    for (const p of [first, second]) {
      expect(p.store.outOfStep).toBe(false);
      expect(Object.fromEntries(p.store.tracks)).toEqual(want);
      // Each batch encoded once for both pages, sent to each as text.
      expect(p.messages.filter((m) => m.type === 'tracks').length).toBeGreaterThan(1);
      expect(p.messages).not.toContain(BINARY_FRAME);
      p.ws.close();
    }
    // The second page got the first few positions of the first tracks as its snapshot's trail.
    const key = tracker.tracks()[0]!.key;
    expect(second.store.trail(key)[0]!.t).toBeLessThan(first.store.trail(key).at(-1)!.t - 1);
  });

  it('sends the details of the track a page has open: at once, with each batch that carries it, and null once it is gone', async () => {
    const tracker = new Tracker();
    // Keys the tracker is taken to have merged away (the test's stand-in for a merge).
    const merged = new Set<string>();
    const { server, url } = await serve(tracker, { track: (key) => (merged.has(key) ? undefined : tracker.get(key)), tracks: () => tracker.tracks().filter((t) => !merged.has(t.key)) });
    const fly = drone(tracker);
    for (const u of fly(0)) server.write(u);
    const other = drone(tracker, 2);
    for (const u of other(0)) server.write(u);
    const { ws, messages } = await connect(`ws://127.0.0.1:${url.port}/ws`);
    await until(() => messages.length >= 2);
    // The changes made before the page came have gone out.
    await new Promise((r) => setTimeout(r, 600));
    const [key, otherKey] = tracker.tracks().map((t) => t.key) as [string, string];
    const details = (): Extract<ServerMessage, { type: 'details' }>[] => messages.filter((m): m is Extract<ServerMessage, { type: 'details' }> => m.type === 'details');
    ws!.send(JSON.stringify({ type: 'details', key }));
    await until(() => details().length === 1);
    expect(details()[0]!.track).toEqual(JSON.parse(JSON.stringify(trackToJson(tracker.get(key)!))));
    // Every decoded field, every link's counters: the whole track.
    expect(details()[0]!.track!.location).not.toBeNull();
    expect(details()[0]!.track!.links[0]!.counters).toBeDefined();
    // Its next update brings its details again; another track's update does not.
    for (let i = 1; i <= 3; i++) {
      for (const u of other(i)) server.write(u);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 600));
    expect(details()).toHaveLength(1);
    for (const u of fly(1)) server.write(u);
    await until(() => details().length === 2);
    expect(details()[1]!.track!.position!.lat).toBeCloseTo(47.01 + 1 / 1e4, 6);
    // Not a track: null. No details asked for: none.
    ws!.send(JSON.stringify({ type: 'details', key: 'trk-nope' }));
    await until(() => details().length === 3);
    expect(details()[2]).toMatchObject({ key: 'trk-nope', track: null });
    ws!.send(JSON.stringify({ type: 'details', key: null }));
    await new Promise((r) => setTimeout(r, 100));
    for (const u of fly(2)) server.write(u);
    await new Promise((r) => setTimeout(r, 700));
    expect(details()).toHaveLength(3);
    // A track merged away while open: its details say it is gone.
    ws!.send(JSON.stringify({ type: 'details', key: otherKey }));
    await until(() => details().length === 4);
    merged.add(otherKey);
    server.write({ track: tracker.get(key)!, reason: 'updated', at: T0 + 5000, merged: [otherKey] });
    await until(() => details().length === 5);
    expect(details()[4]).toMatchObject({ key: otherKey, track: null });
    ws!.close();
  });

  it('skips a page that reads too slowly, and sends it a fresh snapshot as soon as its socket drains', async () => {
    const tracker = new Tracker();
    // Batches every 20 ms for all 200 tracks (no sharing of the states a second: not what this is about).
    const { server, url } = await serve(tracker, { batchIntervalMs: 20, statesPerSecond: 10_000 });
    const flights = Array.from({ length: 200 }, (_, n) => drone(tracker, n + 1));
    for (let i = 0; i < 30; i++) for (const f of flights) for (const u of f(i)) server.write(u);
    // A page whose socket is not read: its TCP window, then the server's buffer fill up. (It asks for
    // snapshots, each a few hundred KB with the trails, so that they fill in a moment rather than minutes.)
    const { ws, messages } = await connect(`ws://127.0.0.1:${url.port}/ws`);
    await until(() => messages.length >= 2);
    const raw = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    for (let k = 0; k < 40; k++) ws!.send(JSON.stringify({ type: 'resync' }));
    let i = 30;
    const started = Date.now();
    while (server.counters.skipped === 0) {
      if (Date.now() - started > 20_000) throw new Error('the page was never behind');
      for (const f of flights) for (const u of f(i)) server.write(u);
      i++;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(server.counters.catchUps).toBe(0);
    // Behind: nothing more is queued for it however long the updates go on.
    const skipped = server.counters.skipped;
    for (let k = 0; k < 10; k++) {
      for (const f of flights) for (const u of f(i)) server.write(u);
      i++;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(server.counters.skipped).toBeGreaterThan(skipped);
    expect(server.counters.catchUps).toBe(0);
    // The updates stop (the receiver's input ended): reading again, the page gets a snapshot as soon as
    // its socket has drained, without waiting for another batch.
    raw.resume();
    await until(() => server.counters.catchUps === 1, 10_000);
    // Everything queued comes in (the snapshots it asked for), the catch-up last.
    await until(() => messages.filter((m) => m.type === 'snapshot').length === server.counters.snapshots, 10_000);
    expect(messages.filter((m) => m.type === 'tracks' || m.type === 'snapshot').at(-1)!.type).toBe('snapshot');
    const store = new Store();
    for (const m of messages) store.apply(m);
    // It shows the tracks as the tracker has them now.
    for (const t of tracker.tracks()) expect(store.tracks.get(t.key)!.position!.lat, t.key).toBeCloseTo(t.position!.lat, 9);
    expect(store.outOfStep).toBe(false);
    // And it is sent batches again.
    const batches = messages.filter((m) => m.type === 'tracks').length;
    for (const f of flights.slice(0, 3)) for (const u of f(i)) server.write(u);
    await until(() => messages.filter((m) => m.type === 'tracks').length > batches);
    expect(MAX_BUFFERED_BYTES).toBeGreaterThan(0);
    ws!.close();
  }, 60_000);

  it('alerts from the tracker reach the page at once', async () => {
    const tracker = new Tracker();
    const { server, url } = await serve(tracker);
    const updates = drone(tracker)(0);
    const { ws, messages } = await connect(`ws://127.0.0.1:${url.port}/ws`);
    await until(() => messages.length >= 2);
    server.write({ ...updates[0]!, alerts: [{ kind: 'emergency', flag: 'emergency', text: 'emergency declared' }] });
    await until(() => messages.some((m) => m.type === 'alerts'));
    const alerts = messages.find((m) => m.type === 'alerts') as Extract<ServerMessage, { type: 'alerts' }>;
    expect(alerts.alerts).toHaveLength(1);
    expect(alerts.alerts[0]).toMatchObject({ kind: 'emergency', uasId: '1596F01234567001', text: 'emergency declared', flag: 'emergency' });
    ws!.close();
  });

  it('sends a burst of alerts (a fleet appearing, frame after frame) in few messages, none lost', async () => {
    const tracker = new Tracker();
    const { server, url } = await serve(tracker);
    const { ws, messages } = await connect(`ws://127.0.0.1:${url.port}/ws`);
    await until(() => messages.length >= 2);
    // 60 drones, one new one every 5 ms, each with its own frame (and a turn of the event loop) as live.
    const began = Date.now();
    for (let n = 1; n <= 60; n++) {
      // One alert per drone, on its first update.
      drone(tracker, n)(0).forEach((u, i) => server.write({ ...u, alerts: i === 0 ? [{ kind: 'new-drone', text: 'new drone' }] : undefined }));
      await new Promise((r) => setTimeout(r, 5));
    }
    const spanMs = Date.now() - began;
    const alertMessages = (): Extract<ServerMessage, { type: 'alerts' }>[] => messages.filter((m): m is Extract<ServerMessage, { type: 'alerts' }> => m.type === 'alerts');
    await until(() => alertMessages().reduce((n, m) => n + m.alerts.length, 0) >= 60);
    const keys = alertMessages().flatMap((m) => m.alerts.map((a) => a.key));
    expect(keys.length).toBe(60);
    expect(new Set(keys).size).toBe(60);
    // The first at once, then one message per 100 ms at most (not one per frame).
    expect(alertMessages().length).toBeLessThanOrEqual(Math.ceil(spanMs / 100) + 2);
    expect(alertMessages()[0]!.alerts.length).toBe(1);
    ws!.close();
  });

  it('serves the basemap by byte ranges, and exports made by the receiver', async () => {
    const tracker = new Tracker();
    for (const u of drone(tracker)(0)) void u;
    const { url } = await serve(tracker, {
      basemap,
      exports: [{ name: 'tracks.geojson', contentType: 'application/geo+json', produce: () => JSON.stringify(tracksToGeoJson(tracker.tracks())) }],
    });
    const part = await get(new URL('/basemap.pmtiles', url), { Range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 10-19/256');
    expect([...part.body]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect([...(await get(new URL('/basemap.pmtiles', url), { Range: 'bytes=-3' })).body]).toEqual([253, 254, 255]);
    expect((await get(new URL('/basemap.pmtiles', url), { Range: 'bytes=300-' })).status).toBe(416);
    const geo = await get(new URL('/export/tracks.geojson', url));
    expect(geo.status).toBe(200);
    expect(geo.headers['content-disposition']).toMatch(/attachment/);
    expect((JSON.parse(String(geo.body)) as { type: string }).type).toBe('FeatureCollection');
    expect((await get(new URL('/export/../../etc/passwd', url))).status).toBe(404);
  });

  it('saving a drawn zone: only with a zones file, only JSON, bounded, and the saver decides what is valid', async () => {
    const saved: unknown[] = [];
    const none = await serve(new Tracker());
    const zone = JSON.stringify({ type: 'FeatureCollection', features: [] });
    expect((await get(new URL('/zones', none.url), { 'Content-Type': 'application/json' }, 'POST', zone)).status).toBe(404);
    const { url } = await serve(new Tracker(), {
      saveZones: async (c) => {
        if ((c as { type?: string }).type !== 'FeatureCollection') throw new Error('zones: expected a FeatureCollection');
        saved.push(c);
      },
    });
    expect((await get(new URL('/zones', url), { 'Content-Type': 'text/plain' }, 'POST', zone)).status).toBe(415);
    const bad = await get(new URL('/zones', url), { 'Content-Type': 'application/json' }, 'POST', '{"type":"Point"}');
    expect([bad.status, String(bad.body)]).toEqual([400, 'zones: expected a FeatureCollection\n']);
    expect((await get(new URL('/zones', url), { 'Content-Type': 'application/json' }, 'POST', 'x'.repeat(2 * 1024 * 1024)).catch(() => ({ status: 413 }))).status).toBe(413);
    expect((await get(new URL('/zones', url), { 'Content-Type': 'application/json' }, 'POST', zone)).status).toBe(204);
    expect(saved).toEqual([JSON.parse(zone)]);
    expect((await get(new URL('/zones', url))).status).toBe(405);
  });
});

describe('web map server bound beyond loopback', () => {
  it('needs the token for every request and WebSocket; the token URL sets a cookie the page then uses', async () => {
    // Bound to every address, reached over loopback (tests never leave this machine).
    const { server, url } = await serve(new Tracker(), { host: '0.0.0.0' });
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(url.searchParams.get('token')).toBe(server.token);
    const base = `http://127.0.0.1:${url.port}`;
    expect((await get(`${base}/`)).status).toBe(401);
    expect((await get(`${base}/app.js`)).status).toBe(401);
    // One character off (never the token itself: one in 64 ends in "x").
    const wrong = server.token!.slice(0, -1) + (server.token!.endsWith('x') ? 'y' : 'x');
    expect((await get(`${base}/?token=${wrong}`)).status).toBe(401);
    expect((await get(`${base}/`, { Cookie: 'odid_token=wrong' })).status).toBe(401);
    const first = await get(`${base}/?token=${server.token}`);
    expect(first.status).toBe(200);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await get(`${base}/app.js`, { Cookie: cookie })).status).toBe(200);

    expect((await connect(`ws://127.0.0.1:${url.port}/ws`)).status).toBe(401);
    expect((await connect(`ws://127.0.0.1:${url.port}/ws`, { Cookie: 'odid_token=wrong' })).status).toBe(401);
    const ok = await connect(`ws://127.0.0.1:${url.port}/ws`, { Cookie: cookie });
    expect(ok.ws).toBeDefined();
    ok.ws!.close();
  });
});
