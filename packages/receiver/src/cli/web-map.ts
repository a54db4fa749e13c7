/**
 * `rid-scan --web [ADDR:PORT]`: the live map beside whatever else the run does. Parses the address, puts
 * the map server on the pipeline (track updates, and raw frames: for the session recording export and a
 * replay's clock), says where to open it — with a QR code for a phone when a token is needed — and lists
 * the exports the page offers, all made by the receiver from its own tracks.
 */

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import QRCode from 'qrcode';
import { tracksToGeoJson } from '../outputs/geojson.js';
import { tracksToKml } from '../outputs/kml.js';
import { trackToCot } from '../outputs/cot.js';
import { DEFAULT_WEB_HOST, DEFAULT_WEB_PORT, WebMapServer, type WebExport } from '../outputs/web/server.js';
import { SessionRecording } from '../outputs/web/session-recording.js';
import type { PipelineSinks } from '../pipeline.js';
import type { Tracker } from '../tracker/tracker.js';

export interface WebAddress {
  host: string;
  port: number;
}

/** `--web` alone, `PORT`, `ADDR`, `ADDR:PORT` or `[IPv6]:PORT`. */
export function parseWebAddress(value: string | true): WebAddress {
  if (value === true || value === '') return { host: DEFAULT_WEB_HOST, port: DEFAULT_WEB_PORT };
  const bad = (): never => {
    throw new Error(`--web takes ADDR:PORT, ADDR or PORT (e.g. 127.0.0.1:${DEFAULT_WEB_PORT}, 0.0.0.0:8080, [::1]:${DEFAULT_WEB_PORT}); got ${JSON.stringify(value.slice(0, 60))}`);
  };
  const port = (p: string | undefined): number => {
    if (p === undefined) return DEFAULT_WEB_PORT;
    const n = Number(p);
    if (!/^\d{1,5}$/.test(p) || n > 65535) bad();
    return n;
  };
  if (/^\d+$/.test(value)) return { host: DEFAULT_WEB_HOST, port: port(value) };
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(value);
  if (v6) return { host: v6[1]!, port: port(v6[2]) };
  const m = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(value);
  if (!m) bad();
  return { host: m![1]!, port: port(m![2]) };
}

/** A PMTiles archive (version 3) that this process can read: checked before the run, not when a page asks. */
export function checkBasemap(file: string): void {
  let head: Buffer;
  try {
    if (!statSync(file).isFile()) throw new Error('not a regular file');
    const fd = openSync(file, 'r');
    head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    closeSync(fd);
  } catch (e) {
    throw new Error(`--basemap ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (head.toString('latin1', 0, 7) !== 'PMTiles' || head[7] !== 3) throw new Error(`--basemap ${file}: not a PMTiles v3 archive (it starts with ${JSON.stringify(head.toString('latin1').replace(/[^ -~]/g, '.'))})`);
}

export interface WebMapSetup {
  address: WebAddress;
  mode: 'live' | 'replay';
  source: string;
  basemap?: string;
  /** Where the built page is (default: the package's dist/web); a bundled copy of this code must say. */
  assetsDir?: string;
  /** Live: track states a second to the pages in all (default: the batcher's, DEFAULT_STATES_PER_SECOND). */
  statesPerSecond?: number;
  tracker: Tracker;
  /** The zones in force as GeoJSON, and how to save a drawn one (only with a zones file). */
  zones?(): unknown;
  saveZones?(collection: unknown): Promise<void>;
  say(line: string): void;
}

export interface WebMapRun {
  server: WebMapServer;
  /** The pipeline's sinks with the map added. */
  sinks: PipelineSinks;
  /** The session recording the page offers (session.cbor). */
  recording: SessionRecording;
}

/** Starts the map server and returns the sinks to give the pipeline instead of `sinks`. */
export async function startWebMap(setup: WebMapSetup, sinks: PipelineSinks): Promise<WebMapRun> {
  const { tracker } = setup;
  const recording = new SessionRecording();
  const exports: WebExport[] = [
    { name: 'tracks.geojson', contentType: 'application/geo+json', produce: () => JSON.stringify(tracksToGeoJson(tracker.tracks()), null, 1) },
    { name: 'tracks.kml', contentType: 'application/vnd.google-earth.kml+xml', produce: () => tracksToKml(tracker.tracks()) },
    {
      name: 'tracks.cot.xml',
      contentType: 'application/xml',
      // One CoT event per line (drone, then operator), as a TAK server or `nc` replays them.
      produce: () => tracker.tracks().flatMap((t) => trackToCot(t, tracker.now || Date.now()).map((e) => e.xml)).join('\n') + '\n',
    },
    { name: 'session.cbor', contentType: 'application/cbor', produce: () => recording.bytes() },
  ];
  const server = new WebMapServer({
    host: setup.address.host,
    port: setup.address.port,
    mode: setup.mode,
    source: setup.source,
    ...(setup.basemap ? { basemap: setup.basemap } : {}),
    ...(setup.assetsDir ? { assetsDir: setup.assetsDir } : {}),
    ...(setup.statesPerSecond ? { statesPerSecond: setup.statesPerSecond } : {}),
    tracks: () => tracker.tracks(),
    track: (key) => tracker.get(key),
    now: () => tracker.now || Date.now(),
    receiver: () => {
      const p = tracker.receiverPosition;
      return p ? { lat: p.lat, lon: p.lon } : null;
    },
    exports,
    ...(setup.zones ? { zones: setup.zones } : {}),
    ...(setup.saveZones ? { saveZones: setup.saveZones } : {}),
  });
  const url = await server.start();
  // Bound to every address, a phone needs one of this machine's own: one URL per network address.
  const urls = ['0.0.0.0', '[::]'].includes(url.hostname) ? lanAddresses().map((a) => withHost(url, a)) : [];
  setup.say(`map at ${url.href}`);
  for (const u of urls) setup.say(`map at ${u.href}`);
  if (server.token) {
    setup.say('the map is reachable from other machines: it needs the token in the URL (scan the code with a phone)');
    process.stderr.write(await QRCode.toString((urls[0] ?? url).href, { type: 'terminal', small: true }));
  }
  // The sinks as they are now: the caller may assign the result onto the same object.
  const { frame, update, forgotten } = sinks;
  const replay = setup.mode === 'replay';
  return {
    server,
    recording,
    sinks: {
      ...sinks,
      frame: (f) => {
        // Before the tracker takes the frame: a replay's batcher runs on the frames' clock. Live that does
        // nothing, and is not called (its argument would be a number boxed per frame).
        if (replay) server.frameTime(f.t * 1000);
        recording.write(f);
        frame?.(f);
      },
      update: (u) => {
        server.write(u);
        update?.(u);
      },
      forgotten: (keys) => {
        server.forget(keys);
        forgotten?.(keys);
      },
    },
  };
}

/** This machine's non-internal addresses (IPv4 first): where a phone on the same network reaches it. */
function lanAddresses(): string[] {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((i) => !i.internal);
  return [...all.filter((i) => i.family === 'IPv4'), ...all.filter((i) => i.family === 'IPv6' && !i.address.startsWith('fe80'))].map((i) => (i.family === 'IPv6' ? `[${i.address}]` : i.address));
}

function withHost(url: URL, host: string): URL {
  const u = new URL(url.href);
  u.hostname = host;
  return u;
}
