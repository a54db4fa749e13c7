/**
 * The hub benchmark's receivers, in child processes of their own (one by default, `--receiver-processes K`
 * to spread them): receivers on a ring around the fleet, each publishing what it hears through the real
 * publisher (openMqttPublisher: 100 ms batches by default, QoS 1, its spool, its own MQTT connection) to
 * the broker, every frame stamped with the wall clock when it is "received" (written to the publisher), as
 * rid-scan stamps a radio's frames. A process simulates a share of the ring: receivers FIRST to
 * FIRST+COUNT-1.
 *
 * The air is made once for a process's receivers (hub-air.ts), so the receivers cost the machine little
 * and the hub is what the benchmark measures. As at a venue, the receivers are independent of each other
 * and of the drones:
 * - the drones are not in step: each was switched on at its own moment before the air's start (hub-air.ts
 *   spreadMs); what they send before the run starts is heard by nobody. The air's start is the parent's:
 *   every process makes the same air, so one transmission is the same bytes at every receiver, whichever
 *   process simulates it (as the hub's duplicate detection expects of one drone's transmission);
 * - the receivers were started at their own moments: each publisher opens after a random wait of up to
 *   one batch interval, so their batches do not all close in the same millisecond.
 *
 * Tells the parent (IPC) when it is ready, starts publishing when told to, then says what it published,
 * the CPU it took meanwhile and how late its event loop ran (a loop held up delays every frame it holds),
 * with the longest step of the air and the longest garbage collection: what held it.
 *
 * `hub-receivers.ts PORT SITE RECEIVERS DRONES SECONDS FIRST COUNT AIR_START_MS BATCH_MS [--no-positions]`,
 * forked by hub.bench.ts.
 */

import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@odid/position';
import { SimulatedScene } from '@odid/transmitter';
import type { ReceivedMessage } from '@odid/codec';
import { openMqttPublisher } from '../src/outputs/mqtt-publish.js';
import { rng } from '../../../test/support/random.js';
import { buildFleet } from './fleet.js';
import { receiverPlaces, SharedAir } from './hub-air.js';

/** How often the receivers look at the air: frames wait at most this long before they are "received". */
const STEP_MS = 5;
const MB = 1024 * 1024;
/** Every drone was switched on within this long before the air's start, each at its own moment. */
const SPREAD_MS = 1000;

export type ReceiversMessage =
  | { kind: 'ready' }
  | {
      kind: 'done';
      /** Frames handed to the publishers, and those their spools dropped (never sent). */
      published: number;
      dropped: number;
      /** The batches they made of them, and those batches' bytes. */
      batches: number;
      bytes: number;
      /** CPU seconds used while publishing. */
      cpuS: number;
      wallS: number;
      /** The event loop's delay while publishing, ms. */
      loopDelayP99Ms: number;
      loopDelayMaxMs: number;
      /** The longest step (the air's frames for this moment, then writing them to the publishers), ms. */
      longestStepMs: number;
      longestStepAirMs: number;
      /** The longest garbage collection pause, ms, and their total share of the run, %. */
      gcLongestMs: number;
      gcPercent: number;
    };

/** What the parent tells a receivers' process. */
export type ReceiversCommand = { kind: 'start' };

interface Share {
  port: number;
  site: string;
  /** On the whole ring, and this process's: receivers first to first + count - 1. */
  receivers: number;
  first: number;
  count: number;
  drones: number;
  seconds: number;
  /** The air's start (ms since the epoch), the same in every receivers' process. */
  airStartMs: number;
  batchMs: number;
  positions: boolean;
}

async function publishers({ port, site, receivers, first, count, drones, seconds, airStartMs, batchMs, positions }: Share): Promise<ReceiversMessage> {
  const fleet = buildFleet({ drones });
  const clock = new ManualClock(airStartMs);
  const places = receiverPlaces(receivers, SimulatedScene.centre(fleet)).slice(first, first + count);
  const air = new SharedAir(fleet, clock, places, { spreadMs: SPREAD_MS });

  // The air runs from its start on; until the run starts, what it carries is heard by nobody.
  let pubs: Awaited<ReturnType<typeof openMqttPublisher>>[] | undefined;
  let until = Infinity;
  let finished!: () => void;
  const ended = new Promise<void>((resolve) => (finished = resolve));
  const longest = { stepMs: 0, airMs: 0 };
  const step = (): void => {
    const t0 = performance.now();
    clock.set(Date.now());
    const publishing = pubs;
    if (!publishing) air.pass();
    else {
      const heard = air.due();
      const t1 = performance.now();
      heard.forEach((frames, i) => {
        const pub = publishing[i]!;
        for (const f of frames) {
          pub.write({ t: Date.now() / 1000, linkType: f.linkType, data: f.data });
          // What the receiver's decoder would say of it; only frames with a message are published.
          pub.message({ transport: f.transport, mac: '02:00:00:00:00:00', rssi: f.rssi } as unknown as ReceivedMessage);
        }
      });
      const took = performance.now() - t0;
      if (took > longest.stepMs) Object.assign(longest, { stepMs: took, airMs: t1 - t0 });
    }
    if (Date.now() >= until) return finished();
    setTimeout(step, STEP_MS);
  };
  step();

  // Each receiver started at its own moment: its batches close on their own cadence (mqtt-publish.ts),
  // counted from when it connected. The MQTT client is loaded first (the publisher loads it on first use,
  // in a few hundred ms): otherwise every publisher waiting for it would connect in the same few ms.
  await import('mqtt');
  const wait = rng(first + 1);
  const opened = await Promise.all(
    places.map(async (place, i) => {
      await new Promise((r) => setTimeout(r, wait() * batchMs));
      const pub = await openMqttPublisher({ target: { protocol: 'mqtt', host: '127.0.0.1', port }, security: {}, site, receiver: `rx${first + i}`, spoolMaxBytes: 16 * MB, batchMs });
      // Its status gives its place, so the hub estimates positions from RSSI as it would at a venue.
      if (positions) pub.setContext({ position: () => ({ lat: place.latitude, lon: place.longitude }) });
      return pub;
    }),
  );
  const start = new Promise<void>((resolve) => process.on('message', (m: ReceiversCommand) => m.kind === 'start' && resolve()));
  process.send?.({ kind: 'ready' } satisfies ReceiversMessage);
  await start;

  const delay = monitorEventLoopDelay({ resolution: 1 });
  const gc = { longestMs: 0, totalMs: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.longestMs = Math.max(gc.longestMs, e.duration);
      gc.totalMs += e.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  delay.enable();
  const cpu = process.cpuUsage();
  const started = Date.now();
  until = started + seconds * 1000;
  pubs = opened;
  await ended;
  await Promise.all(opened.map((p) => p.close()));
  delay.disable();
  gcObserver.disconnect();
  const used = process.cpuUsage(cpu);
  const wallS = (Date.now() - started) / 1000;
  const stats = opened.map((p) => p.stats());
  return {
    kind: 'done',
    published: stats.reduce((n, s) => n + s.frames, 0),
    dropped: stats.reduce((n, s) => n + s.droppedFrames, 0),
    batches: stats.reduce((n, s) => n + s.batches, 0),
    bytes: stats.reduce((n, s) => n + s.bytes, 0),
    cpuS: (used.user + used.system) / 1e6,
    wallS,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
    longestStepMs: longest.stepMs,
    longestStepAirMs: longest.airMs,
    gcLongestMs: gc.longestMs,
    gcPercent: (gc.totalMs / 1000 / wallS) * 100,
  };
}

if (process.send && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // The benchmark gone (its IPC channel closed), nobody waits for these receivers: their air would run on.
  process.once('disconnect', () => process.exit(0));
  const [port, site, receivers, drones, seconds, first, count, airStart, batchMs, flag] = process.argv.slice(2);
  const share = { port: Number(port), site: site!, receivers: Number(receivers), drones: Number(drones), seconds: Number(seconds), first: Number(first), count: Number(count), airStartMs: Number(airStart), batchMs: Number(batchMs) };
  publishers({ ...share, positions: flag !== '--no-positions' }).then(
    (done) => process.send!(done, () => process.disconnect()),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
