/**
 * DRIP single-page FEC (remote-id-spec.md §6.4). The spec gives no page bytes of the draft's FEC examples, so
 * these are round trips: every data length DRIP allows is paged with FEC, sent through the message encoder
 * and decoder, assembled in any order, and rebuilt with each single page lost; the parity is checked
 * against an XOR computed here from the encoded pages; the page counts are the spec's formulas; and the
 * sanity checks refuse rebuilt pages that are not a DRIP FEC layout.
 */
import { describe, expect, it } from 'vitest';
import {
  DRIP_MAX_AUTH_LENGTH,
  assembleAuth,
  decodeMessage,
  encodeMessage,
  fecLayout,
  fecParity,
  pagePayload,
  recoverDripPage,
  splitDripAuth,
  toHex,
  type AuthMessage,
} from '../src/index.js';
import { Random } from '../../../test/support/random.js';

const TS = 200_000_000;
const wire = (pages: readonly AuthMessage[]): AuthMessage[] => pages.map((p) => decodeMessage(encodeMessage(p)) as AuthMessage);

/** The XOR of bytes 2..24 of encoded pages, computed here from the wire bytes. */
function xorOfWire(pages: readonly AuthMessage[]): Uint8Array {
  const out = new Uint8Array(23);
  for (const p of pages) {
    const b = encodeMessage(p);
    for (let i = 0; i < 23; i++) out[i]! ^= b[2 + i]!;
  }
  return out;
}

const ceil = Math.ceil;
/** Pages without FEC, as §6.4 counts them. */
const linkPages = 7;
const wrapperPages = (k: number): number => ceil((89 + 25 * k - 17) / 23) + 1;
const manifestPages = (h: number): number => ceil((89 + 8 * (h + 3) - 17) / 23) + 1;

describe('paging with FEC', () => {
  it('every length 1..201: ADL, padding and parity in place, assembled back in any order', () => {
    const r = new Random(0xfec);
    for (let length = 1; length <= DRIP_MAX_AUTH_LENGTH; length++) {
      const data = r.bytes(length);
      data[0] = 1 + r.int(4);
      const pages = wire(splitDripAuth(data, { timestamp: TS, fec: true }));
      const { adl, lastPageIndex } = fecLayout(length);
      expect(pages).toHaveLength(lastPageIndex + 1);
      expect(pages[0]).toMatchObject({ authType: 5, lastPageIndex, length, timestamp: TS });
      // data, then ADL, then zeros up to the parity page, which is the XOR of the pages before it
      const all = pages.flatMap((p, i) => [...Buffer.from(p.authData, 'hex')].slice(0, i === 0 ? 17 : 23));
      expect(all.slice(0, length)).toEqual([...data]);
      expect(all[length]).toBe(adl);
      expect(adl).toBeGreaterThanOrEqual(23);
      expect(adl).toBeLessThanOrEqual(45);
      expect(length + 1 + adl).toBe(17 + 23 * lastPageIndex);
      expect(all.slice(length + 1, all.length - 23).every((b) => b === 0)).toBe(true);
      expect(toHex(Uint8Array.from(all.slice(-23)))).toBe(toHex(xorOfWire(pages.slice(0, -1))));
      expect(assembleAuth(r.shuffle(pages))).toEqual({ complete: true, auth: { type: 'authAssembled', authType: 5, length, timestamp: TS, authData: toHex(data) } });
    }
  });

  it('every length 1..201: each single lost page is rebuilt exactly, from the others in any order', () => {
    const r = new Random(0x1057);
    for (let length = 1; length <= DRIP_MAX_AUTH_LENGTH; length++) {
      const pages = wire(splitDripAuth(r.bytes(length), { timestamp: TS + length, fec: true }));
      for (let lost = 0; lost < pages.length; lost++) {
        const rest = r.shuffle(pages.filter((_, i) => i !== lost));
        const result = recoverDripPage(rest);
        expect(result, `length ${length}, page ${lost}`).toEqual({ ok: true, page: pages[lost] });
        if (result.ok) expect(assembleAuth([...rest, result.page])).toMatchObject({ complete: true, auth: { length } });
      }
    }
  });

  it('page counts: Link 7 (8 with FEC), Wrapper and Manifest by the spec formulas, at most 16 pages', () => {
    const count = (length: number, fec: boolean): number => splitDripAuth(new Uint8Array(length).fill(1), { timestamp: 0, fec }).length;
    expect(count(137, false)).toBe(linkPages);
    expect(count(137, true)).toBe(8);
    for (let k = 1; k <= 4; k++) expect(count(89 + 25 * k, false), `wrapper of ${k}`).toBe(wrapperPages(k));
    for (let h = 0; h <= 11; h++) expect(count(89 + 8 * (h + 3), false), `manifest of ${h}`).toBe(manifestPages(h));
    for (let length = 1; length <= DRIP_MAX_AUTH_LENGTH; length++) {
      const plain = count(length, false);
      const withFec = count(length, true);
      // one parity page, and one more when the data fills its last page (the ADL byte needs a page)
      expect(withFec - plain).toBe((length - 17) % 23 === 0 && length >= 17 ? 2 : 1);
      expect(withFec).toBeLessThanOrEqual(16);
    }
  });

  it('without FEC the pages are the plain split', () => {
    const data = new Uint8Array(137).map((_, i) => i);
    const pages = splitDripAuth(data, { timestamp: TS, fec: false });
    expect(pages[0]).toMatchObject({ lastPageIndex: 6, length: 137 });
    expect(assembleAuth(wire(pages))).toMatchObject({ complete: true, auth: { authData: toHex(data) } });
  });
});

describe('recovery refuses', () => {
  const pages = wire(splitDripAuth(new Uint8Array(120).map((_, i) => (i * 7) & 0xff || 1), { timestamp: TS, fec: true }));

  /** Pages whose page `index` payload is replaced, with the parity recomputed so that the XOR stays exact. */
  function reparity(edit: (payloads: Uint8Array[]) => void): AuthMessage[] {
    const payloads = pages.slice(0, -1).map(pagePayload);
    edit(payloads);
    const parity = fecParity(payloads);
    return [
      ...payloads.map((p, i): AuthMessage =>
        i === 0
          ? { ...pages[0]!, lastPageIndex: p[0]!, length: p[1]!, timestamp: p[2]! | (p[3]! << 8) | (p[4]! << 16) | ((p[5]! << 24) >>> 0), authData: toHex(p.subarray(6)) }
          : { ...pages[i]!, authData: toHex(p) },
      ),
      { ...pages.at(-1)!, authData: toHex(parity) },
    ];
  }
  const adlAt = 120; // data byte index of the ADL: page 5, payload byte (120 - 17) % 23 = 11

  it('when no page or more than one is missing', () => {
    expect(recoverDripPage(pages)).toMatchObject({ ok: false, reason: 'no page is missing' });
    expect(recoverDripPage(pages.slice(2))).toMatchObject({ ok: false, reason: expect.stringContaining('2 pages are missing') });
    expect(recoverDripPage([])).toMatchObject({ ok: false });
  });

  it('page 0 lost together with the parity page: the rebuilt page 0 disagrees with the pages heard', () => {
    expect(recoverDripPage(pages.slice(1, -1))).toMatchObject({ ok: false });
  });

  it('a zero ADL, an ADL that misses the parity page, non-zero padding, a length above 201', () => {
    const pageOf = (dataIndex: number): [number, number] => [1 + Math.floor((dataIndex - 17) / 23), (dataIndex - 17) % 23];
    const [adlPage, adlByte] = pageOf(adlAt);
    const cases: Array<[string, (p: Uint8Array[]) => void, RegExp]> = [
      ['zero ADL', (p) => void (p[adlPage]![adlByte] = 0), /not an ADL/],
      ['ADL one short', (p) => void (p[adlPage]![adlByte]! -= 1), /does not end at the parity page/],
      ['padding', (p) => void (p[adlPage]![adlByte + 1] = 9), /non-zero padding/],
      ['length 202', (p) => void (p[0]![1] = 202), /more than the 201/],
    ];
    for (const [name, edit, reason] of cases) {
      const bad = reparity(edit);
      for (const lost of [0, 2, bad.length - 1]) {
        expect(recoverDripPage(bad.filter((_, i) => i !== lost)), `${name}, page ${lost} lost`).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
      }
    }
  });

  it('a rebuilt page 0 whose last page index is not the highest page heard', () => {
    const bad = reparity((p) => void (p[0]![0] = 15));
    expect(recoverDripPage(bad.slice(1))).toMatchObject({ ok: false, reason: expect.stringContaining('last page index 15') });
  });

  it('pages of another auth type, or two different copies of a page', () => {
    expect(recoverDripPage([...pages.slice(1, 3), { ...pages[3]!, authType: 3 }])).toMatchObject({ ok: false, reason: expect.stringContaining('auth type 3') });
    expect(recoverDripPage([...pages.slice(1), { ...pages[1]!, authData: '00'.repeat(23) }])).toMatchObject({ ok: false, reason: 'two different pages 1' });
  });
});
