/**
 * Mutation fuzzing of the receive path, shared by test/fuzz.test.ts (a CI-sized run) and
 * scripts/fuzz-long.ts (as long as you like). Deterministic: everything comes from one seeded PRNG, so a
 * failure is replayed by running the same seed again; each failure also carries the input as hex.
 *
 * - Link records: seeds from real captures (test/fixtures/captures, and the external corpus where present:
 *   test/support/fixtures.ts), the corpus's reference extracts and frames built
 *   with the codec's own builders (buildAirFrames, HCI reports, BLE PDUs, unrelated frames), mutated by bit
 *   flips, byte sets, arithmetic, truncation, extension, length-field corruption, insertions, deletions and
 *   splices, then fed to RemoteIdExtractor.fromRecord, which must never throw, must return well-formed
 *   messages and must not take long on any record.
 * - Capture streams: pcap (both byte orders, µs/ns), pcapng (both byte orders, several sections and
 *   interfaces, every block type) and btsnoop files, real and built, damaged structurally and byte-wise,
 *   pushed in chunks of random sizes into CaptureReader, which must never throw, only warn, keep its buffer
 *   bounded and return well-formed records (which then go through the receive path as well).
 */

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { corpusAvailable, corpusDir, corpusPath, fixturePath } from '../../../test/support/fixtures.js';
import {
  CaptureReader,
  LINKTYPE,
  PcapWriter,
  PcapngWriter,
  RemoteIdExtractor,
  TRANSPORTS,
  buildAirFrames,
  buildBleAdvPdu,
  buildBlePhdrRecord,
  buildHciLeAdvertisingReport,
  buildHciLeExtAdvertisingReport,
  buildRadiotap,
  concatBytes,
  crc32,
  encodeMessage,
  fromHex,
  receivedToJson,
  toHex,
  type CaptureRecord,
  type ReceivedMessage,
  type SingleMessageInput,
} from '../src/index.js';

// ------------------------------------------------------------------------------------------- PRNG

/** sfc32: small, fast, good enough statistically, and reproducible from a 32-bit seed. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = seed | 0;
    for (let i = 0; i < 16; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** 0 <= n < max (max >= 1). */
  int(max: number): number {
    return Math.floor((this.u32() / 4294967296) * max);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  chance(p: number): boolean {
    return this.u32() < p * 4294967296;
  }
  /** Roughly log-uniform in 1..max: small values as often as large ones. */
  logInt(max: number): number {
    return Math.max(1, Math.floor(Math.exp(Math.log(max) * (this.u32() / 4294967296))));
  }
}

/** Derives independent per-case seeds from the master seed. */
export const subSeed = (master: number, salt: number): number => Math.imul(master ^ Math.imul(salt + 0x632be5ab, 0x85ebca6b), 0xc2b2ae35) >>> 0;

// ------------------------------------------------------------------------------------------- seeds

const ADDRESS = 'c2:5a:1d:00:00:07';
const MESSAGES: Record<string, SingleMessageInput> = {
  basicSerial: { type: 'basicId', idType: 1, uaType: 2, uasId: '1581F5FHB229F00202DR' },
  basicSession: { type: 'basicId', idType: 4, uaType: 2, uasIdHex: '012001003ffe000105a29b3ff42226c04e000000' },
  location: {
    type: 'location', status: 2, direction: 216, speedHorizontal: 5.5, speedVertical: 5, latitude: 45.539309, longitude: -122.966389,
    altitudeBaro: 100, altitudeGeo: 110, heightType: 1, height: 80, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 6,
    speedAccuracy: 3, tsAccuracy: 1, timestamp: 360.5,
  },
  auth0: { type: 'auth', authType: 1, dataPage: 0, lastPageIndex: 2, length: 63, timestamp: 28000000, authData: '3132333435363738393031323334353637' },
  auth1: { type: 'auth', authType: 1, dataPage: 1, authData: '3132333435363738393031323334353637383930313233' },
  auth2: { type: 'auth', authType: 1, dataPage: 2, authData: '3132333435363738393031323334353637383930313233' },
  selfId: { type: 'selfId', descType: 0, desc: 'Bridge "insp" \\ \x01\x7f\xe9\x9f' },
  system: {
    type: 'system', operatorLocationType: 1, classificationType: 1, operatorLatitude: 45.5, operatorLongitude: -122.9, areaCount: 1,
    areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 1, classEU: 2, operatorAltitudeGeo: 20.5, timestamp: 28000000,
  },
  operatorId: { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
};
const singles = (): Uint8Array[] => Object.values(MESSAGES).map((m) => encodeMessage(m));
const packs = (): Uint8Array[] => {
  const m = MESSAGES;
  return [
    [m.basicSerial!, m.basicSession!, m.location!, m.auth0!, m.auth1!, m.auth2!, m.selfId!, m.system!, m.operatorId!],
    [m.basicSerial!, m.location!, m.system!],
    [m.location!],
    [m.auth0!, m.auth1!],
  ].map((messages) => encodeMessage({ type: 'messagePack', messages }));
};

const rt = (freqMHz = 2437, rssi = -50): Uint8Array => buildRadiotap({ freqMHz, rssi });
const withFcs = (frame: Uint8Array): Uint8Array => {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame);
  const c = crc32(frame);
  out[frame.length] = c & 0xff;
  out[frame.length + 1] = (c >>> 8) & 0xff;
  out[frame.length + 2] = (c >>> 16) & 0xff;
  out[frame.length + 3] = c >>> 24;
  return out;
};
const radiotapLength = (b: Uint8Array): number => b[2]! | (b[3]! << 8);
const aa = fromHex('d6be898e');

/** nRF Sniffer v3 record around an LE packet (AA .. CRC). flags bit 0 CRC OK, bits 6..4 PHY (2 = coded). */
function nordic(packet: Uint8Array, flags: number, channel: number): Uint8Array {
  const h = fromHex('03 0000 03 0000 02 0a 00 00 35 0000 00000000');
  const plen = 10 + packet.length;
  h[1] = plen & 0xff;
  h[2] = plen >> 8;
  h[8] = flags;
  h[9] = channel;
  return concatBytes([h, packet]);
}

/** 802.11 frames that carry no Remote ID: a receiver sees far more of these. */
function unrelatedWifi(): Uint8Array[] {
  return [
    // data frame, QoS data, ACK, probe request, beacon with WPA vendor element and a Microsoft WMM one
    fromHex('0801 3a01 001122334455 66778899aabb 66778899aabb 1000 aaaa03000000 0800 4500001c'),
    fromHex('8801 3000 001122334455 66778899aabb 66778899aabb 2000 0000 aaaa030000000800'),
    fromHex('d400 0000 001122334455'),
    fromHex('4000 0000 ffffffffffff 001122334455 ffffffffffff 3000 0004 74657374 0108 02040b160c121824'),
    fromHex('8000 0000 ffffffffffff 001122334455 001122334455 4000 0000000000000000 6400 1104 0004 68656c6c 0101 82 030106 dd1600 50f2 01 0100 0050f2 04 0100 0050f2 04 0100 0050f2 02 dd18 0050f2 02 01 01 00 0003a4000027a4000042435e0062322f00'),
    // a non-NAN public action frame, and a vendor action frame
    fromHex('d000 0000 ffffffffffff 001122334455 001122334455 5000 04 0a 0102030405'),
    fromHex('d000 0000 ffffffffffff 001122334455 001122334455 6000 7f 506f9a 1a 00'),
  ];
}

/** BLE packets (AA .. CRC) that carry no Remote ID. */
function unrelatedBle(): Uint8Array[] {
  const adv = buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: '11:22:33:44:55:66', advData: fromHex('020106 0909 4865616470686f6e 05ff4c001005') });
  const ind = adv.slice();
  ind[4] = (ind[4]! & 0xf0) | 0x00; // ADV_IND (CRC now wrong: a damaged frame too)
  // SCAN_REQ (ScanA, AdvA) and an ADV_EXT_IND with ADI + AuxPtr only, CRC bytes left zero
  const scanReq = concatBytes([aa, fromHex('c30c 112233445566 665544332211'), fromHex('000000')]);
  const extInd = concatBytes([aa, fromHex('0709 0818 0110 012345'), fromHex('000000')]);
  return [adv, ind, scanReq, extInd];
}

/** HCI H4 packets that carry no advertising reports. */
function unrelatedHci(): Uint8Array[] {
  return [
    fromHex('040e0401032000'), // Command Complete
    fromHex('043e0c01 00 0100 00 112233445566 0000'), // LE Connection Complete (truncated on purpose)
    fromHex('02 0100 0800 0400 0400 01020304'), // ACL data
    fromHex('01 0320 00'), // a command
  ];
}

/** Records of every real capture (in-repo, plus the external corpus's where present), by link type, first seen first. */
export function realCaptureRecords(): Map<number, Uint8Array[]> {
  const byType = new Map<number, Uint8Array[]>();
  const seen = new Set<string>();
  for (const file of captureFiles()) {
    const r = new CaptureReader();
    const bytes = new Uint8Array(readFileSync(file));
    for (const rec of [...r.push(bytes), ...r.end()]) {
      const key = `${rec.linkType}:${toHex(rec.data)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = byType.get(rec.linkType) ?? [];
      list.push(rec.data.slice());
      byType.set(rec.linkType, list);
    }
  }
  return byType;
}

/** The capture files (the in-repo copy where there is one, else the corpus's), ordered by their path under the captures root. */
export function captureFiles(): string[] {
  const byPath = new Map<string, string>();
  const walk = (root: string, dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'expected' && e.name !== 'reference' && e.name !== 'extracted') walk(root, p);
      } else if (/\.(pcap|pcapng|cap)$/.test(e.name) && !byPath.has(path.relative(root, p))) byPath.set(path.relative(root, p), p);
    }
  };
  walk(fixturePath('captures'), fixturePath('captures'));
  if (corpusAvailable) walk(corpusDir, corpusDir);
  return [...byPath.keys()].sort().map((k) => byPath.get(k)!);
}

/** Frames of the reference extracts (the corpus's reference/*.json; none without it), as records of the link types they fit. */
function referenceRecords(): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  const add = (lt: number, b: Uint8Array): void => void out.set(lt, [...(out.get(lt) ?? []), b]);
  if (!corpusAvailable) return out;
  const dir = corpusPath('reference');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const frames = (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { frames: { hex_kind?: string; frame_hex: string }[] }).frames;
    for (const fr of frames) {
      const b = fromHex(fr.frame_hex);
      if (fr.hex_kind === 'wlan') {
        add(LINKTYPE.IEEE802_11, b);
        add(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([rt(), b]));
      } else if (fr.hex_kind === 'radiotap') {
        add(LINKTYPE.IEEE802_11_RADIOTAP, b);
        add(LINKTYPE.IEEE802_11, b.subarray(radiotapLength(b)));
      } else if (fr.hex_kind === 'hci' && b[0] === 0x04) {
        add(LINKTYPE.BLUETOOTH_HCI_H4, b);
        add(LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, concatBytes([fromHex('00000001'), b]));
      } else if (fr.hex_kind === 'ble_pdu') {
        const pkt = concatBytes([aa, b]);
        add(LINKTYPE.BLUETOOTH_LE_LL, pkt);
        add(LINKTYPE.NORDIC_BLE, nordic(pkt, 0x01, 10));
      }
    }
  }
  return out;
}

/** Frames built with the codec's builders, per link type. */
function builtRecords(): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  const add = (lt: number, b: Uint8Array): void => void out.set(lt, [...(out.get(lt) ?? []), b]);
  const msgs = singles();
  const pks = packs();
  let counter = 0;
  for (const m of msgs) {
    for (const f of buildAirFrames({ transport: 'ble-legacy', address: ADDRESS, counter: counter++, payload: m, rssi: -60 })) add(f.linkType, f.data);
    const ad = concatBytes([fromHex('1e16faff0d'), Uint8Array.of(counter), m]);
    const pdu = buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: ADDRESS, advData: ad });
    add(LINKTYPE.BLUETOOTH_LE_LL, pdu);
    add(LINKTYPE.NORDIC_BLE, nordic(pdu, 0x01, 37 + (counter % 3)));
    add(LINKTYPE.BLUETOOTH_HCI_H4, buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: ADDRESS, data: ad, rssi: -40 }]));
    add(
      LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR,
      buildHciLeExtAdvertisingReport([{ properties: 0x10, address: ADDRESS, data: ad, rssi: -40, primaryPhy: '1M' }], { phdr: true }),
    );
  }
  // Several legacy reports in one event, one of them unrelated.
  const ad0 = concatBytes([fromHex('1e16faff0d00'), msgs[0]!]);
  const multi = [
    { pdu: 'ADV_NONCONN_IND' as const, address: ADDRESS, data: ad0, rssi: -40 },
    { pdu: 'ADV_IND' as const, address: '11:22:33:44:55:66', data: fromHex('020106') },
    { pdu: 'SCAN_RSP' as const, address: ADDRESS, data: ad0.subarray(0, 20) },
  ];
  add(LINKTYPE.BLUETOOTH_HCI_H4, buildHciLeAdvertisingReport(multi));
  add(LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, buildHciLeAdvertisingReport(multi, { phdr: true }));

  for (const p of pks) {
    for (const transport of ['ble-extended', 'wifi-beacon', 'wifi-nan'] as const) {
      for (const f of buildAirFrames({ transport, address: ADDRESS, counter: counter++ & 0xff, payload: p, rssi: -55, timestampUs: 123456789 })) {
        add(f.linkType, f.data);
        if (f.linkType === LINKTYPE.IEEE802_11_RADIOTAP) {
          const frame = f.data.subarray(radiotapLength(f.data));
          add(LINKTYPE.IEEE802_11, frame);
          add(LINKTYPE.IEEE802_11, withFcs(frame));
          add(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([buildRadiotap({ freqMHz: 5180, rssi: -70, flags: 0x10 }), withFcs(frame)]));
        }
      }
    }
    const ad = concatBytes([Uint8Array.of(p.length + 5), fromHex('16faff0d'), Uint8Array.of(counter & 0xff), p]);
    const aux = buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: ADDRESS, advData: ad, sid: 3, did: 77 });
    add(LINKTYPE.BLUETOOTH_LE_LL, aux);
    const coded = buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: ADDRESS, advData: ad, sid: 3, did: 77, codingIndicator: 0 });
    add(LINKTYPE.NORDIC_BLE, nordic(coded, 0x21 | (0 << 1), 12));
    add(LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, buildBlePhdrRecord(coded, { channel: 20, phy: 'coded', rssi: -80 }));
    // HCI extended reports: fits in one event, or split into 'more' + 'complete' fragments.
    const ext = { address: ADDRESS, sid: 2, secondaryPhy: 'coded' as const, primaryPhy: 'coded' as const, rssi: -70 };
    for (const phdr of [false, true]) {
      const lt = phdr ? LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR : LINKTYPE.BLUETOOTH_HCI_H4;
      if (ad.length <= 229) add(lt, buildHciLeExtAdvertisingReport([{ ...ext, data: ad }], { phdr }));
      const cut = Math.min(200, ad.length >> 1);
      add(lt, buildHciLeExtAdvertisingReport([{ ...ext, fragment: 'more', data: ad.subarray(0, cut) }], { phdr }));
      add(lt, buildHciLeExtAdvertisingReport([{ ...ext, fragment: 'complete', data: ad.subarray(cut) }], { phdr }));
      add(lt, buildHciLeExtAdvertisingReport([{ ...ext, fragment: 'truncated', data: ad.subarray(cut, cut + 10) }], { phdr }));
    }
  }
  for (const w of unrelatedWifi()) {
    add(LINKTYPE.IEEE802_11, w);
    add(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([rt(2412, -30), w]));
  }
  for (const b of unrelatedBle()) {
    add(LINKTYPE.BLUETOOTH_LE_LL, b);
    add(LINKTYPE.NORDIC_BLE, nordic(b, 0x01, 38));
    add(LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, concatBytes([fromHex('00c50000 d6be898e 0304'), b.subarray(0)]));
  }
  for (const h of unrelatedHci()) {
    add(LINKTYPE.BLUETOOTH_HCI_H4, h);
    add(LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, concatBytes([fromHex('00000001'), h]));
  }
  // The Linux monitor (DLT 254) carries the same packets behind its adapter/opcode header.
  for (const h of out.get(LINKTYPE.BLUETOOTH_HCI_H4) ?? []) add(LINKTYPE.BLUETOOTH_LINUX_MONITOR, monitorRecord(h));
  return out;
}

/** Linux hci_mon.h opcodes by H4 packet type: command 2, ACL RX 5, SCO RX 7, event 3. */
const H4_TO_MONITOR: Readonly<Record<number, number>> = { 0x01: 2, 0x02: 5, 0x03: 7, 0x04: 3 };
const MONITOR_SYSTEM_NOTE = 12;

/** An H4 packet as a DLT 254 record: adapter 0, the opcode of its H4 type, the packet without that byte. */
function monitorRecord(h4: Uint8Array): Uint8Array {
  const opcode = H4_TO_MONITOR[h4[0]!] ?? MONITOR_SYSTEM_NOTE;
  return concatBytes([Uint8Array.of(0, 0, opcode >> 8, opcode & 0xff), h4.subarray(1)]);
}

/** At most `cap` seeds per link type, real ones first, spread over the list. */
export function linkSeeds(capPerType = 400): Map<number, Uint8Array[]> {
  const sources = [realCaptureRecords(), referenceRecords(), builtRecords()];
  const out = new Map<number, Uint8Array[]>();
  for (const lt of Object.values(LINKTYPE)) {
    const all = sources.flatMap((s) => s.get(lt) ?? []);
    const step = Math.max(1, all.length / capPerType);
    const picked: Uint8Array[] = [];
    for (let i = 0; i < all.length && picked.length < capPerType; i += step) picked.push(all[Math.floor(i)]!);
    // built seeds are few and precious: always keep them
    for (const b of sources[2]!.get(lt) ?? []) if (!picked.includes(b)) picked.push(b);
    for (const b of sources[1]!.get(lt) ?? []) if (!picked.includes(b)) picked.push(b);
    out.set(lt, picked);
  }
  return out;
}

// ------------------------------------------------------------------------------------------- mutation

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x0d, 0x10, 0x16, 0x19, 0x1e, 0x1f, 0x20, 0x3e, 0x40, 0x7f, 0x80, 0x81, 0xdd, 0xf0, 0xf2, 0xfa, 0xfe, 0xff];

/** Positions in a seed that look like length or count fields, to corrupt on purpose. */
export function lengthSites(b: Uint8Array): number[] {
  const sites = new Set<number>();
  const n = b.length;
  for (let i = 0; i < Math.min(n, 12); i++) sites.add(i);
  for (let i = 0; i < n; i++) {
    const v = b[i]!;
    const rest = n - i;
    // a byte or u16 LE counting (about) the rest of the record: header lengths, PDU, AD and element lengths
    if (v > 0 && v >= rest - 8 && v <= rest) sites.add(i);
    if (i + 1 < n) {
      const v16 = v | (b[i + 1]! << 8);
      if (v16 > 0 && v16 >= rest - 10 && v16 <= rest) sites.add(i).add(i + 1);
    }
    // ODID AD: len 16 FA FF 0D counter pack-header(F? 19 N)
    if (v === 0x16 && b[i + 1] === 0xfa && b[i + 2] === 0xff && b[i + 3] === 0x0d && i > 0) {
      sites.add(i - 1).add(i + 5).add(i + 6).add(i + 7);
    }
    // vendor element DD len OUI(3) type counter pack-header
    if (v === 0xdd && i + 6 < n) sites.add(i + 1).add(i + 5).add(i + 7).add(i + 8).add(i + 9);
    // NAN service ID: SDA length u16 before it, control and service-info length after it
    if (v === 0x88 && b[i + 1] === 0x69 && b[i + 2] === 0x19 && b[i + 3] === 0x9d) sites.add(i - 2).add(i - 1).add(i + 8).add(i + 9);
    // a pack header anywhere: F? 19 count
    if ((v & 0xf0) === 0xf0 && b[i + 1] === 0x19) sites.add(i + 1).add(i + 2);
  }
  return [...sites].filter((i) => i >= 0 && i < n).sort((x, y) => x - y);
}

export interface Seed {
  bytes: Uint8Array;
  sites: number[];
}

export const toSeeds = (list: readonly Uint8Array[]): Seed[] => list.map((bytes) => ({ bytes, sites: lengthSites(bytes) }));

/** Mutates seeds into a reusable buffer: `mutate` returns the new length of `buf`. */
export class Mutator {
  buf: Uint8Array;
  private len = 0;
  constructor(private readonly rng: Rng, capacity = 8192) {
    this.buf = new Uint8Array(capacity);
  }

  mutate(seed: Seed, others: readonly Seed[]): number {
    const rng = this.rng;
    const s = seed.bytes;
    this.len = Math.min(s.length, this.buf.length);
    this.buf.set(s.subarray(0, this.len));
    const rounds = 1 + (rng.chance(0.5) ? 0 : rng.int(4));
    for (let r = 0; r < rounds; r++) this.once(seed, others);
    return this.len;
  }

  private once(seed: Seed, others: readonly Seed[]): void {
    const rng = this.rng;
    const b = this.buf;
    const n = this.len;
    const op = rng.int(100);
    if (n === 0) {
      this.append(1 + rng.int(16));
      return;
    }
    if (op < 18) {
      // bit flips
      const k = 1 + rng.int(3);
      for (let i = 0; i < k; i++) b[rng.int(n)]! ^= 1 << rng.int(8);
    } else if (op < 32) {
      // byte set: interesting values or random
      const k = 1 + rng.int(3);
      for (let i = 0; i < k; i++) b[rng.int(n)] = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.int(256);
    } else if (op < 40) {
      // arithmetic on a byte or a u16
      const at = rng.int(n);
      const delta = (rng.chance(0.5) ? 1 : -1) * (1 + rng.int(35));
      const v = b[at]! + delta;
      b[at] = v & 0xff;
      if (at + 1 < n && (v < 0 || v > 255) && rng.chance(0.5)) b[at + 1] = (b[at + 1]! + (v < 0 ? -1 : 1)) & 0xff; // carry: u16 LE
    } else if (op < 60) {
      // length-field corruption at a site of the seed
      const sites = seed.sites.length ? seed.sites : [0];
      const at = rng.pick(sites);
      if (at >= n) return;
      const v = b[at]!;
      const rest = n - at;
      const choices = [0, 1, 0xff, 0x7f, 0x80, v + 1, v - 1, v + 2, v - 2, v + 4, v - 4, rest, rest - 1, rest + 1, rest - 2, rng.int(256)];
      b[at] = rng.pick(choices) & 0xff;
    } else if (op < 72) {
      // truncation (often near the end: a snap length, a cut-off FCS)
      this.len = rng.chance(0.5) ? rng.int(n + 1) : Math.max(0, n - 1 - rng.int(8));
    } else if (op < 78) {
      // extension: zeros, random bytes or a repeat of the tail
      const k = 1 + rng.int(24);
      this.append(k);
      const mode = rng.int(3);
      for (let i = n; i < this.len; i++) b[i] = mode === 0 ? 0 : mode === 1 ? rng.int(256) : b[i - 1 - rng.int(Math.min(i, 8))]!;
    } else if (op < 84) {
      // delete a range
      const at = rng.int(n);
      const k = Math.min(n - at, 1 + rng.int(16));
      b.copyWithin(at, at + k, n);
      this.len = n - k;
    } else if (op < 90) {
      // insert random bytes or duplicate a range
      const at = rng.int(n + 1);
      const k = Math.min(1 + rng.int(16), b.length - n);
      if (k <= 0) return;
      b.copyWithin(at + k, at, n);
      this.len = n + k;
      if (rng.chance(0.5)) for (let i = 0; i < k; i++) b[at + i] = rng.int(256);
      else {
        // a copy of bytes from elsewhere in the record (a repeated element, a doubled header)
        const from = rng.int(this.len - k + 1);
        for (let i = 0; i < k; i++) b[at + i] = b[from + i < at || from + i >= at + k ? from + i : from + i + k] ?? 0;
      }
    } else {
      // splice: keep a prefix, continue with another seed from some offset
      const other = rng.pick(others).bytes;
      const at = rng.int(n + 1);
      const from = rng.int(other.length + 1);
      const k = Math.min(other.length - from, b.length - at);
      b.set(other.subarray(from, from + k), at);
      this.len = at + k;
    }
  }

  private append(k: number): void {
    this.len = Math.min(this.buf.length, this.len + k);
  }
}

// ------------------------------------------------------------------------------------------- checks

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;
const TRANSPORT_SET = new Set<string>(TRANSPORTS);
const isInt = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isLatin1 = (v: unknown, max: number): boolean => {
  if (typeof v !== 'string' || v.length > max) return false;
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0xff) return false;
  return true;
};

/** What is wrong with one message of the receive path, or undefined. */
export function checkReceived(r: ReceivedMessage, keepBadFcs: boolean): string | undefined {
  if (!TRANSPORT_SET.has(r.transport)) return `transport ${String(r.transport)}`;
  if (typeof r.mac !== 'string' || (r.mac !== '' && !MAC.test(r.mac))) return `mac ${String(r.mac)}`;
  if (r.mac === '' && !r.transport.startsWith('ble')) return 'empty mac on Wi-Fi';
  if (r.rssi !== undefined && !isInt(r.rssi, -255, 127)) return `rssi ${r.rssi}`;
  if (r.channel !== undefined && !isInt(r.channel, 0, 233)) return `channel ${r.channel}`;
  if (r.counter !== undefined && !isInt(r.counter, 0, 255)) return `counter ${r.counter}`;
  if (r.badFcs !== undefined && (r.badFcs !== true || !keepBadFcs)) return `badFcs ${String(r.badFcs)}`;
  if (r.t !== undefined || r.frame !== undefined) return 't/frame without meta';
  const m = r.message as unknown as Record<string, unknown>;
  const pv = (): boolean => isInt(m.protocolVersion, 0, 15);
  switch (r.message.type) {
    case 'basicId':
      if (!pv() || !isInt(m.idType, 0, 15) || !isInt(m.uaType, 0, 15) || !isLatin1(m.uasId, 20)) return 'basicId fields';
      if ((m.idType === 3 || m.idType === 4) !== (m.uasIdHex !== undefined)) return 'basicId uasIdHex presence';
      if (m.uasIdHex !== undefined && (typeof m.uasIdHex !== 'string' || m.uasIdHex.length !== 40 || !HEX.test(m.uasIdHex))) return 'uasIdHex';
      break;
    case 'location': {
      if (!pv() || !isInt(m.status, 0, 15) || !isInt(m.heightType, 0, 1)) return 'location enums';
      if (!isInt(m.direction, 0, 359 + 180) || !isNum(m.speedHorizontal) || (m.speedHorizontal as number) < 0 || (m.speedHorizontal as number) > 255 * 0.75 + 63.75) return 'location speed/direction';
      if (!isNum(m.speedVertical) || Math.abs(m.speedVertical as number) > 64) return 'speedVertical';
      if (!isNum(m.latitude) || !isNum(m.longitude) || Math.abs(m.latitude as number) > 215 || Math.abs(m.longitude as number) > 215) return 'lat/lon';
      for (const k of ['altitudeBaro', 'altitudeGeo', 'height']) if (!isNum(m[k]) || (m[k] as number) < -1000 || (m[k] as number) > 31767.5) return k;
      for (const k of ['horizAccuracy', 'vertAccuracy', 'baroAccuracy', 'speedAccuracy', 'tsAccuracy']) if (!isInt(m[k], 0, 15)) return k;
      if (!isNum(m.timestamp) || ((m.timestamp as number) > 6553.5 && m.timestamp !== 65535) || (m.timestamp as number) < 0) return 'location timestamp';
      if (m.speedMultiplier !== undefined && m.speedMultiplier !== 1) return 'speedMultiplier';
      break;
    }
    case 'auth': {
      if (!pv() || !isInt(m.authType, 0, 15) || !isInt(m.dataPage, 0, 15)) return 'auth enums';
      const page0 = m.dataPage === 0;
      if (typeof m.authData !== 'string' || m.authData.length !== (page0 ? 34 : 46) || !HEX.test(m.authData)) return 'authData';
      if (page0 && (!isInt(m.lastPageIndex, 0, 255) || !isInt(m.length, 0, 255) || !isInt(m.timestamp, 0, 0xffffffff))) return 'auth page 0';
      if (!page0 && (m.lastPageIndex !== undefined || m.length !== undefined || m.timestamp !== undefined)) return 'auth page n';
      break;
    }
    case 'selfId':
      if (!pv() || !isInt(m.descType, 0, 255) || !isLatin1(m.desc, 23)) return 'selfId';
      break;
    case 'system':
      if (!pv() || !isInt(m.operatorLocationType, 0, 3) || !isInt(m.classificationType, 0, 7)) return 'system enums';
      if (!isNum(m.operatorLatitude) || !isNum(m.operatorLongitude) || !isInt(m.areaCount, 0, 0xffff) || !isInt(m.areaRadius, 0, 2550)) return 'system area';
      for (const k of ['areaCeiling', 'areaFloor', 'operatorAltitudeGeo']) if (!isNum(m[k])) return k;
      if (!isInt(m.categoryEU, 0, 15) || !isInt(m.classEU, 0, 15) || !isInt(m.timestamp, 0, 0xffffffff)) return 'system class/timestamp';
      break;
    case 'operatorId':
      if (!pv() || !isInt(m.operatorIdType, 0, 255) || !isLatin1(m.operatorId, 20)) return 'operatorId';
      break;
    case 'djiFlightInfo':
    case 'djiFlightPurpose':
    case 'frenchId':
      if (!Array.isArray(m.warnings) || !(m.warnings as unknown[]).every((w) => typeof w === 'string')) return 'warnings';
      if (!plainValues(m)) return `${r.message.type}: a value that is not a finite number, string, boolean, array or object`;
      if (r.message.type === 'frenchId' && r.transport !== 'wifi-beacon') return 'frenchId transport';
      if (r.message.type !== 'frenchId' && r.transport !== 'dji-wifi') return 'dji transport';
      break;
    default:
      return `message type ${String((r.message as { type?: unknown }).type)}`;
  }
  return undefined;
}

function plainValues(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(plainValues);
  if (v !== null && typeof v === 'object') return Object.values(v).every(plainValues);
  return false;
}

/** JSON.parse(line) must give back the message: serialisable, nothing lost, nothing invented. */
export function checkJsonLine(r: ReceivedMessage): string | undefined {
  const line = receivedToJson(r);
  let back: unknown;
  try {
    back = JSON.parse(line);
  } catch (e) {
    return `receivedToJson is not JSON: ${String(e)}: ${line}`;
  }
  return deepEqual(back, r) ? undefined : `JSON line does not round-trip: ${line}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

// ------------------------------------------------------------------------------------------- link fuzz

export interface LinkFuzzReport {
  linkType: number;
  seed: number;
  frames: number;
  /** Records that gave at least one message, and all messages. */
  yielding: number;
  messages: number;
  byType: Record<string, number>;
  drops: number;
  /** Slowest single fromRecord call, ms (wall clock: includes GC pauses and preemption), and its input. */
  maxMs: number;
  slowestHex: string;
  /**
   * The input's own cost: every call slower than REPLAY_ABOVE_MS is replayed on a fresh extractor and the
   * fastest of REPLAYS runs kept; this is the largest such value (0 when no call was that slow).
   */
  maxReplayMs: number;
  /** First failures (at most 20): exceptions and malformed messages, with what replays them. */
  failures: string[];
  failureCount: number;
  seeds: number;
  /** HCI extended-report fragments still held by the extractor at the end (unbounded growth shows here). */
  pendingFragments: number;
  elapsedMs: number;
}

export interface LinkFuzzOptions {
  iterations: number;
  seed: number;
  seeds?: Seed[];
  /** Check the JSON line of one message in this many (1 = every message). Default 1. */
  jsonEvery?: number;
}

export function fuzzLinkType(linkType: number, opts: LinkFuzzOptions): LinkFuzzReport {
  const rng = new Rng(subSeed(opts.seed, linkType));
  const seeds = opts.seeds ?? toSeeds(linkSeeds().get(linkType) ?? []);
  if (seeds.length === 0) throw new Error(`no seeds for link type ${linkType}`);
  const mut = new Mutator(rng);
  let drops = 0;
  const onDrop = (_reason: string, detail: string): void => {
    drops++;
    if (typeof detail !== 'string') throw new Error('drop detail is not a string');
  };
  const plain = new RemoteIdExtractor({}, onDrop);
  const keepBad = new RemoteIdExtractor({ keepBadFcs: true }, onDrop);
  const jsonEvery = opts.jsonEvery ?? 1;
  const report: LinkFuzzReport = {
    linkType, seed: opts.seed, frames: 0, yielding: 0, messages: 0, byType: {}, drops: 0, maxMs: 0, slowestHex: '', maxReplayMs: 0,
    failures: [], failureCount: 0, seeds: seeds.length, pendingFragments: 0, elapsedMs: 0,
  };
  const fail = (i: number, input: Uint8Array, what: string): void => {
    report.failureCount++;
    if (report.failures.length < 20) {
      report.failures.push(`link type ${linkType}, seed 0x${opts.seed.toString(16)}, iteration ${i}: ${what}\n  input ${toHex(input)}`);
    }
  };
  const started = performance.now();
  let jsonTick = 0;
  // DecodeError is the receive path's way of saying "not for us": capturing its stack is most of the cost
  // of a malformed record. Off while fuzzing; a failure is replayed with stacks on for the report.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    fuzzLinkLoop();
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
  report.elapsedMs = performance.now() - started;
  report.drops = drops;
  report.pendingFragments = pendingFragments(plain) + pendingFragments(keepBad);
  return report;

  function fuzzLinkLoop(): void {
    for (let i = 0; i < opts.iterations; i++) {
      const seed = seeds[rng.int(seeds.length)]!;
      // One record in 16 goes through unmutated: the state (fragments) sees real sequences too.
      const len = rng.int(16) === 0 ? (mut.buf.set(seed.bytes), seed.bytes.length) : mut.mutate(seed, seeds);
      const input = mut.buf.subarray(0, len);
      const keep = rng.int(4) === 0;
      const ex = keep ? keepBad : plain;
      let out: ReceivedMessage[];
      const t0 = performance.now();
      try {
        out = ex.fromRecord(linkType, input);
      } catch (e) {
        fail(i, input, `fromRecord threw ${describeThrow(e, () => new RemoteIdExtractor({ keepBadFcs: keep }).fromRecord(linkType, input))}`);
        continue;
      }
      const dt = performance.now() - t0;
      if (dt > report.maxMs) {
        report.maxMs = dt;
        report.slowestHex = toHex(input);
      }
      if (dt > REPLAY_ABOVE_MS) {
        const copy = input.slice();
        const own = fastest(() => new RemoteIdExtractor({ keepBadFcs: keep }).fromRecord(linkType, copy));
        if (own > report.maxReplayMs) report.maxReplayMs = own;
      }
      report.frames++;
      if (!Array.isArray(out)) {
        fail(i, input, 'fromRecord returned no array');
        continue;
      }
      if (out.length) report.yielding++;
      for (const m of out) {
        report.messages++;
        const t = m.message?.type ?? 'undefined';
        report.byType[t] = (report.byType[t] ?? 0) + 1;
        const bad = checkReceived(m, keep);
        if (bad) fail(i, input, `malformed message (${bad}): ${safeJson(m)}`);
        else if (++jsonTick >= jsonEvery) {
          jsonTick = 0;
          const j = checkJsonLine(m);
          if (j) fail(i, input, j);
        }
      }
    }
  }
}

/** Calls slower than this (ms) are replayed to tell the input's own cost from a GC pause or preemption. */
const REPLAY_ABOVE_MS = 5;
const REPLAYS = 5;

/** The fastest of REPLAYS runs of fn, ms. */
function fastest(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < REPLAYS; i++) {
    const t0 = performance.now();
    try {
      fn();
    } catch {
      // a throw is reported by the caller's own run
    }
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** An exception for the report, with the stack of a replay (stacks are off while fuzzing). */
function describeThrow(e: unknown, replay: () => unknown): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 20;
  let stack = '';
  try {
    replay();
    stack = '(the replay on a fresh instance did not throw: state-dependent)';
  } catch (again) {
    stack = again instanceof Error ? (again.stack ?? '') : String(again);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n${stack}`;
}

/** The extractor's private fragment store, read for the report only. */
function pendingFragments(ex: RemoteIdExtractor): number {
  const map = (ex as unknown as { fragments?: Map<string, Uint8Array[]> }).fragments;
  if (!map) return 0;
  let n = 0;
  for (const list of map.values()) n += list.length;
  return n;
}

const safeJson = (v: unknown): string => {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
};

// ------------------------------------------------------------------------------------------- capture fuzz

/** Structure of a capture seed: where its headers and length fields are. */
interface CaptureSeed {
  bytes: Uint8Array;
  /** Offsets where records/blocks start (file header excluded). */
  starts: number[];
  /** Offsets of length (and other framing) fields, 4 bytes each. */
  lengthFields: number[];
  /** Byte order of the length fields. */
  le: boolean;
}

const u32 = (v: number, le: boolean): Uint8Array => {
  const o = new Uint8Array(4);
  if (le) {
    o[0] = v & 0xff;
    o[1] = (v >>> 8) & 0xff;
    o[2] = (v >>> 16) & 0xff;
    o[3] = v >>> 24;
  } else {
    o[3] = v & 0xff;
    o[2] = (v >>> 8) & 0xff;
    o[1] = (v >>> 16) & 0xff;
    o[0] = v >>> 24;
  }
  return o;
};
const u16 = (v: number, le: boolean): Uint8Array => (le ? Uint8Array.of(v & 0xff, v >>> 8) : Uint8Array.of(v >>> 8, v & 0xff));
const rd32 = (b: Uint8Array, o: number, le: boolean): number =>
  le ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0 : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const pad4 = (b: Uint8Array): Uint8Array => (b.length % 4 ? concatBytes([b, new Uint8Array(4 - (b.length % 4))]) : b);

/** One pcapng block in either byte order: type, total length, body (padded), total length. */
function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const b = pad4(body);
  const len = 12 + b.length;
  return concatBytes([u32(type, le), u32(len, le), b, u32(len, le)]);
}
const option = (code: number, value: Uint8Array, le: boolean): Uint8Array => pad4(concatBytes([u16(code, le), u16(value.length, le), value]));
const endOpt = (le: boolean): Uint8Array => option(0, new Uint8Array(0), le);

/** A hand-made pcapng section in either byte order: SHB, two IDBs, EPB, SPB, obsolete PB, NRB, ISB, custom. */
function handPcapng(le: boolean, frames: readonly Uint8Array[]): Uint8Array {
  const shb = block(0x0a0d0d0a, concatBytes([u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), u32(0xffffffff, le), u32(0xffffffff, le), option(4, new TextEncoder().encode('fuzz'), le), endOpt(le)]), le);
  const idb = (lt: number, tsresol: number): Uint8Array =>
    block(1, concatBytes([u16(lt, le), u16(0, le), u32(65535, le), option(9, Uint8Array.of(tsresol), le), option(14, concatBytes([u32(0, le), u32(0, le)]), le), endOpt(le)]), le);
  const epb = (iface: number, data: Uint8Array, t: number): Uint8Array =>
    block(6, concatBytes([u32(iface, le), u32(0, le), u32(t, le), u32(data.length, le), u32(data.length, le), pad4(data), option(2, u32(1, le), le), endOpt(le)]), le);
  const parts = [shb, idb(LINKTYPE.IEEE802_11_RADIOTAP, 6), idb(LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, 0x86)];
  let t = 1_700_000_000;
  frames.forEach((f, i) => {
    parts.push(epb(i & 1, f, (t += 1000)));
    if (i % 3 === 0) parts.push(block(3, concatBytes([u32(f.length, le), pad4(f)]), le)); // SPB
    if (i % 4 === 1) parts.push(block(2, concatBytes([u16(0, le), u16(0, le), u32(0, le), u32(t, le), u32(f.length, le), u32(f.length, le), pad4(f)]), le)); // PB
  });
  parts.push(block(4, concatBytes([u16(1, le), u16(8, le), fromHex('c0a80001'), new TextEncoder().encode('h\0\0\0'), u16(0, le), u16(0, le)]), le)); // NRB
  parts.push(block(5, concatBytes([u32(0, le), u32(0, le), u32(t, le), endOpt(le)]), le)); // ISB
  parts.push(block(0x00000bad, concatBytes([u32(32473, le), fromHex('01020304')]), le)); // custom block
  return concatBytes(parts);
}

/** A big-endian (or little-endian) classic pcap with µs or ns stamps, written by hand. */
function handPcap(le: boolean, ns: boolean, linkType: number, frames: readonly Uint8Array[]): Uint8Array {
  const parts = [concatBytes([u32(ns ? 0xa1b23c4d : 0xa1b2c3d4, le), u16(2, le), u16(4, le), u32(0, le), u32(0, le), u32(65535, le), u32(linkType, le)])];
  let t = 1_600_000_000;
  for (const f of frames) parts.push(concatBytes([u32(t++, le), u32(ns ? 999_999_999 : 999_999, le), u32(f.length, le), u32(f.length, le), f]));
  return concatBytes(parts);
}

/** A btsnoop file (big-endian) of the given datalink. */
function btsnoop(datalink: number, frames: readonly Uint8Array[]): Uint8Array {
  const parts = [concatBytes([fromHex('6274736e6f6f7000'), u32(1, false), u32(datalink, false)])];
  let hi = 0x00e03ab4;
  for (const f of frames) parts.push(concatBytes([u32(f.length, false), u32(f.length, false), u32(3, false), u32(0, false), u32(hi++, false), u32(0x12345678, false), f]));
  return concatBytes(parts);
}

/** Walks a well-formed seed once to learn where its framing fields are. */
function describeCapture(bytes: Uint8Array): CaptureSeed {
  const starts: number[] = [];
  const lengthFields: number[] = [];
  const magic = rd32(bytes, 0, true);
  if (magic === 0x0a0d0d0a) {
    let o = 0;
    let le = true;
    const firstLe = rd32(bytes, 8, true) === 0x1a2b3c4d;
    while (o + 12 <= bytes.length) {
      if (rd32(bytes, o, true) === 0x0a0d0d0a) le = rd32(bytes, o + 8, true) === 0x1a2b3c4d;
      const len = rd32(bytes, o + 4, le);
      if (len < 12 || o + len > bytes.length) break;
      const type = rd32(bytes, o, le);
      if (type !== 0x0a0d0d0a && type !== 1) starts.push(o); // records; the header is SHB + IDBs
      lengthFields.push(o + 4, o + len - 4);
      if (type === 6) lengthFields.push(o + 8, o + 20, o + 24); // interface id, captured and original length
      if (type === 3) lengthFields.push(o + 8);
      if (type === 1) lengthFields.push(o + 8, o + 12);
      o += len;
    }
    return { bytes, starts, lengthFields, le: firstLe };
  }
  const isBt = bytes[0] === 0x62 && bytes[1] === 0x74;
  const le = !isBt && (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d);
  const fileHeader = isBt ? 16 : 24;
  const recHeader = isBt ? 24 : 16;
  const inclAt = isBt ? 4 : 8;
  const origAt = isBt ? 0 : 12;
  lengthFields.push(isBt ? 12 : 20, isBt ? 8 : 16);
  let o = fileHeader;
  while (o + recHeader <= bytes.length) {
    const incl = rd32(bytes, o + inclAt, le);
    if (o + recHeader + incl > bytes.length) break;
    starts.push(o);
    lengthFields.push(o + inclAt, o + origAt, o);
    o += recHeader + incl;
  }
  return { bytes, starts, lengthFields, le };
}

/** Real capture files and built ones (every container and byte order the reader knows). */
export function captureSeeds(): CaptureSeed[] {
  const files = captureFiles().map((f) => new Uint8Array(readFileSync(f)));
  const link = linkSeeds(40);
  const wifi = (link.get(LINKTYPE.IEEE802_11_RADIOTAP) ?? []).slice(0, 12);
  const ble = (link.get(LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR) ?? []).slice(0, 8);
  const hci = (link.get(LINKTYPE.BLUETOOTH_HCI_H4) ?? []).slice(0, 8);
  const mixed = wifi.flatMap((w, i) => (ble[i % ble.length] ? [w, ble[i % ble.length]!] : [w]));

  const w = new PcapngWriter();
  const ng: Uint8Array[] = [w.header()];
  const ifaces = [
    w.addInterface({ linkType: LINKTYPE.IEEE802_11_RADIOTAP, name: 'wlan0mon' }),
    w.addInterface({ linkType: LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, tsresol: 6 }),
    w.addInterface({ linkType: LINKTYPE.BLUETOOTH_HCI_H4, tsresol: 0x8a }),
  ];
  ng.push(...ifaces.map((x) => x.bytes));
  let t = 1_767_225_600;
  for (const f of wifi) ng.push(w.packet(0, (t += 0.1), f, { flags: 1 }));
  for (const f of ble) ng.push(w.packet(1, (t += 0.1), f));
  for (const f of hci) ng.push(w.packet(2, (t += 0.1), f, { originalLength: f.length + 10 }));
  ng.push(w.header(), w.addInterface({ linkType: LINKTYPE.IEEE802_11 }).bytes); // a second section
  for (const f of wifi.slice(0, 4)) ng.push(w.packet(0, (t += 0.1), f.subarray(radiotapLength(f))));

  const pw = new PcapWriter();
  const pcap = [pw.header(LINKTYPE.IEEE802_11_RADIOTAP, { nanoseconds: true }), ...wifi.map((f, i) => pw.packet(1_700_000_000 + i / 10, f))];

  const built = [
    concatBytes(ng),
    concatBytes(pcap),
    handPcapng(false, mixed.slice(0, 10)),
    handPcapng(true, mixed.slice(0, 10)),
    concatBytes([handPcapng(true, wifi.slice(0, 3)), handPcapng(false, ble.slice(0, 3))]),
    handPcap(false, false, LINKTYPE.IEEE802_11_RADIOTAP, wifi),
    handPcap(false, true, LINKTYPE.BLUETOOTH_HCI_H4, hci),
    handPcap(true, true, LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, ble),
    btsnoop(1002, hci),
    btsnoop(1001, hci.map((h) => h.subarray(1))),
    btsnoop(2001, hci),
    btsnoop(1004, hci),
  ];
  return [...files, ...built].map(describeCapture);
}

export interface CaptureFuzzReport {
  seed: number;
  chunks: number;
  streams: number;
  bytes: number;
  records: number;
  warnings: number;
  messages: number;
  /** Slowest push, ms (wall clock), and its stream as hex. */
  maxPushMs: number;
  slowestStream: string;
  /** Pushes slower than REPLAY_ABOVE_MS replayed (the stream again, same chunks, fresh reader): the largest fastest-of-REPLAYS. */
  maxReplayMs: number;
  maxBuffered: number;
  failures: string[];
  failureCount: number;
  elapsedMs: number;
}

/** Largest buffer the reader may hold: a 16 MiB pcapng block, plus one chunk. */
const MAX_BUFFERED = 16 * 1024 * 1024 + 65_536;

/**
 * Damages a seed stream: a window of it (whole, a prefix, or its header followed by a later slice),
 * then structural damage (length fields, dropped, duplicated or swapped records, garbage between them,
 * another file spliced in) and byte-level damage.
 */
function damagedStream(rng: Rng, seed: CaptureSeed, all: readonly CaptureSeed[]): Uint8Array {
  const src = seed.bytes;
  const firstRecord = seed.starts[0] ?? Math.min(24, src.length);
  const budget = 256 + rng.logInt(12_000);
  // Where the seed's bytes [from, from + len) landed in the stream, after the file header [0, firstRecord).
  let from = 0;
  let len: number;
  if (rng.int(10) < 4 || seed.starts.length < 2) {
    len = Math.min(src.length, budget);
  } else {
    // header, then records from a random one on (possibly mid-record)
    from = rng.chance(0.7) ? rng.pick(seed.starts) : firstRecord + rng.int(Math.max(1, src.length - firstRecord));
    len = Math.min(src.length - from, budget);
  }
  let b = from === 0 ? src.subarray(0, len) : concatBytes([src.subarray(0, firstRecord), src.subarray(from, from + len)]);
  /** A seed offset in the stream, while no structural change has moved it (-1 when not in the stream). */
  const offset = (o: number): number => (o < firstRecord && from > 0 ? o : o >= from && o < from + len ? o - from + (from > 0 ? firstRecord : 0) : -1);
  const structural = rng.int(4);
  for (let k = 0; k < structural; k++) {
    const op = rng.int(7);
    if (op <= 1 && seed.lengthFields.length) {
      // corrupt a framing field
      const at = offset(rng.pick(seed.lengthFields));
      if (at < 0 || at + 4 > b.length) continue;
      if (b.buffer === src.buffer) b = b.slice();
      const v = rd32(b, at, seed.le);
      const choices = [0, 1, 4, 11, 12, 13, 0xffffffff, 0x7fffffff, 0x01000000, 0x00010000, 262_145, v + 1, v - 1, v + 4, v - 4, v * 2, v + rng.int(100_000)];
      b.set(u32(rng.pick(choices) >>> 0, seed.le), at);
    } else if (op === 2) {
      // drop a range
      const at = rng.int(b.length);
      const k2 = Math.min(b.length - at, 1 + rng.logInt(600));
      b = concatBytes([b.subarray(0, at), b.subarray(at + k2)]);
    } else if (op === 3) {
      // duplicate a range
      const at = rng.int(b.length);
      const k2 = Math.min(b.length - at, 1 + rng.logInt(600));
      b = concatBytes([b.subarray(0, at + k2), b.subarray(at, at + k2), b.subarray(at + k2)]);
    } else if (op === 4) {
      // garbage in between
      const at = rng.int(b.length + 1);
      const g = new Uint8Array(rng.logInt(300));
      const fill = rng.int(3);
      for (let i = 0; i < g.length; i++) g[i] = fill === 0 ? 0 : fill === 1 ? 0xff : rng.int(256);
      b = concatBytes([b.subarray(0, at), g, b.subarray(at)]);
    } else if (op === 5) {
      // another capture spliced in (its header too, sometimes)
      const other = rng.pick(all).bytes;
      const from = rng.chance(0.3) ? 0 : rng.int(other.length);
      const at = rng.int(b.length + 1);
      b = concatBytes([b.subarray(0, at), other.subarray(from, from + rng.logInt(2000)), b.subarray(at)]);
    } else {
      // cut the end
      b = b.subarray(0, rng.int(b.length + 1));
    }
  }
  const bytewise = rng.int(3) === 0 ? 0 : 1 + rng.int(6);
  if (bytewise && b.length) {
    if (b.buffer === src.buffer) b = b.slice();
    for (let k = 0; k < bytewise; k++) {
      const at = rng.int(b.length);
      if (rng.chance(0.5)) b[at]! ^= 1 << rng.int(8);
      else b[at] = rng.pick(INTERESTING);
    }
  }
  return b;
}

export interface CaptureFuzzOptions {
  chunks: number;
  seed: number;
  seeds?: CaptureSeed[];
}

export function fuzzCaptures(opts: CaptureFuzzOptions): CaptureFuzzReport {
  const rng = new Rng(subSeed(opts.seed, 0xcafe));
  const seeds = opts.seeds ?? captureSeeds();
  const report: CaptureFuzzReport = {
    seed: opts.seed, chunks: 0, streams: 0, bytes: 0, records: 0, warnings: 0, messages: 0, maxPushMs: 0, slowestStream: '', maxReplayMs: 0, maxBuffered: 0,
    failures: [], failureCount: 0, elapsedMs: 0,
  };
  const extractor = new RemoteIdExtractor({ keepBadFcs: true });
  const started = performance.now();
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    captureLoop();
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
  report.elapsedMs = performance.now() - started;
  return report;

  function captureLoop(): void {
    while (report.chunks < opts.chunks) {
      const stream = report.streams++;
      const seed = rng.pick(seeds);
      const bytes = damagedStream(rng, seed, seeds);
      report.bytes += bytes.length;
      const fail = (what: string): void => {
        report.failureCount++;
        if (report.failures.length < 20) {
          report.failures.push(`captures, seed 0x${opts.seed.toString(16)}, stream ${stream}: ${what}\n  stream ${toHex(bytes.subarray(0, 4096))}${bytes.length > 4096 ? '...' : ''}`);
        }
      };
      let warnings = 0;
      let badWarning: string | undefined;
      const reader = new CaptureReader({
        onWarning: (w) => {
          warnings++;
          if (!isInt(w.offset, 0, bytes.length) || typeof w.reason !== 'string' || w.reason.length === 0 || (w.frame !== undefined && !isInt(w.frame, 1, 1e9))) {
            badWarning ??= JSON.stringify(w);
          }
        },
      });
      let frame = 0;
      const take = (records: CaptureRecord[]): void => {
        for (const r of records) {
          report.records++;
          const bad = checkRecord(r, ++frame);
          if (bad) {
            fail(`record ${frame}: ${bad}`);
            frame = r.frame;
          }
          try {
            report.messages += extractor.fromRecord(r.linkType, r.data).length;
          } catch (e) {
            const what = describeThrow(e, () => new RemoteIdExtractor({ keepBadFcs: true }).fromRecord(r.linkType, r.data));
            fail(`fromRecord threw on record ${r.frame} (link type ${r.linkType}, ${toHex(r.data)}): ${what}`);
          }
        }
      };
        // Chunk sizes: mostly small (1..1024, log-uniform); a stream is pushed whole now and then.
      let o = 0;
      const sizes: number[] = [];
      let slowPush = -1;
      try {
        while (o < bytes.length) {
          const n = rng.int(64) === 0 ? bytes.length - o : rng.logInt(1024);
          sizes.push(n);
          const chunk = bytes.subarray(o, o + n);
          o += n;
          report.chunks++;
          const t0 = performance.now();
          const recs = reader.push(chunk);
          const dt = performance.now() - t0;
          if (dt > report.maxPushMs) {
            report.maxPushMs = dt;
            report.slowestStream = toHex(bytes);
          }
          if (dt > REPLAY_ABOVE_MS && slowPush < 0) slowPush = sizes.length - 1;
          if (reader.bufferedBytes > report.maxBuffered) report.maxBuffered = reader.bufferedBytes;
          if (reader.bufferedBytes > MAX_BUFFERED) fail(`buffers ${reader.bufferedBytes} bytes`);
          take(recs);
        }
        take(reader.end());
        if (reader.bytesRead !== bytes.length) fail(`bytesRead ${reader.bytesRead} of ${bytes.length}`);
        if (slowPush >= 0) {
          const own = replayPush(bytes, sizes, slowPush);
          if (own > report.maxReplayMs) report.maxReplayMs = own;
        }
      } catch (e) {
        fail(`CaptureReader threw ${describeThrow(e, () => [...new CaptureReader({ onWarning: () => undefined }).push(bytes)])}`);
      }
      if (badWarning) fail(`malformed warning ${badWarning}`);
      report.warnings += warnings;
    }
  }
}

/** The fastest of REPLAYS timings of push number `at` when the stream is pushed again in the same chunks. */
function replayPush(bytes: Uint8Array, sizes: readonly number[], at: number): number {
  let best = Infinity;
  for (let k = 0; k < REPLAYS; k++) {
    const reader = new CaptureReader({ onWarning: () => undefined });
    let o = 0;
    for (let i = 0; i <= at; i++) {
      const chunk = bytes.subarray(o, o + sizes[i]!);
      o += sizes[i]!;
      const t0 = performance.now();
      reader.push(chunk);
      if (i === at) best = Math.min(best, performance.now() - t0);
    }
  }
  return best;
}

function checkRecord(r: CaptureRecord, expectedFrame: number): string | undefined {
  if (r.frame !== expectedFrame) return `frame ${r.frame}, expected ${expectedFrame}`;
  if (!(r.data instanceof Uint8Array)) return 'data is not a Uint8Array';
  if (r.data.length > 16 * 1024 * 1024) return `data of ${r.data.length} bytes`;
  // btsnoop datalinks without a pcap equivalent are reported as 0x10000 + datalink (a private range).
  if (!isInt(r.linkType, 0, 0x10000 + 0xffffffff)) return `linkType ${r.linkType}`;
  if (!isInt(r.interfaceId, 0, 0xffffffff)) return `interfaceId ${r.interfaceId}`;
  if (typeof r.timestamp !== 'number' || Number.isNaN(r.timestamp)) return `timestamp ${r.timestamp}`;
  // btsnoop HCI (1001) and monitor (2001) records grow by the 1- or 4-byte header put in front of them.
  if (!isInt(r.originalLength, 0, 0xffffffff + 4)) return `originalLength ${r.originalLength}`;
  if (r.flags !== undefined && !isInt(r.flags, 0, 0xffffffff)) return `flags ${r.flags}`;
  return undefined;
}

// ------------------------------------------------------------------------------------------- printing

export function linkSummary(r: LinkFuzzReport): string {
  const types = Object.entries(r.byType)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `link ${r.linkType}: ${r.frames} frames from ${r.seeds} seeds in ${(r.elapsedMs / 1000).toFixed(1)} s ` +
    `(${((r.frames / r.elapsedMs) * 1000 / 1e3).toFixed(0)} k/s), ${r.yielding} yielded ${r.messages} messages (${types}), ` +
    `${r.drops} drops, slowest frame ${r.maxMs.toFixed(2)} ms (replayed: ${r.maxReplayMs.toFixed(2)} ms), ${r.pendingFragments} fragments pending, ${r.failureCount} failures`
  );
}

export function captureSummary(r: CaptureFuzzReport): string {
  return (
    `captures: ${r.chunks} chunks, ${r.streams} damaged streams, ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.elapsedMs / 1000).toFixed(1)} s, ` +
    `${r.records} records, ${r.warnings} warnings, ${r.messages} messages, slowest push ${r.maxPushMs.toFixed(2)} ms (replayed: ${r.maxReplayMs.toFixed(2)} ms), ` +
    `largest buffer ${r.maxBuffered} bytes, ${r.failureCount} failures`
  );
}
