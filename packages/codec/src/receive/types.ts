/** What a receiver gets out of one radio frame: the "one received frame" shape of decoded-json.md. */

import type { DjiDroneIdRecord } from '../framing/dji-droneid.js';
import type { FrenchId } from '../framing/french-id.js';
import type { SingleMessage } from '../messages/types.js';
import type { Transport } from '../transports.js';

/** An Open Drone ID message, or a proprietary/national record carried beside them. */
export type ReceivedPayload = SingleMessage | DjiDroneIdRecord | FrenchId;

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
