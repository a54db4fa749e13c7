/**
 * Alerts, raised by the tracker on the update that raises them: a new drone, an emergency, any other flag
 * (by a message or by time), the drone or its operator entering a zone — each once per raise or entry, again
 * after it cleared (past the quiet time) — and the outputs that carry them: JSONL lines, the table's markers
 * and alert line, CoT remarks.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LocationMessage } from '@odid/codec';
import { destinationPoint, type LatLon } from '@odid/position';
import { createCotOutput, trackToCot } from '../src/outputs/cot.js';
import { createJsonlOutput, trackUpdateToJson } from '../src/outputs/jsonl.js';
import { LiveTable, renderTable } from '../src/outputs/table.js';
import { Pipeline } from '../src/pipeline.js';
import { TRACK_FLAGS, Tracker, parseZones, type AllowEntry, type TrackAlert, type TrackerOptions, type TrackUpdate, type Zone } from '../src/tracker/index.js';
import {
  DEPOTS, EU_OPERATOR, HOME, IN_DEPOT_2, IN_HOLE, IN_STADIUM, OTHER_SERIAL, OUTSIDE, SERIAL, STADIUM, T0,
  air, basicId, collection, feed, location, operatorId, selfId, system,
} from './zone-fixtures.js';

const ZONES: Zone[] = parseZones(collection(STADIUM, DEPOTS), 'zones.geojson');
const MAC = '02:00:00:00:00:01';
/** Zone tests move a drone kilometres in a second: no spoofing flag for that. */
const FAST = { maxSpeedMps: 100_000 };

/** One Wi-Fi pack of the drone at `at` (operator at `operator`); returns the updates. */
function heard(tr: Tracker, t: number, at: LatLon, opts: { operator?: LatLon; loc?: Partial<LocationMessage>; mac?: string; serial?: string } = {}): TrackUpdate[] {
  return feed(tr, air('wifi-beacon', opts.mac ?? MAC, t, [basicId(opts.serial ?? SERIAL), location(t, at, opts.loc), system(opts.operator ?? OUTSIDE)]));
}
const alertsOf = (updates: readonly TrackUpdate[]): TrackAlert[] => updates.flatMap((u) => u.alerts ?? []);
const kinds = (updates: readonly TrackUpdate[]): string[] => alertsOf(updates).map((a) => `${a.kind}${a.flag ? `:${a.flag}` : ''}${a.zone ? `:${a.who}:${a.zone}` : ''}`);

describe("'new-drone'", () => {
  it('on the update that creates a track from a message with an ID, and never again', () => {
    const tr = new Tracker();
    const first = heard(tr, T0, OUTSIDE);
    expect(first[0]!.reason).toBe('created');
    expect(first[0]!.alerts).toEqual([{ kind: 'new-drone', text: 'new drone' }]);
    expect(alertsOf(first.slice(1))).toEqual([]);
    expect(kinds([...heard(tr, T0 + 1, OUTSIDE), ...tr.tick((T0 + 2) * 1000)])).toEqual([]);
  });

  it('a track made from an address alone waits for its ID: joining an aircraft already announced raises none', () => {
    const tr = new Tracker();
    const updates = [
      ...feed(tr, air('ble-legacy', 'c3:00:00:00:00:01', T0, [location(T0, OUTSIDE)])),
      ...heard(tr, T0 + 0.1, OUTSIDE),
      ...feed(tr, air('ble-legacy', 'c3:00:00:00:00:01', T0 + 0.5, [basicId(SERIAL)])),
      ...tr.tick((T0 + 10) * 1000),
    ];
    expect(updates.some((u) => u.merged?.length)).toBe(true);
    expect(kinds(updates).filter((k) => k === 'new-drone')).toEqual(['new-drone']);
    expect(updates.find((u) => u.alerts?.some((a) => a.kind === 'new-drone'))!.reason).toBe('created');
  });

  it('... is announced with its first ID when that ID is new', () => {
    const tr = new Tracker();
    const [created] = feed(tr, air('ble-legacy', 'c3:00:00:00:00:01', T0, [location(T0, OUTSIDE)]));
    expect(created!.reason).toBe('created');
    expect(created!.alerts).toBeUndefined();
    const [withId] = feed(tr, air('ble-legacy', 'c3:00:00:00:00:01', T0 + 0.5, [basicId(SERIAL)]));
    expect(withId!.reason).toBe('updated');
    expect(withId!.alerts).toEqual([{ kind: 'new-drone', text: 'new drone' }]);
  });

  it('... or by tick once it has been heard for missingAfterMs without one', () => {
    const tr = new Tracker();
    feed(tr, air('ble-legacy', 'c3:00:00:00:00:01', T0, [location(T0, OUTSIDE)]));
    expect(tr.tick((T0 + 3) * 1000)).toEqual([]);
    const later = tr.tick((T0 + 4) * 1000);
    expect(kinds(later)).toEqual(['new-drone', 'flag:missing-basic-id', 'flag:missing-system']);
    expect(kinds(tr.tick((T0 + 5) * 1000))).toEqual([]);
  });
});

describe("'emergency' and 'flag'", () => {
  it('emergency: once while it holds, again each time it is declared anew (never held back)', () => {
    const tr = new Tracker();
    heard(tr, T0, OUTSIDE);
    const raised = heard(tr, T0 + 1, OUTSIDE, { loc: { status: 3 } });
    expect(alertsOf(raised)).toEqual([{ kind: 'emergency', flag: 'emergency', text: 'emergency declared' }]);
    expect(kinds(heard(tr, T0 + 2, OUTSIDE, { loc: { status: 3 } }))).toEqual([]);
    expect(kinds(heard(tr, T0 + 3, OUTSIDE))).toEqual([]);
    expect(tr.get(SERIAL)!.flags).not.toContain('emergency');
    expect(kinds(heard(tr, T0 + 4, OUTSIDE, { loc: { status: 3 } }))).toEqual(['emergency:emergency']);
  });

  it('an emergency Self-ID raises it too', () => {
    const tr = new Tracker();
    heard(tr, T0, OUTSIDE);
    expect(kinds(feed(tr, air('wifi-beacon', MAC, T0 + 1, [selfId('motor out', 1)])))).toEqual(['emergency:emergency']);
  });

  it('a flag raised by time alone comes with the tick, once', () => {
    const tr = new Tracker();
    // Basic ID and Location only: the System message never comes.
    feed(tr, air('wifi-beacon', MAC, T0, [basicId(SERIAL), location(T0, OUTSIDE)]));
    const tick = tr.tick((T0 + 4) * 1000);
    expect(tick.map((u) => u.reason)).toEqual(['flags']);
    expect(tick[0]!.alerts).toEqual([{ kind: 'flag', flag: 'missing-system', text: TRACK_FLAGS['missing-system'] }]);
    expect(kinds(tr.tick((T0 + 5) * 1000))).toEqual([]);
    expect(kinds(feed(tr, air('wifi-beacon', MAC, T0 + 6, [basicId(SERIAL), location(T0 + 6, OUTSIDE)])))).toEqual([]);
  });

  it('spoofing-suspect says its evidence: one alert for the spoofing flags raised with it', () => {
    const tr = new Tracker();
    heard(tr, T0, OUTSIDE);
    const alerts = alertsOf(heard(tr, T0 + 1, destinationPoint(OUTSIDE, 90, 5000)));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'flag', flag: 'spoofing-suspect' });
    expect(alerts[0]!.text).toMatch(new RegExp(`^${TRACK_FLAGS['spoofing-suspect']}: impossible-motion: moved 5000 m in 1\\.0 s \\(5000 m/s; over 300 m/s\\)$`));
  });

  it('a flag that clears and comes back is raised again, once the quiet time has passed (or at once without one)', () => {
    // A Location stamped 3 s before it was received: stale-location.
    const stale = (t: number): Partial<LocationMessage> => ({ timestamp: Math.round(((t - 3) % 3600) * 10) / 10 });
    const run = (options: TrackerOptions): string[][] => {
      const tr = new Tracker(options);
      return [0, 1, 2, 3, 4, 40, 41].map((s, i) => kinds(heard(tr, T0 + s, OUTSIDE, i % 2 === 1 || s === 40 ? { loc: stale(T0 + s) } : {})));
    };
    // seconds:                 0       1 (raised)               2  3 (again: held back)  4  40 (again)             41
    expect(run({})).toEqual([['new-drone'], ['flag:stale-location'], [], [], [], ['flag:stale-location'], []]);
    expect(run({ alertQuietMs: 0 })).toEqual([['new-drone'], ['flag:stale-location'], [], ['flag:stale-location'], [], ['flag:stale-location'], []]);
    expect(() => new Tracker({ alertQuietMs: -1 })).toThrow(/alertQuietMs must be a number ≥ 0/);
  });
});

describe("'zone'", () => {
  it('the drone entering a zone: once while inside, none on leaving, again on a later entry', () => {
    const tr = new Tracker({ zones: ZONES, ...FAST });
    const out = heard(tr, T0, OUTSIDE);
    expect(out[0]!.track.zones).toEqual([]);
    const entered = heard(tr, T0 + 1, IN_STADIUM);
    expect(alertsOf(entered)).toEqual([{ kind: 'zone', zone: 'Stadium', who: 'drone', text: 'entered zone Stadium' }]);
    expect(entered[0]!.track.zones).toEqual(['Stadium']);
    expect(kinds(heard(tr, T0 + 2, destinationPoint(IN_STADIUM, 0, 20)))).toEqual([]);
    // The hole is not the zone.
    expect(kinds(heard(tr, T0 + 3, IN_HOLE))).toEqual([]);
    expect(tr.get(SERIAL)!.zones).toEqual([]);
    expect(kinds(heard(tr, T0 + 4, IN_STADIUM))).toEqual([]); // within the quiet time
    expect(kinds(heard(tr, T0 + 5, OUTSIDE))).toEqual([]);
    expect(kinds(heard(tr, T0 + 40, IN_STADIUM))).toEqual(['zone:drone:Stadium']);
    // Into both parts of a MultiPolygon zone in turn: one zone, one alert.
    expect(kinds(heard(tr, T0 + 41, { lat: 52.52, lon: 13.425 }))).toEqual(['zone:drone:Depots']);
    expect(kinds(heard(tr, T0 + 42, IN_DEPOT_2))).toEqual([]);
  });

  it('the operator separately: its own alert, its own list, by position alone', () => {
    const tr = new Tracker({ zones: ZONES, alertQuietMs: 0, ...FAST });
    heard(tr, T0, OUTSIDE);
    const op = heard(tr, T0 + 1, OUTSIDE, { operator: IN_DEPOT_2 });
    expect(alertsOf(op)).toEqual([{ kind: 'zone', zone: 'Depots', who: 'operator', text: 'operator entered zone Depots' }]);
    expect(op[0]!.track.zones).toEqual([]);
    expect(op[0]!.track.operatorZones).toEqual(['Depots']);
    // Operator in the stadium (whose ceiling does not apply to the operator) and the drone in the depots, at once.
    const both = heard(tr, T0 + 2, IN_DEPOT_2, { operator: IN_STADIUM });
    expect(kinds(both)).toEqual(['zone:drone:Depots', 'zone:operator:Stadium']);
  });

  it("floor and ceiling against the track's altitude: geodetic, else barometric; unknown is outside a banded zone", () => {
    const tr = new Tracker({ zones: ZONES, alertQuietMs: 0, ...FAST });
    const at = (s: number, loc: Partial<LocationMessage>): string[] => [...heard(tr, T0 + s, IN_STADIUM, { loc })[0]!.track.zones];
    expect(at(0, { altitudeGeo: 500, altitudeBaro: 100 })).toEqual([]);
    expect(at(1, { altitudeGeo: 300 })).toEqual(['Stadium']);
    expect(at(2, { altitudeGeo: -1000, altitudeBaro: 450 })).toEqual([]);
    expect(at(3, { altitudeGeo: -1000, altitudeBaro: 350 })).toEqual(['Stadium']);
    expect(at(4, { altitudeGeo: -1000, altitudeBaro: -1000 })).toEqual([]);
    // No band: altitude does not matter.
    expect(heard(tr, T0 + 5, IN_DEPOT_2, { loc: { altitudeGeo: -1000, altitudeBaro: -1000 } })[0]!.track.zones).toEqual(['Depots']);
  });

  it('zones are looked at only when a position moved, each zone by its bounding box first', () => {
    let reads = 0;
    const counted = ZONES.map((z) => {
      const c = { ...z };
      Object.defineProperty(c, 'bbox', { get: () => (reads++, z.bbox) });
      return c as Zone;
    });
    const tr = new Tracker({ zones: counted });
    heard(tr, T0, IN_STADIUM);
    const afterFirst = reads;
    // Drone and operator each checked against both zones.
    expect(afterFirst).toBe(4);
    for (let i = 1; i <= 20; i++) heard(tr, T0 + i * 0.1, IN_STADIUM);
    feed(tr, air('wifi-beacon', MAC, T0 + 3, [basicId(SERIAL), operatorId(EU_OPERATOR)]));
    tr.tick((T0 + 10) * 1000);
    expect(reads).toBe(afterFirst);
    heard(tr, T0 + 11, IN_DEPOT_2);
    expect(reads).toBe(afterFirst + 2);
  });

  it('setZones: every track looked at again; a zone drawn around a drone raises its alert (not for lost tracks); Pipeline hands them on', () => {
    const updates: TrackUpdate[] = [];
    const pipeline = new Pipeline({}, { update: (u) => updates.push(u) });
    const tr = pipeline.tracker;
    heard(tr, T0, IN_STADIUM);
    heard(tr, T0, IN_DEPOT_2, { mac: '02:00:00:00:00:02', serial: OTHER_SERIAL });
    tr.tick((T0 + 31) * 1000);
    heard(tr, T0 + 31, IN_STADIUM);
    expect(tr.get(OTHER_SERIAL)!.state).toBe('lost');
    updates.length = 0;
    pipeline.setZones(ZONES);
    expect(updates.map((u) => [u.reason, u.track.uasId, u.track.zones])).toEqual([
      ['flags', SERIAL, ['Stadium']],
      ['flags', OTHER_SERIAL, ['Depots']],
    ]);
    expect(kinds(updates)).toEqual(['zone:drone:Stadium']);
    expect(tr.zoneList).toHaveLength(2);
    // Nothing changed: nothing to say.
    expect(tr.setZones(ZONES)).toEqual([]);
    const cleared = tr.setZones([]);
    expect(cleared.map((u) => [u.track.uasId, u.track.zones, u.alerts])).toEqual([
      [SERIAL, [], undefined],
      [OTHER_SERIAL, [], undefined],
    ]);
  });

  it('an address track joining its aircraft brings no second alert for a zone both were in', () => {
    const tr = new Tracker({ zones: ZONES });
    const updates = [
      ...feed(tr, air('ble-legacy', 'c3:00:00:00:00:01', T0, [location(T0, IN_STADIUM)])),
      ...heard(tr, T0 + 0.1, IN_STADIUM),
      ...feed(tr, air('ble-legacy', 'c3:00:00:00:00:01', T0 + 0.5, [basicId(SERIAL)])),
      ...feed(tr, air('ble-legacy', 'c3:00:00:00:00:01', T0 + 0.6, [location(T0 + 0.6, IN_STADIUM)])),
    ];
    expect(updates.some((u) => u.merged?.length)).toBe(true);
    // One from the address track (an intruder is worth saying before its ID arrives), one from the ID track; none after the merge.
    expect(kinds(updates)).toEqual(['zone:drone:Stadium', 'new-drone', 'zone:drone:Stadium']);
    expect(tr.tracks()).toHaveLength(1);
  });
});

// ---- outputs ----

/** A scene: an intruder in the stadium (operator in the depots), an authorised drone in the stadium, one outside. */
function scene(options: { zones?: Zone[]; allowList?: AllowEntry[] } = { zones: ZONES, allowList: [{ uasId: OTHER_SERIAL, note: 'TV crew' }] }) {
  const tr = new Tracker({ receiverPosition: HOME, ...options });
  const updates: TrackUpdate[] = [];
  // Half a minute earlier: flying in at 60 m/s, no position jump.
  updates.push(...heard(tr, T0 - 30, OUTSIDE, { operator: OUTSIDE }));
  updates.push(...heard(tr, T0 + 1, IN_STADIUM, { operator: IN_DEPOT_2 }));
  updates.push(...heard(tr, T0 + 1, destinationPoint(IN_STADIUM, 90, 50), { mac: '02:00:00:00:00:02', serial: OTHER_SERIAL }));
  updates.push(...heard(tr, T0 + 1, destinationPoint(OUTSIDE, 0, 300), { mac: '02:00:00:00:00:03', serial: '1581F5FKD229H00417TX' }));
  return { tr, updates, intruder: tr.get(SERIAL)!, crew: tr.get(OTHER_SERIAL)!, nowMs: (T0 + 1) * 1000 };
}

describe('JSONL carries the alerts and the new fields', () => {
  it('trackUpdateToJson: alerts when there are, authorised/zones/operatorZones always', () => {
    const { updates } = scene();
    // The pack's Location puts the drone in the stadium, its System message the operator in the depots: two updates.
    const lines = updates.filter((u) => u.alerts?.some((a) => a.kind === 'zone')).map((u) => JSON.parse(trackUpdateToJson(u)) as Record<string, any>);
    expect(lines.slice(0, 2).map((l) => l.alerts)).toEqual([
      [{ kind: 'zone', zone: 'Stadium', who: 'drone', text: 'entered zone Stadium' }],
      [{ kind: 'zone', zone: 'Depots', who: 'operator', text: 'operator entered zone Depots' }],
    ]);
    expect(lines[1]!.track).toMatchObject({ uasId: SERIAL, authorised: false, zones: ['Stadium'], operatorZones: ['Depots'] });
    const quiet = updates.find((u) => !u.alerts)!;
    expect(JSON.parse(trackUpdateToJson(quiet))).not.toHaveProperty('alerts');
    const crew = JSON.parse(trackUpdateToJson(updates.filter((u) => u.track.uasId === OTHER_SERIAL).at(-1)!)) as Record<string, any>;
    expect(crew.track).toMatchObject({ uasId: OTHER_SERIAL, authorised: true, zones: ['Stadium'] });
  });

  it('a line with alerts is written even within minIntervalMs', async () => {
    const lines: string[] = [];
    const out = createJsonlOutput({ write: (l: string) => lines.push(l) }, { minIntervalMs: 10_000, messages: false });
    const tr = new Tracker({ zones: ZONES, ...FAST });
    for (const u of heard(tr, T0, OUTSIDE)) out.write(u);
    for (const u of heard(tr, T0 + 0.5, OUTSIDE)) out.write(u);
    for (const u of heard(tr, T0 + 1, IN_STADIUM)) out.write(u);
    await out.close();
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(parsed.map((l) => [l.update, l.alerts?.map((a: TrackAlert) => a.kind) ?? []])).toEqual([
      ['created', ['new-drone']],
      ['updated', ['zone']],
    ]);
  });
});

describe('the table shows authorisation, zones and the latest alerts', () => {
  // eslint-disable-next-line no-control-regex
  const visible = (l: string): string => l.replace(/\x1b\[[0-9;]*m/g, '');
  const rowOf = (text: string, id: string): string => visible(text.split('\n').find((l) => l.includes(id.slice(0, 10)))!);

  it('Z marks an intruder (drone or operator in a zone, not authorised), A an authorised track; FLAGS says where', () => {
    const { tr, nowMs } = scene();
    const text = renderTable(tr.tracks(), { nowMs, width: 200 });
    expect(rowOf(text, SERIAL)).toMatch(/^Z /);
    expect(rowOf(text, SERIAL)).toMatch(/in:Stadium op-in:Depots\s*$/);
    expect(rowOf(text, OTHER_SERIAL)).toMatch(/^A /);
    expect(rowOf(text, OTHER_SERIAL)).toMatch(/in:Stadium AUTHORISED\s*$/);
    expect(rowOf(text, '1581F5FKD229H00417TX')).toMatch(/^ {2}/);
    // Coloured like a flag marker, and at 40 columns the marker still says it.
    expect(renderTable(tr.tracks(), { nowMs, width: 200, color: true }).split('\n').find((l) => l.includes(SERIAL.slice(0, 10)))!.startsWith('\x1b[1;33mZ')).toBe(true);
    expect(rowOf(renderTable(tr.tracks(), { nowMs, width: 40 }), SERIAL)).toMatch(/^Z /);
  });

  it('rows cut to the height keep the intruder, and count it in "+N more"', () => {
    const { tr, nowMs } = scene();
    // Sorted by distance the intruder is not first: with one row to show it is kept anyway.
    const text = renderTable(tr.tracks(), { nowMs, width: 80, height: 4, sort: 'id' });
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain(SERIAL.slice(0, 10));
    expect(lines[3]).toBe('+2 more');
  });

  it('without zones and allow-list: no marker, no words', () => {
    const { tr, nowMs } = scene({});
    const text = renderTable(tr.tracks(), { nowMs, width: 200 });
    expect(text).not.toMatch(/in:|AUTHORISED/);
    for (const l of text.trimEnd().split('\n').slice(2)) expect(l.startsWith('  ')).toBe(true);
  });

  it('LiveTable: the most serious recent alert under the table, "+N more", within the width and the rows; gone after alertShowMs', () => {
    const { tr, updates } = scene();
    const emergency = heard(tr, T0 + 2, IN_STADIUM, { loc: { status: 3 }, operator: IN_DEPOT_2 });
    expect(kinds(emergency)).toEqual(['emergency:emergency']);
    for (const [columns, rows] of [[40, 8], [80, 24], [120, 5]] as const) {
      const writes: string[] = [];
      const out = Object.assign(new Writable({ write: (chunk, _enc, cb) => (writes.push(String(chunk)), cb()) }), { columns, rows });
      const table = new LiveTable(out, { footer: () => '100 frames, 200 messages\n' });
      for (const u of [...updates, ...emergency]) table.write(u);
      table.update(tr.tracks(), (T0 + 2) * 1000, true);
      const lines = writes[0]!.trimEnd().split('\n');
      expect(lines.length).toBeLessThanOrEqual(rows - 1);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns - 1);
      const alert = lines.find((l) => l.startsWith('ALERT'));
      expect(alert, `${columns}x${rows}`).toBeDefined();
      const others = alertsOf([...updates, ...emergency]).length - 1;
      expect(`ALERT 10:00:02 ${SERIAL}: emergency declared (+${others} more)`.startsWith(alert!.replace(/…$/, '')), alert).toBe(true);
      // The alert stays when rows are short; the counters' line goes first.
      if (rows >= 8) expect(lines.at(-1)).toBe('100 frames, 200 messages');
      // A minute later it is gone.
      table.update(tr.tracks(), (T0 + 63) * 1000, true);
      expect(writes[1]!).not.toContain('ALERT');
    }
  });

  it('LiveTable: several alert lines, authorised tracks said so; colour only when asked', () => {
    const { tr, updates } = scene();
    const writes: string[] = [];
    const out = Object.assign(new Writable({ write: (chunk, _enc, cb) => (writes.push(String(chunk)), cb()) }), { columns: 120, rows: 30 });
    const table = new LiveTable(out, { alertLines: 3, color: true });
    for (const u of updates) table.write(u);
    table.update(tr.tracks(), (T0 + 1) * 1000, true);
    const alerts = writes[0]!.split('\n').filter((l) => l.includes('ALERT')).map(visible);
    expect(alerts).toEqual([
      `ALERT 10:00:01 ${OTHER_SERIAL}: entered zone Stadium (authorised)`,
      `ALERT 10:00:01 ${SERIAL}: operator entered zone Depots`,
      `ALERT 10:00:01 ${SERIAL}: entered zone Stadium (+${alertsOf(updates).length - 3} more)`,
    ]);
    expect(writes[0]!).toContain(`\x1b[1;33mALERT 10:00:01 ${OTHER_SERIAL}`);
  });
});

describe('CoT remarks say it', () => {
  const remarksOf = (xml: string): string => /<remarks>(.*)<\/remarks>/.exec(xml)![1]!;

  it('zones, operator zones, authorisation (with its note), and the zone alerts of the update', () => {
    const { updates, intruder, crew, nowMs } = scene();
    const entered = updates.filter((u) => u.track === intruder).flatMap((u) => u.alerts ?? []).filter((a) => a.kind !== 'new-drone');
    const [drone, op] = trackToCot(intruder, nowMs, {}, entered);
    expect(remarksOf(drone!.xml)).toBe(
      `ALERT entered zone Stadium; ALERT operator entered zone Depots; Remote ID ${SERIAL}; UA helicopter or multirotor; height 50 m; in zone Stadium; operator in zone Depots; via wifi-beacon`,
    );
    expect(remarksOf(op!.xml)).toBe(`Operator of ${SERIAL} (position: live); in zone Depots`);
    expect(remarksOf(trackToCot(crew, nowMs)[0]!.xml)).toBe(`Remote ID ${OTHER_SERIAL}; UA helicopter or multirotor; height 50 m; AUTHORISED (TV crew); in zone Stadium; via wifi-beacon`);
  });

  it('without zones and allow-list the remarks are as they were; other alerts add nothing', () => {
    const { updates, intruder, nowMs } = scene({});
    const created = updates.find((u) => u.track === intruder && u.reason === 'created')!;
    expect(created.alerts).toEqual([{ kind: 'new-drone', text: 'new drone' }]);
    const [drone, op] = trackToCot(intruder, nowMs, {}, created.alerts);
    expect(remarksOf(drone!.xml)).toBe(`Remote ID ${SERIAL}; UA helicopter or multirotor; height 50 m; via wifi-beacon`);
    expect(remarksOf(op!.xml)).toBe(`Operator of ${SERIAL} (position: live)`);
  });

  it('an update with a zone alert is sent even within minIntervalMs', async () => {
    const sent: string[] = [];
    const out = createCotOutput({ send: async (xml) => void sent.push(xml), close: async () => undefined }, { minIntervalMs: 10_000 });
    const tr = new Tracker({ zones: ZONES, ...FAST });
    const drone = (us: TrackUpdate[]): TrackUpdate[] => us.filter((u) => u.track.key === 'trk-1');
    for (const u of drone(heard(tr, T0, OUTSIDE))) out.write(u);
    const n = sent.length;
    for (const u of drone(heard(tr, T0 + 0.5, OUTSIDE))) out.write(u);
    expect(sent).toHaveLength(n);
    for (const u of drone(heard(tr, T0 + 1, IN_STADIUM))) out.write(u);
    await out.close();
    expect(sent.length).toBeGreaterThan(n);
    expect(sent.at(-2)).toContain('ALERT entered zone Stadium');
  });
});
