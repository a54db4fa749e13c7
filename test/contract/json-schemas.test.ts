/**
 * The project's own contract: docs/decoded-json.md and the JSON Schemas beside it (docs/schemas). Every
 * JSON-printing CLI is run the way a user runs it and every value it prints is validated with ajv (strict
 * mode); each schema is also shown to reject a corrupted value at the expected place, so the checks can fail.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { corpusPath, fixturePath, itCorpus, repoRoot } from '../support/fixtures.js';
import { odid, ridBroadcast, ridScan, runCliBinary } from '../support/run-cli.js';

// ---- the schemas ----

const SCHEMA_DIR = path.join(repoRoot, 'docs/schemas');
const DOC = path.join(repoRoot, 'docs/decoded-json.md');
const BASE = 'https://odid-toolkit.invalid/schemas/';
const schemaFiles = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));

// ajv is CommonJS: seen from an ES module (NodeNext), its default export is the module, whose `default` is the class.
const ajv = new Ajv2020.default({ strict: true, allErrors: true });
for (const f of schemaFiles) ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as object);

function schema(ref: string): ValidateFunction {
  const v = ajv.getSchema(BASE + ref);
  if (!v) throw new Error(`no schema ${ref}`);
  return v;
}
const message = schema('message.schema.json');
const frame = schema('received-frame.schema.json');
const track = schema('track.schema.json');
const trackList = schema('track.schema.json#/$defs/trackList');
const trackUpdate = schema('track.schema.json#/$defs/trackUpdate');
const transmission = schema('transmission.schema.json');

/** The values that fail, with where and why (at most 5, shortened): `[]` when all pass. */
function failures(validate: ValidateFunction, values: readonly unknown[]): string[] {
  const out: string[] = [];
  values.forEach((v, i) => {
    if (out.length < 5 && !validate(v)) {
      const why = (validate.errors ?? []).slice(0, 6).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
      out.push(`#${i} ${JSON.stringify(v).slice(0, 300)} -> ${why.join('; ')}`);
    }
  });
  return out;
}

function expectAllValid(validate: ValidateFunction, values: readonly unknown[], atLeast = 1): void {
  expect(values.length).toBeGreaterThanOrEqual(atLeast);
  expect(failures(validate, values)).toEqual([]);
}

/** JSON Lines: one value per non-empty line, and nothing else. */
const jsonl = (text: string): unknown[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);

/** The command succeeded (its stderr shown when it did not). */
function ok(r: { status: number | null; stderr: string }): void {
  expect(r.status, r.stderr).toBe(0);
}

const dir = mkdtempSync(path.join(tmpdir(), 'odid-contract-'));

/** Runs `make` the first time only. */
function once<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

// Decoded JSON, read loosely by the assertions (the schemas are what check it).
type Obj = Record<string, any>;
const messageOf = (l: unknown): Obj => (l as Obj).message as Obj;
const ALL_TRANSPORTS = ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'];

// ---- inputs: every message type and its variants, in the decoded form odid encode reads ----

const location = (o: Obj): Obj => ({
  type: 'location', status: 2, direction: 216, speedHorizontal: 5.5, speedVertical: -3.5, latitude: 45.539309, longitude: -122.966389,
  altitudeBaro: 109.5, altitudeGeo: 111, heightType: 0, height: 80, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3,
  tsAccuracy: 2, timestamp: 360.5, ...o,
});
const INPUTS: Obj[] = [
  { type: 'basicId', idType: 1, uaType: 2, uasId: '1581F5FJD228400X0S2K' },
  { type: 'basicId', protocolVersion: 1, idType: 4, uaType: 15, uasIdHex: '00112233445566778899aabbccddeeff00112233' },
  { type: 'basicId', protocolVersion: 0, idType: 3, uaType: 1, uasIdHex: '0123456789abcdef0123456789abcdef' },
  { type: 'basicId', idType: 2, uaType: 3, uasId: 'FRA-Bébé\u00ff' },
  location({}),
  location({ protocolVersion: 0, status: 0, direction: 361, speedHorizontal: 255, speedVertical: 63, latitude: 0, longitude: 0, altitudeBaro: -1000, altitudeGeo: -1000, heightType: 1, height: -1000, horizAccuracy: 0, vertAccuracy: 0, baroAccuracy: 0, speedAccuracy: 0, tsAccuracy: 0, timestamp: 65535 }),
  location({ status: 3, direction: 359, speedHorizontal: 63.75, speedMultiplier: 1, speedVertical: 62, latitude: -89.9999999, longitude: 179.9999999, altitudeBaro: 31767.5, altitudeGeo: 31767.5, horizAccuracy: 12, vertAccuracy: 6, baroAccuracy: 6, speedAccuracy: 4, tsAccuracy: 15, timestamp: 3600 }),
  location({ status: 4, direction: 0, speedHorizontal: 254.25, speedVertical: -62, latitude: 45.5394, longitude: -122.9664, timestamp: 0 }),
  { type: 'auth', authType: 1, dataPage: 0, lastPageIndex: 2, length: 50, timestamp: 219000000, authData: '000102030405060708090a0b0c0d0e0f10' },
  { type: 'auth', authType: 1, dataPage: 1, authData: '1112131415161718191a1b1c1d1e1f2021222324252627' },
  { type: 'auth', authType: 1, dataPage: 2, authData: '28292a2b2c2d2e2f3031' },
  { type: 'auth', protocolVersion: 0, authType: 10, dataPage: 0, lastPageIndex: 0, length: 0, timestamp: 0, authData: '' },
  { type: 'selfId', descType: 0, desc: 'Survey flight' },
  { type: 'selfId', descType: 1, desc: 'Emergency: motor out!!' },
  { type: 'selfId', descType: 201, desc: '' },
  { type: 'system', operatorLocationType: 0, classificationType: 1, operatorLatitude: 45.5393, operatorLongitude: -122.9663, areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 1, classEU: 2, operatorAltitudeGeo: 95.5, timestamp: 219000000 },
  { type: 'system', protocolVersion: 0, operatorLocationType: 1, classificationType: 0, operatorLatitude: 0, operatorLongitude: 0, areaCount: 65535, areaRadius: 2550, areaCeiling: 500, areaFloor: -20, categoryEU: 0, classEU: 0, operatorAltitudeGeo: -1000, timestamp: 0 },
  { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
  { type: 'operatorId', operatorIdType: 201, operatorId: 'GBR-OP-BAZ4DH6GJ88T' },
  {
    type: 'messagePack',
    messages: [
      { type: 'basicId', idType: 1, uaType: 2, uasId: '1581F5FJD228400X0S2K' },
      { type: 'basicId', idType: 4, uaType: 2, uasIdHex: 'ffeeddccbbaa99887766' },
      location({ direction: 90, speedHorizontal: 12.25, latitude: 45.5396, longitude: -122.9661, timestamp: 1234.5 }),
      { type: 'auth', authType: 2, dataPage: 0, lastPageIndex: 0, length: 4, timestamp: 1, authData: 'deadbeef' },
      { type: 'selfId', descType: 0, desc: 'Pack' },
      { type: 'system', operatorLocationType: 2, classificationType: 1, operatorLatitude: 45.54, operatorLongitude: -122.97, areaCount: 1, areaRadius: 100, areaCeiling: 150, areaFloor: 0, categoryEU: 2, classEU: 0, operatorAltitudeGeo: 10, timestamp: 219000001 },
      { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
    ],
  },
  // a page of another signature without its page 0: left incomplete (a track's authMissing)
  { type: 'auth', authType: 3, dataPage: 1, authData: '0102' },
];

/** What only a faulty transmitter sends: values at the edges of what the bytes can hold. */
function oddHexes(): string[] {
  const hex = (...parts: (number[] | Buffer)[]): string => Buffer.concat(parts.map((p) => Buffer.from(p))).toString('hex');
  const i32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return b;
  };
  const basicId = Buffer.from('0212313538314635464a44323238343030583053324b000000', 'hex');
  const badAuth = [0x22, 0x10, 0x00, 0xc8, 0, 0, 0, 0, ...new Array<number>(17).fill(0)]; // length 200 > 17: does not decode
  return [
    // direction byte 255 + E/W, 63.75 m/s with the multiplier, -64 m/s, latitudes at the int32 limits, timestamp 6553.4
    hex([0x12, 0x23, 0xff, 0x00, 0x80], i32(0x7fffffff), i32(-0x80000000), [0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xfe, 0xff, 0x1f, 0x00]),
    hex([0x0f, 0x9f], new Array<number>(23).fill(0)), // protocol version 15, reserved ID type 9
    hex([0x3f, 0xff], new Array<number>(23).fill(0)),
    hex([0x4f, 0xff], new Array<number>(22).fill(0), [0xff]),
    hex([0x5f, 0xff], new Array<number>(23).fill(0)),
    hex([0x2f, 0xff], new Array<number>(22).fill(0), [0xff]),
    hex([0xf2, 0x19, 0x02], basicId, badAuth), // a pack keeping its good member, listing the bad one
    hex([0xf2, 0x19, 0x01], badAuth), // nothing left but the error
  ];
}

// ---- a Wi-Fi capture of DJI and French elements, built here (pcap, 802.11 without FCS) ----

function pcap(frames: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(105, 20); // LINKTYPE_IEEE802_11
  const records = frames.map((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1767225600 + i, 0);
    r.writeUInt32LE(250000 * (i % 4), 4);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    return Buffer.concat([r, f]);
  });
  return Buffer.concat([header, ...records]);
}

/** A beacon from `mac` carrying one vendor element (OUI + body). */
function beacon(mac: string, oui: number[], body: Buffer): Buffer {
  const addr = Buffer.from(mac.replace(/:/g, ''), 'hex');
  return Buffer.concat([
    Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(6, 0xff), addr, addr, Buffer.alloc(2), // header
    Buffer.alloc(8), Buffer.from([0x64, 0, 0, 0]), // timestamp, interval, capabilities
    Buffer.from([0, 0]), // empty SSID
    Buffer.from([0xdd, body.length + 3, ...oui]), body,
  ]);
}
const DJI_OUI = [0x26, 0x37, 0x12];
const FRENCH_OUI = [0x6a, 0x5c, 0x35];
const radE7 = (deg: number): number => Math.round(((deg * Math.PI) / 180) * 1e7);

/** A DJI flight-info element body (subcommand 0x10) in layout v1 (75 bytes), v2 (87) or an unknown one. */
function djiFlightInfo(layout: 'v1' | 'v2' | 'unknown', sequence: number, serial = '3NZCH7M00000TEST'): Buffer {
  const r = Buffer.alloc(layout === 'v1' ? 75 : layout === 'v2' ? 87 : 40);
  r[0] = layout === 'v1' ? 1 : layout === 'v2' ? 2 : 7;
  r.writeUInt16LE(sequence, 1);
  r.writeUInt16LE(0x0f77, 3);
  r.write(serial, 5, 'latin1');
  r.writeInt32LE(radE7(7.4471), 21);
  r.writeInt32LE(radE7(46.9481), 25);
  if (layout !== 'unknown') {
    r.writeInt16LE(560, 29);
    r.writeInt16LE(42, 31);
    r.writeInt16LE(-250, 33);
    r.writeInt16LE(310, 35);
    r.writeInt16LE(26, 37);
  }
  if (layout === 'v1') {
    r.writeInt16LE(-150, 39);
    r.writeInt16LE(220, 41);
    r.writeInt16LE(9000, 43);
    r.writeInt32LE(radE7(7.4465), 45);
    r.writeInt32LE(radE7(46.9475), 49);
    r[53] = 16;
  }
  if (layout === 'v2') {
    r.writeInt16LE(-4500, 39);
    r.writeUInt32LE(Date.UTC(2026, 0, 1) % 2 ** 32, 41);
    r.writeUInt32LE(Math.floor(Date.UTC(2026, 0, 1) / 2 ** 32), 45);
    r.writeInt32LE(radE7(46.947), 49);
    r.writeInt32LE(radE7(7.446), 53);
    r.writeInt32LE(radE7(7.4465), 57);
    r.writeInt32LE(radE7(46.9475), 61);
    r[65] = 58;
    r[66] = 4;
    r.write('ABCD', 67, 'latin1');
  }
  return Buffer.concat([Buffer.from([0x58, 0x62, 0x13, 0x10]), r]);
}

function djiPurpose(): Buffer {
  const r = Buffer.alloc(28 + 12);
  r.write('3NZCH7M00000TEST', 0, 'latin1');
  r[16] = 6;
  r.write('DRONE1', 17, 'latin1');
  r[27] = 14; // more than the 12 bytes present: a warning
  r.write('Roof survey 12', 28, 'latin1');
  return Buffer.concat([Buffer.from([0x58, 0x62, 0x13, 0x11]), r]);
}

function frenchId(): Buffer {
  const tlv = (type: number, value: Buffer): Buffer => Buffer.concat([Buffer.from([type, value.length]), value]);
  const be = (bytes: number, v: number): Buffer => {
    const b = Buffer.alloc(bytes);
    b.writeIntBE(v, 0, bytes);
    return b;
  };
  const id = Buffer.alloc(30);
  id.write('DJIMAVIC3000000000000000012345', 0, 'latin1');
  return Buffer.concat([
    Buffer.from([0x01]),
    tlv(1, Buffer.from([1])), tlv(2, id), tlv(3, Buffer.from('1581F5FJD228400X0S2K', 'latin1')),
    tlv(4, be(4, 4394965)), tlv(5, be(4, 481871)), tlv(6, be(2, 137)), tlv(7, be(2, 40)),
    tlv(8, be(4, 4394974)), tlv(9, be(4, 481879)), tlv(10, be(1, -3)), tlv(11, be(2, 331)),
    tlv(99, Buffer.from([1, 2])), // unknown: a warning
  ]);
}

const vendorCapture = pcap([
  beacon('60:60:1f:aa:bb:01', DJI_OUI, djiFlightInfo('v2', 100)),
  beacon('60:60:1f:aa:bb:01', DJI_OUI, djiPurpose()),
  beacon('60:60:1f:aa:bb:01', DJI_OUI, djiFlightInfo('v2', 101)),
  beacon('60:60:1f:aa:bb:02', DJI_OUI, djiFlightInfo('v1', 7, '08QDE1234567')),
  beacon('60:60:1f:aa:bb:03', DJI_OUI, djiFlightInfo('unknown', 9, '')),
  beacon('60:60:1f:aa:bb:04', DJI_OUI, Buffer.concat([Buffer.from([0x58, 0x62, 0x13, 0x00]), Buffer.alloc(40)])), // blank record
  beacon('60:60:1f:aa:bb:05', FRENCH_OUI, frenchId()),
  beacon('60:60:1f:aa:bb:05', FRENCH_OUI, frenchId()),
]);

/** The real DJI and French frames of the external corpus, in one capture. */
function corpusVendorCapture(): Buffer {
  const extract = (file: string): Map<string, Buffer> =>
    new Map(
      readFileSync(corpusPath(file), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split('\t'))
        .map(([name, , hex]) => [name!, Buffer.from(hex!, 'hex')]),
    );
  const scapyDji = extract('aeburriel+scapy-uas-remoteid/extracted/test_wifi_dji.hex');
  const french = extract('aeburriel+scapy-uas-remoteid/extracted/test_wifi_sgdsn.hex');
  const ocusync = extract('RUB-SysSec+DroneSecurity/extracted/mavic_air_2_decoded.hex').get('mavic_air_2_burst3')!;
  return pcap([
    french.get('sgdsn_french_beacon')!,
    scapyDji.get('dji_throwie_beacon')!,
    beacon('60:60:1f:00:00:01', DJI_OUI, scapyDji.get('dji_mavic_payload_flightinfo_0x10')!),
    beacon('60:60:1f:00:00:01', DJI_OUI, scapyDji.get('dji_mavic_payload_purpose_0x11')!),
    // the OcuSync burst's record (after its length and subcommand bytes) as a Wi-Fi element
    beacon('60:60:1f:00:00:02', DJI_OUI, Buffer.concat([Buffer.from([0x58, 0x62, 0x13, 0x10]), ocusync.subarray(2, 2 + 87)])),
  ]);
}

/** INPUTS as a transmitter sends them on every transport: `odid encode --pcapng`. */
const encodedCapture = once(() => {
  const inputs = path.join(dir, 'inputs.jsonl');
  writeFileSync(inputs, INPUTS.map((m) => JSON.stringify(m)).join('\n') + '\n');
  const e = runCliBinary('packages/cli/src/odid.ts', ['encode', inputs, '--pcapng', '-', '--transport', ALL_TRANSPORTS.join(','), '--start', '2026-01-01T00:00:00Z']);
  ok(e);
  const file = path.join(dir, 'encoded.pcapng');
  writeFileSync(file, e.stdout);
  return file;
});

// ---- the in-repo captures ----

const CAPTURES_DIR = 'opendroneid+wireshark-dissector';
const captures = (): string[] => {
  const root = fixturePath('captures', CAPTURES_DIR);
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : /\.pcap(ng)?$/.test(e.name) ? [path.join(d, e.name)] : []));
  return walk(root).sort();
};
const BT5 = fixturePath('captures', CAPTURES_DIR, 'odid_bt5_lr_sample.pcapng');
const WIFI = fixturePath('captures', CAPTURES_DIR, 'odid_wifi_sample.pcap');

// =====================================================================================================

/** The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#+ +(.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
}

describe('docs/schemas', () => {
  it('compile in strict mode, every definition too, and docs/decoded-json.md links each of them and nothing outside the repository', () => {
    expect(schemaFiles.sort()).toEqual(['message.schema.json', 'received-frame.schema.json', 'track.schema.json', 'transmission.schema.json']);
    for (const f of schemaFiles) {
      const json = JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as { $id: string; $schema: string; $defs?: object };
      expect(json.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(json.$id).toBe(BASE + f);
      for (const def of Object.keys(json.$defs ?? {})) expect(schema(`${f}#/$defs/${def}`), `${f} ${def}`).toBeTypeOf('function');
    }
    const doc = readFileSync(DOC, 'utf8');
    const links = [...doc.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    for (const f of schemaFiles) expect(links).toContain(`schemas/${f}`);
    for (const link of links) {
      expect(link).not.toMatch(/^[a-z]+:/i);
      if (link.startsWith('#')) continue;
      // Another file of the repository, and the heading its fragment names, if any (GitHub's anchors).
      const [file, fragment] = link.split('#') as [string, string | undefined];
      const target = path.join(path.dirname(DOC), file);
      expect(existsSync(target), link).toBe(true);
      if (fragment !== undefined) expect(headingAnchors(readFileSync(target, 'utf8')), link).toContain(fragment);
    }
  });
});

describe('one message: odid decode --hex, odid encode', () => {
  const odd = oddHexes();
  const encoded = once(() => odid(['encode', '-'], INPUTS.map((m) => JSON.stringify(m)).join('\n') + '\n'));
  const hexList = once(() => encoded().stdout.split('\n').filter(Boolean));
  const decoded = once(() => odid(['decode', '--hex', '-'], [...hexList(), ...odd].join('\n') + '\n'));

  it('odid encode takes every input (the hexes decoded below)', () => {
    ok(encoded());
    expect(hexList()).toHaveLength(INPUTS.length);
  });

  it('odid decode --hex - prints only valid messages, of every type and variant, out-of-range values included', () => {
    const hexes = hexList();
    const r = decoded();
    ok(r);
    const lines = jsonl(r.stdout) as Obj[];
    expect(lines).toHaveLength(hexes.length + odd.length);
    expectAllValid(message, lines);
    expect(new Set(lines.map((m) => m.type))).toEqual(new Set(['basicId', 'location', 'auth', 'selfId', 'system', 'operatorId', 'messagePack']));
    // the variants the schema distinguishes all occurred
    expect(lines.some((m) => m.uasIdHex !== undefined)).toBe(true);
    expect(lines.some((m) => m.speedMultiplier === 1)).toBe(true);
    expect(lines.some((m) => m.type === 'auth' && m.dataPage === 0) && lines.some((m) => m.type === 'auth' && m.dataPage > 0)).toBe(true);
    expect(lines.some((m) => m.memberErrors !== undefined && m.messages.length === 0)).toBe(true);
    expect(lines.some((m) => m.direction === 435)).toBe(true);
  });

  it('--validate adds issues, and the schema knows them', () => {
    const hexes = hexList();
    const r = odid(['decode', '--validate', '--hex', '-'], [...hexes, ...odd].join('\n') + '\n');
    ok(r);
    const lines = jsonl(r.stdout) as Obj[];
    expectAllValid(message, lines, hexes.length + odd.length);
    const issues = lines.flatMap((m) => m.issues as Obj[]);
    expect(new Set(issues.map((i) => i.severity))).toEqual(new Set(['error', 'warning']));
    expect(issues.some((i) => /^messages\[\d\]$/.test(i.field))).toBe(true);
  });

  it('--pretty prints one valid document', () => {
    const pack = hexList()[INPUTS.findIndex((m) => m.type === 'messagePack')]!;
    const r = odid(['decode', '--pretty', '--hex', pack]);
    ok(r);
    expect(r.stdout.split('\n').length).toBeGreaterThan(10);
    expectAllValid(message, [JSON.parse(r.stdout)]);
  });

  it('odid encode reads what odid decode prints back to the same bytes', () => {
    const hexes = hexList();
    const mine = decoded().stdout.split('\n').slice(0, hexes.length).join('\n') + '\n';
    const again = odid(['encode', '-'], mine);
    ok(again);
    expect(again.stdout.split('\n').filter(Boolean)).toEqual(hexes);
  });
});

describe('one received frame: odid decode CAPTURE, rid-scan --jsonl', () => {
  const keptBad = once(() => odid(['decode', '--keep-bad-fcs', BT5]));

  it('has the in-repo captures', () => expect(captures().length).toBeGreaterThanOrEqual(5));

  for (const file of captures()) {
    it(`odid decode ${path.relative(fixturePath('captures'), file)}`, () => {
      const r = odid(['decode', file]);
      ok(r);
      expectAllValid(frame, jsonl(r.stdout));
    });
  }

  it('odid decode --keep-bad-fcs marks the frames that failed their CRC', () => {
    const r = keptBad();
    ok(r);
    const lines = jsonl(r.stdout) as Obj[];
    expectAllValid(frame, lines);
    expect(lines.some((l) => l.badFcs === true)).toBe(true);
  });

  it('odid encode --pcapng on every transport, read by odid decode -', () => {
    const r = odid(['decode', '-'], readFileSync(encodedCapture()));
    ok(r);
    const lines = jsonl(r.stdout) as Obj[];
    expectAllValid(frame, lines);
    expect(new Set(lines.map((l) => l.transport))).toEqual(new Set(ALL_TRANSPORTS));
    expect(new Set(lines.map((l) => messageOf(l).type))).toEqual(new Set(['basicId', 'location', 'auth', 'selfId', 'system', 'operatorId']));
  });

  it('rid-broadcast --pcapng - | odid decode -', () => {
    const b = runCliBinary('packages/broadcaster/src/cli/rid-broadcast.ts', [
      '--position', 'sim', '--pcapng', '-', '--clock', 'simulated', '--duration', '10', '--start', '2026-11-25T10:00:00Z',
    ]);
    ok(b);
    const r = odid(['decode', '-'], b.stdout);
    ok(r);
    const lines = jsonl(r.stdout) as Obj[];
    expectAllValid(frame, lines, 100);
    expect(new Set(lines.map((l) => l.transport))).toEqual(new Set(ALL_TRANSPORTS));
  });

  it('odid decode - of DJI DroneID and French elements', () => {
    const r = odid(['decode', '-'], vendorCapture);
    ok(r);
    const lines = jsonl(r.stdout) as Obj[];
    expectAllValid(frame, lines, 8);
    const kinds = lines.map((l) => `${l.transport} ${messageOf(l).type}${messageOf(l).layout ? ` ${messageOf(l).layout}` : ''}`);
    expect(new Set(kinds)).toEqual(
      new Set(['dji-wifi djiFlightInfo v1', 'dji-wifi djiFlightInfo v2', 'dji-wifi djiFlightInfo partial', 'dji-wifi djiFlightPurpose', 'wifi-beacon frenchId']),
    );
  });

  itCorpus('odid decode - of the real DJI DroneID and French frames of the corpus', () => {
    const r = odid(['decode', '-'], corpusVendorCapture());
    ok(r);
    expectAllValid(frame, jsonl(r.stdout), 5);
  });

  it('rid-scan --replay CAPTURE --jsonl - prints the lines odid decode prints, and nothing else', () => {
    const r = ridScan(['--replay', BT5, '--fast', '--once', '--keep-bad-fcs', '--jsonl', '-']);
    ok(r);
    expectAllValid(frame, jsonl(r.stdout), 1000);
    expect(r.stdout).toBe(keptBad().stdout);
  });
});

describe('one track: rid-scan --json, --out FILE.jsonl', () => {
  it('rid-scan --sim --fast --once --json --jsonl FILE --out FILE.jsonl: the simulated scene, frames without a capture', () => {
    const frames = path.join(dir, 'sim-frames.jsonl');
    const updates = path.join(dir, 'sim-updates.jsonl');
    const r = ridScan(['--sim', '--fast', '--once', '--json', '--duration', '60', '--jsonl', frames, '--out', updates]);
    ok(r);
    const tracks = JSON.parse(r.stdout) as Obj[];
    expectAllValid(trackList, [tracks]);
    expect(tracks.length).toBeGreaterThanOrEqual(3);
    expect(tracks.some((t) => t.distance !== undefined && t.operator !== null)).toBe(true);
    const lines = jsonl(readFileSync(frames, 'utf8')) as Obj[];
    expectAllValid(frame, lines, 1000);
    expect(lines.every((l) => l.frame === undefined)).toBe(true);
    expectAllValid(trackUpdate, jsonl(readFileSync(updates, 'utf8')), 100);
  });

  it('rid-scan --replay CAPTURE --json --jsonl FILE --out FILE.jsonl: tracks, received frames and track updates', () => {
    const frames = path.join(dir, 'frames.jsonl');
    const updates = path.join(dir, 'updates.jsonl');
    const r = ridScan(['--replay', encodedCapture(), '--fast', '--once', '--json', '--jsonl', frames, '--out', updates]);
    ok(r);
    const tracks = JSON.parse(r.stdout) as Obj[];
    expectAllValid(trackList, [tracks]);
    expect(tracks.some((t) => t.auth !== null && t.authMissing !== undefined)).toBe(true);
    expectAllValid(frame, jsonl(readFileSync(frames, 'utf8')), 50);
    const lines = jsonl(readFileSync(updates, 'utf8')) as Obj[];
    expectAllValid(trackUpdate, lines, 50);
    expect(new Set(lines.map((l) => l.update))).toContain('created');
  });

  it('rid-scan --replay CAPTURE --json --jsonl FILE on a real capture', () => {
    const frames = path.join(dir, 'wifi-frames.jsonl');
    const r = ridScan(['--replay', WIFI, '--fast', '--once', '--json', '--jsonl', frames]);
    ok(r);
    expectAllValid(trackList, [JSON.parse(r.stdout)]);
    expectAllValid(frame, jsonl(readFileSync(frames, 'utf8')), 40);
  });

  it('rid-scan --replay - of DJI DroneID and French elements', () => {
    const updates = path.join(dir, 'vendor-updates.jsonl');
    const r = ridScan(['--replay', '-', '--fast', '--once', '--json', '--out', updates], vendorCapture);
    ok(r);
    const tracks = JSON.parse(r.stdout) as Obj[];
    expectAllValid(trackList, [tracks]);
    expect(tracks.some((t) => t.dji?.layout === 'v2' && t.djiPurpose && t.operator?.source === 'dji-app' && t.home?.source === 'dji')).toBe(true);
    expect(tracks.some((t) => t.frenchId && t.home?.source === 'french-takeoff')).toBe(true);
    expectAllValid(trackUpdate, jsonl(readFileSync(updates, 'utf8')));
  });

  itCorpus('rid-scan --replay - of the real DJI DroneID and French frames of the corpus', () => {
    const r = ridScan(['--replay', '-', '--fast', '--once', '--json'], corpusVendorCapture());
    ok(r);
    expectAllValid(trackList, [JSON.parse(r.stdout)]);
  });
});

describe('transmissions: rid-broadcast --dry-run', () => {
  it('prints valid transmissions on every transport (a DRIP identity: a binary session ID beside the serial)', () => {
    const config = path.join(repoRoot, 'packages/broadcaster/examples/drip-session.yaml');
    const r = ridBroadcast(['--config', config, '--dry-run', '--clock', 'simulated', '--duration', '10', '--start', '2026-11-25T10:00:00Z']);
    ok(r);
    const lines = jsonl(r.stdout) as Obj[];
    expectAllValid(transmission, lines, 50);
    expect(new Set(lines.map((l) => l.transport))).toEqual(new Set(ALL_TRANSPORTS));
    expect(lines.some((l) => messageOf(l).idType === 4 && messageOf(l).uasIdHex)).toBe(true);
  });
});

// =====================================================================================================
// Each schema rejects what the code never prints: a valid sample, corrupted, fails at the expected place.

const LOCATION = {
  type: 'location', protocolVersion: 2, status: 2, direction: 216, speedHorizontal: 5.5, speedVertical: 0, latitude: 45.539309, longitude: -122.966389,
  altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 1, timestamp: 360.5,
};
const BASIC_ID = { type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: '1581F5FJD228400X0S2K' };
const AUTH_PAGE1 = { type: 'auth', protocolVersion: 2, authType: 1, dataPage: 1, authData: '00'.repeat(23) };
const PACK = { type: 'messagePack', protocolVersion: 2, singleMessageSize: 25, messages: [BASIC_ID, LOCATION] };
const FRAME = { t: 1700000000.5, frame: 3, transport: 'wifi-beacon', mac: 'aa:bb:cc:dd:ee:ff', rssi: -61, channel: 6, counter: 42, message: LOCATION };
const DJI_FRAME = {
  t: 1700000001, transport: 'dji-wifi', mac: '60:60:1f:00:00:01',
  message: {
    type: 'djiFlightPurpose', serialNumber: '3NZCH7M00000TEST', droneId: 'D1', purpose: 'Survey', warnings: [],
  },
};
const TRACK = {
  key: 'trk-1', uasId: '1581F5FJD228400X0S2K', idType: 1, uaType: 2, ids: [BASIC_ID], addresses: ['aa:bb:cc:dd:ee:ff'], transports: ['wifi-beacon'],
  location: LOCATION, system: null, operatorId: null, selfId: null, auth: null, messages: 2, firstSeen: 1700000000, lastSeen: 1700000000.5,
  state: 'active', flags: ['missing-system'], authorised: false, zones: ['Stadium'], operatorZones: [], position: { t: 1700000000.5, lat: 45.539309, lon: -122.966389, alt: 110, speed: 5.5, course: 216 },
  operator: null, home: null, rates: { basicId: 1, location: 1 },
  links: [{ address: 'aa:bb:cc:dd:ee:ff', transport: 'wifi-beacon', messages: 2, firstSeen: 1700000000, lastSeen: 1700000000.5, rssi: -61, channel: 6, counters: { pack: { received: 2, missed: 0, repeats: 0, resets: 0, loss: 0, last: 43 } } }],
};
const UPDATE = {
  t: 1700000000.5, update: 'updated', track: TRACK,
  alerts: [{ kind: 'zone', text: 'entered zone Stadium', zone: 'Stadium', who: 'drone' }, { kind: 'flag', text: 'no System message received', flag: 'missing-system' }],
};
const TRANSMISSION = { t: 1795600800, transport: 'ble-legacy', counter: 0, hex: '12101a000080a1031cc0687804b80bb80bd0074a4300000100', message: LOCATION };

type Change = (v: Obj) => void;
interface Case {
  name: string;
  schema: ValidateFunction;
  sample: Obj;
  change: Change;
  /** An error ajv must report: where (instancePath) and which keyword. */
  expected: { instancePath: string; keyword: string };
}
const clone = (v: Obj): Obj => JSON.parse(JSON.stringify(v)) as Obj;

const CASES: Case[] = [
  { name: 'message: a direction beyond what the bytes hold', schema: message, sample: LOCATION, change: (v) => (v.direction = 436), expected: { instancePath: '/direction', keyword: 'maximum' } },
  { name: 'message: a speed off the 0.25 m/s grid', schema: message, sample: LOCATION, change: (v) => (v.speedHorizontal = 5.3), expected: { instancePath: '/speedHorizontal', keyword: 'multipleOf' } },
  { name: 'message: a key the decoder never writes', schema: message, sample: LOCATION, change: (v) => (v.speed = 5.5), expected: { instancePath: '', keyword: 'unevaluatedProperties' } },
  { name: 'message: uasIdHex on a text ID type', schema: message, sample: BASIC_ID, change: (v) => (v.uasIdHex = '00'.repeat(20)), expected: { instancePath: '/uasIdHex', keyword: 'false schema' } },
  { name: 'message: page-0 fields on a later auth page', schema: message, sample: AUTH_PAGE1, change: (v) => (v.length = 40), expected: { instancePath: '/length', keyword: 'false schema' } },
  { name: 'message: two Location messages in one pack', schema: message, sample: PACK, change: (v) => v.messages.push(LOCATION), expected: { instancePath: '/messages', keyword: 'contains' } },
  { name: 'message: an unknown issue severity', schema: message, sample: LOCATION, change: (v) => (v.issues = [{ field: 'location.direction', value: 1, allowed: 'x', severity: 'info', protocolVersion: 2 }]), expected: { instancePath: '/issues/0/severity', keyword: 'enum' } },
  { name: 'frame: an upper-case address', schema: frame, sample: FRAME, change: (v) => (v.mac = 'AA:BB:CC:DD:EE:FF'), expected: { instancePath: '/mac', keyword: 'pattern' } },
  { name: 'frame: an unknown transport', schema: frame, sample: FRAME, change: (v) => (v.transport = 'lora'), expected: { instancePath: '/transport', keyword: 'enum' } },
  { name: 'frame: an ODID message without its counter', schema: frame, sample: FRAME, change: (v) => delete v.counter, expected: { instancePath: '', keyword: 'required' } },
  { name: 'frame: a message field of the wrong type', schema: frame, sample: FRAME, change: (v) => (v.message.latitude = '45.5'), expected: { instancePath: '/message/latitude', keyword: 'type' } },
  { name: 'frame: a DJI record with a counter', schema: frame, sample: DJI_FRAME, change: (v) => (v.counter = 1), expected: { instancePath: '/counter', keyword: 'false schema' } },
  { name: 'track: an unknown state', schema: track, sample: TRACK, change: (v) => (v.state = 'gone'), expected: { instancePath: '/state', keyword: 'enum' } },
  { name: 'track: an unknown flag', schema: track, sample: TRACK, change: (v) => v.flags.push('suspicious'), expected: { instancePath: '/flags/1', keyword: 'enum' } },
  { name: 'track: a loss ratio above 1', schema: track, sample: TRACK, change: (v) => (v.links[0].counters.pack.loss = 1.5), expected: { instancePath: '/links/0/counters/pack/loss', keyword: 'maximum' } },
  { name: 'track: a location with a key the decoder never writes', schema: track, sample: TRACK, change: (v) => (v.location.extra = 1), expected: { instancePath: '/location', keyword: 'unevaluatedProperties' } },
  { name: 'track update: an unknown reason', schema: trackUpdate, sample: UPDATE, change: (v) => (v.update = 'deleted'), expected: { instancePath: '/update', keyword: 'enum' } },
  { name: 'track: no zones list', schema: track, sample: TRACK, change: (v) => delete v.zones, expected: { instancePath: '', keyword: 'required' } },
  { name: 'track: authorised as a string', schema: track, sample: TRACK, change: (v) => (v.authorised = 'yes'), expected: { instancePath: '/authorised', keyword: 'type' } },
  { name: 'track update: an alert of an unknown kind', schema: trackUpdate, sample: UPDATE, change: (v) => (v.alerts[1].kind = 'bored'), expected: { instancePath: '/alerts/1/kind', keyword: 'enum' } },
  { name: 'track update: a zone alert without its zone', schema: trackUpdate, sample: UPDATE, change: (v) => delete v.alerts[0].zone, expected: { instancePath: '/alerts/0', keyword: 'required' } },
  { name: 'track update: an empty alerts list', schema: trackUpdate, sample: UPDATE, change: (v) => (v.alerts = []), expected: { instancePath: '/alerts', keyword: 'minItems' } },
  { name: 'transmission: upper-case hex', schema: transmission, sample: TRANSMISSION, change: (v) => (v.hex = String(v.hex).toUpperCase()), expected: { instancePath: '/hex', keyword: 'pattern' } },
  { name: 'transmission: a pack on ble-legacy', schema: transmission, sample: TRANSMISSION, change: (v) => (v.message = PACK), expected: { instancePath: '/message/type', keyword: 'enum' } },
];

describe('each schema rejects a corrupted value where it is corrupted', () => {
  for (const c of CASES) {
    it(c.name, () => {
      expect(failures(c.schema, [c.sample])).toEqual([]);
      const bad = clone(c.sample);
      c.change(bad);
      expect(c.schema(bad)).toBe(false);
      const errors = (c.schema.errors ?? []) as ErrorObject[];
      expect(errors.map((e) => ({ instancePath: e.instancePath, keyword: e.keyword }))).toContainEqual(c.expected);
    });
  }
});
