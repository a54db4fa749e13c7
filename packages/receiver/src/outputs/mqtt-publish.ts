/**
 * `rid-scan --publish mqtt[s]://HOST[:PORT]`: this receiver's Remote ID frames and its health go to the
 * venue's MQTT broker, where a hub (rid-hub) merges every receiver's into one picture. docs/mqtt.md has
 * the topics and the messages.
 *
 * - Frames: every frame that yielded Remote ID (the pipeline hands the frame, then its messages), with what
 *   was decoded of it, in one batch per BATCH_MS (or sooner when large), QoS 1, to rid/<site>/<rx>/frames.
 * - Status: position, frames/s, drops, spool depth and clock every STATUS_MS, QoS 1, retained (a hub that
 *   starts later sees every receiver at once), to rid/<site>/<rx>/status; the broker's last will for this
 *   client, and the last status on close, say `online: false`.
 * - While the broker is unreachable, or slower than the air, batches wait in the spool (memory, or disk with
 *   --spool DIR), bounded; when it answers again they go first, in order. What the bound drops is counted:
 *   in the status and on stderr. At most IN_FLIGHT batches are handed to the MQTT client un-acknowledged:
 *   it resends those itself after a reconnect, and its memory stays bounded.
 *
 * A broker that is down never stops the receiver nor costs another output: nothing here throws into the
 * pipeline, and the only blocking work is a disk spool's small appends.
 */

import { Option } from 'commander';
import { accessSync, constants, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { MqttClient } from 'mqtt';
import { ToolkitError, type ReceivedMessage } from '@odid/codec';
import { formatBytes, quoteValue, UsageError } from '@odid/commands';
import type { RawFrame } from '../sources/types.js';
import {
  brokerName,
  endClient,
  explainMqttError,
  isConfigurationError,
  loadMqttSecurity,
  mqttSecurityCliOptions,
  MqttError,
  openBrokerClient,
  parseBrokerUrl,
  type BrokerTarget,
  type MqttSecurity,
  type MqttSecurityOptions,
} from './mqtt-connect.js';
import { encodeFrameBatch, encodeStatus, MAX_FRAME_BYTES, stampSent, type ReceiverStatus, type WireFrame } from './mqtt-schema.js';
import { DiskSpool, MemorySpool, parseByteSize, SPOOL_MAX_BYTES, SPOOL_MIN_BYTES, type Spool, type SpoolError, type SpoolRecord } from './mqtt-spool.js';
import { outputOptionHelp } from './registry.js';
import { checkTopicLevel, DEFAULT_SITE, receiverIdFrom, topicOf } from './mqtt-topics.js';
import type { FrameOutput } from './types.js';

/** How long frames gather into one message. */
export const BATCH_MS = 100;
/** A batch goes sooner when it holds this many frames or bytes. */
const BATCH_MAX_FRAMES = 2000;
const BATCH_MAX_BYTES = 256 * 1024;
export const STATUS_MS = 5000;
/** Batches handed to the MQTT client and not yet acknowledged. */
const IN_FLIGHT = 32;
/** Without --spool, the memory spool holds at most this much (or --spool-max, when smaller). */
export const MEMORY_SPOOL_MAX = 16 << 20;
/** On close, how long what waits may still go to a broker that answers. */
const CLOSE_WAIT_MS = 3000;
/** The same spool problem is said again at most this often. */
const REPORT_EVERY_MS = 10_000;

export interface MqttPublishOptions {
  target: BrokerTarget;
  security: MqttSecurity;
  site: string;
  receiver: string;
  /** --spool DIR: batches wait on disk (and survive a restart). */
  spoolDir?: string;
  /** --spool-max, bytes. */
  spoolMaxBytes: number;
  batchMs?: number;
  statusMs?: number;
  /** Told of failures (broker lost, spool full, a disk write failed), each once until it clears. */
  onError?: (e: ToolkitError) => void;
  /** Told what happens (connected, back, spool replayed): one line each. */
  onInfo?: (line: string) => void;
  /** Wall clock, ms (tests move it). */
  now?: () => number;
}

/** What the receiver knows that goes in its status; set by rid-scan once the pipeline exists. */
export interface PublisherContext {
  position?: () => { lat: number; lon: number; alt?: number } | undefined;
  /** Frames the receiver's own queue dropped (overload). */
  overloadDropped?: () => number;
}

export interface PublisherStats {
  /** Frames put in batches (handed to the broker or the spool). */
  frames: number;
  batches: number;
  /** Their encoded size, bytes. */
  bytes: number;
  /** Batches the broker acknowledged. */
  acked: number;
  spooledFrames: number;
  spoolBytes: number;
  droppedFrames: number;
  connected: boolean;
}

export interface MqttPublisher extends FrameOutput {
  /** A message decoded from the frame last written (the pipeline's order: the frame, then its messages). */
  message(m: ReceivedMessage): void;
  /** Where the receiver's position and queue drops come from. */
  setContext(ctx: PublisherContext): void;
  stats(): PublisherStats;
  /** One line for the closing summary: what was published and what was lost. */
  summary(): string;
}

/** The frame now being decoded, and what its first message said. */
interface Pending {
  frame: RawFrame;
  meta?: Pick<WireFrame, 'transport' | 'address' | 'rssi' | 'channel'>;
}

/**
 * Connects (waiting for the first attempt) and starts publishing. Rejects with an MqttError when the broker
 * refuses us (credentials, certificate): the user must fix that; an unreachable broker is only reported,
 * and frames spool until it answers.
 */
export async function openMqttPublisher(opts: MqttPublishOptions): Promise<MqttPublisher> {
  const now = opts.now ?? Date.now;
  const boot = now();
  const framesTopic = topicOf(opts.site, opts.receiver, 'frames');
  const statusTopic = topicOf(opts.site, opts.receiver, 'status');
  const name = brokerName(opts.target);
  let spoolReported = 0;
  const reportError = (e: ToolkitError): void => opts.onError?.(e);
  const spool: Spool = opts.spoolDir
    ? new DiskSpool(opts.spoolDir, opts.spoolMaxBytes, { onError: (e: SpoolError) => reportError(e) })
    : new MemorySpool(Math.min(opts.spoolMaxBytes, MEMORY_SPOOL_MAX));
  if (spool.frames) opts.onInfo?.(`mqtt: ${spool.frames} frames left in the spool by an earlier run go first`);

  const offline: ReceiverStatus = { rx: opts.receiver, boot, sent: boot / 1000, online: false };
  let opened;
  try {
    opened = await openBrokerClient(opts.target, opts.security, {
      clientId: `rid-${opts.site}-${opts.receiver}`.slice(0, 128),
      will: { topic: statusTopic, payload: encodeStatus(offline), qos: 1, retain: true },
    });
  } catch (e) {
    spool.close();
    throw e;
  }
  const client: MqttClient = opened.client;

  let ctx: PublisherContext = {};
  let pending: Pending | undefined;
  let batch: WireFrame[] = [];
  let batchBytes = 0;
  let seq = 0;
  let inFlight = 0;
  let closed = false;
  let down: MqttError | undefined = opened.connected ? undefined : opened.error;
  const stats = { frames: 0, batches: 0, bytes: 0, acked: 0 };
  let lastStatusFrames = 0;
  let lastStatusAt = now();
  /** The frames' clock: the last frame's time, moved on by the wall clock since (a replay's frames are in the past). */
  let lastFrameT: number | undefined;
  let lastFrameWall = 0;
  const frameClock = (): number => (lastFrameT === undefined ? now() : lastFrameT * 1000 + (now() - lastFrameWall));

  if (opened.connected) opts.onInfo?.(`mqtt: publishing to ${name} as rid/${opts.site}/${opts.receiver}`);
  else opts.onError?.(broken(down!));

  function broken(e: MqttError): MqttError {
    const bound = formatBytes(spool.max);
    return new MqttError(e.code, `${e.reason}; frames wait in the ${opts.spoolDir ? 'disk' : 'memory'} spool (up to ${bound}) until it answers`, {
      ...(e.subject ? { subject: e.subject } : {}),
      ...(e.fix ? { fix: e.fix } : {}),
    });
  }

  let closing: Promise<void> | undefined;
  let spoolClosed = false;
  /** Frames handed to the client and never acknowledged before it was closed (a memory spool's loss). */
  let unsentAtClose = 0;
  /** Set while closing: resolves once nothing waits for the broker. */
  let settled: (() => void) | undefined;
  function settle(): void {
    if (settled && inFlight === 0 && !spool.peek()) settled();
  }

  /** Hands batches to the client while it is connected and acknowledging. */
  function pump(): void {
    while (client.connected && inFlight < IN_FLIGHT) {
      const r = spool.peek();
      if (!r) return;
      spool.shift();
      send(r);
    }
  }

  function send(r: SpoolRecord): void {
    // The frames' clock now: the hub measures this receiver's clock against its own with it.
    stampSent(r.bytes, frameClock() / 1000);
    inFlight++;
    client.publish(framesTopic, Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.length), { qos: 1 }, (err) => {
      inFlight--;
      if (!err) stats.acked++;
      else if (closed) {
        // Closing without an acknowledgement: a disk spool keeps the batch for the next run (the hub
        // recognises it if it did arrive); otherwise it counts as not sent.
        if (opts.spoolDir && !spoolClosed) spool.push(r);
        else unsentAtClose += r.frames;
      }
      pump();
      settle();
    });
  }

  function flush(): void {
    closeFrame();
    if (batch.length === 0) return;
    const bytes = encodeFrameBatch({ rx: opts.receiver, boot, seq: seq++, frames: batch }, frameClock() / 1000);
    const r: SpoolRecord = { bytes, frames: batch.length };
    stats.frames += batch.length;
    stats.batches++;
    stats.bytes += bytes.length;
    batch = [];
    batchBytes = 0;
    if (client.connected && inFlight < IN_FLIGHT && spool.frames === 0 && !spool.peek()) send(r);
    else {
      const dropped = spool.droppedFrames;
      spool.push(r);
      if (spool.droppedFrames > dropped && now() - spoolReported >= REPORT_EVERY_MS) {
        spoolReported = now();
        reportError(new ToolkitError('spool-full', `the spool is full (${formatBytes(spool.max)}): ${spool.droppedFrames} oldest frames dropped so far`, { subject: `mqtt ${name}`, fix: 'give a larger --spool-max, or --spool DIR on a disk with room' }));
      }
    }
  }

  function closeFrame(): void {
    const p = pending;
    pending = undefined;
    if (!p?.meta) return;
    const f = p.frame;
    // A copy: a source may reuse its buffers, and the batch goes out up to BATCH_MS later.
    const wire: WireFrame = { t: f.t, linkType: f.linkType, data: f.data.slice(), ...p.meta };
    batch.push(wire);
    batchBytes += f.data.length + 48;
    if (batch.length >= BATCH_MAX_FRAMES || batchBytes >= BATCH_MAX_BYTES) flush();
  }

  function status(online: boolean): ReceiverStatus {
    const t = now();
    const rate = t > lastStatusAt ? ((stats.frames - lastStatusFrames) * 1000) / (t - lastStatusAt) : 0;
    lastStatusFrames = stats.frames;
    lastStatusAt = t;
    const position = ctx.position?.();
    return {
      rx: opts.receiver,
      boot,
      sent: frameClock() / 1000,
      online,
      ...(position ? { position } : {}),
      frames: stats.frames,
      rate: Math.round(rate * 10) / 10,
      dropped: { overload: ctx.overloadDropped?.() ?? 0, spool: spool.droppedFrames },
      spool: { frames: spool.frames, bytes: spool.bytes, max: spool.max },
    };
  }

  /** Status is the state now: sent only when connected (a stale one is worth nothing), never spooled. */
  function publishStatus(online: boolean, cb?: () => void): void {
    if (!client.connected) return cb?.();
    client.publish(statusTopic, Buffer.from(encodeStatus(status(online))), { qos: 1, retain: true }, () => cb?.());
  }

  client.on('connect', () => {
    if (down) opts.onInfo?.(`mqtt: ${name} answers again${spool.frames ? `: sending ${spool.frames} spooled frames` : ''}`);
    down = undefined;
    publishStatus(true);
    pump();
  });
  client.on('error', (e) => {
    const explained = explainMqttError(opts.target, e, opts.security);
    // Mid-run, a connection failing in a way the socket does not name is the broker gone all the same (what a
    // dying broker reports first is a race): the same code as an unreachable one, and the same remedy.
    const err = explained.code === 'closed' ? new MqttError('unreachable', explained.reason, { subject: name, fix: 'check that the broker runs; frames spool until it answers', cause: e }) : explained;
    // Said once per outage; a refusal (credentials changed on the broker) each time it changes.
    if (down && down.code === err.code) return;
    down = err;
    reportError(isConfigurationError(err) ? err : broken(err));
  });
  client.on('close', () => {
    if (closed || down) return;
    down = new MqttError('unreachable', 'the connection to the broker closed', { subject: name });
    reportError(broken(down));
  });

  // Batches close on a cadence counted from this publisher's start, not from each flush as setInterval's
  // is: a flush held up by a busy loop does not move the ones after it, and publishers that started apart
  // stay apart. (setInterval re-arms from when its callback ran: once a stalled loop runs several together,
  // they stay together. 20 publishers in one process, as the hub benchmark runs them, ended up flushing
  // within a few milliseconds of each other, and their batches reached the hub all at once.)
  const batchMs = opts.batchMs ?? BATCH_MS;
  const cadenceStart = performance.now();
  let slot = 0;
  let batchTimer: NodeJS.Timeout | undefined;
  const nextBatch = (): void => {
    const elapsed = performance.now() - cadenceStart;
    // The next slot after this one, skipping those a stalled loop missed (a timer may also fire a little early).
    slot = Math.max(slot + 1, Math.floor(elapsed / batchMs) + 1);
    batchTimer = setTimeout(() => {
      try {
        flush();
      } finally {
        if (!closed) nextBatch();
      }
    }, slot * batchMs - elapsed);
  };
  nextBatch();
  const statusTimer = setInterval(() => publishStatus(true), opts.statusMs ?? STATUS_MS);
  if (opened.connected) {
    publishStatus(true);
    pump();
  }

  return {
    write(frame) {
      if (closed) throw new ToolkitError('closed', 'MQTT publisher is closed');
      closeFrame();
      if (frame.data.length > MAX_FRAME_BYTES) return;
      pending = { frame };
      lastFrameT = frame.t;
      lastFrameWall = now();
    },
    message(m) {
      if (closed) throw new ToolkitError('closed', 'MQTT publisher is closed');
      if (!pending || pending.meta) return;
      pending.meta = {
        transport: m.transport,
        address: m.mac,
        ...(m.rssi !== undefined ? { rssi: m.rssi } : {}),
        ...(m.channel !== undefined ? { channel: m.channel } : {}),
      };
    },
    setContext(c) {
      ctx = c;
    },
    stats: () => ({ ...stats, spooledFrames: spool.frames, spoolBytes: spool.bytes, droppedFrames: spool.droppedFrames, connected: client.connected }),
    summary() {
      const lost = spool.droppedFrames;
      const waiting = spool.frames + unsentAtClose;
      return (
        `published ${stats.frames} frames to ${name}` +
        (lost ? `, ${lost} dropped beyond the spool bound` : '') +
        (waiting ? `, ${waiting} ${opts.spoolDir ? 'left in the spool for the next run' : 'not sent (the broker did not answer)'}` : '')
      );
    },
    close() {
      if (closing) return closing;
      closed = true;
      clearTimeout(batchTimer);
      clearInterval(statusTimer);
      flush();
      closing = (async () => {
        // What waits goes now if the broker answers, within CLOSE_WAIT_MS.
        if (client.connected) {
          pump();
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, CLOSE_WAIT_MS);
            settled = () => {
              clearTimeout(timer);
              resolve();
            };
            settle();
          });
          await new Promise<void>((resolve) => publishStatus(false, resolve));
        }
        await endClient(client, 500);
        spoolClosed = true;
        spool.close();
      })();
      return closing;
    },
  };
}

/** The option values `--publish` goes with, as the CLI parsed them. */
export interface PublishOptionValues extends MqttSecurityOptions {
  publish?: string;
  site?: string;
  receiverId?: string;
  spool?: string;
  /** --spool-max as given ("100MB"). */
  spoolMax?: string;
}

/** Where and how to publish, checked: everything but what happens while it runs. */
export type PublishPlan = Omit<MqttPublishOptions, 'onError' | 'onInfo' | 'now' | 'batchMs' | 'statusMs'>;

export const DEFAULT_SPOOL_MAX = '100MB';

/**
 * The --publish options checked before anything opens (UsageError with one line each): the broker URL,
 * site and receiver IDs (default: "default" and this host's name), the TLS and password files (read here),
 * the spool's directory and bound. MQTT options without --publish are an error too.
 */
export function publishPlan(opts: PublishOptionValues, env: NodeJS.ProcessEnv = process.env): PublishPlan | undefined {
  if (opts.publish === undefined) {
    const stray = (['site', 'receiverId', 'spool', 'spoolMax', 'mqttCa', 'mqttCert', 'mqttKey', 'mqttUser', 'mqttPasswordFile'] as const).find((k) => opts[k] !== undefined);
    if (stray) throw new UsageError('bad-combination', `goes with --publish`, { subject: `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, fix: 'give --publish mqtt://HOST too' });
    return undefined;
  }
  const target = parseBrokerUrl('--publish', opts.publish);
  const site = checkTopicLevel('--site', opts.site ?? DEFAULT_SITE);
  const receiver = checkTopicLevel('--receiver-id', opts.receiverId ?? receiverIdFrom(hostname()));
  const spoolMaxBytes = parseByteSize(opts.spoolMax ?? DEFAULT_SPOOL_MAX);
  if (spoolMaxBytes === undefined || spoolMaxBytes < SPOOL_MIN_BYTES || spoolMaxBytes > SPOOL_MAX_BYTES) {
    throw new UsageError('bad-value', `${quoteValue(opts.spoolMax ?? '')} is not a size from ${formatBytes(SPOOL_MIN_BYTES)} to ${formatBytes(SPOOL_MAX_BYTES)}`, { subject: '--spool-max', fix: 'e.g. 100MB, 512MiB, 2GB' });
  }
  if (opts.spool !== undefined) checkSpoolDir(opts.spool);
  const security = loadMqttSecurity(target, opts, env);
  return { target, security, site, receiver, spoolMaxBytes, ...(opts.spool !== undefined ? { spoolDir: opts.spool } : {}) };
}

/** --spool DIR: a directory this user can write in, or a place where one can be made. */
function checkSpoolDir(dir: string): void {
  const subject = `--spool ${quoteValue(dir)}`;
  let st;
  try {
    st = statSync(dir);
  } catch {
    // Made on open, as long as its parent can take it.
    const parent = dirname(resolve(dir));
    try {
      accessSync(parent, constants.W_OK | constants.X_OK);
    } catch (e) {
      throw new UsageError('bad-path', `cannot create it in ${parent} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { subject, fix: 'create the directory first, or name one you can write in' });
    }
    return;
  }
  if (!st.isDirectory()) throw new UsageError('bad-path', 'not a directory', { subject, fix: 'name a directory for the spool files' });
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new UsageError('bad-path', `not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { subject });
  }
}

/** rid-scan's --publish options, for its commander program: where, as whom, and the spool. */
export function publishCliOptions(): Option[] {
  return [
    new Option('--publish <url>', outputOptionHelp('--publish')),
    new Option('--site <id>', `with --publish: the site this receiver belongs to (default "${DEFAULT_SITE}"; letters, digits, ".", "_", "-")`),
    new Option('--receiver-id <id>', "with --publish: this receiver's ID within the site (default: the host name)"),
    new Option('--spool <dir>', 'with --publish: keep what waits for the broker in DIR (survives a restart) instead of memory'),
    new Option('--spool-max <size>', `with --publish: the spool's bound, the oldest batches dropped (and counted) beyond it (default ${DEFAULT_SPOOL_MAX}; memory: at most ${formatBytes(MEMORY_SPOOL_MAX)})`),
    ...mqttSecurityCliOptions(),
  ];
}
