import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SerialPortMock } from 'serialport';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import {
  NmeaError,
  NmeaFixAssembler,
  NmeaSource,
  nmeaChecksum,
  parseNmeaSentence,
  SimulatedFlightSource,
  toNmea,
  type Fix,
  type SerialPortCtor,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'odid-nmea-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Build a sentence with a correct checksum. */
const s = (body: string): string => `$${body}*${nmeaChecksum(body)}`;

describe('parseNmeaSentence', () => {
  it('decodes the classic GGA example (MSL altitude and geoid separation kept apart)', () => {
    const gga = parseNmeaSentence('$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47');
    expect(gga).toMatchObject({ type: 'GGA', talker: 'GP', timeOfDay: (12 * 3600 + 35 * 60 + 19) * 1000, quality: 1, satellites: 8, hdop: 0.9, altitudeMsl: 545.4, geoidSeparation: 46.9 });
    if (gga.type !== 'GGA') throw new Error('type');
    expect(gga.latitude).toBeCloseTo(48 + 7.038 / 60, 12);
    expect(gga.longitude).toBeCloseTo(11 + 31 / 60, 12);
  });

  it('decodes RMC with date, knots and course, and southern/western hemispheres', () => {
    const rmc = parseNmeaSentence(s('GNRMC,235959.50,A,3351.1234,S,15112.5678,W,22.4,084.4,230394,003.1,W,A'));
    expect(rmc).toMatchObject({ type: 'RMC', talker: 'GN', valid: true, speedKnots: 22.4, course: 84.4, date: Date.UTC(1994, 2, 23), mode: 'A', timeOfDay: 86_399_500 });
    if (rmc.type !== 'RMC') throw new Error('type');
    expect(rmc.latitude).toBeCloseTo(-(33 + 51.1234 / 60), 12);
    expect(rmc.longitude).toBeCloseTo(-(151 + 12.5678 / 60), 12);
    expect(parseNmeaSentence(s('GPRMC,000000,V,,,,,,,010125,,,N'))).toMatchObject({ valid: false, date: Date.UTC(2025, 0, 1) });
  });

  it('decodes VTG in both layouts and GSA', () => {
    expect(parseNmeaSentence(s('GPVTG,054.7,T,034.4,M,005.5,N,010.2,K,A'))).toMatchObject({ type: 'VTG', courseTrue: 54.7, courseMagnetic: 34.4, speedKnots: 5.5, speedKmh: 10.2, mode: 'A' });
    expect(parseNmeaSentence(s('GPVTG,054.7,,034.4,,005.5,,010.2,'))).toMatchObject({ courseTrue: 54.7, speedKnots: 5.5 });
    expect(parseNmeaSentence(s('GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1'))).toEqual({ type: 'GSA', talker: 'GP', selection: 'A', fixMode: 3, satellites: [4, 5, 9, 12, 24], pdop: 2.5, hdop: 1.3, vdop: 2.1 });
  });

  it('passes other well-formed sentences through as "other"', () => {
    expect(parseNmeaSentence(s('GPGSV,3,1,11,03,03,111,00'))).toMatchObject({ type: 'other', talker: 'GP', sentenceType: 'GSV' });
    expect(parseNmeaSentence(s('PUBX,00,081350.00'))).toMatchObject({ type: 'other', talker: 'P', sentenceType: 'PUBX' });
  });

  it('rejects damaged sentences with the reason', () => {
    const bad = (line: string, re: RegExp): void => {
      expect(() => parseNmeaSentence(line)).toThrow(NmeaError);
      expect(() => parseNmeaSentence(line)).toThrow(re);
    };
    bad('$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*48', /checksum mismatch: sentence says 48, content gives 47/);
    bad('$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,', /no checksum/);
    bad('GPGGA,1*00', /does not start with '\$'/);
    bad(s('GPGGA,123519,4807.038,X,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'), /GGA field 3 \(hemisphere N\/S\)/);
    bad(s('GPGGA,123519,4867.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'), /GGA field 2 \(latitude/);
    bad(s('GPGGA,256019,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'), /GGA field 1 \(UTC time/);
    bad(s('GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,5x5.4,M,46.9,M,,'), /GGA field 9 \(altitude\): '5x5.4'/);
    bad(s('GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,310294,003.1,W'), /RMC field 9 \(date/);
    bad(s('GPRMC,123519,Q,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W'), /status\) must be A or V/);
    bad(s('GPGSA,A,7,,,,,,,,,,,,,1,1,1'), /fix mode\) must be 1, 2 or 3/);
    bad(`${s('GPGGA')}${'x'.repeat(300)}`, /too long/);
  });
});

function feed(asm: NmeaFixAssembler, lines: string[]): Fix[] {
  return lines.flatMap((l) => asm.push(parseNmeaSentence(l)));
}

describe('NmeaFixAssembler', () => {
  const clock = new ManualClock(Date.UTC(2025, 5, 1, 12, 0, 0));
  const epoch = (t: string, lat = '4700.00000', extra: { knots?: string; course?: string } = {}): string[] => [
    s(`GPRMC,${t},A,${lat},N,00730.00000,E,${extra.knots ?? '10.000'},${extra.course ?? '90.00'},010625,,,A`),
    s(`GPVTG,${extra.course ?? '90.00'},T,,M,${extra.knots ?? '10.000'},N,18.520,K,A`),
    s(`GPGGA,${t},${lat},N,00730.00000,E,1,10,0.80,450.00,M,48.00,M,,`),
    s('GPGSA,A,3,01,02,03,04,05,06,07,08,,,,,1.50,0.80,1.20'),
  ];

  it('combines one epoch into one fix: HAE = MSL + separation, knots -> m/s, DOP -> accuracy', () => {
    const asm = new NmeaFixAssembler({ clock, uere: 3.5 });
    const fixes = feed(asm, [...epoch('120000.00'), ...epoch('120001.00')]);
    // First epoch: emitted as soon as GGA and RMC are both in; later epochs once all four types are.
    expect(fixes).toHaveLength(2);
    const [a, b] = fixes as [Fix, Fix];
    expect(a).toMatchObject({ time: Date.UTC(2025, 5, 1, 12, 0, 0), latitude: 47, longitude: 7.5, altitudeGeo: 498, direction: 90, fixType: '3d' });
    expect(a.speedHorizontal).toBeCloseTo(10 * 0.514444, 5);
    expect(a.horizontalAccuracy).toBeCloseTo(2 * 0.8 * 3.5, 9);
    expect(b.time).toBe(Date.UTC(2025, 5, 1, 12, 0, 1));
    expect(b.verticalAccuracy).toBeCloseTo(1.96 * 1.2 * 3.5, 9);
  });

  it('derives vertical speed from consecutive altitudes', () => {
    const asm = new NmeaFixAssembler({ clock });
    const up = (t: string, alt: string): string[] => [s(`GPGGA,${t},4700.0,N,00730.0,E,1,10,0.8,${alt},M,48.0,M,,`), s(`GPRMC,${t},A,4700.0,N,00730.0,E,0.0,,010625,,,A`)];
    const fixes = feed(asm, [...up('120000.00', '100.0'), ...up('120000.50', '101.0'), ...up('120001.50', '103.5')]);
    expect(fixes.map((f) => f.speedVertical)).toEqual([undefined, 2, 2.5]);
  });

  it('drops epochs without a valid position and counts them', () => {
    const asm = new NmeaFixAssembler({ clock });
    const fixes = feed(asm, [
      s('GPRMC,120000.00,V,,,,,,,010625,,,N'),
      s('GPGGA,120000.00,,,,,0,00,99.99,,,,,,'),
      s('GPRMC,120001.00,V,4700.0,N,00730.0,E,,,010625,,,N'),
      s('GPGGA,120001.00,4700.0,N,00730.0,E,0,00,99.99,,,,,,'),
    ]);
    expect(fixes).toEqual([]);
    expect(asm.noFix).toBe(2);
  });

  it('uses the clock for the date when there is no RMC, and rolls over midnight after one', () => {
    const late = new ManualClock(Date.UTC(2025, 5, 2, 0, 0, 1)); // just after midnight
    const asm = new NmeaFixAssembler({ clock: late });
    const gga = (t: string): string => s(`GPGGA,${t},4700.0,N,00730.0,E,1,10,0.8,100.0,M,48.0,M,,`);
    // 23:59:59 on the clock's previous day is nearer to now than 23:59:59 today.
    const f = feed(asm, [gga('235959.00'), gga('000000.00')]);
    expect(f[0]!.time).toBe(Date.UTC(2025, 5, 1, 23, 59, 59));

    const asm2 = new NmeaFixAssembler({ clock });
    const fixes = feed(asm2, [
      s('GPRMC,235959.00,A,4700.0,N,00730.0,E,0.0,,311225,,,A'),
      gga('235959.00'),
      gga('000000.00'), // GGA only after midnight: the date must move on
      gga('000001.00'),
    ]);
    expect(fixes.map((x) => new Date(x.time).toISOString())).toEqual(['2025-12-31T23:59:59.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z']);
  });

  it('learns a GGA-only receiver and does not hold its fixes back a whole epoch', () => {
    const asm = new NmeaFixAssembler({ clock });
    const gga = (t: string): string => s(`GPGGA,${t},4700.0,N,00730.0,E,1,10,0.8,100.0,M,48.0,M,,`);
    expect(asm.push(parseNmeaSentence(gga('120000.00')))).toEqual([]); // first epoch: shape unknown
    // Epoch 1 closes epoch 0, and having learnt "GGA only", completes itself at once.
    expect(asm.push(parseNmeaSentence(gga('120001.00'))).map((f) => f.time % 10_000)).toEqual([0, 1000]);
    expect(asm.push(parseNmeaSentence(gga('120002.00'))).map((f) => f.time % 10_000)).toEqual([2000]);
    expect(asm.push(parseNmeaSentence(gga('120003.00'))).map((f) => f.time % 10_000)).toEqual([3000]);
  });
});

describe('toNmea', () => {
  const clock = new ManualClock(Date.UTC(2025, 5, 1, 10, 0, 0));
  const sim = new SimulatedFlightSource({ clock, intervalMs: 0 });

  it('writes four valid sentences that parse back to the fix within NMEA precision', () => {
    const asm = new NmeaFixAssembler({ clock, uere: 3.5 });
    const sent: Fix[] = [];
    const got: Fix[] = [];
    for (let t = 0; t < 300_000; t += 1_000) {
      const fix = sim.positionAt(clock.now() + t);
      sent.push(fix);
      const lines = toNmea(fix, { geoidSeparation: 48.5 });
      expect(lines.map((l) => l.slice(3, 6))).toEqual(['GGA', 'RMC', 'VTG', 'GSA']);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(82);
      const gga = parseNmeaSentence(lines[0]!);
      if (gga.type !== 'GGA') throw new Error('GGA');
      expect(gga.altitudeMsl! + gga.geoidSeparation!).toBeCloseTo(fix.altitudeGeo!, 2);
      got.push(...lines.flatMap((l) => asm.push(parseNmeaSentence(l))));
    }
    expect(got).toHaveLength(sent.length);
    got.forEach((f, i) => {
      const fix = sent[i]!;
      expect(f.time).toBe(Math.round(fix.time / 10) * 10);
      expect(Math.abs(f.latitude - fix.latitude)).toBeLessThan(2e-7);
      expect(Math.abs(f.longitude - fix.longitude)).toBeLessThan(2e-7);
      expect(f.altitudeGeo).toBeCloseTo(fix.altitudeGeo!, 2);
      expect(Math.abs(f.speedHorizontal! - fix.speedHorizontal!)).toBeLessThan(0.001);
      expect(Math.abs(f.direction! - fix.direction!)).toBeLessThan(0.006);
      expect(Math.abs(f.horizontalAccuracy! - fix.horizontalAccuracy!)).toBeLessThan(0.04);
      // The first epoch is emitted as soon as GGA+RMC are in, before its GSA (the VDOP).
      if (i > 0) expect(Math.abs(f.verticalAccuracy! - fix.verticalAccuracy!)).toBeLessThan(0.04);
      // Vertical speed is differenced from altitudes: exact during the constant-rate climb.
      if (i > 0 && sent[i - 1]!.speedVertical === fix.speedVertical) expect(f.speedVertical).toBeCloseTo(fix.speedVertical!, 1);
    });
  });

  it('handles the southern and western hemispheres and minute rounding', () => {
    const [gga] = toNmea({ time: Date.UTC(2025, 0, 1), latitude: -33.999999999, longitude: -151.5, altitudeGeo: 10 });
    expect(gga).toMatch(/^\$GPGGA,000000\.00,3400\.00000,S,15130\.00000,W,1,/);
    expect(parseNmeaSentence(gga!)).toMatchObject({ latitude: -34, longitude: -151.5 });
  });
});

describe('NmeaSource', () => {
  const clock = new ManualClock(Date.UTC(2025, 5, 1, 10, 0, 0));
  const sim = new SimulatedFlightSource({ clock, intervalMs: 0 });
  const simLines = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => toNmea(sim.positionAt(clock.now() + from + i * 1000), { geoidSeparation: 48.5 })).flat();

  it('reads a file, skips and counts damaged sentences, and ends', async () => {
    const lines = simLines(60_000, 20);
    const damaged = [...lines];
    damaged.splice(5, 0, '$GPGGA,garbage*00', 'line noise \u0000\u00ff', s('GPGSV,3,1,11,03,03,111,00'));
    damaged[12] = damaged[12]!.replace(/\*..$/, '*00');
    const file = join(dir, 'track.nmea');
    writeFileSync(file, damaged.join('\r\n') + '\r\n', 'latin1');
    const src = new NmeaSource({ input: { kind: 'file', path: file }, clock });
    const fixes: Fix[] = [];
    const bad: NmeaError[] = [];
    src.on('fix', (f) => fixes.push(f));
    src.on('badSentence', (e) => bad.push(e));
    let ended = false;
    src.on('end', () => (ended = true));
    await src.start();
    await src.finished();
    expect(ended).toBe(true);
    expect(src.stats).toMatchObject({ bad: 3, ignored: 1, fixes: 20 });
    expect(bad.map((e) => e.message)).toEqual([expect.stringMatching(/checksum mismatch/), expect.stringMatching(/does not start/), expect.stringMatching(/checksum mismatch/)]);
    expect(fixes.map((f) => f.time)).toEqual(Array.from({ length: 20 }, (_, i) => clock.now() + 60_000 + i * 1000));
    expect(src.latest()).toEqual(fixes[19]);
    await src.stop();
  });

  it('reassembles sentences split at any byte boundary of a stream', async () => {
    const text = simLines(70_000, 10).join('\r\n') + '\r\n';
    const stream = new PassThrough();
    const src = new NmeaSource({ input: { kind: 'stream', stream }, clock });
    const fixes: Fix[] = [];
    src.on('fix', (f) => fixes.push(f));
    await src.start();
    const buf = Buffer.from(text, 'latin1');
    for (let i = 0; i < buf.length; i += 7) stream.write(buf.subarray(i, i + 7));
    stream.end();
    await src.finished();
    expect(fixes).toHaveLength(10);
    expect(src.stats.bad).toBe(0);
  });

  it('replays a file in real time with times shifted to now', async () => {
    const file = join(dir, 'replay.nmea');
    writeFileSync(file, simLines(80_000, 5).join('\n') + '\n');
    const live = new ManualClock(Date.UTC(2026, 0, 1, 8, 0, 0));
    const waits: number[] = [];
    // The injected sleep advances the manual clock: an hour-long replay would run just as fast.
    const sleep = async (ms: number): Promise<void> => {
      waits.push(ms);
      live.advance(ms);
    };
    const src = new NmeaSource({ input: { kind: 'file', path: file }, clock: live, realtime: true, retime: true, sleep });
    const fixes: Fix[] = [];
    src.on('fix', (f) => fixes.push(f));
    await src.start();
    await src.finished();
    expect(waits).toEqual([1000, 1000, 1000, 1000]);
    expect(fixes.map((f) => f.time - Date.UTC(2026, 0, 1, 8, 0, 0))).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('tells what to do when the file is missing', async () => {
    const src = new NmeaSource({ input: { kind: 'file', path: join(dir, 'nope.nmea') }, clock });
    await expect(src.start()).rejects.toThrow(/cannot read .*nope\.nmea: no such file\. Fix: give a file of NMEA sentences/);
  });

  describe('on a serial port', () => {
    it('reads from the port (serialport mock binding) and reopens it after it goes away', async () => {
      const path = '/dev/ttyMOCKNMEA';
      SerialPortMock.binding.createPort(path, { echo: false, record: false });
      const ports: SerialPortMock[] = [];
      class Recording extends SerialPortMock {
        constructor(o: ConstructorParameters<typeof SerialPortMock>[0]) {
          super(o);
          ports.push(this);
        }
      }
      const src = new NmeaSource({
        input: { kind: 'serial', path, baudRate: 4800 },
        clock,
        serialLoader: async () => Recording as unknown as SerialPortCtor,
        reopen: { initialMs: 5, maxMs: 20 },
      });
      const fixes: Fix[] = [];
      const errors: string[] = [];
      src.on('fix', (f) => fixes.push(f));
      src.on('error', (e) => errors.push(e.message));
      await src.start();
      expect(ports[0]!.baudRate).toBe(4800);
      const lines = simLines(90_000, 6);
      ports[0]!.port!.emitData(Buffer.from(lines.slice(0, 12).join('\r\n') + '\r\n'));
      await waitFor(() => fixes.length >= 3);
      // Unplugged: serialport closes the port (with a DisconnectedError); the source reports it and
      // opens the device again.
      ports[0]!.close();
      await waitFor(() => ports.length === 2 && ports[1]!.isOpen);
      ports[1]!.port!.emitData(Buffer.from(lines.slice(12).join('\r\n') + '\r\n'));
      await waitFor(() => fixes.length >= 6);
      expect(errors).toEqual(['nmea: serial port /dev/ttyMOCKNMEA closed; reopening']);
      expect(fixes.map((f) => f.time - (clock.now() + 90_000))).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
      await src.stop();
      expect(ports[1]!.isOpen).toBe(false);
    });

    it('says what to do when the device does not exist (real serialport binding)', async () => {
      const src = new NmeaSource({ input: { kind: 'serial', path: '/dev/ttyNO_SUCH_GNSS' }, clock });
      await expect(src.start()).rejects.toThrow(/cannot open serial port \/dev\/ttyNO_SUCH_GNSS: .*\(no such device\)\. Fix: plug in the receiver\/autopilot.* list candidates with: ls -l \/dev\/serial\/by-id/);
    });

    it('says how to install serialport when it cannot be loaded', async () => {
      const { loadSerialPort, serialPortLoader } = await import('../src/sources/serial.js');
      expect(typeof (await loadSerialPort())).toBe('function');
      const src = new NmeaSource({ input: { kind: 'serial', path: '/dev/ttyUSB0' }, clock, serialLoader: serialPortLoader('serialport-not-installed') });
      await expect(src.start()).rejects.toThrow(/serial ports need the 'serialport-not-installed' package, which could not be loaded .*\. Fix: install it with: pnpm --filter @odid\/position add serialport@13\.0\.0/);
    });

    it('rejects a non-standard baud rate up front', () => {
      expect(() => new NmeaSource({ input: { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 9601 }, clock })).toThrow(/baud rate 9601 is not a standard rate/);
    });
  });
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
