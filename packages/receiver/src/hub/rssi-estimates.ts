/**
 * The hub's RSSI position estimates: on the hub's tick (never per frame), at most once a second for each
 * active track, the latest smoothed RSSI of each receiver that heard it recently and knows its own position
 * (its status), one transport at a time — a BLE advertiser and a Wi-Fi beacon of one drone radiate
 * differently. The transport heard by the most such receivers is fitted (rssi-position.ts); with three or
 * more receivers at three places the estimate goes on the track (Tracker.setEstimate), which checks the
 * track's reported position against it (position-vs-rssi).
 *
 * The same readings calibrate the model (rssi-calibration.ts): a track with a fresh reported position and no
 * spoofing flag gives each receiver that heard it a (distance, RSSI) pair; a track raising a spoofing flag
 * has its pairs forgotten. A track is estimated with its receivers' calibrated models, fitted without its
 * own pairs (those of its addresses on the transport, and their folds'), once three of them have one; until
 * then with the transport's default model.
 *
 * Cost: the hub's loop must not wait for the estimates (every frame queued behind them waits too). An
 * estimate costs about 0.25 ms with 3 receivers and 0.7 ms with 12 (rssi-position.ts; a fold's calibration
 * refit, once every 10 s, about 0.2 ms per receiver), so a tick stops estimating once it has spent
 * TICK_BUDGET_MS and the next goes on with the tracks waiting longest. See TICK_BUDGET_MS for what that
 * bounds.
 *
 * Every estimate goes on the track (the check always uses the latest), but one that did not move
 * meaningfully since the last one handed to the outputs — its centre within MOVED_SHARE of the radius, the
 * radius within RADIUS_CHANGE — and changed no flag makes no track update: a drone known only by its
 * estimate would otherwise send one a second for nothing. An estimate not renewed for ESTIMATE_KEPT_MS
 * (its receivers stopped hearing the drone, or fewer than three do) is taken off the track, so no output
 * shows a drone where it was long ago — and one that sends no position of its own leaves the map.
 */

import { TRANSPORTS, type Transport } from '@odid/codec';
import { distance } from '@odid/position';
import type { Tracker } from '../tracker/tracker.js';
import type { Track, TrackUpdate } from '../tracker/types.js';
import type { HubReceivers } from './receivers.js';
import { PathLossCalibration, type CalibratedReceiver } from './rssi-calibration.js';
import { estimateFromRssi, PATH_LOSS_MODELS, type PathLossModel, type RssiEstimate, type RssiReading } from './rssi-position.js';

/** A receiver's reading counts when it heard the track within this of the tracker's clock. */
export const RECENT_READING_MS = 3000;
/** A track is estimated at most this often (hub clock). */
export const ESTIMATE_EVERY_MS = 1000;
/** How often rid-hub ticks (what the budgets below are a share of). */
export const TICK_EVERY_MS = 100;
/**
 * Wall-clock time a tick spends on estimates before it leaves the rest to the next (at least one estimate
 * each tick, the tracks waiting longest first): at a tick every TICK_EVERY_MS, at most 5 % of a core, and
 * the hub's loop held about 5 ms plus the estimate under way. At 0.7 to 1 ms an estimate (12 receivers),
 * that is 50 to 70 estimates a second: 200 tracks each re-estimated every 3 to 4 s.
 */
export const TICK_BUDGET_MS = 5;
/**
 * When a track has waited longer than this for its turn (half of ESTIMATE_KEPT_MS: an estimate renewed
 * then still has as long again before it would be taken off), ticks spend up to CATCH_UP_BUDGET_MS until
 * none has. 10 % of a core, 100 to 140 estimates a second: rounds stay within this wait up to 500 to 700
 * tracks heard by 12 receivers each. Past that an estimate can lapse before its turn comes round: an
 * overloaded hub sheds estimates, never frames.
 */
export const LONGEST_WAIT_MS = 5000;
export const CATCH_UP_BUDGET_MS = 10;
/** An estimate whose centre moved more than this share of the radius is a change worth an update... */
export const MOVED_SHARE = 0.25;
/** ...and so is one whose radius changed by more than this share. */
export const RADIUS_CHANGE = 0.1;
/** An estimate not renewed for this long (tracker clock) is taken off its track. */
export const ESTIMATE_KEPT_MS = 10_000;

export interface RssiEstimatesOptions {
  recentMs?: number;
  everyMs?: number;
  /** Per tick (TICK_BUDGET_MS), and when a track waited longer than LONGEST_WAIT_MS (CATCH_UP_BUDGET_MS); Infinity: every track that is due, each tick. */
  budgetMs?: number;
  catchUpBudgetMs?: number;
  /** The clock the budget is measured on, ms (default performance.now; tests count with their own). */
  clock?: () => number;
  /** Per transport (default PATH_LOSS_MODELS): until calibrated, and where calibration is off. */
  models?: Readonly<Record<Transport, PathLossModel>>;
  /** The calibration (default: a new one with its defaults); false: the default models alone. */
  calibration?: PathLossCalibration | false;
}

/** One receiver's reading of a track, with the address it heard (the calibration's source). */
interface Heard extends RssiReading {
  readonly address: string;
}

/** What the outputs were last told of a track's estimate. */
interface Published {
  readonly lat: number;
  readonly lon: number;
  readonly radius: number;
}

export class RssiEstimates {
  private readonly recentMs: number;
  private readonly everyMs: number;
  private readonly budgetMs: number;
  private readonly catchUpBudgetMs: number;
  private readonly clock: () => number;
  private readonly models: Readonly<Record<Transport, PathLossModel>>;
  readonly calibration: PathLossCalibration | undefined;
  /** Hub clock of each track's last turn (estimated or not); a new track's is set a turn back, so it is due at once. */
  private readonly turns = new Map<string, number>();
  private readonly published = new Map<string, Published>();
  /** Estimates made so far, those made with calibrated models, and those that made no update (unchanged). */
  made = 0;
  calibrated = 0;
  unchanged = 0;
  /** Ticks that ran out of their budget with tracks still due, those that caught up, and the longest a tick spent (budget clock, ms). */
  deferred = 0;
  caughtUp = 0;
  longestTickMs = 0;

  constructor(
    private readonly tracker: Tracker,
    private readonly receivers: HubReceivers,
    opts: RssiEstimatesOptions = {},
  ) {
    this.recentMs = opts.recentMs ?? RECENT_READING_MS;
    this.everyMs = opts.everyMs ?? ESTIMATE_EVERY_MS;
    this.budgetMs = opts.budgetMs ?? TICK_BUDGET_MS;
    this.catchUpBudgetMs = Math.max(this.budgetMs, opts.catchUpBudgetMs ?? CATCH_UP_BUDGET_MS);
    this.clock = opts.clock ?? (() => performance.now());
    this.models = opts.models ?? PATH_LOSS_MODELS;
    this.calibration = opts.calibration === false ? undefined : (opts.calibration ?? new PathLossCalibration());
  }

  /**
   * At `hubMs`: an estimate for each active track whose turn is due (ESTIMATE_EVERY_MS since its last),
   * those waiting longest first, until the tick's budget is spent; then estimates not renewed for
   * ESTIMATE_KEPT_MS are taken off. Returns the tracks' updates.
   */
  tick(hubMs: number): TrackUpdate[] {
    const began = this.clock();
    const now = this.tracker.now;
    const updates: TrackUpdate[] = [];
    const tracks = this.tracker.tracks();
    const due: { track: Track; turn: number }[] = [];
    for (const track of tracks) {
      if (track.state !== 'active') continue;
      let turn = this.turns.get(track.key);
      if (turn === undefined) this.turns.set(track.key, (turn = hubMs - this.everyMs));
      // A hub clock set back does not hold estimates back until it catches up.
      if (!(hubMs - turn < this.everyMs && hubMs >= turn)) due.push({ track, turn });
    }
    due.sort((a, b) => a.turn - b.turn);
    const catchUp = due.length > 0 && hubMs - due[0]!.turn > LONGEST_WAIT_MS;
    if (catchUp) this.caughtUp++;
    const budget = catchUp ? this.catchUpBudgetMs : this.budgetMs;
    let taken = 0;
    for (; taken < due.length; taken++) {
      if (taken > 0 && this.clock() - began >= budget) break;
      const { track } = due[taken]!;
      this.turns.set(track.key, hubMs);
      const u = this.turn(track, now);
      if (u) updates.push(u);
    }
    if (taken < due.length) this.deferred++;
    // Taken off after the turns, so that one renewed in this tick is not first taken off and then put back.
    for (const track of tracks) {
      if (!track.estimate || !(now - track.estimate.t > ESTIMATE_KEPT_MS)) continue;
      const u = this.tracker.clearEstimate(track.key);
      this.published.delete(track.key);
      if (u) updates.push(u);
    }
    // Tracks gone (forgotten, merged) need no memory of their turn or of what was published.
    if (this.turns.size > tracks.length || this.published.size > tracks.length) {
      const keys = new Set(tracks.map((t) => t.key));
      for (const k of this.turns.keys()) if (!keys.has(k)) this.turns.delete(k);
      for (const k of this.published.keys()) if (!keys.has(k)) this.published.delete(k);
    }
    this.longestTickMs = Math.max(this.longestTickMs, this.clock() - began);
    return updates;
  }

  /** One track's turn: its pairs to the calibration, its estimate when three receivers heard it; the update to hand on. */
  private turn(track: Track, now: number): TrackUpdate | undefined {
    const heard = this.heardOf(track, now);
    if (this.calibration) this.learn(track, heard, now);
    const best = bestTransport(heard);
    if (!best) return undefined;
    const est = this.estimate(track, best.transport, best.readings, now);
    if (!est) return undefined;
    this.made++;
    if (est.calibrated) this.calibrated++;
    const flagsBefore = track.flags;
    const u = this.tracker.setEstimate(track.key, {
      lat: est.lat,
      lon: est.lon,
      radius: est.radius,
      transport: best.transport,
      receivers: est.readings.map((r) => ({ id: r.receiver, rssi: r.rssi })),
      t: now,
    });
    if (!u) return undefined;
    if (this.changed(track.key, est) || u.track.flags !== flagsBefore || u.alerts) {
      this.published.set(track.key, { lat: est.lat, lon: est.lon, radius: est.radius });
      return u;
    }
    this.unchanged++;
    return undefined;
  }

  /** With calibrated models (fitted without the track's own pairs) when three receivers have one, else the default model. */
  private estimate(track: Track, transport: Transport, readings: readonly Heard[], now: number): RssiEstimate | undefined {
    if (this.calibration) {
      // Its pairs for this transport came from its links of this transport (learn): their addresses.
      const own = new Set<string>();
      for (const link of track.links.values()) if (link.transport === transport) own.add(link.address);
      const fitted = new Map<string, CalibratedReceiver>();
      for (const r of readings) {
        const m = this.calibration.model(r.receiver, transport, own, now);
        if (m) fitted.set(r.receiver, m);
      }
      if (fitted.size >= 3) {
        // The drone's own power is one unknown for all its receivers: the widest of their priors.
        const powerSpreadDb = Math.max(...[...fitted.values()].map((m) => m.powerSpreadDb));
        const est = estimateFromRssi(readings, { receivers: fitted, powerSpreadDb });
        if (est) return est;
      }
    }
    return estimateFromRssi(readings, this.models[transport]);
  }

  /** A fresh reported position and no spoofing flag: a pair per receiver; a spoofing flag: its pairs forgotten. */
  private learn(track: Track, heard: ReadonlyMap<Transport, Heard[]>, now: number): void {
    if (track.flags.includes('spoofing-suspect')) {
      this.calibration!.forget(track.addresses);
      return;
    }
    const pos = track.position;
    if (!pos || !(Math.abs(now - pos.t) <= this.recentMs)) return;
    for (const [transport, readings] of heard) {
      for (const r of readings) this.calibration!.add(r.receiver, transport, r.address, distance(pos, r), r.rssi, now);
    }
  }

  /** True when `est` differs meaningfully from what the outputs were last told (or they were told nothing). */
  private changed(key: string, est: RssiEstimate): boolean {
    const was = this.published.get(key);
    if (!was) return true;
    return distance(was, est) > MOVED_SHARE * Math.min(was.radius, est.radius) || Math.abs(est.radius - was.radius) > RADIUS_CHANGE * was.radius;
  }

  /** Per transport, the recent readings of receivers at known places (each receiver's freshest hearing of any link of it). */
  private heardOf(track: Track, now: number): Map<Transport, Heard[]> {
    const out = new Map<Transport, Heard[]>();
    for (const transport of TRANSPORTS) {
      if (!track.transports.has(transport)) continue;
      // Per receiver, its freshest hearing of any link of this transport (a drone may change address).
      const freshest = new Map<string, { rssi: number; at: number; address: string }>();
      for (const link of track.links.values()) {
        if (link.transport !== transport || !link.receivers) continue;
        for (const [id, h] of link.receivers) {
          if (h.rssiSmoothed === undefined || now - h.lastSeen > this.recentMs) continue;
          const had = freshest.get(id);
          if (!had || h.lastSeen > had.at) freshest.set(id, { rssi: h.rssiSmoothed, at: h.lastSeen, address: link.address });
        }
      }
      const readings: Heard[] = [];
      for (const [id, f] of freshest) {
        const r = this.receivers.get(id);
        const p = r?.online ? r.status?.position : undefined;
        if (p) readings.push({ receiver: id, lat: p.lat, lon: p.lon, rssi: f.rssi, address: f.address });
      }
      if (readings.length > 0) out.set(transport, readings);
    }
    return out;
  }
}

/** The transport heard by the most receivers at known places (three at least), and their readings. */
function bestTransport(heard: ReadonlyMap<Transport, Heard[]>): { transport: Transport; readings: Heard[] } | undefined {
  let best: { transport: Transport; readings: Heard[] } | undefined;
  for (const [transport, readings] of heard) {
    if (readings.length >= 3 && (!best || readings.length > best.readings.length)) best = { transport, readings };
  }
  return best;
}
