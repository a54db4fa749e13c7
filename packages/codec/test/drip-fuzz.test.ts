/**
 * Hostile DRIP input, through the project's fuzz engine (scripts/fuzz/, seeded by test/support/random.ts):
 * truncated, mutated, spliced and random structures, and damaged sets of FEC pages. Decoding only ever
 * returns a structure or throws a DecodeError inside the input; FEC recovery never throws; and nothing but
 * an original's signed bytes and signature ever verifies.
 *
 * Deterministic: FUZZ_SEED (default 0x0d1d5eed) seeds everything; a failure prints the seed, the input's
 * number and the input as hex.
 */
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  assembleAuth,
  decodeDripAuth,
  decodeMessage,
  encodeDripAuth,
  encodeMessage,
  fromHex,
  recoverDripPage,
  signDrip,
  splitDripAuth,
  toHex,
  verifyDripSignature,
  type AuthMessage,
  type DripAuth,
  type DripFrame,
  type DripLink,
  type DripManifest,
  type DripWrapper,
} from '../src/index.js';
import { drive, fuzzSeed, targetSummary, toSeeds, type Target } from '../scripts/fuzz/index.js';
import { dripHash, linkHash, makeManifest, nodeEd25519, testKey } from './drip-support.js';

const SEED = fuzzSeed();
const replay = `FUZZ_SEED=0x${SEED.toString(16)} pnpm vitest run packages/codec/test/drip-fuzz.test.ts`;

const hda = testKey(100, 200, new Uint8Array(32).fill(7));
const ua = testKey(100, 200, new Uint8Array(32).fill(8));
const msg = (hex: string): Uint8Array => fromHex(hex);
const MESSAGES = [
  encodeMessage({ type: 'basicId', idType: 4, uaType: 2, uasIdHex: `01${toHex(ua.det)}000000` }),
  msg('12000000000000000000000000000000000000000060220000'),
  encodeMessage({ type: 'selfId', descType: 0, desc: 'survey' }),
  encodeMessage({ type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' }),
];

const link = signDrip<DripLink>({ type: 'link', vnb: 1000, vna: 2000, childDet: ua.det, childHi: ua.hi, parentDet: hda.det }, hda.sign);
const STRUCTURES: DripAuth[] = [
  link,
  ...[1, 2, 3, 4].map((k) => signDrip<DripWrapper>({ type: 'wrapper', vnb: 1000, vna: 1300, messages: MESSAGES.slice(0, k), extended: false, uaDet: ua.det }, ua.sign)),
  signDrip<DripWrapper>({ type: 'wrapper', vnb: 1000, vna: 1300, messages: MESSAGES, extended: true, uaDet: ua.det }, ua.sign),
  ...[0, 5, 11].map((h) =>
    signDrip<DripManifest>(
      makeManifest({ vnb: 1000, vna: 1300, uaDet: ua.det, previousHash: new Uint8Array(8), linkHash: linkHash(link), messageHashes: Array.from({ length: h }, (_, i) => dripHash(MESSAGES[i] ?? Uint8Array.of(i))) }),
      ua.sign,
    ),
  ),
  signDrip<DripFrame>({ type: 'frame', vnb: 1000, vna: 1300, frameType: 0xc1, frameData: new Uint8Array(40).fill(3), uaDet: ua.det }, ua.sign),
];
/**
 * What verifies must be an original's signed bytes and signature. The SAM type byte is not signed (RFC 9575),
 * so an original under another SAM type that happens to decode (a Wrapper read as a Frame) still verifies.
 */
const ORIGINALS = new Set(STRUCTURES.map((s) => toHex(encodeDripAuth(s).subarray(1))));
const isOriginal = (hex: string): boolean => ORIGINALS.has(hex.slice(2));
const signerOf = (s: DripAuth): Uint8Array => (s.type === 'link' ? hda.hi : ua.hi);
/** The extended wrapper verifies against the messages it signed, as a receiver rebuilds them from the pack. */
const verifyAs = (s: DripAuth): boolean => verifyDripSignature(s.type === 'wrapper' && s.extended ? { ...s, messages: MESSAGES } : s, signerOf(s), nodeEd25519);

const acceptDecodeError = (input: Uint8Array, e: unknown): string | undefined =>
  e instanceof DecodeError && e.offset >= 0 && e.offset <= Math.max(input.length, 201) ? undefined : 'not a DecodeError inside the input';

const structureTarget: Target<{ hex: string; verified: boolean; reencoded: string }> = {
  name: 'drip-structures',
  seeds: toSeeds(STRUCTURES.map((s) => encodeDripAuth(s))),
  run: (input) => {
    const s = decodeDripAuth(input);
    return { hex: toHex(input), verified: verifyAs(s), reencoded: toHex(encodeDripAuth(s)) };
  },
  verify: (_input, v) => {
    if (v.reencoded !== v.hex) return 'decoded structure does not re-encode to its bytes';
    if (v.verified && !isOriginal(v.hex)) return 'a changed structure verified';
    return undefined;
  },
  verifyThrow: acceptDecodeError,
  replay: (input) => decodeDripAuth(input),
};

/** Every FEC-paged structure with each one page left out, its remaining 25-byte pages back to back. */
const PAGE_SETS = STRUCTURES.flatMap((s) => {
  const pages = splitDripAuth(encodeDripAuth(s), { timestamp: 5000, fec: true }).map((p) => encodeMessage(p));
  return pages.map((_, lost) => Uint8Array.from(pages.filter((__, i) => i !== lost).flatMap((p) => [...p])));
});

const fecTarget: Target<{ hex?: string; verified: boolean }> = {
  name: 'drip-fec-recovery',
  seeds: toSeeds(PAGE_SETS),
  run: (input) => {
    const pages: AuthMessage[] = [];
    for (let o = 0; o + 25 <= input.length; o += 25) {
      const m = decodeMessage(input.subarray(o, o + 25));
      if (m.type === 'auth') pages.push(m);
    }
    const recovered = recoverDripPage(pages);
    if (typeof recovered.ok !== 'boolean') throw new Error('no verdict');
    const all = recovered.ok ? [...pages, recovered.page] : pages;
    const assembled = assembleAuth(all);
    if (!assembled.complete) return { verified: false };
    const s = decodeDripAuth(fromHex(assembled.auth.authData));
    return { hex: assembled.auth.authData, verified: verifyAs(s) };
  },
  verify: (_input, v) => (v.verified && (v.hex === undefined || !isOriginal(v.hex)) ? 'damaged pages verified as something else' : undefined),
  verifyThrow: acceptDecodeError,
  replay: (input) => input,
};

describe(`DRIP under hostile input (seed 0x${SEED.toString(16)})`, () => {
  it('the untouched seeds decode and verify (so the checks below can fail)', () => {
    for (const s of STRUCTURES) expect(verifyAs(decodeDripAuth(encodeDripAuth(s))), s.type).toBe(true);
  });

  for (const [t, random, mutated] of [
    [structureTarget, 2000, 5000],
    [fecTarget, 500, 3000],
  ] as const) {
    it(`${t.name}: every truncation, ${random} random inputs and ${mutated} mutations: a result or a DecodeError, and only originals verify`, () => {
      const r = drive<unknown>(t as Target<unknown>, { seed: SEED, truncations: true, random, randomLength: 260, iterations: mutated });
      console.log(targetSummary(r));
      expect(r.failures, `${r.failureCount} failures; replay with ${replay}`).toEqual([]);
      expect(r.tally.mutated.returned + r.tally.mutated.rejected).toBe(mutated);
      // both outcomes happened: the mutations reached past the first checks
      expect(r.tally.mutated.returned).toBeGreaterThan(0);
      expect(r.tally.mutated.rejected).toBeGreaterThan(0);
    });
  }
});
