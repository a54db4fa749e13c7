/**
 * Cursor-on-Target events for ATAK / WinTAK / iTAK: one event per drone and a separate one for its operator,
 * built to the CoT base schema (MITRE Event.xsd, version 2.0: event with version/type/uid/time/start/stale/how,
 * exactly one point with lat/lon/hae/ce/le as plain decimals, an optional free-form detail).
 *
 * Types (MIL-STD-2525 paths as CoT spells them; 'u' = unknown affiliation, since a receiver cannot know whose
 * drone it hears):
 * - drone: `a-u-A-M-H-Q` (air, rotary wing, UAV); `a-u-A-M-F-Q` (fixed wing UAV) when the Basic ID's UA type
 *   is 1 (aeroplane). This is what Remote ID CoT gateways use (DroneCOT's default UAS type is a-u-A-M-H-Q).
 * - operator: `a-u-G` (unknown ground point), as DroneCOT does; a friendly type (a-f-...) would claim an
 *   affiliation nobody established.
 *
 * point: hae is the Remote ID geodetic altitude (WGS-84 HAE, what CoT wants); ce/le are the Location
 * accuracy bounds (95 %) converted to one sigma (÷2.45 horizontal, ÷1.96 vertical); unknown values are
 * CoT's 9999999.0. uid: `<prefix><UAS ID>` (the operator: `...-operator`), so the same drone keeps its icon
 * across restarts. A track that turns lost is sent once more with stale = time, which retires its icon.
 */

import { ALTITUDE_UNKNOWN, accuracyBound, ToolkitError, uaTypeName } from '@odid/codec';
import type { Track, TrackAlert, TrackUpdate } from '../tracker/types.js';
import type { CotSender } from './cot-send.js';
import type { TrackOutput } from './types.js';
import { decimal, escapeXml, isoTime } from './xml.js';

export const COT_TYPE_UAV_ROTARY = 'a-u-A-M-H-Q';
export const COT_TYPE_UAV_FIXED_WING = 'a-u-A-M-F-Q';
export const COT_TYPE_OPERATOR = 'a-u-G';
/** CoT's "unknown" for hae, ce and le. */
export const COT_UNKNOWN = 9_999_999;

export interface CotOptions {
  /** Seconds an event stays valid (default 30, the tracker's lost time). */
  staleSeconds?: number;
  /** uid prefix (default "odid-"). */
  uidPrefix?: string;
  /** Override the drone type (default by UA type, see above). */
  droneType?: string;
  operatorType?: string;
}

/** 95 % radius of a circular normal distribution in sigmas, and the 95 % two-sided bound of a normal one. */
const CIRCULAR_95 = 2.4477;
const LINEAR_95 = 1.96;
const UA_TYPE_AEROPLANE = 1;

export interface CotEvent {
  uid: string;
  type: string;
  /** The XML declaration and the event. */
  xml: string;
}

/** The CoT uid of a track's drone; its operator's adds "-operator". */
export const cotUid = (track: Track, prefix = 'odid-'): string => `${prefix}${track.uasId ?? track.key}`;

/**
 * The events of one track at `nowMs` (tracker clock): the drone's when its position is known, the operator's
 * when that is known. A lost track's events expire at once. The remarks say whether the track is authorised
 * (allow-list) and which zones its drone and operator are in; the drone's also start with the zone alerts
 * of `alerts` (the update's: "ALERT operator entered zone Stadium"). Other alerts add nothing: the new icon
 * and the FLAGS remark already say them.
 */
export function trackToCot(track: Track, nowMs: number, opts: CotOptions = {}, alerts?: readonly TrackAlert[]): CotEvent[] {
  const events: CotEvent[] = [];
  const time = isoTime(nowMs);
  const stale = isoTime(track.state === 'lost' ? nowMs : nowMs + (opts.staleSeconds ?? 30) * 1000);
  const uid = cotUid(track, opts.uidPrefix);
  const callsign = track.uasId ?? track.key;
  if (track.position) {
    const p = track.position;
    const loc = track.location;
    const hae = loc && loc.altitudeGeo !== ALTITUDE_UNKNOWN ? loc.altitudeGeo : p.alt;
    // The Location accuracy classes' upper bounds, in metres.
    const ce = loc ? accuracyBound('horizontal', loc.horizAccuracy) : undefined;
    const le = loc ? accuracyBound('vertical', loc.vertAccuracy) : undefined;
    const type = opts.droneType ?? (track.uaType === UA_TYPE_AEROPLANE ? COT_TYPE_UAV_FIXED_WING : COT_TYPE_UAV_ROTARY);
    let detail = `<contact callsign="${escapeXml(callsign)}"/>`;
    if (p.course !== undefined || p.speed !== undefined) {
      detail += `<track course="${decimal(p.course ?? 0, 1)}" speed="${decimal(p.speed ?? 0, 2)}"/>`;
    }
    detail += `<remarks>${escapeXml(droneRemarks(track, alerts))}</remarks>`;
    events.push({
      uid,
      type,
      xml: event({ uid, type, time, stale, lat: p.lat, lon: p.lon, hae, ce: ce && ce / CIRCULAR_95, le: le && le / LINEAR_95, detail }),
    });
  }
  if (track.operator) {
    const o = track.operator;
    const opUid = `${uid}-operator`;
    const type = opts.operatorType ?? COT_TYPE_OPERATOR;
    const remarks =
      `Operator of ${callsign} (position: ${o.source})${track.operatorId ? `; operator ID ${track.operatorId.operatorId}` : ''}` +
      (track.operatorZones.length ? `; in zone ${track.operatorZones.join(', ')}` : '');
    const detail = `<contact callsign="${escapeXml(`${callsign} operator`)}"/><remarks>${escapeXml(remarks)}</remarks>`;
    events.push({ uid: opUid, type, xml: event({ uid: opUid, type, time, stale, lat: o.lat, lon: o.lon, hae: o.alt, detail }) });
  }
  return events;
}

interface EventParts {
  uid: string;
  type: string;
  time: string;
  stale: string;
  lat: number;
  lon: number;
  hae: number | undefined;
  ce?: number | undefined;
  le?: number | undefined;
  detail: string;
}

function event(e: EventParts): string {
  const num = (v: number | undefined, digits: number): string => decimal(v ?? COT_UNKNOWN, v === undefined ? 1 : digits);
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
    `<event version="2.0" uid="${escapeXml(e.uid)}" type="${escapeXml(e.type)}" how="m-g" time="${e.time}" start="${e.time}" stale="${e.stale}">` +
    `<point lat="${decimal(e.lat, 7)}" lon="${decimal(e.lon, 7)}" hae="${num(e.hae, 1)}" ce="${num(e.ce, 1)}" le="${num(e.le, 1)}"/>` +
    `<detail>${e.detail}</detail></event>`
  );
}

function droneRemarks(t: Track, alerts: readonly TrackAlert[] | undefined): string {
  const parts: string[] = [];
  for (const a of alerts ?? []) if (a.kind === 'zone') parts.push(`ALERT ${a.text}`);
  parts.push(`Remote ID ${t.uasId ?? '(no ID yet)'}`);
  if (t.uaType !== undefined) parts.push(`UA ${uaTypeName(t.uaType) ?? t.uaType}`);
  if (t.operatorId) parts.push(`operator ID ${t.operatorId.operatorId}`);
  if (t.selfId?.desc) parts.push(`self-ID "${t.selfId.desc}"`);
  if (t.location && t.location.height !== ALTITUDE_UNKNOWN) parts.push(`height ${t.location.height} m`);
  if (t.flags.length) parts.push(`FLAGS ${t.flags.join(', ')}`);
  // The evidence of each spoofing flag raised, in the tracker's words.
  for (const e of t.spoofing) if (t.flags.includes(e.flag)) parts.push(`SPOOFING ${e.flag}: ${e.detail}`);
  if (t.authorised) parts.push(`AUTHORISED${t.allowedBy?.note ? ` (${t.allowedBy.note})` : ''}`);
  if (t.zones.length) parts.push(`in zone ${t.zones.join(', ')}`);
  if (t.operatorZones.length) parts.push(`operator in zone ${t.operatorZones.join(', ')}`);
  parts.push(`via ${[...t.transports].join(', ')}`);
  return parts.join('; ');
}

export interface CotOutputOptions extends CotOptions {
  /** Least time between two events of one track (tracker clock; default 1000 ms). State and flag changes, and zone alerts, always go. */
  minIntervalMs?: number;
  /** Told about send failures, as ToolkitError 'send-failed' (default: they are dropped; CoT is fire-and-forget). */
  onError?: (error: ToolkitError) => void;
}

/**
 * Track updates -> CoT events on a sender, at most one per track per minIntervalMs. A send that fails is
 * told to onError, never thrown at the writer; after close() a write is refused (ToolkitError 'closed').
 */
export function createCotOutput(sender: CotSender, opts: CotOutputOptions = {}): TrackOutput {
  const minInterval = opts.minIntervalMs ?? 1000;
  const lastSent = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  let closed = false;
  const send = (xml: string): void => {
    // The socket's own words stay the message (the CLI quotes them); the code says what kind of failure it is.
    const typed = (e: unknown): ToolkitError => (e instanceof ToolkitError ? e : new ToolkitError('send-failed', e instanceof Error ? e.message : String(e), { cause: e }));
    const p = sender.send(xml).catch((e: unknown) => opts.onError?.(typed(e)));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  return {
    write(update: TrackUpdate) {
      if (closed) throw new ToolkitError('closed', 'CoT output is closed');
      for (const key of update.merged ?? []) lastSent.delete(key);
      const key = update.track.key;
      const last = lastSent.get(key);
      const zoneAlert = update.alerts?.some((a) => a.kind === 'zone') ?? false;
      const due = update.reason !== 'updated' || zoneAlert || last === undefined || update.at - last >= minInterval || update.at < last;
      if (!due) return;
      lastSent.set(key, update.at);
      for (const e of trackToCot(update.track, update.at, opts, update.alerts)) send(e.xml);
    },
    async close() {
      closed = true;
      await Promise.all([...pending]);
      await sender.close();
    },
  };
}
