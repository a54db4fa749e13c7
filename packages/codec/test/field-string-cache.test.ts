/**
 * The strings of repeated fields (src/field-string-cache.ts): always exactly what building them gives, for any
 * bytes and any order of lookups (hits, misses, hash collisions, floods), with a fixed number of entries; and
 * the decoders' text and hex fields, which go through it, exactly the field's bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLatin1Field, toHex } from '../src/bytes.js';
import { FieldStringCache } from '../src/field-string-cache.js';
import { formatMac } from '../src/index.js';
import { decodeMessage, type AuthMessage, type BasicIdMessage, type OperatorIdMessage, type SelfIdMessage } from '../src/index.js';

/** A builder that counts its calls (each call is a miss). */
function counted(build: (b: Uint8Array, start: number, size: number) => string): { build: typeof build; calls: () => number } {
  let n = 0;
  return {
    build: (b, start, size) => {
      n++;
      return build(b, start, size);
    },
    calls: () => n,
  };
}

const hex = (b: Uint8Array, start: number, size: number): string => toHex(b, start, start + size);
const latin1Text = (b: Uint8Array, start: number, size: number): string => {
  let end = start + size;
  while (end > start && b[end - 1] === 0) end--;
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
};

describe('FieldStringCache', () => {
  it('gives build(bytes) for fields of every size at any offset, over any mix of repeated and new fields', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 24 }),
        fc.integer({ min: 0, max: 3 }),
        // a small pool of fields that come back (hits, and collisions within a tiny table) and fresh ones
        fc.array(fc.uint8Array({ minLength: 24, maxLength: 24 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.oneof(fc.nat(), fc.uint8Array({ minLength: 24, maxLength: 24 })), { minLength: 1, maxLength: 200 }),
        (size, setsLog2, pool, lookups) => {
          const cache = new FieldStringCache(size, hex, setsLog2);
          const buffer = new Uint8Array(40);
          for (const l of lookups) {
            const field = typeof l === 'number' ? pool[l % pool.length]! : l;
            const start = typeof l === 'number' ? l % 8 : 3;
            buffer.fill(0xee);
            buffer.set(field.subarray(0, size), start);
            expect(cache.get(buffer, start)).toBe(hex(buffer, start, size));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('tells apart fields that differ in one byte anywhere, or only in the bytes its words overlap', () => {
    for (const size of [4, 5, 6, 17, 19, 20, 21, 23, 24]) {
      const cache = new FieldStringCache(size, hex, 0); // one set: every field meets every other
      const base = new Uint8Array(size).fill(0x41);
      expect(cache.get(base, 0)).toBe(hex(base, 0, size));
      for (let i = 0; i < size; i++) {
        const b = base.slice();
        b[i] = 0x42;
        expect(cache.get(b, 0)).toBe(hex(b, 0, size));
        expect(cache.get(base, 0)).toBe(hex(base, 0, size));
      }
    }
  });

  it('keeps two fields per set, the two last built: a third pushes out the older', () => {
    const c = counted(hex);
    const cache = new FieldStringCache(20, c.build, 0); // a single set of two
    const built = c.calls(); // the empty field every entry starts as
    const [a, b, d] = [1, 2, 3].map((v) => new Uint8Array(20).fill(v));
    for (const f of [a, b, a, b, a]) cache.get(f!, 0);
    expect(c.calls() - built).toBe(2);
    cache.get(d!, 0); // d and b stay (b was the newer), a goes
    cache.get(b!, 0);
    expect(c.calls() - built).toBe(3);
    cache.get(a!, 0);
    expect(c.calls() - built).toBe(4);
  });

  it('holds a fixed number of fields: a flood of distinct ones replaces entries, and each lookup stays exact', () => {
    const c = counted(readLatin1Field);
    const cache = new FieldStringCache(20, c.build, 4); // 16 sets of two
    const built = c.calls();
    const field = (n: number): Uint8Array => new TextEncoder().encode(`ID-${String(n).padStart(17, '0')}`);
    const first = field(0);
    expect(cache.get(first, 0)).toBe('ID-00000000000000000');
    for (let n = 1; n <= 100_000; n++) {
      const f = field(n);
      const s = cache.get(f, 0);
      if (n % 9973 === 0) expect(s).toBe(latin1Text(f, 0, 20));
    }
    expect(c.calls() - built).toBe(100_001); // every distinct field built once
    // Only 32 entries: the first field is long gone and is built again, the last one is still there.
    expect(cache.get(first, 0)).toBe('ID-00000000000000000');
    expect(cache.get(field(100_000), 0)).toBe('ID-00000000000100000');
    expect(c.calls() - built).toBe(100_002);
  });

  it('refuses sizes its six words cannot cover exactly', () => {
    expect(() => new FieldStringCache(3, hex)).toThrow(RangeError);
    expect(() => new FieldStringCache(25, hex)).toThrow(RangeError);
  });
});

describe('decoded text and hex fields through the cache', () => {
  const message = (type: number, body: Uint8Array): Uint8Array => {
    const m = new Uint8Array(25);
    m[0] = (type << 4) | 2;
    m.set(body.subarray(0, 24), 1);
    return m;
  };

  it('are exactly the bytes of the field, for repeated and new messages alike', () => {
    const pool = Array.from({ length: 5 }, (_, i) => new Uint8Array(24).fill(0x30 + i));
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat({ max: 4 }), fc.uint8Array({ minLength: 24, maxLength: 24 })), { minLength: 1, maxLength: 60 }), (bodies) => {
        for (const x of bodies) {
          const body = typeof x === 'number' ? pool[x]! : x;
          const basic = decodeMessage(message(0x0, body)) as BasicIdMessage;
          expect(basic.uasId).toBe(latin1Text(body, 1, 20));
          if (basic.idType === 3 || basic.idType === 4) expect(basic.uasIdHex).toBe(toHex(body, 1, 21));
          expect((decodeMessage(message(0x3, body)) as SelfIdMessage).desc).toBe(latin1Text(body, 1, 23));
          expect((decodeMessage(message(0x5, body)) as OperatorIdMessage).operatorId).toBe(latin1Text(body, 1, 20));
          const page = body.slice();
          page[0] = (page[0]! & 0xf0) | (1 + (page[0]! % 15)); // a page after the first: no length to check
          expect((decodeMessage(message(0x2, page)) as AuthMessage).authData).toBe(toHex(page, 1, 24));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('give transmitter addresses exactly, both byte orders, and near the end of a buffer', () => {
    const b = Uint8Array.of(0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0xaa);
    expect(formatMac(b, 0)).toBe('00:11:22:33:44:55');
    expect(formatMac(b, 1, true)).toBe('aa:55:44:33:22:11');
    expect(formatMac(b, 1)).toBe('11:22:33:44:55:aa');
    expect(formatMac(b, 0, true)).toBe('55:44:33:22:11:00');
    // fewer than 6 bytes left: formatted as before, without the cache
    expect(formatMac(b, 2)).toBe(`22:33:44:55:aa:${String(undefined)}`);
  });
});
