/**
 * French "signalement électronique" (arrêté of 27 December 2019; spec digest §3.7): a beacon vendor element,
 * OUI 6A:5C:35 type 0x01, whose body is TLVs `[type u8][length u8][value]` with BIG-endian values — unlike
 * everything else in Remote ID. Not ASTM F3411: a separate national broadcast, still sent by DJI and others.
 */

import { DecodeError } from '../errors.js';
import { diagnostic, type DiagnosticId, type DiagnosticSink } from '../diagnostics.js';
import { readLatin1Field, u16be, u32be } from '../bytes.js';
import type { RecordElementPayload } from './payload-kind.js';

/** The element's OUI, as transmitted, and the type byte after it. */
export const OUI_FRENCH_ID = [0x6a, 0x5c, 0x35] as const;
export const OUI_TYPE_FRENCH_ID = 0x01;

const BODY_OUI_TYPE = 0;
const BODY_TLVS = 1;
const TLV_HEADER = 2;
/** Positions are degrees × 1e5: divided (not multiplied by 1e-5) so that 4394965 reads 43.94965, not 43.949650000000005. */
const DEG_E5 = 1e5;

export interface FrenchId {
  type: 'frenchId';
  /** TLV 1 (1 expected). */
  protocolVersion?: number;
  /** TLV 2: the 30-character French identifier (manufacturer trigram, model, serial), NULs removed. */
  id?: string;
  /** TLV 3: ANSI/CTA-2063 serial number. */
  ansiCtaId?: string;
  /** TLVs 4, 5: degrees. */
  latitude?: number;
  longitude?: number;
  /** TLV 6: metres (above mean sea level per the arrêté). */
  altitude?: number;
  /** TLV 7: metres above take-off. */
  height?: number;
  /** TLVs 8, 9: degrees. */
  takeoffLatitude?: number;
  takeoffLongitude?: number;
  /** TLV 10: m/s. */
  speedHorizontal?: number;
  /** TLV 11: true course, degrees. */
  course?: number;
  /**
   * Missing mandatory TLVs, unknown or repeated ones: the words of the diagnostics raised (framing.french-*),
   * which a caller can also receive with their ids. Absent TLVs leave their field undefined.
   */
  warnings: string[];
}

/** What a French element says about itself (one that does not decode at all is a DecodeError). */
type FrenchIdDiagnostic = Extract<DiagnosticId, `framing.french-${string}`>;

type FieldName = Exclude<keyof FrenchId, 'type' | 'warnings'>;
interface TlvSpec {
  name: FieldName;
  /** Exact value length, or undefined for variable-length text. */
  size?: number;
  read: (b: Uint8Array, o: number, len: number) => number | string;
}

const i8 = (b: Uint8Array, o: number): number => (b[o]! << 24) >> 24;
const i16be = (b: Uint8Array, o: number): number => (u16be(b, o) << 16) >> 16;
const i32be = (b: Uint8Array, o: number): number => u32be(b, o) | 0;
const degrees = (b: Uint8Array, o: number): number => i32be(b, o) / DEG_E5;
const text = (b: Uint8Array, o: number, len: number): string => readLatin1Field(b, o, len);

/** The TLV types of the arrêté, sizes and value types per core-c's frdid_build. */
const TLVS: Readonly<Record<number, TlvSpec>> = {
  1: { name: 'protocolVersion', size: 1, read: (b, o) => b[o]! },
  2: { name: 'id', size: 30, read: text },
  3: { name: 'ansiCtaId', read: text },
  4: { name: 'latitude', size: 4, read: degrees },
  5: { name: 'longitude', size: 4, read: degrees },
  6: { name: 'altitude', size: 2, read: i16be },
  7: { name: 'height', size: 2, read: i16be },
  8: { name: 'takeoffLatitude', size: 4, read: degrees },
  9: { name: 'takeoffLongitude', size: 4, read: degrees },
  10: { name: 'speedHorizontal', size: 1, read: i8 },
  11: { name: 'course', size: 2, read: i16be },
};
const MANDATORY: readonly FieldName[] = [
  'protocolVersion',
  'latitude',
  'longitude',
  'altitude',
  'height',
  'takeoffLatitude',
  'takeoffLongitude',
  'speedHorizontal',
  'course',
];

/** Its payload descriptor (payload-kind.ts): a beacon vendor element, reported under wifi-beacon. */
export const FRENCH_ID_ELEMENT: RecordElementPayload<'frenchId', FrenchId> = {
  carrier: 'vendor-element',
  name: 'french-id',
  kind: 'frenchId',
  oui: OUI_FRENCH_ID,
  ouiType: OUI_TYPE_FRENCH_ID,
  transport: 'wifi-beacon',
  malformed: 'framing.malformed-french',
  content: 'record',
  types: { frenchId: true },
  parse: (body, _options, report) => parseFrenchId(body, report),
};

/**
 * Decodes a French ID vendor element body (the bytes after the OUI 6A:5C:35, starting with the type 0x01).
 * Throws DecodeError: 'malformed' for another OUI type or a known TLV of the wrong size, 'truncated' when a
 * TLV runs past the end. `report` receives the element's diagnostics as they are raised.
 */
export function parseFrenchId(body: Uint8Array, report?: DiagnosticSink<FrenchIdDiagnostic>): FrenchId {
  if (body.length < BODY_TLVS) throw new DecodeError('truncated', 0, 'empty French ID element body', 'frenchId');
  if (body[BODY_OUI_TYPE] !== OUI_TYPE_FRENCH_ID) {
    throw new DecodeError('malformed', BODY_OUI_TYPE, `OUI type ${body[BODY_OUI_TYPE]} is not 1`, 'frenchId.ouiType');
  }
  const out: FrenchId = { type: 'frenchId', warnings: [] };
  const fields = out as unknown as Record<FieldName, number | string | undefined>;
  const raise = (id: FrenchIdDiagnostic, detail: string, offset?: number): void => {
    out.warnings.push(detail);
    report?.(diagnostic(id, detail, { offset, path: 'frenchId' }));
  };
  for (let o = BODY_TLVS; o < body.length; ) {
    if (o + TLV_HEADER > body.length) throw new DecodeError('truncated', o, 'TLV header cut short', 'frenchId.tlv');
    const type = body[o]!;
    const len = body[o + 1]!;
    const value = o + TLV_HEADER;
    if (value + len > body.length) {
      throw new DecodeError('truncated', o, `TLV ${type} of length ${len} runs past the end`, `frenchId.tlv${type}`);
    }
    const spec = TLVS[type];
    if (!spec) {
      raise('framing.french-unknown-tlv', `unknown TLV type ${type} (${len} bytes) skipped`, o);
    } else if (spec.size !== undefined && len !== spec.size) {
      const reason = `TLV ${type} (${spec.name}) has length ${len}, expected ${spec.size}`;
      throw new DecodeError('malformed', o + 1, reason, `frenchId.${spec.name}`);
    } else {
      if (fields[spec.name] !== undefined) raise('framing.french-repeated-tlv', `TLV ${type} (${spec.name}) repeated; the last one is kept`, o);
      fields[spec.name] = spec.read(body, value, len);
    }
    o = value + len;
  }
  for (const name of MANDATORY) if (fields[name] === undefined) raise('framing.french-missing-tlv', `mandatory ${name} missing`);
  if (out.id === undefined && out.ansiCtaId === undefined) raise('framing.french-no-identifier', 'no identifier (TLV 2 or 3)');
  return out;
}
