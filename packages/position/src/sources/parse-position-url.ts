/** The CLI's --position argument: one string -> one configured (not yet started) PositionSource. */
import { CONFIG_MAX_BYTES, FileTooLargeError, readFileBoundedSync } from '@odid/commands';
import type { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import { GpsdSource, parseGpsdUrl } from './gpsd.js';
import { MavlinkSource, parseMavlinkEndpoint } from './mavlink.js';
import { DEFAULT_NMEA_BAUD, NmeaSource } from './nmea.js';
import { loadRoute, RouteError } from './route.js';
import type { SerialLoader } from './serial.js';
import { checkBaudRate } from './serial.js';
import { SimulatedFlightSource } from './sim.js';
import { StaticSource } from './static.js';
import type { PositionSource } from './types.js';

export const POSITION_SPEC_FORMS = [
  'gpsd://host:port         gpsd JSON protocol (gpsd:// = 127.0.0.1:2947)',
  'nmea:/dev/ttyUSB0[?baud=9600]  NMEA 0183 receiver on a serial port',
  'nmea:track.nmea[?realtime=0]   NMEA file replayed at its own pace with times shifted to now (realtime=0: as fast as read, original times)',
  'nmea:-                   NMEA from standard input',
  'mavlink:udp://:14550     MAVLink 2 over UDP (listen; udp://127.0.0.1:14550 for one address)',
  'mavlink:serial:/dev/ttyACM0?baud=57600  MAVLink 2 on a serial port',
  'sim                      simulated flight on the built-in route',
  'sim:route.json           simulated flight on a route file',
  'static:lat,lon[,alt]     fixed point (alt = m above the WGS-84 ellipsoid)',
] as const;

export interface PositionSourceDeps {
  clock: Clock;
  /** For tests: the serialport module replacement. */
  serialLoader?: SerialLoader;
  /** stdin for nmea:- (default process.stdin). */
  stdin?: Readable;
}

const formsText = (): string => POSITION_SPEC_FORMS.map((f) => `  ${f}`).join('\n');

export function createPositionSource(spec: string, deps: PositionSourceDeps): PositionSource {
  const s = spec.trim();
  const bad = (why: string): Error => new Error(`position source '${spec}': ${why}\naccepted forms:\n${formsText()}`);
  const serialDeps = deps.serialLoader ? { serialLoader: deps.serialLoader } : {};

  if (/^gpsd(:|$)/i.test(s)) {
    try {
      return new GpsdSource({ ...parseGpsdUrl(s === 'gpsd' ? 'gpsd:' : s), clock: deps.clock });
    } catch (e) {
      throw bad((e as Error).message);
    }
  }

  if (/^nmea:/i.test(s)) {
    const [path = '', query = ''] = s.slice(5).split('?', 2);
    const params = new URLSearchParams(query);
    if (path === '') throw bad('missing device or file after nmea:');
    if (path === '-') {
      const stdin = (deps.stdin ?? process.stdin) as Readable;
      return new NmeaSource({ input: { kind: 'stream', stream: stdin, name: 'stdin' }, clock: deps.clock });
    }
    if (path.startsWith('/dev/')) {
      for (const k of params.keys()) if (k !== 'baud') throw bad(`unknown option '${k}' for a serial device (only ?baud=N)`);
      const baud = params.has('baud') ? Number(params.get('baud')) : DEFAULT_NMEA_BAUD;
      try {
        checkBaudRate(baud, `nmea:${path}`);
      } catch (e) {
        throw bad((e as Error).message);
      }
      return new NmeaSource({ input: { kind: 'serial', path, baudRate: baud }, clock: deps.clock, ...serialDeps });
    }
    for (const k of params.keys()) if (k !== 'realtime') throw bad(`unknown option '${k}' for an NMEA file (only ?realtime=0|1)`);
    const rt = params.get('realtime');
    if (rt !== null && rt !== '0' && rt !== '1') throw bad(`realtime must be 0 or 1, got '${rt}'`);
    const realtime = rt !== '0';
    return new NmeaSource({ input: { kind: 'file', path }, clock: deps.clock, realtime, retime: realtime });
  }

  if (/^mavlink:/i.test(s)) {
    try {
      return new MavlinkSource({ endpoint: parseMavlinkEndpoint(s.slice(8)), clock: deps.clock, ...serialDeps });
    } catch (e) {
      throw bad((e as Error).message);
    }
  }

  if (/^sim(:|$)/i.test(s)) {
    const file = s.slice(4);
    if (file === '') return new SimulatedFlightSource({ clock: deps.clock });
    let text: string;
    try {
      text = readFileBoundedSync(file, { maxBytes: CONFIG_MAX_BYTES, hint: 'routes are a few kilobytes' }).toString('utf8');
    } catch (e) {
      // Too large is all there is to say (one line); a file that cannot be read gets the accepted forms.
      if (e instanceof FileTooLargeError) throw new Error(`position source '${spec}': route file ${file}: ${e.message}`);
      throw bad(`cannot read route file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      return new SimulatedFlightSource({ clock: deps.clock, route: loadRoute(text) });
    } catch (e) {
      if (e instanceof RouteError) throw new RouteError(e.field, `${e.problem} (in ${file})`);
      throw e;
    }
  }

  if (/^static:/i.test(s)) {
    const parts = s.slice(7).split(',');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => p.trim() === '' || !Number.isFinite(Number(p)))) {
      throw bad('static needs lat,lon or lat,lon,alt as numbers, e.g. static:47.3977,8.5456,488');
    }
    const [lat, lon, alt] = parts.map(Number) as [number, number, number | undefined];
    try {
      return new StaticSource({ latitude: lat, longitude: lon, ...(alt === undefined ? {} : { altitude: alt }), clock: deps.clock });
    } catch (e) {
      throw bad((e as Error).message);
    }
  }

  throw bad('unknown kind of source');
}
