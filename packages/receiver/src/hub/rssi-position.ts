/**
 * Where a drone is, from how loud several receivers at known places hear it: a log-distance path-loss
 * model, RSSI = P0 − 10·n·log10(d / 1 m), fitted by weighted least squares over a grid in local east/north
 * metres. Every grid point is weighed by its likelihood, exp(−cost/2); the estimate is their weighted mean,
 * and the radius the circle about it that holds CONFIDENCE (99 %) of the weight — widened when the best fit
 * misfits more than the noise explains (readings that disagree: a reflection, a receiver's wrong position),
 * never below MIN_RADIUS_M. 99 %, not 95 %: the same radius is the position-vs-rssi check's limit, asked
 * about every track every second, and an honest drone must not be flagged one estimate in twenty.
 * Distances are on the ground: a drone 100 m up over a receiver reads as about 100 m away from it.
 *
 * Two models:
 * - Default (PATH_LOSS_MODELS, until calibrated): the drone's RSSI at 1 m, P0, is fitted too, held near the
 *   transport's typical value by a prior of ±6 dB (makers differ, and so do receivers' antennas and cables);
 *   the exponent n is unknown within 2 to 3, every point taking the best of the range. With so much unknown,
 *   readings alike at three receivers fit "farther out" nearly as well as "amid them", and a drone among
 *   three receivers a kilometre apart gets a radius of about two kilometres. Crude, and the radius says so.
 * - Calibrated (rssi-calibration.ts): once the hub has heard enough other drones that report positions, each
 *   receiver has its own fitted reference A_i (its antenna and cable included) and exponent n_i for the
 *   transport, and a measured spread σ_i of its readings about them; what stays unknown is the drone's own
 *   offset δ from a typical drone, held by a prior of the measured drone-to-drone spread s. At a grid point,
 *   with a_i = RSSI_i − A_i + 10·n_i·log10(d_i) (what reading i says δ is) and w_i = 1/σ_i², the cost
 *   minimised over δ is in closed form: δ* = Σ w_i·a_i / (Σ w_i + 1/s²), cost = Σ w_i·a_i² − δ*·Σ w_i·a_i.
 *   The radius is then what the measured noise allows: a few hundred metres where the default gives two
 *   kilometres (with three receivers δ is one of three unknowns, so s matters as much as σ).
 *
 * Pure and bounded: at most MAX_RECEIVERS readings, two fixed grids; odd input (NaN, receivers at one place,
 * fewer than three places) gives undefined, never an exception.
 *
 * Cost: one log per grid point and reading, 41² + 51² points: about 0.25 ms with 3 readings and 0.7 ms with
 * 12 (hub-estimates.bench.ts; a shared 2-core machine). The hub makes one per track every second or few
 * (rssi-estimates.ts), on the loop that takes every frame: its grids were 81² + 61² points, a log10 and a
 * hypot each, 3 ms an estimate, and 100 of them held the loop for a third of a second.
 */

import type { Transport } from '@odid/codec';

/** One receiver's reading of a drone. */
export interface RssiReading {
  /** The receiver's ID. */
  readonly receiver: string;
  /** Where the receiver is. */
  readonly lat: number;
  readonly lon: number;
  /** dBm (smoothed: the link's time constant). */
  readonly rssi: number;
}

/** One receiver's path loss for one transport, fitted from the drones it heard (rssi-calibration.ts). */
export interface ReceiverPathLoss {
  /** RSSI at 1 m from a typical drone, as this receiver reads it (its antenna and cable included), dBm. */
  readonly referenceDbm: number;
  readonly exponent: number;
  /** Standard deviation of one of its smoothed readings about the model, the fit's own uncertainty included, dB. */
  readonly shadowingDb: number;
}

/** Calibrated models of the receivers (by ID; readings of others are left out) and the drones' power spread. */
export interface CalibratedPathLoss {
  readonly receivers: ReadonlyMap<string, ReceiverPathLoss>;
  /** Standard deviation of a drone's own RSSI at 1 m about the typical drone's, dB: the prior on δ. */
  readonly powerSpreadDb: number;
}

/** A path-loss model of one transport. */
export interface PathLossModel {
  /** Typical RSSI at 1 m from a drone of this transport, dBm. */
  readonly referenceDbm: number;
  /** How far a drone's own RSSI at 1 m may be from referenceDbm: the prior's standard deviation, dB. */
  readonly referenceSpreadDb: number;
  /** The exponents tried, free space (2) to cluttered ground (3). */
  readonly exponents: readonly number[];
  /** Standard deviation of shadowing, dB. */
  readonly shadowingDb: number;
}

const EXPONENTS = [2, 2.25, 2.5, 2.75, 3] as const;

/**
 * Per transport. RSSI at 1 m is the EIRP less 40 dB (free-space loss over 1 m at 2.4 GHz) less a few dB of
 * receiver antenna and cable: BLE legacy advertisers radiate about 0 to +10 dBm (−45 dBm at 1 m), BLE 5
 * Long Range gains about 9 dB from coding (−36 dBm), Wi-Fi beacons and NAN about +15 to +20 dBm (−30 dBm),
 * DJI DroneID about the same; one maker's drone is within about 6 dB of that. Exponents from 2 (a drone in
 * the open sky) to 3 (over bodies and cars). A single frame's reading is off by about 6 dB outdoors; the
 * smoothed RSSI the hub uses averages the fast fading of several frames away, leaving about 4 dB.
 */
export const PATH_LOSS_MODELS: Readonly<Record<Transport, PathLossModel>> = {
  'ble-legacy': { referenceDbm: -45, referenceSpreadDb: 6, exponents: EXPONENTS, shadowingDb: 4 },
  'ble-extended': { referenceDbm: -36, referenceSpreadDb: 6, exponents: EXPONENTS, shadowingDb: 4 },
  'wifi-beacon': { referenceDbm: -30, referenceSpreadDb: 6, exponents: EXPONENTS, shadowingDb: 4 },
  'wifi-nan': { referenceDbm: -30, referenceSpreadDb: 6, exponents: EXPONENTS, shadowingDb: 4 },
  'dji-wifi': { referenceDbm: -30, referenceSpreadDb: 6, exponents: EXPONENTS, shadowingDb: 4 },
};

export interface RssiEstimate {
  readonly lat: number;
  readonly lon: number;
  /** Metres: the 99 % region of the fit, as a circle about (lat, lon). */
  readonly radius: number;
  /** The readings used, strongest first. */
  readonly readings: readonly RssiReading[];
  /** Made with calibrated receiver models (else the transport's default model). */
  readonly calibrated: boolean;
}

/** Readings used at most (the strongest): more add little and cost a grid pass each. */
export const MAX_RECEIVERS = 12;
/** Receivers closer than this count as one place (the geometry needs three places). */
const SAME_PLACE_M = 1;
/** RSSI beyond these is no radio reading. */
const RSSI_MIN_DBM = -140;
const RSSI_MAX_DBM = 30;
/** No radius smaller: RSSI ranging cannot do better, whatever the fit says. */
export const MIN_RADIUS_M = 30;
/** The grid reaches this far from the receivers' centre at most (a drone heard by all of them is nearer). */
const MAX_HALF_SIZE_M = 10_000;
const MIN_HALF_SIZE_M = 500;
/**
 * The grid reaches this many times the receivers' spread from their centre: a drone every one of them hears
 * is seldom farther out, and readings that are all alike fit "far away in any direction" about as well as
 * anything, so the grid's edge is the prior that keeps the region finite.
 */
const HALF_SIZE_PER_SPREAD = 2;
/**
 * Grid points per side: coarse over the whole area (it only has to find the region: the fine grid covers
 * it with a coarse cell more on every side), fine over the region it found. The former 81 and 61 gave
 * radii 1 to 5 % smaller, the 99 % circle holding the drone as often (the tests' trials), for 2.4 times
 * the cost.
 */
const COARSE = 41;
const FINE = 51;
/** The share of the probability the radius holds (see the header: why not 95 %). */
const CONFIDENCE = 0.99;
/** χ² with 2 degrees of freedom at 99.9 %: points beyond it are ruled out of the fine grid. */
const CHI2_2DOF_999 = 13.8;

const EARTH_M = 6_371_008.8;
const RAD = Math.PI / 180;
/** log10 of a distance from the natural log of its square (Math.log is the cheaper of the two). */
const HALF_LOG10E = 0.5 * Math.LOG10E;

/** What the cost at a grid point depends on: the receivers' places and readings, and the model. */
interface Fit {
  /** East and north metres of each receiver, and its RSSI. */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly rssi: Float64Array;
  readonly model: DefaultFit | CalibratedFit;
}

/** The default model's fit (costOf). */
interface DefaultFit {
  readonly kind: 'default';
  /** Weight of a reading (1/σ²) and of the prior on the drone's RSSI at 1 m, its value, the exponents tried. */
  readonly w: number;
  readonly wp: number;
  readonly ref: number;
  readonly exponents: Float64Array;
  /** Sums of the readings and of their squares. */
  readonly sr: number;
  readonly srr: number;
}

/** The calibrated models' fit (calibratedCostOf): per reading, a_i = base_i + slope_i·ln(d_i²) and its weight. */
interface CalibratedFit {
  readonly kind: 'calibrated';
  readonly base: Float64Array;
  readonly slope: Float64Array;
  readonly w: Float64Array;
  /** Σ w_i, and the weight of the prior on the drone's offset. */
  readonly sw: number;
  readonly wp: number;
}

/** Scratch for the grids (the estimate is synchronous: one at a time). */
const values = new Float64Array(Math.max(COARSE, FINE) ** 2);

/**
 * The estimate from `readings` (one per receiver) under `model` (a transport's default, or calibrated
 * receivers: then only theirs are used); undefined unless three receivers at three different places have
 * usable readings.
 */
export function estimateFromRssi(readings: readonly RssiReading[], model: PathLossModel | CalibratedPathLoss): RssiEstimate | undefined {
  const calibrated = 'receivers' in model ? model : undefined;
  const defaults = 'receivers' in model ? undefined : model;
  const usable = readings
    .filter((r) => Number.isFinite(r.lat) && Number.isFinite(r.lon) && Math.abs(r.lat) <= 90 && Math.abs(r.lon) <= 180 && Number.isFinite(r.rssi) && r.rssi >= RSSI_MIN_DBM && r.rssi <= RSSI_MAX_DBM)
    .filter((r) => !calibrated || usableModel(calibrated.receivers.get(r.receiver)))
    .sort((a, b) => b.rssi - a.rssi)
    .slice(0, MAX_RECEIVERS);
  if (usable.length < 3) return undefined;
  if (calibrated && !(calibrated.powerSpreadDb > 0)) return undefined;
  if (defaults && (!(defaults.shadowingDb > 0) || !(defaults.referenceSpreadDb > 0) || defaults.exponents.length === 0)) return undefined;

  // Local east/north metres about the receivers' centre (equirectangular: metres-exact over a few km).
  const lat0 = usable.reduce((s, r) => s + r.lat, 0) / usable.length;
  const lon0 = usable.reduce((s, r) => s + r.lon, 0) / usable.length;
  const cosLat = Math.cos(lat0 * RAD);
  if (cosLat < 1e-6) return undefined;
  const xs = Float64Array.from(usable, (r) => (r.lon - lon0) * RAD * EARTH_M * cosLat);
  const ys = Float64Array.from(usable, (r) => (r.lat - lat0) * RAD * EARTH_M);
  if (distinctPlaces(xs, ys) < 3) return undefined;

  const rssi = Float64Array.from(usable, (r) => r.rssi);
  const fit: Fit = {
    xs,
    ys,
    rssi,
    model: calibrated ? calibratedFit(rssi, usable.map((r) => calibrated.receivers.get(r.receiver)!), calibrated.powerSpreadDb) : defaultFit(rssi, defaults!),
  };
  let spread = 0;
  for (let i = 0; i < xs.length; i++) spread = Math.max(spread, Math.sqrt(xs[i]! * xs[i]! + ys[i]! * ys[i]!));
  const half = Math.min(MAX_HALF_SIZE_M, Math.max(MIN_HALF_SIZE_M, HALF_SIZE_PER_SPREAD * spread));

  const c = (2 * half) / (COARSE - 1);
  const box = coarseBox(fit, -half, -half, c, COARSE);
  // The fine grid covers what the coarse one did not rule out, a cell more on every side.
  const fineSpan = Math.max(box.x1 - box.x0, box.y1 - box.y0) + 2 * c;
  const fineCell = fineSpan / (FINE - 1);
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  const fine = weighGrid(fit, cx - fineSpan / 2, cy - fineSpan / 2, fineCell, FINE);

  const radius = Math.max(MIN_RADIUS_M, fine.radius + fineCell * Math.SQRT1_2);
  const lat = lat0 + fine.y / (RAD * EARTH_M);
  const lon = lon0 + fine.x / (RAD * EARTH_M * cosLat);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || !Number.isFinite(radius)) return undefined;
  return { lat, lon, radius, readings: usable, calibrated: calibrated !== undefined };
}

/** A calibrated model the fit can use: finite, a positive spread, an exponent physics allows. */
function usableModel(m: ReceiverPathLoss | undefined): boolean {
  return m !== undefined && Number.isFinite(m.referenceDbm) && m.exponent > 0 && m.exponent < 10 && m.shadowingDb > 0 && Number.isFinite(m.shadowingDb);
}

/** How many of the points are more than SAME_PLACE_M from every point before them (stops at 3). */
function distinctPlaces(xs: Float64Array, ys: Float64Array): number {
  const kept: number[] = [];
  for (let i = 0; i < xs.length && kept.length < 3; i++) {
    if (kept.every((k) => Math.hypot(xs[i]! - xs[k]!, ys[i]! - ys[k]!) > SAME_PLACE_M)) kept.push(i);
  }
  return kept.length;
}

/**
 * The squared east and north distances from a grid's columns and rows to each receiver (`n` values per
 * column, then per row): a grid's columns share their east offsets and its rows their north ones, so what
 * is left per point and receiver is an addition and one log.
 */
function squaredOffsets(xs: Float64Array, ys: Float64Array, x0: number, y0: number, cell: number, size: number): { dx2: Float64Array; dy2: Float64Array } {
  const n = xs.length;
  const dx2 = new Float64Array(size * n);
  const dy2 = new Float64Array(size * n);
  for (let i = 0; i < size; i++) {
    for (let r = 0; r < n; r++) {
      const dx = x0 + i * cell - xs[r]!;
      const dy = y0 + i * cell - ys[r]!;
      dx2[i * n + r] = dx * dx;
      dy2[i * n + r] = dy * dy;
    }
  }
  return { dx2, dy2 };
}

function defaultFit(rssi: Float64Array, model: PathLossModel): DefaultFit {
  let sr = 0;
  let srr = 0;
  for (const r of rssi) {
    sr += r;
    srr += r * r;
  }
  const w = 1 / (model.shadowingDb * model.shadowingDb);
  const wp = 1 / (model.referenceSpreadDb * model.referenceSpreadDb);
  return { kind: 'default', w, wp, ref: model.referenceDbm, exponents: Float64Array.from(model.exponents), sr, srr };
}

function calibratedFit(rssi: Float64Array, models: readonly ReceiverPathLoss[], powerSpreadDb: number): CalibratedFit {
  const w = Float64Array.from(models, (m) => 1 / (m.shadowingDb * m.shadowingDb));
  // a_i = RSSI_i − A_i + 10·n_i·log10(d_i) = base_i + slope_i·ln(d_i²).
  const base = Float64Array.from(models, (m, i) => rssi[i]! - m.referenceDbm);
  const slope = Float64Array.from(models, (m) => 10 * m.exponent * HALF_LOG10E);
  return { kind: 'calibrated', base, slope, w, sw: w.reduce((s, v) => s + v, 0), wp: 1 / (powerSpreadDb * powerSpreadDb) };
}

/**
 * The fit's cost (sum of squared normalised misfits, the prior's included) at every point of a
 * `size`×`size` grid from (x0, y0), `cell` metres apart, row by row into `out`.
 */
function costs(fit: Fit, x0: number, y0: number, cell: number, size: number, out: Float64Array): void {
  const { dx2, dy2 } = squaredOffsets(fit.xs, fit.ys, x0, y0, cell, size);
  if (fit.model.kind === 'default') costOf(fit.model, fit.rssi, dx2, dy2, size, out);
  else calibratedCostOf(fit.model, dx2, dy2, size, out);
}

/**
 * The weighted least-squares cost: at each point, for each exponent, the drone's RSSI at 1 m that fits best
 * (in closed form, the prior pulling it toward the reference), and the misfit left; the smallest over the
 * exponents.
 */
function costOf(m: DefaultFit, rssi: Float64Array, dx2: Float64Array, dy2: Float64Array, size: number, out: Float64Array): void {
  const n = rssi.length;
  const { w, wp, ref, exponents, sr, srr } = m;
  for (let p = 0; p < size * size; p++) {
    const col = (p % size) * n;
    const row = Math.floor(p / size) * n;
    // Each reading says the drone's RSSI at 1 m is a_i = its RSSI + 10·n·L_i (L_i: log10 of its distance):
    // the sums of L, L² and RSSI·L give every exponent's fit in closed form.
    let sl = 0;
    let sll = 0;
    let srl = 0;
    for (let i = 0; i < n; i++) {
      const l = HALF_LOG10E * Math.log(Math.max(1, dx2[col + i]! + dy2[row + i]!));
      sl += l;
      sll += l * l;
      srl += rssi[i]! * l;
    }
    let best = Infinity;
    for (let e = 0; e < exponents.length; e++) {
      const k = 10 * exponents[e]!;
      const sa = sr + k * sl;
      const saa = srr + 2 * k * srl + k * k * sll;
      const p0 = (w * sa + wp * ref) / (w * n + wp);
      const c = wp * (p0 - ref) ** 2 + w * (saa - 2 * p0 * sa + n * p0 * p0);
      if (c < best) best = c;
    }
    // Rounding can leave a perfect fit a hair below zero.
    out[p] = Math.max(0, best);
  }
}

/**
 * The cost under calibrated models (see the file's header): each reading's own reference, exponent and
 * spread; the drone's offset δ fitted in closed form, its prior the fleet's power spread.
 */
function calibratedCostOf(m: CalibratedFit, dx2: Float64Array, dy2: Float64Array, size: number, out: Float64Array): void {
  const { base, slope, w, sw, wp } = m;
  const n = base.length;
  for (let p = 0; p < size * size; p++) {
    const col = (p % size) * n;
    const row = Math.floor(p / size) * n;
    let swa = 0;
    let swaa = 0;
    for (let i = 0; i < n; i++) {
      const a = base[i]! + slope[i]! * Math.log(Math.max(1, dx2[col + i]! + dy2[row + i]!));
      swa += w[i]! * a;
      swaa += w[i]! * a * a;
    }
    const offset = swa / (sw + wp);
    out[p] = Math.max(0, swaa - offset * swa);
  }
}

/** Unknowns: east, north, the drone's power (the exponent is a range, not a free parameter); the prior is one more observation. */
const degreesOfFreedom = (fit: Fit): number => Math.max(1, fit.rssi.length - 2);

/**
 * The bounding box of the points of a `size`×`size` grid from (x0, y0), `cell` metres apart, that the fit
 * does not rule out (within the 99.9 % bound of the best, the misfit scaled as weighGrid scales it).
 */
function coarseBox(fit: Fit, x0: number, y0: number, cell: number, size: number): { x0: number; y0: number; x1: number; y1: number } {
  costs(fit, x0, y0, cell, size, values);
  let min = Infinity;
  for (let k = 0; k < size * size; k++) if (values[k]! < min) min = values[k]!;
  const scale = Math.max(1, min / degreesOfFreedom(fit));
  const limit = min + CHI2_2DOF_999 * scale;
  const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      if (!(values[j * size + i]! <= limit)) continue;
      const x = x0 + i * cell;
      const y = y0 + j * cell;
      if (x < box.x0) box.x0 = x;
      if (x > box.x1) box.x1 = x;
      if (y < box.y0) box.y0 = y;
      if (y > box.y1) box.y1 = y;
    }
  }
  return box;
}

/**
 * Every point of a `size`×`size` grid from (x0, y0), `cell` metres apart, weighed by its likelihood
 * (exp(−cost/2)): their mean, and the distance from it within which CONFIDENCE of the weight lies. When the
 * best fit itself misfits more than shadowing explains (readings that disagree: a reflection, a receiver's
 * wrong position), the variance is scaled by the misfit per degree of freedom left, which widens the circle.
 */
function weighGrid(fit: Fit, x0: number, y0: number, cell: number, size: number): { x: number; y: number; radius: number } {
  costs(fit, x0, y0, cell, size, values);
  let min = Infinity;
  for (let k = 0; k < size * size; k++) if (values[k]! < min) min = values[k]!;
  const scale = Math.max(1, min / degreesOfFreedom(fit));
  // The weights replace the costs in place.
  const weights = values;
  let total = 0;
  let mx = 0;
  let my = 0;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const k = j * size + i;
      const w = Math.exp(-(values[k]! - min) / scale / 2);
      weights[k] = w;
      total += w;
      mx += w * (x0 + i * cell);
      my += w * (y0 + j * cell);
    }
  }
  mx /= total;
  my /= total;
  // The smallest circle about the mean holding CONFIDENCE of the weight, to half a cell: the weight in
  // rings half a cell wide, summed outward.
  const ring = cell / 2;
  const rings = new Float64Array(Math.ceil((size * cell * Math.SQRT2) / ring) + 2);
  for (let j = 0; j < size; j++) {
    const dy = y0 + j * cell - my;
    for (let i = 0; i < size; i++) {
      const dx = x0 + i * cell - mx;
      rings[Math.min(rings.length - 1, Math.floor(Math.sqrt(dx * dx + dy * dy) / ring))]! += weights[j * size + i]!;
    }
  }
  let held = 0;
  let radius = 0;
  for (let r = 0; r < rings.length; r++) {
    held += rings[r]!;
    radius = (r + 1) * ring;
    if (held >= CONFIDENCE * total) break;
  }
  return { x: mx, y: my, radius };
}
