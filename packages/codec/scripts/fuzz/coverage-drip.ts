/**
 * Role: the DRIP structures (src/drip/) as coverage targets:
 * - drip: decodeDripAuth on authentication data (Link, Wrapper, Manifest, Frame by their SAM type) under the
 *   parser contract; a structure it returns encodes back to the very bytes it came from;
 * - drip.pages: what a receiver does with DRIP pages: the input's 25-byte messages decoded, the
 *   authentication pages among them fed in order to one FecAuthAssembler (which rebuilds a lost page from the
 *   FEC parity), and a whole message decoded as DRIP. The assembler never throws and what it assembles is
 *   whole (authData of its stated length); decoding gives a structure or a DecodeError.
 * Seeds: one structure of each kind (and the wrapper's variants), whole and as their pages with and without
 * FEC, with made-up keys and signatures (decoding does not check signatures).
 */

import {
  DecodeError,
  FecAuthAssembler,
  decodeDripAuth,
  decodeDripAssembled,
  decodeMessage,
  encodeDripAuth,
  encodeMessage,
  splitDripAuth,
  toHex,
  type AuthMessage,
  type DripAuth,
} from '../../src/index.js';
import { fromRecordTarget, inputSeed, type CoverageTarget } from './coverage-target.js';
import { parserTarget } from './parser-target.js';
import { Random } from '../../../../test/support/random.js';

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);
/** A DET: the 2001:30::/28 prefix, then anything. */
const det = (fill: number): Uint8Array => Uint8Array.of(0x20, 0x01, 0x00, 0x3f, ...bytes(12, fill));

function structures(): DripAuth[] {
  const messages = [
    encodeMessage({ type: 'basicId', idType: 4, uaType: 2, uasIdHex: `01${toHex(det(8))}000000` }),
    encodeMessage({ type: 'selfId', descType: 0, desc: 'survey' }),
    encodeMessage({ type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' }),
  ];
  const ua = { vnb: 1000, vna: 1300, uaDet: det(8), signature: bytes(64, 0x5a) };
  return [
    { type: 'link', vnb: 1000, vna: 2000, childDet: det(8), childHi: bytes(32, 7), parentDet: det(9), signature: bytes(64, 0x33) },
    ...[1, 3].map((k): DripAuth => ({ type: 'wrapper', ...ua, messages: messages.slice(0, k), extended: false })),
    { type: 'wrapper', ...ua, messages: [], extended: true },
    ...[0, 4].map((h): DripAuth => ({ type: 'manifest', ...ua, previousHash: bytes(8, 1), currentHash: bytes(8, 2), linkHash: bytes(8, 3), messageHashes: Array.from({ length: h }, (_, i) => bytes(8, 16 + i)) })),
    { type: 'frame', ...ua, frameType: 0xc1, frameData: bytes(40, 3) },
  ];
}

const authData = (): Uint8Array[] => structures().map((s) => encodeDripAuth(s));

function dripTarget(): CoverageTarget {
  return fromRecordTarget(
    'drip',
    parserTarget<DripAuth>({
      name: 'drip',
      seeds: authData(),
      parse: (b) => decodeDripAuth(b),
    }),
    (input) => new Random(inputSeed(input)),
  );
}

/** Decoding is exact: a structure decoded encodes back to the bytes it came from (checked beside the contract). */
function roundTripping(t: CoverageTarget): CoverageTarget {
  return {
    ...t,
    exec(input) {
      const bad = t.exec(input);
      if (bad !== undefined) return bad;
      let s: DripAuth;
      try {
        s = decodeDripAuth(input);
      } catch {
        return undefined; // a refusal, checked by the contract above
      }
      const again = encodeDripAuth(s);
      return toHex(again) === toHex(input) ? undefined : `decodes to a ${s.type} that encodes to other bytes: ${toHex(again)}`;
    },
  };
}

/** Pages of every structure, with and without FEC, each page as its 25-byte message, one after the other. */
const pageSeeds = (): Uint8Array[] =>
  authData().flatMap((d) =>
    [false, true].map((fec) => {
      const pages = splitDripAuth(d, { timestamp: 28_000_000, fec }).map((p) => encodeMessage(p));
      const out = new Uint8Array(pages.length * 25);
      pages.forEach((p, i) => out.set(p, i * 25));
      return out;
    }),
  );

function pagesTarget(): CoverageTarget {
  return {
    name: 'drip.pages',
    seeds: pageSeeds,
    exec(input) {
      const assembler = new FecAuthAssembler();
      for (let o = 0; o + 25 <= input.length; o += 25) {
        let page: AuthMessage;
        try {
          const m = decodeMessage(input.subarray(o, o + 25));
          if (m.type !== 'auth') continue;
          page = m;
        } catch (e) {
          if (e instanceof DecodeError) continue;
          throw e;
        }
        const r = assembler.add(page);
        if (!r.complete) {
          if (!Array.isArray(r.missing)) return `assembly without missing pages: ${JSON.stringify(r)}`;
          continue;
        }
        if (typeof r.auth.authData !== 'string' || r.auth.authData.length !== 2 * r.auth.length) return `assembled ${r.auth.length} bytes as ${r.auth.authData.length / 2}`;
        if (r.recovered !== undefined && !r.pages.some((p) => p.dataPage === r.recovered)) return `page ${r.recovered} rebuilt but not among the pages`;
        try {
          decodeDripAssembled(r.auth);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }
      return undefined;
    },
  };
}

/** The DRIP targets: the structures, and the pages a receiver assembles them from. */
export function dripTargets(): CoverageTarget[] {
  return [roundTripping(dripTarget()), pagesTarget()];
}
