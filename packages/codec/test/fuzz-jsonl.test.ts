/**
 * The hand-made JSONL serializer (src/receive/jsonl.ts) against the line it replaces: the envelope as the
 * original template wrote it and `JSON.stringify(message)`. Same text for every decoded shape with any values
 * (Latin-1 and full UTF-16 text with quotes, backslashes, control characters and lone surrogates; every
 * kind of double), for keys in another order, extra keys, nested and exotic values; and the same UTF-8 bytes
 * from JsonlWriter, across buffer growth, take(), buffer reuse, shared envelopes and failed lines.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capturePath, itCorpus } from '../../../test/support/fixtures.js';
import { CaptureReader, RemoteIdExtractor, SINGLE_MESSAGE_META, TRANSPORTS, decodeMessage, fieldOrder, type ReceivedMessage } from '../src/index.js';
import { JsonlWriter, receivedToJson } from '../src/receive/jsonl.js';

/** The original receivedToJson, verbatim: the specification. */
function reference(r: ReceivedMessage): string {
  let s = '{';
  if (r.t !== undefined) s += `"t":${r.t},`;
  if (r.frame !== undefined) s += `"frame":${r.frame},`;
  s += `"transport":"${r.transport}","mac":"${r.mac}"`;
  if (r.rssi !== undefined) s += `,"rssi":${r.rssi}`;
  if (r.channel !== undefined) s += `,"channel":${r.channel}`;
  if (r.counter !== undefined) s += `,"counter":${r.counter}`;
  if (r.badFcs) s += ',"badFcs":true';
  return s + `,"message":${JSON.stringify(r.message)}}`;
}

const utf8 = new TextEncoder();
const writerBytes = (rs: readonly ReceivedMessage[]): Uint8Array => {
  const w = new JsonlWriter(64);
  for (const r of rs) w.write(r);
  return w.take();
};
/**
 * expect(actual).toEqual(expected) for bytes, compared here first: the matcher's generic walk over every index
 * was most of this file's time. A difference still goes to the matcher, for its report.
 */
const expectBytes = (actual: Uint8Array, expected: Uint8Array): void => {
  if (actual.length === expected.length && actual.every((b, i) => b === expected[i])) return;
  expect(actual).toEqual(expected);
};
const expectSame = (r: ReceivedMessage): void => {
  const want = reference(r);
  expect(receivedToJson(r)).toBe(want);
  expectBytes(writerBytes([r]), utf8.encode(want + '\n'));
};

// ------------------------------------------------------------------------------------------- values

/** Text as the decoders make it: any Latin-1 byte, weighted towards the ones JSON must escape. */
const latin1 = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('"', '\\', '\n', '\r', '\t', '\b', '\f', '\x00', '\x1f', '\x7f', '\x80', '\xe9', '\xff', '/'),
  ),
  maxLength: 30,
});
/** Any UTF-16 code units, lone surrogates included (what a hand-built message could hold). */
const utf16 = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('\ud800', '\udfff', '\ud83d\ude00', '\u2028', '\u2029', '\ufeff', '\uffff'),
  ),
  maxLength: 30,
});
const text = fc.oneof({ weight: 3, arbitrary: latin1 }, { weight: 1, arbitrary: utf16 });

/** Short decimals as the decoders produce them (n / 10^k), and their neighbours one ulp away. */
const shortDecimal = fc
  .tuple(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.integer({ min: 0, max: 17 }), fc.integer({ min: -1, max: 1 }))
  .map(([n, k, nudge]) => {
    const v = n / 10 ** k;
    if (nudge === 0 || !Number.isFinite(v) || v === 0) return v;
    const b = new Float64Array([v]);
    new BigInt64Array(b.buffer)[0]! += BigInt(nudge);
    return b[0]!;
  });
const EDGE_NUMBERS = [
  0, -0, 1, -1, 0.5, -0.5, 0.1, 0.2, 0.1 + 0.2, 1e-6, 1e-7, 9.999999e-7, 1.5e-6, 1e21, 1e21 - 65536, 9.999999999999999e20, 1e15, 1e16,
  2 ** 51, 2 ** 51 / 10, 2 ** 51 / 10 + 0.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 31, -(2 ** 31), 2 ** 31 - 1, 2 ** 32, 5e-324, Number.MAX_VALUE,
  Number.MIN_VALUE, Number.EPSILON, NaN, Infinity, -Infinity, 1767225600.000651, 1767225600.0006511, 45.0444205, -122.9726866, 63.75, 6553.5,
  65535, 31767.5, 123456789012345.6, 12345678901234.56, 0.000001234567, 1.7976931348623157e308, 4.35, 0.3, 2.675, 1.005, 1234.5678,
  // around the int32 scaled decimals of the fields' precision (the wire's int32 latitude / 1e7 at its ends), leading zeros
  214.7483647, -214.7483647, 214.7483648, -214.7483648, 2147.483647, 21474.83648, 0.05, 0.0000012, 0.1000001, 1e-6 + 1e-7, 999999.9999999,
];
const number = fc.oneof(
  { weight: 3, arbitrary: fc.double() },
  { weight: 3, arbitrary: shortDecimal },
  { weight: 2, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
);
/** A field value: mostly what its type says, sometimes undefined (JSON.stringify leaves the key out) or another type. */
const fieldOf = (a: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 12, arbitrary: a },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(null, true, false, 'x', '', [], {}, [1, 'a', null], () => 1, Symbol('s')) },
  );

// ------------------------------------------------------------------------------------------- messages

/** The decoded shapes, keys in the message tables' order: each type without its optional keys, and with them. */
const SHAPES = SINGLE_MESSAGE_META.flatMap((meta) => {
  const [base, all] = [fieldOrder(meta, false), fieldOrder(meta, true)];
  return base.length === all.length ? [base] : [base, all];
});
const TEXT_FIELDS = new Set(['uasId', 'uasIdHex', 'authData', 'desc', 'operatorId']);

const decodedShape = fc.constantFrom(...SHAPES).chain(([type, ...keys]) =>
  fc.tuple(...keys.map((k) => fieldOf(TEXT_FIELDS.has(k) ? text : number))).map((values) => {
    const m: Record<string, unknown> = { type };
    keys.forEach((k, i) => (m[k] = values[i]));
    return m;
  }),
);

/** The same messages with keys shuffled, dropped or added: the generic path, which must agree too. */
const reshaped = fc.tuple(decodedShape, fc.array(fc.nat(), { maxLength: 25 }), fc.dictionary(fc.string({ maxLength: 6 }), fieldOf(number), { maxKeys: 3 }))
  .map(([m, order, extra]) => {
    const entries = Object.entries(m);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = (order[i] ?? 0) % (i + 1);
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return { ...Object.fromEntries(entries.slice(0, entries.length - ((order[0] ?? 0) % 2))), ...extra };
  });

/** DJI- and French-like records: nested objects, arrays of warnings, booleans. */
const nested = fc.record({
  type: fc.constantFrom('djiFlightInfo', 'djiFlightPurpose', 'frenchId'),
  version: number,
  state: fc.dictionary(fc.constantFrom('serialValid', 'privacyOff', 'inAir', 'gpsValid'), fc.boolean()),
  serialNumber: text,
  warnings: fc.array(utf16, { maxLength: 3 }),
  raw: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(number, fc.array(number, { maxLength: 3 })), { maxKeys: 4 }),
  productName: fc.option(text, { nil: undefined }),
});

/** Anything at all, as JSON.stringify meets it: boxed values, Maps, Dates, sparse arrays, null prototypes... */
const exotic = fc.anything({
  maxDepth: 3,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withObjectString: true,
  withNullPrototype: true,
  withTypedArray: true,
  withSparseArray: true,
  withUnicodeString: true,
});

const envelope = fc.record(
  {
    t: fc.oneof(fc.double(), shortDecimal, fc.constantFrom(1767225600.000651, 1767225600)),
    frame: fc.nat(),
    transport: fc.constantFrom(...TRANSPORTS),
    mac: fc.oneof(fc.constantFrom('c2:5a:1d:00:00:07', ''), fc.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/), latin1),
    rssi: fc.integer({ min: -128, max: 127 }),
    channel: fc.integer({ min: 0, max: 200 }),
    counter: fc.integer({ min: 0, max: 255 }),
    badFcs: fc.constant(true as const),
  },
  { requiredKeys: ['transport', 'mac'] },
);
const received = (message: fc.Arbitrary<unknown>): fc.Arbitrary<ReceivedMessage> =>
  fc.tuple(envelope, message).map(([e, message]) => ({ ...e, message }) as ReceivedMessage);

// ------------------------------------------------------------------------------------------- properties

describe('JSONL serializer: exactly the original line (JSON.stringify for the message)', () => {
  it('every decoded shape, with any values in its fields', () => {
    fc.assert(fc.property(received(decodedShape), (r) => expectSame(r)), { numRuns: 5_000 });
  });

  it('keys in another order, missing or added', () => {
    fc.assert(fc.property(received(reshaped), (r) => expectSame(r)), { numRuns: 5_000 });
  });

  it('nested records (DJI, French)', () => {
    fc.assert(fc.property(received(nested), (r) => expectSame(r)), { numRuns: 5_000 });
  });

  it('exotic values: the same text, or the same exception', () => {
    fc.assert(
      fc.property(received(exotic), (r) => {
        let want: string | Error;
        try {
          want = reference(r);
        } catch (e) {
          want = e as Error;
        }
        if (want instanceof Error) {
          expect(() => receivedToJson(r)).toThrow(want.constructor as ErrorConstructor);
          // nothing of the failed line is left in a writer, which goes on as if it had not been called
          const w = new JsonlWriter(64);
          const ok = { transport: 'wifi-nan', mac: 'x', message: { type: 'selfId', desc: 'ok' } } as unknown as ReceivedMessage;
          w.write(ok);
          expect(() => w.write(r)).toThrow();
          w.write(ok);
          expect(new TextDecoder().decode(w.take())).toBe(`${reference(ok)}\n${reference(ok)}\n`);
        } else {
          expect(receivedToJson(r)).toBe(want);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('numbers: every double prints as String() does', () => {
    fc.assert(
      fc.property(number, (v) => {
        const r = { transport: 'ble-legacy', mac: '', t: v, message: { type: 'location', latitude: v, list: [v] } } as unknown as ReceivedMessage;
        expectSame(r);
      }),
      { numRuns: 20_000 },
    );
    for (const v of EDGE_NUMBERS) expectSame({ transport: 'ble-legacy', mac: '', t: v, frame: v, message: { type: 'x', v } } as unknown as ReceivedMessage);
  });

  itCorpus('the messages the codec decodes from random bytes, and every message of the real captures', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 25, maxLength: 25 }), fc.integer({ min: 0, max: 5 }), envelope, (bytes, type, e) => {
        bytes[0] = (type << 4) | (bytes[0]! & 0x0f);
        let message;
        try {
          message = decodeMessage(bytes);
        } catch {
          return; // an auth page 0 whose length does not fit: no message to print
        }
        expectSame({ ...e, message } as ReceivedMessage);
      }),
      { numRuns: 5_000 },
    );
    let n = 0;
    for (const file of ['opendroneid+wireshark-dissector/odid_bt5_lr_sample.pcapng', 'bkerler+DroneID/examples/wireless_RID_test_linux_transmitter.pcapng', 'sutt0n+depin-open-droneid/beacon_frames_howlong.pcap']) {
      const reader = new CaptureReader();
      const ex = new RemoteIdExtractor({ keepBadFcs: true });
      const records = [...reader.push(new Uint8Array(readFileSync(capturePath(...file.split('/'))))), ...reader.end()];
      const lines = records.flatMap((r) => ex.fromRecord(r.linkType, r.data, { t: r.timestamp, frame: r.frame }));
      expect(new TextDecoder().decode(writerBytes(lines))).toBe(lines.map((l) => reference(l) + '\n').join(''));
      n += lines.length;
    }
    expect(n).toBeGreaterThan(500);
  });

  it('JsonlWriter: many lines, shared envelopes, growth, take() and buffer reuse give the concatenated lines', () => {
    const batch = fc.array(
      fc.tuple(received(fc.oneof(decodedShape, nested)), fc.boolean(), fc.boolean()),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(batch, fc.integer({ min: 64, max: 2048 }), (items, capacity) => {
        const w = new JsonlWriter(capacity);
        const parts: Uint8Array[] = [];
        let spare: Uint8Array | undefined;
        let prev: ReceivedMessage | undefined;
        let want = '';
        for (const [r0, shareEnvelope, takeNow] of items) {
          // a pack: the next message with the previous one's envelope (the writer copies it)
          const r = shareEnvelope && prev ? { ...prev, message: r0.message } : r0;
          w.write(r);
          want += reference(r) + '\n';
          prev = r;
          if (takeNow) {
            const bytes = w.take(spare);
            parts.push(bytes.slice());
            spare = new Uint8Array(bytes.buffer); // reused: the writer overwrites what it handed out
          }
        }
        parts.push(w.take());
        const total = parts.reduce((a, p) => a + p.length, 0);
        const all = new Uint8Array(total);
        let o = 0;
        for (const p of parts) {
          all.set(p, o);
          o += p.length;
        }
        expect(new TextDecoder().decode(all)).toBe(want);
        expectBytes(all, utf8.encode(want));
      }),
      { numRuns: 600 },
    );
  });

  it('long strings and deep nesting', () => {
    const long = 'a"\\\u0001é\ud800'.repeat(20_000);
    expectSame({ transport: 'wifi-beacon', mac: 'm', message: { type: 'selfId', protocolVersion: 2, descType: 0, desc: long } } as ReceivedMessage);
    let deep: unknown = { leaf: [1, 'x'] };
    for (let i = 0; i < 100; i++) deep = i % 2 ? { d: deep, n: i } : [deep, 'x'];
    expectSame({ transport: 'wifi-beacon', mac: 'm', message: deep } as unknown as ReceivedMessage);
    const cyclic: Record<string, unknown> = { type: 'x' };
    cyclic.self = cyclic;
    expect(() => receivedToJson({ transport: 'wifi-beacon', mac: 'm', message: cyclic } as unknown as ReceivedMessage)).toThrow(TypeError);
    expect(receivedToJson({ transport: 'wifi-nan', mac: 'm', message: undefined } as unknown as ReceivedMessage)).toBe(
      '{"transport":"wifi-nan","mac":"m","message":undefined}',
    );
  });
});
