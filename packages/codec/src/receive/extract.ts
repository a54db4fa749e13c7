/**
 * One captured record or radio frame -> the Remote ID messages in it. This is the receive path shared by
 * `odid decode`, the receiver's live sources and its replay: link layer, framing, then messages.
 * Stateful only where the air forces it: HCI extended reports split in fragments are put back together.
 */

import { concatBytes } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { findOdidServiceData } from '../framing/ble-service-data.js';
import { parseDjiDroneId, type DjiDecodeOptions } from '../framing/dji-droneid.js';
import { parseFrenchId } from '../framing/french-id.js';
import { parseOdidBeaconElement } from '../framing/wifi-beacon.js';
import { classifyVendorElement, findVendorElements, type VendorElementKind } from '../framing/wifi-elements.js';
import { parseNanActionFrameBody } from '../framing/wifi-nan.js';
import { decodeLinkFrame } from '../link/decode-link.js';
import { MGMT_SUBTYPE, parseManagementFrame } from '../link/ieee80211.js';
import type { BleAdvFrame, LinkFrame, WifiFrame } from '../link/types.js';
import { decodeMessage } from '../messages/codec.js';
import { MessageType } from '../messages/types.js';
import type { Transport } from '../transports.js';
import type { DropReason, ReceivedMessage, ReceivedPayload } from './types.js';

export interface ExtractOptions {
  /** Keep frames whose CRC/FCS failed (marked `badFcs`) instead of dropping them. */
  keepBadFcs?: boolean;
  dji?: DjiDecodeOptions;
}

export interface ExtractStats {
  records: number;
  /** Records that carried Remote ID (or DJI/French) data, including dropped ones. */
  remoteIdFrames: number;
  messages: number;
  byTransport: Partial<Record<Transport, number>>;
  dropped: Partial<Record<DropReason, number>>;
  /** Records the link layer could not read at all (truncated, unsupported link type). */
  unreadable: number;
  /**
   * Warnings of the link layers on records they still read (a radiotap field they could not size, a bad
   * CRC/FCS, reserved bits, bytes left over), by layer: 'radiotap', '802.11', 'ble', 'blePhdr', 'nordic', 'hci'.
   */
  linkWarnings: Partial<Record<string, number>>;
  /** Beacons and probe responses whose last information element runs past the frame's end, by that element's kind. */
  truncatedElements: Partial<Record<TruncatedElementKind, number>>;
}

/**
 * An information element cut short: a vendor-specific one by its OUI (VendorElementKind; 'other' also when
 * too little of it is left to read the OUI), any other element 'non-vendor'.
 */
export type TruncatedElementKind = VendorElementKind | 'non-vendor';

export interface FrameMeta {
  t?: number;
  frame?: number;
}

/** Called for frames that looked like Remote ID but yielded nothing, and for unreadable records. */
export type DropListener = (reason: DropReason | 'unreadable', detail: string, meta: FrameMeta) => void;

/** Core spec: extended advertising data is at most 1650 bytes. */
const MAX_EXTENDED_ADV_DATA = 1650;
/** Advertisers whose fragments may be pending at once; the oldest is dropped beyond this. */
const MAX_PENDING_ADVERTS = 256;

const WIFI_TYPE_MASK = 0x0c;
const WIFI_TYPE_MANAGEMENT = 0x00;
const ELEMENT_ID_VENDOR_SPECIFIC = 221;
const ELEMENT_HEADER = 2;

export class RemoteIdExtractor {
  readonly stats: ExtractStats = { records: 0, remoteIdFrames: 0, messages: 0, byTransport: {}, dropped: {}, unreadable: 0, linkWarnings: {}, truncatedElements: {} };
  /** Pending HCI extended-report fragments, by advertiser and set. */
  private fragments = new Map<string, Uint8Array[]>();

  constructor(
    private readonly opts: ExtractOptions = {},
    private readonly onDrop?: DropListener,
  ) {}

  /** Decodes one captured record of the given link type. Never throws for bad input. */
  fromRecord(linkType: number, data: Uint8Array, meta: FrameMeta = {}): ReceivedMessage[] {
    this.stats.records++;
    let frames: LinkFrame[];
    try {
      const link = decodeLinkFrame(linkType, data);
      frames = link.frames;
      if (link.warnings.length > 0) this.countLinkWarnings(link.warnings);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.stats.unreadable++;
      this.onDrop?.('unreadable', e.message, meta);
      return [];
    }
    if (frames.length === 1) return this.fromLinkFrame(frames[0]!, meta);
    const out: ReceivedMessage[] = [];
    for (const f of frames) out.push(...this.fromLinkFrame(f, meta));
    return out;
  }

  /** Decodes one radio frame (as a live source hands them over). */
  fromLinkFrame(frame: LinkFrame, meta: FrameMeta = {}): ReceivedMessage[] {
    // A frame whose CRC/FCS failed may have any byte wrong: drop it (and count it) before reading it.
    if (!this.opts.keepBadFcs) {
      if (frame.kind === 'ble' && frame.crc === 'bad') return this.drop('bad-crc', `BLE frame from ${frame.address ?? '?'}`, meta);
      if (frame.kind === 'wifi' && frame.fcs === 'bad') return this.drop('bad-fcs', 'Wi-Fi frame', meta);
    }
    return frame.kind === 'wifi' ? this.fromWifi(frame, meta) : this.fromBle(frame, meta);
  }

  private fromBle(f: BleAdvFrame, meta: FrameMeta): ReceivedMessage[] {
    let advData = f.advData;
    if ((f.fragment && f.fragment !== 'complete') || this.fragments.size > 0) {
      const assembled = this.reassemble(f, meta);
      if (!assembled) return [];
      advData = assembled;
    }
    let found;
    try {
      found = findOdidServiceData(advData);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return []; // malformed AD structures without Remote ID in them: not ours to count
    }
    if (!found) return [];
    const transport: Transport = f.extended ? 'ble-extended' : 'ble-legacy';
    return this.decodePayload(transport, found.payload, found.counter, f.address ?? '', f.rssi, f.channel, f.crc === 'bad', meta);
  }

  /**
   * HCI extended reports: 'more' fragments are held until the 'complete' one; 'truncated' loses them. Held
   * fragments are copies: a view would keep the caller's whole buffer (a capture reader's read chunk) alive.
   */
  private reassemble(f: BleAdvFrame, meta: FrameMeta): Uint8Array | undefined {
    const key = `${f.address ?? ''}/${f.sid ?? ''}`;
    const pending = this.fragments.get(key);
    if (f.fragment === 'more') {
      if (!pending) {
        // Bounded: an advertiser that never completes its advert must not grow memory without end.
        if (this.fragments.size >= MAX_PENDING_ADVERTS) {
          const oldest = this.fragments.keys().next().value as string;
          this.fragments.delete(oldest);
          this.drop('fragment-lost', `advertiser ${oldest} never completed its extended advert`, meta);
        }
        this.fragments.set(key, [f.advData.slice()]);
      } else if (pending.reduce((n, p) => n + p.length, 0) + f.advData.length > MAX_EXTENDED_ADV_DATA) {
        this.fragments.delete(key);
        this.drop('fragment-lost', `advertiser ${f.address} sent more than ${MAX_EXTENDED_ADV_DATA} bytes of fragments`, meta);
      } else {
        pending.push(f.advData.slice());
      }
      return undefined;
    }
    if (!pending) return f.advData;
    this.fragments.delete(key);
    if (f.fragment === 'truncated') {
      this.drop('fragment-lost', `advertiser ${f.address} sent a truncated extended advert`, meta);
      return undefined;
    }
    pending.push(f.advData);
    return concatBytes(pending);
  }

  private fromWifi(f: WifiFrame, meta: FrameMeta): ReceivedMessage[] {
    const frame = f.frame;
    // Only management frames carry Remote ID; skip data and control frames without parsing them.
    if (frame.length < 1 || (frame[0]! & WIFI_TYPE_MASK) !== WIFI_TYPE_MANAGEMENT) return [];
    let hdr;
    try {
      hdr = parseManagementFrame(frame);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return [];
    }
    const body = frame.subarray(hdr.bodyOffset + hdr.fixedLength);
    const bad = f.fcs === 'bad';
    if (hdr.subtype === MGMT_SUBTYPE.BEACON || hdr.subtype === MGMT_SUBTYPE.PROBE_RESP) {
      return this.fromElements(body, hdr.addr2, f, bad, meta);
    }
    if (hdr.subtype === MGMT_SUBTYPE.ACTION) {
      let nan;
      try {
        nan = parseNanActionFrameBody(body);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.stats.remoteIdFrames++;
        return this.drop('malformed', e.message, meta);
      }
      if (!nan) return [];
      return this.decodePayload('wifi-nan', nan.payload, nan.counter, hdr.addr2, f.rssi, f.channel, bad, meta);
    }
    return [];
  }

  private fromElements(ies: Uint8Array, mac: string, f: WifiFrame, bad: boolean, meta: FrameMeta): ReceivedMessage[] {
    const { vendor, truncated } = findVendorElements(ies);
    let out: ReceivedMessage[] | undefined;
    if (truncated) {
      // The elements before the cut are complete and decoded below; the cut one is counted by its kind, and
      // a Remote ID element cut short is a Remote ID frame that yields nothing.
      const kind = truncatedElementKind(ies, truncated.offset);
      this.stats.truncatedElements[kind] = (this.stats.truncatedElements[kind] ?? 0) + 1;
      if (kind !== 'other' && kind !== 'non-vendor') {
        this.stats.remoteIdFrames++;
        this.drop('malformed', `${kind} element from ${mac}: ${truncated.message}`, meta);
      }
    }
    for (const v of vendor) {
      if (v.kind === 'other') continue;
      if (v.kind === 'odid' || v.kind === 'odidParrot') {
        let p;
        try {
          p = parseOdidBeaconElement(ies, v.offset);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          this.stats.remoteIdFrames++;
          this.drop('malformed', e.message, meta);
          continue;
        }
        const msgs = this.decodePayload('wifi-beacon', p.payload, p.counter, mac, f.rssi, f.channel, bad, meta);
        out = out ? out.concat(msgs) : msgs;
        continue;
      }
      // DJI DroneID and the French national element: decoded forms of their own.
      this.stats.remoteIdFrames++;
      let message: ReceivedPayload;
      try {
        message = v.kind === 'dji' ? parseDjiDroneId(v.body, this.opts.dji) : parseFrenchId(v.body);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.drop('malformed', `${v.kind}: ${e.message}`, meta);
        continue;
      }
      const transport: Transport = v.kind === 'dji' ? 'dji-wifi' : 'wifi-beacon';
      (out ??= []).push(this.received(transport, mac, f.rssi, f.channel, undefined, message, bad, meta));
    }
    return out ?? [];
  }

  /** counter + message or pack -> one received message per Open Drone ID message. */
  private decodePayload(
    transport: Transport,
    payload: Uint8Array,
    counter: number,
    mac: string,
    rssi: number | undefined,
    channel: number | undefined,
    bad: boolean,
    meta: FrameMeta,
  ): ReceivedMessage[] {
    this.stats.remoteIdFrames++;
    let decoded;
    try {
      decoded = decodeMessage(payload);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      const empty = payload.length >= 3 && payload[0]! >> 4 === MessageType.messagePack && payload[2] === 0;
      this.drop(empty ? 'empty-pack' : 'malformed', `${transport} frame from ${mac}: ${e.message}`, meta);
      return [];
    }
    if (decoded.type !== 'messagePack') return [this.received(transport, mac, rssi, channel, counter, decoded, bad, meta)];
    const out: ReceivedMessage[] = [];
    for (const m of decoded.messages) out.push(this.received(transport, mac, rssi, channel, counter, m, bad, meta));
    if (decoded.memberErrors) for (const e of decoded.memberErrors) this.drop('malformed', `pack member ${e.index}: ${e.reason}`, meta);
    return out;
  }

  private received(
    transport: Transport,
    mac: string,
    rssi: number | undefined,
    channel: number | undefined,
    counter: number | undefined,
    message: ReceivedPayload,
    bad: boolean,
    meta: FrameMeta,
  ): ReceivedMessage {
    this.stats.messages++;
    this.stats.byTransport[transport] = (this.stats.byTransport[transport] ?? 0) + 1;
    const { t, frame } = meta;
    let r: ReceivedMessage;
    if (t !== undefined && frame !== undefined && rssi !== undefined && channel !== undefined && counter !== undefined) {
      // What a capture gives for most frames: one literal, with the keys in the order built below.
      r = { transport, mac, message, t, frame, rssi, channel, counter };
    } else {
      r = { transport, mac, message };
      if (t !== undefined) r.t = t;
      if (frame !== undefined) r.frame = frame;
      if (rssi !== undefined) r.rssi = rssi;
      if (channel !== undefined) r.channel = channel;
      if (counter !== undefined) r.counter = counter;
    }
    if (bad) r.badFcs = true;
    return r;
  }

  private countLinkWarnings(warnings: string[]): void {
    const counts = this.stats.linkWarnings;
    for (const w of warnings) {
      const colon = w.indexOf(':');
      const layer = colon > 0 ? w.slice(0, colon) : 'link';
      counts[layer] = (counts[layer] ?? 0) + 1;
    }
  }

  /** Counts a frame that yields nothing, tells the listener, and returns the (empty) result. */
  private drop(reason: DropReason, detail: string, meta: FrameMeta): ReceivedMessage[] {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    this.onDrop?.(reason, detail, meta);
    return [];
  }
}

/** The kind of the element that starts at `offset` and runs past the end of `ies`. */
function truncatedElementKind(ies: Uint8Array, offset: number): TruncatedElementKind {
  if (ies[offset] !== ELEMENT_ID_VENDOR_SPECIFIC) return 'non-vendor';
  const v = classifyVendorElement({ id: ELEMENT_ID_VENDOR_SPECIFIC, offset, data: ies.subarray(offset + ELEMENT_HEADER) });
  return v?.kind ?? 'other';
}
