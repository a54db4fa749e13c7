#!/usr/bin/env node
/**
 * `rid-scan`: see every drone and operator in range — from BLE and Wi-Fi radios, a capture, or the
 * simulated scene — live in the terminal, with exports. Nothing leaves the device unless an output the
 * user configured sends it (CoT to a TAK server).
 */

import { Command, Option } from 'commander';
import { displayText } from '@odid/codec';
import {
  errorText,
  exitOnUsageError,
  isStdoutClosed,
  MAX_DURATION_S,
  type NumberRule,
  onStdoutClosed,
  onStopSignals,
  parseChoice,
  parseHciIndex,
  parseInterfaceName,
  parseNumber,
  parseNumberList,
  rangeText,
  STDOUT_CLOSED_EXIT,
  stdoutExitCode,
  usageErrorWriter,
} from '@odid/commands';
import { createPositionSource, positionSourcesHelp, systemClock } from '@odid/position';
import { DripVerifier, loadTrustStore, type TrustStore } from '@odid/trust';
import { DEFAULT_SEAL_EVERY_MS, DEFAULT_SEAL_EVERY_FRAMES, type SealPosition } from '../outputs/recording-chain.js';
import { publishCliOptions } from '../outputs/mqtt-publish.js';
import { outputsHelp } from '../outputs/registry.js';
import { durationText, parseRetention, startRetention, type RetentionRun } from '../outputs/retention.js';
import { LiveTable, SORT_KEYS, renderTable, type RenderOptions, type SortKey } from '../outputs/table.js';
import { Pipeline } from '../pipeline.js';
import { BleSource } from '../sources/ble.js';
import { ReplaySource, checkReplayFile } from '../sources/replay.js';
import { DEMO_FLIGHT_ELAPSED_S, SimulatedSceneSource } from '../sources/sim.js';
import { openWifiSource, type WifiSourceMode } from '../sources/wifi.js';
import type { FrameSource, RawFrame } from '../sources/types.js';
import { loadAllowListFile, type AllowEntry } from '../tracker/allow-list.js';
import { trackToJson } from '../tracker/track-json.js';
import { loadZonesFile, saveZonesFile, zonesToGeoJson, type Zone } from '../tracker/zones.js';
import { warmUp } from '../warm-up.js';
import { detectRadios } from './detect-radios.js';
import { checkOutputs, keyCliOption, openOutputs, outputCliOptions, recordingEvidence, type OutputOptions } from './outputs.js';
import { checkBasemap, parseWebAddress, startWebMap, type WebMapRun } from './web-map.js';

interface Options extends OutputOptions {
  /** true: the default controller; a number: hciN. */
  ble?: boolean | number;
  wifi?: string;
  wifiMode: WifiSourceMode;
  channels: number[];
  replay?: string;
  sim?: boolean;
  fast?: boolean;
  speed: number;
  duration?: number;
  position?: string;
  once?: boolean;
  json?: boolean;
  sort: SortKey;
  stale: number;
  lost: number;
  history: number;
  forget: number;
  keepBadFcs?: boolean;
  web?: string | true;
  basemap?: string;
  zones?: string;
  allow?: string;
  trust?: string;
  key?: string;
  retain?: number;
  sealFrames: number;
}

const LOG_LINE_MAX = 1000;
/** Every line to stderr: messages quote captures, radios and tools, so control characters are shown escaped. */
const say = (line: string): void => void process.stderr.write(`rid-scan: ${displayText(line, { max: LOG_LINE_MAX })}\n`);
/** Colour only on a terminal that shows it (Node's check: TERM, NO_COLOR, FORCE_COLOR). */
const colors = (s: NodeJS.WriteStream): boolean => Boolean(s.isTTY && s.hasColors?.());

/** The ranges of the numeric options (in --help and in the errors). */
const SPEED: NumberRule = { min: 0, minExclusive: true, max: 1000 };
const DURATION: NumberRule = { min: 0, minExclusive: true, max: MAX_DURATION_S, unit: 'seconds' };
const STALE: NumberRule = { min: 0, minExclusive: true, max: 86_400, unit: 'seconds' };
const HISTORY: NumberRule = { min: 1, max: 100_000, integer: true, unit: 'positions' };
const FORGET: NumberRule = { min: 0, max: 7 * 24 * 60, unit: 'minutes' };
/** 2.4, 5 and 6 GHz channel numbers (the channel hopper's range); a dozen is already a slow cycle. */
const CHANNEL: NumberRule = { min: 1, max: 233, integer: true };
const WIFI_MODES = ['auto', 'monitor', 'scan'] as const satisfies readonly WifiSourceMode[];
const SEAL_FRAMES: NumberRule = { min: 1, max: 1_000_000, integer: true, unit: 'frames' };

const program = new Command()
  .name('rid-scan')
  .description('See every Remote ID drone and operator in range: BLE, Wi-Fi, captures or a simulation. Everything stays on this device.')
  .exitOverride(exitOnUsageError)
  .configureOutput({ outputError: usageErrorWriter('rid-scan') })
  .option('--ble [hci]', 'scan Bluetooth LE (4 legacy and 5 long range) on hciN, N or hciN (default 0)', parseHciIndex('--ble'))
  .option('--wifi <interface>', 'capture Wi-Fi beacons and NAN frames on a monitor-mode interface', parseInterfaceName('--wifi'))
  .addOption(new Option('--channels <list>', `Wi-Fi channels to hop over in monitor mode (comma separated, ${rangeText(CHANNEL)}, at most 32)`).argParser(parseNumberList('--channels', CHANNEL, 32)).default([6, 149], '6,149'))
  .option('--wifi-mode <mode>', `monitor (tcpdump on a monitor interface), scan (iw scan, any adapter), auto: monitor if the interface is one (${WIFI_MODES.join(', ')})`, parseChoice('--wifi-mode', WIFI_MODES), 'auto')
  .option('--replay <file>', 'read a pcap/pcapng/btsnoop capture or a recording, plain or gzip/zstd/lz4 compressed ("-" = stdin)')
  .option('--sim', 'receive the built-in simulated scene (no radio needed)')
  .option('--fast', 'replay/sim: as fast as possible instead of in real time')
  .option('--speed <factor>', `replay: play N times faster than recorded (${rangeText(SPEED)})`, parseNumber('--speed', SPEED), 1)
  .option('--duration <seconds>', `stop after this many seconds (${rangeText(DURATION)}, a week; sim with --fast: of scene time)`, parseNumber('--duration', DURATION))
  .option('--position <spec>', "the receiver's own position for distances (see Position sources below)")
  .option('--once', 'no live table: print a summary when the input ends (or --duration passes)')
  .option('--json', 'with --once: print the tracks as a JSON array on stdout')
  .option('--sort <key>', `table order (${SORT_KEYS.join(', ')})`, parseChoice('--sort', SORT_KEYS), 'distance')
  .option('--stale <seconds>', `a silent track turns stale after this many seconds (${rangeText(STALE)})`, parseNumber('--stale', STALE), 5)
  .option('--lost <seconds>', `and lost after this many seconds (${rangeText(STALE)}; never before stale)`, parseNumber('--lost', STALE), 30)
  .option('--history <points>', `positions kept per track for its line in --out exports, oldest dropped first (${rangeText(HISTORY)})`, parseNumber('--history', HISTORY), 1000)
  .option('--forget <minutes>', `live input: forget tracks lost for longer than this, so days of scanning keep memory bounded (${rangeText(FORGET)}, a week; 0 = never)`, parseNumber('--forget', FORGET), 60)
  .option('--keep-bad-fcs', 'keep frames whose CRC/FCS failed (they are dropped and counted by default)')
  .option('--web [addr:port]', `serve the live map from this process (default 127.0.0.1:4709; any other address needs the token printed, as a QR code too)`)
  .option('--basemap <file.pmtiles>', 'with --web: a detailed local map (PMTiles) downloaded beforehand, beside the built-in world map')
  .option('--zones <file.geojson>', 'named polygons (optional floor/ceiling, metres): an alert when a drone or its operator is inside; with --web, zones drawn on the map are saved here')
  .option('--allow <file>', 'allow-list (.json or .csv): UAS IDs and/or operator IDs, optional from/until: those tracks show as authorised')
  .option('--trust <dir>', 'verify DRIP authentication (RFC 9575) offline against a trust store: DIR/roots/*.json (identities of the registries trusted), DIR/endorsements/*.json (rid-keys endorse); every track shows verified, unverified or forged, with the reason')
  .addHelpText('after', `\nPosition sources (--position):\n${positionSourcesHelp()}\n\nOutputs:\n${outputsHelp()}`)
  .addHelpText(
    'after',
    `
Examples:
  rid-scan --sim                                  the simulated scene, live in the terminal
  rid-scan --ble --wifi wlan1mon --position gpsd://
  rid-scan --replay flight.pcapng --fast --once --json > tracks.json
  rid-scan --sim --web                            the live map at http://127.0.0.1:4709/
  rid-scan --wifi wlan1mon --web 0.0.0.0:4709 --zones stadium.geojson --allow allow.csv
  tcpdump -i wlan1mon -w - 'type mgt' | rid-scan --replay - --out tracks.kml
Radios need root or capabilities: see hardware/README.md.

Outputs are checked before the run starts (directory there and writable, not an input, not a directory).
A write that fails mid-run stops only that output, with one line; the others finish.
Ctrl-C (SIGINT) or SIGTERM: the outputs are finished (valid files, exports written), then rid-scan exits;
a second one exits at once.
Exit status: 0 done (also when stopped by Ctrl-C); 1 an output failed or the input could not be read to its
end; 2 a usage error (bad option, output path or input file); ${STDOUT_CLOSED_EXIT} stdout was closed early (a reader
such as head quit), as a shell reports for cat — the other outputs are finished first.`,
  )
  .action(async (opts: Options) => {
    process.exitCode = await run(opts);
  });

// --out, --jsonl, --cot, --record, --pcapng, --force: declared once, for rid-scan and rid-hub (outputs.ts).
for (const o of outputCliOptions()) program.addOption(o);
program
  .option('--record-dir <dir>', 'record as --record does, into files rid-scan names in DIR (rid-scan-<start, UTC>.cbor), a new one every hour')
  .option('--retain <duration>', "with --record-dir: delete this receiver's own recordings there last written longer ago than this (30m, 24h, 7d), at start and every few minutes; default: keep everything", parseRetention('--retain'))
  .addOption(keyCliOption('--record/--record-dir'))
  .addOption(
    new Option('--seal-frames <n>', `seal (sign) the recording after this many frames (${rangeText(SEAL_FRAMES)}), also every ${DEFAULT_SEAL_EVERY_MS / 1000} s and at the end`)
      .argParser(parseNumber('--seal-frames', SEAL_FRAMES))
      .default(DEFAULT_SEAL_EVERY_FRAMES),
  );
// --publish and its MQTT options (outputs/mqtt-publish.ts): frames and status for rid-hub.
for (const o of publishCliOptions()) program.addOption(o);

async function run(opts: Options): Promise<number> {
  if (opts.json && opts.jsonl === '-') return fail('--json and --jsonl - both want stdout: write the JSONL to a file');
  const sources: FrameSource[] = [];
  const finite = Boolean(opts.replay) || Boolean(opts.sim && opts.fast);
  if (opts.replay) {
    sources.push(
      new ReplaySource({
        path: opts.replay,
        fast: opts.fast,
        speed: opts.speed,
        onWarning: (w) => say(`${w.severity}: byte ${w.offset}: ${w.detail}`),
        onTruncated: (detail) => say(`warning: ${detail}; every frame before it was read`),
      }),
    );
  }
  if (opts.sim) {
    const durationS = opts.duration ?? 300;
    // Live, the demo's drones are already cruising (a minute into their flights) when someone looks.
    sources.push(new SimulatedSceneSource(opts.fast ? { fast: { startMs: Date.now(), durationS } } : { flightElapsedS: DEMO_FLIGHT_ELAPSED_S }));
  }
  if (opts.wifi) sources.push(await openWifiSource({ iface: opts.wifi, mode: opts.wifiMode, channels: opts.channels }));
  if (opts.ble !== undefined) {
    // Noble loads only when the source starts, so --sim and --replay never touch Bluetooth.
    sources.push(new BleSource(opts.ble === true || opts.ble === false ? {} : { hciDevice: opts.ble }));
  }
  if (sources.length === 0 && opts.ble === undefined && !opts.wifi) {
    const picked = pickSources();
    if (!picked) return 2;
    return run({ ...opts, ...(picked.ble !== undefined ? { ble: picked.ble } : {}), ...(picked.wifi ? { wifi: picked.wifi } : {}) });
  }

  // Zones, allow-list, the map's address and basemap: read and checked before anything starts.
  let zones: Zone[] | undefined;
  let allowList: AllowEntry[] | undefined;
  let trust: TrustStore | undefined;
  let webAddress;
  try {
    if (opts.zones) zones = loadZonesFile(opts.zones);
    if (opts.allow) allowList = loadAllowListFile(opts.allow);
    if (opts.trust) trust = loadTrustStore(opts.trust);
    if (opts.web !== undefined) webAddress = parseWebAddress(opts.web);
    else if (opts.basemap) throw new Error('--basemap goes with --web');
    if (opts.basemap) checkBasemap(opts.basemap);
  } catch (e) {
    return fail((e as Error).message);
  }
  const forget = !finite && opts.forget > 0 ? { forgetAfterMs: opts.forget * 60_000 } : {};
  // DRIP: one verifier for the run; times are the frames' own (a replay is judged when it was captured).
  const drip = (): DripVerifier | undefined => (trust ? new DripVerifier({ trust, maxDrones: 4096 }) : undefined);
  const verifier = drip();
  const verdicts = { ...(zones ? { zones } : {}), ...(allowList ? { allowList } : {}), ...(verifier ? { drip: verifier } : {}) };
  const pipelineOpts = { ...verdicts, staleAfterMs: opts.stale * 1000, lostAfterMs: Math.max(opts.lost, opts.stale) * 1000, historyLimit: opts.history, keepBadFcs: opts.keepBadFcs, ...forget };
  // Before anything is opened, created or sent: the input file, the outputs' paths, the CoT URL.
  let cot;
  try {
    if (opts.replay && opts.replay !== '-') checkReplayFile(opts.replay);
    cot = checkOutputs(opts, opts.replay ? [{ option: '--replay', path: opts.replay }] : []);
  } catch (e) {
    return fail((e as Error).message);
  }
  // The receiver's key, only when something is recorded (and after every output was found fine).
  const recording = Boolean(opts.record || opts.recordDir);
  if (opts.retain !== undefined && !opts.recordDir) return fail('--retain goes with --record-dir (the directory where rid-scan names its recordings)');
  /** The receiver's own position for the recording's seals: the simulated scene's, or the last fix. */
  let receiverPosition: SealPosition | undefined;
  let signing;
  try {
    signing = await recordingEvidence({ ...(opts.key !== undefined ? { key: opts.key } : {}), recording, recordingOptions: '--record or --record-dir', sealEveryFrames: opts.sealFrames }, 'rid-scan', () => receiverPosition, say);
  } catch (e) {
    return fail((e as Error).message);
  }
  const key = signing?.key;
  const evidence = signing?.evidence;

  // What ends the run early: SIGINT/SIGTERM, --duration, or stdout's reader going away (| head): each
  // finishes the outputs the same way. A second signal exits at once.
  // Installed before anything is opened, so that no signal finds a half-open output.
  let requestStop!: () => void;
  let stopRequested = false;
  const stop = new Promise<void>((resolve) => {
    requestStop = () => {
      stopRequested = true;
      resolve();
    };
  });
  const removeSignalHandlers = onStopSignals(() => requestStop());
  onStdoutClosed('rid-scan', () => requestStop());
  if (opts.duration !== undefined && !(opts.sim && opts.fast)) setTimeout(() => requestStop(), opts.duration * 1000).unref();

  const outputs = await openOutputs(opts, say, cot, evidence);
  let retention: RetentionRun | undefined;
  if (opts.recordDir !== undefined && opts.retain !== undefined && key) {
    const retain = durationText(opts.retain);
    retention = startRetention({ dir: opts.recordDir, maxAgeMs: opts.retain, publicKey: key.publicKey, keep: () => outputs.recordingFiles() }, (r) => {
      if (r.deleted.length) say(`--retain ${retain}: deleted ${r.deleted.length} recording${r.deleted.length === 1 ? '' : 's'} of this receiver last written over ${retain} ago: ${r.deleted.join(', ')}`);
      for (const f of r.failed) say(`--retain ${retain}: ${f.file}: ${f.reason}`);
    });
  }
  // One sinks object the pipeline keeps: the map and the live table join it once they exist.
  const sinks = { ...outputs.sinks };
  const pipeline = new Pipeline(pipelineOpts, sinks);
  outputs.bindReceiver({ position: () => pipeline.tracker.receiverPosition, overloadDropped: () => pipeline.queue.dropped });
  const sim = sources.find((s): s is SimulatedSceneSource => s instanceof SimulatedSceneSource);
  if (sim) {
    pipeline.tracker.setReceiverPosition({ lat: sim.receiver.latitude, lon: sim.receiver.longitude });
    receiverPosition = { latitude: sim.receiver.latitude, longitude: sim.receiver.longitude, source: 'simulated scene' };
  }

  let position: ReturnType<typeof createPositionSource> | undefined;
  if (opts.position) {
    const pos = createPositionSource(opts.position, { clock: systemClock });
    pos.on('fix', (f) => {
      pipeline.tracker.setReceiverPosition({ lat: f.latitude, lon: f.longitude });
      receiverPosition = { latitude: f.latitude, longitude: f.longitude, ...(f.altitudeGeo !== undefined ? { altitude: f.altitudeGeo } : {}), source: pos.name, fixTime: f.time / 1000 };
    });
    await pos.start();
    position = pos;
  }

  let web: WebMapRun | undefined;
  if (webAddress) {
    try {
      web = await startWebMap(
        {
          address: webAddress,
          mode: opts.replay ? 'replay' : 'live',
          source: sourceName(opts),
          ...(opts.basemap ? { basemap: opts.basemap } : {}),
          tracker: pipeline.tracker,
          zones: () => zonesToGeoJson(pipeline.tracker.zoneList),
          ...(opts.zones ? { saveZones: async (c: unknown) => pipeline.setZones(await saveZonesFile(opts.zones!, c)) } : {}),
          say,
        },
        sinks,
      );
    } catch (e) {
      retention?.stop();
      await outputs.close(undefined);
      return fail(`--web: ${(e as Error).message}`);
    }
    Object.assign(sinks, web.sinks);
  }

  const live = !opts.once && process.stdout.isTTY && !(opts.jsonl === '-');
  const table = live ? new LiveTable(process.stdout, { sort: opts.sort, footer: () => footer(pipeline), color: colors(process.stdout) }) : undefined;
  if (table) {
    // The table shows the latest alerts under the tracks.
    const update = sinks.update;
    sinks.update = (u) => {
      table.write(u);
      update?.(u);
    };
  }
  // Live frames are queued and drained as soon as the event loop is free: low latency, and an overload
  // shows as counted drops instead of a growing backlog.
  let drainScheduled = false;
  const enqueue = (f: RawFrame): void => {
    pipeline.queue.push(f);
    if (drainScheduled) return;
    drainScheduled = true;
    setImmediate(() => {
      drainScheduled = false;
      pipeline.drain();
    });
  };
  let ended = 0;
  /** Once set, the outputs are being closed: nothing more is processed or said by the sources. */
  let finishing = false;
  const done = new Promise<void>((resolve) => {
    for (const s of sources) {
      s.on('error', (e) => {
        // A replay's fatal error says itself what it could not read.
        if (!finishing) say(e === s.fatalError ? e.message : `${s.name}: ${e.message}`);
      });
      s.on('end', () => {
        if (++ended === sources.length) resolve();
      });
      // Finite inputs run on their own clock, synchronously: nothing to drop. Live input is queued.
      s.on('frame', finite ? (f) => pipeline.process(f) : (f) => enqueue(f));
    }
  });
  // Live input: compile the decode-and-track path before the first real frame has to wait for it.
  // (With --trust, on a scratch verifier: the warm-up scene's drones are not the ones heard.)
  if (!finite) warmUp({ ...pipelineOpts, ...(verifier ? { drip: drip()! } : {}) });
  try {
    for (const s of sources) await s.start();
  } catch (e) {
    finishing = true;
    for (const s of sources) await s.stop();
    retention?.stop();
    await outputs.close(undefined);
    await position?.stop();
    // Said, and the process ended, where every start-up error is (a radio's library may hold it open).
    throw e;
  }

  let timer: ReturnType<typeof setInterval> | undefined;
  if (!finite) {
    timer = setInterval(() => {
      pipeline.drain();
      pipeline.tick(systemClock.now());
      table?.update(pipeline.tracker.tracks(), pipeline.tracker.now || systemClock.now());
    }, 100);
  } else if (table) {
    timer = setInterval(() => table.update(pipeline.tracker.tracks(), pipeline.tracker.now), 250);
  }
  await Promise.race([done, stop]);
  if (web && !opts.once) {
    // A finished replay or simulation stays on the map (its timeline) until the officer stops it.
    if (!stopRequested) {
      say('input ended; the map stays up until Ctrl-C');
      await stop;
    }
  }
  if (timer) clearInterval(timer);
  for (const s of sources) await s.stop();
  // Stopped sources hand nothing more over: what is queued is processed, then the outputs close, and only
  // then the summary is printed (nothing said after it).
  finishing = true;
  for (const s of sources) s.removeAllListeners('frame');
  pipeline.drain();
  pipeline.tick(pipeline.tracker.now);
  retention?.stop();
  await outputs.close(pipeline.tracker.tracks());
  await web?.server.close();
  await position?.stop();

  const tracks = pipeline.tracker.tracks();
  // A replay that failed before its first frame (not a capture after all) is its one error line.
  const failure = sources.find((s) => s.fatalError)?.fatalError;
  if (!(failure && pipeline.stats.records === 0)) {
    if (isStdoutClosed()) {
      // Nothing more goes to a reader that has gone.
    } else if (opts.json) process.stdout.write(JSON.stringify(tracks.map(trackToJson), null, 2) + '\n');
    else if (table) table.update(tracks, pipeline.tracker.now, true);
    else if (opts.jsonl === '-') process.stderr.write(renderTable(tracks, onceTable(process.stderr, pipeline.tracker.now, opts.sort)));
    else if (opts.once || !process.stdout.isTTY) process.stdout.write(renderTable(tracks, onceTable(process.stdout, pipeline.tracker.now, opts.sort)));
    if (!isStdoutClosed() || stdoutExitCode() !== STDOUT_CLOSED_EXIT) say([footer(pipeline).trim(), ...outputs.problems()].join('; '));
  }
  removeSignalHandlers();
  if (isStdoutClosed()) return stdoutExitCode();
  // 1: an output failed, or the input could not be read to its end.
  return failure || outputs.failed ? 1 : 0;
}

/** The final table: as wide as the terminal it goes to (every column for a file or pipe), never taller. */
function onceTable(out: NodeJS.WriteStream, nowMs: number, sort: SortKey): RenderOptions {
  return { nowMs, sort, ...(out.isTTY && out.columns ? { width: out.columns - 1 } : {}), color: colors(out) };
}

/** What feeds the receiver, for the map's title. */
function sourceName(opts: Options): string {
  if (opts.replay) return `replay of ${opts.replay === '-' ? 'stdin' : opts.replay.split('/').pop()}`;
  return [opts.sim ? 'simulated scene' : '', opts.ble !== undefined ? `Bluetooth hci${opts.ble === true || opts.ble === false ? 0 : opts.ble}` : '', opts.wifi ? `Wi-Fi ${opts.wifi}` : '']
    .filter(Boolean)
    .join(' + ');
}

function fail(message: string): number {
  say(message);
  return 2;
}

function footer(p: Pipeline): string {
  const s = p.stats;
  const counted = (counts: Partial<Record<string, number>>): string[] => Object.entries(counts).map(([k, v]) => `${v} ${k}`);
  const dropped = counted(s.dropped);
  const linkWarnings = counted(s.linkWarnings);
  const truncated = counted(s.truncatedElements);
  return (
    `${s.records} frames, ${s.messages} messages` +
    (dropped.length ? `, dropped ${dropped.join(', ')}` : '') +
    (s.unreadable ? `, ${s.unreadable} frames unreadable` : '') +
    (linkWarnings.length ? `, link warnings ${linkWarnings.join(', ')}` : '') +
    (truncated.length ? `, truncated elements ${truncated.join(', ')}` : '') +
    (p.queue.dropped ? `, ${p.queue.dropped} frames lost to overload` : '') +
    (p.forgotten ? `, ${p.forgotten} long-lost tracks forgotten` : '') +
    '\n'
  );
}

/** No source given: use the radios this machine has, or say there are none and how to run without. */
function pickSources(): { ble?: number; wifi?: string } | undefined {
  const { ble, wifi } = detectRadios();
  if (ble.length === 0 && wifi.length === 0) {
    say('no Bluetooth or Wi-Fi radio found on this machine');
    say('run the simulated scene instead:  pnpm rid-scan --sim   (or pnpm demo)');
    say('or read a capture:                 pnpm rid-scan --replay capture.pcapng');
    return undefined;
  }
  say(`no source given; found ${[...ble.map((b) => `Bluetooth hci${b}`), ...wifi.map((w) => `Wi-Fi ${w}`)].join(', ')}: using ${[ble.length ? `--ble ${ble[0]}` : '', wifi.length ? `--wifi ${wifi[0]}` : ''].filter(Boolean).join(' ')}`);
  return { ...(ble.length ? { ble: ble[0]! } : {}), ...(wifi.length ? { wifi: wifi[0]! } : {}) };
}

program.parseAsync().catch((e: unknown) => {
  say(errorText(e));
  process.exit(2);
});
