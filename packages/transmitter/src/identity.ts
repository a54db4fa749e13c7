/**
 * The drone's identity, from a JSON or YAML configuration: what it broadcasts in Basic ID, Operator ID,
 * Self-ID and the static part of System. Everything is validated at start, with an error naming the field.
 * An EU operator ID is configured in full with its secret; only the 16 public characters are kept.
 */

import {
  ALTITUDE_FIELD as ALT,
  AREA_COUNT_FIELD,
  AREA_RADIUS_FIELD,
  CATEGORY_EU,
  CLASS_EU,
  DESC_SIZE,
  DESC_TYPE,
  ID_TYPE,
  LATITUDE_FIELD,
  LONGITUDE_FIELD,
  OPERATOR_ID_SIZE,
  PACK_MAX_PER_TYPE,
  UAS_ID_SIZE,
  UA_TYPE,
  checkEuOperatorId,
  checkSerialNumber,
  displayText,
  ToolkitError,
  type BasicIdInput,
  type BroadcastTransport,
} from '@odid/codec';
import { parse as parseYaml } from 'yaml';

export type Regime = 'faa' | 'eu' | 'none';

export interface Identity {
  regime: Regime;
  /** One or two Basic IDs (e.g. a serial number and a session ID). */
  basicIds: (BasicIdInput & { protocolVersion?: number })[];
  /** The public operator ID only: for the EU, the 16 broadcast characters (never the secret). */
  operatorId?: { operatorIdType: number; operatorId: string };
  selfId?: { descType: number; desc: string };
  system: {
    operatorLocationType: number;
    classificationType: number;
    categoryEU: number;
    classEU: number;
    areaCount: number;
    areaRadius: number;
    areaCeiling: number;
    areaFloor: number;
  };
  /** For operatorLocation "fixed": where the operator is. */
  operatorPosition?: { latitude: number; longitude: number; altitudeGeo?: number };
  /**
   * DRIP (drip.ts): the files to sign with — the UA's private key and its HDA's endorsement — as the config
   * names them (rid-broadcast reads them, relative to the config file). Only their names: no key is read here.
   */
  drip?: { key: string; endorsement: string };
}

/** A configuration that cannot be broadcast: the field at fault and what is wrong with it ("identity: FIELD: REASON"). */
export class IdentityError extends ToolkitError {
  override readonly name = 'IdentityError';
  declare readonly code: 'invalid-identity';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('invalid-identity', reason, { subject: `identity: ${field}` });
  }
}

/** A configured value quoted in an error: as JSON, control characters escaped, at most this long. */
const QUOTED_MAX = 200;
function quoted(v: unknown): string {
  // JSON would say null: name them as YAML writes them.
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    // a YAML alias can make a value that contains itself
  }
  return displayText(json ?? String(v), { max: QUOTED_MAX });
}
/** A check's problems, for an error: the first few (a long bad value has one per character). */
function problemList(problems: readonly string[], first = 3): string {
  const listed = problems.slice(0, first).map((p) => displayText(p, { max: QUOTED_MAX }));
  return listed.join('; ') + (problems.length > first ? `; and ${problems.length - first} more` : '');
}

export const UA_TYPES = [
  'none', 'aeroplane', 'helicopter-or-multirotor', 'gyroplane', 'hybrid-lift', 'ornithopter', 'glider', 'kite',
  'free-balloon', 'captive-balloon', 'airship', 'free-fall-parachute', 'rocket', 'tethered-powered-aircraft',
  'ground-obstacle', 'other',
] as const;
const REGIMES: readonly Regime[] = ['faa', 'eu', 'none'];
const ID_TYPES = { none: 0, serial: 1, caa: 2, utm: 3, session: 4 } as const;
const SELF_ID_TYPES = { text: 0, emergency: 1, 'extended-status': 2 } as const;
const OPERATOR_LOCATION = { takeoff: 0, live: 1, fixed: 2 } as const;
const EU_CATEGORY = { undeclared: 0, open: 1, specific: 2, certified: 3 } as const;
const EU_CLASS = { undeclared: 0, c0: 1, c1: 2, c2: 3, c3: 4, c4: 5, c5: 6, c6: 7 } as const;

/** Parses a configuration file's text (JSON, or YAML, which is a superset) and validates it. */
export function parseIdentity(text: string, fileName = 'config'): Identity {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    // The parser's first line says what and where (line, column); the lines after it quote the file.
    throw new IdentityError(displayText(fileName), `not valid JSON or YAML: ${displayText((e as Error).message.split('\n')[0]!.replace(/:$/, ''), { max: QUOTED_MAX })}`);
  }
  return loadIdentity(raw);
}

/**
 * A name from `table` (any case) or its number 0..max (max < 0: names only). Only the table's own names
 * count: "__proto__" or "constructor" are not names of anything (`in` would find them on Object.prototype).
 */
function enumValue<T extends Record<string, number>>(field: string, v: unknown, table: T, max: number): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
  if (typeof v === 'string' && Object.hasOwn(table, v.toLowerCase())) return table[v.toLowerCase() as keyof T]!;
  throw new IdentityError(field, `${quoted(v)} is not one of ${Object.keys(table).join(', ')}${max >= 0 ? ` (or a number 0..${max})` : ''}`);
}

/** What a value is, without showing it (a string could hold an EU operator ID's secret). */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'an empty string';
  if (typeof v === 'number') return Number.isFinite(v) ? 'a number' : quoted(v);
  return typeof v === 'boolean' ? 'true/false' : typeof v;
}

function str(field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new IdentityError(field, `a non-empty string is required, got ${kindOf(v)}`);
  return v;
}

function num(field: string, v: unknown, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new IdentityError(field, `a ${integer ? 'whole ' : ''}number ${min}..${max} is required, got ${quoted(v)}`);
  }
  return v;
}

/** A YAML mapping / JSON object: not null, not a list, not a scalar. */
function mapping(field: string, v: unknown, shape: string, what = 'a mapping'): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new IdentityError(field, `expected ${what} ${shape}, got ${quoted(v)}`);
  return v as Record<string, unknown>;
}

function basicIdFrom(field: string, raw: unknown, uaType: number): Identity['basicIds'][number] {
  const r = mapping(field, raw, '{ type: serial|caa|utm|session, value: ... }');
  const idType = enumValue(`${field}.type`, r.type, ID_TYPES, ID_TYPE.max);
  switch (idType) {
    case ID_TYPES.serial: {
      const value = str(`${field}.value`, r.value);
      const check = checkSerialNumber(value);
      if (!check.valid) throw new IdentityError(`${field}.value`, `not an ANSI/CTA-2063-A serial number: ${problemList(check.problems)}`);
      return { type: 'basicId', idType, uaType, uasId: value };
    }
    case ID_TYPES.caa: {
      const value = str(`${field}.value`, r.value);
      if (value.length > UAS_ID_SIZE || /[^\x20-\x7e]/.test(value)) throw new IdentityError(`${field}.value`, `at most ${UAS_ID_SIZE} printable ASCII characters`);
      return { type: 'basicId', idType, uaType, uasId: value };
    }
    case ID_TYPES.utm: {
      const value = str(`${field}.value`, r.value).replace(/-/g, '').toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(value)) throw new IdentityError(`${field}.value`, 'a UUID such as 123e4567-e89b-12d3-a456-426614174000');
      return { type: 'basicId', idType, uaType, uasIdHex: value.padEnd(40, '0') };
    }
    case ID_TYPES.session: {
      // DRIP: session-ID type 1 followed by the 16-byte DET (RFC 9374), or any session ID as hex.
      if (r.det !== undefined) {
        const det = sessionDet(`${field}.det`, r.det);
        return { type: 'basicId', idType, uaType, uasIdHex: ('01' + det).padEnd(40, '0') };
      }
      const hex = str(`${field}.hex`, r.hex).toLowerCase();
      if (!/^([0-9a-f]{2}){2,20}$/.test(hex)) throw new IdentityError(`${field}.hex`, 'the session ID as 2..20 bytes of hex, first byte the session-ID type');
      return { type: 'basicId', idType, uaType, uasIdHex: hex.padEnd(40, '0') };
    }
    default:
      throw new IdentityError(`${field}.type`, 'ID type "none" and reserved types cannot be broadcast as an identity');
  }
}

/** A DET written as an IPv6 address (2001:30::/28 prefix) to 32 hex digits. */
function sessionDet(field: string, v: unknown): string {
  const text = str(field, v).toLowerCase();
  const halves = text.split('::');
  if (halves.length > 2) throw new IdentityError(field, 'not an IPv6-style DET');
  const groups = (s: string): string[] => (s ? s.split(':') : []);
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const all = [...head, ...Array(Math.max(0, fill)).fill('0'), ...tail];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) throw new IdentityError(field, 'a DET is 8 groups of hex, e.g. 2001:3f:fe00:105:a29b:3ff4:2226:c04e');
  const hex = all.map((g) => g.padStart(4, '0')).join('');
  if (!hex.startsWith('2001003')) throw new IdentityError(field, 'a DET starts with the 2001:30::/28 prefix');
  return hex;
}

export function loadIdentity(raw: unknown): Identity {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new IdentityError('config', 'expected an object with ids, uaType, operatorId, selfId, eu, operatorLocation');
  const c = raw as Record<string, unknown>;
  // A key given with no value (YAML null) is an error, not the default: only a missing key is.
  const regime = REGIMES[enumValue('regime', c.regime === undefined ? 'none' : c.regime, { faa: 0, eu: 1, none: 2 }, -1)]!;
  const uaType = enumValue('uaType', c.uaType === undefined ? 'none' : c.uaType, Object.fromEntries(UA_TYPES.map((n, i) => [n, i])), UA_TYPE.max);

  const idsRaw = c.ids ?? [];
  if (!Array.isArray(idsRaw) || idsRaw.length === 0) throw new IdentityError('ids', 'at least one UAS ID is required, e.g. [{ type: serial, value: 1581F5FHB229F00202DR }]');
  if (idsRaw.length > PACK_MAX_PER_TYPE.basicId) throw new IdentityError('ids', 'at most two UAS IDs (a message pack carries two Basic IDs)');
  const basicIds = idsRaw.map((r, i) => basicIdFrom(`ids[${i}]`, r, uaType));

  const identity: Identity = {
    regime,
    basicIds,
    system: {
      operatorLocationType: enumValue('operatorLocation', c.operatorLocation === undefined ? 'takeoff' : c.operatorLocation, OPERATOR_LOCATION, 2),
      classificationType: 0,
      categoryEU: 0,
      classEU: 0,
      areaCount: 1,
      areaRadius: 0,
      areaCeiling: ALT.unknown,
      areaFloor: ALT.unknown,
    },
  };

  if (c.operatorId !== undefined) {
    const value = str('operatorId', c.operatorId);
    if (regime === 'eu' || /^[A-Z]{3}[0-9a-z]{13}-/.test(value)) {
      const check = checkEuOperatorId(value);
      // The problems never repeat the secret; the value itself is not echoed.
      if (!check.valid) throw new IdentityError('operatorId', `not a valid EU operator registration number: ${problemList(check.problems)}`);
      identity.operatorId = { operatorIdType: 0, operatorId: check.publicId! };
    } else {
      if (value.length > OPERATOR_ID_SIZE || /[^\x20-\x7e]/.test(value)) throw new IdentityError('operatorId', `at most ${OPERATOR_ID_SIZE} printable ASCII characters`);
      identity.operatorId = { operatorIdType: 0, operatorId: value };
    }
  }

  if (c.selfId !== undefined) {
    const s = typeof c.selfId === 'string' ? { type: 'text', text: c.selfId } : mapping('selfId', c.selfId, '{ type, text }', 'a text or a mapping');
    const desc = str('selfId.text', s.text);
    if (desc.length > DESC_SIZE || /[^\x20-\x7e]/.test(desc)) throw new IdentityError('selfId.text', `at most ${DESC_SIZE} printable ASCII characters (has ${desc.length})`);
    identity.selfId = { descType: enumValue('selfId.type', s.type === undefined ? 'text' : s.type, SELF_ID_TYPES, DESC_TYPE.max), desc };
  }

  if (c.eu !== undefined) {
    const eu = mapping('eu', c.eu, '{ category, class }');
    identity.system.classificationType = 1;
    identity.system.categoryEU = enumValue('eu.category', eu.category === undefined ? 'undeclared' : eu.category, EU_CATEGORY, CATEGORY_EU.max);
    identity.system.classEU = enumValue('eu.class', eu.class === undefined ? 'undeclared' : eu.class, EU_CLASS, CLASS_EU.max);
  }

  if (c.area !== undefined) {
    const a = mapping('area', c.area, '{ count, radius, ceiling, floor }');
    if (a.count !== undefined) identity.system.areaCount = num('area.count', a.count, 1, AREA_COUNT_FIELD.max, true);
    if (a.radius !== undefined) identity.system.areaRadius = num('area.radius', a.radius, AREA_RADIUS_FIELD.min, AREA_RADIUS_FIELD.max);
    if (a.ceiling !== undefined) identity.system.areaCeiling = num('area.ceiling', a.ceiling, ALT.min, ALT.max);
    if (a.floor !== undefined) identity.system.areaFloor = num('area.floor', a.floor, ALT.min, ALT.max);
  }

  if (c.drip !== undefined) {
    const d = mapping('drip', c.drip, '{ key: UA.key.pem, endorsement: HDA-UA.json }');
    identity.drip = { key: str('drip.key', d.key), endorsement: str('drip.endorsement', d.endorsement) };
  }

  if (identity.system.operatorLocationType === OPERATOR_LOCATION.fixed) {
    if (c.operatorPosition === undefined) throw new IdentityError('operatorPosition', 'operatorLocation "fixed" needs operatorPosition: { latitude, longitude, altitude }');
    const p = mapping('operatorPosition', c.operatorPosition, '{ latitude, longitude, altitude }');
    identity.operatorPosition = {
      latitude: num('operatorPosition.latitude', p.latitude, LATITUDE_FIELD.min, LATITUDE_FIELD.max),
      longitude: num('operatorPosition.longitude', p.longitude, LONGITUDE_FIELD.min, LONGITUDE_FIELD.max),
      ...(p.altitude !== undefined ? { altitudeGeo: num('operatorPosition.altitude', p.altitude, ALT.min, ALT.max) } : {}),
    };
  }
  return identity;
}


/**
 * What the selected regime expects that this identity or these transports do not give
 * (remote-id-spec.md §5.1). Warnings, not errors: a test bench may knowingly broadcast less.
 */
export function regimeWarnings(identity: Identity, transports: readonly BroadcastTransport[]): string[] {
  const w: string[] = [];
  const idTypes = new Set(identity.basicIds.map((b) => b.idType));
  if (identity.regime === 'faa') {
    if (!idTypes.has(1) && !idTypes.has(4)) w.push('FAA: Standard Remote ID needs a serial number (ID type 1) or a session ID (ID type 4)');
    if (identity.system.operatorLocationType !== 1) w.push('FAA: Standard Remote ID reports the control station live (operatorLocation: live); take-off location is for broadcast modules');
    const bt = transports.includes('ble-legacy') && transports.includes('ble-extended');
    if (!bt && !transports.includes('wifi-beacon')) w.push('FAA: the means of compliance broadcast BLE 4 and BLE 5 together, or Wi-Fi Beacon');
  }
  if (identity.regime === 'eu') {
    if (!identity.operatorId) w.push('EU: the operator registration number (operatorId) is mandatory');
    if (!idTypes.has(1)) w.push('EU: the UA serial number (ID type 1, ANSI/CTA-2063-A) is mandatory');
    if (identity.system.classificationType !== 1) w.push('EU: declare the EU category and class (eu: { category, class })');
    if (!transports.some((t) => t === 'ble-extended' || t === 'wifi-nan' || t === 'wifi-beacon')) {
      w.push('EU: broadcast on at least one of BLE 5 long range, Wi-Fi NAN or Wi-Fi Beacon (BLE 4 alone is not enough)');
    }
  }
  return w;
}

/** The identity used when no --config is given: a demo multirotor under EU rules. */
export const DEMO_IDENTITY_CONFIG = {
  regime: 'eu',
  uaType: 'helicopter-or-multirotor',
  ids: [{ type: 'serial', value: '1581F5FHB229F00202DR' }],
  operatorId: 'FIN87astrdge12k8-xyz',
  selfId: 'Demo flight',
  eu: { category: 'open', class: 'c1' },
  operatorLocation: 'takeoff',
} as const;
