/** What a receiver gets out of one radio frame: the "one received frame" shape of decoded-json.md. */

import type { RecordPayload } from '../framing/payload-kinds.js';
import type { SingleMessage } from '../messages/types.js';
import type { Transport } from '../transports.js';

/**
 * An Open Drone ID message, or a proprietary/national record carried beside them (DJI DroneID, French ID:
 * the record kinds of framing/payload-kinds.ts).
 */
export type ReceivedPayload = SingleMessage | RecordPayload;

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
  /** Only with keepBadFcs: the frame's CRC/FCS failed, so every byte is suspect. */
  badFcs?: true;
}

/** Why a frame that looked like Remote ID yielded nothing. */
export type DropReason = 'bad-fcs' | 'bad-crc' | 'empty-pack' | 'malformed' | 'fragment-lost';
