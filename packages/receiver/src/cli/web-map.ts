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
import { createRecordingWriter } from '../outputs/recording.js';
import { DEFAULT_WEB_HOST, DEFAULT_WEB_PORT, WebMapServer, type WebExport } from '../outputs/web/server.js';
import type { PipelineSinks } from '../pipeline.js';
import type { RawFrame } from '../sources/types.js';
import type { Tracker } from '../tracker/tracker.js';

/**
 * The session recording the page can download keeps the latest frames, up to this much memory (a Pi or a
 * phone running the receiver has little to spare): at 10,000 frames a second (1,000 drones) about 12 s of
 * them, at a busy site's 200 a second about 10 minutes, a handful of drones an hour or more.
 */
export const SESSION_RECORDING_MAX_BYTES = 16 * 1024 * 1024;

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
  const { frame, update } = sinks;
  return {
    server,
    recording,
    sinks: {
      ...sinks,
      frame: (f) => {
        // Before the tracker takes the frame: a replay's batcher runs on the frames' clock (no-op live).
        server.frameTime(f.t * 1000);
        recording.write(f);
        frame?.(f);
      },
      update: (u) => {
        server.write(u);
        update?.(u);
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

/** A block of the session's frames: each frame as t (float64), linkType and length (uint32), then its bytes. */
interface Block {
  bytes: Uint8Array;
  view: DataView;
  used: number;
  frames: number;
}

/** Bytes before each frame's own in a block. */
const FRAME_HEAD = 16;
/** Frames encoded per step of an export, between which the receiver gets on with its frames. */
const EXPORT_STEP_FRAMES = 5_000;

/**
 * The raw frames of this session, in memory and bounded, for the page's "session recording" export: the
 * latest frames, in blocks of BLOCK_BYTES holding whole frames; at the bound the oldest block is dropped
 * (and reused: a full recording allocates nothing more), so the recording then starts later, as one
 * started then would. A frame costs a copy of its bytes here; it is encoded as a recording (the --record
 * format, by the recording writer) only when the page asks for the file, a few thousand frames at a time.
 */
export class SessionRecording {
  /** Size of a block, and the most a single frame may take (a larger one is left out). */
  static readonly BLOCK_BYTES = 256 * 1024;
  private readonly blocks: Block[] = [];
  private spare: Block | undefined;
  private readonly created = Date.now() / 1000;
  /** Exports under way: blocks they read are not reused meanwhile. */
  private exporting = 0;
  /** Frames left out: dropped with their block, or too large. */
  dropped = 0;

  constructor(private readonly maxBytes = SESSION_RECORDING_MAX_BYTES) {
    if (!(maxBytes >= 2 * SessionRecording.BLOCK_BYTES)) throw new RangeError(`a session recording needs at least ${2 * SessionRecording.BLOCK_BYTES} bytes`);
  }

  write(f: RawFrame): void {
    const need = FRAME_HEAD + f.data.length;
    if (need > SessionRecording.BLOCK_BYTES) {
      this.dropped++;
      return;
    }
    let b = this.blocks[this.blocks.length - 1];
    if (!b || b.bytes.length - b.used < need) b = this.newBlock();
    b.view.setFloat64(b.used, f.t, true);
    b.view.setUint32(b.used + 8, f.linkType, true);
    b.view.setUint32(b.used + 12, f.data.length, true);
    b.bytes.set(f.data, b.used + FRAME_HEAD);
    b.used += need;
    b.frames++;
  }

  /** Memory held for frames (whole blocks). */
  get bytesHeld(): number {
    return this.blocks.length * SessionRecording.BLOCK_BYTES;
  }

  /** Frames held, and their bytes (each with its 16 bytes of time, link type and length). */
  get frames(): number {
    let n = 0;
    for (const b of this.blocks) n += b.frames;
    return n;
  }

  get frameBytes(): number {
    let n = 0;
    for (const b of this.blocks) n += b.used;
    return n;
  }

  /**
   * The recording as a file (the --record format: its header, then the frames held, oldest first), made in
   * steps of EXPORT_STEP_FRAMES frames so that the receiver is not held up. Frames taken meanwhile are left
   * for the next export.
   */
  async bytes(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    const writer = createRecordingWriter({ write: (c: Uint8Array) => void chunks.push(c) }, { created: this.created, application: 'rid-scan --web', end: false });
    // The frames held now: the blocks go on filling meanwhile, but none is reused until this is done.
    const held = this.blocks.map((b) => ({ bytes: b.bytes, view: b.view, end: b.used }));
    this.exporting++;
    try {
      let step = 0;
      for (const { bytes, view, end } of held) {
        for (let at = 0; at < end; ) {
          const length = view.getUint32(at + 12, true);
          writer.write({ t: view.getFloat64(at, true), linkType: view.getUint32(at + 8, true), data: bytes.subarray(at + FRAME_HEAD, at + FRAME_HEAD + length) });
          at += FRAME_HEAD + length;
          if (++step % EXPORT_STEP_FRAMES === 0) await new Promise((r) => setImmediate(r));
        }
      }
    } finally {
      this.exporting--;
    }
    return Buffer.concat(chunks);
  }

  private newBlock(): Block {
    // Past the bound (in blocks held, so memory stays within it) the oldest goes, with its frames.
    while (this.blocks.length > 0 && (this.blocks.length + 1) * SessionRecording.BLOCK_BYTES > this.maxBytes) {
      const old = this.blocks.shift()!;
      this.dropped += old.frames;
      if (this.exporting === 0) this.spare = old;
    }
    let b = this.spare;
    this.spare = undefined;
    if (b) {
      b.used = 0;
      b.frames = 0;
    } else {
      const bytes = new Uint8Array(SessionRecording.BLOCK_BYTES);
      b = { bytes, view: new DataView(bytes.buffer), used: 0, frames: 0 };
    }
    this.blocks.push(b);
    return b;
  }
}
