/**
 * Wi-Fi NAN (Neighbor Awareness Networking) Remote ID (spec digest §3.4). Each cycle a transmitter sends a
 * NAN Synchronization Beacon and a Service Discovery Frame (a Public Action frame) whose Service Descriptor
 * Attribute carries `[counter][pack]` as service info for the service "org.opendroneid.remoteid".
 * NAN attributes are `[id u8][length u16 LE][body]`.
 */

import { DecodeError } from '../errors.js';
import { concatBytes, putU16le, u16le } from '../bytes.js';
import { checkByte, checkPack, macBytes, type MacInput } from './_args.js';
import { BROADCAST, DEFAULT_CAPABILITY, ELEMENT_ID_VENDOR_SPECIFIC, FC_ACTION, FC_BEACON, beaconFixedFields, element, macHeader } from './_mgmt.js';
import type { ActionFramePayload } from './payload-kind.js';

export const NAN_SERVICE_NAME = 'org.opendroneid.remoteid';
/** First 6 bytes of SHA-256("org.opendroneid.remoteid"), checked against node:crypto in the tests. */
export const NAN_SERVICE_ID: Readonly<Uint8Array> = Uint8Array.of(0x88, 0x69, 0x19, 0x9d, 0x92, 0x09);
/** SDF destination: the NAN Network ID, not broadcast. */
export const NAN_NETWORK_ID = '51:6f:9a:01:00:00';
/** Cluster ID F3411 v1.1 fixes (core-c); the NAN range is 50:6F:9A:01:00:00–50:6F:9A:01:FF:FF. */
export const NAN_DEFAULT_CLUSTER_ID = '50:6f:9a:01:00:ff';
export const WFA_OUI = [0x50, 0x6f, 0x9a] as const;
export const NAN_OUI_TYPE = 0x13;
export const PUBLIC_ACTION_CATEGORY = 0x04;
export const PUBLIC_ACTION_VENDOR_SPECIFIC = 0x09;
/** NAN discovery windows repeat every 512 TU. */
export const NAN_SYNC_BEACON_INTERVAL_TU = 512;

export const NAN_ATTR_MASTER_INDICATION = 0x00;
export const NAN_ATTR_CLUSTER = 0x01;
export const NAN_ATTR_SERVICE_ID_LIST = 0x02;
export const NAN_ATTR_SERVICE_DESCRIPTOR = 0x03;
export const NAN_ATTR_SERVICE_DESCRIPTOR_EXTENSION = 0x0e;

// Service Control bits of the Service Descriptor Attribute (bits 1..0 = 0 publish, 1 subscribe, 2 follow-up).
const SC_MATCHING_FILTER = 0x04;
const SC_SERVICE_RESPONSE_FILTER = 0x08;
const SC_SERVICE_INFO = 0x10;
const SC_BINDING_BITMAP = 0x40;
/** Publish with service info: what ODID transmitters send. */
export const ODID_SERVICE_CONTROL = SC_SERVICE_INFO;
const ODID_INSTANCE_ID = 1;
// SDEA control bits.
const SDEA_RANGE_LIMIT = 0x0100;
const SDEA_SERVICE_UPDATE_INDICATOR = 0x0200;
const RANGE_LIMIT_SIZE = 4;
const BINDING_BITMAP_SIZE = 2;

// Offsets in the action-frame body (from the category byte).
const BODY_CATEGORY = 0;
const BODY_ACTION = 1;
const BODY_OUI = 2;
const BODY_OUI_TYPE = 5;
const BODY_ATTRIBUTES = 6;
const ATTR_HEADER = 3;
// Offsets in the Service Descriptor Attribute body.
const SDA_SERVICE_ID = 0;
const SERVICE_ID_SIZE = 6;
const SDA_INSTANCE_ID = 6;
const SDA_REQUESTOR_ID = 7;
const SDA_CONTROL = 8;
const SDA_OPTIONAL = 9;
// Offsets in the SDEA body.
const SDEA_INSTANCE_ID = 0;
const SDEA_CONTROL = 1;
const SDEA_OPTIONAL = 3;

// ---------------------------------------------------------------------------------------------- parse

export interface NanOdidPayload {
  counter: number;
  /** The message pack, as bytes. */
  payload: Uint8Array;
  /** Where `payload` starts in the body handed in. */
  offset: number;
  instanceId: number;
  requestorInstanceId: number;
  serviceControl: number;
  /** From the Service Descriptor Extension Attribute when present (should equal the counter). */
  updateIndicator?: number;
}

/** Its payload descriptor (payload-kind.ts): service discovery frames, reported under wifi-nan. */
export const ODID_NAN: ActionFramePayload = {
  carrier: 'wifi-action',
  name: 'odid-nan',
  transport: 'wifi-nan',
  malformed: 'framing.malformed-nan',
  find: (body) => parseNanActionFrameBody(body),
};

/**
 * Reads an action-frame body (from its category byte). Returns undefined when it is not a NAN SDF
 * (category 4, action 9, OUI 50:6F:9A type 0x13) or carries no ODID service info. Tolerant like receivers:
 * the SDEA is optional, other services and attributes are skipped, a truncated attribute after the ODID one
 * is ignored. Throws DecodeError for a truncated attribute before it or an ODID SDA whose lengths disagree.
 */
export function parseNanActionFrameBody(body: Uint8Array): NanOdidPayload | undefined {
  if (!isNanSdfBody(body)) return undefined;
  let found: NanOdidPayload | undefined;
  for (let o = BODY_ATTRIBUTES; o < body.length; ) {
    const end = o + ATTR_HEADER > body.length ? Infinity : o + ATTR_HEADER + u16le(body, o + 1);
    if (end > body.length) {
      if (found) break;
      throw new DecodeError('truncated', o, 'NAN attribute runs past the end of the frame', 'nan.attribute');
    }
    const id = body[o]!;
    if (id === NAN_ATTR_SERVICE_DESCRIPTOR && !found) {
      found = readOdidSda(body, o + ATTR_HEADER, end);
    } else if (id === NAN_ATTR_SERVICE_DESCRIPTOR_EXTENSION && found && found.updateIndicator === undefined) {
      const indicator = readUpdateIndicator(body, o + ATTR_HEADER, end, found.instanceId);
      if (indicator !== undefined) found.updateIndicator = indicator;
    }
    o = end;
  }
  return found;
}

function isNanSdfBody(b: Uint8Array): boolean {
  return (
    b.length >= BODY_ATTRIBUTES &&
    b[BODY_CATEGORY] === PUBLIC_ACTION_CATEGORY &&
    b[BODY_ACTION] === PUBLIC_ACTION_VENDOR_SPECIFIC &&
    b[BODY_OUI] === WFA_OUI[0] &&
    b[BODY_OUI + 1] === WFA_OUI[1] &&
    b[BODY_OUI + 2] === WFA_OUI[2] &&
    b[BODY_OUI_TYPE] === NAN_OUI_TYPE
  );
}

/** undefined for another service, or an ODID SDA without service info (a phone's subscribe). */
function readOdidSda(b: Uint8Array, start: number, end: number): NanOdidPayload | undefined {
  if (end - start < SERVICE_ID_SIZE || !isOdidServiceId(b, start + SDA_SERVICE_ID)) return undefined;
  const malformed = (at: number, reason: string, path: string): DecodeError =>
    new DecodeError('malformed', at, reason, `nan.serviceDescriptor.${path}`);
  if (end - start < SDA_OPTIONAL) throw malformed(start, 'service descriptor shorter than its 9 fixed bytes', 'length');
  const control = b[start + SDA_CONTROL]!;
  // The control byte announces fields that do not fit: blame it.
  const overrun = (name: string): DecodeError =>
    malformed(start + SDA_CONTROL, `control 0x${control.toString(16)} announces a ${name} past the attribute`, 'control');
  // Optional fields come in this order: binding bitmap, matching filter, service response filter, service info.
  let p = start + SDA_OPTIONAL;
  if (control & SC_BINDING_BITMAP) p += BINDING_BITMAP_SIZE;
  const filters = [
    [SC_MATCHING_FILTER, 'matching filter'],
    [SC_SERVICE_RESPONSE_FILTER, 'service response filter'],
  ] as const;
  for (const [bit, name] of filters) {
    if (!(control & bit)) continue;
    if (p >= end) throw overrun(name);
    p += 1 + b[p]!;
  }
  if (!(control & SC_SERVICE_INFO)) return undefined;
  if (p >= end) throw overrun('service info');
  const infoLength = b[p]!;
  if (p + 1 + infoLength > end) throw malformed(p, `service info length ${infoLength} runs past the attribute`, 'serviceInfo');
  if (infoLength < 1) throw malformed(p, 'service info has no counter byte', 'serviceInfo');
  return {
    counter: b[p + 1]!,
    payload: b.subarray(p + 2, p + 1 + infoLength),
    offset: p + 2,
    instanceId: b[start + SDA_INSTANCE_ID]!,
    requestorInstanceId: b[start + SDA_REQUESTOR_ID]!,
    serviceControl: control,
  };
}

function isOdidServiceId(b: Uint8Array, o: number): boolean {
  return NAN_SERVICE_ID.every((v, i) => b[o + i] === v);
}

/** The SDEA's service update indicator for our instance; undefined if absent or the SDEA is malformed. */
function readUpdateIndicator(b: Uint8Array, start: number, end: number, instanceId: number): number | undefined {
  if (end - start < SDEA_OPTIONAL || b[start + SDEA_INSTANCE_ID] !== instanceId) return undefined;
  const control = u16le(b, start + SDEA_CONTROL);
  if (!(control & SDEA_SERVICE_UPDATE_INDICATOR)) return undefined;
  const p = start + SDEA_OPTIONAL + (control & SDEA_RANGE_LIMIT ? RANGE_LIMIT_SIZE : 0);
  return p < end ? b[p] : undefined;
}

// ---------------------------------------------------------------------------------------------- build

function attribute(id: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(ATTR_HEADER + data.length);
  out[0] = id;
  putU16le(out, 1, data.length);
  out.set(data, ATTR_HEADER);
  return out;
}

/**
 * The SDF action-frame body: public action header, then the Service Descriptor Attribute (publish, instance 1,
 * service info = counter + pack) and the Service Descriptor Extension Attribute whose service update
 * indicator repeats the counter.
 */
export function buildNanActionFrameBody(counter: number, pack: Uint8Array): Uint8Array {
  checkByte('counter', counter);
  checkPack(pack); // 1 + 228 bytes at most: always fits the one-byte service info length
  const header = Uint8Array.of(PUBLIC_ACTION_CATEGORY, PUBLIC_ACTION_VENDOR_SPECIFIC, ...WFA_OUI, NAN_OUI_TYPE);
  const sda = new Uint8Array(SDA_OPTIONAL + 2 + pack.length);
  sda.set(NAN_SERVICE_ID, SDA_SERVICE_ID);
  sda[SDA_INSTANCE_ID] = ODID_INSTANCE_ID;
  sda[SDA_REQUESTOR_ID] = 0;
  sda[SDA_CONTROL] = ODID_SERVICE_CONTROL;
  sda[SDA_OPTIONAL] = 1 + pack.length;
  sda[SDA_OPTIONAL + 1] = counter;
  sda.set(pack, SDA_OPTIONAL + 2);
  const sdea = new Uint8Array(SDEA_OPTIONAL + 1);
  sdea[SDEA_INSTANCE_ID] = ODID_INSTANCE_ID;
  putU16le(sdea, SDEA_CONTROL, SDEA_SERVICE_UPDATE_INDICATOR);
  sdea[SDEA_OPTIONAL] = counter;
  return concatBytes([
    header,
    attribute(NAN_ATTR_SERVICE_DESCRIPTOR, sda),
    attribute(NAN_ATTR_SERVICE_DESCRIPTOR_EXTENSION, sdea),
  ]);
}

export interface NanServiceDiscoveryOptions {
  mac: MacInput;
  /** Address 3; default 50:6F:9A:01:00:FF. */
  clusterId?: MacInput;
  counter: number;
  pack: Uint8Array;
  /** 12-bit sequence number, default 0. */
  sequence?: number;
}

/** The whole SDF without FCS: DA = NAN Network ID, SA = mac, A3 = cluster ID, then the action body. */
export function buildNanServiceDiscoveryFrame(opts: NanServiceDiscoveryOptions): Uint8Array {
  const addresses = { da: NAN_NETWORK_ID, sa: opts.mac, bssid: opts.clusterId ?? NAN_DEFAULT_CLUSTER_ID };
  return concatBytes([macHeader(FC_ACTION, addresses, opts.sequence), buildNanActionFrameBody(opts.counter, opts.pack)]);
}

export interface NanSyncBeaconOptions {
  mac: MacInput;
  /** BSSID; default 50:6F:9A:01:00:FF. */
  clusterId?: MacInput;
  /** TSF in µs; default 0. Passed in, never read from a clock here. */
  timestampUs?: number | bigint;
  sequence?: number;
  /** Default 512 TU. */
  beaconIntervalTU?: number;
  /** Default 0x0420. */
  capability?: number;
  /** Default 0xFE (core-c). */
  masterPreference?: number;
  /** Default 0xEA (core-c). */
  randomFactor?: number;
}

/**
 * A NAN Synchronization Beacon without FCS: beacon header to broadcast with BSSID = cluster ID, then one WFA
 * vendor element holding the Master Indication, Cluster (this device as anchor master, hop count 0, anchor
 * master beacon transmission time 0) and Service ID List (the ODID service) attributes.
 */
export function buildNanSyncBeacon(opts: NanSyncBeaconOptions): Uint8Array {
  const mac = macBytes('mac', opts.mac);
  const masterPreference = checkByte('masterPreference', opts.masterPreference ?? 0xfe);
  const randomFactor = checkByte('randomFactor', opts.randomFactor ?? 0xea);
  // Anchor master rank is a u64 LE: address in the low 6 bytes, then random factor, master preference on top.
  const cluster = concatBytes([mac, Uint8Array.of(randomFactor, masterPreference, 0 /* hop count */), new Uint8Array(4)]);
  const nanElement = concatBytes([
    Uint8Array.of(...WFA_OUI, NAN_OUI_TYPE),
    attribute(NAN_ATTR_MASTER_INDICATION, Uint8Array.of(masterPreference, randomFactor)),
    attribute(NAN_ATTR_CLUSTER, cluster),
    attribute(NAN_ATTR_SERVICE_ID_LIST, NAN_SERVICE_ID),
  ]);
  return concatBytes([
    macHeader(FC_BEACON, { da: BROADCAST, sa: mac, bssid: opts.clusterId ?? NAN_DEFAULT_CLUSTER_ID }, opts.sequence),
    beaconFixedFields(
      opts.timestampUs ?? 0,
      opts.beaconIntervalTU ?? NAN_SYNC_BEACON_INTERVAL_TU,
      opts.capability ?? DEFAULT_CAPABILITY,
    ),
    element(ELEMENT_ID_VENDOR_SPECIFIC, nanElement),
  ]);
}
