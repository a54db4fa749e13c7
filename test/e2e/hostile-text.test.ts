/**
 * A drone must not be able to write into an officer's terminal. A capture carries control characters
 * (ESC sequences that clear the screen, recolour it, set the window title or ask the terminal to answer;
 * 8-bit C1 controls; DEL) and the UTF-8 bytes of bidi overrides and line separators, at the full length of
 * EVERY text field: Basic ID (serial and CAA), Self-ID, Operator ID, a 255-byte authentication, DJI serial,
 * UUID, drone ID and flight purpose, French ID and ANSI/CTA ID, on EVERY transport (BLE 4, BLE 5, Wi-Fi
 * Beacon, Wi-Fi NAN; DJI and French ride in beacons). The built programs run as a user runs them, and no
 * control byte reaches any human-readable output, stdout or stderr, while the JSON outputs keep the exact
 * text. Error messages that echo a configuration or input value show it escaped and capped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PcapngWriter,
  buildAirFrames,
  concatBytes,
  encodeMessage,
  packMessages,
  splitAuth,
  type BroadcastTransport,
  type SingleMessageInput,
} from '@odid/codec';
import { runBuilt, type Program } from '../support/built.js';

/** What a drone sends as bytes, as the decoded text holds it (one character per byte). */
const bytes = (...parts: (string | number)[]): string => parts.map((p) => (typeof p === 'number' ? String.fromCharCode(p) : p)).join('');
/** The UTF-8 bytes of a character a terminal would honour (a bidi override, a line separator), sent raw. */
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const RLO = utf8('\u202e');
const LRI = utf8('\u2066');
const LS = utf8('\u2028');
const exactly = (n: number, s: string): string => {
  expect(s.length, JSON.stringify(s)).toBe(n);
  return s;
};
const fill = (n: number, unit: string): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n - 1) + 'Z';

// Every ODID text field at its full length (20, 20, 23, 20 bytes).
const SERIAL = exactly(20, bytes('\x1b[2J', '\x1b]0;', 'PWN', 7, 0x9b, '31m', RLO, 0x7f));
const CAA = exactly(20, bytes('C\r\n', 0, '\x1b[1;31m', LRI, '\b\b\x1bc', 0x85, 'Z'));
const SELF_ID = exactly(23, bytes('\x1b[31mALERT\x1b[0m', LS, '\x1b[8m', 0x9d, '!'));
const OPERATOR = exactly(20, bytes('\x1bP+q\x1b\\', '\t\v\f', '\x1b[6n', 0x90, 0x9c, 'OP', '\x1b7', 'X'));
/** 255 bytes: the longest authentication there is. */
const AUTH = Uint8Array.from({ length: 255 }, (_, i) => [0x1b, 0x5b, 0x32, 0x4a, 0x9b, 0x07, 0x7f, 0xe2, 0x80, 0xae][i % 10]!);
// DJI DroneID: serial 16, UUID 20, drone ID 10, purpose as long as an element allows.
const DJI_SERIAL = exactly(16, bytes('\x1b]2;DJI', 7, 0x9b, '2J', RLO, '\x1bQ'));
const DJI_UUID = exactly(20, bytes('\x1b[3J\x1b[H\x1b[2J', LRI, 0x7f, 0x7f, 'UUID'));
const DJI_DRONE_ID = exactly(10, bytes('\x1b[?25l', 0x9b, 'ID', 7));
const DJI_PURPOSE = fill(200, bytes('\x1b[5m', RLO, 0x9b, 'PURPOSE '));
// French: the 30-character ID and an ANSI/CTA ID filling the rest of the element.
const FR_ID = exactly(30, bytes('\x1b]0;FRANCE', 7, '\x1b[2J', RLO, LS, 0x9b, 0x7f, 'FRA-ID-'));
const FR_CTA = fill(200, bytes('\x1b[7m', LRI, 0x85, 'CTA '));

const T0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
const LOCATION: SingleMessageInput = {
  type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: 47.0, longitude: 7.5, altitudeBaro: 500,
  altitudeGeo: 510, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 2, timestamp: 0,
};
const SINGLES: SingleMessageInput[] = [
  { type: 'basicId', idType: 1, uaType: 2, uasId: SERIAL },
  { type: 'basicId', idType: 2, uaType: 2, uasId: CAA },
  LOCATION,
  { type: 'selfId', descType: 0, desc: SELF_ID },
  { type: 'operatorId', operatorIdType: 0, operatorId: OPERATOR },
];
const AUTH_PAGES = splitAuth({ authType: 2, timestamp: 200_000_000, data: AUTH });
const TRANSPORTS: BroadcastTransport[] = ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'];
const MAC: Record<BroadcastTransport, string> = { 'ble-legacy': 'c2:00:00:00:00:01', 'ble-extended': 'c2:00:00:00:00:02', 'wifi-beacon': '02:00:00:00:00:03', 'wifi-nan': '02:00:00:00:00:04' };
const DJI_MAC = '60:60:1f:00:00:05';
const FR_MAC = '02:00:00:00:00:06';

const latin1Bytes = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const i32be = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/** A beacon from `mac` whose only drone element is `vendorElement` (the ODID element the builder adds is cut off). */
function beaconWith(mac: string, vendorElement: number[]): { linkType: number; data: Uint8Array } {
  const pack = encodeMessage({ type: 'messagePack', messages: [LOCATION] });
  const [f] = buildAirFrames({ transport: 'wifi-beacon', address: mac, counter: 0, payload: pack });
  const odidElement = 2 + 3 + 1 + 1 + pack.length; // DD len, OUI, type, counter, pack: the last element
  expect(f!.data[f!.data.length - odidElement]).toBe(0xdd);
  return { linkType: f!.linkType, data: concatBytes([f!.data.subarray(0, f!.data.length - odidElement), Uint8Array.from(vendorElement)]) };
}
const vendorElement = (oui: number[], body: number[]): number[] => {
  expect(3 + body.length).toBeLessThanOrEqual(255);
  return [0xdd, 3 + body.length, ...oui, ...body];
};

function djiFlightInfo(): number[] {
  const r = new Array<number>(87).fill(0);
  r[0] = 2; // layout v2
  r.splice(5, 16, ...latin1Bytes(DJI_SERIAL));
  r[66] = 20;
  r.splice(67, 20, ...latin1Bytes(DJI_UUID));
  return vendorElement([0x26, 0x37, 0x12], [0x58, 0x62, 0x13, 0x10, ...r]);
}
function djiFlightPurpose(): number[] {
  const r = [...latin1Bytes(DJI_SERIAL), 10, ...latin1Bytes(DJI_DRONE_ID), DJI_PURPOSE.length, ...latin1Bytes(DJI_PURPOSE)];
  return vendorElement([0x26, 0x37, 0x12], [0x58, 0x62, 0x13, 0x11, ...r]);
}
function frenchId(): number[] {
  const tlv = (type: number, value: number[]): number[] => [type, value.length, ...value];
  const body = [0x01, ...tlv(1, [1]), ...tlv(2, latin1Bytes(FR_ID)), ...tlv(3, latin1Bytes(FR_CTA)), ...tlv(4, i32be(4_700_100)), ...tlv(5, i32be(750_100))];
  return vendorElement([0x6a, 0x5c, 0x35], body);
}

/** Every record of the hostile capture, a tenth of a second apart. */
function hostileCapture(): Uint8Array {
  const records: { linkType: number; data: Uint8Array }[] = [];
  for (const transport of TRANSPORTS) {
    const payloads =
      transport === 'ble-legacy'
        ? [...SINGLES, ...AUTH_PAGES].map((m) => encodeMessage(m))
        : [...packMessages(SINGLES), ...packMessages(AUTH_PAGES)].map((messages) => encodeMessage({ type: 'messagePack', messages }));
    payloads.forEach((payload, counter) => records.push(...buildAirFrames({ transport, address: MAC[transport], counter, payload, sequence: counter * 2 })));
  }
  records.push(beaconWith(DJI_MAC, djiFlightInfo()), beaconWith(DJI_MAC, djiFlightPurpose()), beaconWith(FR_MAC, frenchId()));
  const writer = new PcapngWriter({ application: 'hostile-text test' });
  const chunks: Uint8Array[] = [writer.header()];
  const ifaces = new Map<number, number>();
  records.forEach((r, i) => {
    if (!ifaces.has(r.linkType)) {
      const added = writer.addInterface({ linkType: r.linkType, name: `if${r.linkType}`, tsresol: 6 });
      chunks.push(added.bytes);
      ifaces.set(r.linkType, added.id);
    }
    chunks.push(writer.packet(ifaces.get(r.linkType)!, T0 + i / 10, r.data));
  });
  return concatBytes(chunks);
}

/**
 * What must never reach a terminal from the outside: C0 but newline, DEL, C1 (as UTF-8), the bidi controls,
 * the line and paragraph separators, and invalid UTF-8 (a raw 8-bit C1 byte such as 0x9B shows as U+FFFD).
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffd]/g;
function expectClean(label: string, output: Buffer | string): string {
  const text = Buffer.isBuffer(output) ? output.toString('utf8') : output;
  const found = [...text.matchAll(FORBIDDEN)].map((m) => `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m.index}`);
  expect(found, `${label}: control characters reached the terminal:\n${text.slice(0, 2000)}`).toEqual([]);
  return text;
}

let dir: string;
let capture: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'odid-hostile-'));
  capture = path.join(dir, 'hostile.pcapng');
  writeFileSync(capture, hostileCapture());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(program: Program, args: string[], input?: string): { stdout: string; stderr: string; status: number | null } {
  const r = runBuilt(program, args, input === undefined ? {} : { input });
  return { stdout: r.stdout.toString('utf8'), stderr: r.stderr, status: r.status };
}

describe('hostile text in every field on every transport, through the built programs', () => {
  it('rid-scan --replay F --fast --once: the table and its messages are clean, the IDs shown escaped', () => {
    const r = run('rid-scan', ['--replay', capture, '--fast', '--once']);
    expect(r.status, r.stderr).toBe(0);
    const out = expectClean('rid-scan table (stdout)', r.stdout);
    expectClean('rid-scan (stderr)', r.stderr);
    // The drones are there, their IDs visible as escapes, and flagged (the marker column).
    expect(out).toContain('! \\x1b[2J\\x1b]0;PWN');
    expect(out).toContain('\\x1b]2;DJI\\x07\\x9b2J');
    // The French drone is known by its ANSI/CTA ID (a serial outranks the French ID).
    expect(out).toContain('\\x1b[7mâ\\x81¦\\x85CTA');
    for (const line of out.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(200);
  });

  it('odid decode F --format table: clean, every text field shown escaped', () => {
    const r = run('odid', ['decode', capture, '--format', 'table']);
    expect(r.status, r.stderr).toBe(0);
    const out = expectClean('odid decode --format table (stdout)', r.stdout);
    expectClean('odid decode --format table (stderr)', r.stderr);
    // The serial's bidi override arrived as its UTF-8 bytes: 'â' and '®' are printable Latin-1, 0x80 is C1.
    expect(out).toContain('\\x1b[2J\\x1b]0;PWN\\x07\\x9b31mâ\\x80®\\x7f');
    expect(out).toContain('operator   \\x1bP+q\\x1b\\\\t\\x0b\\x0c\\x1b[6n\\x90\\x9cOP\\x1b7X');
    expect(out).toContain('self-ID    \\x1b[31mALERT\\x1b[0m');
    expect(out).toContain('\\x1b]2;DJI');
    for (const t of TRANSPORTS) expect(out).toContain(t);
  });

  it('odid decode F --summary: clean', () => {
    const r = run('odid', ['decode', capture, '--summary']);
    expect(r.status, r.stderr).toBe(0);
    const out = expectClean('odid decode --summary (stdout)', r.stdout);
    expectClean('odid decode --summary (stderr)', r.stderr);
    expect(out).toContain('\\x1b[2J\\x1b]0;PWN');
    expect(out).toContain('\\x1b]2;DJI');
  });

  it('rid-scan --json and odid decode JSONL keep the exact text of every field', () => {
    const r = runBuilt('rid-scan', ['--replay', capture, '--fast', '--once', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expectClean('rid-scan --json (stderr)', r.stderr);
    const tracks = JSON.parse(r.stdout.toString('utf8')) as Array<Record<string, any>>;
    const odid = tracks.find((t) => t.uasId === SERIAL);
    expect(odid, 'the ODID drone, by its exact serial').toBeDefined();
    expect(odid!.transports).toEqual(TRANSPORTS);
    expect(odid!.ids.map((m: { uasId: string }) => m.uasId)).toEqual([SERIAL, CAA]);
    expect(odid!.selfId).toBe(SELF_ID);
    expect(odid!.operatorId).toBe(OPERATOR);
    expect(odid!.auth).toMatchObject({ length: 255, authData: Buffer.from(AUTH).toString('hex') });
    const dji = tracks.find((t) => t.uasId === DJI_SERIAL);
    expect(dji?.dji?.serialNumber).toBe(DJI_SERIAL);
    expect(dji?.dji?.uuid).toBe(DJI_UUID);
    expect(dji?.djiPurpose).toMatchObject({ serialNumber: DJI_SERIAL, droneId: DJI_DRONE_ID, purpose: DJI_PURPOSE });
    const fr = tracks.find((t) => t.frenchId !== undefined);
    expect(fr?.uasId).toBe(FR_CTA);
    expect(fr?.frenchId).toMatchObject({ id: FR_ID, ansiCtaId: FR_CTA });

    const lines = run('odid', ['decode', capture]).stdout.trim().split('\n').map((l) => JSON.parse(l) as { transport: string; message: Record<string, unknown> });
    for (const t of TRANSPORTS) {
      const mine = lines.filter((l) => l.transport === t).map((l) => l.message);
      expect(mine.find((m) => m.type === 'basicId' && m.idType === 1)?.uasId, t).toBe(SERIAL);
      expect(mine.find((m) => m.type === 'basicId' && m.idType === 2)?.uasId, t).toBe(CAA);
      expect(mine.find((m) => m.type === 'selfId')?.desc, t).toBe(SELF_ID);
      expect(mine.find((m) => m.type === 'operatorId')?.operatorId, t).toBe(OPERATOR);
    }
  });
});

describe('error messages echo values escaped and capped', () => {
  const HUGE = 'A'.repeat(100_000);

  it('rid-broadcast --config: ESC, C1, a bidi override and 100,000 characters in a value', () => {
    const cases = [
      { yaml: `regime: "\\e]0;pwned\\a\\u202e\\x9b${HUGE}"\n`, says: /is not (one of )?faa, eu,? (or )?none/ },
      { yaml: `ids: [{ type: serial, value: "\\e[2J\\u202e\\x9b${HUGE}" }]\n`, says: /not an ANSI\/CTA-2063-A serial number/ },
      { yaml: `uaType: "\\e[2J\\u2066${HUGE}"\nids: [{ type: serial, value: 1581F5FHB229F00202DR }]\n`, says: /is not one of/ },
    ];
    for (const { yaml, says } of cases) {
      const config = path.join(dir, 'hostile.yaml');
      writeFileSync(config, yaml);
      const r = run('rid-broadcast', ['--config', config, '--dry-run', '--duration', '1']);
      expect(r.status).toBe(2);
      const err = expectClean('rid-broadcast error', r.stderr);
      expect(err).toMatch(says);
      expect(err).toMatch(/\\u001b|\\x1b/);
      expect(err).toMatch(/\\u202e|\\u2066/);
      expect(err).toMatch(/…\[\d+ more\]|and \d+ more/);
      for (const line of err.trimEnd().split('\n')) expect(line.length, line.slice(0, 300)).toBeLessThanOrEqual(1100);
    }
  });

  it('odid encode / decode --hex: values quoted in errors are escaped and capped', () => {
    const jsonl = [
      JSON.stringify({ type: 'basicId', idType: 1, uaType: 2, uasId: `\u001b[2J\u009b${HUGE}` }),
      JSON.stringify({ type: 'selfId', descType: 0, desc: '\u202eevil\u2066' }),
      '\u001b]0;not json\u0007',
    ].join('\n');
    const r = run('odid', ['encode', '-'], jsonl);
    expect(r.status).toBe(1);
    const err = expectClean('odid encode errors', r.stderr);
    expect(err).toContain('line 1: basicId.uasId:');
    expect(err).toMatch(/…\[\d+ more\]/);
    expect(err).toContain('\\u202eevil\\u2066');
    expect(err).toContain('line 3: not valid JSON');
    for (const line of err.trimEnd().split('\n')) expect(line.length, line.slice(0, 300)).toBeLessThanOrEqual(1100);

    const hex = run('odid', ['decode', '--hex', '-'], '\u001b[2J\n\u009b\u202e\n');
    expect(hex.status).toBe(1);
    expect(expectClean('odid decode --hex errors', hex.stderr)).toContain('\\x1b[');
  });

  it('rid-scan: a file name echoed in an error is escaped', () => {
    const r = run('rid-scan', ['--replay', capture, '--fast', '--once', '--out', `x\u001b[2J\u202e.txt`]);
    expect(r.status).not.toBe(0);
    expect(expectClean('rid-scan error', r.stderr)).toContain('x\\x1b[2J\\u202e.txt');
  });
});
