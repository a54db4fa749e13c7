/**
 * Every receiver output through the output contract (test/contract/output-contract.ts), each on a real sink:
 * JSONL, recording and pcapng streamed into a file as rid-scan opens it (openOutputFile), a full disk being
 * /dev/full; the GeoJSON and KML exports through rid-scan's own output set (openOutputs), written when it
 * closes; CoT over UDP and TCP to peers on loopback; the map's server with a page connected over its
 * WebSocket. This run sits with the receiver's tests because the page is a `ws` client, a dependency of
 * this package only; the suite is test/contract's.
 */

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import WebSocket from 'ws';
import { buildAirFrames, encodeMessage, RemoteIdExtractor, type SingleMessageInput } from '@odid/codec';
import { openOutputFile } from '@odid/commands';
import { openOutputs } from '../src/cli/outputs.js';
import { createCotOutput } from '../src/outputs/cot.js';
import { createTcpCotSender, createUdpCotSender } from '../src/outputs/cot-send.js';
import { createJsonlOutput } from '../src/outputs/jsonl.js';
import { createPcapngOutput } from '../src/outputs/pcapng.js';
import { createRecordingWriter } from '../src/outputs/recording.js';
import type { RawFrame } from '../src/outputs/types.js';
import { WebMapServer } from '../src/outputs/web/server.js';
import { Tracker } from '../src/tracker/tracker.js';
import type { TrackUpdate } from '../src/tracker/types.js';
import { describeOutputContract, type OutputRig } from '../../../test/contract/output-contract.js';
import { waitFor } from '../../../test/contract/harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'odid-output-contract-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;
const scratchFile = (name: string): string => join(scratch, `${files++}-${name}`);
const size = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

// --- What the outputs are given: one drone heard on Wi-Fi, through the real frame builders, decoder and tracker.

const T0 = 1_750_000_000_000;
const location = (lat: number): SingleMessageInput => ({
  type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: lat, longitude: 8.5,
  altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 2, timestamp: 100,
});
const payload = (i: number): Uint8Array =>
  encodeMessage({ type: 'messagePack', messages: [{ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F0123456789A' }, location(47 + i / 1e4)] });
const frame = (i: number): RawFrame => {
  const f = buildAirFrames({ transport: 'wifi-beacon', address: '02:00:00:00:00:01', counter: i & 0xff, payload: payload(i) })[0]!;
  return { t: (T0 + i * 100) / 1000, linkType: f.linkType, data: f.data };
};

/** A tracker fed the drone's beacons, and its updates one per beacon. */
function flight(): { tracker: Tracker; update(i: number): TrackUpdate } {
  const tracker = new Tracker();
  const extractor = new RemoteIdExtractor();
  const updates = new Map<number, TrackUpdate>();
  let fed = -1;
  return {
    tracker,
    update(i) {
      for (; fed < i; ) {
        fed++;
        const f = frame(fed);
        let last: TrackUpdate | undefined;
        for (const m of extractor.fromRecord(f.linkType, f.data, { t: f.t })) last = tracker.ingest(m, f.t * 1000) ?? last;
        if (last) updates.set(fed, last);
      }
      const u = updates.get(i) ?? [...updates.values()].pop();
      if (!u) throw new Error(`no track update for beacon ${i}`);
      return u;
    },
  };
}

// --- Streamed into a file, as rid-scan opens one; /dev/full is a disk that is full.

function fileRig<T>(make: (sink: ReturnType<typeof openOutputFile>) => { write(x: T): void; close(): Promise<void> }, item: (i: number) => T, path = scratchFile('out')): OutputRig<T> {
  const reported: unknown[] = [];
  return {
    open: () => make(openOutputFile({ option: '--out', path }, { onError: (_line, e) => reported.push(e) })),
    item,
    received: () => size(path),
    reported: () => reported,
  };
}

const updates = (): ((i: number) => TrackUpdate) => {
  const f = flight();
  return (i) => f.update(i);
};

const FULL_DISK = { name: 'a full disk (/dev/full)', code: 'write-failed' };

describeOutputContract('jsonl track updates into a file', () => fileRig((sink) => createJsonlOutput(sink, { messages: false }), updates()), {
  failingSink: [{ ...FULL_DISK, make: () => fileRig((sink) => createJsonlOutput(sink, { messages: false }), updates(), '/dev/full') }],
  notApplicable: { 'open-failure': 'the file is checked before (checkOutputPaths: OutputPathError) and opened by the caller; a failure to write it is the failing-sink check' },
});

describeOutputContract('recording (CBOR frames) into a file', () => fileRig((sink) => createRecordingWriter(sink), frame), {
  failingSink: [{ ...FULL_DISK, make: () => fileRig((sink) => createRecordingWriter(sink), frame, '/dev/full') }],
  notApplicable: { 'open-failure': 'as for jsonl: the caller checks and opens the file' },
});

describeOutputContract('pcapng frames into a file', () => fileRig((sink) => createPcapngOutput(sink), frame), {
  failingSink: [{ ...FULL_DISK, make: () => fileRig((sink) => createPcapngOutput(sink), frame, '/dev/full') }],
  notApplicable: { 'open-failure': 'as for jsonl: the caller checks and opens the file' },
});

// --- The exports: rid-scan's output set writes them from the final tracks when it closes.

function exportRig(name: string, target = scratchFile(name)): OutputRig<TrackUpdate> {
  const f = flight();
  const lines: string[] = [];
  return {
    open: async () => {
      const outputs = await openOutputs({ out: [target] }, (line) => lines.push(line));
      return {
        // An export takes no updates: the tracker's tracks are what it writes.
        write: (u) => outputs.sinks.update?.(u),
        close: async () => {
          await outputs.close(f.tracker.tracks());
          if (outputs.failed) lines.push(...outputs.problems().map((p) => `problem: ${p}`));
        },
      };
    },
    item: (i) => f.update(i),
    received: () => size(target),
    // The output set says what failed in its lines (and its exit status): no error object is handed on.
    reported: () => lines.filter((l) => !/^wrote /.test(l)),
  };
}

const EXPORT_NA = {
  'write-after-close': 'an export takes no writes: it is rendered from the final tracks when the output set closes',
  'sink-failure':
    "rid-scan's output set reports a failed export as one line and exit status 1 (test/faults/output-failures.test.ts writes one to /dev/full); it hands no error object on to type-check",
  'open-failure': 'an export opens nothing until it is written whole (writeFileReplacing); its path is checked before the run (checkOutputPaths)',
};

describeOutputContract('geojson export (rid-scan --out FILE.geojson)', () => exportRig('tracks.geojson'), { notApplicable: EXPORT_NA });
describeOutputContract('kml export (rid-scan --out FILE.kml)', () => exportRig('tracks.kml'), { notApplicable: EXPORT_NA });

// --- Cursor-on-Target over UDP and TCP to peers on loopback.

async function udpPeer(): Promise<{ socket: UdpSocket; port: number; datagrams: () => number; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  let n = 0;
  socket.on('message', () => n++);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, port: socket.address().port, datagrams: () => n, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

async function tcpPeer(): Promise<{ server: Server; port: number; bytes: () => number; close(): Promise<void> }> {
  const clients = new Set<Socket>();
  let n = 0;
  const server = createServer((s) => {
    clients.add(s);
    s.on('data', (d) => (n += d.length));
    s.on('error', () => undefined);
    s.on('close', () => clients.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    bytes: () => n,
    close: async () => {
      for (const c of clients) c.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

async function cotUdpRig(host?: string): Promise<OutputRig<TrackUpdate>> {
  const peer = await udpPeer();
  const reported: unknown[] = [];
  const next = updates();
  return {
    open: async () => createCotOutput(await createUdpCotSender({ host: host ?? '127.0.0.1', port: peer.port }), { minIntervalMs: 0, onError: (e) => reported.push(e) }),
    item: next,
    received: peer.datagrams,
    reported: () => reported,
    dispose: () => peer.close(),
  };
}

async function cotTcpRig(): Promise<OutputRig<TrackUpdate>> {
  const peer = await tcpPeer();
  const reported: unknown[] = [];
  const next = updates();
  return {
    open: async () => createCotOutput(await createTcpCotSender({ host: '127.0.0.1', port: peer.port }), { minIntervalMs: 0, onError: (e) => reported.push(e) }),
    item: next,
    received: peer.bytes,
    reported: () => reported,
    dispose: () => peer.close(),
  };
}

/** A TAK server that takes the connection and drops it at once: every send after that fails. */
async function cotTcpDroppedRig(): Promise<OutputRig<TrackUpdate>> {
  const peer = await tcpPeer();
  peer.server.on('connection', (s) => s.destroy());
  const reported: unknown[] = [];
  const next = updates();
  return {
    open: async () => {
      const sender = await createTcpCotSender({ host: '127.0.0.1', port: peer.port });
      // Once the peer's close has arrived, every write fails.
      await new Promise((r) => setTimeout(r, 50));
      return createCotOutput(sender, { minIntervalMs: 0, onError: (e) => reported.push(e) });
    },
    item: next,
    received: peer.bytes,
    reported: () => reported,
    dispose: () => peer.close(),
  };
}

describeOutputContract('cot over UDP to a peer on loopback', () => cotUdpRig(), {
  quietMs: 100,
  failingSink: [{ name: 'a broadcast address, which the socket may not send to (EACCES)', make: () => cotUdpRig('255.255.255.255'), code: 'send-failed' }],
  notApplicable: { 'open-failure': 'a UDP sender binds an ephemeral port, which does not fail; an unresolvable host needs a resolver this test machine may not answer quickly' },
});

describeOutputContract('cot over TCP to a peer on loopback', cotTcpRig, {
  quietMs: 100,
  failingSink: [{ name: 'a TAK server that drops the connection', make: cotTcpDroppedRig, code: 'send-failed' }],
  failingOpen: [
    {
      name: 'nothing listening (ECONNREFUSED)',
      make: async () => {
        const peer = await tcpPeer();
        const port = peer.port;
        await peer.close();
        return { open: () => createTcpCotSender({ host: '127.0.0.1', port }) };
      },
      code: 'unreachable',
    },
  ],
});

// --- The map's server, with a page connected over its WebSocket.

const assets = mkdtempSync(join(tmpdir(), 'odid-output-contract-web-'));
writeFileSync(join(assets, 'index.html'), '<!doctype html><title>map</title>');
afterAll(() => rmSync(assets, { recursive: true, force: true }));

function webServer(tracker: Tracker, port = 0): WebMapServer {
  return new WebMapServer({
    host: '127.0.0.1',
    port,
    assetsDir: assets,
    mode: 'live',
    source: 'contract',
    tracks: () => tracker.tracks(),
    track: (key) => tracker.get(key),
    now: () => tracker.now,
    batchIntervalMs: 20,
  });
}

function webRig(): OutputRig<TrackUpdate> {
  const f = flight();
  let messages = 0;
  let page: WebSocket | undefined;
  return {
    open: async () => {
      const server = webServer(f.tracker);
      const url = await server.start();
      page = new WebSocket(`ws://127.0.0.1:${url.port}/ws`, { headers: { Origin: `http://127.0.0.1:${url.port}` } });
      page.on('message', () => messages++);
      page.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => (page!.once('open', () => resolve()), page!.once('error', reject)));
      // The hello and the snapshot come first; what the output is tested on comes after them.
      await waitFor(() => messages >= 2, 'the hello and the snapshot');
      return server;
    },
    item: (i) => f.update(i),
    received: () => messages,
    leaks: () => (page && page.readyState !== WebSocket.CLOSED ? ['the page\'s WebSocket is still open'] : []),
  };
}

describeOutputContract('web map server with a page connected', webRig, {
  quietMs: 100,
  notApplicable: { 'sink-failure': 'a page that goes away is dropped and gets a snapshot when it comes back (web-server.test.ts); there is no sink to fail' },
  failingOpen: [
    {
      name: 'the port is in use',
      make: async () => {
        const holder = await tcpPeer();
        return { open: () => webServer(new Tracker(), holder.port).start(), dispose: () => holder.close() };
      },
      code: 'port-in-use',
    },
    {
      name: 'the map page is not built',
      make: () => ({
        open: () =>
          new WebMapServer({ host: '127.0.0.1', port: 0, assetsDir: join(scratch, 'no-page'), mode: 'live', source: 'contract', tracks: () => [], track: () => undefined, now: () => 0 }).start(),
      }),
      code: 'not-built',
    },
  ],
});
