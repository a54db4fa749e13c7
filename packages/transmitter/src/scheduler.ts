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
 */

import { MessageType, PACK_MAX_MESSAGES, PACK_MAX_PER_TYPE, encodeMessage, type AuthMessage, type BroadcastTransport, type SingleMessageInput } from '@odid/codec';
import type { Clock, Fix } from '@odid/position';
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
  protocolVersion?: number;
}

/** The longest a static message may wait, with margin under the 3 s the rules allow. */
const STATIC_CYCLE_BUDGET_MS = 2400;
/** Fastest legacy advertising this scheduler asks for (Core spec minimum is 20 ms; real stacks want more). */
const MIN_LEGACY_SLOT_MS = 50;

interface Lane {
  transport: BroadcastTransport;
  periodMs: number;
  nextAt: number;
  slot: number;
  counters: Map<string, number>;
}

export class Scheduler {
  readonly rateHz: number;
  private readonly lanes: Lane[];
  private readonly version: number;
  private readonly statics: ReturnType<typeof staticMessages>;
  private takeoff: OperatorPosition | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.rateHz = opts.rateHz ?? 2;
    if (!(this.rateHz >= 1 && this.rateHz <= 10)) throw new RangeError(`rate must be 1..10 location messages per second, got ${opts.rateHz}`);
    if (opts.transports.length === 0) throw new RangeError('at least one transport is needed');
    this.version = opts.protocolVersion ?? 2;
    this.statics = staticMessages(opts.identity, this.version);
    const start = opts.clock.now();
    this.lanes = opts.transports.map((transport, i) => ({
      transport,
      periodMs: transport === 'ble-legacy' ? this.legacySlotMs() : 1000 / this.rateHz,
      // A few ms apart, so that transports do not all fire in the same instant.
      nextAt: start + i * 7,
      slot: 0,
      counters: new Map(),
    }));
  }

  /** The static messages ble-legacy rotates through, in order. */
  private legacyRotation(): SingleMessageInput[] {
    const s = this.statics;
    return [
      ...s.basicIds,
      ...(s.selfId ? [s.selfId] : []),
      { type: 'system' } as SingleMessageInput, // placeholder: built fresh when sent (operator position, time)
      ...(s.operatorId ? [s.operatorId] : []),
      ...(this.opts.authPages ?? []),
    ];
  }

  /** Slot length for ble-legacy: Location every other slot at the rate, the statics within budget. */
  private legacySlotMs(): number {
    const statics = this.legacyRotation().length;
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
      const message = lane.slot % 2 === 0 ? this.location(timeMs) : this.fresh(this.rotationAt((lane.slot - 1) / 2), timeMs);
      // One counter per message type; all authentication pages share the auth counter (core-c does too).
      const counter = this.count(lane, message.type);
      return { transport: lane.transport, timeMs, counter, payload: encodeMessage(message), messageType: message.type };
    }
    const members: SingleMessageInput[] = [...this.statics.basicIds, this.location(timeMs)];
    if (this.statics.selfId) members.push(this.statics.selfId);
    members.push(this.system(timeMs));
    if (this.statics.operatorId) members.push(this.statics.operatorId);
    const pages = this.opts.authPages ?? [];
    const room = Math.min(PACK_MAX_MESSAGES - members.length, PACK_MAX_PER_TYPE.auth, pages.length);
    for (let i = 0; i < room; i++) members.push(pages[(lane.slot * room + i) % pages.length]!);
    const payload = encodeMessage({ type: 'messagePack', protocolVersion: this.version, messages: sortByType(members) });
    return { transport: lane.transport, timeMs, counter: this.count(lane, 'pack'), payload };
  }

  private rotationAt(i: number): SingleMessageInput {
    const rotation = this.legacyRotation();
    return rotation[i % rotation.length]!;
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

/** Pack members in message-type order (Basic ID, Location, Auth, Self-ID, System, Operator ID). */
function sortByType(ms: SingleMessageInput[]): SingleMessageInput[] {
  return ms.map((m, i) => ({ m, i })).sort((a, b) => MessageType[a.m.type] - MessageType[b.m.type] || a.i - b.i).map((x) => x.m);
}
