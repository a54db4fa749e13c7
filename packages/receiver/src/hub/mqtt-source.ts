/**
 * The hub's input: every receiver of a site, through the broker (subscribed to rid/<site>/+/+, QoS 1).
 * A frame source like a radio: 'frame' for each frame of each batch, stamped on the hub's clock (a
 * receiver whose clock is off has its times moved by the measured offset) and named by its receiver
 * (onBatch, before them, says when their batch left its receiver and when it arrived).
 * Statuses go to `receivers` (and onStatus). Batches that arrive twice are dropped here; what each receiver sent,
 * missed and got wrong is kept in `receivers`.
 *
 * Retained statuses arrive on subscribing, so a hub that (re)starts knows every receiver's position and
 * health at once. The client reconnects and subscribes again by itself; an outage is one 'error' event.
 * Messages come from the network: bounded and checked (mqtt-schema.ts), a malformed one is counted against
 * its receiver (its first reason said once as an 'error').
 */

import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { MqttClient } from 'mqtt';
import { brokerName, endClient, explainMqttError, MqttError, openBrokerClient, type BrokerTarget, type MqttSecurity } from '../outputs/mqtt-connect.js';
import { decodeFrameBatch, decodeStatus, MqttWireError, type ReceiverStatus } from '../outputs/mqtt-schema.js';
import { parseTopic, receiverIdFrom, siteFilter } from '../outputs/mqtt-topics.js';
import type { FrameSource, FrameSourceEvents, RawFrame } from '../sources/types.js';
import { HubReceivers } from './receivers.js';

/** A frame as the hub takes it: on the hub's clock, with the receiver that heard it. */
export interface HubFrame extends RawFrame {
  readonly receiver: string;
}

/** A fresh batch as it arrived (told before its frames are): the way from a receiver to the hub, timed. */
export interface HubBatch {
  readonly receiver: string;
  readonly seq: number;
  readonly frames: number;
  /** When the receiver handed it to the broker, on its frames' clock (ms). */
  readonly sentMs: number;
  /** When it reached the hub, on the hub's clock (ms). */
  readonly arrivedMs: number;
  /** What was added to its frames' times to put them on the hub's clock (0 within tolerance), ms. */
  readonly offsetMs: number;
}

export interface HubSourceEvents extends FrameSourceEvents {
  frame: [HubFrame];
}

export interface MqttHubSourceOptions {
  target: BrokerTarget;
  security: MqttSecurity;
  site: string;
  /** Hub clock, ms (tests move it). */
  now?: () => number;
  reconnectMs?: number;
  /** The hub's MQTT client ID (default rid-hub-SITE-HOSTNAME): two hubs of one site on one host need their own. */
  clientId?: string;
  /** Told of each receiver status (its own, or the broker's last will for it). */
  onStatus?: (receiver: string, status: ReceiverStatus) => void;
  /** Told of each fresh batch, before its frames (the hub benchmark times the way with it). */
  onBatch?: (batch: HubBatch) => void;
}

export class MqttHubSource extends EventEmitter<HubSourceEvents> implements FrameSource {
  readonly name: string;
  readonly receivers = new HubReceivers();
  private client: MqttClient | undefined;
  private starting: Promise<void> | undefined;
  private stopped = false;
  private down: MqttError | undefined;
  /** Receivers whose malformed messages were already said. */
  private readonly complained = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly opts: MqttHubSourceOptions) {
    super();
    this.name = `mqtt ${brokerName(opts.target)}`;
    this.now = opts.now ?? Date.now;
  }

  /** Connects and subscribes; rejects with an MqttError (broker unreachable, credentials, certificate). */
  start(): Promise<void> {
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    const { client, connected, error } = await openBrokerClient(this.opts.target, this.opts.security, {
      // The same ID every run, with a persistent session: a hub that restarts finds its subscription, and
      // what was published meanwhile (up to the broker's queue limit), waiting.
      clientId: this.opts.clientId ?? `rid-hub-${this.opts.site}-${receiverIdFrom(hostname())}`.slice(0, 128),
      clean: false,
      ...(this.opts.reconnectMs ? { reconnectMs: this.opts.reconnectMs } : {}),
      // From the first message on (what waited in the session comes right after connecting); once stopped,
      // nothing more is taken, nor acknowledged: the broker keeps it for the next run.
      onMessage: (topic, payload, packet) => this.take(topic, payload, packet.retain),
    });
    if (!connected) {
      await endClient(client, 0);
      throw error ?? new MqttError('unreachable', 'no broker reachable', { subject: brokerName(this.opts.target) });
    }
    if (this.stopped) {
      await endClient(client, 0);
      return;
    }
    this.client = client;
    client.on('error', (e) => this.trouble(explainMqttError(this.opts.target, e, this.opts.security)));
    client.on('close', () => this.trouble(new MqttError('unreachable', 'the connection to the broker closed; reconnecting', { subject: brokerName(this.opts.target) })));
    client.on('connect', () => {
      // mqtt.js subscribes again by itself after a reconnect; the outage is over.
      this.down = undefined;
    });
    const filter = siteFilter(this.opts.site);
    await new Promise<void>((resolve, reject) => {
      client.subscribe(filter, { qos: 1 }, (err, granted) => {
        if (err) return reject(explainMqttError(this.opts.target, err));
        // 0x80: the broker refused the subscription (its access rules).
        if (granted?.some((g) => g.qos === 0x80)) {
          return reject(new MqttError('not-authorised', `the broker refused the subscription to ${filter}`, { subject: brokerName(this.opts.target), fix: "allow this user to read the site's topics in the broker's ACL" }));
        }
        resolve();
      });
    }).catch(async (e: unknown) => {
      this.client = undefined;
      await endClient(client, 0);
      throw e;
    });
  }

  /** One 'error' per outage. */
  private trouble(e: MqttError): void {
    if (this.stopped || (this.down && this.down.code === e.code)) return;
    this.down = e;
    this.emit('error', e);
  }

  /** One message from the broker; false once stopped: not taken, so not acknowledged. */
  private take(topic: string, payload: Buffer, retained: boolean): boolean {
    if (this.stopped) return false;
    this.takeMessage(topic, payload, retained);
    return true;
  }

  private takeMessage(topic: string, payload: Buffer, retained: boolean): void {
    const where = parseTopic(topic);
    if (!where || where.site !== this.opts.site) return;
    const hubMs = this.now();
    try {
      if (where.kind === 'status') {
        const status = decodeStatus(payload);
        if (status.rx !== where.receiver) throw new MqttWireError('bad-field', `rx "${status.rx}" is not the topic's receiver`);
        this.receivers.status(where.receiver, status, hubMs, retained);
        this.opts.onStatus?.(where.receiver, status);
        return;
      }
      const batch = decodeFrameBatch(payload);
      if (batch.rx !== where.receiver) throw new MqttWireError('bad-field', `rx "${batch.rx}" is not the topic's receiver`);
      const offsetMs = this.receivers.batch(where.receiver, batch, hubMs, retained);
      if (offsetMs === undefined) return;
      this.opts.onBatch?.({ receiver: where.receiver, seq: batch.seq, frames: batch.frames.length, sentMs: batch.sent * 1000, arrivedMs: hubMs, offsetMs });
      const shift = offsetMs / 1000;
      for (const f of batch.frames) {
        if (this.stopped) return;
        this.emit('frame', { t: f.t + shift, linkType: f.linkType, data: f.data, receiver: where.receiver });
      }
    } catch (e) {
      if (!(e instanceof MqttWireError)) throw e;
      this.receivers.rejected(where.receiver, e.reason, hubMs);
      if (this.complained.has(where.receiver)) return;
      this.complained.add(where.receiver);
      this.emit('error', new MqttWireError(e.code, `${topic}: ${e.reason} (refused; further ones from this receiver are only counted)`));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (client) {
      await endClient(client, 0);
      client.removeAllListeners();
      // A socket error reported after the end has nobody left to tell.
      client.on('error', () => undefined);
    }
  }
}
