/**
 * The hub benchmark's receivers, in a child process of their own: N receivers on a ring around the fleet,
 * each publishing what it hears through the real publisher (openMqttPublisher: 100 ms batches, QoS 1, its
 * spool, its own MQTT connection) to the broker, every frame stamped with the wall clock when it is
 * "received" (written to the publisher), as rid-scan stamps a radio's frames.
 *
 * The air is made once for all of them (hub-air.ts), so the receivers cost the machine little and the hub
 * is what the benchmark measures. Tells the parent (IPC) when it starts publishing, then what it published,
 * the CPU it took meanwhile and how late its event loop ran (a loop held up delays every frame it holds).
 *
 * `hub-receivers.ts PORT SITE RECEIVERS DRONES SECONDS [--no-positions]`, forked by hub.bench.ts.
 */

import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@odid/position';
import { SimulatedScene } from '@odid/transmitter';
import type { ReceivedMessage } from '@odid/codec';
import { openMqttPublisher } from '../src/outputs/mqtt-publish.js';
import { buildFleet } from './fleet.js';
import { receiverPlaces, SharedAir } from './hub-air.js';

/** How often the receivers look at the air: frames wait at most this long before they are "received". */
const STEP_MS = 5;
const MB = 1024 * 1024;

export type ReceiversMessage =
  | { kind: 'publishing' }
  | {
      kind: 'done';
      /** Frames handed to the publishers, and those their spools dropped (never sent). */
      published: number;
      dropped: number;
      /** CPU seconds used while publishing. */
      cpuS: number;
      wallS: number;
      /** The event loop's delay while publishing, ms. */
      loopDelayP99Ms: number;
      loopDelayMaxMs: number;
    };

async function publishers(port: number, site: string, receivers: number, drones: number, seconds: number, positions: boolean): Promise<ReceiversMessage> {
  const fleet = buildFleet({ drones });
  const clock = new ManualClock(Date.now());
  const places = receiverPlaces(receivers, SimulatedScene.centre(fleet));
  const air = new SharedAir(fleet, clock, places);
  const pubs = await Promise.all(
    places.map(async (place, i) => {
      const pub = await openMqttPublisher({ target: { protocol: 'mqtt', host: '127.0.0.1', port }, security: {}, site, receiver: `rx${i}`, spoolMaxBytes: 16 * MB });
      // Its status gives its place, so the hub estimates positions from RSSI as it would at a venue.
      if (positions) pub.setContext({ position: () => ({ lat: place.latitude, lon: place.longitude }) });
      return pub;
    }),
  );
  process.send?.({ kind: 'publishing' } satisfies ReceiversMessage);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu = process.cpuUsage();
  const started = Date.now();
  const until = started + seconds * 1000;
  await new Promise<void>((resolve) => {
    const step = (): void => {
      clock.set(Date.now());
      air.due().forEach((frames, i) => {
        const pub = pubs[i]!;
        for (const f of frames) {
          pub.write({ t: Date.now() / 1000, linkType: f.linkType, data: f.data });
          // What the receiver's decoder would say of it; only frames with a message are published.
          pub.message({ transport: f.transport, mac: '02:00:00:00:00:00', rssi: f.rssi } as unknown as ReceivedMessage);
        }
      });
      if (Date.now() >= until) return resolve();
      setTimeout(step, STEP_MS);
    };
    step();
  });
  await Promise.all(pubs.map((p) => p.close()));
  delay.disable();
  const used = process.cpuUsage(cpu);
  const stats = pubs.map((p) => p.stats());
  return {
    kind: 'done',
    published: stats.reduce((n, s) => n + s.frames, 0),
    dropped: stats.reduce((n, s) => n + s.droppedFrames, 0),
    cpuS: (used.user + used.system) / 1e6,
    wallS: (Date.now() - started) / 1000,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
  };
}

if (process.send && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [port, site, receivers, drones, seconds, flag] = process.argv.slice(2);
  publishers(Number(port), site!, Number(receivers), Number(drones), Number(seconds), flag !== '--no-positions').then(
    (done) => process.send!(done, () => process.disconnect()),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
