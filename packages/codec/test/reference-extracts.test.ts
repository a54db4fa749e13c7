/**
 * Every frame of every captures/reference/*.json goes through the layer of our codec that matches its
 * `hex_kind`, then the receive path (RemoteIdExtractor) or decodeMessage, and must decode as the reference
 * implementation (opendroneid-core-c) says: every field of its `decoded` structs, compared through an explicit
 * name map (a reference field the map does not know fails the test), plus counter, transport and address.
 * Frames the reference refused (ok: false) must be refused by us too. DJI, French and OcuSync records have no
 * reference decoding (PROVENANCE.md): they must at least go through our parsers and the receive path cleanly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusFiles, corpusPath, corpusPlaceholder, describeCorpus } from '../../../test/support/fixtures.js';
import { fromHex, toHex } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import { diagnosticInfo } from '../src/diagnostics.js';
import {
  findOdidServiceData,
  parseDjiDroneId,
  parseDjiFlightInfoRecord,
  parseFrenchId,
  parseOdidBeaconElement,
  walkElements,
} from '../src/framing/index.js';
import { BLE_ADV_ACCESS_ADDRESS, buildBleAdvPdu, LINKTYPE, parseRadiotap } from '../src/link/index.js';
import { decodeMessage, decodeMessageExact } from '../src/messages/codec.js';
import type { SingleMessage } from '../src/messages/types.js';
import { RemoteIdExtractor, type ReceivedMessage } from '../src/receive/index.js';

interface RefFrame {
  index?: string;
  record: string;
  hex_kind?: string;
  transport: string;
  frame_hex: string;
  fcs_present?: boolean;
  sa?: string;
  counter?: number;
  payload_hex?: string;
  ble_ad_len?: number;
  note?: string;
  library_mac?: string;
  ok?: boolean;
  decoded?: Record<string, unknown> | null;
  decoded_from_extracted_pack?: Record<string, unknown>;
  rub_droneid_packet?: Record<string, unknown>;
}
interface RefFile {
  frames: RefFrame[];
  records_total?: number;
  odid_payloads_decoded_ok?: number;
  odid_payloads_failed?: number;
}

const files = corpusFiles('reference')
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((name) => ({ name, ref: JSON.parse(readFileSync(corpusPath('reference', name), 'utf8')) as RefFile }));

// ---------------------------------------------------------------------------------------------------
// The name map: reference struct and field names -> our decoded form. null = derived from another field
// (the *_hex twins of the text fields), checked by `hexOf`.

type Group = 'BasicID' | 'Location' | 'Auth' | 'SelfID' | 'System' | 'OperatorID';
const GROUP_OF: Record<SingleMessage['type'], Group> = {
  basicId: 'BasicID',
  location: 'Location',
  auth: 'Auth',
  selfId: 'SelfID',
  system: 'System',
  operatorId: 'OperatorID',
};
/** Groups the reference keeps as arrays (two Basic IDs, up to 16 authentication pages). */
const ARRAY_GROUPS = new Set<Group>(['BasicID', 'Auth']);

const FIELD_MAP: Record<Group, Record<string, string>> = {
  BasicID: { UAType: 'uaType', IDType: 'idType', UASID: 'uasId', UASID_hex: 'uasId' },
  Location: {
    Status: 'status',
    Direction: 'direction',
    SpeedHorizontal: 'speedHorizontal',
    SpeedVertical: 'speedVertical',
    Latitude: 'latitude',
    Longitude: 'longitude',
    AltitudeBaro: 'altitudeBaro',
    AltitudeGeo: 'altitudeGeo',
    HeightType: 'heightType',
    Height: 'height',
    HorizAccuracy: 'horizAccuracy',
    VertAccuracy: 'vertAccuracy',
    BaroAccuracy: 'baroAccuracy',
    SpeedAccuracy: 'speedAccuracy',
    TSAccuracy: 'tsAccuracy',
    TimeStamp: 'timestamp',
  },
  Auth: {
    DataPage: 'dataPage',
    AuthType: 'authType',
    LastPageIndex: 'lastPageIndex',
    Length: 'length',
    Timestamp: 'timestamp',
    AuthData_hex: 'authData',
  },
  SelfID: { DescType: 'descType', Desc: 'desc', Desc_hex: 'desc' },
  System: {
    OperatorLocationType: 'operatorLocationType',
    ClassificationType: 'classificationType',
    OperatorLatitude: 'operatorLatitude',
    OperatorLongitude: 'operatorLongitude',
    AreaCount: 'areaCount',
    AreaRadius: 'areaRadius',
    AreaCeiling: 'areaCeiling',
    AreaFloor: 'areaFloor',
    CategoryEU: 'categoryEU',
    ClassEU: 'classEU',
    OperatorAltitudeGeo: 'operatorAltitudeGeo',
    Timestamp: 'timestamp',
  },
  OperatorID: { OperatorIdType: 'operatorIdType', OperatorId: 'operatorId', OperatorId_hex: 'operatorId' },
};
/** Size of the text fields whose `_hex` twin the reference gives (the whole NUL-padded field). */
const TEXT_SIZE: Record<string, number> = { UASID_hex: 20, Desc_hex: 23, OperatorId_hex: 20 };
/** Positions: the reference prints degrees with 7 decimals (the wire resolution); ours is raw / 1e7. */
const LATLON = new Set(['Latitude', 'Longitude', 'OperatorLatitude', 'OperatorLongitude']);

/** Our Latin-1 text field back to its NUL-padded bytes, as hex. */
function hexOf(text: string, size: number): string {
  const b = new Uint8Array(size);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  return toHex(b);
}

function compareStruct(group: Group, ref: Record<string, unknown>, ours: Record<string, unknown>, where: string): void {
  for (const [name, want] of Object.entries(ref)) {
    if (name.startsWith('_')) continue; // the reference's unit helpers (_HorizAccuracy_m, ...): not decoded fields
    const ourName = FIELD_MAP[group][name];
    const at = `${where} ${group}.${name}`;
    expect(ourName, `${at}: no mapping for this reference field`).toBeDefined();
    const got = ours[ourName!];
    if (name in TEXT_SIZE) {
      // Binary Basic IDs (ID types 3 and 4) are exact in uasIdHex; text ones are their Latin-1 bytes.
      const hex = group === 'BasicID' && typeof ours.uasIdHex === 'string' ? ours.uasIdHex : hexOf(got as string, TEXT_SIZE[name]!);
      expect(hex, at).toBe(want);
    } else if (name === 'AuthData_hex') {
      expect(got, at).toBe(want);
    } else if (typeof want === 'string') {
      expect(got, at).toBe(want);
    } else if (typeof want === 'number') {
      expect(typeof got, at).toBe('number');
      if (LATLON.has(name)) expect(Math.abs((got as number) - want), `${at}: ${String(got)} vs ${want}`).toBeLessThan(5.01e-8);
      else if (Number.isInteger(want)) expect(got, at).toBe(want);
      else expect(Math.abs((got as number) - want), `${at}: ${String(got)} vs ${want}`).toBeLessThan(1e-6);
    } else {
      throw new Error(`${at}: unexpected reference value ${JSON.stringify(want)}`);
    }
  }
}

/** Our messages against one reference `decoded` object: the same structs, each field as the reference says. */
function compareDecoded(ref: Record<string, unknown>, ours: readonly SingleMessage[], where: string): void {
  const grouped = new Map<Group, SingleMessage[]>();
  for (const m of ours) {
    const g = GROUP_OF[m.type];
    grouped.set(g, [...(grouped.get(g) ?? []), m]);
  }
  // The reference keeps authentication pages by page number.
  grouped.get('Auth')?.sort((a, b) => (a as { dataPage: number }).dataPage - (b as { dataPage: number }).dataPage);
  expect([...grouped.keys()].sort(), `${where}: message types`).toEqual(Object.keys(ref).sort());
  for (const [key, value] of Object.entries(ref)) {
    const group = key as Group;
    expect(FIELD_MAP[group], `${where}: unknown reference struct ${key}`).toBeDefined();
    const refList = ARRAY_GROUPS.has(group) ? (value as Record<string, unknown>[]) : [value as Record<string, unknown>];
    const ourList = grouped.get(group)!;
    expect(ourList.length, `${where} ${group}: count`).toBe(refList.length);
    refList.forEach((r, i) => compareStruct(group, r, ourList[i] as unknown as Record<string, unknown>, `${where}[${i}]`));
  }
}

// ---------------------------------------------------------------------------------------------------
// Feeding each hex_kind to the matching layer.

const AA = Uint8Array.of(BLE_ADV_ACCESS_ADDRESS & 0xff, (BLE_ADV_ACCESS_ADDRESS >>> 8) & 0xff, (BLE_ADV_ACCESS_ADDRESS >>> 16) & 0xff, BLE_ADV_ACCESS_ADDRESS >>> 24);
/** Any address will do where the extract has none (AdvData, service data): it is only carried along. */
const SOME_ADDRESS = 'c0:00:00:00:00:01';

/** H4 command packet: type 0x01, opcode u16 LE, parameter length, parameters. */
const H4_COMMAND = 0x01;
const H4_EVENT = 0x04;
const OPCODE_LE_SET_EXT_ADV_DATA = 0x2037; // OGF 0x08, OCF 0x037
/**
 * LE Set Extended Advertising Data (Core Vol 4 Part E 7.8.54): Advertising_Handle, Operation,
 * Fragment_Preference, Advertising_Data_Length, Advertising_Data. Parsed here: the codec reads only what a
 * controller reports (events), never what a host sends.
 */
function extAdvDataFromCommand(b: Uint8Array): { handle: number; operation: number; advData: Uint8Array } {
  expect(b[0]).toBe(H4_COMMAND);
  expect(b[1]! | (b[2]! << 8)).toBe(OPCODE_LE_SET_EXT_ADV_DATA);
  const plen = b[3]!;
  expect(4 + plen).toBe(b.length);
  const dataLen = b[7]!;
  expect(4 + 4 + dataLen).toBe(b.length);
  return { handle: b[4]!, operation: b[5]!, advData: b.subarray(8, 8 + dataLen) };
}

/** The AD structure `len 16 FA FF 0D ...` inside bytes that start elsewhere (a blob with a partial header before it). */
function findOdidAd(b: Uint8Array): Uint8Array {
  for (let i = 1; i + 4 <= b.length; i++) {
    if (b[i] === 0x16 && b[i + 1] === 0xfa && b[i + 2] === 0xff && b[i + 3] === 0x0d) return b.subarray(i - 1);
  }
  throw new Error('no ODID service data AD in the blob');
}

interface Outcome {
  /** The messages our receive path (or decodeMessage) gave. */
  messages: SingleMessage[];
  lines: ReceivedMessage[];
  /** Why our receive path dropped it, if it did: the ids of the diagnostics that carry a drop reason. */
  drops: string[];
  /** decodeMessage's DecodeError, for the paths that call it directly. */
  error?: DecodeError;
  /** The ODID payload our framing located, where the test calls the framing layer itself. */
  payload?: Uint8Array;
  counter?: number;
}

function receive(linkType: number, data: Uint8Array, keepBadFcs = false): Outcome {
  const drops: string[] = [];
  const ex = new RemoteIdExtractor({ keepBadFcs }, (d) => {
    if (diagnosticInfo(d.id).drop !== undefined) drops.push(d.id);
  });
  const lines = ex.fromRecord(linkType, data);
  const messages = lines.map((l) => l.message as SingleMessage);
  return { messages, lines, drops, counter: lines[0]?.counter };
}

/**
 * AdvData (from an extract, or rebuilt from service data): found by the framing layer, then through the whole
 * receive path inside the PDU a transmitter would send (legacy ADV_NONCONN_IND when it fits, else AUX_ADV_IND).
 */
function receiveAdvData(advData: Uint8Array): Outcome {
  const found = findOdidServiceData(advData);
  expect(found, 'ODID service data found').toBeDefined();
  const pdu =
    advData.length <= 31
      ? buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: SOME_ADDRESS, advData })
      : buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: SOME_ADDRESS, advData, sid: 1 });
  const out = receive(LINKTYPE.BLUETOOTH_LE_LL, pdu);
  expect(out.lines.every((l) => l.transport === (advData.length <= 31 ? 'ble-legacy' : 'ble-extended'))).toBe(true);
  // The same payload straight into the message layer agrees with the receive path.
  let direct: SingleMessage[] = [];
  try {
    const m = decodeMessage(found!.payload);
    direct = m.type === 'messagePack' ? m.messages : [m];
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    out.error = e;
  }
  expect(direct).toEqual(out.messages);
  return { ...out, payload: found!.payload, counter: found!.counter };
}

/** Feeds one reference frame to our codec; undefined for kinds with no Open Drone ID content (DJI, French). */
function decodeFrame(f: RefFrame): Outcome {
  const b = fromHex(f.frame_hex);
  switch (f.hex_kind) {
    case 'wlan':
      return receive(LINKTYPE.IEEE802_11, b);
    case 'radiotap':
      return receive(LINKTYPE.IEEE802_11_RADIOTAP, b);
    case 'hci':
      if (b[0] === H4_EVENT) return receive(LINKTYPE.BLUETOOTH_HCI_H4, b);
      return receiveAdvData(extAdvDataFromCommand(b).advData);
    case 'ble_pdu':
      // PDU header .. CRC as sniffed, without the access address: put it back (DLT 251 is AA .. CRC).
      return receive(LINKTYPE.BLUETOOTH_LE_LL, new Uint8Array([...AA, ...b]));
    case 'ble_ad':
      return receiveAdvData(b);
    case 'blob':
      return receiveAdvData(findOdidAd(b));
    case 'svc_data': {
      // Service data after the UUID (app code, counter, message): rebuilt as its AD structure.
      const ad = new Uint8Array([b.length + 3, 0x16, 0xfa, 0xff, ...b]);
      return receiveAdvData(ad);
    }
    case 'odid_msg': {
      const m = decodeMessageExact(b);
      return { messages: m.type === 'messagePack' ? m.messages : [m], lines: [], drops: [], payload: b };
    }
    default:
      throw new Error(`hex_kind ${f.hex_kind} has no path in this test`);
  }
}

const TRANSPORT: Record<string, (t: string | undefined) => boolean> = {
  wifi_beacon: (t) => t === 'wifi-beacon',
  wifi_nan: (t) => t === 'wifi-nan',
  ble: (t) => t === 'ble-legacy' || t === 'ble-extended',
  bare_message: (t) => t === undefined,
};

/** The one frame the reference found by scanning bytes because its element walk failed (see below). */
const isByteScan = (f: RefFrame): boolean => f.note?.includes('byte scan') === true;
const isOdid = (f: RefFrame): boolean => f.decoded !== undefined;
const label = (file: string, f: RefFrame): string => `${file.replace(/\.hex\.json$/, '')} ${f.index ?? f.record}`;

// ---------------------------------------------------------------------------------------------------

describeCorpus('reference extracts (captures/reference/*.json)', () => {
  const all = files.flatMap(({ name, ref }) => ref.frames.map((f) => ({ file: name, f })));

  it('covers every frame of every file: each is an Open Drone ID frame with a decoding, or a DJI/French/OcuSync record', () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
    for (const { file, f } of all) {
      const kind = isOdid(f) ? 'odid' : ['dji_droneid_ie', 'french_ie', 'dji_ocusync'].includes(f.transport) ? 'vendor' : 'none';
      expect(kind, label(file, f)).not.toBe('none');
    }
    for (const { name, ref } of files) {
      if (ref.records_total === undefined) continue;
      expect(ref.frames.length, name).toBe(ref.records_total);
      const odid = ref.frames.filter(isOdid);
      expect(odid.filter((f) => f.ok).length, name).toBe(ref.odid_payloads_decoded_ok);
      expect(odid.filter((f) => !f.ok).length, name).toBe(ref.odid_payloads_failed);
    }
    // Every link layer and framing path the extracts exercise.
    expect(new Set(all.filter(({ f }) => isOdid(f)).map(({ f }) => f.hex_kind))).toEqual(
      new Set(['wlan', 'radiotap', 'hci', 'ble_pdu', 'ble_ad', 'blob', 'svc_data', 'odid_msg']),
    );
  });

  for (const { file, f } of all.filter(({ f }) => isOdid(f) && f.ok && !isByteScan(f))) {
    it(`${label(file, f)} (${f.hex_kind}, ${f.transport}): decodes as the reference says`, () => {
      const where = label(file, f);
      const out = decodeFrame(f);
      expect(out.drops, where).toEqual([]);
      expect(out.error, where).toBeUndefined();
      compareDecoded(f.decoded!, out.messages, where);
      if (f.decoded_from_extracted_pack) compareDecoded(f.decoded_from_extracted_pack, out.messages, `${where} (extracted pack)`);
      if (out.payload && f.payload_hex !== undefined) expect(toHex(out.payload), `${where}: payload`).toBe(f.payload_hex);
      if (f.counter !== undefined && f.transport !== 'bare_message') expect(out.counter, `${where}: counter`).toBe(f.counter);
      for (const l of out.lines) {
        expect(TRANSPORT[f.transport]!(l.transport), `${where}: transport ${l.transport}`).toBe(true);
        expect(l.counter, `${where}: counter`).toBe(f.counter);
        // Wi-Fi: the transmitter address (the NAN path of the reference reports it as library_mac).
        if (f.library_mac !== undefined) expect(l.mac, where).toBe(f.library_mac);
        else if (f.sa !== undefined) expect(l.mac, where).toBe(f.sa);
      }
    });
  }

  for (const { file, f } of all.filter(({ f }) => isOdid(f) && !f.ok)) {
    it(`${label(file, f)} (${f.hex_kind}): refused, as the reference refused it`, () => {
      const out = decodeFrame(f);
      expect(out.messages).toEqual([]);
      expect(out.drops.length).toBe(1);
      expect(['message.malformed', 'message.empty-pack']).toContain(out.drops[0]);
      expect(out.error).toBeInstanceOf(DecodeError);
    });
  }
  corpusPlaceholder('each reference frame: decoded or refused as the reference says');

  it('the reference\'s transmitted HCI command carries the same pack its received twin reports', () => {
    const frames = files.find((x) => x.name.startsWith('aeburriel+scapy-uas-remoteid__extracted__test_bluetooth'))!.ref.frames;
    const sent = frames.find((f) => f.hex_kind === 'hci' && f.frame_hex.startsWith('01'))!;
    const cmd = extAdvDataFromCommand(fromHex(sent.frame_hex));
    expect([cmd.handle, cmd.operation]).toEqual([1, 3]); // handle 1, complete data
    expect(cmd.advData.length).toBe(sent.ble_ad_len! + 1);
  });

  describe('the frame the reference found only by scanning bytes', () => {
    const scanned = all.filter(({ f }) => isByteScan(f));

    it('is one radiotap beacon whose Flags announce an FCS that is not there, and whose elements do not walk', () => {
      expect(scanned.length).toBe(1);
      const f = scanned[0]!.f;
      const b = fromHex(f.frame_hex);
      const rt = parseRadiotap(b);
      expect(rt.fcsAtEnd).toBe(true); // so the last 4 frame bytes are taken for a (wrong) FCS
      // HT Operation (61) claims 22 bytes where 20 follow: a walk desynchronises (framing-wifi-captures.test.ts).
      expect(walkElements(b.subarray(rt.headerLength + 36)).truncated?.code).toBe('truncated');
    });

    it('yields nothing on our receive path (bad FCS; kept anyway, the element walk does not reach it)', () => {
      const f = scanned[0]!.f;
      const b = fromHex(f.frame_hex);
      expect(receive(LINKTYPE.IEEE802_11_RADIOTAP, b)).toMatchObject({ messages: [], drops: ['link.bad-fcs-dropped'] });
      expect(receive(LINKTYPE.IEEE802_11_RADIOTAP, b, true)).toMatchObject({ messages: [], drops: [] });
    });

    it('but its ODID element, read where the scan found it, decodes as the reference says', () => {
      const f = scanned[0]!.f;
      const b = fromHex(f.frame_hex);
      const at = toHex(b).indexOf('dd6cfa0bbc0d') / 2;
      const p = parseOdidBeaconElement(b, at);
      expect(p.counter).toBe(f.counter);
      expect(toHex(p.payload)).toBe(f.payload_hex);
      const m = decodeMessage(p.payload);
      compareDecoded(f.decoded!, m.type === 'messagePack' ? m.messages : [m], label(scanned[0]!.file, f));
    });
  });

  describe('DJI, French and OcuSync records (no reference decoding): our parsers read them without error', () => {
    const vendor = all.filter(({ f }) => !isOdid(f));

    it('there are 8: 3 beacons through the whole receive path, 4 DJI element bodies, 1 OcuSync frame', () => {
      expect(vendor.map(({ f }) => f.hex_kind ?? f.transport).sort()).toEqual(['dji_ie', 'dji_ie', 'dji_ie', 'dji_ie', 'dji_ocusync', 'wlan', 'wlan', 'wlan']);
    });

    for (const { file, f } of vendor) {
      it(`${label(file, f)} (${f.hex_kind ?? f.transport})`, () => {
        const b = fromHex(f.frame_hex);
        if (f.hex_kind === 'wlan') {
          // The full receive path: one record, no drop, the payload the reference located.
          const out = receive(LINKTYPE.IEEE802_11, b);
          expect(out.drops).toEqual([]);
          expect(out.lines.length).toBe(1);
          const l = out.lines[0]!;
          expect(l.mac).toBe(f.sa);
          if (f.transport === 'french_ie') {
            expect([l.transport, l.message.type]).toEqual(['wifi-beacon', 'frenchId']);
            expect(l.message).toEqual(parseFrenchId(fromHex(f.payload_hex!)));
          } else {
            expect([l.transport, l.message.type]).toEqual(['dji-wifi', 'djiFlightInfo']);
            expect(l.message).toEqual(parseDjiDroneId(fromHex(f.payload_hex!)));
          }
        } else if (f.hex_kind === 'dji_ie') {
          const r = parseDjiDroneId(b);
          expect(r.type).toBe(b[3] === 0x10 ? 'djiFlightInfo' : 'djiFlightPurpose');
          expect(r.serialNumber.length).toBeGreaterThan(0);
        } else {
          // OcuSync: [length][subcommand 0x10] then the v2 flight record (with its CRC-16 after it).
          expect([b[0], b[1]]).toEqual([0x58, 0x10]);
          const r = parseDjiFlightInfoRecord(b.subarray(2));
          expect(r).toMatchObject({ layout: 'v2', serialNumber: f.rub_droneid_packet!.serial_number });
        }
      });
    }
    corpusPlaceholder('each DJI, French and OcuSync record');
  });
});
