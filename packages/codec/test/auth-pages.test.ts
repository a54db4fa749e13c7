import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthAssembler, EncodeError, assembleAuth, decodeMessage, encodeMessage, splitAuth, toHex, type AuthMessage } from '../src/index.js';
import { Random } from '../../../test/support/random.js';

describe('authentication pages', () => {
  it('splits signatures of every length 0..255 and assembles them back in any order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 255 }), fc.nat(), fc.integer({ min: 0, max: 15 }), (data, seed, authType) => {
        const pages = splitAuth({ authType, timestamp: 28_000_000, data });
        expect(pages[0]!.lastPageIndex).toBe(pages.length - 1);
        expect(pages.length).toBe(data.length <= 17 ? 1 : 1 + Math.ceil((data.length - 17) / 23));
        // each page survives the wire
        const received = new Random(seed).shuffle(pages).map((p) => decodeMessage(encodeMessage(p)) as AuthMessage);
        const result = assembleAuth(received);
        expect(result).toEqual({ complete: true, auth: { type: 'authAssembled', authType, length: data.length, timestamp: 28_000_000, authData: toHex(data) } });
      }),
      { numRuns: 2000 },
    );
  });

  it('a 255-byte signature takes pages 0..11', () => {
    const pages = splitAuth({ authType: 1, timestamp: 0, data: new Uint8Array(255).fill(7) });
    expect(pages).toHaveLength(12);
    expect(pages[0]).toMatchObject({ lastPageIndex: 11, length: 255 });
  });

  it('reports the gaps, whatever arrived first', () => {
    const pages = splitAuth({ authType: 3, timestamp: 5, data: new Uint8Array(100).map((_, i) => i) });
    expect(pages).toHaveLength(5);
    const a = new AuthAssembler();
    expect(a.add(pages[3]!)).toEqual({ complete: false, missing: [0, 1, 2] });
    expect(a.add(pages[0]!)).toEqual({ complete: false, missing: [1, 2, 4] });
    a.add(pages[4]!);
    expect(a.add(pages[1]!)).toEqual({ complete: false, missing: [2] });
    const done = a.add(pages[2]!);
    expect(done.complete).toBe(true);
  });

  it('a page with new content starts a new signature instead of mixing two', () => {
    const first = splitAuth({ authType: 1, timestamp: 1, data: new Uint8Array(40).fill(1) });
    const second = splitAuth({ authType: 1, timestamp: 2, data: new Uint8Array(40).fill(2) });
    const a = new AuthAssembler();
    a.add(first[0]!);
    a.add(first[1]!);
    expect(a.add(second[1]!)).toEqual({ complete: false, missing: [0] });
    const r = a.add(second[0]!);
    expect(r.complete && r.auth.authData).toBe(toHex(new Uint8Array(40).fill(2)));
  });

  it('pages of different auth types do not assemble', () => {
    const a = splitAuth({ authType: 1, timestamp: 1, data: new Uint8Array(30) });
    const b = splitAuth({ authType: 2, timestamp: 1, data: new Uint8Array(30) });
    expect(assembleAuth([a[0]!, b[1]!])).toMatchObject({ complete: false, conflict: expect.stringContaining('auth types') });
  });

  it('refuses signatures over 255 bytes, naming the field', () => {
    try {
      splitAuth({ authType: 1, timestamp: 0, data: new Uint8Array(256) });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EncodeError);
      expect((e as EncodeError).field).toBe('auth.data');
    }
  });
});
