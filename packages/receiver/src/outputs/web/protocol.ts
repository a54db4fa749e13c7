/**
 * What the receiver's web server and the map page say to each other over the WebSocket. Types only: the
 * page (web/, bundled for the browser) imports them as types, so nothing of the server reaches the page.
 *
 * Server -> page, one JSON object per WebSocket text message:
 * - `hello` first, once per connection: what this session is;
 * - `history` next, in a replay only: the scene's past as the server kept it (a starting state and every moment
 *   since, as `steps` carried them), so a page opened after the replay began has the whole timeline;
 * - `snapshot` next, and again whenever the page asks (`resync`) or has fallen behind and drained: every
 *   track as it is now, as a summary (summary.ts: what the map and the list draw) with its recent trail;
 * - `tracks` afterwards: what changed in the tracks, at most twice a second per track and 1,000 track
 *   states a second in all (batcher.ts; past 500 tracks each goes less often), batched (looked at
 *   every 100 ms, with a crowd every 200: at most ten messages a second however many drones): for each
 *   track the pages already have, only the fields that changed since the summary sent before (`changes`:
 *   deltas), for a track new to them its whole summary (`tracks`); and the keys of the tracks that are gone
 *   (merged into another, or forgotten). Every page has the same summaries: a snapshot holds the summaries
 *   as last sent (a track not sent yet comes whole in the next batch), and a page that misses a batch (it
 *   fell behind) gets nothing more until its catch-up snapshot;
 * - `steps` instead of `tracks` in a replay: batched on the frames' clock (twice a second of the scene),
 *   every moment of the scene since the last message, so that a fast replay loses no detail in few messages;
 * - `details`: the whole TrackJson of the track the page has open (it asked with `details`), at once and
 *   then with each batch that carries the track (so at most twice a second); `track` null when it is gone.
 *   In a replay these are the track's latest details, not those of the moment the slider shows;
 * - `alerts`: something a person should look at now (new drone, emergency, a flag raised, a zone entered):
 *   sent as soon as the receiver has taken the frame that raised it, those raised together in one message,
 *   and a burst at most every 100 ms (a thousand drones appearing within a second are a few messages, not
 *   one per frame);
 * - `receiver`: the receiver's own position moved;
 * - `zones`: the zones changed (a drawn zone was saved).
 * Page -> server: `resync` (send a snapshot again), `details` (the track whose details the page shows, null
 * for none: one at a time, kept across resyncs) and `ping`. Nothing the page sends changes what the
 * receiver does; saving a drawn zone is a plain HTTP POST of its own (see server.ts).
 *
 * Version 2: updates carry summaries, not whole tracks (version 1 sent TrackJson everywhere).
 */

import type { TrackJson } from '../../tracker/track-json.js';
import type { TrackAlertKind } from '../../tracker/types.js';
import type { TrackDelta, TrackSummary } from './summary.js';

export type { TrackDelta, TrackSummary } from './summary.js';

export const WEB_PROTOCOL_VERSION = 2;

export interface LatLonAlt {
  lat: number;
  lon: number;
  alt?: number;
}

export interface WebAlert {
  /** Unique within the session, increasing. */
  id: number;
  kind: TrackAlertKind;
  /** The track it is about. */
  key: string;
  uasId: string | null;
  /** Seconds on the frames' clock (the same clock as TrackJson times). */
  t: number;
  /** One line for the banner, in the receiver's words: "emergency declared", "entered zone Stadium (operator)". */
  text: string;
  /** kind 'flag': the flag raised; kind 'zone': the zone's name. */
  flag?: string;
  zone?: string;
  /** kind 'zone': who is inside it. */
  who?: 'drone' | 'operator';
}

export interface HelloMessage {
  type: 'hello';
  version: typeof WEB_PROTOCOL_VERSION;
  /** 'live' for radios and the simulation, 'replay' for a capture or recording. */
  mode: 'live' | 'replay';
  /** What feeds the receiver, for the page's title: "simulated scene", "replay of flight.pcapng", "hci0 + wlan1mon". */
  source: string;
  receiver: LatLonAlt | null;
  /** Zones in force (GeoJSON FeatureCollection of named polygons), or null when none were given. */
  zones: unknown;
  /** Whether a drawn zone can be saved (a --zones file was given). */
  canSaveZones: boolean;
  /** Whether --basemap gave a detailed local map (served at /basemap.pmtiles). */
  basemap: boolean;
  /** Exports the page can ask the receiver for, by their URL under /export/. */
  exports: string[];
}

export interface SnapshotMessage {
  type: 'snapshot';
  /** Seconds, frames' clock. */
  t: number;
  /** Every track, each with its `trail` (the latest positions). */
  tracks: TrackSummary[];
  /** The most recent alerts, oldest first (bounded). */
  alerts: WebAlert[];
}

/** Track changes by `t` (seconds, frames' clock): tracks new to the page whole, the others' changes, the keys gone. */
export interface TrackChanges {
  t: number;
  tracks: TrackSummary[];
  changes: TrackDelta[];
  removed: string[];
}

export interface TracksMessage extends TrackChanges {
  type: 'tracks';
}

/** One moment of a replay's scene: the tracks that changed by `t` (seconds, frames' clock), as they were then. */
export type SceneStep = TrackChanges;

/** Replay only: the moments of the scene since the last message, oldest first (a track at most once per 0.5 s of the scene). */
export interface StepsMessage {
  type: 'steps';
  steps: SceneStep[];
}

/**
 * Replay only, before the first snapshot: the moments of the scene so far (replay-history.ts), from `base`, the
 * scene at `t` (seconds, frames' clock; null: the start, an empty scene). For the page's timeline only: the
 * snapshot that follows is the scene now.
 */
export interface HistoryMessage {
  type: 'history';
  t: number | null;
  base: TrackSummary[];
  steps: SceneStep[];
}

/** The whole of the track the page has open; null once it is no longer tracked (or never was). */
export interface DetailsMessage {
  type: 'details';
  key: string;
  /** Seconds, frames' clock: when it was taken. */
  t: number;
  track: TrackJson | null;
}

export interface AlertsMessage {
  type: 'alerts';
  /** Oldest first. */
  alerts: WebAlert[];
}

/** The zones changed (a zone drawn on a page was saved): every page redraws them. */
export interface ZonesMessage {
  type: 'zones';
  zones: unknown;
}

export interface ReceiverMessage {
  type: 'receiver';
  receiver: LatLonAlt;
}

export type ServerMessage = HelloMessage | HistoryMessage | SnapshotMessage | TracksMessage | StepsMessage | DetailsMessage | AlertsMessage | ReceiverMessage | ZonesMessage;

export type PageMessage = { type: 'resync' } | { type: 'ping' } | { type: 'details'; key: string | null };
