/**
 * The broadcaster's cost and timing over a simulated hour: the demo identity, the simulated flight, all four
 * transports into a PcapngSink writing to a sink that only counts bytes, on a simulated clock (the CLI's
 * `--pcapng - --clock simulated` path). Measured: CPU seconds per simulated hour, and the scheduler's worst
 * interval on the transmission timestamps — the largest gap between consecutive Location messages and
 * between consecutive static messages of each type, per transport (F3411: Location at least every 1 s,
 * static messages at least every 3 s).
 *
 * Run alone: `node --import tsx packages/broadcaster/bench/broadcaster.bench.ts [--minutes 60]`.
 */

import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageType } from '@odid/codec';
import { Broadcaster } from '../src/broadcaster.js';
import { ManualClock } from '@odid/position';
import { DEMO_IDENTITY_CONFIG, loadIdentity } from '@odid/transmitter';
import { PcapngSink } from '../src/radios/pcapng-sink.js';
import { BROADCAST_TRANSPORTS, type BroadcastTransport } from '@odid/codec';
import { type Transmission } from '@odid/transmitter';
import { Scheduler } from '@odid/transmitter';
import { SimulatedFlightSource } from '@odid/position';

export interface BroadcasterBenchOptions {
  /** Simulated minutes measured (default 60). */
  minutes?: number;
}

export interface TransportTiming {
  transport: BroadcastTransport;
  transmissions: number;
  locations: number;
  /** Largest gap between consecutive Location messages, ms. */
  locationMaxGapMs: number;
  /** Largest gap between consecutive messages of one static type, ms, and the types that had it. */
  staticMaxGapMs: number;
  staticWorstType: string;
}

export interface BroadcasterBenchResult {
  machine: string;
  simulatedSeconds: number;
  cpuSeconds: number;
  wallSeconds: number;
  transmissions: number;
  writes: number;
  bytes: number;
  transports: TransportTiming[];
}

const START = Date.UTC(2025, 5, 1, 10, 0, 0);
const PACK_HEADER = 3;
const MESSAGE_SIZE = 25;
const TYPE_NAMES = new Map<number, string>(Object.entries(MessageType).map(([name, t]) => [t, name]));
const STATIC_TYPES = [MessageType.basicId, MessageType.selfId, MessageType.system, MessageType.operatorId, MessageType.auth];

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} cores), Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Gaps per message type on one transport, fed with each transmission's time and member types. */
class GapMeter {
  transmissions = 0;
  private readonly last = new Map<number, number>();
  readonly maxGap = new Map<number, number>();
  readonly count = new Map<number, number>();

  see(type: number, atMs: number): void {
    const prev = this.last.get(type);
    if (prev !== undefined) this.maxGap.set(type, Math.max(this.maxGap.get(type) ?? 0, atMs - prev));
    this.last.set(type, atMs);
    this.count.set(type, (this.count.get(type) ?? 0) + 1);
  }
}

/**
 * The message types a transmission carries, read from its bytes: the header nibble of the one message
 * (ble-legacy), or of each member of the pack. A few byte reads, so the measured CPU stays the broadcaster's.
 */
function memberTypes(t: Transmission, out: number[]): number[] {
  out.length = 0;
  const p = t.payload;
  const type = p[0]! >> 4;
  if (type !== MessageType.messagePack) {
    out.push(type);
    return out;
  }
  const n = p[2]!;
  for (let i = 0; i < n; i++) out.push(p[PACK_HEADER + i * MESSAGE_SIZE]! >> 4);
  return out;
}

/** One simulated run; with `meters`, each transmission's message types are timed (left out of the warm-up). */
async function broadcast(minutes: number, meters?: Map<BroadcastTransport, GapMeter>): Promise<{ transmissions: number; writes: number; bytes: number }> {
  const clock = new ManualClock(START);
  const position = new SimulatedFlightSource({ clock, intervalMs: 0 });
  await position.start();
  const identity = loadIdentity(DEMO_IDENTITY_CONFIG);
  const scheduler = new Scheduler({ identity, transports: BROADCAST_TRANSPORTS, position, clock });
  let writes = 0;
  let bytes = 0;
  const sink = new PcapngSink(
    {
      write: (b) => {
        writes++;
        bytes += b.length;
      },
    },
    { ble: 'c4:11:22:33:44:55', wifi: '02:11:22:33:44:55' },
  );
  const types: number[] = [];
  const onTransmit = meters
    ? (t: Transmission): void => {
        const m = meters.get(t.transport)!;
        m.transmissions++;
        for (const type of memberTypes(t, types)) m.see(type, t.timeMs);
      }
    : undefined;
  const b = new Broadcaster({ scheduler, radios: BROADCAST_TRANSPORTS.map((t) => sink.radio(t)), clock, ...(onTransmit ? { onTransmit } : {}) });
  await b.start();
  await b.runSimulated(clock, START + minutes * 60_000);
  await b.stop();
  await position.stop();
  return { transmissions: b.transmissions, writes, bytes };
}

export async function benchBroadcaster(opts: BroadcasterBenchOptions = {}): Promise<BroadcasterBenchResult> {
  const minutes = opts.minutes ?? 60;
  if (!(minutes > 0)) throw new RangeError('--minutes must be > 0');
  // One simulated minute first, so the hour is measured with the JIT settled, as a long-running broadcaster runs.
  await broadcast(1);
  const meters = new Map(BROADCAST_TRANSPORTS.map((t) => [t, new GapMeter()]));
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  const run = await broadcast(minutes, meters);
  const wallSeconds = Number(process.hrtime.bigint() - wall0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const transports = BROADCAST_TRANSPORTS.map((transport): TransportTiming => {
    const m = meters.get(transport)!;
    let staticMaxGapMs = 0;
    const worst: string[] = [];
    for (const type of STATIC_TYPES) {
      const gap = m.maxGap.get(type);
      if (gap === undefined || gap < staticMaxGapMs) continue;
      if (gap > staticMaxGapMs) worst.length = 0;
      staticMaxGapMs = gap;
      worst.push(TYPE_NAMES.get(type) ?? String(type));
    }
    const staticWorstType = worst.join(', ') || '-';
    return {
      transport,
      transmissions: m.transmissions,
      locations: m.count.get(MessageType.location) ?? 0,
      locationMaxGapMs: m.maxGap.get(MessageType.location) ?? Number.NaN,
      staticMaxGapMs,
      staticWorstType,
    };
  });
  return { machine: machine(), simulatedSeconds: minutes * 60, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds, ...run, transports };
}

const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const within = (gapMs: number, limitMs: number): string => (gapMs <= limitMs ? 'ok' : '**over**');

export function printBroadcaster(r: BroadcasterBenchResult): void {
  const perHour = 3600 / r.simulatedSeconds;
  console.log(`Machine: ${r.machine}`);
  console.log(`Load: demo identity, simulated flight, ${BROADCAST_TRANSPORTS.join(' + ')} into a PcapngSink (counting sink), simulated clock, ${r.simulatedSeconds / 60} simulated minutes\n`);
  console.log('| metric | value |\n|---|---|');
  console.log(`| CPU per simulated hour | ${(r.cpuSeconds * perHour).toFixed(2)} s (${((100 * r.cpuSeconds) / r.simulatedSeconds).toFixed(3)} % of one core in real time) |`);
  console.log(`| wall time per simulated hour | ${(r.wallSeconds * perHour).toFixed(2)} s |`);
  console.log(`| transmissions / pcapng writes per hour | ${int(r.transmissions * perHour)} / ${int(r.writes * perHour)} |`);
  console.log(`| pcapng bytes per hour | ${(r.bytes * perHour / 1e6).toFixed(1)} MB |`);
  console.log('\n| transport | transmissions/h | Location messages/h | worst Location gap (≤ 1000 ms) | worst static gap (≤ 3000 ms) |\n|---|---|---|---|---|');
  for (const t of r.transports) {
    console.log(
      `| ${t.transport} | ${int(t.transmissions * perHour)} | ${int(t.locations * perHour)} | ${t.locationMaxGapMs.toFixed(0)} ms: ${within(t.locationMaxGapMs, 1000)} | ` +
        `${t.staticMaxGapMs.toFixed(0)} ms (${t.staticWorstType}): ${within(t.staticMaxGapMs, 3000)} |`,
    );
  }
}

/** For `pnpm bench` (packages/codec/bench/run.ts). */
export async function runBroadcasterBench(opts: BroadcasterBenchOptions = {}): Promise<void> {
  const minutes = opts.minutes ?? 60;
  console.log(`\n## Broadcaster: ${minutes === 60 ? 'a simulated hour' : `${minutes} simulated minutes`}, all four transports into a pcapng\n`);
  printBroadcaster(await benchBroadcaster(opts));
}

function parseArgs(argv: string[]): BroadcasterBenchOptions {
  if (argv.length === 0) return {};
  const minutes = Number(argv[1]);
  if (argv.length !== 2 || argv[0] !== '--minutes' || !(minutes > 0)) throw new Error('usage: broadcaster.bench.ts [--minutes N]');
  return { minutes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runBroadcasterBench(parseArgs(process.argv.slice(2)));
}
