/**
 * The MQTT parts through the project's contract suites, on a real mosquitto (test/support/mosquitto.ts):
 * the publisher (rid-scan --publish) through the output contract, a subscriber on the broker as its sink;
 * the hub's source (rid-hub) through the frame-source contract, batches published to it as its air. This
 * run sits with the receiver's tests because the subscriber and publisher here are mqtt.js clients, a
 * dependency of this package only; the suites are test/contract's.
 */

import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { buildAirFrames, encodeMessage, RemoteIdExtractor } from '@odid/codec';
import { MqttHubSource } from '../src/hub/mqtt-source.js';
import type { BrokerTarget } from '../src/outputs/mqtt-connect.js';
import { openMqttPublisher } from '../src/outputs/mqtt-publish.js';
import { encodeFrameBatch } from '../src/outputs/mqtt-schema.js';
import type { RawFrame } from '../src/outputs/types.js';
import { startMosquitto, type Mosquitto } from '../../../test/support/mosquitto.js';
import { describeOutputContract, type OutputRig } from '../../../test/contract/output-contract.js';
import { describeFrameSourceContract, type FrameSourceRig } from '../../../test/contract/frame-source-contract.js';

let broker: Mosquitto;
let secured: Mosquitto;
let target: BrokerTarget;
beforeAll(async () => {
  broker = await startMosquitto();
  secured = await startMosquitto({ users: { rx: 'right' }, tls: {} });
  target = { protocol: 'mqtt', host: '127.0.0.1', port: broker.port };
}, 60_000);
afterAll(async () => {
  await broker?.stop();
  await secured?.stop();
});

const T0 = Date.now();
const PACK = encodeMessage({ type: 'messagePack', messages: [{ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F0123456789A' }] });
const frame = (i: number): RawFrame => {
  const f = buildAirFrames({ transport: 'wifi-beacon', address: '02:00:00:00:00:01', counter: i & 0xff, payload: PACK })[0]!;
  return { t: (T0 + i * 100) / 1000, linkType: f.linkType, data: f.data };
};

/** An mqtt.js client subscribed to `filter`, counting what arrives. */
async function subscriber(port: number, filter: string): Promise<{ client: MqttClient; messages: () => number }> {
  const client = connect({ host: '127.0.0.1', port, protocolVersion: 4 });
  let n = 0;
  client.on('message', () => n++);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe(filter, { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    client.once('error', reject);
  });
  return { client, messages: () => n };
}

const end = (c: MqttClient): Promise<void> => new Promise((r) => c.end(true, () => r()));

let sites = 0;

/** The publisher as the pipeline drives it: each frame, then what the codec decoded of it. */
async function publisherRig(opts: { killBroker?: Mosquitto } = {}): Promise<OutputRig<RawFrame>> {
  const site = `contract${sites++}`;
  const on = opts.killBroker ?? broker;
  const sink = await subscriber(on.port, `rid/${site}/+/frames`);
  const reported: unknown[] = [];
  const extractor = new RemoteIdExtractor();
  return {
    open: async () => {
      const publisher = await openMqttPublisher({ target: { protocol: 'mqtt', host: '127.0.0.1', port: on.port }, security: {}, site, receiver: 'rx', spoolMaxBytes: 1 << 20, onError: (e) => reported.push(e) });
      // The broker goes away once the publisher is connected: every write then waits, the loss is reported.
      if (opts.killBroker) await opts.killBroker.kill('SIGKILL');
      return {
        write: (f: RawFrame) => {
          publisher.write(f);
          for (const m of extractor.fromRecord(f.linkType, f.data, { t: f.t })) publisher.message(m);
        },
        close: () => publisher.close(),
      };
    },
    item: frame,
    received: sink.messages,
    reported: () => reported,
    dispose: async () => {
      await end(sink.client);
      if (opts.killBroker) await opts.killBroker.restart();
    },
  };
}

describeOutputContract('MQTT publisher (rid-scan --publish) to mosquitto', () => publisherRig(), {
  quietMs: 300,
  failingSink: [
    {
      name: 'the broker killed while publishing',
      make: async () => {
        const dying = await startMosquitto();
        const rig = await publisherRig({ killBroker: dying });
        const dispose = rig.dispose;
        return { ...rig, received: () => 1, dispose: async () => { await dispose?.(); await dying.stop(); } };
      },
      code: 'unreachable',
    },
  ],
  failingOpen: [
    {
      name: 'a wrong password',
      make: () => ({ open: () => openMqttPublisher({ target: { protocol: 'mqtt', host: '127.0.0.1', port: secured.port }, security: { username: 'rx', password: 'wrong' }, site: 'c', receiver: 'rx', spoolMaxBytes: 1 << 20 }) }),
      code: 'bad-credentials',
    },
    {
      name: "a broker certificate no CA given trusts",
      make: () => ({ open: () => openMqttPublisher({ target: { protocol: 'mqtts', host: '127.0.0.1', port: secured.tlsPort! }, security: {}, site: 'c', receiver: 'rx', spoolMaxBytes: 1 << 20 }) }),
      code: 'tls-untrusted',
    },
  ],
});

/** The hub's source, fed batches on the broker by a publishing client. */
async function hubSourceRig(port = broker.port, security = {}): Promise<FrameSourceRig<MqttHubSource>> {
  const site = `contract${sites++}`;
  const source = new MqttHubSource({ target: { protocol: 'mqtt', host: '127.0.0.1', port }, security, site, clientId: `contract-hub-${site}` });
  // Connected before the checks look at what the process holds: it is the rig's, not the source's.
  const feeder = connect({ host: '127.0.0.1', port, protocolVersion: 4, username: 'rx', password: 'right' });
  await new Promise<void>((resolve, reject) => (feeder.once('connect', () => resolve()), feeder.once('error', reject)));
  let seq = 0;
  return {
    source,
    drive: async () => {
      const frames = [0, 1, 2].map((k) => ({ ...frame(seq * 3 + k), transport: 'wifi-beacon' as const }));
      const bytes = encodeFrameBatch({ rx: 'feeder', boot: T0, seq: seq++, frames }, Date.now() / 1000);
      await new Promise<void>((resolve) => feeder.publish(`rid/${site}/feeder/frames`, Buffer.from(bytes), { qos: 1 }, () => resolve()));
    },
    quietMs: 300,
    dispose: () => end(feeder),
  };
}

describeFrameSourceContract('MQTT hub source (rid-hub) on mosquitto', () => hubSourceRig(), {
  failing: [
    {
      name: 'no broker listening',
      make: async () => {
        const gone = await startMosquitto();
        await gone.stop();
        return { source: new MqttHubSource({ target: { protocol: 'mqtt', host: '127.0.0.1', port: gone.port }, security: {}, site: 'c' }) };
      },
      code: 'unreachable',
    },
    {
      name: 'a wrong password',
      make: () => ({ source: new MqttHubSource({ target: { protocol: 'mqtt', host: '127.0.0.1', port: secured.port }, security: { username: 'rx', password: 'wrong' }, site: 'c' }) }),
      code: 'bad-credentials',
    },
  ],
  troubled: [
    {
      name: 'a receiver publishing what is not a batch',
      make: async () => {
        const rig = await hubSourceRig();
        const site = (rig.source as unknown as { opts: { site: string } }).opts.site;
        const junk = connect({ host: '127.0.0.1', port: broker.port, protocolVersion: 4 });
        await new Promise<void>((resolve) => junk.once('connect', () => resolve()));
        return {
          ...rig,
          drive: async () => {
            await new Promise<void>((resolve) => junk.publish(`rid/${site}/junk/frames`, Buffer.from('not cbor at all \xff'), { qos: 1 }, () => resolve()));
            await rig.drive!();
          },
          dispose: async () => {
            await end(junk);
            await rig.dispose?.();
          },
        };
      },
    },
  ],
});
