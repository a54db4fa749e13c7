/**
 * The measured side of the live-map benchmark (web-map.bench.ts), in a process of its own from a compiled
 * bundle: rid-scan's warm-up, then the receiver load of load.ts run after run in the order asked — bare,
 * or with the live map attached by rid-scan's own startWebMap (a new server each time) — with a full
 * collection before each so that none starts with another's garbage.
 *
 * Each run with the map waits, before its clock starts, for the parent to open a page in Chromium
 * ('map' → 'go'); after it, the server stays up until the parent has read the page ('loaded' → 'close').
 */

import { startWebMap, type WebMapRun } from '../src/cli/web-map.js';
import { SESSION_RECORDING_MAX_BYTES } from '../src/outputs/web/session-recording.js';
import type { WebMapCounters } from '../src/outputs/web/server.js';
import type { Tracker } from '../src/tracker/tracker.js';
import { zonesToGeoJson } from '../src/tracker/zones.js';
import { warmUp } from '../src/warm-up.js';
import { SurvivorSampler, type SurvivorSites } from './heap-survivors.js';
import { pipelineOptions, realTime, type LoadOptions, type RealTimeResult } from './load.js';

/** argv[2] of the measuring child; argv[3] is the WebLoadOptions JSON. */
export const WEB_LOAD_FLAG = '--web-map-load';

export interface WebLoadOptions extends LoadOptions {
  /** The built page to serve (made by the parent from the current sources). */
  assetsDir: string;
  /** The runs, in order: bare ones and ones with the map. */
  runs: ('bare' | 'map')[];
  /** The map's track states a second in all (default: the batcher's). */
  statesPerSecond?: number;
  /** Sample what outlives the young generation (heap-survivors.ts) in each run, from this many seconds after its clock starts. */
  survivorsAfterS?: number;
}

/** Child → parent. */
export type FromLoad =
  | { type: 'map'; url: string }
  /** The web run's frames are all processed: the tracker's tracks, key → latest position time (s). */
  | { type: 'loaded'; positions: Record<string, number | null> }
  | { type: 'result'; result: WebLoadResult };

/** Parent → child. */
export type ToLoad = { type: 'go' } | { type: 'close' };

export interface WebLoadResult {
  /** The bare runs, and those with the map, each in order. */
  plain: RealTimeResult[];
  web: RealTimeResult[];
  warmUp: { frames: number; ms: number; collected: boolean };
  /** With a map run: the last one's session recording (what the page's session.cbor export holds) when the run ended. */
  recording?: { frames: number; frameBytes: number; heldBytes: number; dropped: number; maxBytes: number };
  /** With a map run: what the last one's server sent: snapshots (of which catch-ups after a page fell behind), batches skipped. */
  server?: WebMapCounters;
  /** With survivorsAfterS: each run's, in the order run. */
  survivors?: { run: 'bare' | 'map'; sites: SurvivorSites }[];
}

function send(msg: FromLoad): void {
  process.send!(msg);
}

function nextMessage(type: ToLoad['type']): Promise<void> {
  return new Promise((resolve) => {
    const on = (m: ToLoad): void => {
      if (m?.type !== type) return;
      process.off('message', on);
      resolve();
    };
    process.on('message', on);
  });
}

/** One full collection (the parent starts this process with --expose-gc). */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The load with the map attached; what the map held and sent, at its end. `started`: the run's clock starts. */
async function withMap(o: WebLoadOptions, started: () => void): Promise<{ result: RealTimeResult; recording: NonNullable<WebLoadResult['recording']>; server: WebMapCounters }> {
  let map: WebMapRun | undefined;
  let tracker: Tracker | undefined;
  const result = await realTime(o, async (pipeline, sinks) => {
    tracker = pipeline.tracker;
    // As rid-scan --web 127.0.0.1:0 does it (cli/rid-scan.ts): the same function, the same sinks object.
    map = await startWebMap(
      {
        address: { host: '127.0.0.1', port: 0 },
        mode: 'live',
        source: 'load benchmark',
        assetsDir: o.assetsDir,
        ...(o.statesPerSecond ? { statesPerSecond: o.statesPerSecond } : {}),
        tracker: pipeline.tracker,
        zones: () => zonesToGeoJson(pipeline.tracker.zoneList),
        say: (line) => void process.stderr.write(`web-map bench: receiver: ${line}\n`),
      },
      sinks,
    );
    Object.assign(sinks, map.sinks);
    send({ type: 'map', url: `http://127.0.0.1:${map.server.port}/` });
    await nextMessage('go');
    started();
  });
  // What the page should show once it has caught up: every track's latest position.
  const positions: Record<string, number | null> = {};
  for (const t of tracker!.tracks()) positions[t.key] = t.position ? t.position.t / 1000 : null;
  const rec = map!.recording;
  const recording = { frames: rec.frames, frameBytes: rec.frameBytes, heldBytes: rec.bytesHeld, dropped: rec.dropped, maxBytes: SESSION_RECORDING_MAX_BYTES };
  send({ type: 'loaded', positions });
  await nextMessage('close');
  const server = { ...map!.server.counters };
  await map!.server.close();
  return { result, recording, server };
}

export async function runWebLoad(o: WebLoadOptions): Promise<WebLoadResult> {
  // As rid-scan does before it starts a live source.
  if (o.runs.length === 0) throw new Error('runs: none asked');
  const { frames, ms, collected } = warmUp(pipelineOptions(o));
  const plain: RealTimeResult[] = [];
  const web: Awaited<ReturnType<typeof withMap>>[] = [];
  const survivors: NonNullable<WebLoadResult['survivors']> = [];
  for (const run of o.runs) {
    collect();
    const sampler = o.survivorsAfterS === undefined ? undefined : new SurvivorSampler();
    let timer: NodeJS.Timeout | undefined;
    const started = (): void => {
      if (sampler) timer = setTimeout(() => sampler.start(), o.survivorsAfterS! * 1000);
    };
    if (run === 'map') web.push(await withMap(o, started));
    else {
      started();
      plain.push(await realTime(o));
    }
    clearTimeout(timer);
    const sites = await sampler?.stop();
    if (sites) survivors.push({ run, sites });
  }
  const last = web[web.length - 1];
  return {
    plain,
    web: web.map((w) => w.result),
    warmUp: { frames, ms, collected },
    ...(last ? { recording: last.recording, server: last.server } : {}),
    ...(o.survivorsAfterS !== undefined ? { survivors } : {}),
  };
}

if (process.argv[2] === WEB_LOAD_FLAG) {
  const result = await runWebLoad(JSON.parse(process.argv[3]!) as WebLoadOptions);
  process.send?.({ type: 'result', result } satisfies FromLoad, () => process.disconnect());
}
