/**
 * The live table at the sizes terminals have: one redrawn screen at every width from 40 columns and at
 * small heights (no line wider than the terminal, no more lines than its rows), flags visible at every
 * width, emergencies in colour only when asked, and nothing a drone sends reaching the terminal raw.
 * Tracks come from the real tracker fed real air frames.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RemoteIdExtractor, buildAirFrames, encodeMessage, type ReceivedMessage, type SingleMessageInput } from '@odid/codec';
import { destinationPoint, type LatLon } from '@odid/position';
import { LiveTable, renderTable } from '../src/outputs/table.js';
import { Tracker, type Track } from '../src/tracker/index.js';

const T0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
const HOME: LatLon = { lat: 52.52, lon: 13.405 };
const FLAGGED_ID = 'BADSERIAL-lower-case';
const EMERGENCY_ID = '9999FEMERGENCY0000AB';
const HOSTILE_ID = '\u001b[2J\u001b]0;x\u0007\u009bEVIL';

function location(t: number, at: LatLon, status = 2): SingleMessageInput {
  return {
    type: 'location', status, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: at.lat, longitude: at.lon,
    altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3,
    speedAccuracy: 3, tsAccuracy: 2, timestamp: Math.round((t % 3600) * 10) / 10,
  };
}
const system: SingleMessageInput = {
  type: 'system', operatorLocationType: 1, classificationType: 0, operatorLatitude: HOME.lat, operatorLongitude: HOME.lon,
  areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 0, classEU: 0, operatorAltitudeGeo: 40, timestamp: 200_000_000,
};

/** One Wi-Fi beacon pack from `mac`, through the real frame builder and receive path. */
function heard(mac: string, t: number, messages: SingleMessageInput[]): ReceivedMessage[] {
  const payload = encodeMessage({ type: 'messagePack', messages });
  return buildAirFrames({ transport: 'wifi-beacon', address: mac, counter: 1, payload, rssi: -60 }).flatMap((f) => new RemoteIdExtractor().fromRecord(f.linkType, f.data, { t }));
}

/** 30 drones: clean ones, one with an invalid serial (flagged), one in emergency, one with a hostile ID. */
function scene(): { tracks: readonly Track[]; nowMs: number } {
  const tracker = new Tracker({ receiverPosition: HOME });
  const drone = (i: number, uasId: string, status = 2): void => {
    const at = destinationPoint(HOME, (i * 37) % 360, 200 + i * 150);
    const mac = `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`;
    for (const m of heard(mac, T0 + i * 0.01, [{ type: 'basicId', idType: 1, uaType: 2, uasId }, location(T0, at, status), system])) tracker.ingest(m);
  };
  for (let i = 0; i < 27; i++) drone(i, `1581F5FHB229F${String(i).padStart(7, '0')}`);
  // Far away, so sorted by distance they come last: cutting rows must still show the emergency.
  drone(40, FLAGGED_ID);
  drone(41, EMERGENCY_ID, 3);
  drone(42, HOSTILE_ID);
  tracker.tick((T0 + 1) * 1000);
  return { tracks: tracker.tracks(), nowMs: (T0 + 1) * 1000 };
}

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;
const visible = (line: string): string => line.replace(SGR, '');
const width = (line: string): number => [...visible(line)].length;
// C0 (no newline inside a line), DEL, C1 and the bidi controls: none may be in a rendered line once the table's own SGR is removed.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const linesOf = (text: string): string[] => {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
};
const rowOf = (lines: string[], id: string): string | undefined => lines.find((l) => visible(l).includes(id.slice(0, 8)));

describe('renderTable fits the terminal', () => {
  const { tracks, nowMs } = scene();
  const flagged = tracks.find((t) => t.uasId === FLAGGED_ID)!;
  const emergency = tracks.find((t) => t.uasId === EMERGENCY_ID)!;

  it('the scene has what the table must show', () => {
    expect(tracks).toHaveLength(30);
    expect(flagged.flags).toContain('invalid-serial');
    expect(emergency.flags).toContain('emergency');
  });

  for (const columns of [40, 60, 80, 120]) {
    for (const rows of [8, 24]) {
      it(`${columns}x${rows}: lines fit, flags marked, emergency kept and coloured, "+N more"`, () => {
        const lines = linesOf(renderTable(tracks, { nowMs, width: columns, height: rows, color: true }));
        expect(lines.length).toBeLessThanOrEqual(rows);
        for (const l of lines) {
          expect(width(l), l).toBeLessThanOrEqual(columns);
          expect(visible(l), l).not.toMatch(CONTROL);
        }
        // The header names the marker column; every flagged row carries the marker.
        expect(visible(lines[1]!)).toMatch(/^! DRONE ID/);
        const more = /^\+(\d+) more/.exec(visible(lines.at(-1)!));
        expect(more, 'rows that do not fit are counted').not.toBeNull();
        const rowsShown = lines.length - 3;
        expect(rowsShown + Number(more![1])).toBe(tracks.length);
        const e = rowOf(lines, EMERGENCY_ID);
        expect(e, 'the emergency is never the row that is cut').toBeDefined();
        expect(visible(e!)).toMatch(/^! /);
        expect(visible(e!)).toContain('EMERGENCY');
        expect(e!.startsWith('\x1b[')).toBe(true);
        for (const l of lines.slice(2, 2 + rowsShown)) {
          const t = tracks.find((x) => x.uasId !== undefined && x.uasId !== HOSTILE_ID && visible(l).includes(x.uasId.slice(0, 8)));
          if (t) expect(visible(l).startsWith('!'), l).toBe(t.flags.length > 0);
        }
      });
    }
  }

  for (const columns of [40, 60, 80, 120]) {
    it(`${columns} columns, every row: the flagged track is marked and the hostile ID is escaped`, () => {
      const lines = linesOf(renderTable(tracks, { nowMs, width: columns, color: false }));
      expect(lines).toHaveLength(2 + tracks.length);
      for (const l of lines) {
        expect(width(l)).toBeLessThanOrEqual(columns);
        expect(l).not.toMatch(CONTROL);
      }
      expect(rowOf(lines, FLAGGED_ID)).toMatch(/^! BADSERIA/);
      expect(lines.find((l) => l.includes('\\x1b[2J'))).toMatch(/^! \\x1b\[2J/);
    });
  }

  it('no colour unless asked: not one escape byte in the text', () => {
    for (const columns of [40, 80, 200]) for (const l of linesOf(renderTable(tracks, { nowMs, width: columns, height: 24 }))) expect(l).not.toMatch(CONTROL);
  });

  it('wide terminals show every column; the flag names are in FLAGS', () => {
    const lines = linesOf(renderTable(tracks, { nowMs, width: 200 }));
    for (const title of ['DRONE ID', 'TYPE', 'STATUS', 'POSITION', 'ALT/HGT m', 'SPD/TRK', 'DIST/BRG', 'OP DIST', 'RSSI', 'TRANSPORTS', 'AGE', 'FLAGS']) expect(lines[1]).toContain(title);
    expect(rowOf(lines, FLAGGED_ID)).toContain('invalid-serial');
    expect(rowOf(lines, EMERGENCY_ID)).toContain('emergency');
  });

  it('tiny heights still fit, down to one line', () => {
    for (let rows = 1; rows <= 8; rows++) {
      const lines = linesOf(renderTable(tracks, { nowMs, width: 40, height: rows }));
      expect(lines.length, `${rows} rows`).toBeLessThanOrEqual(rows);
      expect(lines.at(-1)).toMatch(/^\+\d+ more/);
    }
  });

  it('every width from 40 to 200 fits', () => {
    for (let columns = 40; columns <= 200; columns++) {
      for (const l of linesOf(renderTable(tracks, { nowMs, width: columns, height: 24, color: true }))) expect(width(l), `${columns}: ${l}`).toBeLessThanOrEqual(columns);
    }
  });
});

describe('LiveTable', () => {
  it('every redraw fits the terminal, footer included, and moves back over exactly what it drew', () => {
    const { tracks, nowMs } = scene();
    for (const [columns, rows] of [[40, 8], [60, 8], [80, 24], [120, 24]] as const) {
      const writes: string[] = [];
      const out = Object.assign(new Writable({ write: (chunk, _enc, cb) => (writes.push(String(chunk)), cb()) }), { columns, rows });
      const table = new LiveTable(out, { footer: () => '12345 frames, 67890 messages, dropped 3 bad FCS, 2 frames lost to overload\n', color: true });
      table.update(tracks, nowMs, true);
      table.update(tracks, nowMs, true);
      expect(writes).toHaveLength(2);
      const drawn = linesOf(writes[0]!);
      // One row to spare: the cursor's line after the last newline must not scroll the screen.
      expect(drawn.length).toBeLessThanOrEqual(rows - 1);
      for (const l of drawn) expect(width(l)).toBeLessThanOrEqual(columns - 1);
      expect(writes[1]!.startsWith(`\x1b[${drawn.length}F\x1b[J`)).toBe(true);
      expect(drawn.at(-1)).toMatch(/^12345 frames/);
    }
  });

  it('after a resize the screen is cleared rather than moved over', () => {
    const { tracks, nowMs } = scene();
    const writes: string[] = [];
    const out = Object.assign(new Writable({ write: (chunk, _enc, cb) => (writes.push(String(chunk)), cb()) }), { columns: 120, rows: 24 });
    const table = new LiveTable(out);
    table.update(tracks, nowMs, true);
    out.columns = 40;
    table.update(tracks, nowMs, true);
    expect(writes[1]!.startsWith('\x1b[H\x1b[2J')).toBe(true);
  });
});
