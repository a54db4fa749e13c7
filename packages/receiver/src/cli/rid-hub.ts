#!/usr/bin/env node
/**
 * `rid-hub mqtt[s]://HOST[:PORT]`: many receivers, one picture. Subscribes to every receiver of a site
 * (rid-scan --publish, docs/mqtt.md), decodes their frames with the same codec, and merges them into one
 * tracker: a drone heard by several receivers is one track, each receiver's RSSI and last-heard time kept
 * on its links. Serves the same outputs as rid-scan (live table, --web, --out, --jsonl, --cot, --record,
 * --pcapng), through rid-scan's own output wiring (outputs.ts, web-map.ts), and shows every receiver: its
 * frames, its clock against the hub's (corrected when off), what it lost and what arrived late (merged as
 * the past: hub/hub.ts).
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
  parseNumber,
  rangeText,
  STDOUT_CLOSED_EXIT,
  stdoutExitCode,
  usageErrorWriter,
} from '@odid/commands';
import { systemClock } from '@odid/position';
import { brokerName, loadMqttSecurity, mqttSecurityCliOptions, parseBrokerUrl, type MqttSecurityOptions } from '../outputs/mqtt-connect.js';
import { checkTopicLevel, DEFAULT_SITE, siteFilter } from '../outputs/mqtt-topics.js';
import { outputsHelp } from '../outputs/registry.js';
import { LiveTable, renderTable, SORT_KEYS, type RenderOptions, type SortKey } from '../outputs/table.js';
import { Pipeline } from '../pipeline.js';
import { Hub, LATE_AFTER_MS } from '../hub/hub.js';
import { MqttHubSource } from '../hub/mqtt-source.js';
import { renderReceivers } from '../hub/receivers-table.js';
import { TICK_EVERY_MS } from '../hub/rssi-estimates.js';
import { loadAllowListFile, type AllowEntry } from '../tracker/allow-list.js';
import { trackToJson } from '../tracker/track-json.js';
import { loadZonesFile, saveZonesFile, zonesToGeoJson, type Zone } from '../tracker/zones.js';
import { checkOutputs, keyCliOption, openOutputs, outputCliOptions, recordingEvidence, type OutputOptions } from './outputs.js';
import { warmUpHub } from '../warm-up.js';
import { checkBasemap, parseWebAddress, startWebMap, type WebMapRun } from './web-map.js';

interface Options extends OutputOptions, MqttSecurityOptions {
  site: string;
  key?: string;
  late: number;
  duration?: number;
  once?: boolean;
  json?: boolean;
  sort: SortKey;
  stale: number;
  lost: number;
  history: number;
  forget: number;
  web?: string | true;
  basemap?: string;
  zones?: string;
  allow?: string;
}

const LOG_LINE_MAX = 1000;
const say = (line: string): void => void process.stderr.write(`rid-hub: ${displayText(line, { max: LOG_LINE_MAX })}\n`);
const colors = (s: NodeJS.WriteStream): boolean => Boolean(s.isTTY && s.hasColors?.());

const DURATION: NumberRule = { min: 0, minExclusive: true, max: MAX_DURATION_S, unit: 'seconds' };
const STALE: NumberRule = { min: 0, minExclusive: true, max: 86_400, unit: 'seconds' };
const LATE: NumberRule = { min: 0.2, max: 3600, unit: 'seconds' };
const HISTORY: NumberRule = { min: 1, max: 100_000, integer: true, unit: 'positions' };
const FORGET: NumberRule = { min: 0, max: 7 * 24 * 60, unit: 'minutes' };

const program = new Command()
  .name('rid-hub')
  .description('Merge the Remote ID receivers of a site, published to an MQTT broker (rid-scan --publish), into one picture.')
  .argument('<broker>', 'mqtt://HOST[:PORT] (1883) or mqtts://HOST[:PORT] (TLS, 8883)')
  .exitOverride(exitOnUsageError)
  .configureOutput({ outputError: usageErrorWriter('rid-hub') })
  .option('--site <id>', `the site whose receivers to merge (rid/SITE/...; letters, digits, ".", "_", "-")`, DEFAULT_SITE);
for (const o of mqttSecurityCliOptions()) program.addOption(o);
for (const o of outputCliOptions()) program.addOption(o);
program
  .addOption(keyCliOption('--record'))
  .addOption(new Option('--late <seconds>', `a frame older than this when it reaches the hub is late: counted per receiver and merged as the past, raising no alert (${rangeText(LATE)})`).argParser(parseNumber('--late', LATE)).default(LATE_AFTER_MS / 1000))
  .option('--duration <seconds>', `stop after this many seconds (${rangeText(DURATION)})`, parseNumber('--duration', DURATION))
  .option('--once', 'no live table: print the tracks and the receivers when stopped (Ctrl-C or --duration)')
  .option('--json', 'with --once: print the tracks as a JSON array on stdout')
  .option('--sort <key>', `table order (${SORT_KEYS.join(', ')})`, parseChoice('--sort', SORT_KEYS), 'last')
  .option('--stale <seconds>', `a silent track turns stale after this many seconds (${rangeText(STALE)})`, parseNumber('--stale', STALE), 5)
  .option('--lost <seconds>', `and lost after this many seconds (${rangeText(STALE)}; never before stale)`, parseNumber('--lost', STALE), 30)
  .option('--history <points>', `positions kept per track (${rangeText(HISTORY)})`, parseNumber('--history', HISTORY), 1000)
  .option('--forget <minutes>', `forget tracks lost for longer than this (${rangeText(FORGET)}; 0 = never)`, parseNumber('--forget', FORGET), 60)
  .option('--web [addr:port]', 'serve the live map of every receiver\'s drones (default 127.0.0.1:4709; any other address needs the token printed)')
  .option('--basemap <file.pmtiles>', 'with --web: a detailed local map (PMTiles)')
  .option('--zones <file.geojson>', 'named polygons: an alert when a drone or its operator is inside')
  .option('--allow <file>', 'allow-list (.json or .csv): those tracks show as authorised')
  .addHelpText('after', `\nOutputs:\n${outputsHelp('  ', ['--out', '--jsonl', '--cot', '--record', '--pcapng'])}`)
  .addHelpText(
    'after',
    `
Examples:
  rid-hub mqtt://192.0.2.20 --site stadium --web 0.0.0.0:4709
  ODID_MQTT_PASSWORD=... rid-hub mqtts://broker.example --mqtt-ca ca.pem --mqtt-user hub --out tracks.geojson
Receivers publish with: rid-scan --ble --wifi wlan1mon --publish mqtt://192.0.2.20 --site stadium --receiver-id north-gate
Topics and messages: docs/mqtt.md. The receivers table: SHARED = transmissions another receiver brought in
first (only this receiver's signal was taken), LATE = frames older than --late on arrival (merged as the
past: into the tracks' history in time order and the outputs at their own time, --record marking them),
LOST = batches never received, BAD = messages refused, CLOCK = the receiver's clock against the hub's.
Exit status: 0 done (also when stopped by Ctrl-C); 1 an output failed; 2 a usage error, or the broker
refused or could not be reached at start; ${STDOUT_CLOSED_EXIT} stdout was closed early.`,
  )
  .action(async (broker: string, opts: Options) => {
    process.exitCode = await run(broker, opts);
  });

async function run(broker: string, opts: Options): Promise<number> {
  if (opts.json && opts.jsonl === '-') return fail('--json and --jsonl - both want stdout: write the JSONL to a file');
  let zones: Zone[] | undefined;
  let allowList: AllowEntry[] | undefined;
  let webAddress;
  let target;
  let security;
  let cot;
  try {
    target = parseBrokerUrl('rid-hub', broker);
    checkTopicLevel('--site', opts.site);
    security = loadMqttSecurity(target, opts);
    if (opts.zones) zones = loadZonesFile(opts.zones);
    if (opts.allow) allowList = loadAllowListFile(opts.allow);
    if (opts.web !== undefined) webAddress = parseWebAddress(opts.web);
    else if (opts.basemap) throw new Error('--basemap goes with --web');
    if (opts.basemap) checkBasemap(opts.basemap);
    cot = checkOutputs(fileOutputsOf(opts), []);
  } catch (e) {
    return fail((e as Error).message);
  }
  // A recording is sealed with the hub's key (the hub has no position of its own: its receivers' are in their status).
  let signing;
  try {
    signing = await recordingEvidence({ ...(opts.key !== undefined ? { key: opts.key } : {}), recording: opts.record !== undefined, recordingOptions: '--record' }, 'rid-hub', () => undefined, say);
  } catch (e) {
    return fail((e as Error).message);
  }
  const pipelineOpts = {
    ...(zones ? { zones } : {}),
    ...(allowList ? { allowList } : {}),
    staleAfterMs: opts.stale * 1000,
    lostAfterMs: Math.max(opts.lost, opts.stale) * 1000,
    historyLimit: opts.history,
    ...(opts.forget > 0 ? { forgetAfterMs: opts.forget * 60_000 } : {}),
  };

  let requestStop!: () => void;
  const stop = new Promise<void>((resolve) => (requestStop = resolve));
  const removeSignalHandlers = onStopSignals(() => requestStop());
  onStdoutClosed('rid-hub', () => requestStop());
  if (opts.duration !== undefined) setTimeout(() => requestStop(), opts.duration * 1000).unref();

  // The same outputs as rid-scan, opened the same way.
  const outputs = await openOutputs(fileOutputsOf(opts), say, cot, signing?.evidence);
  const sinks = { ...outputs.sinks };
  const pipeline = new Pipeline(pipelineOpts, sinks);
  const source = new MqttHubSource({ target, security, site: opts.site, onStatus: (id, s) => !s.online && say(`receiver ${id} went offline`) });
  const hub = new Hub(pipeline, source.receivers, { lateAfterMs: opts.late * 1000 });

  let web: WebMapRun | undefined;
  if (webAddress) {
    try {
      web = await startWebMap(
        {
          address: webAddress,
          mode: 'live',
          source: `hub of site ${opts.site} on ${brokerName(target)}`,
          ...(opts.basemap ? { basemap: opts.basemap } : {}),
          tracker: pipeline.tracker,
          zones: () => zonesToGeoJson(pipeline.tracker.zoneList),
          ...(opts.zones ? { saveZones: async (c: unknown) => pipeline.setZones(await saveZonesFile(opts.zones!, c)) } : {}),
          say,
        },
        sinks,
      );
    } catch (e) {
      await outputs.close(undefined);
      return fail(`--web: ${(e as Error).message}`);
    }
    Object.assign(sinks, web.sinks);
  }

  const hubFooter = (): string => `${renderReceivers(source.receivers.list(), systemClock.now())}${summary(hub, pipeline)}\n`;
  const live = !opts.once && process.stdout.isTTY && !(opts.jsonl === '-');
  const table = live ? new LiveTable(process.stdout, { sort: opts.sort, footer: hubFooter, color: colors(process.stdout) }) : undefined;
  if (table) {
    const update = sinks.update;
    sinks.update = (u) => {
      table.write(u);
      update?.(u);
    };
  }

  // Compile the hub's path (every receiver's copies, the RSSI estimates) before the first real frame waits for it.
  warmUpHub(pipelineOpts);
  let finishing = false;
  source.on('frame', (f) => hub.take(f));
  source.on('error', (e) => {
    if (!finishing) say(e.message);
  });
  try {
    await source.start();
  } catch (e) {
    finishing = true;
    await outputs.close(undefined);
    await web?.server.close();
    removeSignalHandlers();
    return fail((e as Error).message);
  }
  say(`merging ${siteFilter(opts.site)} from ${brokerName(target)}`);

  let lastReceiversTick = 0;
  const timer = setInterval(() => {
    const now = systemClock.now();
    pipeline.tick(now);
    hub.tick();
    if (now - lastReceiversTick >= 1000) {
      source.receivers.tick(now);
      lastReceiversTick = now;
    }
    table?.update(pipeline.tracker.tracks(), pipeline.tracker.now || now);
  }, TICK_EVERY_MS);
  await stop;
  clearInterval(timer);
  finishing = true;
  await source.stop();
  pipeline.tick(systemClock.now());
  await outputs.close(pipeline.tracker.tracks());
  await web?.server.close();

  const tracks = pipeline.tracker.tracks();
  const nowMs = systemClock.now();
  if (!isStdoutClosed()) {
    if (opts.json) process.stdout.write(JSON.stringify(tracks.map(trackToJson), null, 2) + '\n');
    else if (table) table.update(tracks, nowMs, true);
    else {
      const out = opts.jsonl === '-' ? process.stderr : process.stdout;
      out.write(renderTable(tracks, onceTable(out, nowMs, opts.sort)));
    }
    // The receivers, where the tracks went (stderr beside JSON on stdout).
    (opts.json || opts.jsonl === '-' ? process.stderr : process.stdout).write(renderReceivers(source.receivers.list(), nowMs));
  }
  if (!isStdoutClosed() || stdoutExitCode() !== STDOUT_CLOSED_EXIT) say([summary(hub, pipeline), ...outputs.problems()].join('; '));
  removeSignalHandlers();
  if (isStdoutClosed()) return stdoutExitCode();
  return outputs.failed ? 1 : 0;
}

/** The output options alone: the hub's --site and MQTT options are its input's, not a --publish. */
function fileOutputsOf(opts: Options): OutputOptions {
  const { out, jsonl, cot, record, pcapng, force } = opts;
  return { ...(out ? { out } : {}), ...(jsonl ? { jsonl } : {}), ...(cot ? { cot } : {}), ...(record ? { record } : {}), ...(pcapng ? { pcapng } : {}), ...(force ? { force } : {}) };
}

function onceTable(out: NodeJS.WriteStream, nowMs: number, sort: SortKey): RenderOptions {
  return { nowMs, sort, ...(out.isTTY && out.columns ? { width: out.columns - 1 } : {}), color: colors(out) };
}

/** "3 receivers, 36120 frames: 12040 tracked, 24080 heard again by another receiver, 0 late (merged as the past); 12040 frames decoded, ...". */
function summary(hub: Hub, pipeline: Pipeline): string {
  const s = hub.stats;
  const n = hub.receivers.list().length;
  return (
    `${n} receiver${n === 1 ? '' : 's'}, ${s.frames} frames: ${s.tracked} tracked, ${s.duplicates} heard again by another receiver, ${s.late} late (merged as the past)` +
    (s.ahead ? `, ${s.ahead} stamped ahead of the hub's clock (refused)` : '') +
    `; ${pipeline.stats.records} frames decoded, ${pipeline.stats.messages} messages, ${pipeline.tracker.tracks().length} tracks`
  );
}

function fail(message: string): number {
  say(message);
  return 2;
}

program.parseAsync().catch((e: unknown) => {
  say(errorText(e));
  process.exit(2);
});
