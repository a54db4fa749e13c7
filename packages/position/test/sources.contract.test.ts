/**
 * Every position source through the PositionSource contract (position-source-contract.ts): static and the
 * simulated flight (built-in route and a route file), NMEA from a file (paced, and as fast as read) and
 * from a real pipe (as `nmea:-` reads standard input), gpsd for real (gpsd run by gpsfake, as
 * sources-gpsd.test.ts does) and MAVLink 2 over UDP on loopback. Sources are made from their --position
 * spec through the registry where one exists, as the CLIs make them. The suite is test/contract's; this run
 * sits with the position package's tests because it speaks MAVLink with node-mavlink, a dependency of this
 * package only.
 */

import type { ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { common, minimal, MavLinkProtocolV2, type MavLinkData } from 'node-mavlink';
import { afterAll, beforeAll } from 'vitest';
import { stopGroup } from '../../../test/support/faults.js';
import { startGpsfake } from '../../../test/support/gpsfake.js';
import { freePort } from '../../../test/support/net.js';
import {
  createPositionSource,
  DEFAULT_ROUTE,
  GpsdSource,
  ManualClock,
  SimulatedFlightSource,
  StaticSource,
  systemClock,
  toNmea,
  type PositionSource,
} from '@odid/position';
import { describePositionSourceContract, type PositionSourceRig } from '../../../test/contract/position-source-contract.js';
import { pipeFeeder, waitFor } from '../../../test/contract/harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'odid-position-contract-'));
let files = 0;
const scratchFile = (name: string): string => join(scratch, `${files++}-${name}`);
const deps = { clock: systemClock };

// --- Sources whose position is a function of time.

const NOTHING_TO_OPEN = 'a fixed point or a simulated flight opens nothing: no device, file or port can be missing';
const NO_FAILURE_MODE = 'computed from the clock: nothing can go wrong while it runs';

describePositionSourceContract('static, a fixed point (fixes every 20 ms)', () => ({ source: new StaticSource({ latitude: 47.3977, longitude: 8.5456, altitude: 488, clock: systemClock, intervalMs: 20 }), quietMs: 100 }), {
  notApplicable: { 'open-failure': NOTHING_TO_OPEN, 'runtime-errors': NO_FAILURE_MODE },
});

describePositionSourceContract('sim, the built-in route (fixes every 20 ms)', () => ({ source: new SimulatedFlightSource({ clock: systemClock, intervalMs: 20 }), quietMs: 100 }), {
  notApplicable: { 'open-failure': NOTHING_TO_OPEN, 'runtime-errors': NO_FAILURE_MODE },
});

const routeFile = scratchFile('route.json');
writeFileSync(routeFile, JSON.stringify({ ...DEFAULT_ROUTE, name: 'contract route', speed: 8 }));

describePositionSourceContract('sim:route.json through the registry (a route file, fixes every 200 ms)', () => ({ source: createPositionSource(`sim:${routeFile}`, deps), quietMs: 450 }), {
  failing: [{ name: 'a route file that does not exist', make: () => ({ source: createPositionSource(`sim:${join(scratch, 'no-route.json')}`, deps) }), code: 'route-file' }],
  notApplicable: { 'runtime-errors': NO_FAILURE_MODE },
});

// --- NMEA.

/** `epochs` epochs of the simulated flight as a receiver sends them (GGA, RMC, VTG, GSA), `stepMs` apart. */
function nmeaEpochs(from: number, epochs: number, stepMs: number): string[] {
  const sim = new SimulatedFlightSource({ clock: new ManualClock(Date.UTC(2025, 5, 1, 10, 0, 0)), intervalMs: 0 });
  const start = sim.timeline.startTime + 45_000;
  const lines: string[] = [];
  for (let i = from; i < from + epochs; i++) lines.push(...toNmea(sim.positionAt(start + i * stepMs), { geoidSeparation: 48.5 }));
  return lines;
}

/** 400 epochs 50 ms apart: 20 s of flight, replayed at its own pace. */
const nmeaFile = scratchFile('flight.nmea');
writeFileSync(nmeaFile, nmeaEpochs(0, 400, 50).join('\r\n') + '\r\n');
const missingNmea = { name: 'an NMEA file that does not exist', make: () => ({ source: createPositionSource(`nmea:${join(scratch, 'no.nmea')}`, deps) }), code: 'unreadable' };

describePositionSourceContract('nmea:FILE through the registry, paced by its own times', () => ({ source: createPositionSource(`nmea:${nmeaFile}`, deps), quietMs: 200 }), {
  failing: [missingNmea],
  notApplicable: { 'runtime-errors': "a bad sentence is counted and told as 'badSentence' (an NmeaError), not as an error; a file read cannot be made to fail here" },
});

describePositionSourceContract('nmea:FILE?realtime=0 through the registry, as fast as read', () => ({ source: createPositionSource(`nmea:${nmeaFile}?realtime=0`, deps) }), {
  finite: true,
  failing: [missingNmea],
  notApplicable: { 'runtime-errors': 'as for the paced file' },
});

/** `nmea:-` on a real pipe (what `gpspipe -r | rid-broadcast --position nmea:-` gives it): one epoch per drive. */
describePositionSourceContract(
  'nmea:- through the registry, standard input on a real pipe',
  (): PositionSourceRig<PositionSource> => {
    const feeder = pipeFeeder();
    let epoch = 0;
    return {
      source: createPositionSource('nmea:-', { ...deps, stdin: feeder.output }),
      drive: () => feeder.write(nmeaEpochs(epoch++, 1, 1000).join('\r\n') + '\r\n'),
      dispose: () => feeder.close(),
    };
  },
  {
    notApplicable: {
      'open-failure': 'standard input is handed over open: there is nothing left to open',
      'runtime-errors': "a bad sentence is counted and told as 'badSentence' (an NmeaError), not as an error",
    },
  },
);

// --- gpsd: the real gpsd, started by gpsfake on a free port, looping over an NMEA log.

let gpsfake: ChildProcess | undefined;
let gpsdPort = 0;
let gpsfakeErr = (): string => '';

beforeAll(async () => {
  const log = scratchFile('gpsfake.nmea');
  writeFileSync(log, nmeaEpochs(0, 20, 1000).join('\r\n') + '\r\n');
  // Looping over the log, 10 ms between sentences: a fix every 40 ms for as long as the file runs.
  const started = await startGpsfake(log, { cycleS: 0.01, once: false });
  gpsfake = started.child;
  gpsdPort = started.port;
  gpsfakeErr = started.stderr;
  // gpsfake needs a moment to start gpsd: wait until it takes connections.
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        if (gpsfake?.exitCode !== null) throw new Error(`gpsfake exited with ${gpsfake?.exitCode}: ${gpsfakeErr()}`);
        const s = connect({ host: '127.0.0.1', port: gpsdPort });
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      }),
    `gpsd from gpsfake on port ${gpsdPort}`,
    15_000,
  );
}, 30_000);

afterAll(async () => {
  // gpsfake runs gpsd as its child: end the whole process group, insisting if gpsfake ignores SIGTERM.
  await stopGroup(gpsfake);
  rmSync(scratch, { recursive: true, force: true });
});

/** A gpsd stand-in that answers a WATCH with `reports` (gpsd's own wording), then a fix every 20 ms. */
function scriptedGpsd(reports: object[]): { port: () => number; server: Server; close(): Promise<void> } {
  const clients = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((sock) => {
    clients.add(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => clients.delete(sock));
    sock.write('{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}\n');
    sock.once('data', () => {
      for (const r of reports) sock.write(JSON.stringify(r) + '\n');
      const t = setInterval(() => sock.write(JSON.stringify({ class: 'TPV', mode: 3, time: new Date().toISOString(), lat: 47.1, lon: 7.7, altHAE: 600 }) + '\n'), 20);
      timers.add(t);
      sock.once('close', () => (clearInterval(t), timers.delete(t)));
    });
  });
  server.listen(0, '127.0.0.1');
  return {
    server,
    port: () => (server.address() as AddressInfo).port,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const c of clients) c.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

async function scriptedGpsdRig(reports: object[]): Promise<PositionSourceRig<PositionSource>> {
  const gpsd = scriptedGpsd(reports);
  await new Promise<void>((r) => (gpsd.server.listening ? r() : gpsd.server.once('listening', () => r())));
  return { source: createPositionSource(`gpsd://127.0.0.1:${gpsd.port()}`, deps), dispose: () => gpsd.close() };
}

describePositionSourceContract('gpsd://127.0.0.1:PORT through the registry, the real gpsd run by gpsfake', () => ({ source: createPositionSource(`gpsd://127.0.0.1:${gpsdPort}`, deps), quietMs: 200 }), {
  failing: [
    {
      name: 'nothing listening on the port',
      make: async () => ({ source: new GpsdSource({ port: await freePort(), clock: systemClock, connectTimeoutMs: 2000 }) }),
      code: 'unreachable',
    },
  ],
  troubled: [
    { name: 'gpsd runs without a GNSS receiver (DEVICES is empty)', make: () => scriptedGpsdRig([{ class: 'DEVICES', devices: [] }]) },
    { name: 'gpsd refuses a request (an ERROR report)', make: () => scriptedGpsdRig([{ class: 'ERROR', message: "Unrecognized request '?WATCH'" }]) },
  ],
});

// --- MAVLink 2 over UDP on loopback: an autopilot (node-mavlink frames) sending to the source.

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const make = <T extends MavLinkData>(C: new () => T, fields: Partial<T>): T => Object.assign(new C(), fields);

async function mavlinkRig(): Promise<PositionSourceRig<PositionSource>> {
  const port = await freeUdpPort();
  // Bound now: a socket bound by its first send would look like one the source left open.
  const autopilot: UdpSocket = createSocket('udp4');
  await new Promise<void>((r) => autopilot.bind(0, '127.0.0.1', r));
  let seq = 0;
  const send = (msg: MavLinkData): Promise<void> =>
    new Promise((resolve) => autopilot.send(new MavLinkProtocolV2(1, 1).serialize(msg, seq++ & 0xff), port, '127.0.0.1', () => resolve()));
  return {
    source: createPositionSource(`mavlink:udp://127.0.0.1:${port}`, deps),
    drive: async () => {
      await send(make(minimal.Heartbeat, { type: 2, autopilot: 3, baseMode: 128 | 1, customMode: 0, systemStatus: 4, mavlinkVersion: 3 }));
      await send(make(common.GlobalPositionInt, { timeBootMs: 600_000 + seq, lat: 471234567, lon: 75432100, alt: 550_250, relativeAlt: 100_500, vx: 300, vy: -400, vz: -150, hdg: 9000 }));
    },
    dispose: () => new Promise<void>((r) => autopilot.close(() => r())),
  };
}

/** A UDP port another program (a GCS, mavlink-router) holds. */
async function portInUseRig(): Promise<PositionSourceRig<PositionSource>> {
  const holder = createSocket('udp4');
  await new Promise<void>((r) => holder.bind(0, '127.0.0.1', r));
  return { source: createPositionSource(`mavlink:udp://127.0.0.1:${holder.address().port}`, deps), dispose: () => new Promise<void>((r) => holder.close(() => r())) };
}

describePositionSourceContract('mavlink:udp://127.0.0.1:PORT through the registry (MAVLink 2 on loopback)', mavlinkRig, {
  failing: [
    { name: 'the port is in use', make: portInUseRig, code: 'busy' },
    { name: 'an address that is not this machine\'s', make: () => ({ source: createPositionSource('mavlink:udp://192.0.2.1:14550', deps) }), code: 'no-address' },
  ],
  notApplicable: { 'runtime-errors': 'a UDP socket error or a CRC-valid frame that does not decode cannot be provoked over loopback (bad frames are counted in stats)' },
});
