/**
 * Writers of the older capture headers the link layer reads: PPI (DLT 192), Prism (DLT 119), AVS (DLT 163)
 * and the nRF Sniffer's legacy v0 header (DLT 272), for the link tests and the fuzz seeds. Written here from
 * the published layouts, not with the decoders, so that tshark reading the files they make checks the
 * decoders independently.
 */

/** What a radio header says about a received frame. */
export interface RadioFacts {
  /** dBm. */
  rssi?: number;
  /** PPI, AVS: channel centre frequency. */
  freqMHz?: number;
  /** Prism, AVS: channel number. */
  channel?: number;
  /** Multiple of 500 (PPI, Prism) or 100 (AVS). */
  rateKbps?: number;
}

export interface PpiOptions extends RadioFacts {
  /** Inner link type (default 105, 802.11). */
  dlt?: number;
  /** The 802.11-Common field (default true). */
  common?: boolean;
  /** 802.11-Common flags: 0x1 FCS present, 0x4 FCS invalid. */
  commonFlags?: number;
  /** Header flag 0x01: fields 32-bit aligned. */
  aligned?: boolean;
  /** Fields written before 802.11-Common: type and data. */
  before?: { type: number; data: Uint8Array }[];
}

/** Header (8), then fields: type u16, length u16, data; all little-endian. */
export function ppiRecord(packet: Uint8Array, o: PpiOptions = {}): Uint8Array {
  const fields: Uint8Array[] = [];
  const field = (type: number, data: Uint8Array): void => {
    const pad = o.aligned ? (4 - ((4 + data.length) % 4)) % 4 : 0;
    const f = new Uint8Array(4 + data.length + pad);
    const v = new DataView(f.buffer);
    v.setUint16(0, type, true);
    v.setUint16(2, data.length, true);
    f.set(data, 4);
    fields.push(f);
  };
  for (const f of o.before ?? []) field(f.type, f.data);
  if (o.common ?? true) {
    const c = new Uint8Array(20);
    const v = new DataView(c.buffer);
    v.setBigUint64(0, 0x1122334455n, true); // TSFT
    v.setUint16(8, o.commonFlags ?? 0, true);
    v.setUint16(10, (o.rateKbps ?? 0) / 500, true);
    v.setUint16(12, o.freqMHz ?? 0, true);
    v.setUint16(14, (o.freqMHz ?? 0) >= 4900 ? 0x0140 : 0x00a0, true); // 5 GHz OFDM / 2 GHz CCK
    v.setInt8(18, o.rssi ?? -128);
    v.setInt8(19, -128); // noise: not measured
    field(2, c);
  }
  const length = 8 + fields.reduce((n, f) => n + f.length, 0);
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  h[1] = o.aligned ? 1 : 0;
  v.setUint16(2, length, true);
  v.setUint32(4, o.dlt ?? 105, true);
  return concat([h, ...fields, packet]);
}

export interface PrismOptions extends RadioFacts {
  bigEndian?: boolean;
  /** DID numbering: 1 (message code 0x44, DIDs n<<16|0x44) or 2 (0x41, n<<12|0x41). Default 1. */
  numbering?: 1 | 2;
  /** Message length field (default 144). */
  msgLength?: number;
  /** Items (1 host time .. 10 frame length) marked not supplied (status 1). */
  notSupplied?: number[];
}

/** msgcode, msglen, devname[16], ten items {did, status u16, len u16, data u32}: 144 bytes, host byte order. */
export function prismRecord(frame: Uint8Array, o: PrismOptions = {}): Uint8Array {
  const h = new Uint8Array(144);
  const v = new DataView(h.buffer);
  const le = !o.bigEndian;
  const type2 = o.numbering === 2;
  v.setUint32(0, type2 ? 0x41 : 0x44, le);
  v.setUint32(4, o.msgLength ?? 144, le);
  h.set(new TextEncoder().encode('wlan0'), 8);
  // host time, MAC time, channel, RSSI, SQ, signal, noise, rate, is-TX, frame length
  const values = [4_000_000, 123_456, o.channel ?? 0, o.rssi ?? 0, 0, o.rssi ?? 0, -95, (o.rateKbps ?? 0) / 500, 0, frame.length];
  values.forEach((value, i) => {
    const n = i + 1;
    const at = 24 + i * 12;
    v.setUint32(at, type2 ? (n << 12) | 0x41 : (n << 16) | 0x44, le);
    v.setUint16(at + 4, o.notSupplied?.includes(n) ? 1 : 0, le);
    v.setUint16(at + 6, 4, le);
    v.setInt32(at + 8, value, le);
  });
  return concat([h, frame]);
}

export interface AvsOptions extends RadioFacts {
  /** 1 (64-byte header) or 2 (80 bytes); other versions write the v2 layout. Default 2. */
  version?: number;
  /** Header length field (default 64 / 80). */
  length?: number;
  /** PHY type (default 4, 802.11b; 8 is 802.11a, 1 FHSS). */
  phyType?: number;
  /** SSI type (default 2, dBm). */
  ssiType?: number;
}

/** All big-endian: version, length, mactime, hosttime, phytype, channel, rate (100 kb/s), ..., SSI. */
export function avsRecord(frame: Uint8Array, o: AvsOptions = {}): Uint8Array {
  const version = o.version ?? 2;
  const h = new Uint8Array(version === 1 ? 64 : 80);
  const v = new DataView(h.buffer);
  v.setUint32(0, 0x80211000 + version);
  v.setUint32(4, o.length ?? h.length);
  v.setBigUint64(8, 1_620_849_805_191_866n); // mactime
  v.setBigUint64(16, 1_620_849_805_191_900n); // hosttime
  v.setUint32(24, o.phyType ?? 4);
  v.setUint32(28, o.channel ?? o.freqMHz ?? 0); // below 256 a channel number, else MHz
  v.setUint32(32, (o.rateKbps ?? 0) / 100);
  v.setUint32(36, 1); // antenna
  v.setUint32(44, o.ssiType ?? 2);
  v.setInt32(48, o.rssi ?? 0);
  v.setInt32(52, -95); // noise
  v.setUint32(56, 2); // long preamble
  v.setUint32(60, 1); // CCK
  if (version !== 1) h.set([0x02, 0x00, 0x00, 0x00, 0x00, 0x01], 72); // receiver address
  return concat([h, frame]);
}

export interface NordicV0Options {
  /** Packet ID (default 0x06, a received packet). */
  id?: number;
  counter?: number;
  /** Bit 0 CRC OK, bits 6..4 PHY. */
  flags: number;
  channel: number;
  /** dBm (stored as its magnitude). */
  rssi: number;
}

/** 0xBEEF, packet ID, counter u16 LE, 2 unused, payload length u8, flags, channel, RSSI, event counter, delta time; the LE packet. */
export function nordicV0Record(packet: Uint8Array, o: NordicV0Options): Uint8Array {
  const h = new Uint8Array(17);
  const v = new DataView(h.buffer);
  h[0] = 0xbe;
  h[1] = 0xef;
  h[2] = o.id ?? 0x06;
  v.setUint16(3, o.counter ?? 0, true);
  const payload = 9 + packet.length;
  if (payload > 0xff) throw new Error(`a v0 record holds at most 246 packet bytes, not ${packet.length}`);
  h[7] = payload;
  h[8] = o.flags;
  h[9] = o.channel;
  h[10] = -o.rssi;
  v.setUint16(11, 0, true); // event counter
  v.setUint32(13, 1500, true); // delta time, µs
  return concat([h, packet]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
