/**
 * Allow-lists: ISO 8601 windows, JSON and CSV files (every kind of bad input naming the file and the entry
 * or line), which tracks an entry matches, and the tracker's `authorised` following the entries' windows on
 * the tracker's clock.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllowList, AllowListError, loadAllowListFile, parseAllowList, parseIsoTime, type AllowEntry } from '../src/tracker/allow-list.js';
import { Pipeline } from '../src/pipeline.js';
import { Tracker, trackToJson, type TrackUpdate } from '../src/tracker/index.js';
import { EU_OPERATOR, HOME, OTHER_SERIAL, SERIAL, T0, air, basicId, feed, location, operatorId, system } from './zone-fixtures.js';

const dir = mkdtempSync(path.join(tmpdir(), 'odid-allow-'));
const ms = (iso: string): number => Date.parse(iso);

function errorOf(text: string, format: 'json' | 'csv', source = format === 'json' ? 'allow.json' : 'allow.csv'): string {
  try {
    parseAllowList(text, source, format);
  } catch (e) {
    expect(e).toBeInstanceOf(AllowListError);
    return (e as Error).message;
  }
  throw new Error('parsed without error');
}

describe('parseIsoTime', () => {
  it('times with a zone, fractions, offsets with and without a colon; dates as the start or the end of a UTC day', () => {
    expect(parseIsoTime('2025-06-01T14:00:00Z')).toBe(ms('2025-06-01T14:00:00Z'));
    expect(parseIsoTime('2025-06-01T14:00Z')).toBe(ms('2025-06-01T14:00:00Z'));
    expect(parseIsoTime('2025-06-01 16:00:30.25+02:00')).toBe(ms('2025-06-01T14:00:30.250Z'));
    expect(parseIsoTime('2025-06-01T09:30:00-0430')).toBe(ms('2025-06-01T14:00:00Z'));
    expect(parseIsoTime('2025-06-01T16:00+02')).toBe(ms('2025-06-01T14:00:00Z'));
    expect(parseIsoTime('2024-02-29')).toBe(ms('2024-02-29T00:00:00Z'));
    expect(parseIsoTime('2025-06-01', true)).toBe(ms('2025-06-02T00:00:00Z'));
  });

  it('says what is wrong', () => {
    expect(parseIsoTime('2025-06-01T14:00:00')).toMatch(/needs a time zone: add Z/);
    expect(parseIsoTime('2025-13-01')).toBe('month 13 does not exist');
    expect(parseIsoTime('2025-02-29')).toBe('day 29 does not exist in 2025-02');
    expect(parseIsoTime('2025-04-31T10:00Z')).toBe('day 31 does not exist in 2025-04');
    expect(parseIsoTime('2025-06-01T24:00Z')).toBe('24:00 is not a time of day');
    expect(parseIsoTime('2025-06-01T10:00+25:00')).toMatch(/is not a time zone offset/);
    for (const bad of ['', 'tomorrow', '1717250400', '2025-6-1', '01/06/2025', '2025-06-01T10Z']) expect(parseIsoTime(bad), bad).toMatch(/^expected an ISO 8601 time/);
  });
});

describe('JSON allow-lists', () => {
  it('entries with either ID or both, windows, notes; null and "" are absent; whitespace trimmed', () => {
    const list = parseAllowList(
      JSON.stringify([
        { uasId: SERIAL, from: '2025-06-01T09:00:00Z', until: '2025-06-01T18:00:00Z', note: 'TV crew' },
        { operatorId: ` ${EU_OPERATOR} `, uasId: '', until: null },
        { uasId: OTHER_SERIAL, operatorId: EU_OPERATOR },
      ]),
      'allow.json',
      'json',
    );
    expect(list).toEqual<AllowEntry[]>([
      { uasId: SERIAL, from: ms('2025-06-01T09:00:00Z'), until: ms('2025-06-01T18:00:00Z'), note: 'TV crew' },
      { operatorId: EU_OPERATOR },
      { uasId: OTHER_SERIAL, operatorId: EU_OPERATOR },
    ]);
    expect(parseAllowList('\ufeff[]', 'a', 'json')).toEqual([]);
  });

  const cases: [string, string, string][] = [
    ['not JSON', '[{"uasId": "A",}]', 'allow.json: not valid JSON: line 1, column 16: a comma before \'}\' is not allowed in JSON'],
    ['not JSON, line 3', '[\n  {"uasId": "A"},\n  {"uasId": "B"\n]', 'allow.json: not valid JSON: line 4, column 1: expected \',\' or \'}\' after a property value, found \']\''],
    ['not an array', '{"uasId": "A"}', 'allow.json: expected an array of entries'],
    ['an entry that is a string', '["A"]', 'allow.json: entry 0: expected an object with a uasId or an operatorId, got string'],
    ['an unknown key', '[{"uasId": "A"}, {"uasid": "B"}]', 'allow.json: entry 1: unknown key "uasid"; expected uasId, operatorId, from, until, note'],
    ['a number as ID', '[{"uasId": 1234}]', 'allow.json: entry 0: uasId must be a string, got number'],
    ['no ID', '[{"uasId": "A"}, {"uasId": "B"}, {"note": "who?"}]', 'allow.json: entry 2: needs a uasId or an operatorId (or both)'],
    ['a bad date', '[{"uasId": "A", "from": "2025-13-01"}]', 'allow.json: entry 0: from "2025-13-01": month 13 does not exist'],
    ['a local time', '[{"uasId": "A", "until": "2025-06-01T18:00"}]', 'allow.json: entry 0: until "2025-06-01T18:00": a time needs a time zone'],
    ['an empty window', '[{"uasId": "A", "from": "2025-06-01T18:00Z", "until": "2025-06-01T18:00Z"}]', 'allow.json: entry 0: until (2025-06-01T18:00Z) is not after from (2025-06-01T18:00Z)'],
    ['a control character', '[{"operatorId": "FIN\\u0007x"}]', 'allow.json: entry 0: operatorId holds a control character'],
    ['a long ID', `[{"uasId": "${'A'.repeat(65)}"}]`, 'allow.json: entry 0: uasId is longer than 64 characters'],
  ];
  for (const [name, text, expected] of cases) it(name, () => expect(errorOf(text, 'json')).toContain(expected));
});

describe('CSV allow-lists', () => {
  it('the header in any order and case; quoted cells with commas and quotes; CRLF, BOM, blank and # lines; fewer cells', () => {
    const text = [
      '\ufeffNote, UASID ,operatorId,from,until',
      '# the film crew',
      '"TV crew, north stand",' + SERIAL + ',,2025-06-01T09:00:00Z,2025-06-01T18:00:00Z',
      '',
      '"say ""hi""",,' + EU_OPERATOR,
      '  "multi',
      'line",' + OTHER_SERIAL + ',' + EU_OPERATOR + ',,2025-06-02',
    ].join('\r\n');
    expect(parseAllowList(text, 'allow.csv', 'csv')).toEqual<AllowEntry[]>([
      { uasId: SERIAL, from: ms('2025-06-01T09:00:00Z'), until: ms('2025-06-01T18:00:00Z'), note: 'TV crew, north stand' },
      { operatorId: EU_OPERATOR, note: 'say "hi"' },
      { uasId: OTHER_SERIAL, operatorId: EU_OPERATOR, until: ms('2025-06-03T00:00:00Z'), note: 'multi line' },
    ]);
  });

  it('only an operatorId column is enough', () => {
    expect(parseAllowList(`operatorId\n${EU_OPERATOR}\n`, 'a.csv', 'csv')).toEqual([{ operatorId: EU_OPERATOR }]);
  });

  const header = 'uasId,operatorId,from,until,note';
  const cases: [string, string, string][] = [
    ['an empty file', '\n\n', 'allow.csv: empty; the first line must be the header uasId,operatorId,from,until,note'],
    ['no header', `${SERIAL},,,,\n`, `allow.csv: line 1: unknown column "${SERIAL}"; the first line must be a header naming the columns: uasId,operatorId,from,until,note`],
    ['a column named twice', 'uasId,note,UasId\n', 'allow.csv: line 1: column uasId is named twice'],
    ['no ID column', '\n# comment\nfrom,until,note\n', 'allow.csv: line 3: the header needs a uasId or an operatorId column'],
    ['an empty column name', 'uasId,,note\n', 'allow.csv: line 1: an empty column name'],
    ['too many cells', `${header}\nA,,,,note, with a comma\n`, 'allow.csv: line 2: 6 cells, but the header names 5 columns (quote a cell that holds a comma)'],
    ['no ID in a row', `${header}\nA\n,,2025-06-01,,\n`, 'allow.csv: line 3: needs a uasId or an operatorId (or both)'],
    ['a bad time after a quoted line break', `${header}\nA,,,,"two\nlines"\nB,,2025-06-31,,\n`, 'allow.csv: line 4: from "2025-06-31": day 31 does not exist in 2025-06'],
    ['an unclosed quote', `${header}\nA,,,,"open\n`, 'allow.csv: line 2: a quoted cell is not closed'],
    ['text after a closing quote', `${header}\nA,,,,"quoted" rest\n`, 'allow.csv: line 2: text after a closing quote; a quote inside a quoted cell is written ""'],
  ];
  for (const [name, text, expected] of cases) it(name, () => expect(errorOf(text, 'csv')).toContain(expected));
});

describe('loadAllowListFile', () => {
  const write = (name: string, text: string | Buffer): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('the format by extension, else by content', () => {
    expect(loadAllowListFile(write('a.json', `[{"uasId": "${SERIAL}"}]`))).toEqual([{ uasId: SERIAL }]);
    expect(loadAllowListFile(write('a.CSV', `uasId\n${SERIAL}\n`))).toEqual([{ uasId: SERIAL }]);
    expect(loadAllowListFile(write('a.txt', ` [{"uasId": "${SERIAL}"}]`))).toEqual([{ uasId: SERIAL }]);
    expect(loadAllowListFile(write('b.txt', `uasId\n${SERIAL}\n`))).toEqual([{ uasId: SERIAL }]);
    // An explicit format wins.
    expect(() => loadAllowListFile(write('c.json', `uasId\n${SERIAL}\n`))).toThrow(/c\.json: not valid JSON: line 1, column 1/);
    expect(loadAllowListFile(path.join(dir, 'c.json'), 'csv')).toEqual([{ uasId: SERIAL }]);
  });

  it('errors name the file: unreadable, too large, bad content', () => {
    expect(() => loadAllowListFile(path.join(dir, 'absent.csv'))).toThrow(/absent\.csv: cannot read: ENOENT$/);
    const big = write('big.csv', Buffer.alloc((1 << 20) + 1, 0x41));
    expect(() => loadAllowListFile(big)).toThrow(`${big}: larger than 1 MiB (allow-lists are a few kilobytes)`);
    const bad = write('bad.csv', `uasId,from\n${SERIAL},yesterday\n`);
    expect(() => loadAllowListFile(bad)).toThrow(`${bad}: line 2: from "yesterday": expected an ISO 8601 time`);
  });
});

// ---- matching ----

const WINDOW = { from: ms('2025-06-01T09:00:00Z'), until: ms('2025-06-01T11:00:00Z') };
const SESSION_HEX = '0102030405060708090a0b0c0d0e0f1011121314';

/** A track heard at T0 (10:00Z) with a serial and a binary session ID, an operator ID and a position. */
function tracker(entries: AllowEntry[] | undefined, at = T0): Tracker {
  const tr = new Tracker(entries ? { allowList: entries } : {});
  feed(tr, air('wifi-beacon', '02:00:00:00:00:01', at, [basicId(SERIAL), basicId(SESSION_HEX, 4), location(at, HOME), system(HOME), operatorId(EU_OPERATOR)]));
  return tr;
}
const authorised = (entries: AllowEntry[] | undefined, at = T0): boolean => tracker(entries, at).tracks()[0]!.authorised;

describe('which tracks an entry authorises', () => {
  it('by any of its IDs: the serial, a binary session ID as hex (any case); by operator ID', () => {
    expect(authorised(undefined)).toBe(false);
    expect(authorised([{ uasId: SERIAL }])).toBe(true);
    expect(authorised([{ uasId: SESSION_HEX }])).toBe(true);
    expect(authorised([{ uasId: SESSION_HEX.toUpperCase() }])).toBe(true);
    expect(authorised([{ operatorId: EU_OPERATOR }])).toBe(true);
    expect(authorised([{ uasId: OTHER_SERIAL }, { operatorId: 'FIN87astrdge12k9' }])).toBe(false);
    // Exact: case matters for text IDs.
    expect(authorised([{ uasId: SERIAL.toLowerCase() }])).toBe(false);
    expect(authorised([{ operatorId: EU_OPERATOR.toUpperCase() }])).toBe(false);
  });

  it('an entry with both IDs needs both', () => {
    expect(authorised([{ uasId: SERIAL, operatorId: EU_OPERATOR }])).toBe(true);
    expect(authorised([{ uasId: SERIAL, operatorId: 'FIN87astrdge12k9' }])).toBe(false);
    expect(authorised([{ uasId: OTHER_SERIAL, operatorId: EU_OPERATOR }])).toBe(false);
  });

  it('only within its window on the tracker clock: from inclusive, until exclusive', () => {
    expect(authorised([{ uasId: SERIAL, ...WINDOW }])).toBe(true);
    expect(authorised([{ uasId: SERIAL, from: T0 * 1000 }])).toBe(true);
    expect(authorised([{ uasId: SERIAL, until: T0 * 1000 }])).toBe(false);
    expect(authorised([{ uasId: SERIAL, from: T0 * 1000 + 1 }])).toBe(false);
    expect(authorised([{ uasId: SERIAL, ...WINDOW }], ms('2025-06-01T12:00:00Z') / 1000)).toBe(false);
  });

  it('allowedBy is the first matching entry in file order; the JSON says authorised', () => {
    const entries: AllowEntry[] = [{ uasId: OTHER_SERIAL }, { operatorId: EU_OPERATOR, note: 'club' }, { uasId: SERIAL, note: 'crew' }];
    const t = tracker(entries).tracks()[0]!;
    expect(t.allowedBy).toBe(entries[1]);
    expect(trackToJson(t)).toMatchObject({ authorised: true, zones: [], operatorZones: [] });
  });

  it('AllowList.nextChangeAfter: the next from or until', () => {
    const list = new AllowList([{ uasId: 'A', ...WINDOW }, { uasId: 'B', from: WINDOW.from }]);
    expect(list.size).toBe(2);
    expect(list.nextChangeAfter(0)).toBe(WINDOW.from);
    expect(list.nextChangeAfter(WINDOW.from)).toBe(WINDOW.until);
    expect(list.nextChangeAfter(WINDOW.until)).toBe(Infinity);
  });
});

describe('the tracker follows the windows as time passes', () => {
  it('a window opening and closing turns authorised on and off on tick, with a flags update each time', () => {
    const opens = (T0 + 10) * 1000;
    const closes = (T0 + 20) * 1000;
    const tr = tracker([{ uasId: SERIAL, from: opens, until: closes }]);
    const t = tr.tracks()[0]!;
    expect(t.authorised).toBe(false);
    expect(tr.tick(opens - 1).filter((u) => u.reason === 'flags' && u.track.authorised)).toEqual([]);
    const on = tr.tick(opens);
    expect(on.map((u) => [u.reason, u.track.authorised])).toContainEqual(['flags', true]);
    expect(t.allowedBy?.from).toBe(opens);
    expect(tr.tick(closes - 1).some((u) => u.track.authorised !== true)).toBe(false);
    const off = tr.tick(closes);
    expect(off.map((u) => u.track.authorised)).toContain(false);
    expect(t.authorised).toBe(false);
    expect(t.allowedBy).toBeUndefined();
  });

  it('setAllowList replaces the list at run time; Pipeline.setAllowList hands the changes to the outputs', () => {
    // What each update said when it was made (the track itself changes on).
    const updates: [TrackUpdate['reason'], boolean][] = [];
    const pipeline = new Pipeline({}, { update: (u) => updates.push([u.reason, u.track.authorised]) });
    feed(pipeline.tracker, air('wifi-beacon', '02:00:00:00:00:01', T0, [basicId(SERIAL), location(T0, HOME)]));
    pipeline.setAllowList([{ uasId: SERIAL }]);
    expect(updates).toEqual([['flags', true]]);
    pipeline.setAllowList(undefined);
    expect(updates).toEqual([['flags', true], ['flags', false]]);
    pipeline.setAllowList(undefined);
    expect(updates).toHaveLength(2);
  });

  it('an ID that arrives later authorises the track from that message on', () => {
    const tr = new Tracker({ allowList: [{ operatorId: EU_OPERATOR }] });
    feed(tr, air('wifi-beacon', '02:00:00:00:00:01', T0, [basicId(SERIAL), location(T0, HOME)]));
    expect(tr.tracks()[0]!.authorised).toBe(false);
    const [u] = feed(tr, air('wifi-beacon', '02:00:00:00:00:01', T0 + 1, [operatorId(EU_OPERATOR)]));
    expect(u!.track.authorised).toBe(true);
  });
});
