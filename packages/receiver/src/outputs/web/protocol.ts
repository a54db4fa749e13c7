/**
 * What the receiver's web server and the map page say to each other over the WebSocket. Types only: the
 * page (web/, bundled for the browser) imports them as types, so nothing of the server reaches the page.
 *
 * Server -> page, one JSON object per WebSocket text message:
 * - `hello` first, once per connection: what this session is;
 * - `snapshot` next, and again whenever the page asks (`resync`): every track as it is now;
 * - `tracks` afterwards: the tracks that changed, at most twice a second per track (batched), and the keys
 *   of tracks that are gone (merged into another, or forgotten);
 * - `alert`: something a person should look at now (new drone, emergency, a flag raised, a zone entered);
 * - `receiver`: the receiver's own position moved;
 * - `zones`: the zones changed (a drawn zone was saved).
 * Page -> server: only `resync` (send a snapshot again) and `ping`. Nothing the page sends changes what the
 * receiver does; saving a drawn zone is a plain HTTP POST of its own (see server.ts).
 */

import type { TrackJson } from '../../tracker/track-json.js';
import type { TrackAlertKind } from '../../tracker/types.js';

export const WEB_PROTOCOL_VERSION = 1;

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
  tracks: TrackJson[];
  /** The most recent alerts, oldest first (bounded). */
  alerts: WebAlert[];
}

export interface TracksMessage {
  type: 'tracks';
  t: number;
  tracks: TrackJson[];
  removed: string[];
}

export interface AlertMessage {
  type: 'alert';
  alert: WebAlert;
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

export type ServerMessage = HelloMessage | SnapshotMessage | TracksMessage | AlertMessage | ReceiverMessage | ZonesMessage;

export type PageMessage = { type: 'resync' } | { type: 'ping' };
