/**
 * The hub's path-loss model, calibrated from what it already hears. A drone that reports its position gives,
 * every few seconds, one pair per receiver that heard it: x = log10 of the ground distance from the receiver
 * to the reported position, y = the receiver's smoothed RSSI. Per receiver and transport (receivers differ in
 * antenna, cable and radio; transports in power) the pairs of the drones heard lately fit
 *
 *   y = A − 10·n·x + δ_k + ε
 *
 * A: how this receiver reads a typical drone at 1 m; n: the site's exponent; δ_k: drone k's own offset (its
 * power, its antenna); ε: what shadowing and smoothing leave. Robustly:
 * - n: least squares of y on x within each drone (each its own intercept: δ_k is constant along one drone's
 *   pairs, so a drone louder than the others biases nothing), then again without the pairs more than
 *   TRIM_SIGMAS robust σ from their drone's line (a reflection, a fix that was off). The pairs' spread in x
 *   about their drone's mean must reach MIN_SLOPE_SPREAD, and n lie within MIN_EXPONENT..MAX_EXPONENT.
 * - o_k, drone k's median of y + 10·n·x; A, the median of the o_k (each drone one vote, whatever its number
 *   of pairs); s, the drones' power spread, 1.4826 times the o_k's median absolute deviation (a normal
 *   distribution's σ).
 * - σ, the spread of one reading about its drone's line: 1.4826 × the median |y + 10·n·x − o_k|, widened by
 *   √(N / (N − K)) for the K offsets fitted from the same N pairs, then, in quadrature, by the fit's own
 *   uncertainty: the standard error of A (1.2533·s/√K, a median's) and of the slope (its residuals' root
 *   mean square / (spread in x · √K): one drone's pairs are not independent) times the pairs' spread in x.
 *   Never below MIN_SHADOWING_DB; s never below MIN_POWER_SPREAD_DB.
 * rssi-position.ts uses A, n and σ per receiver and s as the prior on the judged drone's unknown δ.
 *
 * Only plausible pairs are taken: a reading and a reported position both within the hub's recent window,
 * a ground distance from MIN_DISTANCE_M (nearer, the drone's height makes the ground distance meaningless) to
 * MAX_DISTANCE_M, a reading no louder than free space allows from a transmitter LOUDEST_ABOVE_TYPICAL_DB above
 * the transport's typical one; never from a track raising a spoofing flag, whose pairs already taken are
 * forgotten (rssi-estimates.ts). A drone never calibrates its own check: the model that judges a track is
 * fitted without the pairs of its addresses (`exclude`), so a spoofer's lies about where it is cannot make
 * its own signal look right. Cross-fitted: drones are dealt into FOLDS folds by a hash of their address,
 * and a track is judged by the fit without its addresses' folds — the same fit for every drone of a fold,
 * so a receiver's model is fitted FOLDS times (plus once per pair of folds a drone's addresses straddle)
 * per REFIT_EVERY_MS, not once per track judged (200 tracks made about 200 fits a receiver), and each fit
 * still holds none of the judged drone's pairs. Until MIN_SOURCES drones outside those folds and MIN_PAIRS
 * pairs are in, there is no model (the default one, with its wide radius, is used).
 *
 * Bounded: at most CAPACITY pairs per receiver and transport, PER_SOURCE per drone (its newest), one per
 * drone every SAMPLE_EVERY_MS (successive smoothed readings are nearly the same one), none older than
 * MAX_AGE_MS, for at most MAX_KEYS receiver-and-transport pairs; fits are remade every REFIT_EVERY_MS. A
 * fit over a full store (640 pairs of 200 drones) takes about 0.2 ms (hub-estimates.bench.ts).
 */

import type { Transport } from '@odid/codec';
import { PATH_LOSS_MODELS, type ReceiverPathLoss } from './rssi-position.js';

/** A receiver's fitted model for a transport, and what it was fitted from. */
export interface CalibratedReceiver extends ReceiverPathLoss {
  /** The drones' power spread s, dB (the prior on a judged drone's own offset). */
  readonly powerSpreadDb: number;
  /** Drones (sources) and pairs it was fitted from. */
  readonly sources: number;
  readonly pairs: number;
}

export interface CalibrationOptions {
  sampleEveryMs?: number;
  refitEveryMs?: number;
  minSources?: number;
  minPairs?: number;
}

/** One drone's pairs are taken at most this often (the RSSI's smoothing time constant is 2 s). */
export const SAMPLE_EVERY_MS = 3000;
/** Pairs kept per receiver and transport, and per drone among them (two minutes of it). */
export const CAPACITY = 640;
export const PER_SOURCE = 40;
/** Pairs older than this are left out: a site changes (a crowd, rain on the leaves). */
const MAX_AGE_MS = 30 * 60_000;
/** Receiver-and-transport pairs calibrated at most (the least recently fed is dropped). */
const MAX_KEYS = 1024;
/** Fits are kept this long: a site's path loss does not change by the second. */
export const REFIT_EVERY_MS = 10_000;
/** A model needs this many drones (besides the one judged) and pairs. */
export const MIN_SOURCES = 4;
export const MIN_PAIRS = 40;
/** The pairs' standard deviation in log10 distance about their drone's mean, for a slope (about 12 % in distance). */
const MIN_SLOPE_SPREAD = 0.05;
/** Pairs farther than this many σ from the first line are left out of the second. */
const TRIM_SIGMAS = 2.5;
/** A fitted exponent outside these is no path loss (a receiver's position wrong, readings mixed up): no model. */
const MIN_EXPONENT = 1.5;
const MAX_EXPONENT = 5;
/** Floors: however well the drones heard agree, a reading is taken as no better than this, nor drones' powers as closer. */
export const MIN_SHADOWING_DB = 1;
export const MIN_POWER_SPREAD_DB = 1;
/** Ground distances taken. */
export const MIN_DISTANCE_M = 100;
const MAX_DISTANCE_M = 20_000;
/** A reading louder than free space allows from a transmitter this far above the transport's typical one is not taken. */
const LOUDEST_ABOVE_TYPICAL_DB = 25;
const RSSI_MIN_DBM = -140;
const RSSI_MAX_DBM = 30;
/**
 * Sources are dealt into this many folds by a hash of their address (foldOf). A fit without one fold's
 * pairs judges the drones of that fold: FOLDS fits per receiver and transport every REFIT_EVERY_MS, each
 * keeping about 7/8 of the drones (with a dozen, one or two are left out, much as leaving out the judged
 * one alone did).
 */
export const FOLDS = 8;
/** A normal distribution's σ from a median absolute deviation; a median's standard error over a mean's. */
const MAD_TO_SIGMA = 1.4826;
const MEDIAN_SE = 1.2533;

/** The fold of a source: FNV-1a of its address, mixed so its low bits spread (a drone's pairs always sit in one fold). */
export function foldOf(source: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 16;
  return (h >>> 0) % FOLDS;
}

interface Pair {
  readonly source: string;
  /** foldOf(source), kept with the pair. */
  readonly fold: number;
  readonly x: number;
  readonly y: number;
  readonly at: number;
}

/** The pairs of one receiver and transport, and their fits. */
class Pairs {
  readonly list: Pair[] = [];
  /** Pairs per source. */
  readonly counts = new Map<string, number>();
  /** When each source last gave a pair. */
  readonly lastSample = new Map<string, number>();
  /** Fits by the folds left out (a bit each); null: not enough to fit. */
  readonly fits = new Map<number, CalibratedReceiver | null>();
  fitsAt = -Infinity;
  fedAt = 0;

  remove(i: number): void {
    const [p] = this.list.splice(i, 1);
    const n = (this.counts.get(p!.source) ?? 1) - 1;
    if (n > 0) this.counts.set(p!.source, n);
    else this.counts.delete(p!.source);
  }
}

export class PathLossCalibration {
  private readonly byKey = new Map<string, Pairs>();
  private readonly sampleEveryMs: number;
  private readonly refitEveryMs: number;
  private readonly minSources: number;
  private readonly minPairs: number;

  constructor(opts: CalibrationOptions = {}) {
    this.sampleEveryMs = opts.sampleEveryMs ?? SAMPLE_EVERY_MS;
    this.refitEveryMs = opts.refitEveryMs ?? REFIT_EVERY_MS;
    this.minSources = Math.max(2, opts.minSources ?? MIN_SOURCES);
    this.minPairs = opts.minPairs ?? MIN_PAIRS;
  }

  /**
   * Receiver `receiver` read `rssi` (smoothed, dBm) at `atMs` from `source` (a drone's address), which
   * reported a position `metres` away on the ground. False when not taken: implausible, or too soon after
   * that drone's last pair.
   */
  add(receiver: string, transport: Transport, source: string, metres: number, rssi: number, atMs: number): boolean {
    if (!Number.isFinite(atMs) || !Number.isFinite(metres) || !Number.isFinite(rssi)) return false;
    if (metres < MIN_DISTANCE_M || metres > MAX_DISTANCE_M || rssi < RSSI_MIN_DBM || rssi > RSSI_MAX_DBM) return false;
    const x = Math.log10(metres);
    if (rssi + 20 * x > PATH_LOSS_MODELS[transport].referenceDbm + LOUDEST_ABOVE_TYPICAL_DB) return false;
    const key = `${receiver}\u0000${transport}`;
    let pairs = this.byKey.get(key);
    if (!pairs) {
      if (this.byKey.size >= MAX_KEYS) this.dropLeastFed();
      this.byKey.set(key, (pairs = new Pairs()));
    }
    const last = pairs.lastSample.get(source);
    if (last !== undefined && atMs - last < this.sampleEveryMs && atMs >= last) return false;
    pairs.fedAt = atMs;
    while (pairs.list.length > 0 && pairs.list[0]!.at < atMs - MAX_AGE_MS) pairs.remove(0);
    if ((pairs.counts.get(source) ?? 0) >= PER_SOURCE) pairs.remove(pairs.list.findIndex((p) => p.source === source));
    else if (pairs.list.length >= CAPACITY) pairs.remove(0);
    pairs.list.push({ source, fold: foldOf(source), x, y: rssi, at: atMs });
    pairs.counts.set(source, (pairs.counts.get(source) ?? 0) + 1);
    pairs.lastSample.set(source, atMs);
    // Sources whose pairs are all gone need no sampling time.
    if (pairs.lastSample.size > 4 * CAPACITY) for (const s of pairs.lastSample.keys()) if (!pairs.counts.has(s)) pairs.lastSample.delete(s);
    return true;
  }

  /** Forgets every pair of these sources (a track found spoofing): its lies stop counting now. */
  forget(sources: Iterable<string>): void {
    const gone = new Set(sources);
    for (const pairs of this.byKey.values()) {
      if (![...gone].some((s) => pairs.counts.has(s))) continue;
      for (let i = pairs.list.length - 1; i >= 0; i--) if (gone.has(pairs.list[i]!.source)) pairs.remove(i);
      pairs.fits.clear();
    }
  }

  /**
   * The model of `receiver` for `transport` at `nowMs`, fitted without the pairs of the `exclude` sources
   * (the judged track's addresses) and of every other source in their folds (foldOf); undefined until
   * there are enough others. No source excluded: the fit of every pair.
   */
  model(receiver: string, transport: Transport, exclude: ReadonlySet<string>, nowMs: number): CalibratedReceiver | undefined {
    const pairs = this.byKey.get(`${receiver}\u0000${transport}`);
    if (!pairs) return undefined;
    if (!(nowMs - pairs.fitsAt < this.refitEveryMs && nowMs >= pairs.fitsAt)) {
      pairs.fits.clear();
      pairs.fitsAt = nowMs;
    }
    let out = 0;
    for (const s of exclude) out |= 1 << foldOf(s);
    let fit = pairs.fits.get(out);
    if (fit === undefined) {
      fit = fitPairs(pairs.list.filter((p) => !(out & (1 << p.fold)) && p.at >= nowMs - MAX_AGE_MS), this.minSources, this.minPairs) ?? null;
      pairs.fits.set(out, fit);
    }
    return fit ?? undefined;
  }

  /** Pairs held for a receiver and transport (tests and the hub's closing figures). */
  pairsOf(receiver: string, transport: Transport): number {
    return this.byKey.get(`${receiver}\u0000${transport}`)?.list.length ?? 0;
  }

  private dropLeastFed(): void {
    let oldest: string | undefined;
    let at = Infinity;
    for (const [k, p] of this.byKey) {
      if (p.fedAt < at) {
        at = p.fedAt;
        oldest = k;
      }
    }
    if (oldest !== undefined) this.byKey.delete(oldest);
  }
}

/** The fit of the file's header over `pairs`; undefined when they are too few or do not make a path loss. */
function fitPairs(pairs: readonly Pair[], minSources: number, minPairs: number): CalibratedReceiver | undefined {
  const n = pairs.length;
  if (n < minPairs) return undefined;
  // Typed arrays, each pair's drone by number (0..k−1): a fit is remade for every fold of every receiver.
  const sourceIndex = new Map<string, number>();
  const of = new Int32Array(n);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = pairs[i]!;
    let s = sourceIndex.get(p.source);
    if (s === undefined) sourceIndex.set(p.source, (s = sourceIndex.size));
    of[i] = s;
    xs[i] = p.x;
    ys[i] = p.y;
  }
  const k = sourceIndex.size;
  if (k < minSources) return undefined;
  const set: PairSet = { xs, ys, of, sources: k };

  // The exponent: least squares within each drone, then again without the pairs beyond TRIM_SIGMAS of
  // their drone's line (a reflection, a fix that was off).
  const first = withinSlope(set, undefined);
  if (!first) return undefined;
  const misfit = new Float64Array(n);
  for (let i = 0; i < n; i++) misfit[i] = Math.abs(first.residuals[i]!);
  const about = MAD_TO_SIGMA * medianInPlace(misfit.slice());
  const limit = TRIM_SIGMAS * Math.max(MIN_SHADOWING_DB, about);
  const kept = new Uint8Array(n);
  for (let i = 0; i < n; i++) kept[i] = misfit[i]! <= limit ? 1 : 0;
  const line = withinSlope(set, kept);
  if (!line) return undefined;
  const exponent = -line.slope / 10;
  if (!(exponent >= MIN_EXPONENT && exponent <= MAX_EXPONENT)) return undefined;
  // Pairs of one drone are not independent (the ground it flies over): K drones, not N pairs.
  const slopeSe = line.rms / (line.sdX * Math.sqrt(k));

  // Each drone's offset, the reference, the drones' spread; the readings' spread about their drone's line.
  // The pairs in drone order (a counting sort), so each drone's values are one stretch of `v`.
  const starts = new Int32Array(k + 1);
  for (let i = 0; i < n; i++) starts[of[i]! + 1]!++;
  for (let s = 0; s < k; s++) starts[s + 1]! += starts[s]!;
  const next = starts.slice(0, k);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[next[of[i]!]!++] = ys[i]! + 10 * exponent * xs[i]!;
  const offsets = new Float64Array(k);
  const residuals = new Float64Array(n);
  for (let s = 0; s < k; s++) {
    const own = v.subarray(starts[s]!, starts[s + 1]!);
    const o = medianInPlace(own.slice());
    offsets[s] = o;
    for (let i = starts[s]!; i < starts[s + 1]!; i++) residuals[i] = Math.abs(v[i]! - o);
  }
  const reference = medianInPlace(offsets.slice());
  for (let s = 0; s < k; s++) offsets[s] = Math.abs(offsets[s]! - reference);
  const spread = MAD_TO_SIGMA * medianInPlace(offsets);
  const within = MAD_TO_SIGMA * medianInPlace(residuals) * Math.sqrt(n / Math.max(1, n - k));
  const referenceSe = (MEDIAN_SE * spread) / Math.sqrt(k);
  // A slope off by slopeSe misplaces a reading by that much per decade from the pairs' middle distance.
  let mx = 0;
  for (let i = 0; i < n; i++) mx += xs[i]!;
  mx /= n;
  let sxx = 0;
  for (let i = 0; i < n; i++) sxx += (xs[i]! - mx) ** 2;
  const sdX = Math.sqrt(sxx / n);
  const shadowingDb = Math.max(MIN_SHADOWING_DB, Math.hypot(within, referenceSe, slopeSe * sdX));
  const powerSpreadDb = Math.max(MIN_POWER_SPREAD_DB, spread);
  if (!Number.isFinite(reference) || !Number.isFinite(shadowingDb) || !Number.isFinite(powerSpreadDb)) return undefined;
  return { referenceDbm: reference, exponent, shadowingDb, powerSpreadDb, sources: k, pairs: n };
}

/** Pairs as the fit reads them: x, y and the drone's number of each, and how many drones. */
interface PairSet {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly of: Int32Array;
  readonly sources: number;
}

interface Line {
  readonly slope: number;
  /** Each pair's misfit about its drone's line (every pair's, those left out too). */
  readonly residuals: Float64Array;
  /** The pairs' standard deviation in x about their drone's mean, and the residuals' root mean square. */
  readonly sdX: number;
  readonly rms: number;
}

/**
 * The least-squares slope of y on x within each drone (each its own intercept: a drone's power does not bias
 * the slope), over the pairs `kept` (all when undefined). Undefined when the distances within drones spread
 * too little (MIN_SLOPE_SPREAD) or there are too few pairs.
 */
function withinSlope({ xs, ys, of, sources }: PairSet, kept: Uint8Array | undefined): Line | undefined {
  const all = xs.length;
  const count = new Float64Array(sources);
  const sumX = new Float64Array(sources);
  const sumY = new Float64Array(sources);
  let n = 0;
  for (let i = 0; i < all; i++) {
    if (kept && !kept[i]) continue;
    n++;
    count[of[i]!]!++;
    sumX[of[i]!]! += xs[i]!;
    sumY[of[i]!]! += ys[i]!;
  }
  if (n < 3) return undefined;
  let drones = 0;
  for (let s = 0; s < sources; s++) {
    if (count[s]! === 0) continue;
    drones++;
    sumX[s]! /= count[s]!;
    sumY[s]! /= count[s]!;
  }
  // sumX, sumY now hold each drone's means.
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < all; i++) {
    if (kept && !kept[i]) continue;
    const dx = xs[i]! - sumX[of[i]!]!;
    sxx += dx * dx;
    sxy += dx * (ys[i]! - sumY[of[i]!]!);
  }
  const sdX = Math.sqrt(sxx / n);
  if (!(sdX >= MIN_SLOPE_SPREAD)) return undefined;
  const slope = sxy / sxx;
  const residuals = new Float64Array(all);
  let ss = 0;
  for (let i = 0; i < all; i++) {
    const r = ys[i]! - sumY[of[i]!]! - slope * (xs[i]! - sumX[of[i]!]!);
    residuals[i] = r;
    if (!kept || kept[i]) ss += r * r;
  }
  return { slope, residuals, sdX, rms: Math.sqrt(ss / Math.max(1, n - drones - 1)) };
}

/** The median (the mean of the middle two of an even count); sorts `values`. */
function medianInPlace(values: Float64Array): number {
  values.sort();
  const m = values.length >> 1;
  return values.length % 2 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}
