/**
 * How track changes are batched for the map page: live on the wall clock, a replay on the frames' own clock,
 * so that a replay played fast still gives the page (its timeline and trails) one state per track per half
 * second of the scene — coalesced into few WebSocket messages — instead of one per half second of wall time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAirFrames, encodeMessage, RemoteIdExtractor, type SingleMessageInput } from '@odid/codec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SceneBatcher, UpdateBatcher } from '../src/outputs/web/batcher.js';
import type { ServerMessage } from '../src/outputs/web/protocol.js';
import { WebMapServer } from '../src/outputs/web/server.js';
import { Tracker } from '../src/tracker/tracker.js';
import { Store } from '../web/store.js';

let assets: string;
const servers: WebMapServer[] = [];
beforeAll(() => {
  assets = mkdtempSync(path.join(tmpdir(), 'odid-web-batcher-'));
  writeFileSync(path.join(assets, 'index.html'), '<!doctype html><title>map</title>');
});
afterAll(() => rmSync(assets, { recursive: true, force: true }));
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const T0 = 1_750_000_000_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function location(lat: number): SingleMessageInput {
  return {
    type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: lat, longitude: 8.5, altitudeBaro: 100,
    altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 2, timestamp: 100,
  };
}

/**
 * A replay's frames into the server as rid-scan feeds it: the frame's time first (`frameTime`, before the
 * tracker takes the frame), then the track updates. One drone beacons every 100 ms of the scene.
 */
function replayer(tracker: Tracker, server: WebMapServer): (ms: number) => void {
  const extractor = new RemoteIdExtractor();
  let counter = 0;
  return (ms) => {
    const lat = 47 + ms / 1e7;
    const payload = encodeMessage({ type: 'messagePack', messages: [{ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F0123456789A' }, location(lat)] });
    for (const f of buildAirFrames({ transport: 'wifi-beacon', address: '02:00:00:00:00:01', counter: counter++ & 0xff, payload })) {
      server.frameTime(T0 + ms);
      for (const m of extractor.fromRecord(f.linkType, f.data, { t: (T0 + ms) / 1000 })) {
        const u = tracker.ingest(m, T0 + ms);
        if (u) server.write(u);
      }
    }
  };
}

async function replayServer(tracker: Tracker): Promise<{ server: WebMapServer; url: URL }> {
  const server = new WebMapServer({
    host: '127.0.0.1', port: 0, assetsDir: assets, mode: 'replay', source: 'test replay',
    tracks: () => tracker.tracks(), track: (key) => tracker.get(key), now: () => tracker.now,
  });
  servers.push(server);
  return { server, url: await server.start() };
}

/** A page's store fed from the socket, and every message as received. */
async function page(url: URL): Promise<{ ws: WebSocket; store: Store; messages: ServerMessage[] }> {
  const store = new Store();
  const messages: ServerMessage[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${url.port}/ws`);
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as ServerMessage;
    messages.push(m);
    store.apply(m);
  });
  await new Promise((r) => ws.once('open', r));
  const end = Date.now() + 3000;
  while (!messages.some((m) => m.type === 'snapshot') && Date.now() < end) await sleep(10);
  return { ws, store, messages };
}

/** The distinct positions (their reception times, s) the page's timeline holds for a track, sampled every 50 ms of the scene. */
function timelinePositions(store: Store, key: string, from: number, to: number): number[] {
  const seen = new Set<number>();
  for (let i = 0; from + i * 0.05 <= to + 1e-3; i++) {
    const p = store.timeline.stateAt(from + i * 0.05).get(key)?.position;
    if (p) seen.add(p.t);
  }
  return [...seen].sort((a, b) => a - b);
}

/** A moment as the test's sink captures it: each key with the "state" it had then (the time of its last change). */
interface Moment {
  at: number;
  states: Record<string, number>;
  removed: string[];
}

/**
 * A scene batcher over a stand-in tracker: `state` holds, per key, the time of its latest change (what a
 * track's JSON would show), `frame(at, ...keys)` is a replay's frame changing those keys, told first to
 * the batcher as rid-scan does. The wall clock is the test's.
 */
function scene(opts: { advance?: boolean } = {}) {
  const state = new Map<string, number>();
  const sends: Moment[][] = [];
  let wall = 0;
  const batcher = new SceneBatcher<Moment>(
    {
      capture: (keys, removed, at) => ({ at, states: Object.fromEntries(keys.map((k) => [k, state.get(k)!])), removed: [...removed] }),
      send: (steps) => sends.push(steps),
    },
    { wallNow: () => wall },
  );
  return {
    batcher,
    sends,
    frame(at: number, ...keys: string[]): void {
      if (opts.advance !== false) batcher.advance(at);
      for (const k of keys) {
        state.set(k, at);
        batcher.changed(k, at);
      }
    },
    /** The wall clock moves on, and the batcher's timer fires. */
    tick(ms = 50): number {
      wall += ms;
      return batcher.flushDue();
    },
    moments: (): Moment[] => sends.flat(),
  };
}

describe('the scene batcher (a replay, on the frames\' clock)', () => {
  it('sends a track at most once per 0.5 s of the scene, each state as it was at its moment, all in one message however much scene time passed', () => {
    const s = scene();
    // 3 s of the scene at 10 changes a second, all within one flush of wall time: a very fast replay.
    for (let at = 0; at <= 3000; at += 100) s.frame(at, 'a');
    s.tick();
    expect(s.sends).toHaveLength(1);
    const moments = s.moments();
    expect(moments.map((m) => m.at)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000]);
    // The state sent at each moment is the track's at that moment, not a later one.
    for (const m of moments) expect(m.states.a).toBe(m.at);
  });

  it('sends the first change of a quiet track at its own time, coalesces the rest, and loses none', () => {
    const s = scene();
    s.frame(1000, 'a');
    s.frame(1100, 'a');
    s.frame(1200, 'b');
    s.frame(1300, 'a');
    s.frame(4000, 'b');
    s.tick();
    // a: 1000, then its latest change (1300) once its interval passed (1500); b: 1200 then 4000.
    expect(s.moments().map((m) => [m.at, m.states])).toEqual([
      [1000, { a: 1000 }],
      [1200, { b: 1200 }],
      [1500, { a: 1300 }],
      [4000, { b: 4000 }],
    ]);
  });

  it('puts tracks due at the same moment in one step, and a removal at its own time', () => {
    const s = scene();
    s.frame(0, 'a', 'b');
    s.frame(200, 'a', 'b');
    s.batcher.advance(300);
    s.batcher.gone('b', 300);
    s.frame(700, 'a');
    s.tick();
    expect(s.moments().map((m) => [m.at, Object.keys(m.states), m.removed])).toEqual([
      [0, ['a', 'b'], []],
      [300, [], ['b']],
      [500, ['a'], []],
    ]);
  });

  it('keeps the latest change for when its interval has passed, or the replay stands still', () => {
    const s = scene();
    s.frame(0, 'a');
    s.frame(100, 'a');
    // The frames' clock has not reached 500: a's change at 100 waits for it...
    expect(s.tick()).toBe(1);
    expect(s.tick(100)).toBe(0);
    // ...until the clock passes 500 (a frame of another drone)...
    s.frame(600, 'b');
    expect(s.tick()).toBe(2);
    expect(s.moments().map((m) => [m.at, m.states])).toEqual([
      [0, { a: 0 }],
      [500, { a: 100 }],
      [600, { b: 600 }],
    ]);
    // ...or the replay has ended (nothing for half a second of wall time): the change goes at the clock's time.
    s.frame(700, 'a');
    expect(s.tick(100)).toBe(0);
    expect(s.tick(400)).toBe(1);
    expect(s.moments().at(-1)).toEqual({ at: 700, states: { a: 700 }, removed: [] });
  });

  it('without the frame hook, never sends a state earlier than a change it holds', () => {
    const s = scene({ advance: false });
    for (let at = 0; at <= 2000; at += 100) s.frame(at, 'a');
    s.tick();
    const moments = s.moments();
    for (const m of moments) expect(m.states.a).toBe(m.at);
    for (let i = 1; i < moments.length; i++) expect(moments[i]!.at - moments[i - 1]!.at).toBeGreaterThanOrEqual(500);
    // A little coarser than with the hook (each state is caught one change late), but still the scene's time.
    expect(moments.length).toBeGreaterThanOrEqual(3);
    s.tick(500);
    expect(s.moments().at(-1)).toEqual({ at: 2000, states: { a: 2000 }, removed: [] });
  });

  it('treats a frame out of time order as now: the moments never go back', () => {
    const s = scene();
    s.frame(1000, 'a');
    s.frame(900, 'b');
    s.tick(1000);
    expect(s.moments().map((m) => m.at)).toEqual([1000]);
    expect(s.moments()[0]!.states).toEqual({ a: 1000, b: 900 });
  });
});

describe('the live batcher (wall clock)', () => {
  it('sends at most once per 0.5 s of wall time, the latest state each time', () => {
    let wall = 0;
    const sent: string[][] = [];
    const b = new UpdateBatcher((keys) => sent.push(keys), { now: () => wall });
    b.changed('a');
    expect(b.flushDue()).toBe(1);
    // However much scene time these changes span (a replay's frames), they wait for the wall clock.
    for (let i = 0; i < 9; i++) {
      wall += 50;
      b.changed('a');
      expect(b.flushDue()).toBe(0);
    }
    wall = 500;
    expect(b.flushDue()).toBe(1);
    expect(sent).toEqual([['a'], ['a']]);
  });

  it('sends a moving track with a fresh position: waiting for the next one rather than sending one almost half a second old', () => {
    let wall = 0;
    const sent: { at: number; keys: string[] }[] = [];
    const b = new UpdateBatcher((keys) => sent.push({ at: wall, keys }), { now: () => wall });
    // A drone sending its position every 480 ms, and other messages every 100 ms; the batcher looks every 50 ms.
    const positions: number[] = [];
    // The tracker's position: a new object for each fix.
    let position = { t: -1 };
    for (wall = 0; wall <= 5000; wall += 10) {
      if (wall % 480 === 30) {
        positions.push(wall);
        position = { t: wall };
        b.changed('a', wall, position);
      } else if (wall % 100 === 0) b.changed('a', wall, position);
      if (wall % 50 === 0) b.flushDue();
    }
    const sends = sent.filter((s) => s.keys.includes('a')).map((s) => s.at);
    expect(sends.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < sends.length; i++) expect(sends[i]! - sends[i - 1]!).toBeGreaterThanOrEqual(500);
    // Each send after the first carries a position at most 150 ms (fresh) + one look (50 ms) old.
    for (const at of sends.slice(1)) {
      const latest = Math.max(...positions.filter((p) => p <= at));
      expect(at - latest, `send at ${at}`).toBeLessThanOrEqual(200);
    }
  });

  it('sends the last position of a drone that falls silent once the next one is overdue, not an interval later', () => {
    let wall = 0;
    const sent: { at: number; keys: string[] }[] = [];
    const b = new UpdateBatcher((keys) => sent.push({ at: wall, keys }), { now: () => wall });
    // Two positions a second, each sent fresh; then a last one just after a send (not fresh at the next), and nothing.
    for (wall = 0; wall <= 3000; wall += 10) {
      if ((wall % 500 === 10 && wall <= 1010) || wall === 1060) b.changed('a', wall, { t: wall });
      if (wall % 50 === 0) b.flushDue();
    }
    const sends = sent.map((s) => s.at);
    expect(sends).toEqual([50, 550, 1050, sends.at(-1)]);
    // The last goes ~0.65 s after its reception (an interval and the freshness: the next should have come by
    // then), where waiting out a second interval took ~1 s.
    expect(sends.at(-1)! - 1060).toBeGreaterThanOrEqual(650);
    expect(sends.at(-1)! - 1060).toBeLessThanOrEqual(700);
    // Still at most two a second.
    for (let i = 1; i < sends.length; i++) expect(sends[i]! - sends[i - 1]!).toBeGreaterThanOrEqual(500);
  });

  it('sends a change without a new position once the track has waited an interval more, an urgent one at once', () => {
    let wall = 0;
    const sent: string[][] = [];
    const b = new UpdateBatcher((keys) => sent.push(keys), { now: () => wall });
    b.changed('a', 0, null);
    b.changed('u', 0, null);
    expect(b.flushDue()).toBe(2);
    wall = 100;
    b.changed('a', 100, null);
    b.changed('u', 100, null, true);
    wall = 500;
    expect(sent.length).toBe(1);
    b.flushDue();
    expect(sent.at(-1)).toEqual(['u']);
    wall = 950;
    b.flushDue();
    expect(sent.length).toBe(2);
    wall = 1000;
    b.flushDue();
    expect(sent.at(-1)).toEqual(['a']);
  });

  it('looks at a watched track itself: changes made in place, never told, go out as told ones would', () => {
    let wall = 0;
    const sent: { at: number; keys: string[] }[] = [];
    const b = new UpdateBatcher((keys) => sent.push({ at: wall, keys }), { now: () => wall });
    // As the tracker keeps a track: lastSeen moved by every message, a new position object for each fix.
    const track: { lastSeen: number; position?: { t: number } } = { lastSeen: 0, position: { t: 0 } };
    b.changed('a', 0, track.position);
    b.watch('a', track);
    const quiet = { lastSeen: 0 };
    b.changed('q', 0, null);
    b.watch('q', quiet);
    b.flushDue();
    expect(sent).toEqual([{ at: 0, keys: ['a', 'q'] }]);
    // Two fixes a second and a message every 100 ms, for 3 s, the batcher told nothing; 'q' is never heard again.
    for (wall = 10; wall <= 3000; wall += 10) {
      if (wall % 100 === 0) track.lastSeen = wall;
      if (wall % 500 === 380) track.position = { t: wall };
      if (wall % 100 === 50) b.flushDue();
    }
    const sends = sent.slice(1);
    expect(sends.every((x) => x.keys.length === 1 && x.keys[0] === 'a')).toBe(true);
    // Every half second, each with a fix received within the last 150 ms: moved at its reception, not at the
    // look that found it (the fix of 380 ms, found at 450, is 170 ms old when the interval has passed at 550:
    // the next one, fresh, goes instead; taken as moved at 450 it would have gone at 550, stale).
    expect(sends.map((x) => x.at)).toEqual([950, 1450, 1950, 2450, 2950]);
    // Fallen silent: its last state goes, nothing more after it.
    wall = 4000;
    b.flushDue();
    expect(sent.at(-1)).toEqual({ at: 4000, keys: ['a'] });
    wall = 6000;
    expect(b.flushDue()).toBe(0);
  });

  /**
   * When a watched track is sent, looked for every 50 ms for 2 s, given fixes at 0 and at `fixes` (ms): as
   * the tracker keeps a track, a new position object for each fix and their times in its history.
   */
  function sendsOfFixes(fixes: number[]): number[] {
    let wall = 0;
    const sent: number[] = [];
    const b = new UpdateBatcher(() => sent.push(wall), { now: () => wall });
    const times: number[] = [];
    const track = {
      lastSeen: -Infinity,
      position: undefined as { t: number } | undefined,
      history: { get length() { return times.length; }, timeAt: (i: number) => times.at(i) },
    };
    const fix = (t: number): void => {
      times.push(t);
      track.position = { t };
      track.lastSeen = t;
    };
    fix(0);
    b.changed('a', 0, track.position);
    b.watch('a', track);
    for (wall = 0; wall <= 2000; wall += 10) {
      if (fixes.includes(wall)) fix(wall);
      if (wall % 50 === 0) b.flushDue();
    }
    return sent;
  }

  it("sends a watched drone's last position once its own next one is overdue: sooner for a drone that sends faster", () => {
    // Five fixes a second, then silence. Its last fix (330) was 170 ms old when its interval had passed
    // (500): not fresh, so it waited for a fresher one — until its longest gap (200 ms) and the slack (50 ms)
    // had passed with none, and went at the next look (600), where the fixed lateness (0.65 s) would have
    // kept it until 1000.
    expect(sendsOfFixes([130, 330])).toEqual([0, 600]);
  });

  it("takes a drone's pace from its longest recent gap: a position's copies over two transports are not a fast drone", () => {
    // Every 300 ms, each fix heard twice 20 ms apart (BLE, then Wi-Fi, each with its own reception time):
    // overdue 300 - 20 + 50 = 330 ms after the last (320), at 650, not at 500 (20 + 50 ms after it).
    expect(sendsOfFixes([20, 300, 320])).toEqual([0, 650]);
  });

  it('does not read a watched track it sent less than an interval ago: it cannot be due', () => {
    let wall = 0;
    const b = new UpdateBatcher(() => undefined, { now: () => wall });
    let reads = 0;
    const tracks = Array.from({ length: 100 }, (_, i) => {
      let lastSeen = 0;
      return {
        key: `t${i}`,
        get lastSeen() {
          reads++;
          return lastSeen;
        },
        set lastSeen(v: number) {
          lastSeen = v;
        },
      };
    });
    for (const t of tracks) {
      b.changed(t.key, 0, null);
      b.watch(t.key, t);
    }
    expect(b.flushDue()).toBe(100);
    // Heard every 100 ms; looked for every 100 ms: only the looks from an interval after the send read them.
    reads = 0;
    for (wall = 100; wall <= 400; wall += 100) {
      for (const t of tracks) t.lastSeen = wall;
      b.flushDue();
    }
    expect(reads).toBe(0);
    // From the interval on they are read (heard, with no new position: they go an interval later still).
    wall = 500;
    for (const t of tracks) t.lastSeen = wall;
    expect(b.flushDue()).toBe(0);
    expect(reads).toBeGreaterThanOrEqual(100);
    wall = 1000;
    expect(b.flushDue()).toBe(100);
  });

  it('shares statesPerSecond among the tracks sent lately: a crowd goes less often each, looked at less often, with fresh positions, and the rest speed up again once it falls silent', () => {
    let wall = 0;
    const sent: { at: number; keys: string[] }[] = [];
    const b = new UpdateBatcher((keys) => sent.push({ at: wall, keys }), { now: () => wall, statesPerSecond: 100 });
    // 200 drones, each a fix every 250 ms at its own phase; the first 20 go on for 30 s, the rest stop a
    // little after 8 s (8.25 s and their phase).
    const tracks = Array.from({ length: 200 }, (_, i) => ({ key: `d${i}`, phase: (i * 10) % 250, lastSeen: -Infinity, position: undefined as { t: number } | undefined }));
    const fixes = new Map<string, number[]>();
    for (wall = 0; wall <= 30_000; wall += 10) {
      for (const [i, t] of tracks.entries()) {
        if ((wall - t.phase) % 250 !== 0 || (i >= 20 && wall > 8250 + t.phase)) continue;
        t.position = { t: wall };
        t.lastSeen = wall;
        // The first fix makes the track (told, then watched, as the server does); the rest are found by looking.
        if (!fixes.has(t.key)) {
          b.changed(t.key, wall, t.position);
          b.watch(t.key, t);
        }
        fixes.set(t.key, [...(fixes.get(t.key) ?? []), wall]);
      }
      if (wall % 50 === 0) b.flushDue();
    }
    const sendsOf = (key: string): number[] => sent.filter((s) => s.keys.includes(key)).map((s) => s.at);
    // Looked at every 100 ms rather than every 50 (a crowd spaces the looks, at most twice as far apart).
    const batches = sent.filter((s) => s.at >= 1000 && s.at < 8000).map((s) => s.at);
    for (let i = 1; i < batches.length; i++) expect(batches[i]! - batches[i - 1]!).toBeGreaterThanOrEqual(100);
    // 200 tracks at 100 a second: each every 2 s at most, so ~100 states a second in all, not 400.
    const inWindow = sent.filter((s) => s.at >= 2000 && s.at < 8000).reduce((n, s) => n + s.keys.length, 0);
    expect(inWindow / 6).toBeLessThanOrEqual(100);
    expect(inWindow / 6).toBeGreaterThanOrEqual(80);
    for (const t of tracks) {
      const sends = sendsOf(t.key).filter((at) => at < 8000);
      for (let i = 1; i < sends.length; i++) expect(sends[i]! - sends[i - 1]!, t.key).toBeGreaterThanOrEqual(2000);
      // Each with a fix at most 150 ms (fresh) and one look old.
      for (const at of sends.slice(1)) expect(at - Math.max(...fixes.get(t.key)!.filter((f) => f <= at)), `${t.key} at ${at}`).toBeLessThanOrEqual(200);
    }
    // A drone fallen silent has its last fix sent once the next is overdue (lateMs, 650 ms: these tracks have
    // no history to pace them) as soon as half a second has passed since its last send, not when the crowd's
    // two seconds have.
    const waits = tracks.slice(20).map((t) => sendsOf(t.key).at(-1)! - fixes.get(t.key)!.at(-1)!);
    // (Looks twice as far apart with a crowd: 100 ms.) Some went fresh, at a look just after their last fix.
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(750);
    expect(waits.filter((w) => w >= 650).length).toBeGreaterThan(100);
    // Once the 180 silent ones have not been sent for ACTIVE_MS (10 s) the 20 left are 20 states a
    // second at two a second each, well within 100: back to every half second.
    const late = sendsOf('d0').filter((at) => at >= 24_000);
    expect(late.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < late.length; i++) expect(late[i]! - late[i - 1]!).toBeLessThan(700);
  });

  it('sends a position received just before a send but taken just after it (its frame queued) as a position not sent', () => {
    let wall = 0;
    const sent: number[] = [];
    const track = { lastSeen: 0, position: { t: 0 } };
    // One track at one state a second: an interval of 1 s.
    const b = new UpdateBatcher(
      () => {
        sent.push(wall);
        // The second send: a fix received 5 ms before it, taken by the tracker just after it; then silence.
        if (sent.length === 2) track.position = { t: (track.lastSeen = wall - 5) };
      },
      { now: () => wall, statesPerSecond: 1 },
    );
    b.changed('a', 0, track.position);
    b.watch('a', track);
    for (wall = 0; wall <= 3000; wall += 10) {
      if (wall === 980) track.position = { t: (track.lastSeen = 980) };
      if (wall % 50 === 0) b.flushDue();
    }
    expect(sent).toHaveLength(3);
    // Overdue (lateMs, 650 ms) after its reception, found at one of the next looks; not left until the
    // interval and the longest wait for a fresh one had passed (1.5 s), as a position older than the send was.
    const late = sent[2]! - (sent[1]! - 5);
    expect(late).toBeGreaterThanOrEqual(650);
    expect(late).toBeLessThanOrEqual(750);
  });

  it("takes a watched position's reception as its move only when it is on the batcher's clock", () => {
    let wall = 1_000_000;
    const sent: number[] = [];
    const b = new UpdateBatcher(() => sent.push(wall), { now: () => wall });
    const track: { lastSeen: number; position?: { t: number } } = { lastSeen: wall, position: { t: wall } };
    b.changed('a', wall, track.position);
    b.watch('a', track);
    b.flushDue();
    // A source whose clock runs an hour behind: its positions are moves at the look, not an hour-old news
    // that would wait for a fresher one.
    wall += 600;
    track.lastSeen = wall - 3_600_000;
    track.position = { t: wall - 3_600_000 };
    b.flushDue();
    expect(sent).toEqual([1_000_000, 1_000_600]);
  });
});

describe('the map server in a replay', () => {
  it('gives the page one state per track per half second of the scene however fast the replay runs, in few messages', async () => {
    const tracker = new Tracker();
    const { server, url } = await replayServer(tracker);
    const frame = replayer(tracker, server);
    frame(0);
    const { ws, store, messages } = await page(url);

    // 60 s of the scene (a beacon every 100 ms) in well under a second of wall time: over 100 times real speed.
    const started = Date.now();
    for (let ms = 100; ms <= 60_000; ms += 100) {
      frame(ms);
      if (ms % 2_000 === 0) await sleep(5);
    }
    const playedMs = Date.now() - started;
    expect(playedMs).toBeLessThan(600);
    // The replay has ended: the last change reaches the page once the frames' clock has stood still a while.
    await sleep(800);
    const key = tracker.tracks()[0]!.key;

    const times = timelinePositions(store, key, T0 / 1000, T0 / 1000 + 60);
    // One position per 0.5 s of the scene (120 over 60 s), and the very last one.
    expect(times.length).toBeGreaterThanOrEqual(118);
    expect(times.length).toBeLessThanOrEqual(122);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `after ${times[i - 1]}`).toBeCloseTo(0.5, 3);
    expect(times.at(-1)).toBeCloseTo(T0 / 1000 + 60, 3);
    expect(store.tracks.get(key)!.position!.t).toBeCloseTo(T0 / 1000 + 60, 3);
    // The slider covers it all, and each moment shows the drone where the scene had it then.
    expect(store.timeline.end).toBeCloseTo(T0 / 1000 + 60, 3);
    const at30 = store.timeline.stateAt(T0 / 1000 + 30.2).get(key)!;
    expect(at30.position!.t).toBeCloseTo(T0 / 1000 + 30, 3);
    expect(at30.position!.lat).toBeCloseTo(47 + 30_000 / 1e7, 7);
    // The trail too: every one of those positions.
    expect(store.trail(key).filter((p) => p.t > T0 / 1000).length).toBeGreaterThanOrEqual(118);

    // Not flooded: the 120 states came in a handful of messages (one per 50 ms flush at most).
    const carriers = messages.filter((m) => m.type === 'tracks' || m.type === 'steps');
    expect(carriers.length).toBeLessThanOrEqual(Math.ceil((playedMs + 800) / 50) + 2);
    expect(carriers.length).toBeLessThan(60);
    ws.close();
  });
});
