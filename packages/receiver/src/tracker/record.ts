/**
 * The tracker's own, writable form of a track. Only the tracker's parts hold it as such; everyone else gets
 * it as a Track (types.ts), the same object seen read-only. Its containers (maps, sets, history, links) are
 * filled in place; every other value is replaced, never changed in place (their types stay readonly here
 * too), so what a caller took from a track does not change under it.
 */

import type { BasicIdMessage, Transport, ValidationIssue } from '@odid/codec';
import { PositionHistory } from './history.js';
import type { IdSlot } from './identity.js';
import type { RadioLink } from './link.js';
import { RateMeter } from './rates.js';
import type { TrackerSettings } from './settings.js';
import type { Track } from './types.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The containers the tracker fills in place; a reader sees them through read-only types. */
type Containers = 'key' | 'identities' | 'basicIds' | 'addresses' | 'transports' | 'updatedAt' | 'history' | 'links' | 'issues';

export interface TrackRecord extends Writable<Omit<Track, Containers>> {
  readonly key: string;
  readonly identities: Map<IdSlot, string>;
  readonly basicIds: Map<number, Readonly<BasicIdMessage>>;
  readonly addresses: Set<string>;
  readonly transports: Set<Transport>;
  readonly updatedAt: Map<string, number>;
  readonly history: PositionHistory;
  readonly links: Map<string, RadioLink>;
  /** Reception times by message type, behind `rates`. */
  readonly rateMeter: RateMeter;
  /** The issues of the latest message of each kind (replaced, never changed in place). */
  readonly issues: Map<string, readonly ValidationIssue[]>;
}

/** A track heard for the first time at `now`, with nothing in it yet. */
export function newTrackRecord(key: string, now: number, settings: Pick<TrackerSettings, 'historyLimit' | 'rateWindowMs'>): TrackRecord {
  return {
    key,
    identities: new Map(),
    basicIds: new Map(),
    addresses: new Set(),
    transports: new Set(),
    updatedAt: new Map(),
    history: new PositionHistory(settings.historyLimit),
    links: new Map(),
    rateMeter: new RateMeter(settings.rateWindowMs),
    rates: {},
    issues: new Map(),
    firstSeen: now,
    lastSeen: now,
    messages: 0,
    state: 'active',
    flags: [],
    zones: [],
    operatorZones: [],
    authorised: false,
    spoofing: [],
  };
}
