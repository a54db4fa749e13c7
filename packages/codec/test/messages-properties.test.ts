/** Property tests: decode(encode(x)) ≈ x within each field's resolution; encode(decode(b)) = b. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeMessage, encodeMessage, toHex, type OdidMessageInput, type SingleMessageInput } from '../src/index.js';

const f32 = Math.fround;
const version = fc.integer({ min: 0, max: 15 });
const nibble = fc.integer({ min: 0, max: 15 });
const byte = fc.integer({ min: 0, max: 255 });
const double = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const orUnknown = (arb: fc.Arbitrary<number>, unknown: number) => fc.oneof({ weight: 9, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(unknown) });
/** Latin-1 text without trailing NULs (which the wire cannot tell from padding). */
const latin1 = (max: number) =>
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((codes) => {
    while (codes.length && codes[codes.length - 1] === 0) codes.pop();
    return String.fromCharCode(...codes);
  });
const hexBytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => toHex(b));

const location = fc.record({
  type: fc.constant('location' as const),
  protocolVersion: version,
  status: nibble,
  direction: orUnknown(double(0, 360), 361),
  speedHorizontal: orUnknown(double(0, 254.25), 255),
  speedVertical: orUnknown(double(-62, 62), 63),
  latitude: double(-90, 90),
  longitude: double(-180, 180),
  altitudeBaro: double(-1000, 31767.5),
  altitudeGeo: double(-1000, 31767.5),
  heightType: fc.integer({ min: 0, max: 1 }),
  height: double(-1000, 31767.5),
  horizAccuracy: nibble,
  vertAccuracy: nibble,
  baroAccuracy: nibble,
  speedAccuracy: nibble,
  tsAccuracy: nibble,
  timestamp: orUnknown(double(0, 3600), 65535),
});
const system = fc.record({
  type: fc.constant('system' as const),
  protocolVersion: version,
  operatorLocationType: fc.integer({ min: 0, max: 3 }),
  classificationType: fc.integer({ min: 0, max: 7 }),
  operatorLatitude: double(-90, 90),
  operatorLongitude: double(-180, 180),
  areaCount: fc.integer({ min: 0, max: 65535 }),
  areaRadius: double(0, 2550),
  areaCeiling: double(-1000, 31767.5),
  areaFloor: double(-1000, 31767.5),
  categoryEU: nibble,
  classEU: nibble,
  operatorAltitudeGeo: double(-1000, 31767.5),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
});
const basicId = fc.oneof(
  fc.record({ type: fc.constant('basicId' as const), protocolVersion: version, idType: fc.constantFrom(0, 1, 2, 5, 9, 15), uaType: nibble, uasId: latin1(20) }),
  fc.record({ type: fc.constant('basicId' as const), protocolVersion: version, idType: fc.constantFrom(3, 4), uaType: nibble, uasIdHex: hexBytes(20) }),
);
const auth = fc.oneof(
  fc.integer({ min: 0, max: 15 }).chain((lastPageIndex) =>
    fc.record({
      type: fc.constant('auth' as const),
      protocolVersion: version,
      authType: nibble,
      dataPage: fc.constant(0),
      lastPageIndex: fc.constant(lastPageIndex),
      length: fc.integer({ min: 0, max: Math.min(255, 17 + 23 * lastPageIndex) }),
      timestamp: fc.integer({ min: 0, max: 0xffffffff }),
      authData: hexBytes(17),
    }),
  ),
  fc.record({ type: fc.constant('auth' as const), protocolVersion: version, authType: nibble, dataPage: fc.integer({ min: 1, max: 15 }), authData: hexBytes(23) }),
);
const selfId = fc.record({ type: fc.constant('selfId' as const), protocolVersion: version, descType: byte, desc: latin1(23) });
const operatorId = fc.record({ type: fc.constant('operatorId' as const), protocolVersion: version, operatorIdType: byte, operatorId: latin1(20) });
const single: fc.Arbitrary<SingleMessageInput> = fc.oneof(location, system, basicId, auth, selfId, operatorId);

const EPS = 1e-3; // float32 arithmetic in the reference's converters
// The checks run on every generated value: the comparison is made here first and the matcher called only to
// report a failure, since calling it every time (tens of thousands of runs) was most of this file's time.
function expectWithin(actual: number, expected: number, tolerance: number, field: string): void {
  if (Math.abs(actual - expected) <= tolerance + EPS) return;
  expect(Math.abs(actual - expected), `${field}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance + EPS);
}

function expectDecodeError(e: unknown): void {
  if (!(e instanceof DecodeError)) expect(e).toBeInstanceOf(DecodeError);
}

describe('decode(encode(x)) equals x within resolution', () => {
  it('location', () => {
    fc.assert(
      fc.property(location, (x) => {
        const d = decodeMessage(encodeMessage(x));
        if (d.type !== 'location') throw new Error('type');
        expect([d.status, d.heightType, d.horizAccuracy, d.vertAccuracy, d.baroAccuracy, d.speedAccuracy, d.tsAccuracy, d.protocolVersion]).toEqual([
          x.status, x.heightType, x.horizAccuracy, x.vertAccuracy, x.baroAccuracy, x.speedAccuracy, x.tsAccuracy, x.protocolVersion,
        ]);
        if (x.direction === 361) expect(d.direction).toBe(361);
        else expectWithin(d.direction, Math.round(f32(x.direction)) % 360, 0, 'direction');
        if (x.speedHorizontal === 255) expect(d.speedHorizontal).toBe(255);
        else expectWithin(d.speedHorizontal, x.speedHorizontal, x.speedHorizontal <= 63.75 ? 0.125 : 0.375, 'speedHorizontal');
        if (x.speedVertical === 63) expect(d.speedVertical).toBe(63);
        else {
          expectWithin(d.speedVertical, x.speedVertical, 0.5, 'speedVertical');
          expect(Math.abs(d.speedVertical)).toBeLessThanOrEqual(Math.abs(x.speedVertical) + EPS); // truncated toward zero
        }
        expectWithin(d.latitude, x.latitude, 0.5e-7, 'latitude');
        expectWithin(d.longitude, x.longitude, 0.5e-7, 'longitude');
        for (const k of ['altitudeBaro', 'altitudeGeo', 'height'] as const) {
          expect(d[k]).toBeLessThanOrEqual(x[k] + EPS); // truncated down to the 0.5 m step
          expectWithin(d[k], x[k], 0.5, k);
        }
        if (x.timestamp === 65535) expect(d.timestamp).toBe(65535);
        else expectWithin(d.timestamp, x.timestamp, 0.05, 'timestamp');
      }),
      { numRuns: 20_000 },
    );
  });

  it('system', () => {
    fc.assert(
      fc.property(system, (x) => {
        const d = decodeMessage(encodeMessage(x));
        if (d.type !== 'system') throw new Error('type');
        for (const k of ['operatorLocationType', 'classificationType', 'areaCount', 'categoryEU', 'classEU', 'timestamp', 'protocolVersion'] as const) expect(d[k]).toBe(x[k]);
        expectWithin(d.operatorLatitude, x.operatorLatitude, 0.5e-7, 'operatorLatitude');
        expectWithin(d.operatorLongitude, x.operatorLongitude, 0.5e-7, 'operatorLongitude');
        expect(d.areaRadius).toBe(Math.floor(x.areaRadius / 10) * 10);
        for (const k of ['areaCeiling', 'areaFloor', 'operatorAltitudeGeo'] as const) expectWithin(d[k], x[k], 0.5, k);
      }),
      { numRuns: 20_000 },
    );
  });

  it('basic ID, authentication, self-ID and operator ID are exact', () => {
    fc.assert(
      fc.property(fc.oneof(basicId, auth, selfId, operatorId), (x) => {
        const d = decodeMessage(encodeMessage(x)) as unknown as Record<string, unknown>;
        expect(d).toMatchObject(x);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('encode(decode(b)) = b for every b the encoder produces', () => {
  it('single messages', () => {
    fc.assert(
      fc.property(single, (x) => {
        const b = encodeMessage(x);
        expect(toHex(encodeMessage(decodeMessage(b)))).toBe(toHex(b));
      }),
      { numRuns: 50_000 },
    );
  });

  it('message packs', () => {
    // A valid pack: up to 2 Basic IDs, at most one of Location/Self-ID/System/Operator ID, auth pages.
    const pack = fc
      .record({
        basic: fc.array(basicId, { maxLength: 2 }),
        loc: fc.option(location, { nil: undefined }),
        pages: fc.array(auth, { maxLength: 3 }),
        self: fc.option(selfId, { nil: undefined }),
        sys: fc.option(system, { nil: undefined }),
        op: fc.option(operatorId, { nil: undefined }),
        v: version,
      })
      .map(({ basic, loc, pages, self, sys, op, v }) => ({
        type: 'messagePack' as const,
        protocolVersion: v,
        messages: [...basic, ...(loc ? [loc] : []), ...pages, ...(self ? [self] : []), ...(sys ? [sys] : []), ...(op ? [op] : [])] as SingleMessageInput[],
      }))
      .filter((p) => p.messages.length > 0);
    fc.assert(
      fc.property(pack, (x: OdidMessageInput) => {
        const b = encodeMessage(x);
        expect(toHex(encodeMessage(decodeMessage(b)))).toBe(toHex(b));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('decoding never throws anything but DecodeError', () => {
  it('random bytes of any length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(4), (b, off) => {
        try {
          decodeMessage(b, Math.min(off, b.length));
        } catch (e) {
          expectDecodeError(e);
        }
      }),
      { numRuns: 100_000 },
    );
  });

  it('mutated valid messages', () => {
    fc.assert(
      fc.property(single, fc.array(fc.tuple(fc.nat(24), byte), { maxLength: 4 }), (x, edits) => {
        const b = encodeMessage(x);
        for (const [i, v] of edits) b[i] = v;
        try {
          decodeMessage(b);
        } catch (e) {
          expectDecodeError(e);
        }
      }),
      { numRuns: 50_000 },
    );
  });
});
