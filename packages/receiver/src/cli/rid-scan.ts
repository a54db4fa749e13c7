#!/usr/bin/env node
/**
 * `rid-scan`: see every drone and operator in range — from BLE and Wi-Fi radios, a capture, or the
 * simulated scene — live in the terminal, with exports. Nothing leaves the device unless an output the
 * user configured sends it (CoT to a TAK server).
 */

import { Command, Option } from 'commander';
import { createPositionSource, systemClock } from '@odid/position';
import { LiveTable, SORT_KEYS, renderTable, type SortKey } from '../outputs/table.js';
import { Pipeline } from '../pipeline.js';
import { BleSource } from '../sources/ble.js';
import { ReplaySource } from '../sources/replay.js';
import { SimulatedSceneSource } from '../sources/sim.js';
import { openWifiSource, type WifiSourceMode } from '../sources/wifi.js';
import type { FrameSource, RawFrame } from '../sources/types.js';
import { trackToJson } from '../tracker/track-json.js';
import { warmUp } from '../warm-up.js';
import { detectRadios } from './detect-radios.js';
import { openOutputs, type OutputOptions } from './outputs.js';

interface Options extends OutputOptions {
  ble?: boolean | string;
  wifi?: string;
  wifiMode: WifiSourceMode;
  channels: string;
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
}

const say = (line: string): void => void process.stderr.write(`rid-scan: ${line}\n`);

const program = new Command()
  .name('rid-scan')
  .description('See every Remote ID drone and operator in range: BLE, Wi-Fi, captures or a simulation. Everything stays on this device.')
  .option('--ble [hci]', 'scan Bluetooth LE (4 legacy and 5 long range) on hciN (default 0)')
  .option('--wifi <interface>', 'capture Wi-Fi beacons and NAN frames on a monitor-mode interface')
  .option('--channels <list>', 'Wi-Fi channels to hop over in monitor mode', '6,149')
  .addOption(new Option('--wifi-mode <mode>', 'monitor (tcpdump on a monitor interface), scan (iw scan, any adapter), auto: monitor if the interface is one').choices(['auto', 'monitor', 'scan']).default('auto'))
  .option('--replay <file>', 'read a pcap/pcapng/btsnoop capture or a recording ("-" = stdin)')
  .option('--sim', 'receive the built-in simulated scene (no radio needed)')
  .option('--fast', 'replay/sim: as fast as possible instead of in real time')
  .option('--speed <factor>', 'replay: play N times faster than recorded', (v) => Number(v), 1)
  .option('--duration <seconds>', 'stop after this many seconds (sim: of scene time with --fast)', (v) => Number(v))
  .option('--position <spec>', "the receiver's own position for distances: static:lat,lon[,alt] or gpsd://host:port")
  .option('--out <file>', 'export tracks when done: .geojson, .kml or .jsonl (track updates); repeatable', (v: string, p: string[] = []) => p.concat(v))
  .option('--jsonl <file>', 'stream every received message as JSONL ("-" = stdout)')
  .option('--cot <url>', 'send Cursor-on-Target to ATAK/WinTAK: udp://239.2.3.1:6969 (multicast) or tcp://host:port')
  .option('--record <file>', 'record the raw frames (CBOR sequence) for an exact replay later')
  .option('--pcapng <file>', 'write the raw frames to a pcapng')
  .option('--once', 'no live table: print a summary when the input ends (or --duration passes)')
  .option('--json', 'with --once: print the tracks as a JSON array on stdout')
  .addOption(new Option('--sort <key>', 'table order').choices(SORT_KEYS).default('distance'))
  .option('--stale <seconds>', 'a silent track turns stale after', (v) => Number(v), 5)
  .option('--lost <seconds>', 'and lost after', (v) => Number(v), 30)
  .option('--history <points>', 'positions kept per track for its line in --out exports (oldest dropped first)', (v) => Number(v), 1000)
  .option('--forget <minutes>', 'live input: forget tracks lost for longer than this, so days of scanning keep memory bounded (0 = never)', (v) => Number(v), 60)
  .option('--keep-bad-fcs', 'keep frames whose CRC/FCS failed (they are dropped and counted by default)')
  .addHelpText(
    'after',
    `
Examples:
  rid-scan --sim                                  the simulated scene, live in the terminal
  rid-scan --ble --wifi wlan1mon --position gpsd://
  rid-scan --replay flight.pcapng --fast --once --json > tracks.json
  tcpdump -i wlan1mon -w - 'type mgt' | rid-scan --replay - --out tracks.kml
Radios need root or capabilities: see hardware/README.md.`,
  )
  .action(async (opts: Options) => {
    process.exitCode = await run(opts);
  });

async function run(opts: Options): Promise<number> {
  if (opts.json && opts.jsonl === '-') return fail('--json and --jsonl - both want stdout: write the JSONL to a file');
  const sources: FrameSource[] = [];
  const finite = Boolean(opts.replay) || Boolean(opts.sim && opts.fast);
  if (opts.replay) sources.push(new ReplaySource({ path: opts.replay, fast: opts.fast, speed: opts.speed, onWarning: (w) => say(`warning: byte ${w.offset}: ${w.reason}`) }));
  if (opts.sim) {
    const durationS = opts.duration ?? 300;
    sources.push(new SimulatedSceneSource(opts.fast ? { fast: { startMs: Date.now(), durationS } } : {}));
  }
  if (opts.wifi) {
    const channels = opts.channels.split(',').map((c) => Number(c.trim()));
    if (channels.some((c) => !Number.isInteger(c) || c < 1 || c > 196)) return fail(`--channels ${opts.channels}: Wi-Fi channel numbers, e.g. 6,149`);
    sources.push(await openWifiSource({ iface: opts.wifi, mode: opts.wifiMode, channels }));
  }
  if (opts.ble !== undefined) {
    const hci = opts.ble === true ? undefined : Number(String(opts.ble).replace(/^hci/, ''));
    if (hci !== undefined && !(Number.isInteger(hci) && hci >= 0)) return fail(`--ble ${opts.ble}: the controller number N of hciN`);
    // Noble loads only when the source starts, so --sim and --replay never touch Bluetooth.
    sources.push(new BleSource(hci === undefined ? {} : { hciDevice: hci }));
  }
  if (sources.length === 0 && opts.ble === undefined && !opts.wifi) {
    const picked = pickSources();
    if (!picked) return 2;
    return run({ ...opts, ...(picked.ble !== undefined ? { ble: String(picked.ble) } : {}), ...(picked.wifi ? { wifi: picked.wifi } : {}) });
  }

  if (!Number.isInteger(opts.history) || opts.history < 1) return fail(`--history ${opts.history}: a whole number of positions per track, at least 1`);
  if (!(opts.forget >= 0)) return fail(`--forget ${opts.forget}: minutes, 0 to keep every track`);
  const forget = !finite && opts.forget > 0 ? { forgetAfterMs: opts.forget * 60_000 } : {};
  const pipelineOpts = { staleAfterMs: opts.stale * 1000, lostAfterMs: Math.max(opts.lost, opts.stale) * 1000, historyLimit: opts.history, keepBadFcs: opts.keepBadFcs, ...forget };
  const outputs = await openOutputs(opts, say);
  const pipeline = new Pipeline(pipelineOpts, outputs.sinks);
  const sim = sources.find((s): s is SimulatedSceneSource => s instanceof SimulatedSceneSource);
  if (sim) pipeline.tracker.setReceiverPosition({ lat: sim.receiver.latitude, lon: sim.receiver.longitude });
  if (opts.position) {
    const pos = createPositionSource(opts.position, { clock: systemClock });
    pos.on('fix', (f) => pipeline.tracker.setReceiverPosition({ lat: f.latitude, lon: f.longitude }));
    await pos.start();
  }

  const live = !opts.once && process.stdout.isTTY && !(opts.jsonl === '-');
  const table = live ? new LiveTable(process.stdout, { sort: opts.sort, footer: () => footer(pipeline) }) : undefined;
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
  const done = new Promise<void>((resolve) => {
    for (const s of sources) {
      s.on('error', (e) => say(`${s.name}: ${e.message}`));
      s.on('end', () => {
        if (++ended === sources.length) resolve();
      });
      // Finite inputs run on their own clock, synchronously: nothing to drop. Live input is queued.
      s.on('frame', finite ? (f) => pipeline.process(f) : (f) => enqueue(f));
    }
  });
  // Live input: compile the decode-and-track path before the first real frame has to wait for it.
  if (!finite) warmUp(pipelineOpts);
  for (const s of sources) await s.start();

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
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (opts.duration !== undefined && !(opts.sim && opts.fast)) setTimeout(resolve, opts.duration * 1000).unref();
  });
  await Promise.race([done, stop]);
  if (timer) clearInterval(timer);
  for (const s of sources) await s.stop();
  pipeline.drain();
  pipeline.tick(pipeline.tracker.now);
  await outputs.close(pipeline.tracker.tracks());

  const tracks = pipeline.tracker.tracks();
  if (opts.json) process.stdout.write(JSON.stringify(tracks.map(trackToJson), null, 2) + '\n');
  else if (table) table.update(tracks, pipeline.tracker.now, true);
  else if (opts.jsonl === '-') process.stderr.write(renderTable(tracks, { nowMs: pipeline.tracker.now, sort: opts.sort }));
  else if (opts.once || !process.stdout.isTTY) process.stdout.write(renderTable(tracks, { nowMs: pipeline.tracker.now, sort: opts.sort }));
  say(footer(pipeline).trim());
  return 0;
}

function fail(message: string): number {
  say(message);
  return 2;
}

function footer(p: Pipeline): string {
  const s = p.stats;
  const dropped = Object.entries(s.dropped).map(([k, v]) => `${v} ${k}`);
  return `${s.records} frames, ${s.messages} messages` + (dropped.length ? `, dropped ${dropped.join(', ')}` : '') + (p.queue.dropped ? `, ${p.queue.dropped} frames lost to overload` : '') + (p.forgotten ? `, ${p.forgotten} long-lost tracks forgotten` : '') + '\n';
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
  say((e as Error).message);
  process.exit(2);
});
