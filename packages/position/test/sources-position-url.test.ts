import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import {
  createPositionSource,
  GpsdSource,
  MavlinkSource,
  NmeaSource,
  POSITION_SCHEMES,
  PositionSpecError,
  RouteError,
  SimulatedFlightSource,
  StaticSource,
  toNmea,
  type Fix,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'odid-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const clock = new ManualClock(Date.UTC(2025, 5, 1, 12, 0, 0));
const deps = { clock };

describe('createPositionSource', () => {
  it('gpsd://host:port', () => {
    const a = createPositionSource('gpsd://127.0.0.1:2950', deps);
    expect(a).toBeInstanceOf(GpsdSource);
    expect((a as GpsdSource).address).toEqual({ host: '127.0.0.1', port: 2950 });
    expect((createPositionSource('gpsd://', deps) as GpsdSource).address).toEqual({ host: '127.0.0.1', port: 2947 });
    expect((createPositionSource('gpsd', deps) as GpsdSource).address.port).toBe(2947);
  });

  it('nmea: serial devices, files and stdin', async () => {
    const serial = createPositionSource('nmea:/dev/ttyUSB0?baud=4800', deps);
    expect(serial).toBeInstanceOf(NmeaSource);
    expect(serial.name).toBe('nmea:/dev/ttyUSB0?baud=4800');
    expect(createPositionSource('nmea:/dev/ttyAMA0', deps).name).toBe('nmea:/dev/ttyAMA0?baud=9600');

    const file = join(dir, 'one.nmea');
    const logged = Date.UTC(2024, 0, 1, 8, 0, 0);
    writeFileSync(file, toNmea({ time: logged, latitude: 47, longitude: 7.5, altitudeGeo: 500 }).join('\r\n') + '\r\n');
    const run = async (spec: string): Promise<Fix> => {
      const src = createPositionSource(spec, deps) as NmeaSource;
      await src.start();
      await src.finished();
      return src.latest()!;
    };
    // A file replays as if live by default; realtime=0 keeps the recorded times.
    expect((await run(`nmea:${file}`)).time).toBe(clock.now());
    expect((await run(`nmea:${file}?realtime=0`)).time).toBe(logged);

    const stdin = new PassThrough();
    const src = createPositionSource('nmea:-', { clock, stdin });
    expect(src.name).toBe('nmea:stdin');
    await src.start();
    stdin.end(toNmea({ time: logged, latitude: 1, longitude: 2 }).join('\n') + '\n');
    await (src as NmeaSource).finished();
    expect(src.latest()?.latitude).toBe(1);
  });

  it('mavlink:udp and mavlink:serial', () => {
    const udp = createPositionSource('mavlink:udp://:14550', deps) as MavlinkSource;
    expect(udp).toBeInstanceOf(MavlinkSource);
    expect(udp.endpoint).toEqual({ kind: 'udp', host: '0.0.0.0', port: 14550 });
    const ser = createPositionSource('mavlink:serial:/dev/ttyACM0?baud=57600', deps) as MavlinkSource;
    expect(ser.endpoint).toEqual({ kind: 'serial', path: '/dev/ttyACM0', baudRate: 57600 });
    expect(ser.name).toBe('mavlink:serial:/dev/ttyACM0?baud=57600');
  });

  it('sim and sim:route.json', () => {
    const def = createPositionSource('sim', deps) as SimulatedFlightSource;
    expect(def).toBeInstanceOf(SimulatedFlightSource);
    expect(def.route.name).toMatch(/default loop/);
    const file = join(dir, 'route.json');
    writeFileSync(file, JSON.stringify({ name: 'field', speed: 6, loop: true, waypoints: [{ lat: 1, lon: 1, alt: 20 }, { lat: 1.001, lon: 1, alt: 20 }] }));
    const custom = createPositionSource(`sim:${file}`, deps) as SimulatedFlightSource;
    expect(custom.route.name).toBe('field');
    expect(custom.positionAt(clock.now()).latitude).toBeCloseTo(1, 9);

    writeFileSync(file, JSON.stringify({ name: 'field', speed: -6, loop: true, waypoints: [{ lat: 1, lon: 1, alt: 20 }] }));
    expect(() => createPositionSource(`sim:${file}`, deps)).toThrow(RouteError);
    expect(() => createPositionSource(`sim:${file}`, deps)).toThrow(new RegExp(`^route\\.speed: must be > 0 .* \\(in ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)$`));
    expect(() => createPositionSource(`sim:${join(dir, 'missing.json')}`, deps)).toThrow(/cannot read route file .*missing\.json: ENOENT/);
    // Read with a bound, on one line: an endless device fails at once instead of filling memory.
    expect(() => createPositionSource('sim:/dev/zero', deps)).toThrow(/^position source 'sim:\/dev\/zero': route file \/dev\/zero: larger than 1 MiB \(routes are a few kilobytes\)$/);
  });

  it('static:lat,lon[,alt]', async () => {
    const s = createPositionSource('static:47.3977,8.5456,488', deps);
    expect(s).toBeInstanceOf(StaticSource);
    await s.start();
    expect(s.latest()).toMatchObject({ time: clock.now(), latitude: 47.3977, longitude: 8.5456, altitudeGeo: 488 });
    await s.stop();
    expect(createPositionSource('static:-33.9,151.2', deps).name).toBe('static:-33.9,151.2');
    expect(() => createPositionSource('static:47.3977', deps)).toThrow(/static needs lat,lon or lat,lon,alt/);
    expect(() => createPositionSource('static:a,b', deps)).toThrow(/static needs lat,lon/);
    expect(() => createPositionSource('static:95,0', deps)).toThrow(/latitude must be degrees in -90\.\.90/);
  });

  it('a spec no form fits lists every registered form; a known form filled in wrongly says what it takes', () => {
    const message = (spec: string): string => {
      try {
        createPositionSource(spec, deps);
      } catch (e) {
        expect(e, spec).toBeInstanceOf(PositionSpecError);
        return (e as Error).message;
      }
      throw new Error(`${spec} was accepted`);
    };
    for (const bad of ['gps:/dev/ttyUSB0', 'udp://:14550', '', 'mavlink:tcp://1.2.3.4:5760']) {
      const msg = message(bad);
      expect(msg, bad).toMatch(/: unknown kind of source; use one of /);
      for (const e of POSITION_SCHEMES) expect(msg, `${bad} lists ${e.syntax}`).toContain(e.syntax);
    }
    expect(message('nmea:')).toBe("position source 'nmea:': missing device or file after nmea:; give nmea:-, nmea:/dev/ttyUSB0[?baud=9600] or nmea:track.nmea[?realtime=0]");
    expect(message('nmea:/dev/ttyUSB0?baud=1')).toMatch(/nmea:\/dev\/ttyUSB0: baud rate 1 is not a standard rate; use one of 1200, /);
    expect(message('nmea:x.nmea?speed=2')).toMatch(/unknown option 'speed' for an NMEA file/);
    expect(message('gpsd://h:0')).toBe("position source 'gpsd://h:0': bad gpsd port in 'gpsd://h:0'; expected gpsd://host:port (e.g. gpsd://127.0.0.1:2947, gpsd:// for the default localhost:2947)");
    expect(message('static:1')).toBe("position source 'static:1': static needs lat,lon or lat,lon,alt as numbers; give static:lat,lon[,alt], e.g. static:47.3977,8.5456,488");
  });
});
