/**
 * Every form a position source can be given in (the CLIs' --position and --operator-position): one entry
 * each, with its syntax, a line for --help, an example and the factory that makes the source. The help and
 * the error for a spec that fits no entry are made from this list, so a new kind of source is one entry.
 */

import type { Readable } from 'node:stream';
import { CONFIG_MAX_BYTES, FileTooLargeError, helpTable, readFileBoundedSync, ToolkitError } from '@odid/commands';
import type { Clock } from '../clock.js';
import { PositionSpecError } from './errors.js';
import { GpsdSource, parseGpsdUrl } from './gpsd.js';
import { MavlinkSource, parseMavlinkEndpoint } from './mavlink.js';
import { DEFAULT_NMEA_BAUD, NmeaSource } from './nmea.js';
import { loadRoute, RouteError } from './route.js';
import { checkBaudRate, type SerialLoader } from './serial.js';
import { SimulatedFlightSource } from './sim.js';
import { StaticSource } from './static.js';
import type { PositionSource } from './types.js';

export interface PositionSourceDeps {
  clock: Clock;
  /** For tests: the serialport module replacement. */
  serialLoader?: SerialLoader;
  /** stdin for nmea:- (default process.stdin). */
  stdin?: Readable;
}

export interface PositionScheme {
  /** The kind, before the first colon. Entries of one kind (nmea's device, file and stdin) share it. */
  readonly scheme: string;
  /** What the user writes, optional parts in brackets: "nmea:/dev/ttyUSB0[?baud=9600]". */
  readonly syntax: string;
  /** One line for --help. */
  readonly description: string;
  /** A spec this entry takes (a file it names must exist). */
  readonly example: string;
  /** Whether the (trimmed) spec is written in this form; the first entry that claims a spec makes its source. */
  matches(spec: string): boolean;
  /**
   * The configured, not yet started source. Throws what is wrong with the spec: the registry puts the spec
   * before it and, when it has none, the entry's form after it as the fix.
   */
  create(spec: string, deps: PositionSourceDeps): PositionSource;
}

/** "nmea:PATH?QUERY" -> PATH and the query's parameters. */
function nmeaParts(spec: string): { path: string; params: URLSearchParams } {
  const [path = '', query = ''] = spec.slice(5).split('?', 2);
  return { path, params: new URLSearchParams(query) };
}

const isNmea = (spec: string): boolean => /^nmea:/i.test(spec);
const isMavlink = (kind: string) => (spec: string) => new RegExp(`^mavlink:${kind}:`, 'i').test(spec);

/** A route file for sim:FILE, read with a bound: an endless device fails at once instead of filling memory. */
function readRoute(spec: string, file: string): string {
  try {
    return readFileBoundedSync(file, { maxBytes: CONFIG_MAX_BYTES, hint: 'routes are a few kilobytes' }).toString('utf8');
  } catch (e) {
    const why = e instanceof FileTooLargeError ? e.message : `cannot read route file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    throw new PositionSpecError('route-file', spec, e instanceof FileTooLargeError ? `route file ${file}: ${why}` : why, { cause: e });
  }
}

export const POSITION_SCHEMES: readonly PositionScheme[] = [
  {
    scheme: 'gpsd',
    syntax: 'gpsd://host:port',
    description: 'gpsd JSON protocol (gpsd:// = 127.0.0.1:2947)',
    example: 'gpsd://127.0.0.1:2947',
    matches: (s) => /^gpsd(:|$)/i.test(s),
    create: (s, deps) => new GpsdSource({ ...parseGpsdUrl(s === 'gpsd' ? 'gpsd:' : s), clock: deps.clock }),
  },
  {
    scheme: 'nmea',
    syntax: 'nmea:-',
    description: 'NMEA 0183 from standard input',
    example: 'nmea:-',
    matches: (s) => isNmea(s) && nmeaParts(s).path === '-',
    create: (_s, deps) => new NmeaSource({ input: { kind: 'stream', stream: (deps.stdin ?? process.stdin) as Readable, name: 'stdin' }, clock: deps.clock }),
  },
  {
    scheme: 'nmea',
    syntax: 'nmea:/dev/ttyUSB0[?baud=9600]',
    description: 'NMEA 0183 receiver on a serial port',
    example: 'nmea:/dev/ttyUSB0?baud=4800',
    matches: (s) => isNmea(s) && nmeaParts(s).path.startsWith('/dev/'),
    create: (s, deps) => {
      const { path, params } = nmeaParts(s);
      for (const k of params.keys()) if (k !== 'baud') throw new Error(`unknown option '${k}' for a serial device (only ?baud=N)`);
      const baud = checkBaudRate(params.has('baud') ? Number(params.get('baud')) : DEFAULT_NMEA_BAUD, `nmea:${path}`);
      return new NmeaSource({ input: { kind: 'serial', path, baudRate: baud }, clock: deps.clock, ...(deps.serialLoader ? { serialLoader: deps.serialLoader } : {}) });
    },
  },
  {
    scheme: 'nmea',
    syntax: 'nmea:track.nmea[?realtime=0]',
    description: 'NMEA file replayed at its own pace with times shifted to now (realtime=0: as fast as read, original times)',
    example: 'nmea:track.nmea',
    // Any other nmea: spec, an empty one included: a file is what it names.
    matches: isNmea,
    create: (s, deps) => {
      const { path, params } = nmeaParts(s);
      if (path === '') throw new Error('missing device or file after nmea:');
      for (const k of params.keys()) if (k !== 'realtime') throw new Error(`unknown option '${k}' for an NMEA file (only ?realtime=0|1)`);
      const rt = params.get('realtime');
      if (rt !== null && rt !== '0' && rt !== '1') throw new Error(`realtime must be 0 or 1, got '${rt}'`);
      const realtime = rt !== '0';
      return new NmeaSource({ input: { kind: 'file', path }, clock: deps.clock, realtime, retime: realtime });
    },
  },
  {
    scheme: 'mavlink',
    syntax: 'mavlink:udp://:14550',
    description: 'MAVLink 2 over UDP (listen; udp://127.0.0.1:14550 for one address)',
    example: 'mavlink:udp://:14550',
    matches: isMavlink('udp'),
    create: (s, deps) => new MavlinkSource({ endpoint: parseMavlinkEndpoint(s.slice(8)), clock: deps.clock, ...(deps.serialLoader ? { serialLoader: deps.serialLoader } : {}) }),
  },
  {
    scheme: 'mavlink',
    syntax: 'mavlink:serial:/dev/ttyACM0[?baud=57600]',
    description: 'MAVLink 2 on a serial port',
    example: 'mavlink:serial:/dev/ttyACM0?baud=57600',
    matches: isMavlink('serial'),
    create: (s, deps) => new MavlinkSource({ endpoint: parseMavlinkEndpoint(s.slice(8)), clock: deps.clock, ...(deps.serialLoader ? { serialLoader: deps.serialLoader } : {}) }),
  },
  {
    scheme: 'sim',
    syntax: 'sim',
    description: 'simulated flight on the built-in route',
    example: 'sim',
    matches: (s) => /^sim:?$/i.test(s),
    create: (_s, deps) => new SimulatedFlightSource({ clock: deps.clock }),
  },
  {
    scheme: 'sim',
    syntax: 'sim:route.json',
    description: 'simulated flight on a route file',
    example: 'sim:route.json',
    matches: (s) => /^sim:./i.test(s),
    create: (s, deps) => {
      const file = s.slice(4);
      try {
        return new SimulatedFlightSource({ clock: deps.clock, route: loadRoute(readRoute(s, file)) });
      } catch (e) {
        // The field at fault, and in which file.
        if (e instanceof RouteError) throw new RouteError(e.field, `${e.problem} (in ${file})`);
        throw e;
      }
    },
  },
  {
    scheme: 'static',
    syntax: 'static:lat,lon[,alt]',
    description: 'fixed point (alt = m above the WGS-84 ellipsoid)',
    example: 'static:47.3977,8.5456,488',
    matches: (s) => /^static:/i.test(s),
    create: (s, deps) => {
      const parts = s.slice(7).split(',');
      if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.trim() === '' || !Number.isFinite(Number(p)))) {
        throw new Error('static needs lat,lon or lat,lon,alt as numbers');
      }
      const [lat, lon, alt] = parts.map(Number) as [number, number, number | undefined];
      return new StaticSource({ latitude: lat, longitude: lon, ...(alt === undefined ? {} : { altitude: alt }), clock: deps.clock });
    },
  },
];

/** The entry that makes `spec`'s source; undefined when no registered form fits it. */
export function findPositionScheme(spec: string): PositionScheme | undefined {
  const s = spec.trim();
  return POSITION_SCHEMES.find((e) => e.matches(s));
}

/** The fix for a spec of `entry`'s kind written wrongly: that kind's forms (and the example of a lone one). */
function formsFix(entry: PositionScheme): string {
  const kind = POSITION_SCHEMES.filter((e) => e.scheme === entry.scheme);
  if (kind.length === 1) return `give ${entry.syntax}, e.g. ${entry.example}`;
  const syntaxes = kind.map((e) => e.syntax);
  return `give ${syntaxes.slice(0, -1).join(', ')} or ${syntaxes[syntaxes.length - 1]}`;
}

/**
 * One spec (a CLI's --position) -> one configured, not yet started source. Throws a PositionSpecError naming
 * the spec (the registered forms when none fits it), or a RouteError for what is wrong inside a route file.
 */
export function createPositionSource(spec: string, deps: PositionSourceDeps): PositionSource {
  const entry = findPositionScheme(spec);
  if (!entry) throw new PositionSpecError('unknown-scheme', spec, 'unknown kind of source', { fix: `use one of ${POSITION_SCHEMES.map((e) => e.syntax).join(', ')}` });
  try {
    return entry.create(spec.trim(), deps);
  } catch (e) {
    if (e instanceof RouteError || e instanceof PositionSpecError) throw e;
    // A parser's own fix ("expected gpsd://host:port") says it best; otherwise the form this spec is in.
    const fix = e instanceof ToolkitError && e.fix ? e.fix : formsFix(entry);
    throw new PositionSpecError('bad-spec', spec, e instanceof ToolkitError ? e.headline : (e as Error).message, { fix, cause: e });
  }
}

/** The --help lines of every registered form, one a line. */
export function positionSourcesHelp(indent = '  '): string {
  return helpTable(POSITION_SCHEMES, indent);
}
