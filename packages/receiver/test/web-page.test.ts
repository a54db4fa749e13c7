/**
 * The map page's logic that needs no browser (packages/receiver/web): the page's store and trails, the replay
 * timeline, track status and heading, field texts, and a capture decoded as the page decodes a dropped file.
 * The page itself, in Chromium, is tested in test/web/.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SceneStep, ServerMessage, TrackSummary, WebAlert } from '../src/outputs/web/protocol.js';
import { ReplayHistory } from '../src/outputs/web/replay-history.js';
import type { TrackJson } from '../src/tracker/track-json.js';
import { decodeCapture, flatten } from '../web/capture-decode.js';
import { air, fieldText } from '../web/format.js';
import { filterTracks, headingOf, sortTracks, statusOf } from '../web/model.js';
import { ALERT_LIMIT, Store, TRAIL_LIMIT } from '../web/store.js';
import { Timeline } from '../web/timeline-model.js';
import { fixturePath } from '../../../test/support/fixtures.js';
import { runCli } from '../../../test/support/run-cli.js';

/** A track's summary, as the receiver sends them. */
function track(key: string, over: Partial<TrackSummary> = {}): TrackSummary {
  return {
    key, uasId: `ID-${key}`, otherIds: [], addresses: [], operatorId: null, selfId: null, messages: 1, firstSeen: 0, lastSeen: 0, state: 'active', flags: [],
    authorised: false, zones: [], operatorZones: [], position: null, operator: null, home: null,
    ...over,
  };
}
const at = (t: number, lat: number, lon = 7.5) => ({ t, lat, lon });
/** A snapshot's trail: flat [t, lat, lon] triples. */
const trail = (...points: { t: number; lat: number; lon: number }[]): number[] => points.flatMap((p) => [p.t, p.lat, p.lon]);
/** A batch of changes: whole tracks (new to the page), deltas, removals. */
const batch = (t: number, tracks: TrackSummary[], removed: string[] = [], changes: ({ key: string } & Partial<TrackSummary>)[] = []): ServerMessage => ({ type: 'tracks', t, tracks, changes, removed });
const alert = (id: number, key = 'a', kind: WebAlert['kind'] = 'flag'): WebAlert => ({ id, kind, key, uasId: null, t: id, text: 'x' });

describe('the page store', () => {
  it('starts over from each snapshot, applies new tracks, changes and removals, and reports what changed', () => {
    const s = new Store();
    s.apply({ type: 'snapshot', t: 10, tracks: [track('a'), track('b')], alerts: [] });
    expect([...s.tracks.keys()]).toEqual(['a', 'b']);
    expect(s.takeChanges()).toEqual(new Set(['a', 'b']));
    s.apply(batch(11, [track('c')], ['a'], [{ key: 'b', messages: 5, state: 'stale' }]));
    expect([...s.tracks.keys()]).toEqual(['b', 'c']);
    expect(s.takeChanges()).toEqual(new Set(['a', 'b', 'c']));
    // A delta changes only the fields it carries.
    expect(s.tracks.get('b')).toEqual(track('b', { messages: 5, state: 'stale' }));
    // A reconnection's snapshot: what it lacks is gone.
    s.apply({ type: 'snapshot', t: 12, tracks: [track('c')], alerts: [] });
    expect([...s.tracks.keys()]).toEqual(['c']);
    expect(s.takeChanges()).toEqual(new Set(['b', 'c']));
    expect(s.t).toBe(12);
  });

  it('asks for a snapshot when a change comes for a track it does not have (it missed something)', () => {
    const s = new Store();
    s.apply({ type: 'snapshot', t: 1, tracks: [track('a')], alerts: [] });
    s.apply(batch(2, [], [], [{ key: 'a', messages: 2 }]));
    expect(s.outOfStep).toBe(false);
    s.apply(batch(3, [], [], [{ key: 'zz', messages: 2 }]));
    expect(s.outOfStep).toBe(true);
    expect(s.tracks.has('zz')).toBe(false);
    s.apply({ type: 'snapshot', t: 4, tracks: [track('a'), track('zz')], alerts: [] });
    expect(s.outOfStep).toBe(false);
  });

  it('builds each trail from the positions received and the snapshot trail, in time order, bounded', () => {
    const s = new Store();
    s.apply({ type: 'snapshot', t: 3, tracks: [track('a', { position: at(3, 47.003), trail: trail(at(1, 47.001), at(2, 47.002), at(3, 47.003)) })], alerts: [] });
    expect(s.trail('a').map((p) => p.t)).toEqual([1, 2, 3]);
    expect(s.trail('a')[1]).toEqual(at(2, 47.002));
    // The trail is kept by the page, not in the track's summary.
    expect(s.tracks.get('a')!.trail).toBeUndefined();
    s.apply(batch(4, [], [], [{ key: 'a', position: at(4, 47.004) }]));
    s.apply(batch(4.5, [], [], [{ key: 'a', messages: 3 }])); // same position still
    expect(s.trail('a').map((p) => p.t)).toEqual([1, 2, 3, 4]);
    expect(s.trail('a', 2.5).map((p) => p.t)).toEqual([1, 2]);
    // A reconnection's snapshot brings a trail overlapping what the page has: merged, not doubled.
    s.apply({ type: 'snapshot', t: 6, tracks: [track('a', { position: at(6, 47.006), trail: trail(at(4, 47.004), at(5, 47.005), at(6, 47.006)) })], alerts: [] });
    expect(s.trail('a').map((p) => p.t)).toEqual([1, 2, 3, 4, 5, 6]);
    for (let i = 0; i < TRAIL_LIMIT + 50; i++) s.apply(batch(10 + i, [], [], [{ key: 'a', position: at(10 + i, 47) }]));
    expect(s.trail('a')).toHaveLength(TRAIL_LIMIT);
    expect(s.trail('a').at(-1)!.t).toBe(10 + TRAIL_LIMIT + 49);
  });

  it('holds the details of the track it asked for only, until it asks for another', () => {
    const s = new Store();
    const whole = { ...track('a'), idType: 1 } as unknown as TrackJson;
    s.apply({ type: 'snapshot', t: 1, tracks: [track('a'), track('b')], alerts: [] });
    s.takeChanges();
    // Not asked for: dropped.
    expect(s.apply({ type: 'details', key: 'a', t: 1, track: whole })).toBe('ignored');
    s.want('a');
    expect(s.apply({ type: 'details', key: 'a', t: 2, track: whole })).toBe('details');
    expect(s.details('a')?.track).toBe(whole);
    expect(s.takeChanges()).toEqual(new Set(['a']));
    // Details of the one asked for before, arriving late, are dropped too.
    s.want('b');
    expect(s.details('a')).toBeUndefined();
    expect(s.apply({ type: 'details', key: 'a', t: 3, track: whole })).toBe('ignored');
    s.apply({ type: 'details', key: 'b', t: 3, track: null });
    expect(s.details('b')).toEqual({ key: 'b', t: 3, track: null });
  });

  it("keeps alerts once each, bounded; only live ones count as new; a snapshot brings the receiver's list", () => {
    const s = new Store();
    s.apply({ type: 'snapshot', t: 1, tracks: [], alerts: [alert(1), alert(2)] });
    expect(s.takeNewAlerts()).toEqual([]);
    s.apply({ type: 'alerts', alerts: [alert(3)] });
    s.apply({ type: 'alerts', alerts: [alert(3)] });
    expect(s.takeNewAlerts().map((a) => a.id)).toEqual([3]);
    s.apply({ type: 'alerts', alerts: Array.from({ length: ALERT_LIMIT + 16 }, (_, i) => alert(i + 4)) });
    expect(s.alerts).toHaveLength(ALERT_LIMIT);
    expect(s.alerts.at(-1)!.id).toBe(ALERT_LIMIT + 19);
    s.takeNewAlerts();
    // A receiver started again numbers its alerts from 1: its snapshot's list replaces the page's.
    s.apply({ type: 'snapshot', t: 2, tracks: [], alerts: [alert(1, 'z'), alert(2, 'z')] });
    expect(s.alerts.map((a) => [a.id, a.key])).toEqual([[1, 'z'], [2, 'z']]);
    s.apply({ type: 'alerts', alerts: [alert(3, 'z')] });
    expect(s.takeNewAlerts().map((a) => [a.id, a.key])).toEqual([[3, 'z']]);
  });

  it("starts trails over on a new connection, and a replay's timeline when time goes back", () => {
    const hello: ServerMessage = { type: 'hello', version: 2, mode: 'replay', source: 'x', receiver: null, zones: null, canSaveZones: false, basemap: false, exports: [] };
    const s = new Store();
    s.apply(hello);
    s.apply({ type: 'snapshot', t: 100, tracks: [track('trk-1', { position: at(100, 47.1) })], alerts: [] });
    s.apply(batch(101, [], [], [{ key: 'trk-1', position: at(101, 47.2) }]));
    expect(s.trail('trk-1')).toHaveLength(2);
    // The replay started again: the same key is another flight.
    s.apply(hello);
    s.apply({ type: 'snapshot', t: 5, tracks: [track('trk-1', { position: at(5, 46.9), trail: trail(at(4, 46.8), at(5, 46.9)) })], alerts: [] });
    expect(s.trail('trk-1').map((p) => p.t)).toEqual([4, 5]);
    expect(s.timeline.start).toBe(5);
    expect(s.t).toBe(5);
  });

  it("keeps a timeline only in a replay, each moment's summaries whole", () => {
    const hello = (mode: 'live' | 'replay'): ServerMessage => ({ type: 'hello', version: 2, mode, source: 'x', receiver: null, zones: null, canSaveZones: false, basemap: false, exports: [] });
    const live = new Store();
    live.apply(hello('live'));
    live.apply(batch(1, [track('a')]));
    expect(live.timeline.size).toBe(0);
    const replay = new Store();
    replay.apply(hello('replay'));
    replay.apply(batch(1, [track('a', { position: at(1, 47) })]));
    replay.apply({ type: 'steps', steps: [{ t: 2, tracks: [], changes: [{ key: 'a', position: at(2, 47.1), messages: 2 }], removed: [] }, { t: 3, tracks: [], changes: [{ key: 'a', messages: 3 }], removed: [] }] });
    expect(replay.timeline.size).toBeGreaterThan(0);
    // Each moment as it was: a change builds a new summary, the ones before stay as they were.
    expect(replay.timeline.stateAt(1).get('a')).toEqual(track('a', { position: at(1, 47) }));
    expect(replay.timeline.stateAt(2.5).get('a')).toEqual(track('a', { position: at(2, 47.1), messages: 2 }));
    expect(replay.timeline.stateAt(3).get('a')).toEqual(track('a', { position: at(2, 47.1), messages: 3 }));
  });
});

describe("a replay's past, for a page opened late", () => {
  const hello: ServerMessage = { type: 'hello', version: 2, mode: 'replay', source: 'x', receiver: null, zones: null, canSaveZones: false, basemap: false, exports: [] };
  /** A scene: track a moves north every second, b appears at 3 s and goes at 6 s. */
  const steps = (n: number): SceneStep[] =>
    Array.from({ length: n }, (_, i) => ({
      t: i,
      tracks: i === 0 ? [track('a', { position: at(0, 47), lastSeen: 0 })] : i === 3 ? [track('b', { position: at(3, 46) })] : [],
      changes: i > 0 ? [{ key: 'a', position: at(i, 47 + i / 100), lastSeen: i }] : [],
      removed: i === 6 ? ['b'] : [],
    }));

  it('gives the page the timeline from the first moment, with trails, though it connected at the end', () => {
    const h = new ReplayHistory();
    for (const s of steps(10)) h.push(s);
    const page = new Store();
    page.apply(hello);
    expect(page.apply(h.message())).toBe('history');
    page.apply({ type: 'snapshot', t: 9, tracks: [track('a', { position: at(9, 47.09), lastSeen: 9 })], alerts: [] });
    expect(page.timeline.start).toBe(0);
    expect(page.timeline.end).toBe(9);
    expect(page.timeline.stateAt(4).get('a')!.position).toEqual(at(4, 47.04));
    expect([...page.timeline.stateAt(4).keys()].sort()).toEqual(['a', 'b']);
    expect([...page.timeline.stateAt(7).keys()]).toEqual(['a']);
    expect(page.trail('a').map((p) => p.t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A track gone before the page connected leaves no trail behind.
    expect(page.trail('b')).toEqual([]);
  });

  it('stays bounded: the oldest moments fold into the starting state, which the page starts from', () => {
    const h = new ReplayHistory(20);
    for (const s of steps(40)) h.push(s);
    expect(h.size).toBeLessThanOrEqual(20);
    const msg = h.message();
    if (msg.type !== 'history') throw new Error('not history');
    expect(msg.t).toBeGreaterThan(25);
    expect(msg.base.map((s) => s.key)).toEqual(['a']);
    // The folded state is the scene at its time: every change up to then applied.
    expect(msg.base[0]!.lastSeen).toBe(msg.t);
    const page = new Store();
    page.apply(hello);
    page.apply(msg);
    expect(page.timeline.start).toBe(msg.t);
    expect(page.timeline.stateAt(39).get('a')!.lastSeen).toBe(39);
  });
});

describe('the replay timeline', () => {
  /** What the state at time t must be: every update up to t applied, from nothing. */
  function naive(frames: { t: number; tracks: TrackSummary[]; removed: string[]; full: boolean }[], t: number): Map<string, TrackSummary> {
    const m = new Map<string, TrackSummary>();
    for (const f of frames) {
      if (f.t > t) break;
      if (f.full) m.clear();
      for (const k of f.removed) m.delete(k);
      for (const x of f.tracks) m.set(x.key, x);
    }
    return m;
  }

  it('gives the scene at any time received, through keyframes, the same as replaying every update', () => {
    const tl = new Timeline<TrackSummary>(1_000_000, 7);
    const frames: { t: number; tracks: TrackSummary[]; removed: string[]; full: boolean }[] = [];
    for (let i = 0; i < 300; i++) {
      const f = { t: i / 2, tracks: [track(`k${i % 5}`, { lastSeen: i }), ...(i % 11 === 0 ? [track(`x${i}`)] : [])], removed: i % 13 === 0 ? [`x${i - 11}`] : [], full: i === 100 };
      frames.push(f);
      tl.push(f.t, f.tracks, f.removed, f.full);
    }
    expect(tl.start).toBe(0);
    expect(tl.end).toBe(149.5);
    for (const t of [-1, 0, 0.2, 10, 49.5, 50, 50.25, 77, 149.5, 200]) {
      const got = tl.stateAt(t);
      const want = naive(frames, t);
      expect([...got.keys()].sort(), `t=${t}`).toEqual([...want.keys()].sort());
      for (const [k, v] of want) expect(got.get(k), `t=${t} ${k}`).toBe(v);
    }
  });

  it('stays bounded: the oldest updates fold into the starting state and the slider starts later', () => {
    const tl = new Timeline<TrackSummary>(500, 50);
    for (let i = 0; i < 1000; i++) tl.push(i, [track(`k${i % 3}`, { lastSeen: i })], [], false);
    expect(tl.size).toBeLessThanOrEqual(500);
    expect(tl.start).toBeGreaterThan(400);
    expect(tl.end).toBe(999);
    // Before the start: the folded state (each track as of then), never nothing.
    expect(tl.stateAt(0).size).toBe(3);
    expect(tl.stateAt(999).get('k0')!.lastSeen).toBe(999);
    expect(tl.stateAt(998.5).get('k2')!.lastSeen).toBe(998);
  });

  it('never goes back in time: a late batch counts as the latest moment', () => {
    const tl = new Timeline<TrackSummary>();
    tl.push(10, [track('a', { lastSeen: 10 })], [], false);
    tl.push(9, [track('a', { lastSeen: 9 })], [], false);
    expect(tl.end).toBe(10);
    expect(tl.stateAt(10).get('a')!.lastSeen).toBe(9);
  });
});

describe('how a track is drawn', () => {
  it('is coloured by the worst that applies: emergency, any flag, authorised, unknown', () => {
    expect(statusOf(track('a', { flags: ['missing-system', 'emergency'] }))).toBe('emergency');
    expect(statusOf(track('a', { flags: ['malformed-operator-id'], authorised: true }))).toBe('flagged');
    expect(statusOf(track('a', { authorised: true }))).toBe('authorised');
    expect(statusOf(track('a', { authorised: false }))).toBe('unknown');
    expect(statusOf(track('a'))).toBe('unknown');
  });

  it('points along the Location direction, else the course over the last positions, else nowhere', () => {
    expect(headingOf(track('a', { direction: 90, position: { t: 0, lat: 1, lon: 1, course: 10 } }))).toBe(90);
    expect(headingOf(track('a', { direction: 361, position: { t: 0, lat: 1, lon: 1, course: 10 } }))).toBe(10);
    expect(headingOf(track('a', { direction: 400 }))).toBeUndefined();
    expect(headingOf(track('a'))).toBeUndefined();
  });

  it('filters by text and state, and sorts by distance, ID or last heard', () => {
    const ts = [
      track('a', { uasId: 'ZED', distance: 300, lastSeen: 5, operatorId: 'FIN87astrdge12k8' }),
      track('b', { uasId: 'ALPHA', distance: 100, lastSeen: 9, state: 'stale' }),
      track('c', { uasId: 'MIKE', lastSeen: 7, flags: ['emergency'] }),
    ];
    expect(sortTracks([...ts], 'distance').map((t) => t.key)).toEqual(['b', 'a', 'c']);
    expect(sortTracks([...ts], 'id').map((t) => t.key)).toEqual(['b', 'c', 'a']);
    expect(sortTracks([...ts], 'heard').map((t) => t.key)).toEqual(['b', 'c', 'a']);
    expect(filterTracks(ts, 'fin87', 'all').map((t) => t.key)).toEqual(['a']);
    expect(filterTracks(ts, '', 'stale').map((t) => t.key)).toEqual(['b']);
    expect(filterTracks(ts, '', 'emergency').map((t) => t.key)).toEqual(['c']);
    expect(filterTracks(ts, '', 'flagged').map((t) => t.key)).toEqual(['c']);
  });
});

describe('field texts', () => {
  it('shows text from the air with control characters visible, and never more than asked', () => {
    expect(air('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>'); // inserted as text by the page
    expect(air('A\u001b[2JB\u202eC')).toBe('A\\x1b[2JB\\u202eC');
    expect(air('x'.repeat(500), 40).length).toBeLessThanOrEqual(40);
    expect(air(null)).toBe('—');
    expect(air('')).toBe('(empty)');
  });

  it('gives units and meanings, and says which values mean unknown', () => {
    expect(fieldText('location', 'direction', 361)).toBe('361 (unknown)');
    expect(fieldText('location', 'speedHorizontal', 12.25)).toBe('12.25 m/s');
    expect(fieldText('location', 'altitudeGeo', -1000)).toBe('-1000 (unknown)');
    expect(fieldText('location', 'status', 3)).toBe('3 EMERGENCY');
    expect(fieldText('system', 'classEU', 3)).toBe('3 C2');
    expect(fieldText('basicId', 'uaType', 2)).toBe('2 helicopter or multirotor');
    expect(fieldText('dji', 'state', { motorsOn: true, inAir: false })).toBe('motorsOn=true, inAir=false');
  });
});

describe('a capture decoded in the page', () => {
  const file = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap');

  it('gives the very lines odid decode prints, and the tracks rid-scan --replay --fast makes', async () => {
    const got = await decodeCapture('odid_wifi_sample.pcap', new Uint8Array(readFileSync(file)));
    const decode = runCli('packages/cli/src/odid.ts', ['decode', file]);
    expect(decode.status).toBe(0);
    expect(got.lines).toEqual(decode.stdout.trim().split('\n'));
    expect(got.messageCount).toBe(got.lines.length);
    expect(got.format).toBe('pcap');

    const scan = runCli('packages/receiver/src/cli/rid-scan.ts', ['--replay', file, '--fast', '--once', '--json']);
    expect(scan.status).toBe(0);
    const want = JSON.parse(scan.stdout);
    expect(got.tracks.map(({ history: _h, ...t }) => t)).toEqual(want);
    expect(got.tracks[0]!.history!.length).toBeGreaterThan(1);
  });

  it('a compressed capture (gzip, zstd, lz4: the codec\'s own decoders, as in the browser) gives the same lines and tracks', async () => {
    const plain = await decodeCapture('odid_wifi_sample.pcap', new Uint8Array(readFileSync(file)));
    for (const [tool, args] of [['gzip', ['-c']], ['zstd', ['-q', '-c']], ['lz4', ['-q', '-c']]] as const) {
      const packed = spawnSync(tool, [...args], { input: readFileSync(file) });
      expect(packed.status, tool).toBe(0);
      const got = await decodeCapture('capture', new Uint8Array(packed.stdout));
      expect(got.compression).toBe(tool);
      expect(got.format).toBe('pcap');
      expect(got.lines).toEqual(plain.lines);
      expect(got.tracks).toEqual(plain.tracks);
    }
  });

  it('flattens every field of a message for the table, nested ones dotted', () => {
    expect(flatten({ type: 'djiFlightInfo', state: { inAir: true }, raw: { yaw: 5 }, warnings: [] })).toEqual([
      ['type', 'djiFlightInfo'],
      ['state.inAir', true],
      ['raw.yaw', 5],
      ['warnings', []],
    ]);
  });
});
