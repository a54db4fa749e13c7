/** What a receiver gets out of one radio frame: the "one received frame" shape of decoded-json.md. */

import type { RecordPayload } from '../framing/payload-kinds.js';
import type { SingleMessage } from '../messages/types.js';
import type { Transport } from '../transports.js';

/**
 * An Open Drone ID message, or a proprietary/national record carried beside them (DJI DroneID, French ID:
 * the record kinds of framing/payload-kinds.ts).
 */
export type ReceivedPayload = SingleMessage | RecordPayload;

/** Every `type` a received payload can have, for filters and help texts; the compiler holds it complete. */
export const RECEIVED_PAYLOAD_TYPES = [
  'basicId', 'location', 'auth', 'selfId', 'system', 'operatorId', 'djiFlightInfo', 'djiFlightPurpose', 'frenchId',
] as const satisfies readonly ReceivedPayload['type'][];
type Unlisted = Exclude<ReceivedPayload['type'], (typeof RECEIVED_PAYLOAD_TYPES)[number]>;
/** Fails to compile, naming the type, when a payload kind adds a type that is not listed above. */
const everyPayloadTypeListed: [Unlisted] extends [never] ? true : Unlisted = true;

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
