/**
 * Random and mutated records: decodeLinkFrame must return a result or throw DecodeError, nothing else,
 * and every returned byte view must lie inside the record.
 */

import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import {
  LINKTYPE,
  buildBleAdvPdu,
  buildBlePhdrRecord,
  buildHciLeAdvertisingReport,
  buildHciLeExtAdvertisingReport,
  buildRadiotap,
  decodeLinkFrame,
  supportedLinkTypes,
  type LinkResult,
} from '../src/link/index.js';

/** xorshift32: reproducible runs. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** A plausible start for each link type, so random tails reach past the first checks. */
const PRIMERS: Record<number, Uint8Array[]> = {
  [LINKTYPE.IEEE802_11]: [fromHex('8000'), fromHex('d000')],
  [LINKTYPE.IEEE802_11_RADIOTAP]: [fromHex('0000'), fromHex('0000 2000 2f4840a0')],
  [LINKTYPE.BLUETOOTH_HCI_H4]: [fromHex('043e'), fromHex('043e ff02'), fromHex('043e ff0d')],
  [LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR]: [fromHex('00000001 043e'), fromHex('00000001 043e ff0d01')],
  [LINKTYPE.BLUETOOTH_LE_LL]: [fromHex('d6be898e'), fromHex('d6be898e 07')],
  [LINKTYPE.BLUETOOTH_LINUX_MONITOR]: [fromHex('0000 0003 3e'), fromHex('0000 0003 3e ff02'), fromHex('0001 0003 3e ff0d01')],
  [LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR]: [fromHex('00c50000 00000000 0108 d6be898e'), fromHex('0ac50000 00000000 818c d6be898e 00 07')],
  [LINKTYPE.NORDIC_BLE]: [fromHex('03 0000 03 0000 02 0a'), fromHex('03 0000 03 0000 02 0a 21 0a 35 0000 00000000 d6be898e 00 07')],
};

/** Plain checks (no expect() in the hot loop: it costs more than the decode). */
function checkResult(r: LinkResult, data: Uint8Array): void {
  if (!Array.isArray(r.frames) || !Array.isArray(r.warnings)) throw new Error('result shape');
  for (const w of r.warnings) if (typeof w !== 'string') throw new Error('warning is not a string');
  for (const f of r.frames) {
    const view = f.kind === 'wifi' ? f.frame : f.advData;
    if (view.length === 0) continue;
    const inside =
      view.buffer === data.buffer &&
      view.byteOffset >= data.byteOffset &&
      view.byteOffset + view.length <= data.byteOffset + data.length;
    if (!inside) throw new Error('frame bytes are not a view into the record');
  }
}

/** Runs one decode; returns 1 when it threw DecodeError, 0 on a result, fails the test otherwise. */
function attempt(linkType: number, data: Uint8Array): number {
  let r: LinkResult;
  try {
    r = decodeLinkFrame(linkType, data);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw new Error(`link ${linkType}: non-DecodeError ${String(e)} for ${Buffer.from(data).toString('hex')}`);
    return 1;
  }
  checkResult(r, data);
  return 0;
}

describe('random records', () => {
  for (const linkType of supportedLinkTypes()) {
    it(`link type ${linkType}: 100000 random buffers give a result or DecodeError`, () => {
      const next = rng(0x9e3779b9 ^ linkType);
      const primers = PRIMERS[linkType]!;
      const buf = new Uint8Array(400);
      let errors = 0;
      const n = 100_000;
      for (let i = 0; i < n; i++) {
        const len = next() % 300;
        for (let k = 0; k < len; k++) buf[k] = next() & 0xff;
        // Half of them start like a real record of this type.
        if (i & 1) {
          const p = primers[next() % primers.length]!;
          buf.set(p.subarray(0, Math.min(p.length, len)));
        }
        errors += attempt(linkType, buf.slice(0, len));
      }
      // Both outcomes occur (raw 802.11 accepts any bytes, so it never errors).
      if (linkType !== LINKTYPE.IEEE802_11) expect(errors).toBeGreaterThan(0);
      expect(errors).toBeLessThan(n);
    });
  }
});

describe('mutated valid records', () => {
  const ad = fromHex('1e16faff0d07 122624160a42bf241b6ed1b4b69808ac0870086b53150e0200');
  const legacy = buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', advData: ad });
  const aux = buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: 'c0:11:22:33:44:55', advData: ad, sid: 1, did: 5, codingIndicator: 0 });
  const nordicHdr = (pkt: Uint8Array, flags: number, ch: number) => {
    const h = fromHex('03 0000 03 0000 02 0a 00 00 35 0000 00000000');
    const plen = 10 + pkt.length;
    h[1] = plen & 0xff;
    h[2] = plen >> 8;
    h[8] = flags;
    h[9] = ch;
    return concatBytes([h, pkt]);
  };
  const beacon = fromHex('8000 0000 ffffffffffff 84cca8604324 84cca8604324 000d 0000000000000000 b80b 2104 0003 414243 dd 07 fa0bbc 0d d0 f0 19');
  const seeds: [number, Uint8Array][] = [
    [LINKTYPE.BLUETOOTH_LE_LL, legacy],
    [LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, buildBlePhdrRecord(legacy, { channel: 37, rssi: -50 })],
    [LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, buildBlePhdrRecord(aux, { channel: 3, rssi: -50, phy: 'coded' })],
    [LINKTYPE.NORDIC_BLE, nordicHdr(legacy, 0x01, 38)],
    [LINKTYPE.NORDIC_BLE, nordicHdr(aux, 0x21, 12)],
    [LINKTYPE.BLUETOOTH_HCI_H4, buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: ad, rssi: -40 }, { pdu: 'ADV_IND', address: 'c0:11:22:33:44:56', data: ad.subarray(0, 4) }])],
    [LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, buildHciLeExtAdvertisingReport([{ address: 'c0:11:22:33:44:55', sid: 1, data: ad }, { data: ad.subarray(0, 3) }], { phdr: true })],
    [LINKTYPE.BLUETOOTH_LINUX_MONITOR, concatBytes([fromHex('0000 0003'), buildHciLeExtAdvertisingReport([{ address: 'c0:11:22:33:44:55', sid: 1, data: ad }]).subarray(1)])],
    [LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([buildRadiotap({ rssi: -40, freqMHz: 2437 }), beacon])],
    [LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([fromHex('00 00 1c 00 02 00 00 c0 01 00 00 a0 20 00 00 00 05 ff 001122 00 0300 abcdef d3'), beacon])],
    [LINKTYPE.IEEE802_11, beacon],
  ];

  it('20000 mutations per seed (byte flips, truncation, extension) give a result or DecodeError', () => {
    const next = rng(12345);
    for (const [linkType, seed] of seeds) {
      expect(attempt(linkType, seed)).toBe(0); // the seed itself is valid
      for (let i = 0; i < 20_000; i++) {
        let m: Uint8Array = seed.slice();
        const flips = 1 + (next() % 4);
        for (let k = 0; k < flips; k++) m[next() % m.length] = next() & 0xff;
        const mode = next() % 4;
        if (mode === 1) m = m.slice(0, next() % m.length);
        else if (mode === 2) m = concatBytes([m, new Uint8Array(next() % 8)]);
        attempt(linkType, m);
      }
    }
  });

  it('unknown link types are DecodeError unsupported', () => {
    for (const lt of [0, 1, 104, 163, 252, 100000]) {
      try {
        decodeLinkFrame(lt, new Uint8Array(10));
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as DecodeError).code).toBe('unsupported');
      }
    }
    expect(supportedLinkTypes()).toEqual([105, 127, 187, 201, 251, 254, 256, 272]);
  });
});
