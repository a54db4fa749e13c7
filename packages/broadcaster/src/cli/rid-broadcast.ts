#!/usr/bin/env node
/** `rid-broadcast`: a drone announces itself over BLE and Wi-Fi, at the rates the rules demand. */

import path from 'node:path';
import { Command } from 'commander';
import {
  checkOutputPaths,
  CONFIG_MAX_BYTES,
  errorText,
  exitOnUsageError,
  FileTooLargeError,
  formatBytes,
  MAX_DURATION_S,
  type NumberRule,
  onStdoutClosed,
  onStopSignals,
  openOutputFile,
  type OutputFile,
  parseChoice,
  parseChoiceList,
  parseHciIndex,
  parseInterfaceName,
  parseNumber,
  parseTime,
  POLICY_HELP,
  rangeText,
  readFileBoundedSync,
  STDOUT_CLOSED_EXIT,
  usageErrorWriter,
} from '@odid/commands';
import { decodeMessage, detToText, displayText, dripTime, dripTimeText, toHex } from '@odid/codec';
import { loadUaSigner, windowProblem, type UaSigner } from '@odid/trust';
import { Broadcaster } from '../broadcaster.js';
import { ManualClock, systemClock, type Clock } from '@odid/position';
import { DEMO_IDENTITY_CONFIG, IdentityError, loadIdentity, parseIdentity, regimeWarnings, withDripDet } from '@odid/transmitter';
import { PcapngSink, randomAddresses } from '../radios/pcapng-sink.js';
import { createHardwareRadios } from '../radios/hardware.js';
import { type Radio } from '../radios/types.js';
import { BROADCAST_TRANSPORTS, type BroadcastTransport } from '@odid/codec';
import { type Transmission } from '@odid/transmitter';
import { Scheduler } from '@odid/transmitter';
import { createPositionSource, positionSourcesHelp } from '@odid/position';

interface Options {
  config?: string;
  position: string;
  operatorPosition?: string;
  transport?: BroadcastTransport[];
  hci: number;
  wifi?: string;
  wifiMode: 'hostapd' | 'inject';
  pcapng?: string;
  rate: number;
  duration?: number;
  dryRun?: boolean;
  clock: 'realtime' | 'simulated';
  /** ms since the epoch. */
  start?: number;
  force?: boolean;
  dripKey?: string;
  dripEndorsement?: string;
}

/** The ranges of the numeric options (in --help and in the errors); the rate is the scheduler's. */
const RATE: NumberRule = { min: 1, max: 10, unit: 'Hz' };
const DURATION: NumberRule = { min: 0, minExclusive: true, max: MAX_DURATION_S, unit: 'seconds' };
/** System messages count seconds from 2019-01-01 in 32 bits (to 2155): a simulated start within that, with room to run. */
const START = { minMs: Date.UTC(2019, 0, 1), maxMs: Date.UTC(2150, 0, 1) };
const WIFI_MODES = ['hostapd', 'inject'] as const;
const CLOCKS = ['realtime', 'simulated'] as const;

const LOG_LINE_MAX = 1000;
/**
 * Every line to stderr. Lines quote the configuration, position sources, hostapd and the radios, so
 * control characters are shown escaped (never sent to the terminal) and the line is capped.
 */
const log = (line: string): void => void process.stderr.write(`rid-broadcast: ${displayText(line, { max: LOG_LINE_MAX })}\n`);

const program = new Command()
  .name('rid-broadcast')
  .description('Broadcast Open Drone ID (ASTM F3411 / EN 4709-002) Remote ID over BLE 4, BLE 5 long range, Wi-Fi Beacon and Wi-Fi NAN.')
  .exitOverride(exitOnUsageError)
  .configureOutput({ outputError: usageErrorWriter('rid-broadcast') })
  .option('--config <file>', `identity (JSON or YAML, at most ${formatBytes(CONFIG_MAX_BYTES)}); without it a built-in demo identity is used`)
  .option('--position <spec>', 'where the aircraft is (see Position sources below)', 'sim')
  .option('--operator-position <spec>', 'live operator/control-station position (operatorLocation: live)')
  .option('--transport <name>', `transport, repeatable or comma separated: ${BROADCAST_TRANSPORTS.join(', ')}`, parseChoiceList('--transport', BROADCAST_TRANSPORTS))
  .option('--hci <n>', 'Bluetooth controller for the BLE transports: N or hciN (0..9999)', parseHciIndex('--hci'), 0)
  .option('--wifi <interface>', 'Wi-Fi interface for the Wi-Fi transports (e.g. wlan1, or wlan1mon for injection)', parseInterfaceName('--wifi'))
  .option('--wifi-mode <mode>', `wifi-beacon through hostapd, or monitor-mode injection (${WIFI_MODES.join(', ')})`, parseChoice('--wifi-mode', WIFI_MODES), 'hostapd')
  .option('--pcapng <file>', `write every frame of every selected transport to a pcapng ("-" = stdout) instead of radios (${POLICY_HELP.stream})`)
  .option('--force', 'let --pcapng overwrite an existing file')
  .option('--rate <hz>', `Location messages per second on each transport (${rangeText(RATE)})`, parseNumber('--rate', RATE), 2)
  .option('--duration <seconds>', `stop after this many seconds (${rangeText(DURATION)}, a week; default: run until interrupted)`, parseNumber('--duration', DURATION))
  .option('--dry-run', 'print the messages it would send (JSON lines on stdout) instead of transmitting')
  .option('--clock <clock>', `simulated: with --pcapng or --dry-run, run the schedule as fast as the machine can (${CLOCKS.join(', ')})`, parseChoice('--clock', CLOCKS), 'realtime')
  .option('--start <time>', 'with --clock simulated: the simulated start time (ISO 8601, 2019..2149; default now)', parseTime('--start', START))
  .option('--drip-key <file>', 'authenticate with DRIP (RFC 9575): the UA\'s Ed25519 key (PKCS#8 PEM, mode 0600, rid-keys create); its DET is announced as the session ID')
  .option('--drip-endorsement <file>', "with --drip-key: the UA's endorsement by its HDA (rid-keys endorse), broadcast as the DRIP Link")
  .addHelpText(
    'after',
    `
Position sources (--position, --operator-position):
${positionSourcesHelp()}

Examples:
  rid-broadcast --config examples/eu-open.yaml --position gpsd:// --transport ble-legacy,ble-extended --hci 0
  rid-broadcast --position sim --transport wifi-beacon --wifi wlan1
  rid-broadcast --position sim --transport ble-legacy,wifi-nan --pcapng - --duration 600 --clock simulated | odid decode -
  rid-broadcast --config examples/drip-session.yaml --drip-key keys/ua.key.pem --drip-endorsement keys/hda-ua.json
Real radios need root or capabilities: see hardware/README.md.

DRIP (--drip-key, --drip-endorsement, or drip: { key, endorsement } in the config, relative to it): the DET
of the key is announced in a Basic ID (ID type 4, session type 1) beside the serial, and the Link (the
endorsement), Wrappers and Manifests are signed as they are sent, valid for 5 minutes from the clock: on
BLE 4 one structure per rotation in pages with FEC, elsewhere one pack a second carries one whole. An
endorsement not valid at the start is refused: receivers would take the drone for forged.

--pcapng FILE is checked before anything starts (directory there and writable, not --config, not a
directory); a write that fails stops the run with one line. Ctrl-C (SIGINT) or SIGTERM stops the run
within a second, the pcapng complete; a second one exits at once.
Exit status: 0 done (also when stopped by Ctrl-C); 1 the pcapng could not be written; 2 a usage error;
3 a radio could not start; ${STDOUT_CLOSED_EXIT} stdout was closed early (a reader such as head quit), as a shell
reports for cat.`,
  )
  .action(async (opts: Options) => {
    process.exitCode = await run(opts);
  });

async function run(opts: Options): Promise<number> {
  // A reader of --pcapng - or --dry-run that quits (| head) ends the run at once, quietly.
  onStdoutClosed('rid-broadcast');
  const transports: BroadcastTransport[] = opts.transport ?? (opts.pcapng || opts.dryRun ? [...BROADCAST_TRANSPORTS] : ['ble-legacy', 'ble-extended']);
  if (opts.clock === 'simulated' && !opts.pcapng && !opts.dryRun) return fail('--clock simulated needs a file or pipe: give --pcapng FILE|- or --dry-run');
  if (opts.clock === 'simulated' && opts.duration === undefined) return fail('--clock simulated needs --duration (seconds)');

  if ((opts.dripKey === undefined) !== (opts.dripEndorsement === undefined)) return fail('--drip-key and --drip-endorsement go together: the key signs, the endorsement says who vouches for it');

  // Before anything is read, started or created.
  if (opts.pcapng) {
    const inputs = [
      ...(opts.config ? [{ option: '--config', path: opts.config }] : []),
      ...(opts.dripKey ? [{ option: '--drip-key', path: opts.dripKey }] : []),
      ...(opts.dripEndorsement ? [{ option: '--drip-endorsement', path: opts.dripEndorsement }] : []),
    ];
    try {
      checkOutputPaths([{ option: '--pcapng', path: opts.pcapng, policy: 'stream' }], { inputs, force: opts.force });
    } catch (e) {
      return fail((e as Error).message);
    }
  }

  let identity;
  try {
    identity = opts.config
      ? parseIdentity(readFileBoundedSync(opts.config, { maxBytes: CONFIG_MAX_BYTES, hint: 'configs are a few hundred bytes' }).toString('utf8'), opts.config)
      : loadIdentity(DEMO_IDENTITY_CONFIG);
  } catch (e) {
    if (e instanceof FileTooLargeError) return fail(`--config ${opts.config}: ${e.message}`);
    return fail(e instanceof IdentityError ? e.message : `cannot read ${opts.config}: ${(e as Error).message}`);
  }
  if (!opts.config) log('no --config: broadcasting the built-in demo identity (EU, serial 1581F5FHB229F00202DR)');

  const startMs = opts.start ?? Date.now();
  let signer: UaSigner | undefined;
  // The options win over the config's drip: { key, endorsement }, whose paths are the config's own.
  const configDir = opts.config ? path.dirname(opts.config) : '.';
  const dripFiles = opts.dripKey
    ? { key: opts.dripKey, endorsement: opts.dripEndorsement!, from: '--drip-endorsement' }
    : identity.drip
      ? { key: path.resolve(configDir, identity.drip.key), endorsement: path.resolve(configDir, identity.drip.endorsement), from: `${opts.config}: drip.endorsement` }
      : undefined;
  if (dripFiles) {
    try {
      signer = loadUaSigner(dripFiles.key, dripFiles.endorsement);
      identity = withDripDet(identity, signer.uaDet);
    } catch (e) {
      return fail((e as Error).message);
    }
    const link = signer.endorsement;
    const expired = windowProblem(link.vnb, link.vna, startMs, 0);
    if (expired) return fail(`${dripFiles.from} ${dripFiles.endorsement}: the endorsement is ${expired.reason}; receivers would take the drone for forged`);
    log(`DRIP: signing as DET ${detToText(signer.uaDet)}, endorsed by ${detToText(link.parentDet)} until ${dripTimeText(link.vna)} (${Math.floor((link.vna - dripTime(startMs)) / 86_400)} days left)`);
  }
  for (const w of regimeWarnings(identity, transports as BroadcastTransport[])) log(`warning: ${w}`);

  const manual = opts.clock === 'simulated' ? new ManualClock(startMs) : undefined;
  const clock: Clock = manual ?? systemClock;

  const position = createPositionSource(opts.position, { clock });
  const operator = opts.operatorPosition ? createPositionSource(opts.operatorPosition, { clock }) : undefined;
  await position.start();
  await operator?.start();

  const abort = new AbortController();
  const removeSignalHandlers = onStopSignals(() => abort.abort());
  let pcapng: OutputFile | undefined;
  const scheduler = new Scheduler({ identity, transports: transports as BroadcastTransport[], position, ...(operator ? { operator } : {}), clock, rateHz: opts.rate, ...(signer ? { drip: { signer } } : {}) });
  const radios = opts.dryRun
    ? transports.map(dryRunRadio)
    : opts.pcapng
      ? sinkRadios((pcapng = openOutputFile({ option: '--pcapng', path: opts.pcapng }, { onError: (line) => (log(`${line}; stopping`), abort.abort()) })), transports as BroadcastTransport[])
      : createHardwareRadios(transports as BroadcastTransport[], { hci: opts.hci, wifi: opts.wifi, wifiMode: opts.wifiMode, clock, rateHz: opts.rate });

  const broadcaster = new Broadcaster({ scheduler, radios, clock, log });
  try {
    const running = await broadcaster.start();
    log(`broadcasting on ${running.join(', ')} from ${position.name}${manual ? ' (simulated clock)' : ''}`);
    const until = opts.duration !== undefined ? clock.now() + opts.duration * 1000 : Infinity;
    if (manual) await broadcaster.runSimulated(manual, until, abort.signal);
    else await broadcaster.runRealtime(until, abort.signal);
  } catch (e) {
    return fail(errorText(e));
  } finally {
    await broadcaster.stop();
    await pcapng?.close();
    await position.stop();
    await operator?.stop();
    removeSignalHandlers();
  }
  log(`sent ${broadcaster.transmissions} transmissions${pcapng?.error ? `; --pcapng ${opts.pcapng} incomplete` : ''}`);
  if (pcapng?.error) return 1;
  return broadcaster.failed.length > 0 ? 3 : 0;
}

function fail(message: string): number {
  log(message);
  return 2;
}

/** --pcapng: every transport writes into one capture, waiting whenever the file or pipe is full. */
function sinkRadios(out: OutputFile, transports: BroadcastTransport[]): Radio[] {
  const sink = new PcapngSink({ write: (b) => (out.write(b) ? undefined : out.drained()) }, randomAddresses());
  return transports.map((t) => sink.radio(t));
}

/** --dry-run: one JSON line per transmission, with the decoded messages. */
function dryRunRadio(transport: string): Radio {
  return {
    transport: transport as BroadcastTransport,
    description: 'dry run (stdout)',
    start: async () => {},
    stop: async () => {},
    transmit: async (t: Transmission) => {
      const m = decodeMessage(t.payload);
      const line = JSON.stringify({ t: t.timeMs / 1000, transport: t.transport, counter: t.counter, hex: toHex(t.payload), message: m });
      if (!process.stdout.write(line + '\n')) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
    },
  };
}

program.parseAsync().catch((e: unknown) => {
  log(errorText(e));
  process.exit(2);
});
