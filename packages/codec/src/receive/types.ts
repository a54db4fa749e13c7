/** What a receiver gets out of one radio frame: the "one received frame" shape of decoded-json.md. */

import { PAYLOAD_KINDS, type RecordPayload } from '../framing/payload-kinds.js';
import { SINGLE_MESSAGE_META } from '../messages/message-meta.js';
import type { SingleMessage } from '../messages/types.js';
import type { Transport } from '../transports.js';

/**
 * An Open Drone ID message, or a proprietary/national record carried beside them (DJI DroneID, French ID:
 * the record kinds of framing/payload-kinds.ts).
 */
export type ReceivedPayload = SingleMessage | RecordPayload;

/**
 * Every `type` a received payload can have, for filters and help texts: the six Open Drone ID messages (their
 * tables) and the types each record kind declares (payload-kinds.ts).
 */
export const RECEIVED_PAYLOAD_TYPES: readonly ReceivedPayload['type'][] = [
  ...SINGLE_MESSAGE_META.map((m) => m.type),
  ...PAYLOAD_KINDS.flatMap((k) => ('types' in k ? (Object.keys(k.types) as RecordPayload['type'][]) : [])),
];

export interface ReceivedMessage {
  /** Capture or receive time, seconds since the Unix epoch. */
  t?: number;
  /** 1-based frame number in the capture, as Wireshark numbers it. */
  frame?: number;
  transport: Transport;
  /** Transmitter address, lowercase aa:bb:cc:dd:ee:ff (BLE AdvA, Wi-Fi SA). */
  mac: string;
  rssi?: number;
  channel?: number;
  /** The message counter in front of the message or pack (absent for DJI and French elements). */
  counter?: number;
  message: ReceivedPayload;
  /**
   * Only with keepBytes: the Open Drone ID bytes the message came in, without the counter — the 25-byte
   * message itself, or the whole message pack it is a member of (one array shared by the pack's members). What
   * DRIP signs and hashes are these bytes, not a re-encoding.
   */
  bytes?: Uint8Array;
  /** Only with keepBadFcs: the frame's CRC/FCS failed, so every byte is suspect. */
  badFcs?: true;
}

/** Why a frame that looked like Remote ID yielded nothing. */
export type DropReason = 'bad-fcs' | 'bad-crc' | 'empty-pack' | 'malformed' | 'fragment-lost';
