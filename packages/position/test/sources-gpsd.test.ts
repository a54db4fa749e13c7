import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stopGroup } from '../../../test/support/faults.js';
import { startGpsfake } from '../../../test/support/gpsfake.js';
import { freePort } from '../../../test/support/net.js';
import { ManualClock } from '../src/clock.js';
import { angleDiff, GpsdSource, parseGpsdUrl, SimulatedFlightSource, toNmea, type Fix } from '../src/index.js';

async function waitFor(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('parseGpsdUrl', () => {
  it('parses host, port and device, with gpsd defaults', () => {
    expect(parseGpsdUrl('gpsd://')).toEqual({ host: '127.0.0.1', port: 2947 });
    expect(parseGpsdUrl('gpsd:')).toEqual({ host: '127.0.0.1', port: 2947 });
    expect(parseGpsdUrl('gpsd://localhost')).toEqual({ host: '127.0.0.1', port: 2947 });
    expect(parseGpsdUrl('gpsd://10.0.0.2:3000')).toEqual({ host: '10.0.0.2', port: 3000 });
    expect(parseGpsdUrl('gpsd://[::1]:2948')).toEqual({ host: '::1', port: 2948 });
    expect(parseGpsdUrl('gpsd://127.0.0.1:2947/dev/ttyUSB0')).toEqual({ host: '127.0.0.1', port: 2947, device: '/dev/ttyUSB0' });
    expect(parseGpsdUrl('gpsd:pi.local:2947')).toEqual({ host: 'pi.local', port: 2947 });
  });

  it('rejects bad URLs with the expected form', () => {
    expect(() => parseGpsdUrl('gpsd://host:0')).toThrow(/bad gpsd port .* expected gpsd:\/\/host:port/);
    expect(() => parseGpsdUrl('gpsd://host:99999')).toThrow(/expected gpsd:\/\/host:port/);
    expect(() => parseGpsdUrl('gpsd://u:p@host')).toThrow(/no user/);
    expect(() => parseGpsdUrl('tcp://host')).toThrow(/not a gpsd URL/);
  });
});

/** A scripted stand-in for gpsd: checks the WATCH command and lets the test write raw bytes. */
class FakeGpsd {
  server: Server;
  clients: Socket[] = [];
  watches: string[] = [];
  port = 0;

  constructor() {
    this.server = createServer((sock) => {
      this.clients.push(sock);
      sock.on('data', (d) => this.watches.push(String(d)));
      sock.on('error', () => undefined);
      sock.write('{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}\n');
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  last(): Socket {
    const s = this.clients[this.clients.length - 1];
    if (!s) throw new Error('no client');
    return s;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

describe('GpsdSource against a scripted server', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('watches, reassembles JSON split across TCP writes and maps TPV/SKY to fixes', async () => {
    const gpsd = await new FakeGpsd().listen();
    cleanups.push(() => gpsd.close());
    const clock = new ManualClock(Date.UTC(2025, 5, 1, 12, 0, 0));
    const src = new GpsdSource({ port: gpsd.port, clock });
    cleanups.push(() => src.stop());
    const fixes: Fix[] = [];
    src.on('fix', (f) => fixes.push(f));
    await src.start();
    await waitFor(() => gpsd.watches.length > 0);
    expect(gpsd.watches[0]).toBe('?WATCH={"enable":true,"json":true};\n');

    const sky = JSON.stringify({ class: 'SKY', device: '/dev/ttyUSB0', hdop: 0.9, vdop: 1.4, satellites: [{ PRN: 1, used: true }, { PRN: 2, used: false }] });
    const tpv = JSON.stringify({
      class: 'TPV', device: '/dev/ttyUSB0', mode: 3, time: '2025-06-01T11:59:59.500Z', lat: 47.1234567, lon: 7.7654321,
      altHAE: 612.3, altMSL: 563.8, alt: 563.8, track: 359.99, speed: 12.5, climb: -0.7, epx: 3, epy: 4, epv: 6.5, eps: 0.4,
    });
    const noFix = JSON.stringify({ class: 'TPV', device: '/dev/ttyUSB0', mode: 1 });
    const bytes = Buffer.from(`${sky}\n${tpv}\r\nnot json\n${noFix}\n`);
    // Dribble it out in tiny TCP writes (with pauses, so they really arrive separately).
    for (let i = 0; i < bytes.length; i += 5) {
      gpsd.last().write(bytes.subarray(i, i + 5));
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await waitFor(() => src.stats.tpv === 2);
    expect(fixes).toEqual([
      {
        time: Date.UTC(2025, 5, 1, 11, 59, 59, 500), latitude: 47.1234567, longitude: 7.7654321, altitudeGeo: 612.3, speedHorizontal: 12.5,
        direction: 359.99, speedVertical: -0.7, horizontalAccuracy: 5, verticalAccuracy: 6.5, speedAccuracy: 0.4, fixType: '3d',
      },
    ]);
    expect(src.sky).toEqual({ hdop: 0.9, vdop: 1.4, satellitesVisible: 2, satellitesUsed: 1 });
    expect(src.stats).toMatchObject({ bad: 1, noFix: 1, sky: 1 });
    expect(src.release).toBe('3.22');
    expect(src.latest()).toEqual(fixes[0]);
  });

  it('falls back to MSL + geoid separation, SKY DOPs and the clock when TPV lacks fields', async () => {
    const gpsd = await new FakeGpsd().listen();
    cleanups.push(() => gpsd.close());
    const clock = new ManualClock(Date.UTC(2025, 5, 1, 12, 0, 0));
    const src = new GpsdSource({ port: gpsd.port, clock, uere: 4 });
    cleanups.push(() => src.stop());
    const fixes: Fix[] = [];
    src.on('fix', (f) => fixes.push(f));
    await src.start();
    await waitFor(() => gpsd.clients.length === 1);
    gpsd.last().write('{"class":"SKY","hdop":1.5,"vdop":2.0}\n{"class":"TPV","mode":3,"lat":1,"lon":2,"altMSL":100,"geoidSep":-20}\n{"class":"TPV","mode":2,"lat":1,"lon":2,"alt":5}\n');
    await waitFor(() => fixes.length === 2);
    expect(fixes[0]).toEqual({ time: clock.now(), latitude: 1, longitude: 2, altitudeGeo: 80, horizontalAccuracy: 12, verticalAccuracy: 1.96 * 2 * 4, fixType: '3d' });
    // A 2D fix has no altitude to report.
    expect(fixes[1]).toEqual({ time: clock.now(), latitude: 1, longitude: 2, horizontalAccuracy: 12, fixType: '2d' });
  });

  it('reports gpsd errors and a gpsd without devices', async () => {
    const gpsd = await new FakeGpsd().listen();
    cleanups.push(() => gpsd.close());
    const src = new GpsdSource({ port: gpsd.port, clock: new ManualClock() });
    cleanups.push(() => src.stop());
    const errors: string[] = [];
    src.on('error', (e) => errors.push(e.message));
    await src.start();
    await waitFor(() => gpsd.clients.length === 1);
    gpsd.last().write('{"class":"DEVICES","devices":[]}\n{"class":"ERROR","message":"Unrecognized request"}\n');
    await waitFor(() => errors.length === 2);
    expect(errors[0]).toMatch(/has no GNSS device\. Fix: add one: gpsdctl add/);
    expect(errors[1]).toBe('gpsd: Unrecognized request');
  });

  it('reconnects with backoff when gpsd goes away and comes back', async () => {
    const first = await new FakeGpsd().listen();
    const port = first.port;
    const src = new GpsdSource({ port, clock: new ManualClock(), reconnect: { initialMs: 20, maxMs: 80 } });
    cleanups.push(() => src.stop());
    const fixes: Fix[] = [];
    const events: string[] = [];
    src.on('fix', (f) => fixes.push(f));
    src.on('connect', () => events.push('connect'));
    src.on('disconnect', () => events.push('disconnect'));
    src.on('error', () => events.push('retry-failed'));
    await src.start();
    await waitFor(() => first.clients.length === 1);
    first.last().write('{"class":"TPV","mode":2,"lat":1,"lon":1}\n');
    await waitFor(() => fixes.length === 1);

    await first.close(); // gpsd stops: connection dropped, port closed
    await waitFor(() => events.includes('retry-failed'), 5000, 'a failed reconnect attempt');
    const second = await new FakeGpsd().listen(port); // gpsd restarted
    cleanups.push(() => second.close());
    await waitFor(() => second.clients.length === 1, 5000, 'reconnection');
    await waitFor(() => second.watches.length === 1);
    second.last().write('{"class":"TPV","mode":2,"lat":2,"lon":2}\n');
    await waitFor(() => fixes.length === 2);
    expect(fixes[1]!.latitude).toBe(2);
    expect(events[0]).toBe('connect');
    expect(events[1]).toBe('disconnect');
    expect(events[events.length - 1]).toBe('connect');
    expect(src.stats.connects).toBe(2);
  });

  it('says how to get gpsd running when nothing listens', async () => {
    const port = await freePort();
    const src = new GpsdSource({ port, clock: new ManualClock() });
    await expect(src.start()).rejects.toThrow(new RegExp(`gpsd not reachable at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\. Fix: run gpsd, watching your receiver.*apt-get install gpsd`));
  });
});

describe('GpsdSource against a real gpsd fed by gpsfake', () => {
  const dir = mkdtempSync(join(tmpdir(), 'odid-gpsfake-'));
  let child: ChildProcess | undefined;
  let src: GpsdSource | undefined;
  afterAll(async () => {
    await src?.stop();
    // gpsfake runs gpsd as its child: end the whole process group we started (gpsd with it).
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the simulated route through gpsd within NMEA precision', async () => {
    // 40 s of the default route: end of the climb, the first turn and the start of the cruise.
    const simClock = new ManualClock(Date.UTC(2025, 5, 1, 10, 0, 0));
    const sim = new SimulatedFlightSource({ clock: simClock, intervalMs: 0 });
    const first = simClock.now() + 45_000;
    const epochs = 40;
    const log = join(dir, 'sim.nmea');
    const lines: string[] = [];
    for (let i = 0; i < epochs; i++) lines.push(...toNmea(sim.positionAt(first + i * 1000), { geoidSeparation: 48.5 }));
    writeFileSync(log, lines.join('\r\n') + '\r\n');

    // -1: gpsfake plays the log once and exits.
    const gpsfake = await startGpsfake(log, { cycleS: 0.05, once: true });
    child = gpsfake.child;
    const { port } = gpsfake;
    const stderr = gpsfake.stderr;

    // The source's clock is far from the log's times, so any fix stamped with clock time stands out.
    src = new GpsdSource({ port, clock: new ManualClock(Date.UTC(2030, 0, 1)) });
    const fixes: Fix[] = [];
    src.on('fix', (f) => fixes.push(f));
    // gpsfake needs a moment to start gpsd: retry the connection for a bounded time.
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await src.start();
        break;
      } catch (e) {
        if (child.exitCode !== null) throw new Error(`gpsfake exited with ${child.exitCode}: ${stderr()}`);
        if (Date.now() > deadline) throw new Error(`gpsd from gpsfake did not accept connections on ${port} within 15 s: ${(e as Error).message}\n${stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // -1: gpsfake plays the log once and exits; 40 epochs x 4 sentences x 0.05 s = 8 s.
    await waitFor(() => child!.exitCode !== null || fixes.some((f) => f.time === first + (epochs - 1) * 1000), 30_000, 'the whole log played');

    const inLog = fixes.filter((f) => f.time >= first && f.time < first + epochs * 1000);
    // gpsd starts reading the device when our WATCH arrives: the first epochs may be gone by then.
    expect(inLog.length).toBeGreaterThanOrEqual(15);
    for (const f of inLog) {
      const want = sim.positionAt(f.time);
      expect(f.time % 1000).toBe(0);
      expect(f.fixType).toBe('3d');
      expect(Math.abs(f.latitude - want.latitude)).toBeLessThan(2e-7); // 1e-5 arc-minute in NMEA
      expect(Math.abs(f.longitude - want.longitude)).toBeLessThan(2e-7);
      expect(f.altitudeGeo).toBeCloseTo(want.altitudeGeo!, 2); // gpsd added the geoid separation back
      expect(Math.abs(f.speedHorizontal! - want.speedHorizontal!)).toBeLessThan(0.002);
      if (want.speedHorizontal! > 1) expect(Math.abs(angleDiff(f.direction!, want.direction!))).toBeLessThan(0.01);
      expect(f.horizontalAccuracy).toBeGreaterThan(0);
    }
    // The turn after the climb is in there: the course really changes along the way.
    const courses = inLog.filter((f) => f.speedHorizontal! > 1).map((f) => f.direction!);
    expect(Math.max(...courses) - Math.min(...courses)).toBeGreaterThan(30);
  });
});
