/**
 * One transmission, several receivers: each hears the same bytes (the 802.11 frame, the BLE advertiser
 * address and advertising data) wrapped in its own radio header (its RSSI, its channel, its capture
 * format). The hub counts a transmission once — the copy that arrives first — and takes only the signal of
 * every other receiver's copy, so messages, rates and counters read as one receiver's would.
 *
 * A frame's identity is a 53-bit hash of what the transmitter sent (two 32-bit FNV-1a variants), so a
 * receiver's radio header, format or RSSI does not change it. Remembered for a window of the hub's clock in
 * two generations (the older dropped whole), so memory follows the frame rate, not the run's length.
 */

import { decodeLinkFrame, type LinkFrame, type Transport } from '@odid/codec';

/** How long a first copy is remembered: receivers' batches of the same moment arrive well within it. */
export const DUPLICATE_WINDOW_MS = 3000;

/** What the first copy of a transmission brought: who heard it, and the link its messages came over. */
export interface FirstCopy {
  readonly receiver: string;
  readonly transport: Transport;
  readonly address: string;
  readonly messages: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mix(h1: number, h2: number, bytes: Uint8Array): [number, number] {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    h1 = Math.imul(h1 ^ b, FNV_PRIME);
    // A second, differently seeded and multiplied hash: two 32-bit hashes together make collisions rare.
    h2 = Math.imul(h2 ^ (b + 0x9e), 0x5bd1e995);
  }
  return [h1, h2];
}

const textBytes = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
};

/** A received frame's transmission: its identity, and this copy's signal from its radio header. */
export interface Transmission {
  key: number;
  rssi?: number;
  channel?: number;
}

/**
 * What the transmitter sent in these link frames, and how this copy was heard; undefined when the bytes
 * are no frame the codec reads (the pipeline counts those itself).
 */
export function transmissionOf(linkType: number, data: Uint8Array): Transmission | undefined {
  let frames: LinkFrame[];
  try {
    frames = decodeLinkFrame(linkType, data).frames;
  } catch {
    return undefined;
  }
  if (frames.length === 0) return undefined;
  let h1 = FNV_OFFSET;
  let h2 = 0x2545f491;
  let rssi: number | undefined;
  let channel: number | undefined;
  for (const f of frames) {
    if (f.kind === 'wifi') [h1, h2] = mix(h1, h2, f.frame);
    else {
      [h1, h2] = mix(h1, h2, textBytes(f.address ?? ''));
      [h1, h2] = mix(h1, h2, f.advData);
    }
    [h1, h2] = mix(h1, h2, Uint8Array.of(0xff));
    rssi ??= f.rssi;
    channel ??= f.channel;
  }
  return { key: (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff), ...(rssi !== undefined ? { rssi } : {}), ...(channel !== undefined ? { channel } : {}) };
}

export class FirstCopies {
  private current = new Map<number, FirstCopy>();
  private previous = new Map<number, FirstCopy>();
  private since: number | undefined;

  constructor(private readonly windowMs = DUPLICATE_WINDOW_MS) {}

  /** The first copy of `key` within the window, if one came. */
  get(key: number, hubMs: number): FirstCopy | undefined {
    this.age(hubMs);
    return this.current.get(key) ?? this.previous.get(key);
  }

  remember(key: number, first: FirstCopy, hubMs: number): void {
    this.age(hubMs);
    this.current.set(key, first);
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  private age(hubMs: number): void {
    if (this.since === undefined) this.since = hubMs;
    if (hubMs - this.since < this.windowMs) return;
    // A key stays between one and two windows.
    this.previous = hubMs - this.since >= 2 * this.windowMs ? new Map() : this.current;
    this.current = new Map();
    this.since = hubMs;
  }
}
