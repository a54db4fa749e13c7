/**
 * Role: the capture streams the capture target damages. Every real capture file, and files built for every
 * container and byte order the reader knows (pcap µs/ns in both orders, pcapng sections with several
 * interfaces and every block type in both orders, btsnoop of each datalink), each walked once to learn where
 * its records and framing fields are.
 */

import { readFileSync } from 'node:fs';
import { LINKTYPE, PcapWriter, PcapngWriter, concatBytes, fromHex } from '../../src/index.js';
import { captureFiles, linkSeeds, radiotapLength } from './seeds.js';

/** Structure of a capture seed: where its headers and length fields are. */
export interface CaptureSeed {
  bytes: Uint8Array;
  /** Offsets where records/blocks start (file header excluded). */
  starts: number[];
  /** Offsets of length (and other framing) fields, 4 bytes each. */
  lengthFields: number[];
  /** Byte order of the length fields. */
  le: boolean;
}

export const u32 = (v: number, le: boolean): Uint8Array => {
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
export const rd32 = (b: Uint8Array, o: number, le: boolean): number =>
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
export function describeCapture(bytes: Uint8Array): CaptureSeed {
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
