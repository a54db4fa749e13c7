import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/bytes.js';
import { BLE_ADV_CRC_INIT, bleCrc24, bleCrcMatches, crc32, fcsMatches, putBleCrc, reverseBits24 } from '../src/link/index.js';

/** Bit-at-a-time CRC-32, straight from the definition, to cross-check the sliced tables. */
function crc32Slow(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** BLE CRC as the Core spec draws it: a 24-bit LFSR, MSB-first register, data LSB first; spec-form result. */
function bleCrcSpecForm(b: Uint8Array, init: number): number {
  let c = init;
  for (const x of b) {
    for (let i = 0; i < 8; i++) {
      const fb = ((c >>> 23) ^ (x >>> i)) & 1;
      c = (c << 1) & 0xffffff;
      if (fb) c ^= 0x00065b;
    }
  }
  return c;
}

describe('CRC-32 (802.11 FCS)', () => {
  it('check value and edge lengths', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(Uint8Array.of(0))).toBe(0xd202ef8d);
  });

  it('matches the bit-wise definition for every length 0..64 and for sub-ranges', () => {
    const b = new Uint8Array(64);
    for (let i = 0; i < b.length; i++) b[i] = (i * 151 + 7) & 0xff;
    for (let n = 0; n <= 64; n++) expect(crc32(b, 0, n)).toBe(crc32Slow(b.subarray(0, n)));
    expect(crc32(b, 3, 50)).toBe(crc32Slow(b.subarray(3, 50)));
  });

  it('fcsMatches reads the FCS little-endian after the covered bytes', () => {
    const f = new Uint8Array(30);
    f.set(new TextEncoder().encode('a management frame, say'));
    const c = crc32(f, 0, 26);
    f[26] = c & 0xff;
    f[27] = (c >>> 8) & 0xff;
    f[28] = (c >>> 16) & 0xff;
    f[29] = c >>> 24;
    expect(fcsMatches(f)).toBe(true);
    f[3]! ^= 1;
    expect(fcsMatches(f)).toBe(false);
    expect(fcsMatches(f, 0, 3)).toBe(false);
  });
});

describe('BLE CRC-24', () => {
  it('§3.1 constructed ADV_NONCONN_IND: CRC value 0x802F30, stored 01 f4 0c', () => {
    const p = fromHex(
      'd6be898e 4225 5544332211c0 1e16faff0d07 122624160a42bf241b6ed1b4b69808ac0870086b53150e0200 01f40c',
    );
    const stored = bleCrc24(p, 4, p.length - 3);
    expect(stored).toBe(0x0cf401);
    expect(reverseBits24(stored)).toBe(0x802f30);
    expect(bleCrcMatches(p, 4, p.length - 3)).toBe(true);
    const q = p.slice();
    putBleCrc(q, 4, q.length - 3);
    expect(toHex(q, q.length - 3)).toBe('01f40c');
  });

  it('§3.2 real AUX_ADV_IND (nRF sample frame 1): value 0xE9D58B stored 97 ab d1', () => {
    const ad = new Uint8Array(234);
    ad.set(fromHex('e9 16 fa ff 0d 0c f0 19 00'));
    const pdu = new Uint8Array(2 + 244);
    pdu.set(fromHex('07f4 09 09 1c2febea7de0 750e'));
    pdu.set(ad, 12);
    expect(reverseBits24(bleCrc24(pdu, 0, pdu.length))).toBe(0xe9d58b);
    expect(bleCrc24(pdu, 0, pdu.length)).toBe(0xd1ab97);
  });

  it('table form equals the LFSR as drawn in the Core spec, for other presets too', () => {
    const b = new Uint8Array(40);
    for (let i = 0; i < b.length; i++) b[i] = (i * 37 + 11) & 0xff;
    for (const init of [BLE_ADV_CRC_INIT, 0x123456, 0, 0xffffff]) {
      for (const n of [0, 1, 2, 17, 40]) {
        expect(reverseBits24(bleCrc24(b, 0, n, init))).toBe(bleCrcSpecForm(b.subarray(0, n), init));
      }
    }
  });

  it('reverseBits24 is an involution', () => {
    for (const v of [0, 1, 0x800000, 0x555555, 0x123456, 0xffffff]) expect(reverseBits24(reverseBits24(v))).toBe(v);
    expect(reverseBits24(0x555555)).toBe(0xaaaaaa);
  });
});
