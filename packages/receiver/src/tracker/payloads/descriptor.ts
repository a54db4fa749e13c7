/**
 * Track-payload descriptors: for each type of received payload, what the tracker does with it — the
 * identities it carries, what a message of it changes on its track, what passes on when two tracks turn
 * out to be one aircraft, and how its fields are written in the track's JSON. They are listed once, in
 * index.ts; the tracker, the merge and trackToJson work from that list alone.
 */

import type { ReceivedPayload } from '@odid/codec';
import type { TrackIdentity } from '../identity.js';
import type { RadioLink } from '../link.js';
import type { TrackRecord } from '../record.js';
import type { TrackJson } from '../track-json.js';
import type { Track, TrackPoint } from '../types.js';

export type PayloadType = ReceivedPayload['type'];
export type PayloadOf<T extends PayloadType> = Extract<ReceivedPayload, { type: T }>;
/** A payload that keeps no fields of its own (or adds no JSON keys). */
export type NoFields = Record<never, never>;

/** Where a payload's positions go: the track's position and history, and the spoofing checks (positions.ts). */
export interface PositionSink {
  /** `accuracyM`: the horizontal accuracy the fix declares (metres, 95 %), when it declares one. */
  add(track: TrackRecord, link: RadioLink, point: TrackPoint, accuracyM?: number): void;
}

/**
 * The descriptor of one payload type, P (a LocationMessage, a FrenchId...). `F` is what it keeps on a track
 * (Track gets these fields, readonly) and `J` what it adds to the track's JSON beyond the documented fixed
 * keys (TrackJson gets these): both type-level only.
 */
export interface TrackPayload<P extends ReceivedPayload = ReceivedPayload, F extends object = NoFields, J extends object = NoFields> {
  readonly type: P['type'];
  /** A payload that carries nothing to track (DJI's blank records): ignored before it reaches any track. */
  ignore?(p: P): boolean;
  /** The identities it carries, which route it to its aircraft's track (identity.ts). */
  identities?(p: P): TrackIdentity[];
  /** A sequence number of its own, counted per link instead of the frame's counter. */
  readonly sequence?: { readonly stream: string; readonly modulus: number; of(p: P): number };
  /**
   * The time a message says it was made (`what`: its name in words), resolved against its reception time
   * `receivedMs`, in ms; undefined when it gives none. The spoofing checks compare it with the reception.
   */
  readonly clock?: { readonly what: string; at(p: P, receivedMs: number): number | undefined };
  /** What a message of this type changes on its track, received at `now` over `link`. */
  apply(track: TrackRecord, p: P, now: number, link: RadioLink, positions: PositionSink): void;
  /**
   * Takes into `dst` what `src` holds of this payload (two tracks of one aircraft); `newer(kind)`: src's
   * latest message of that kind (as stamped in updatedAt) is newer than dst's. Runs before the stamps merge.
   */
  merge?(src: Track, dst: TrackRecord, newer: (kind: string) => boolean): void;
  /** Writes its fields into the track's JSON: into the fixed keys the JSON lays out, or appended after them. */
  toJson?(track: Track, json: TrackJson): void;
  /** Type-level only (never set): the fields it keeps on a track, and those it adds to the JSON. */
  readonly fields?: F;
  readonly jsonFields?: J;
}

/**
 * A descriptor with every member present, in one order: the tracker reads them for every message, and
 * objects of one shape keep those reads monomorphic.
 */
export function trackPayload<P extends ReceivedPayload, F extends object = NoFields, J extends object = NoFields>(d: TrackPayload<P, F, J>): TrackPayload<P, F, J> {
  return {
    type: d.type,
    ignore: d.ignore,
    identities: d.identities,
    sequence: d.sequence,
    clock: d.clock,
    apply: d.apply,
    merge: d.merge,
    toJson: d.toJson,
  };
}
