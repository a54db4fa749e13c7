/**
 * DETs (remote-id-spec.md §6.1): the fields of the spec's vector, fields and bytes as inverses over the whole
 * RAA/HDA range, the head the ORCHID hash covers, and the text form both ways. The hash itself (DET from HI,
 * DET↔HI check) is @odid/trust's, tested there with the spec vector.
 */
import { describe, expect, it } from 'vitest';
import { DET_PREFIX, DecodeError, EncodeError, detFields, detFromFields, detFromText, detHead, detToText, fromHex, toHex } from '../src/index.js';
import { Random } from '../../../test/support/random.js';
import { detOf } from './drip-support.js';

/** The vector of §6.1 (drip-scripts det-gen.py; the DET of RFC 9575's example UA). */
const HI = fromHex('b5fef530d450dedb59ebafa18b00d7f5ed0ac08a81975034297bea2b00041813');
const DET_TEXT = '2001:003f:fe00:0105:a29b:3ff4:2226:c04e';

describe('DET fields', () => {
  it("splits the vector's first 8 bytes 28/14/14/8 bits", () => {
    const f = detFields(detFromText(DET_TEXT));
    expect(f).toEqual({ prefix: DET_PREFIX, raa: 16376, hda: 1, suite: 5, orchidHash: fromHex('a29b3ff42226c04e') });
    expect(f.prefix.toString(16)).toBe('2001003');
  });

  it('the head the ORCHID hash covers is the first 8 bytes, and with the hash the test helper computes gives the vector', () => {
    expect(toHex(detHead(16376, 1, 5))).toBe('2001003ffe000105');
    // The tests' DETs (drip-support) come out as the spec's: the helper hashes what detHead lays out.
    expect(detToText(detOf(HI, 16376, 1))).toBe(DET_TEXT);
  });

  it('fields and bytes are inverses over the whole RAA/HDA range', () => {
    const r = new Random(0xde7);
    for (let i = 0; i < 2000; i++) {
      const f = { prefix: DET_PREFIX, raa: r.int(16384), hda: r.int(16384), suite: r.int(256), orchidHash: r.bytes(8) };
      const det = detFromFields(f);
      expect(detFields(det)).toEqual(f);
      expect(detFromText(detToText(det))).toEqual(det);
      expect(det.subarray(0, 8)).toEqual(detHead(f.raa, f.hda, f.suite));
    }
  });

  it('refuses RAA/HDA beyond 14 bits, a suite beyond 8 and a hash of another size', () => {
    expect(() => detHead(16384, 1, 5)).toThrow(EncodeError);
    expect(() => detHead(1, -1, 5)).toThrow(EncodeError);
    expect(() => detHead(1, 1, 256)).toThrow(EncodeError);
    expect(() => detFromFields({ raa: 1, hda: 1, suite: 5, orchidHash: new Uint8Array(7) })).toThrow(EncodeError);
  });
});

describe('DET text', () => {
  it('reads the compressed and upper-case forms', () => {
    expect(detToText(detFromText('2001:3F:FE00:105:A29B:3FF4:2226:C04E'))).toBe(DET_TEXT);
    expect(detToText(detFromText('2001:30::1'))).toBe('2001:0030:0000:0000:0000:0000:0000:0001');
    expect(detToText(detFromText('::'))).toBe('0000:0000:0000:0000:0000:0000:0000:0000');
    expect(detToText(detFromText(' 2001:30:: '))).toBe('2001:0030:0000:0000:0000:0000:0000:0000');
  });

  it('refuses anything else with a DecodeError', () => {
    for (const bad of ['', '2001:3f', '2001::3f::1', '2001:003f:fe00:0105:a29b:3ff4:2226:c04e:1', '2001:003f:fe00:0105:a29b:3ff4:2226:c04g', '12345::', '1:2:3:4:5:6:7:8::', 'x'.repeat(1000)]) {
      expect(() => detFromText(bad), bad).toThrow(DecodeError);
    }
  });
});
