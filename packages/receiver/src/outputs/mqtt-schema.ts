/**
 * What receivers publish and a hub reads (docs/mqtt.md has the same as tables): CBOR maps with string keys,
 * no cbor-x records or tags, so any CBOR decoder reads them.
 *
 * frames: { v: 1, rx, boot, seq, frames: [[t, linkType, data, transport, address, rssi, channel], ...], sent }
 * status: { v: 1, rx, boot, sent, online, position?, frames?, rate?, dropped?, spool? }
 *
 * `data` is the frame exactly as the receiver's source captured it (link type + bytes, as a recording holds
 * it), the bytes the codec decodes: a hub decodes them with the same codec and trusts nothing else in the
 * message. transport, address, RSSI and channel are what the receiver decoded, for other subscribers.
 * `sent` is the receiver's clock when the message was handed to the broker: a batch waiting in the spool
 * gets it when it finally goes (the last 8 bytes are rewritten), so a hub can measure each receiver's clock.
 *
 * Everything read here comes from the network: sizes are bounded before decoding, every field is checked,
 * and anything wrong is a MqttWireError saying what.
 */

import { Decoder, Encoder } from 'cbor-x';
import { concatBytes, ToolkitError, TRANSPORTS, type Transport } from '@odid/codec';
import { TOPIC_LEVEL } from './mqtt-topics.js';

export const MQTT_SCHEMA_VERSION = 1;

/** A batch message is refused above this (the publisher cuts batches well below it). */
export const MAX_BATCH_BYTES = 1 << 20;
/** Frames one batch may hold. */
export const MAX_BATCH_FRAMES = 10_000;
/** One frame's bytes: an 802.11 frame with its radio header, or an extended BLE advert, is far smaller. */
export const MAX_FRAME_BYTES = 8192;
/** A status message is small; this is generous. */
export const MAX_STATUS_BYTES = 16 * 1024;

/** One frame as published: what the receiver captured, and what it decoded of it. */
export interface WireFrame {
  /** Receiver's clock, seconds since the Unix epoch. */
  t: number;
  linkType: number;
  data: Uint8Array;
  transport?: Transport;
  address?: string;
  rssi?: number;
  channel?: number;
}

export interface FrameBatch {
  /** Receiver ID (the topic's receiver level). */
  rx: string;
  /** The receiver's run: ms since the Unix epoch when it started. `seq` starts again at 0 with a new one. */
  boot: number;
  /** Batch number within the run, from 0, one more per batch. */
  seq: number;
  frames: WireFrame[];
  /** Receiver's clock when the batch was handed to the broker, seconds. */
  sent: number;
}

export interface ReceiverStatus {
  rx: string;
  boot: number;
  /** Receiver's clock when published, seconds. */
  sent: number;
  /** false: the receiver stopped (its last words, or the broker's last will for it). */
  online: boolean;
  /** The receiver's own position, when it knows it. */
  position?: { lat: number; lon: number; alt?: number };
  /** Frames published (handed to the broker or the spool) since it started. */
  frames?: number;
  /** Frames per second over the last status interval. */
  rate?: number;
  /** Frames lost: `overload` by the receiver's queue, `spool` beyond the spool's bound. */
  dropped?: { overload: number; spool: number };
  /** What waits for the broker: frames and bytes, and the bound. */
  spool?: { frames: number; bytes: number; max: number };
}

export type MqttWireErrorCode = 'too-large' | 'not-cbor' | 'unsupported-version' | 'bad-field';

export class MqttWireError extends ToolkitError {
  override readonly name = 'MqttWireError';
  declare readonly code: MqttWireErrorCode;
  constructor(code: MqttWireErrorCode, reason: string) {
    super(code, reason);
  }
}

const encoder = new Encoder({ useRecords: false, tagUint8Array: false });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

const SENT_KEY = Uint8Array.from(encoder.encode('sent'));
/** Major type 5 (map), 6 entries. */
const BATCH_MAP_HEADER = 0xa6;
const FLOAT64 = 0xfb;

/**
 * A batch, encoded; `sent` is the last 8 bytes (a CBOR float64) and is rewritten by stampSent when the
 * batch is handed to the broker. The frames are encoded as their fields, nothing else.
 */
export function encodeFrameBatch(batch: Omit<FrameBatch, 'sent'>, sent: number): Uint8Array {
  const frames = batch.frames.map((f) => [f.t, f.linkType, f.data, f.transport ?? null, f.address ?? null, f.rssi ?? null, f.channel ?? null]);
  const parts: Uint8Array[] = [Uint8Array.of(BATCH_MAP_HEADER)];
  for (const [k, v] of [['v', MQTT_SCHEMA_VERSION], ['rx', batch.rx], ['boot', batch.boot], ['seq', batch.seq], ['frames', frames]] as const) {
    // Copied at once: an encoder's result may share its buffer with the next one.
    parts.push(Uint8Array.from(encoder.encode(k)), Uint8Array.from(encoder.encode(v)));
  }
  parts.push(SENT_KEY, Uint8Array.of(FLOAT64), new Uint8Array(8));
  const out = concatBytes(parts);
  stampSent(out, sent);
  return out;
}

/** Writes `sent` (seconds) into an encoded batch, in place. */
export function stampSent(encoded: Uint8Array, sent: number): void {
  new DataView(encoded.buffer, encoded.byteOffset + encoded.length - 8, 8).setFloat64(0, sent);
}

export function encodeStatus(status: ReceiverStatus): Uint8Array {
  return Uint8Array.from(encoder.encode({ v: MQTT_SCHEMA_VERSION, ...status }));
}

function decodeMap(bytes: Uint8Array, max: number, what: string): Record<string, unknown> {
  if (bytes.length > max) throw new MqttWireError('too-large', `${what} of ${bytes.length} bytes, more than ${max}`);
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch (e) {
    throw new MqttWireError('not-cbor', `${what} is not CBOR: ${(e as Error).message}`);
  }
  if (!isMap(value)) throw new MqttWireError('bad-field', `${what} is not a CBOR map`);
  if (value.v !== MQTT_SCHEMA_VERSION) {
    throw new MqttWireError('unsupported-version', `${what} has schema version ${JSON.stringify(value.v)}; this hub reads version ${MQTT_SCHEMA_VERSION}`);
  }
  return value;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const bad = (what: string): never => {
  throw new MqttWireError('bad-field', what);
};
const finite = (v: unknown, what: string): number => (typeof v === 'number' && Number.isFinite(v) ? v : bad(`${what} is not a finite number`));
const whole = (v: unknown, what: string, max: number): number => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max ? (v as number) : bad(`${what} is not a whole number 0..${max}`));

function header(m: Record<string, unknown>): { rx: string; boot: number; sent: number } {
  const rx = typeof m.rx === 'string' && TOPIC_LEVEL.test(m.rx) ? m.rx : bad('rx is not a receiver ID');
  return { rx, boot: whole(m.boot, 'boot', Number.MAX_SAFE_INTEGER), sent: finite(m.sent, 'sent') };
}

const TRANSPORT_NAMES: ReadonlySet<string> = new Set(TRANSPORTS);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** A batch from the network, checked field by field. */
export function decodeFrameBatch(bytes: Uint8Array): FrameBatch {
  const m = decodeMap(bytes, MAX_BATCH_BYTES, 'frames message');
  const { rx, boot, sent } = header(m);
  const seq = whole(m.seq, 'seq', Number.MAX_SAFE_INTEGER);
  if (!Array.isArray(m.frames)) bad('frames is not an array');
  const list = m.frames as unknown[];
  if (list.length > MAX_BATCH_FRAMES) bad(`${list.length} frames in one batch, more than ${MAX_BATCH_FRAMES}`);
  const frames: WireFrame[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const f = list[i];
    if (!Array.isArray(f) || f.length < 3) bad(`frames[${i}] is not [t, linkType, data, ...]`);
    const [t, linkType, data, transport, address, rssi, channel] = f as unknown[];
    if (!(data instanceof Uint8Array) || data.length > MAX_FRAME_BYTES) bad(`frames[${i}] data is not a byte string of at most ${MAX_FRAME_BYTES} bytes`);
    const frame: WireFrame = { t: finite(t, `frames[${i}] t`), linkType: whole(linkType, `frames[${i}] linkType`, 0xffffffff), data: data as Uint8Array };
    // What the receiver decoded is kept only when well formed; the hub decodes the bytes itself anyway.
    if (typeof transport === 'string' && TRANSPORT_NAMES.has(transport)) frame.transport = transport as Transport;
    if (typeof address === 'string' && MAC.test(address)) frame.address = address.toLowerCase();
    if (Number.isInteger(rssi) && (rssi as number) >= -255 && (rssi as number) <= 127) frame.rssi = rssi as number;
    if (Number.isInteger(channel) && (channel as number) >= 0 && (channel as number) <= 233) frame.channel = channel as number;
    frames[i] = frame;
  }
  return { rx, boot, seq, frames, sent };
}

/** A status from the network, checked field by field; unknown keys are ignored (a newer receiver may add some). */
export function decodeStatus(bytes: Uint8Array): ReceiverStatus {
  const m = decodeMap(bytes, MAX_STATUS_BYTES, 'status message');
  const status: ReceiverStatus = { ...header(m), online: m.online === true };
  const p = m.position;
  if (isMap(p) && typeof p.lat === 'number' && typeof p.lon === 'number' && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180) {
    status.position = { lat: p.lat, lon: p.lon, ...(typeof p.alt === 'number' && Number.isFinite(p.alt) ? { alt: p.alt } : {}) };
  }
  const count = (v: unknown): number | undefined => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : undefined);
  if (count(m.frames) !== undefined) status.frames = count(m.frames)!;
  if (typeof m.rate === 'number' && Number.isFinite(m.rate) && m.rate >= 0) status.rate = m.rate;
  if (isMap(m.dropped)) status.dropped = { overload: count(m.dropped.overload) ?? 0, spool: count(m.dropped.spool) ?? 0 };
  if (isMap(m.spool)) status.spool = { frames: count(m.spool.frames) ?? 0, bytes: count(m.spool.bytes) ?? 0, max: count(m.spool.max) ?? 0 };
  return status;
}
