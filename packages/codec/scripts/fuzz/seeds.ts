/**
 * Role: the valid records the record targets start from. Link records come from real captures
 * (test/fixtures/captures, and the external corpus where present: test/support/fixtures.ts), from the corpus's
 * reference extracts, and from the codec's own builders (every transport, HCI reports, BLE PDUs, sniffer
 * headers, and frames that carry no Remote ID at all, as a receiver mostly sees).
 */

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { corpusAvailable, corpusDir, corpusPath, fixturePath } from '../../../../test/support/fixtures.js';
import {
  CaptureReader,
  LINKTYPE,
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
  toHex,
  type SingleMessageInput,
} from '../../src/index.js';
import { avsRecord, nordicV0Record, ppiRecord, prismRecord } from '../../test/link-header-writers.js';

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
export const radiotapLength = (b: Uint8Array): number => b[2]! | (b[3]! << 8);
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
  const extInd = concatBytes([aa, fromHex('0707 0618 0110 012345'), fromHex('000000')]);
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
function realCaptureRecords(): Map<number, Uint8Array[]> {
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

/** Frames built with the codec's builders, per link type: each of them decodes (a damaged one with a diagnostic). */
export function builtRecords(): Map<number, Uint8Array[]> {
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
    add(LINKTYPE.NORDIC_BLE, nordicV0Record(pdu, { flags: 0x01, channel: 37 + (counter % 3), rssi: -60 }));
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
  // Two extended reports in one event, the second without an address; a legacy PDU behind a coded-PHY header.
  add(
    LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR,
    buildHciLeExtAdvertisingReport([{ address: ADDRESS, sid: 1, data: ad0 }, { data: ad0.subarray(0, 3) }], { phdr: true }),
  );
  add(LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, buildBlePhdrRecord(buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: ADDRESS, advData: ad0 }), { channel: 37, rssi: -50 }));

  for (const p of pks) {
    for (const transport of ['ble-extended', 'wifi-beacon', 'wifi-nan'] as const) {
      for (const f of buildAirFrames({ transport, address: ADDRESS, counter: counter++ & 0xff, payload: p, rssi: -55, timestampUs: 123456789 })) {
        add(f.linkType, f.data);
        if (f.linkType === LINKTYPE.IEEE802_11_RADIOTAP) {
          const frame = f.data.subarray(radiotapLength(f.data));
          add(LINKTYPE.IEEE802_11, frame);
          add(LINKTYPE.IEEE802_11, withFcs(frame));
          add(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([buildRadiotap({ freqMHz: 5180, rssi: -70, flags: 0x10 }), withFcs(frame)]));
          // A radiotap header with a second present word and a vendor namespace before the fields.
          add(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([fromHex('00 00 1c 00 02 00 00 c0 01 00 00 a0 20 00 00 00 05 ff 001122 00 0300 abcdef d3'), frame]));
          // The older headers: PPI (with and without FCS, around radiotap), Prism (both byte orders, and around AVS), AVS.
          add(LINKTYPE.PPI, ppiRecord(frame, { rssi: -55, freqMHz: 2437, rateKbps: 1000 }));
          add(LINKTYPE.PPI, ppiRecord(withFcs(frame), { rssi: -70, freqMHz: 5180, rateKbps: 6000, commonFlags: 0x1, aligned: true, before: [{ type: 3, data: new Uint8Array(12) }] }));
          add(LINKTYPE.PPI, ppiRecord(f.data, { dlt: LINKTYPE.IEEE802_11_RADIOTAP, common: false }));
          add(LINKTYPE.IEEE802_11_PRISM, prismRecord(frame, { rssi: -55, channel: 6, rateKbps: 1000 }));
          add(LINKTYPE.IEEE802_11_PRISM, prismRecord(withFcs(frame), { rssi: -60, channel: 36, rateKbps: 6000, bigEndian: true, numbering: 2 }));
          add(LINKTYPE.IEEE802_11_PRISM, avsRecord(frame, { rssi: -55, channel: 6, rateKbps: 1000 }));
          add(LINKTYPE.IEEE802_11_AVS, avsRecord(frame, { rssi: -55, channel: 6, rateKbps: 1000, version: 1 }));
          add(LINKTYPE.IEEE802_11_AVS, avsRecord(withFcs(frame), { rssi: -70, freqMHz: 5180, rateKbps: 6000, phyType: 8 }));
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
  // A beacon whose Remote ID element holds a pack cut short after its header.
  const cutPack = fromHex('8000 0000 ffffffffffff 84cca8604324 84cca8604324 000d 0000000000000000 b80b 2104 0003 414243 dd 07 fa0bbc 0d d0 f0 19');
  add(LINKTYPE.IEEE802_11, cutPack);
  add(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([rt(), cutPack]));
  for (const w of unrelatedWifi()) {
    add(LINKTYPE.IEEE802_11, w);
    add(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([rt(2412, -30), w]));
    add(LINKTYPE.PPI, ppiRecord(w, { rssi: -30, freqMHz: 2412 }));
    add(LINKTYPE.IEEE802_11_PRISM, prismRecord(w, { rssi: -30, channel: 1 }));
    add(LINKTYPE.IEEE802_11_AVS, avsRecord(w, { rssi: -30, channel: 1 }));
  }
  for (const b of unrelatedBle()) {
    add(LINKTYPE.BLUETOOTH_LE_LL, b);
    add(LINKTYPE.NORDIC_BLE, nordic(b, 0x01, 38));
    add(LINKTYPE.NORDIC_BLE, nordicV0Record(b, { flags: 0x01, channel: 39, rssi: -45 }));
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
