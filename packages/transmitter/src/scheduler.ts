/**
 * What to send when, on every transport, driven by an injected clock (ASTM F3411 / EN 4709-002 rates):
 * Location at the configured rate (default 2 Hz, so every gap stays well under the 1 s the rules allow),
 * Basic ID, Self-ID, System, Operator ID and authentication pages at least every 3 s.
 *
 * - ble-legacy carries one message per advert: even slots send Location, odd slots rotate through the
 *   static messages; the slot length is chosen so that the rotation completes within 2.4 s (3 s with margin).
 * - the other transports send a message pack each period: Basic IDs, Location, Self-ID, System, Operator
 *   ID, and as many authentication pages as still fit (at most 9 members), in turn.
 * Counters: +1 (mod 256) per transmitted frame, per message type on ble-legacy, per transport for packs.
 *
 * With DRIP (`drip`, drip.ts), the authentication is signed as it goes, each structure in its turn (Link,
 * Wrapper, Manifest, ...): on ble-legacy one structure per rotation, in pages with single-page FEC, built when
 * its first page is due (a Wrapper of the messages just sent, a Manifest of the last ten sent), all its pages
 * under one auth counter value (DRIP groups pages by it); on the packed transports at most one pack a second,
 * never two in a row, carries one structure whole (no FEC in packs) with the messages that still fit: a Link
 * (7 pages) with the DET's Basic ID and Location, an extended Wrapper (5 pages, signing the pack's other
 * members) with four messages, a Manifest of the last five packs (7 pages) with the DET's Basic ID and Location.
 */

import {
  MessageType,
  PACK_MAX_MESSAGES,
  PACK_MAX_PER_TYPE,
  detToText,
  dripTime,
  encodeMessage,
  extendedWrapperMessages,
  splitDripAuth,
  type AuthMessage,
  type BroadcastTransport,
  type SingleMessageInput,
} from '@odid/codec';
import type { Clock, Fix } from '@odid/position';
import { DripAuthor, LEGACY_DRIP_MAX_PAGES, LEGACY_MANIFEST_HASHES, PACK_MANIFEST_HASHES, announcesDet, wrapperMessages, type DripOptions, type DripSigner } from './drip.js';
import type { Identity } from './identity.js';
import { locationMessage, staticMessages, systemMessage, type OperatorPosition } from './messages.js';
import type { Transmission } from './transmission.js';

export interface FixProvider {
  latest(): Fix | undefined;
}

export interface SchedulerOptions {
  identity: Identity;
  transports: readonly BroadcastTransport[];
  position: FixProvider;
  /** Live operator position (identity.system.operatorLocationType 1, "live GNSS"). */
  operator?: FixProvider;
  clock: Clock;
  /** Location messages per second on each transport (default 2). */
  rateHz?: number;
  /** Authentication pages to broadcast in turn (e.g. from splitAuth). */
  authPages?: readonly AuthMessage[];
  /** DRIP authentication, signed as it is sent (not with authPages); the identity must announce the signer's DET (withDripDet). */
  drip?: DripSetup;
  protocolVersion?: number;
}

export interface DripSetup extends DripOptions {
  signer: DripSigner;
}

/** The longest a static message may wait, with margin under the 3 s the rules allow. */
const STATIC_CYCLE_BUDGET_MS = 2400;
/** Fastest legacy advertising this scheduler asks for (Core spec minimum is 20 ms; real stacks want more). */
const MIN_LEGACY_SLOT_MS = 50;
/** Packed transports: a DRIP pack at most this often (one structure each; the Location rate is the pack rate). */
const DRIP_PACK_INTERVAL_MS = 1000;

interface Lane {
  transport: BroadcastTransport;
  periodMs: number;
  nextAt: number;
  slot: number;
  counters: Map<string, number>;
  /** ble-legacy: where the static rotation is, and the authentication pages still to send (with their counter). */
  staticPos: number;
  authDue: boolean;
  authQueue: { message: SingleMessageInput; counter?: number }[];
  /** DRIP: this transport's structures, what it last sent of each kind (ble-legacy) and what it sent lately. */
  drip?: DripAuthor;
  latest: Map<string, Uint8Array>;
  recent: Uint8Array[];
  lastDripPackAt: number;
  lastWasDrip: boolean;
}

export class Scheduler {
  readonly rateHz: number;
  private readonly lanes: Lane[];
  private readonly version: number;
  private readonly statics: ReturnType<typeof staticMessages>;
  private readonly legacyStatics: SingleMessageInput[];
  private takeoff: OperatorPosition | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.rateHz = opts.rateHz ?? 2;
    if (!(this.rateHz >= 1 && this.rateHz <= 10)) throw new RangeError(`rate must be 1..10 location messages per second, got ${opts.rateHz}`);
    if (opts.transports.length === 0) throw new RangeError('at least one transport is needed');
    this.version = opts.protocolVersion ?? 2;
    this.statics = staticMessages(opts.identity, this.version);
    const drip = opts.drip;
    if (drip && opts.authPages?.length) throw new RangeError('authPages and drip: give one kind of authentication');
    if (drip && !announcesDet(opts.identity, drip.signer.uaDet)) {
      throw new RangeError(`the identity does not announce the DRIP DET ${detToText(drip.signer.uaDet)} (a Basic ID of ID type 4, session type 1: withDripDet adds it)`);
    }
    this.legacyStatics = this.legacyRotation();
    const start = opts.clock.now();
    this.lanes = opts.transports.map((transport, i) => ({
      transport,
      periodMs: transport === 'ble-legacy' ? this.legacySlotMs() : 1000 / this.rateHz,
      // A few ms apart, so that transports do not all fire in the same instant.
      nextAt: start + i * 7,
      slot: 0,
      counters: new Map(),
      staticPos: 0,
      authDue: false,
      authQueue: [],
      ...(drip ? { drip: new DripAuthor(drip.signer, drip) } : {}),
      latest: new Map(),
      recent: [],
      lastDripPackAt: start,
      lastWasDrip: false,
    }));
  }

  /** The static messages ble-legacy rotates through, in order; the authentication follows each round. */
  private legacyRotation(): SingleMessageInput[] {
    const s = this.statics;
    return [
      ...s.basicIds,
      ...(s.selfId ? [s.selfId] : []),
      { type: 'system' } as SingleMessageInput, // placeholder: built fresh when sent (operator position, time)
      ...(s.operatorId ? [s.operatorId] : []),
    ];
  }

  /** Slot length for ble-legacy: Location every other slot at the rate, the statics within budget. */
  private legacySlotMs(): number {
    const statics = this.legacyStatics.length + (this.opts.drip ? LEGACY_DRIP_MAX_PAGES : (this.opts.authPages?.length ?? 0));
    const forRate = 1000 / (2 * this.rateHz);
    const forStatics = STATIC_CYCLE_BUDGET_MS / (2 * statics);
    return Math.max(MIN_LEGACY_SLOT_MS, Math.min(forRate, forStatics));
  }

  /** When the next transmission is due (ms since the epoch). */
  nextDue(): number {
    let t = Infinity;
    for (const l of this.lanes) t = Math.min(t, l.nextAt);
    return t;
  }

  /** Every transmission due at or before the clock's now, in time order. */
  due(): Transmission[] {
    const now = this.opts.clock.now();
    const out: Transmission[] = [];
    for (;;) {
      let lane: Lane | undefined;
      for (const l of this.lanes) if (l.nextAt <= now && (!lane || l.nextAt < lane.nextAt)) lane = l;
      if (!lane) break;
      out.push(this.build(lane, lane.nextAt));
      lane.slot++;
      lane.nextAt += lane.periodMs;
    }
    return out;
  }

  private build(lane: Lane, timeMs: number): Transmission {
    if (lane.transport === 'ble-legacy') {
      const next = lane.slot % 2 === 0 ? { message: this.location(timeMs) } : this.nextLegacy(lane, timeMs);
      const message = next.message;
      // One counter per message type; all authentication pages share the auth counter (core-c does too).
      const counter = next.counter ?? this.count(lane, message.type);
      const payload = encodeMessage(message);
      if (lane.drip && message.type !== 'auth') this.sent(lane, payload, LEGACY_MANIFEST_HASHES, true);
      return { transport: lane.transport, timeMs, counter, payload, messageType: message.type };
    }
    if (lane.drip && !lane.lastWasDrip && timeMs - lane.lastDripPackAt >= DRIP_PACK_INTERVAL_MS) return this.dripPack(lane, lane.drip, timeMs);
    lane.lastWasDrip = false;
    const members: SingleMessageInput[] = [...this.statics.basicIds, this.location(timeMs)];
    if (this.statics.selfId) members.push(this.statics.selfId);
    members.push(this.system(timeMs));
    if (this.statics.operatorId) members.push(this.statics.operatorId);
    const pages = this.opts.authPages ?? [];
    const room = Math.min(PACK_MAX_MESSAGES - members.length, PACK_MAX_PER_TYPE.auth, pages.length);
    for (let i = 0; i < room; i++) members.push(pages[(lane.slot * room + i) % pages.length]!);
    return this.pack(lane, timeMs, members);
  }

  private pack(lane: Lane, timeMs: number, members: SingleMessageInput[]): Transmission {
    const payload = encodeMessage({ type: 'messagePack', protocolVersion: this.version, messages: sortByType(members) });
    if (lane.drip) this.sent(lane, payload, PACK_MANIFEST_HASHES, false);
    return { transport: lane.transport, timeMs, counter: this.count(lane, 'pack'), payload };
  }

  /** ble-legacy's odd slots: the statics in turn, and after each round the authentication's pages. */
  private nextLegacy(lane: Lane, timeMs: number): { message: SingleMessageInput; counter?: number } {
    if (lane.authDue) {
      lane.authDue = false;
      if (lane.drip) {
        // One counter value for all pages of one DRIP message: receivers group pages by it.
        const counter = this.count(lane, 'auth');
        lane.authQueue = this.dripLegacyPages(lane, lane.drip, timeMs).map((message) => ({ message, counter }));
      } else {
        lane.authQueue = (this.opts.authPages ?? []).map((message) => ({ message }));
      }
    }
    const page = lane.authQueue.shift();
    if (page) return page;
    const m = this.legacyStatics[lane.staticPos]!;
    lane.staticPos = (lane.staticPos + 1) % this.legacyStatics.length;
    if (lane.staticPos === 0) lane.authDue = true;
    return { message: this.fresh(m, timeMs) };
  }

  /** The pages, with FEC, of the DRIP structure whose turn it is, made of what this lane has just sent. */
  private dripLegacyPages(lane: Lane, drip: DripAuthor, timeMs: number): AuthMessage[] {
    const kind = drip.nextTurn();
    const data =
      kind === 'link' ? drip.link() : kind === 'wrapper' ? drip.wrapper(timeMs, wrapperMessages([...lane.latest.values()]), false) : drip.manifest(timeMs, lane.recent);
    return splitDripAuth(data, { timestamp: dripTime(timeMs), fec: true, protocolVersion: this.version });
  }

  /** A pack carrying the DRIP structure whose turn it is, whole, with the messages that fit beside it. */
  private dripPack(lane: Lane, drip: DripAuthor, timeMs: number): Transmission {
    lane.lastDripPackAt = timeMs;
    lane.lastWasDrip = true;
    const kind = drip.nextTurn();
    const s = this.statics;
    const detId = s.basicIds[Math.max(0, this.opts.identity.basicIds.findIndex((b) => b.idType === 4))]!;
    const location = this.location(timeMs);
    let members: SingleMessageInput[];
    let data: Uint8Array;
    if (kind === 'link') {
      members = [detId, location];
      data = drip.link();
    } else if (kind === 'manifest') {
      members = [detId, location];
      data = drip.manifest(timeMs, lane.recent);
    } else {
      // An extended wrapper signs the pack's other members: the four wrapperMessages picks of what a pack holds.
      const all = [...s.basicIds, location, this.system(timeMs), ...(s.operatorId ? [s.operatorId] : []), ...(s.selfId ? [s.selfId] : [])];
      const bytes = all.map((m) => encodeMessage(m));
      const picked = new Set(wrapperMessages(bytes));
      members = all.filter((_, i) => picked.has(bytes[i]!));
      data = drip.wrapper(timeMs, extendedWrapperMessages([...picked]), true);
    }
    const pages = splitDripAuth(data, { timestamp: dripTime(timeMs), fec: false, protocolVersion: this.version });
    return this.pack(lane, timeMs, [...members, ...pages]);
  }

  /** DRIP: what a lane sent, for its next Wrapper (the latest of each kind) and Manifest (the last `keep`, distinct). */
  private sent(lane: Lane, payload: Uint8Array, keep: number, byKind: boolean): void {
    if (byKind) lane.latest.set(payload[0]! >> 4 === MessageType.basicId ? `0/${payload[1]! >> 4}` : String(payload[0]! >> 4), payload);
    if (lane.recent.some((r) => sameBytes(r, payload))) return;
    lane.recent.push(payload);
    if (lane.recent.length > keep) lane.recent.shift();
  }

  /** System carries the time and the operator position of the moment it is sent. */
  private fresh(m: SingleMessageInput, timeMs: number): SingleMessageInput {
    return m.type === 'system' ? this.system(timeMs) : m;
  }

  private count(lane: Lane, key: string): number {
    const c = lane.counters.get(key) ?? 0;
    lane.counters.set(key, (c + 1) & 0xff);
    return c;
  }

  private location(timeMs: number): SingleMessageInput {
    const fix = this.opts.position.latest();
    this.noteTakeoff(fix);
    return locationMessage(fix, timeMs, this.version);
  }

  /** Take-off location: where the aircraft first had a fix. */
  private noteTakeoff(fix: Fix | undefined): void {
    if (fix && !this.takeoff) this.takeoff = toOperatorPosition(fix);
  }

  private system(timeMs: number): SingleMessageInput {
    return systemMessage(this.opts.identity, this.operatorPosition(timeMs), timeMs, this.version);
  }

  private operatorPosition(timeMs: number): OperatorPosition | undefined {
    const id = this.opts.identity;
    switch (id.system.operatorLocationType) {
      case 1: {
        const f = this.opts.operator?.latest();
        // A live operator position older than a few seconds is no longer live.
        return f && timeMs - f.time <= 3000 ? toOperatorPosition(f) : undefined;
      }
      case 2:
        return id.operatorPosition;
      default:
        this.noteTakeoff(this.opts.position.latest());
        return this.takeoff;
    }
  }
}

const toOperatorPosition = (f: Fix): OperatorPosition => ({
  latitude: f.latitude,
  longitude: f.longitude,
  ...(f.altitudeGeo !== undefined ? { altitudeGeo: f.altitudeGeo } : {}),
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Pack members in message-type order (Basic ID, Location, Auth, Self-ID, System, Operator ID). */
function sortByType(ms: SingleMessageInput[]): SingleMessageInput[] {
  return ms.map((m, i) => ({ m, i })).sort((a, b) => MessageType[a.m.type] - MessageType[b.m.type] || a.i - b.i).map((x) => x.m);
}
