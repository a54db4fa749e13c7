#!/usr/bin/env node
/** `rid-broadcast`: a drone announces itself over BLE and Wi-Fi, at the rates the rules demand. */

import { createWriteStream, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { decodeMessage, toHex } from '@odid/codec';
import { Broadcaster } from '../broadcaster.js';
import { ManualClock, systemClock, type Clock } from '@odid/position';
import { DEMO_IDENTITY_CONFIG, IdentityError, loadIdentity, parseIdentity, regimeWarnings } from '@odid/transmitter';
import { PcapngSink, randomAddresses } from '../radios/pcapng-sink.js';
import { createHardwareRadios } from '../radios/hardware.js';
import { type Radio } from '../radios/types.js';
import { BROADCAST_TRANSPORTS, type BroadcastTransport } from '@odid/codec';
import { type Transmission } from '@odid/transmitter';
import { Scheduler } from '@odid/transmitter';
import { POSITION_SPEC_FORMS, createPositionSource } from '@odid/position';

interface Options {
  config?: string;
  position: string;
  operatorPosition?: string;
  transport?: string[];
  hci: number;
  wifi?: string;
  wifiMode: 'hostapd' | 'inject';
  pcapng?: string;
  rate: number;
  duration?: number;
  dryRun?: boolean;
  clock: 'realtime' | 'simulated';
  start?: string;
}

const log = (line: string): void => void process.stderr.write(`rid-broadcast: ${line}\n`);

const program = new Command()
  .name('rid-broadcast')
  .description('Broadcast Open Drone ID (ASTM F3411 / EN 4709-002) Remote ID over BLE 4, BLE 5 long range, Wi-Fi Beacon and Wi-Fi NAN.')
  .option('--config <file>', 'identity (JSON or YAML); without it a built-in demo identity is used')
  .option('--position <spec>', 'where the aircraft is (see below)', 'sim')
  .option('--operator-position <spec>', 'live operator/control-station position (operatorLocation: live)')
  .option('--transport <name>', `transport, repeatable or comma separated: ${BROADCAST_TRANSPORTS.join(', ')}`, (v: string, prev: string[] = []) => prev.concat(v.split(',')))
  .option('--hci <n>', 'Bluetooth controller index (hciN) for the BLE transports', (v) => Number(v), 0)
  .option('--wifi <interface>', 'Wi-Fi interface for the Wi-Fi transports (e.g. wlan1, or wlan1mon for injection)')
  .addOption(new Option('--wifi-mode <mode>', 'wifi-beacon through hostapd, or monitor-mode injection').choices(['hostapd', 'inject']).default('hostapd'))
  .option('--pcapng <file>', 'write every frame of every selected transport to a pcapng ("-" = stdout) instead of radios')
  .option('--rate <hz>', 'Location messages per second on each transport (1..10)', (v) => Number(v), 2)
  .option('--duration <seconds>', 'stop after this many seconds (default: run until interrupted)', (v) => Number(v))
  .option('--dry-run', 'print the messages it would send (JSON lines on stdout) instead of transmitting')
  .addOption(new Option('--clock <clock>', 'simulated: with --pcapng or --dry-run, run the schedule as fast as the machine can').choices(['realtime', 'simulated']).default('realtime'))
  .option('--start <time>', 'with --clock simulated: the simulated start time (ISO 8601; default now)')
  .addHelpText(
    'after',
    `
Position sources:
${POSITION_SPEC_FORMS.map((f) => `  ${f}`).join('\n')}

Examples:
  rid-broadcast --config examples/eu-open.yaml --position gpsd:// --transport ble-legacy,ble-extended --hci 0
  rid-broadcast --position sim --transport wifi-beacon --wifi wlan1
  rid-broadcast --position sim --transport ble-legacy,wifi-nan --pcapng - --duration 600 --clock simulated | odid decode -
Real radios need root or capabilities: see hardware/README.md.`,
  )
  .action(async (opts: Options) => {
    process.exitCode = await run(opts);
  });

async function run(opts: Options): Promise<number> {
  const transports = [...new Set((opts.transport ?? (opts.pcapng || opts.dryRun ? BROADCAST_TRANSPORTS : ['ble-legacy', 'ble-extended'])).map((t) => t.trim().toLowerCase()))];
  const unknown = transports.filter((t) => !(BROADCAST_TRANSPORTS as readonly string[]).includes(t));
  if (unknown.length) return fail(`unknown transport ${unknown.join(', ')}: use ${BROADCAST_TRANSPORTS.join(', ')}`);
  if (opts.clock === 'simulated' && !opts.pcapng && !opts.dryRun) return fail('--clock simulated needs a file or pipe: give --pcapng FILE|- or --dry-run');
  if (opts.clock === 'simulated' && opts.duration === undefined) return fail('--clock simulated needs --duration (seconds)');
  if (opts.duration !== undefined && !(opts.duration > 0)) return fail('--duration is a number of seconds > 0');

  let identity;
  try {
    identity = opts.config ? parseIdentity(readFileSync(opts.config, 'utf8'), opts.config) : loadIdentity(DEMO_IDENTITY_CONFIG);
  } catch (e) {
    return fail(e instanceof IdentityError ? e.message : `cannot read ${opts.config}: ${(e as Error).message}`);
  }
  if (!opts.config) log('no --config: broadcasting the built-in demo identity (EU, serial 1581F5FHB229F00202DR)');
  for (const w of regimeWarnings(identity, transports as BroadcastTransport[])) log(`warning: ${w}`);

  const startMs = opts.start ? Date.parse(opts.start) : Date.now();
  if (!Number.isFinite(startMs)) return fail(`--start "${opts.start}" is not an ISO 8601 time`);
  const manual = opts.clock === 'simulated' ? new ManualClock(startMs) : undefined;
  const clock: Clock = manual ?? systemClock;

  const position = createPositionSource(opts.position, { clock });
  const operator = opts.operatorPosition ? createPositionSource(opts.operatorPosition, { clock }) : undefined;
  await position.start();
  await operator?.start();

  const scheduler = new Scheduler({ identity, transports: transports as BroadcastTransport[], position, ...(operator ? { operator } : {}), clock, rateHz: opts.rate });
  const radios = opts.dryRun
    ? transports.map(dryRunRadio)
    : opts.pcapng
      ? sinkRadios(opts.pcapng, transports as BroadcastTransport[])
      : createHardwareRadios(transports as BroadcastTransport[], { hci: opts.hci, wifi: opts.wifi, wifiMode: opts.wifiMode, clock, rateHz: opts.rate });

  const broadcaster = new Broadcaster({ scheduler, radios, clock, log });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const running = await broadcaster.start();
    log(`broadcasting on ${running.join(', ')} from ${position.name}${manual ? ' (simulated clock)' : ''}`);
    const until = opts.duration !== undefined ? clock.now() + opts.duration * 1000 : Infinity;
    if (manual) await broadcaster.runSimulated(manual, until);
    else await broadcaster.runRealtime(until, abort.signal);
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    await broadcaster.stop();
    await position.stop();
    await operator?.stop();
  }
  log(`sent ${broadcaster.transmissions} transmissions`);
  return broadcaster.failed.length > 0 ? 3 : 0;
}

function fail(message: string): number {
  log(message);
  return 2;
}

/** --pcapng: every transport writes into one capture, through a write queue that respects backpressure. */
function sinkRadios(path: string, transports: BroadcastTransport[]): Radio[] {
  const out = path === '-' ? process.stdout : createWriteStream(path);
  const sink = new PcapngSink(
    { write: (b) => (out.write(b) ? undefined : new Promise<void>((r) => out.once('drain', () => r()))) },
    randomAddresses(),
  );
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
  log((e as Error).message);
  process.exit(2);
});
