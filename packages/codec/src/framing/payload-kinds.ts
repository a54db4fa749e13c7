/**
 * Every kind of payload the receive path reads, one line each (the descriptors are in payload-kind.ts and
 * live beside their parsers). The extractor looks for them in this order, per carrier; `ReceivedPayload`
 * and the vendor element kinds are derived from this list.
 */

import { ODID_SERVICE_DATA } from './ble-service-data.js';
import { DJI_DRONEID_ELEMENT } from './dji-droneid.js';
import { FRENCH_ID_ELEMENT } from './french-id.js';
import { ODID_ELEMENT, ODID_PARROT_ELEMENT } from './odid-element.js';
import type { PayloadKind } from './payload-kind.js';
import { ODID_NAN } from './wifi-nan.js';

export const PAYLOAD_KINDS = [
  ODID_SERVICE_DATA,
  ODID_ELEMENT,
  ODID_PARROT_ELEMENT,
  ODID_NAN,
  DJI_DRONEID_ELEMENT,
  FRENCH_ID_ELEMENT,
] as const satisfies readonly PayloadKind[];

type Listed = (typeof PAYLOAD_KINDS)[number];
type OfCarrier<C extends PayloadKind['carrier']> = Extract<Listed, { carrier: C }>;

export type VendorElementDescriptor = OfCarrier<'vendor-element'>;
/** A vendor element's kind, by the descriptor that matches it; 'other' when none does. */
export type VendorElementKind = VendorElementDescriptor['kind'] | 'other';
/** What the record kinds decode to: with the Open Drone ID messages, the payloads a receiver gets. */
export type RecordPayload = ReturnType<Extract<Listed, { content: 'record' }>['parse']>;

const ofCarrier = <C extends PayloadKind['carrier']>(carrier: C): readonly OfCarrier<C>[] =>
  PAYLOAD_KINDS.filter((k): k is OfCarrier<C> => k.carrier === carrier);

// Per carrier, worked out once: the extractor runs for every frame.
export const BLE_SERVICE_DATA_KINDS = ofCarrier('ble-service-data');
export const ACTION_FRAME_KINDS = ofCarrier('wifi-action');
export const VENDOR_ELEMENT_KINDS = ofCarrier('vendor-element');
