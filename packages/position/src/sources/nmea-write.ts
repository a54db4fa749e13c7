/**
 * Fix -> NMEA 0183 (GGA, RMC, VTG, GSA with checksums): how the project makes gpsfake logs and NMEA test
 * input from the simulator. DOPs are derived back from the accuracies with the same UERE model the
 * assembler uses, so accuracy survives a round trip through NMEA.
 */
import { DEFAULT_UERE, KNOT } from './nmea-assemble.js';
import { nmeaChecksum } from './nmea-parse.js';
import type { Fix } from './types.js';

export interface ToNmeaOptions {
  /** Talker ID (default "GP"). */
  talker?: string;
  /** m, geoid height above the ellipsoid: GGA carries MSL = HAE - separation (default 0). */
  geoidSeparation?: number;
  /** Satellites used (default 10). */
  satellites?: number;
  uere?: number;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Signed degrees -> [(d)ddmm.mmmmm, hemisphere], carrying minute rounding into the degrees. */
function coord(value: number, degDigits: 2 | 3, hemis: string): [string, string] {
  const units = Math.round(Math.abs(value) * 60 * 1e5); // 1e-5 minute ~ 1.9 cm
  const deg = Math.floor(units / 6e6);
  const min = (units - deg * 6e6) / 1e5;
  const minStr = min.toFixed(5).padStart(8, '0');
  return [`${pad(deg, degDigits)}${minStr}`, value < 0 ? hemis[1]! : hemis[0]!];
}

const sentence = (body: string): string => `$${body}*${nmeaChecksum(body)}`;
const fmt = (v: number | undefined, digits: number): string => (v === undefined ? '' : v.toFixed(digits));

/** Four sentences (GGA, RMC, VTG, GSA) for one fix, without line endings. */
export function toNmea(fix: Fix, opts: ToNmeaOptions = {}): string[] {
  const talker = opts.talker ?? 'GP';
  const uere = opts.uere ?? DEFAULT_UERE;
  const sep = opts.geoidSeparation ?? 0;
  const sats = opts.satellites ?? 10;

  // Round once to the centisecond the sentences carry, so time and date agree at midnight.
  const t = new Date(Math.round(fix.time / 10) * 10);
  const time = `${pad(t.getUTCHours(), 2)}${pad(t.getUTCMinutes(), 2)}${pad(t.getUTCSeconds(), 2)}.${pad(Math.floor(t.getUTCMilliseconds() / 10), 2)}`;
  const date = `${pad(t.getUTCDate(), 2)}${pad(t.getUTCMonth() + 1, 2)}${pad(t.getUTCFullYear() % 100, 2)}`;
  const [lat, ns] = coord(fix.latitude, 2, 'NS');
  const [lon, ew] = coord(fix.longitude, 3, 'EW');

  const noFix = fix.fixType === 'none';
  const threeD = fix.fixType === '3d' || (fix.fixType === undefined && fix.altitudeGeo !== undefined);
  const hdop = fix.horizontalAccuracy === undefined ? 1.0 : fix.horizontalAccuracy / (2 * uere);
  const vdop = fix.verticalAccuracy === undefined ? 1.5 : fix.verticalAccuracy / (1.96 * uere);
  const pdop = Math.hypot(hdop, vdop);
  const msl = fix.altitudeGeo === undefined ? undefined : fix.altitudeGeo - sep;
  const knots = fix.speedHorizontal === undefined ? undefined : fix.speedHorizontal / KNOT;
  const kmh = fix.speedHorizontal === undefined ? undefined : fix.speedHorizontal * 3.6;
  const course = fmt(fix.direction, 2);

  const gga = [`${talker}GGA`, time, lat, ns, lon, ew, noFix ? '0' : '1', pad(sats, 2), hdop.toFixed(2), fmt(msl, 2), msl === undefined ? '' : 'M', msl === undefined ? '' : sep.toFixed(2), msl === undefined ? '' : 'M', '', ''];
  const rmc = [`${talker}RMC`, time, noFix ? 'V' : 'A', lat, ns, lon, ew, fmt(knots, 3), course, date, '', '', noFix ? 'N' : 'A'];
  const vtg = [`${talker}VTG`, course, course === '' ? '' : 'T', '', 'M', fmt(knots, 3), 'N', fmt(kmh, 3), 'K', noFix ? 'N' : 'A'];
  const prns = Array.from({ length: 12 }, (_, i) => (i < sats ? pad(i + 1, 2) : ''));
  const gsa = [`${talker}GSA`, 'A', noFix ? '1' : threeD ? '3' : '2', ...prns, pdop.toFixed(2), hdop.toFixed(2), vdop.toFixed(2)];
  return [gga, rmc, vtg, gsa].map((f) => sentence(f.join(',')));
}
