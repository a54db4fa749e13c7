/**
 * Payload descriptors: for each kind of drone identification a receiver reads, where it is carried, how it
 * is recognised there, how it is read and which transport its messages are reported under. The kinds are
 * listed once, in payload-kinds.ts; the receive path (../receive/extract.ts) and the vendor element
 * classifier (wifi-elements.ts) work from that list, so a new kind is its own file and one line there.
 *
 * Carriers: BLE service data and Wi-Fi action frames (NAN) carry Open Drone ID only; beacon and probe
 * response vendor elements carry Open Drone ID or a record of another kind (DJI DroneID, French ID).
 */

import type { DiagnosticSink, DropId } from '../diagnostics.js';
import type { Transport } from '../transports.js';
import type { DjiDecodeOptions } from './dji-droneid.js';

/** What every Open Drone ID carrier holds: the counter byte and a message or pack (../messages decodes it). */
export interface OdidCarriage {
  counter: number;
  payload: Uint8Array;
}

/** The receive path's options that parsers read, one field per kind that has any. */
export interface PayloadParseOptions {
  /** DJI DroneID records (dji-droneid.ts). */
  dji?: DjiDecodeOptions;
}

/** Open Drone ID in BLE advertising data. */
export interface BleServiceDataPayload {
  readonly carrier: 'ble-service-data';
  /** Names the descriptor (tests, docs). */
  readonly name: string;
  /** Legacy and extended adverts are reported under transports of their own. */
  readonly transport: { readonly legacy: Transport; readonly extended: Transport };
  /**
   * The carriage in the advertising data, undefined without one. A DecodeError (AD structures that do not
   * hold together) is not counted: nothing shows the advert was Remote ID.
   */
  find(advData: Uint8Array): OdidCarriage | undefined;
}

/** Open Drone ID in the body of a Wi-Fi action frame. */
export interface ActionFramePayload {
  readonly carrier: 'wifi-action';
  readonly name: string;
  readonly transport: Transport;
  /** Raised, and the frame counted as dropped, when `find` throws a DecodeError. */
  readonly malformed: DropId;
  /** The carriage in the body (from its category byte), undefined when the frame is not of this kind. */
  find(body: Uint8Array): OdidCarriage | undefined;
}

interface VendorElementBase<K extends string> {
  readonly carrier: 'vendor-element';
  readonly name: string;
  /** The `kind` the vendor element classifier gives the elements it matches. */
  readonly kind: K;
  /** Matched by the OUI, as transmitted (compared byte by byte: Kismet stores DJI's reversed)... */
  readonly oui: readonly [number, number, number];
  /** ...and the type byte after it (undefined: any). */
  readonly ouiType: number | undefined;
  readonly transport: Transport;
  /** Raised, and the frame counted as dropped, when the element matches and does not read. */
  readonly malformed: DropId;
}

/** A vendor element carrying Open Drone ID. */
export interface OdidElementPayload<K extends string = string> extends VendorElementBase<K> {
  readonly content: 'odid';
  /** The element whose ID byte is at `offset` of `ies` -> its carriage; a DecodeError when it holds none. */
  unwrap(ies: Uint8Array, offset: number): OdidCarriage;
}

/** A vendor element carrying a record of its own kind, decoded whole to one received payload. */
export interface RecordElementPayload<K extends string = string, P extends { type: string } = { type: string }> extends VendorElementBase<K> {
  readonly content: 'record';
  /** Every `type` its records can have, each once (filters and help texts list them; the compiler holds it complete). */
  readonly types: { readonly [T in P['type']]: true };
  /**
   * The element body (after the OUI, from its type byte) -> the record; a DecodeError when it does not
   * decode. What it notices in a record it still decodes goes to `report`.
   */
  parse(body: Uint8Array, options: PayloadParseOptions, report: DiagnosticSink): P;
}

export type VendorElementPayload = OdidElementPayload | RecordElementPayload;
export type PayloadKind = BleServiceDataPayload | ActionFramePayload | VendorElementPayload;

/** Whether vendor element contents (starting with the OUI) are of this kind. */
export function matchesVendorElement(kind: VendorElementPayload, data: Uint8Array): boolean {
  const oui = kind.oui;
  return data[0] === oui[0] && data[1] === oui[1] && data[2] === oui[2] && (kind.ouiType === undefined || data[3] === kind.ouiType);
}
