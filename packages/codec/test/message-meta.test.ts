/**
 * The message tables (src/messages/*-meta.ts) are the one source: the decoders build their objects in the
 * tables' key order (every reference vector, every shape), the encoder's limits and "unknown" values are
 * the tables', the accuracy classes turn into bounds and back, the enum names cover every value the spec
 * defines (remote-id-spec.md §2), and the pack rules the decoder applies are the table's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test/support/fixtures.js';
import {
  ACCURACY_BOUNDS,
  ALTITUDE_FIELD,
  ALTITUDE_UNKNOWN,
  AUTH_TYPE,
  CATEGORY_EU,
  CLASS_EU,
  CLASSIFICATION_TYPE,
  DESC_TYPE,
  DecodeError,
  HEIGHT_TYPE,
  HORIZONTAL_ACCURACY,
  ID_TYPE,
  LIMITS,
  LOCATION_META,
  LOCATION_STATUS,
  LOCATION_UNKNOWN,
  MESSAGE_META,
  OPERATOR_ID_TYPE,
  OPERATOR_LOCATION_TYPE,
  PACK_MAX_MESSAGES,
  PACK_MAX_PER_TYPE,
  PROTOCOL_VERSION,
  SINGLE_MESSAGE_META,
  SPEED_ACCURACY,
  TIMESTAMP_ACCURACY,
  UA_TYPE,
  VERTICAL_ACCURACY,
  MessageType,
  accuracyBound,
  decodeMessage,
  encodeMessage,
  enumAllowed,
  fieldOrder,
  fromHex,
  horizontalAccuracyEnum,
  isReservedValue,
  packMessages,
  speedAccuracyEnum,
  timestampAccuracyEnum,
  toHex,
  uaTypeName,
  verticalAccuracyEnum,
  type AccuracyKind,
  type EnumMeta,
  type OdidMessage,
  type SingleMessageInput,
} from '../src/index.js';

const vectors = JSON.parse(readFileSync(fixturePath('vectors', 'reference-vectors.json'), 'utf8')) as {
  vectors: { name: string; hex: string | null; rejected: boolean }[];
  decodeVectors: { name: string; hex: string }[];
};

/** Every message the vectors decode to (pack members too), with where it came from. */
function decodedVectors(): { name: string; m: OdidMessage }[] {
  const out: { name: string; m: OdidMessage }[] = [];
  for (const v of [...vectors.vectors, ...vectors.decodeVectors]) {
    if (!v.hex) continue;
    let m: OdidMessage;
    try {
      m = decodeMessage(fromHex(v.hex));
    } catch (e) {
      if (e instanceof DecodeError) continue;
      throw e;
    }
    out.push({ name: v.name, m });
    if (m.type === 'messagePack') m.messages.forEach((member, i) => out.push({ name: `${v.name}[${i}]`, m: member }));
  }
  return out;
}

/** Every field of `fields` that has the property, with its value: { direction: 361, ... }. */
const fieldsWith = (fields: object, prop: 'unknown'): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).flatMap(([k, f]) => ((f as Record<string, unknown>)[prop] === undefined ? [] : [[k, (f as Record<string, unknown>)[prop]]])));

describe('field order: the decoders build their objects in the tables order', () => {
  it('every decoded reference vector has exactly its table keys, in order', () => {
    const seen = new Set<string>();
    for (const { name, m } of decodedVectors()) {
      const meta = MESSAGE_META[m.type];
      const keys = Object.keys(m);
      const order = fieldOrder(meta, true).filter((k) => k in m);
      expect(keys, name).toEqual(order);
      // Only the optional keys may be missing.
      expect(fieldOrder(meta, false).every((k) => k in m), name).toBe(true);
      seen.add(keys.join());
    }
    // Every shape a table allows (without and with its optional keys) occurs in the vectors.
    for (const meta of SINGLE_MESSAGE_META) {
      expect(seen, meta.type).toContain(fieldOrder(meta, false).join());
      expect(seen, meta.type).toContain(fieldOrder(meta, true).join());
    }
  });

  it('the tables are indexed by the header type nibble', () => {
    SINGLE_MESSAGE_META.forEach((meta, i) => {
      expect(meta.messageType).toBe(i);
      expect(MessageType[meta.type]).toBe(i);
      expect(MESSAGE_META[meta.type]).toBe(meta);
    });
    expect(MESSAGE_META.messagePack.messageType).toBe(MessageType.messagePack);
  });
});

describe('limits and unknown values: the encoder and decoder use the tables', () => {
  it('LIMITS is the tables (direction takes up to a full turn, which encodes as north)', () => {
    const f = LOCATION_META.fields;
    expect(LIMITS.speedHorizontal).toEqual({ min: f.speedHorizontal.min, max: f.speedHorizontal.max, unknown: f.speedHorizontal.unknown });
    expect(LIMITS.speedVertical).toEqual({ min: f.speedVertical.min, max: f.speedVertical.max, unknown: f.speedVertical.unknown });
    expect(LIMITS.altitude).toEqual({ min: ALTITUDE_FIELD.min, max: ALTITUDE_FIELD.max, unknown: ALTITUDE_UNKNOWN });
    expect(LIMITS.locationTimestamp).toEqual({ min: f.timestamp.min, max: f.timestamp.max, unknown: f.timestamp.unknown });
    expect(LIMITS.latitude).toEqual({ min: f.latitude.min, max: f.latitude.max });
    expect(LIMITS.longitude).toEqual({ min: f.longitude.min, max: f.longitude.max });
    expect(LIMITS.direction).toEqual({ min: f.direction.min, max: 360, unknown: f.direction.unknown });
    expect(toHex(encodeMessage({ type: 'location', status: 0, heightType: 0, ...LOCATION_UNKNOWN, direction: 360 })).slice(4, 6)).toBe('00');
  });

  it('a Location of unknowns is every field at its table "unknown", and survives the wire', () => {
    expect(LOCATION_UNKNOWN).toEqual(fieldsWith(LOCATION_META.fields, 'unknown'));
    const bytes = encodeMessage({ type: 'location', status: 0, heightType: 0, ...LOCATION_UNKNOWN });
    // The sentinels on the wire (remote-id-spec.md §2.2): direction 181 + E/W, speed 255 + multiplier, 0x7E, raw 0 altitudes, 0xFFFF.
    expect(toHex(bytes)).toBe(`1203b5ff7e${'00'.repeat(16)}ffff0000`);
    expect(decodeMessage(bytes)).toMatchObject(LOCATION_UNKNOWN);
  });

  it('every altitude field of every message is the one altitude descriptor', () => {
    const altitudes = ['altitudeBaro', 'altitudeGeo', 'height', 'areaCeiling', 'areaFloor', 'operatorAltitudeGeo'];
    for (const meta of SINGLE_MESSAGE_META) {
      for (const [k, f] of Object.entries(meta.fields)) if (altitudes.includes(k)) expect(f, `${meta.type}.${k}`).toBe(ALTITUDE_FIELD);
    }
    expect(ALTITUDE_UNKNOWN).toBe(ALTITUDE_FIELD.min);
    // raw 0 is the lowest altitude and "unknown"; the highest raw value is the table's maximum.
    const system = decodeMessage(fromHex(`42${'00'.repeat(17)}ffff${'00'.repeat(5)}`));
    expect(system).toMatchObject({ areaCeiling: ALTITUDE_UNKNOWN, areaFloor: ALTITUDE_UNKNOWN, operatorAltitudeGeo: ALTITUDE_FIELD.max });
  });
});

describe('accuracy classes both ways', () => {
  const ENUM_OF: Record<Exclude<AccuracyKind, 'timestamp'>, (v: number | undefined) => number> = {
    horizontal: horizontalAccuracyEnum,
    vertical: verticalAccuracyEnum,
    speed: speedAccuracyEnum,
  };

  it('class -> upper bound -> class: a value under the bound is that class, the bound itself the next coarser', () => {
    for (const [kind, toEnum] of Object.entries(ENUM_OF) as [Exclude<AccuracyKind, 'timestamp'>, (v: number) => number][]) {
      for (let c = 1; c <= ACCURACY_BOUNDS[kind].length; c++) {
        const bound = accuracyBound(kind, c)!;
        expect(toEnum(bound * 0.99), `${kind} ${c}`).toBe(c);
        expect(toEnum(bound), `${kind} ${c}`).toBe(c - 1);
      }
      expect(accuracyBound(kind, 0)).toBeUndefined();
      expect(accuracyBound(kind, ACCURACY_BOUNDS[kind].length + 1)).toBeUndefined();
    }
  });

  it('timestamp accuracy n means within n × 0.1 s, bound included', () => {
    for (let c = 1; c <= 15; c++) {
      expect(accuracyBound('timestamp', c)).toBe(c / 10);
      expect(timestampAccuracyEnum(accuracyBound('timestamp', c))).toBe(c);
    }
    expect(accuracyBound('timestamp', 0)).toBeUndefined();
    expect(timestampAccuracyEnum(1.6)).toBe(0);
  });

  it('the bounds are the spec table (§2.2), finest last', () => {
    expect(ACCURACY_BOUNDS.horizontal).toEqual([18520, 7408, 3704, 1852, 926, 555.6, 185.2, 92.6, 30, 10, 3, 1]);
    expect(ACCURACY_BOUNDS.vertical).toEqual([150, 45, 25, 10, 3, 1]);
    expect(ACCURACY_BOUNDS.speed).toEqual([10, 3, 1, 0.3]);
    expect(HORIZONTAL_ACCURACY.names[2]).toBe('< 7.408 km');
    expect(HORIZONTAL_ACCURACY.names[12]).toBe('< 1 m');
    expect(SPEED_ACCURACY.names[4]).toBe('< 0.3 m/s');
  });
});

describe('enum names cover every value the spec defines (remote-id-spec.md §1.3, §2)', () => {
  /** [table, defined values 0..n-1, first private value, bits]. */
  const SPEC: [string, EnumMeta, number, number | undefined, number][] = [
    ['protocol version (§1.3)', PROTOCOL_VERSION.enum, 3, 15, 4],
    ['ID type (§2.1)', ID_TYPE, 5, undefined, 4],
    ['UA type (§2.1)', UA_TYPE, 16, undefined, 4],
    ['status (§2.2)', LOCATION_STATUS, 5, undefined, 4],
    ['height type (§2.2)', HEIGHT_TYPE, 2, undefined, 1],
    ['horizontal accuracy (§2.2)', HORIZONTAL_ACCURACY, 13, undefined, 4],
    ['vertical accuracy (§2.2)', VERTICAL_ACCURACY, 7, undefined, 4],
    ['speed accuracy (§2.2)', SPEED_ACCURACY, 5, undefined, 4],
    ['timestamp accuracy (§2.2)', TIMESTAMP_ACCURACY, 16, undefined, 4],
    ['auth type (§2.3)', AUTH_TYPE, 6, 10, 4],
    ['description type (§2.4)', DESC_TYPE, 3, 201, 8],
    ['operator location type (§2.5)', OPERATOR_LOCATION_TYPE, 3, undefined, 2],
    ['classification type (§2.5)', CLASSIFICATION_TYPE, 2, undefined, 3],
    ['EU category (§2.5)', CATEGORY_EU, 4, undefined, 4],
    ['EU class (§2.5)', CLASS_EU, 8, undefined, 4],
    ['operator ID type (§2.6)', OPERATOR_ID_TYPE, 1, 201, 8],
  ];

  for (const [what, e, defined, privateFrom, bits] of SPEC) {
    it(what, () => {
      expect(e.names).toHaveLength(defined);
      expect(new Set(e.names).size).toBe(defined);
      for (const n of e.names) expect(n.trim()).not.toBe('');
      expect(e.privateFrom).toBe(privateFrom);
      expect(e.max).toBe(2 ** bits - 1);
      for (let v = 0; v <= e.max; v++) expect(isReservedValue(e, v), `${v}`).toBe(v >= defined && (privateFrom === undefined || v < privateFrom));
    });
  }

  it('every enum field of every table has a name table', () => {
    const ENUM_FIELDS = ['idType', 'uaType', 'status', 'heightType', 'horizAccuracy', 'vertAccuracy', 'baroAccuracy', 'speedAccuracy', 'tsAccuracy', 'authType', 'descType', 'operatorLocationType', 'classificationType', 'categoryEU', 'classEU', 'operatorIdType', 'protocolVersion'];
    for (const meta of Object.values(MESSAGE_META)) {
      for (const [k, f] of Object.entries(meta.fields)) expect(f.enum !== undefined, `${meta.type}.${k}`).toBe(ENUM_FIELDS.includes(k));
    }
  });

  it('UA type names as outputs show them', () => {
    expect(uaTypeName(2)).toBe('helicopter or multirotor');
    expect(uaTypeName(15)).toBe('other');
    expect(uaTypeName(16)).toBeUndefined();
    expect(uaTypeName(-1)).toBeUndefined();
  });

  it('what an enum allows, in words', () => {
    expect(enumAllowed(ID_TYPE)).toBe('0..4 (5..15 are reserved)');
    expect(enumAllowed(AUTH_TYPE)).toBe('0..5 or 10..15 (6..9 are reserved)');
    expect(enumAllowed(OPERATOR_ID_TYPE)).toBe('0 or 201..255 (1..200 are reserved)');
    expect(enumAllowed(OPERATOR_LOCATION_TYPE)).toBe('0..2 (3 is reserved)');
  });
});

describe('pack rules: one table for the decoder, the encoder and packMessages', () => {
  const member = (type: SingleMessageInput['type']): SingleMessageInput =>
    ({
      basicId: { type: 'basicId', idType: 1, uaType: 2, uasId: 'X' },
      location: { type: 'location', status: 0, heightType: 0, ...LOCATION_UNKNOWN },
      auth: { type: 'auth', authType: 1, dataPage: 1, authData: '' },
      selfId: { type: 'selfId', descType: 0, desc: 'x' },
      system: { type: 'system', operatorLocationType: 0, classificationType: 0, operatorLatitude: 0, operatorLongitude: 0, areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 0, classEU: 0, operatorAltitudeGeo: -1000, timestamp: 0 },
      operatorId: { type: 'operatorId', operatorIdType: 0, operatorId: 'x' },
    })[type] as SingleMessageInput;

  it('a pack takes each type up to its table maximum (and 9 members), not one more', () => {
    for (const meta of SINGLE_MESSAGE_META) {
      const max = Math.min(PACK_MAX_PER_TYPE[meta.type], PACK_MAX_MESSAGES);
      const full = Array.from({ length: max }, () => member(meta.type));
      expect(() => encodeMessage({ type: 'messagePack', messages: full }), meta.type).not.toThrow();
      expect(packMessages(full), meta.type).toHaveLength(1);
      const over = [...full, member(meta.type)];
      expect(packMessages(over), meta.type).toHaveLength(2);
      if (max === PACK_MAX_PER_TYPE[meta.type]) {
        expect(() => encodeMessage({ type: 'messagePack', messages: over }), meta.type).toThrow(`at most ${max} ${meta.name} message(s)`);
      }
    }
  });
});
