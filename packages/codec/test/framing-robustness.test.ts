/**
 * Every framing parser, fed 10^5 random inputs and mutations of valid ones, only ever returns a result or
 * throws a DecodeError whose offset lies inside the input; a returned payload is a view of the input at the
 * offset it reports. Inputs come from a seeded generator so a failure replays.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusAvailable, corpusPath, itCorpus } from '../../../test/support/fixtures.js';
import { concatBytes, fromHex, toHex } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import {
  buildBeaconFrame,
  buildExtendedAdvData,
  buildLegacyAdvData,
  buildNanActionFrameBody,
  findOdidBeaconPayload,
  findOdidServiceData,
  findVendorElements,
  parseDjiDroneId,
  parseDjiFlightInfoRecord,
  parseDjiFlightPurposeRecord,
  parseFrenchId,
  parseNanActionFrameBody,
  parseOdidBeaconElement,
  walkElements,
} from '../src/framing/index.js';
import { rng } from '../../../test/support/random.js';


const PACK = fromHex('f2190152004742522d4f502d31323341424344000000000000000000');
const MESSAGE = PACK.subarray(3);
/**
 * Element bodies of real records, read from the external corpus (never copied: several captures carry GPL or no
 * licence). Without the corpus, empty: the targets seeded with them are skipped.
 */
const referencePayload = (file: string, index: number): Uint8Array => {
  if (!corpusAvailable) return new Uint8Array(0);
  const frames = (JSON.parse(readFileSync(corpusPath('reference', file), 'utf8')) as { frames: Array<{ payload_hex: string }> }).frames;
  return fromHex(frames[index]!.payload_hex);
};
const MAVIC_0X10 = referencePayload('llorencroma+DJIDroneIDspoofer__extracted__replay_mavic.hex.json', 0);
const FRENCH = referencePayload('aeburriel+scapy-uas-remoteid__extracted__test_wifi_sgdsn.hex.json', 0);
/** A synthetic 0x11 record: serial, id length 4 "ABCD", purpose length 3 "abc". */
const PURPOSE = fromHex('334b31434736473341483856324d0000' + '04' + '41424344000000000000' + '03' + '616263');
const beaconIes = buildBeaconFrame({
  mac: '02:11:22:33:44:55',
  ssid: 'RID',
  counter: 1,
  pack: PACK,
  timestampUs: 0,
  beaconIntervalTU: 100,
  channel: 6,
}).subarray(36);
const odidElement = beaconIes.subarray(beaconIes.length - PACK.length - 7);

type Payloadish = { payload: Uint8Array; offset: number } | undefined;
interface Target {
  name: string;
  seed: Uint8Array;
  parse: (b: Uint8Array) => unknown;
  /** Where a returned payload must sit in the input, when the parser returns one. */
  payloadOf?: (result: unknown) => Payloadish;
  /** Seeded from the external corpus. */
  corpus?: boolean;
}
const asPayload = (r: unknown): Payloadish => r as Payloadish;
const targets: Target[] = [
  {
    name: 'findOdidServiceData',
    seed: concatBytes([fromHex('020106'), buildExtendedAdvData(3, PACK)]),
    parse: findOdidServiceData,
    payloadOf: asPayload,
  },
  { name: 'findOdidServiceData (legacy)', seed: buildLegacyAdvData(1, MESSAGE), parse: findOdidServiceData, payloadOf: asPayload },
  { name: 'walkElements', seed: beaconIes, parse: walkElements },
  { name: 'findVendorElements', seed: beaconIes, parse: findVendorElements },
  { name: 'findOdidBeaconPayload', seed: beaconIes, parse: findOdidBeaconPayload, payloadOf: asPayload },
  { name: 'parseOdidBeaconElement', seed: odidElement, parse: (b) => parseOdidBeaconElement(b), payloadOf: asPayload },
  { name: 'parseNanActionFrameBody', seed: buildNanActionFrameBody(5, PACK), parse: parseNanActionFrameBody, payloadOf: asPayload },
  { name: 'parseDjiDroneId', seed: MAVIC_0X10, parse: (b) => parseDjiDroneId(b), corpus: true },
  { name: 'parseDjiFlightInfoRecord', seed: MAVIC_0X10.subarray(4), parse: (b) => parseDjiFlightInfoRecord(b), corpus: true },
  { name: 'parseDjiFlightPurposeRecord', seed: PURPOSE, parse: parseDjiFlightPurposeRecord },
  { name: 'parseFrenchId', seed: FRENCH, parse: parseFrenchId, corpus: true },
];

function check(t: Target, input: Uint8Array): 'ok' | 'error' {
  let result: unknown;
  try {
    result = t.parse(input);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw new Error(`${t.name} threw ${String(e)} on ${toHex(input)}`);
    if (!(e.offset >= 0 && e.offset <= input.length)) {
      throw new Error(`${t.name}: DecodeError offset ${e.offset} outside input of ${input.length} bytes: ${toHex(input)}`);
    }
    return 'error';
  }
  const p = t.payloadOf?.(result);
  if (p) {
    const start = p.payload.byteOffset - input.byteOffset;
    if (p.payload.buffer !== input.buffer || start !== p.offset || p.offset + p.payload.length > input.length) {
      throw new Error(`${t.name}: payload is not the input view at offset ${p.offset}`);
    }
  }
  return 'ok';
}

describe('random bytes', () => {
  it('10^5 random inputs (0..300 bytes) into every parser: a result or a DecodeError', () => {
    const next = rng(0x0d1d);
    const seen = { ok: 0, error: 0 };
    for (let i = 0; i < 100_000; i++) {
      const input = new Uint8Array(Math.floor(next() * 301));
      for (let j = 0; j < input.length; j++) input[j] = Math.floor(next() * 256);
      for (const t of targets) seen[check(t, input)]++;
    }
    expect(seen.ok + seen.error).toBe(100_000 * targets.length);
  });
});

describe('mutated valid inputs', () => {
  for (const t of targets) {
    (t.corpus ? itCorpus : it)(`${t.name}: every truncation, and 10^4 random mutations`, () => {
      expect(check(t, t.seed)).toBe('ok');
      for (let n = 0; n < t.seed.length; n++) check(t, t.seed.subarray(0, n));
      const next = rng(t.seed.length * 7919);
      const outcomes = new Set<string>();
      for (let i = 0; i < 10_000; i++) {
        const input = t.seed.slice(0, t.seed.length + Math.floor(next() * 8));
        for (let k = 1 + Math.floor(next() * 3); k > 0; k--) input[Math.floor(next() * input.length)] = Math.floor(next() * 256);
        outcomes.add(check(t, input.subarray(0, Math.floor(next() * (input.length + 1)))));
      }
      expect(outcomes.size).toBeGreaterThan(0);
    });
  }
});
