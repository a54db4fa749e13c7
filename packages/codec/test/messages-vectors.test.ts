/**
 * Every message vector made with the reference C implementation (test/fixtures/vectors): encoding `input`
 * gives exactly `hex` (or is refused where `rejected`), decoding `hex` gives every field of `decoded`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  EncodeError,
  decodeMessage,
  decodeMessageExact,
  encodeMessage,
  fromHex,
  toHex,
  validate,
  type OdidMessageInput,
} from '../src/index.js';
import { fixturePath } from '../../../test/support/fixtures.js';

interface Vector {
  name: string;
  message: string;
  hex: string | null;
  rejected: boolean;
  input?: Record<string, unknown>;
  decoded?: Record<string, unknown>;
}
interface DecodeVector {
  name: string;
  hex: string;
  referenceAccepts: boolean;
  referenceDecoded: Record<string, unknown>[];
}
const file = JSON.parse(readFileSync(fixturePath('vectors', 'reference-vectors.json'), 'utf8')) as {
  vectors: Vector[];
  decodeVectors: DecodeVector[];
};
const SINGLE = new Set(['BasicID', 'Location', 'Auth', 'SelfID', 'System', 'OperatorID']);
const singles = file.vectors.filter((v) => SINGLE.has(v.message));
const packs = file.vectors.filter((v) => v.message === 'MessagePack');

describe('reference vectors: single messages', () => {
  it('covers every message type', () => {
    expect(new Set(singles.map((v) => v.message)).size).toBe(6);
    expect(singles.length).toBeGreaterThan(180);
  });

  for (const v of singles) {
    it(v.name, () => {
      if (v.rejected) {
        expect(() => encodeMessage(v.input as unknown as OdidMessageInput)).toThrow(EncodeError);
        return;
      }
      expect(toHex(encodeMessage(v.input as unknown as OdidMessageInput))).toBe(v.hex);
      const decoded = decodeMessageExact(fromHex(v.hex!));
      expect(decoded).toMatchObject(v.decoded!);
      // decode is the inverse of encode for every byte string the encoder makes
      expect(toHex(encodeMessage(decoded))).toBe(v.hex);
    });
  }
});

describe('reference vectors: message packs', () => {
  for (const v of packs) {
    it(v.name, () => {
      if (v.rejected) {
        // The reference refused a pack of two Location messages: build it from decoded members.
        const location = singles.find((s) => s.name === 'location_typical')!.decoded!;
        expect(() => encodeMessage({ type: 'messagePack', messages: [location, location] } as unknown as OdidMessageInput)).toThrow(EncodeError);
        return;
      }
      const decoded = decodeMessage(fromHex(v.hex!));
      expect(decoded).toMatchObject(v.decoded!);
      expect(toHex(encodeMessage(v.decoded as unknown as OdidMessageInput))).toBe(v.hex);
    });
  }
});

/** Which fields validate() must flag, and with which diagnostic, for each out-of-spec byte string the reference still accepts. */
const OUT = 'validation.out-of-range';
const RESERVED_BITS = 'validation.reserved-bits';
const BAD_SERIAL = 'validation.bad-serial';
const EXPECTED_ISSUES: Record<string, string[]> = {
  'loc_direction_raw255_EW1(=435deg, out of spec)': [`location.direction ${OUT}`],
  'loc_direction_raw180_EW0(=180)': ['location.direction validation.direction-byte'],
  'loc_hspeed_raw255_mult0(=63.75)': [],
  'loc_hspeed_raw255_mult1(=255 unknown)': [],
  'loc_vspeed_raw-128(=-64)': [`location.speedVertical ${OUT}`],
  'loc_vspeed_raw127(=63.5)': [`location.speedVertical ${OUT}`],
  'loc_vspeed_raw126(=63 unknown)': [],
  'loc_lat_raw_+95deg_out_of_range': [`location.latitude ${OUT}`],
  loc_lon_raw_int32_min: [`location.longitude ${OUT}`],
  'loc_alt_raw_0xFFFF(=31767.5)': [],
  'loc_alt_raw_0(=-1000 unknown)': [],
  'loc_timestamp_raw_36001(>1h)': [`location.timestamp ${OUT}`],
  'loc_timestamp_raw_0xFFFF(unknown)': [],
  loc_status15_reserved_heighttype1: [`location.status ${OUT}`],
  'loc_reserved_bits_set(byte1 bit3, byte23 high nibble, byte24)': [`location.reserved ${RESERVED_BITS}`],
  loc_accuracy_nibbles_all_15: [`location.horizAccuracy ${OUT}`, `location.vertAccuracy ${OUT}`, `location.baroAccuracy ${OUT}`, `location.speedAccuracy ${OUT}`],
  basicid_idtype15_uatype15: [`basicId.idType ${OUT}`],
  basicid_serial_not_nul_terminated_20chars: [`basicId.uasId ${BAD_SERIAL}`], // "ABCD…" is not a CTA-2063-A serial (contains I and O, wrong length char)
  'basicid_reserved_bytes_A5(BlueMark style)': [`basicId.reserved ${RESERVED_BITS}`],
  // "1596F3504577911515": length character F declares 15 serial characters, 13 follow.
  basicid_protocol_version0: [`basicId.uasId ${BAD_SERIAL}`],
  basicid_protocol_version15: ['basicId.protocolVersion validation.unknown-version', `basicId.uasId ${BAD_SERIAL}`],
  selfid_non_ascii_utf8: ['selfId.desc validation.not-printable'],
  selfid_desc_type_255: [],
  'system_area_raw_max_radius255(=2550m)': [],
  system_classification_type7_reserved_bits: [
    `system.operatorLocationType ${OUT}`,
    `system.classificationType ${OUT}`,
    `system.categoryEU ${OUT}`,
    'system.categoryEU validation.eu-without-eu-classification',
    `system.classEU ${OUT}`,
    `system.reserved ${RESERVED_BITS}`,
  ],
  operatorid_type_201_private: [],
  auth_page0_lastpage_15_length_255: [],
  auth_page15: [],
};

describe('reference decode vectors (out-of-spec bytes)', () => {
  for (const v of file.decodeVectors) {
    it(v.name, () => {
      const bytes = fromHex(v.hex);
      if (!v.referenceAccepts) {
        expect(() => decodeMessage(bytes)).toThrow(DecodeError);
        return;
      }
      const decoded = decodeMessage(bytes);
      expect(v.referenceDecoded).toHaveLength(1);
      expect(decoded).toMatchObject(v.referenceDecoded[0]!);
      expect(EXPECTED_ISSUES, `no expectation written for ${v.name}`).toHaveProperty([v.name]);
      const flagged = [...new Set(validate(decoded, bytes).map((i) => `${i.path} ${i.id}`))].sort();
      expect(flagged).toEqual([...EXPECTED_ISSUES[v.name]!].sort());
    });
  }
});
