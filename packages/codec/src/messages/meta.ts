/**
 * The shape of the per-message metadata tables (`<message>-meta.ts`): for every key of a decoded message,
 * in the order the decoders build it (docs/decoded-json.md), its unit, resolution, what the standard allows,
 * its "unknown" value and its enum value names. The decoder, encoder, validator, JSON writer and the
 * toolkit's outputs read these, so that each fact is written once. Also the descriptors several messages
 * share (altitudes, latitude, longitude, protocol version).
 *
 * Data only, no imports from the converters: fields.ts and every message file import these tables.
 */

export type Unit = 'm' | 'm/s' | 'deg' | 's' | 'bytes';

/** An enum field: names of the defined values 0..names.length-1; then reserved values, then private ones. */
export interface EnumMeta {
  readonly names: readonly string[];
  /** The largest value the field's bits can hold. */
  readonly max: number;
  /** First value of the private-use range (which runs to `max`), when there is one. */
  readonly privateFrom?: number;
}

export interface FieldMeta {
  readonly unit?: Unit;
  /** The wire's step, in `unit`. */
  readonly resolution?: number;
  /** What the standard allows (a known value's range). */
  readonly min?: number;
  readonly max?: number;
  /** The value meaning "unknown" / not available. */
  readonly unknown?: number;
  readonly enum?: EnumMeta;
  /** Text or hex: at most this many bytes. */
  readonly size?: number;
  /** Absent from some decoded messages (the decoder then leaves the key out). */
  readonly optional?: true;
}

/** One message type's table. `fields` lists every key of the decoded form but `type`, in key order. */
export interface MessageMeta<M extends { type: string }> {
  readonly type: M['type'];
  /** The header's message type nibble. */
  readonly messageType: number;
  /** The name the standard gives the message. */
  readonly name: string;
  readonly fields: { readonly [K in Exclude<keyof M, 'type'>]-?: FieldMeta };
}

export const PROTOCOL_VERSION: FieldMeta & { enum: EnumMeta } = {
  enum: { names: ['F3411-19', 'F3411-20 / EN 4709-002', 'F3411-22a'], max: 15, privateFrom: 15 },
};

/** Pressure and geodetic altitudes, heights, area ceiling and floor: u16 of (m + 1000) / 0.5; raw 0 = unknown. */
export const ALTITUDE_FIELD = { unit: 'm', resolution: 0.5, min: -1000, max: 31767.5, unknown: -1000 } as const satisfies FieldMeta;
/** The altitude that means "unknown" (raw 0), in every altitude and height field. */
export const ALTITUDE_UNKNOWN: number = ALTITUDE_FIELD.unknown;

/** int32 of degrees × 1e7; latitude and longitude both 0 = unknown. */
export const LATITUDE_FIELD = { unit: 'deg', resolution: 1e-7, min: -90, max: 90, unknown: 0 } as const satisfies FieldMeta;
export const LONGITUDE_FIELD = { unit: 'deg', resolution: 1e-7, min: -180, max: 180, unknown: 0 } as const satisfies FieldMeta;

/** Seconds since 2019-01-01T00:00:00Z, u32 (System and Authentication timestamps). */
export const EPOCH_2019_TIMESTAMP = { unit: 's', resolution: 1, min: 0, max: 0xffffffff } as const satisfies FieldMeta;

/** Any message's table, for code that treats every type alike. */
export interface SomeMessageMeta {
  readonly type: string;
  readonly messageType: number;
  readonly name: string;
  readonly fields: { readonly [key: string]: FieldMeta };
}

/** The decoded form's keys in order: `type`, then the fields (the optional ones only when asked for). */
export function fieldOrder(meta: SomeMessageMeta, withOptional: boolean): string[] {
  return ['type', ...Object.keys(meta.fields).filter((k) => withOptional || !meta.fields[k]!.optional)];
}

/** The name of an enum value; undefined for reserved and private values. */
export const enumName = (e: EnumMeta, value: number): string | undefined => (Number.isInteger(value) && value >= 0 ? e.names[value] : undefined);

/** Whether a value is one the standard reserves (neither defined nor private). */
export const isReservedValue = (e: EnumMeta, value: number): boolean => value >= e.names.length && (e.privateFrom === undefined || value < e.privateFrom);

/** What an enum field allows, in words: "0..4 (5..15 are reserved)", "0 or 201..255 (1..200 are reserved)". */
export function enumAllowed(e: EnumMeta): string {
  const defined = e.names.length === 1 ? '0' : `0..${e.names.length - 1}`;
  const reservedTo = (e.privateFrom ?? e.max + 1) - 1;
  const privateRange = e.privateFrom === undefined ? '' : ` or ${e.privateFrom}..${e.max}`;
  const reserved = reservedTo === e.names.length ? `${reservedTo} is reserved` : `${e.names.length}..${reservedTo} are reserved`;
  return `${defined}${privateRange} (${reserved})`;
}
