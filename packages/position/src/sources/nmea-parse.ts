/**
 * NMEA 0183 sentence parser: pure, one line in, one typed sentence out. Checks the checksum and the
 * shape of every field it uses; throws NmeaError (with the reason) for anything malformed, so a source
 * can count and skip it. Only the sentences a position needs are decoded: GGA, RMC, VTG, GSA.
 */

import { ToolkitError } from '@odid/commands';

/** A sentence that cannot be read; sources count and skip it. */
export class NmeaError extends ToolkitError {
  override readonly name = 'NmeaError';
  declare readonly code: 'bad-sentence';
  constructor(
    reason: string,
    readonly line: string,
  ) {
    super('bad-sentence', reason);
  }
}

interface Base {
  /** Talker ID, e.g. "GP" (GPS), "GN" (multi-GNSS), "GL", "GA", "GB"; "P" for proprietary. */
  talker: string;
}

export interface GgaSentence extends Base {
  type: 'GGA';
  /** ms since UTC midnight. */
  timeOfDay?: number;
  latitude?: number;
  longitude?: number;
  /** 0 invalid, 1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float, 6 estimated (dead reckoning), ... */
  quality: number;
  satellites?: number;
  hdop?: number;
  /** m above mean sea level (geoid). */
  altitudeMsl?: number;
  /** m, geoid height above the WGS-84 ellipsoid: HAE = MSL + separation. */
  geoidSeparation?: number;
}

export interface RmcSentence extends Base {
  type: 'RMC';
  timeOfDay?: number;
  /** Status A = valid, V = void (receiver warning). */
  valid: boolean;
  latitude?: number;
  longitude?: number;
  speedKnots?: number;
  /** Degrees true. */
  course?: number;
  /** ms since epoch of the UTC midnight starting that day. */
  date?: number;
  /** NMEA 2.3+ mode indicator: A autonomous, D differential, E estimated, N not valid, ... */
  mode?: string;
}

export interface VtgSentence extends Base {
  type: 'VTG';
  courseTrue?: number;
  courseMagnetic?: number;
  speedKnots?: number;
  speedKmh?: number;
  mode?: string;
}

export interface GsaSentence extends Base {
  type: 'GSA';
  /** A automatic / M manual 2D-3D selection. */
  selection?: string;
  /** 1 no fix, 2 2D, 3 3D. */
  fixMode?: 1 | 2 | 3;
  satellites: number[];
  pdop?: number;
  hdop?: number;
  vdop?: number;
}

/** A well-formed sentence this parser does not decode (GSV, GLL, TXT, proprietary ...). */
export interface OtherSentence extends Base {
  type: 'other';
  sentenceType: string;
  fields: string[];
}

export type NmeaSentence = GgaSentence | RmcSentence | VtgSentence | GsaSentence | OtherSentence;

/** XOR of the characters between '$' and '*', as two upper-case hex digits. */
export function nmeaChecksum(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(2, '0');
}

const MAX_LINE = 200; // the standard says 82; some receivers exceed it, none by this much

export function parseNmeaSentence(line: string): NmeaSentence {
  const s = line.trim();
  const fail = (why: string): never => {
    throw new NmeaError(why, s);
  };
  if (s.length > MAX_LINE) fail(`line too long (${s.length} > ${MAX_LINE} characters)`);
  if (!s.startsWith('$')) fail(`does not start with '$'`);
  const star = s.lastIndexOf('*');
  if (star < 0) fail('no checksum (*hh)');
  const body = s.slice(1, star);
  const given = s.slice(star + 1).toUpperCase();
  if (!/^[0-9A-F]{2}$/.test(given)) fail(`malformed checksum '${s.slice(star + 1)}'`);
  const want = nmeaChecksum(body);
  if (given !== want) fail(`checksum mismatch: sentence says ${given}, content gives ${want}`);
  if (/[^\x20-\x7e]/.test(body)) fail('non-printable character');

  const fields = body.split(',');
  const address = fields[0]!;
  if (address.startsWith('P')) return { type: 'other', talker: 'P', sentenceType: address, fields: fields.slice(1) };
  if (!/^[A-Z0-9]{2}[A-Z0-9]{3}$/.test(address)) fail(`bad address field '${address}'`);
  const talker = address.slice(0, 2);
  const kind = address.slice(2);
  const f = new Fields(fields, kind, s);
  switch (kind) {
    case 'GGA':
      return {
        type: 'GGA',
        talker,
        ...opt('timeOfDay', f.time(1)),
        ...opt('latitude', f.coord(2, 3, 'NS', 90)),
        ...opt('longitude', f.coord(4, 5, 'EW', 180)),
        quality: f.int(6, 'fix quality') ?? 0,
        ...opt('satellites', f.int(7, 'satellites')),
        ...opt('hdop', f.unsigned(8, 'HDOP')),
        ...opt('altitudeMsl', f.num(9, 'altitude')),
        ...opt('geoidSeparation', f.num(11, 'geoid separation')),
      };
    case 'RMC': {
      const status = f.str(2);
      if (status !== 'A' && status !== 'V') fail(`RMC field 2 (status) must be A or V, got '${status}'`);
      return {
        type: 'RMC',
        talker,
        ...opt('timeOfDay', f.time(1)),
        valid: status === 'A',
        ...opt('latitude', f.coord(3, 4, 'NS', 90)),
        ...opt('longitude', f.coord(5, 6, 'EW', 180)),
        ...opt('speedKnots', f.unsigned(7, 'speed')),
        ...opt('course', f.unsigned(8, 'course')),
        ...opt('date', f.date(9)),
        ...opt('mode', f.str(12) || undefined),
      };
    }
    case 'VTG': {
      // Pre-NMEA-2.3 receivers send "VTG,course,,course,,speed,,speed," without the unit letters;
      // both layouts keep the numbers in fields 1, 3, 5 and 7.
      return {
        type: 'VTG',
        talker,
        ...opt('courseTrue', f.unsigned(1, 'true course')),
        ...opt('courseMagnetic', f.unsigned(3, 'magnetic course')),
        ...opt('speedKnots', f.unsigned(5, 'speed (knots)')),
        ...opt('speedKmh', f.unsigned(7, 'speed (km/h)')),
        ...opt('mode', f.str(9) || undefined),
      };
    }
    case 'GSA': {
      const mode = f.int(2, 'fix mode');
      if (mode !== undefined && mode !== 1 && mode !== 2 && mode !== 3) fail(`GSA field 2 (fix mode) must be 1, 2 or 3, got ${mode}`);
      const satellites: number[] = [];
      for (let i = 3; i <= 14; i++) {
        const prn = f.int(i, 'satellite');
        if (prn !== undefined) satellites.push(prn);
      }
      return {
        type: 'GSA',
        talker,
        ...opt('selection', f.str(1) || undefined),
        ...opt('fixMode', mode as 1 | 2 | 3 | undefined),
        satellites,
        ...opt('pdop', f.unsigned(15, 'PDOP')),
        ...opt('hdop', f.unsigned(16, 'HDOP')),
        ...opt('vdop', f.unsigned(17, 'VDOP')),
      };
    }
    default:
      return { type: 'other', talker, sentenceType: kind, fields: fields.slice(1) };
  }
}

/** Spread helper: leave a property out rather than set it to undefined. */
function opt<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;
/** Speeds, courses and dilutions of precision have no sign: a '-' there is a broken or hostile sentence. */
const UNSIGNED = /^(\d+\.?\d*|\.\d+)$/;

/** Field accessors that name the field in their errors. */
class Fields {
  constructor(
    private readonly f: string[],
    private readonly kind: string,
    private readonly line: string,
  ) {}

  private fail(i: number, what: string, v: string): never {
    throw new NmeaError(`${this.kind} field ${i} (${what}): '${v}' is not valid`, this.line);
  }

  str(i: number): string {
    return this.f[i] ?? '';
  }

  num(i: number, what: string): number | undefined {
    const v = this.str(i);
    if (v === '') return undefined;
    if (!NUMBER.test(v)) this.fail(i, what, v);
    return Number(v);
  }

  unsigned(i: number, what: string): number | undefined {
    const v = this.str(i);
    if (v === '') return undefined;
    if (!UNSIGNED.test(v)) this.fail(i, what, v);
    return Number(v);
  }

  int(i: number, what: string): number | undefined {
    const v = this.str(i);
    if (v === '') return undefined;
    if (!/^\d+$/.test(v)) this.fail(i, what, v);
    return Number(v);
  }

  /** hhmmss(.sss) -> ms since midnight. */
  time(i: number): number | undefined {
    const v = this.str(i);
    if (v === '') return undefined;
    const m = /^(\d\d)(\d\d)(\d\d(?:\.\d+)?)$/.exec(v);
    if (!m) this.fail(i, 'UTC time hhmmss.ss', v);
    const h = Number(m[1]);
    const min = Number(m[2]);
    const sec = Number(m[3]);
    if (h > 23 || min > 59 || sec >= 61) this.fail(i, 'UTC time hhmmss.ss', v);
    return Math.round(((h * 60 + min) * 60 + sec) * 1000);
  }

  /** ddmmyy -> ms of that UTC midnight. Two-digit years: 80..99 = 19xx, else 20xx. */
  date(i: number): number | undefined {
    const v = this.str(i);
    if (v === '') return undefined;
    const m = /^(\d\d)(\d\d)(\d\d)$/.exec(v);
    if (!m) this.fail(i, 'date ddmmyy', v);
    const d = Number(m[1]);
    const mo = Number(m[2]);
    const yy = Number(m[3]);
    const y = yy >= 80 ? 1900 + yy : 2000 + yy;
    const t = Date.UTC(y, mo - 1, d);
    // Date.UTC rolls 31 February over into March: reject instead.
    if (mo < 1 || mo > 12 || d < 1 || new Date(t).getUTCDate() !== d) this.fail(i, 'date ddmmyy', v);
    return t;
  }

  /** (d)ddmm.mmmm + hemisphere -> signed degrees. */
  coord(i: number, hi: number, hemis: 'NS' | 'EW', max: number): number | undefined {
    const v = this.str(i);
    const h = this.str(hi);
    if (v === '' && h === '') return undefined;
    const what = hemis === 'NS' ? 'latitude ddmm.mmmm' : 'longitude dddmm.mmmm';
    const m = (hemis === 'NS' ? /^(\d{2})(\d{2}(?:\.\d+)?)$/ : /^(\d{3})(\d{2}(?:\.\d+)?)$/).exec(v);
    if (!m) this.fail(i, what, v);
    if (h !== hemis[0] && h !== hemis[1]) this.fail(hi, `hemisphere ${hemis[0]}/${hemis[1]}`, h);
    const deg = Number(m[1]);
    const min = Number(m[2]);
    const value = deg + min / 60;
    if (min >= 60 || value > max) this.fail(i, what, v);
    return h === hemis[0] ? value : -value;
  }
}
