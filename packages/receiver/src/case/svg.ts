/**
 * The report's drawings as inline SVG strings: nothing fetched, no tiles, no script. The map is an
 * equirectangular projection of the track's own points (longitude scaled by the cosine of the mean
 * latitude, so a few kilometres look right), with the operator, the home point and a scale bar. Plots are
 * one value over time. Every number put in the SVG is a finite number this code computed; text is escaped.
 */

export interface MapPoint {
  lat: number;
  lon: number;
}

export interface Series {
  t: number;
  v: number;
}

const W = 800;
const H = 480;
const M = 40;
const METRES_PER_DEGREE = 111_320;

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Least and greatest of many values (a spread into Math.min would overflow the stack past ~100,000). */
function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

const n = (v: number): string => (Math.round(v * 10) / 10).toString();

/** A round length (1, 2 or 5 times a power of ten) at most `max`. */
function roundLength(max: number): number {
  const p = 10 ** Math.floor(Math.log10(max));
  return [5, 2, 1].map((k) => k * p).find((v) => v <= max) ?? p;
}

const metresText = (m: number): string => (m >= 1000 ? `${m / 1000} km` : `${m} m`);

/** One path per track (several when the drone was heard as several tracks that never merged). */
export function mapSvg(paths: readonly (readonly MapPoint[])[], marks: readonly { at: MapPoint; label: string; colour: string }[]): string {
  const all = [...paths.flat(), ...marks.map((m) => m.at)].filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
  if (!all.length) return '<p>No position was received.</p>';
  const lat0 = all.reduce((s, p) => s + p.lat, 0) / all.length;
  const kx = Math.cos((lat0 * Math.PI) / 180);
  const xs = all.map((p) => p.lon * kx);
  const ys = all.map((p) => p.lat);
  const [minX, maxX] = extent(xs);
  const [minY, maxY] = extent(ys);
  // Degrees of latitude per pixel; at least ~1 m across the drawing, so a hovering drone is not a division by zero.
  const span = Math.max(maxX - minX, ((maxY - minY) * (W - 2 * M)) / (H - 2 * M), 1 / METRES_PER_DEGREE);
  const scale = (W - 2 * M) / span;
  const ox = M + (W - 2 * M - (maxX - minX) * scale) / 2;
  const oy = M + (H - 2 * M - (maxY - minY) * scale) / 2;
  const px = (p: MapPoint): [number, number] => [ox + (p.lon * kx - minX) * scale, oy + (maxY - p.lat) * scale];
  const parts: string[] = [];
  parts.push(`<svg class="map" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Flight path">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#f4f6f2"/>`);
  let positions = 0;
  for (const path of paths) {
    const good = path.filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
    if (!good.length) continue;
    positions += good.length;
    const d = good.map((p, i) => `${i ? 'L' : 'M'}${px(p).map(n).join(' ')}`).join('');
    parts.push(`<path class="track" d="${d}" fill="none" stroke="#c0392b" stroke-width="2" stroke-linejoin="round"/>`);
    const [sx, sy] = px(good[0]!);
    const [ex, ey] = px(good[good.length - 1]!);
    parts.push(`<circle cx="${n(sx)}" cy="${n(sy)}" r="5" fill="#27ae60"><title>first position</title></circle>`);
    parts.push(`<circle cx="${n(ex)}" cy="${n(ey)}" r="6" fill="#c0392b"><title>last position</title></circle>`);
  }
  marks.forEach((m, i) => {
    const [x, y] = px(m.at);
    parts.push(`<rect x="${n(x - 5)}" y="${n(y - 5)}" width="10" height="10" fill="${m.colour}"><title>${escapeHtml(m.label)}</title></rect>`);
    // Labels one under the other: an operator standing at the home point is the usual case.
    parts.push(`<text x="${n(x + 8)}" y="${n(y + 4 + i * 14)}" font-size="12" fill="${m.colour}">${escapeHtml(m.label)}</text>`);
  });
  // Scale bar: a round length of at most a quarter of the width.
  const metresPerPx = METRES_PER_DEGREE / scale;
  const bar = roundLength(((W - 2 * M) / 4) * metresPerPx);
  const barPx = bar / metresPerPx;
  parts.push(`<g class="scale"><path d="M${M} ${H - 15}h${n(barPx)}" stroke="#000" stroke-width="3"/><text x="${M}" y="${H - 22}" font-size="12">${metresText(bar)}</text></g>`);
  parts.push(`<text x="${W - M}" y="${H - 15}" font-size="11" text-anchor="end">equirectangular, north up; ${positions} positions</text>`);
  parts.push('</svg>');
  return parts.join('');
}

const iso = (t: number): string => new Date(t * 1000).toISOString().slice(11, 19);

/** One value over time: a line, the axis' extremes and the start and end times. */
export function plotSvg(series: readonly Series[], label: string, unit: string): string {
  const pts = series.filter((s) => Number.isFinite(s.t) && Number.isFinite(s.v));
  if (pts.length < 2) return `<p>${escapeHtml(label)}: too few values to plot (${pts.length}).</p>`;
  const ph = 220;
  const t0 = pts[0]!.t;
  const t1 = pts[pts.length - 1]!.t;
  const [vMin, vMax] = extent(pts.map((p) => p.v));
  const dt = Math.max(t1 - t0, 1e-3);
  const dv = Math.max(vMax - vMin, 1e-3);
  const x = (t: number): number => M + ((t - t0) / dt) * (W - 2 * M);
  const y = (v: number): number => ph - 30 - ((v - vMin) / dv) * (ph - 50);
  const d = pts.map((p, i) => `${i ? 'L' : 'M'}${n(x(p.t))} ${n(y(p.v))}`).join('');
  return [
    `<svg class="plot" viewBox="0 0 ${W} ${ph}" width="${W}" height="${ph}" role="img" aria-label="${escapeHtml(label)}">`,
    `<rect width="${W}" height="${ph}" fill="#fafafa"/>`,
    `<path d="M${M} 20V${ph - 30}H${W - M}" stroke="#888" fill="none"/>`,
    `<path d="${d}" fill="none" stroke="#2c3e50" stroke-width="1.5"/>`,
    `<text x="${M - 4}" y="24" font-size="11" text-anchor="end">${n(vMax)}</text>`,
    `<text x="${M - 4}" y="${ph - 30}" font-size="11" text-anchor="end">${n(vMin)}</text>`,
    `<text x="${M}" y="${ph - 12}" font-size="11">${iso(t0)}Z</text>`,
    `<text x="${W - M}" y="${ph - 12}" font-size="11" text-anchor="end">${iso(t1)}Z</text>`,
    `<text x="${W / 2}" y="14" font-size="12" text-anchor="middle">${escapeHtml(`${label} (${unit})`)}</text>`,
    '</svg>',
  ].join('');
}

export interface TimelineRow {
  label: string;
  /** Times heard, seconds, in order. */
  times: readonly number[];
}

/** When each row was heard: bars where receptions are at most `gapS` apart, and the events as ticks. */
export function timelineSvg(rows: readonly TimelineRow[], events: readonly { t: number; label: string }[], gapS = 5): string {
  const times = rows.flatMap((r) => [r.times[0], r.times[r.times.length - 1]]).filter((t): t is number => t !== undefined);
  if (!times.length) return '<p>Nothing was heard.</p>';
  const [t0, t1] = extent(times);
  const dt = Math.max(t1 - t0, 1e-3);
  const left = 200;
  const rowH = 22;
  const h = 40 + rows.length * rowH + (events.length ? 20 : 0);
  const x = (t: number): number => left + ((t - t0) / dt) * (W - left - M);
  const parts = [`<svg class="timeline" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="Timeline">`, `<rect width="${W}" height="${h}" fill="#fafafa"/>`];
  rows.forEach((r, i) => {
    const yy = 20 + i * rowH;
    parts.push(`<text x="${left - 6}" y="${yy + 13}" font-size="11" text-anchor="end">${escapeHtml(r.label)}</text>`);
    let start = r.times[0];
    for (let k = 1; k <= r.times.length && start !== undefined; k++) {
      const prev = r.times[k - 1]!;
      const cur = r.times[k];
      if (cur === undefined || cur - prev > gapS) {
        parts.push(`<rect x="${n(x(start))}" y="${yy}" width="${n(Math.max(x(prev) - x(start), 1.5))}" height="16" fill="#3498db"/>`);
        start = cur;
      }
    }
  });
  const ey = 20 + rows.length * rowH;
  for (const e of events) parts.push(`<path d="M${n(x(e.t))} 16V${ey + 4}" stroke="#e67e22" stroke-dasharray="3 2"><title>${escapeHtml(e.label)}</title></path>`);
  parts.push(`<text x="${left}" y="${h - 6}" font-size="11">${iso(t0)}Z</text><text x="${W - M}" y="${h - 6}" font-size="11" text-anchor="end">${iso(t1)}Z</text>`);
  parts.push('</svg>');
  return parts.join('');
}
