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
/** Grid points per side: coarse over the whole area, fine over the region the coarse one found. */
const COARSE = 81;
const FINE = 61;
/** The share of the probability the radius holds (see the header: why not 95 %). */
const CONFIDENCE = 0.99;
/** χ² with 2 degrees of freedom at 99.9 %: points beyond it are ruled out of the fine grid. */
const CHI2_2DOF_999 = 13.8;

const EARTH_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** The fit at one grid point: the cost (sum of squared normalised misfits, the prior's included). */
type Cost = (x: number, y: number) => number;

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
  const xs = usable.map((r) => (r.lon - lon0) * RAD * EARTH_M * cosLat);
  const ys = usable.map((r) => (r.lat - lat0) * RAD * EARTH_M);
  if (distinctPlaces(xs, ys) < 3) return undefined;

  const rssi = usable.map((r) => r.rssi);
  const cost = calibrated
    ? calibratedCostOf(xs, ys, rssi, usable.map((r) => calibrated.receivers.get(r.receiver)!), calibrated.powerSpreadDb)
    : costOf(xs, ys, rssi, defaults!);
  const spread = Math.max(...xs.map((x, i) => Math.hypot(x, ys[i]!)));
  const half = Math.min(MAX_HALF_SIZE_M, Math.max(MIN_HALF_SIZE_M, HALF_SIZE_PER_SPREAD * spread));

  const coarse = searchGrid(cost, -half, -half, (2 * half) / (COARSE - 1), COARSE, usable.length);
  // The fine grid covers what the coarse one did not rule out, a cell more on every side.
  const c = (2 * half) / (COARSE - 1);
  const fineSpan = Math.max(coarse.box.x1 - coarse.box.x0, coarse.box.y1 - coarse.box.y0) + 2 * c;
  const fineCell = fineSpan / (FINE - 1);
  const cx = (coarse.box.x0 + coarse.box.x1) / 2;
  const cy = (coarse.box.y0 + coarse.box.y1) / 2;
  const fine = searchGrid(cost, cx - fineSpan / 2, cy - fineSpan / 2, fineCell, FINE, usable.length);

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
function distinctPlaces(xs: readonly number[], ys: readonly number[]): number {
  const kept: number[] = [];
  for (let i = 0; i < xs.length && kept.length < 3; i++) {
    if (kept.every((k) => Math.hypot(xs[i]! - xs[k]!, ys[i]! - ys[k]!) > SAME_PLACE_M)) kept.push(i);
  }
  return kept.length;
}

/**
 * The weighted least-squares cost at a point: for each exponent, the drone's RSSI at 1 m that fits best
 * (in closed form, the prior pulling it toward the reference), and the misfit left; the smallest over the
 * exponents.
 */
function costOf(xs: readonly number[], ys: readonly number[], rssi: readonly number[], model: PathLossModel): Cost {
  const w = 1 / (model.shadowingDb * model.shadowingDb);
  const wp = 1 / (model.referenceSpreadDb * model.referenceSpreadDb);
  const n = xs.length;
  const ref = model.referenceDbm;
  let sr = 0;
  let srr = 0;
  for (const r of rssi) {
    sr += r;
    srr += r * r;
  }
  return (x, y) => {
    // Each reading says the drone's RSSI at 1 m is a_i = its RSSI + 10·n·L_i (L_i: log10 of its distance):
    // the sums of L, L² and RSSI·L give every exponent's fit in closed form.
    let sl = 0;
    let sll = 0;
    let srl = 0;
    for (let i = 0; i < n; i++) {
      const dx = x - xs[i]!;
      const dy = y - ys[i]!;
      const l = 0.5 * Math.log10(Math.max(1, dx * dx + dy * dy));
      sl += l;
      sll += l * l;
      srl += rssi[i]! * l;
    }
    let best = Infinity;
    for (const e of model.exponents) {
      const k = 10 * e;
      const sa = sr + k * sl;
      const saa = srr + 2 * k * srl + k * k * sll;
      const p0 = (w * sa + wp * ref) / (w * n + wp);
      const c = wp * (p0 - ref) ** 2 + w * (saa - 2 * p0 * sa + n * p0 * p0);
      if (c < best) best = c;
    }
    // Rounding can leave a perfect fit a hair below zero.
    return Math.max(0, best);
  };
}

/**
 * The cost under calibrated models (see the file's header): each reading's own reference, exponent and
 * spread; the drone's offset δ fitted in closed form, its prior the fleet's power spread.
 */
function calibratedCostOf(xs: readonly number[], ys: readonly number[], rssi: readonly number[], models: readonly ReceiverPathLoss[], powerSpreadDb: number): Cost {
  const n = xs.length;
  const w = models.map((m) => 1 / (m.shadowingDb * m.shadowingDb));
  const sw = w.reduce((s, v) => s + v, 0);
  const wp = 1 / (powerSpreadDb * powerSpreadDb);
  return (x, y) => {
    let swa = 0;
    let swaa = 0;
    for (let i = 0; i < n; i++) {
      const dx = x - xs[i]!;
      const dy = y - ys[i]!;
      const m = models[i]!;
      const a = rssi[i]! - m.referenceDbm + 5 * m.exponent * Math.log10(Math.max(1, dx * dx + dy * dy));
      swa += w[i]! * a;
      swaa += w[i]! * a * a;
    }
    const offset = swa / (sw + wp);
    return Math.max(0, swaa - offset * swa);
  };
}

interface GridResult {
  /** The probability-weighted mean point. */
  x: number;
  y: number;
  /** The distance from (x, y) within which CONFIDENCE of the probability lies. */
  radius: number;
  /** The bounding box of the points not ruled out (within the 99.9 % bound of the best). */
  box: { x0: number; y0: number; x1: number; y1: number };
}

/**
 * Every point of a `size`×`size` grid from (x0, y0), `cell` metres apart, weighed by its likelihood
 * (exp(−cost/2)): their mean, and the circle about it that holds CONFIDENCE of the weight. When the best
 * fit itself misfits more than shadowing explains (readings that disagree: a reflection, a receiver's wrong
 * position), the variance is scaled by the misfit per degree of freedom left, which widens the circle.
 */
function searchGrid(cost: Cost, x0: number, y0: number, cell: number, size: number, readings: number): GridResult {
  const values = new Float64Array(size * size);
  let min = Infinity;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const v = cost(x0 + i * cell, y0 + j * cell);
      values[j * size + i] = v;
      if (v < min) min = v;
    }
  }
  // Unknowns: east, north, the drone's power (the exponent is a range, not a free parameter); the prior is one more observation.
  const dof = Math.max(1, readings - 2);
  const scale = Math.max(1, min / dof);
  const weights = new Float64Array(size * size);
  let total = 0;
  let mx = 0;
  let my = 0;
  const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const k = j * size + i;
      const d = (values[k]! - min) / scale;
      const w = Math.exp(-d / 2);
      weights[k] = w;
      total += w;
      const x = x0 + i * cell;
      const y = y0 + j * cell;
      mx += w * x;
      my += w * y;
      if (d <= CHI2_2DOF_999) {
        if (x < box.x0) box.x0 = x;
        if (x > box.x1) box.x1 = x;
        if (y < box.y0) box.y0 = y;
        if (y > box.y1) box.y1 = y;
      }
    }
  }
  mx /= total;
  my /= total;
  // The smallest circle about the mean holding CONFIDENCE of the weight, to half a cell: the weight in
  // rings half a cell wide, summed outward.
  const ring = cell / 2;
  const rings = new Float64Array(Math.ceil((size * cell * Math.SQRT2) / ring) + 2);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const d = Math.hypot(x0 + i * cell - mx, y0 + j * cell - my);
      rings[Math.min(rings.length - 1, Math.floor(d / ring))]! += weights[j * size + i]!;
    }
  }
  let held = 0;
  let radius = 0;
  for (let r = 0; r < rings.length; r++) {
    held += rings[r]!;
    radius = (r + 1) * ring;
    if (held >= CONFIDENCE * total) break;
  }
  return { x: mx, y: my, radius, box };
}
