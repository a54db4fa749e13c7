/**
 * One captured record or radio frame -> the Remote ID messages in it. This is the receive path shared by
 * `odid decode`, the receiver's live sources and its replay: link layer, framing, then messages. What it
 * looks for in BLE adverts, action frames and vendor elements, and how each is read, are the payload kinds
 * of framing/payload-kinds.ts. Stateful only where the air forces it: HCI extended reports split in
 * fragments are put back together.
 */

import { concatBytes } from '../bytes.js';
import { DIAGNOSTICS, diagnostic, type Diagnostic, type DiagnosticId, type DropId } from '../diagnostics.js';
import { DecodeError } from '../errors.js';
import type { OdidCarriage, PayloadParseOptions } from '../framing/payload-kind.js';
import { ACTION_FRAME_KINDS, BLE_SERVICE_DATA_KINDS, type VendorElementKind } from '../framing/payload-kinds.js';
import { classifyVendorElement, findVendorElements } from '../framing/wifi-elements.js';
import { decodeLinkFrame } from '../link/decode-link.js';
import { MGMT_SUBTYPE, parseManagementFrame } from '../link/ieee80211.js';
import type { BleAdvFrame, LinkDiagnostic, LinkFrame, WifiFrame } from '../link/types.js';
import { decodeMessage } from '../messages/codec.js';
import { MessageType } from '../messages/types.js';
import type { Transport } from '../transports.js';
import type { DropReason, ReceivedMessage, ReceivedPayload } from './types.js';

/** The receive path's own options, and those of the payload parsers (PayloadParseOptions: `dji`). */
export interface ExtractOptions extends PayloadParseOptions {
  /** Keep frames whose CRC/FCS failed (marked `badFcs`) instead of dropping them. */
  keepBadFcs?: boolean;
  /** Attach to each message the bytes it came in (`bytes`: a copy of the message or of its whole pack), for DRIP. */
  keepBytes?: boolean;
}

export interface ExtractStats {
  records: number;
  /** Records that carried Remote ID (or DJI/French) data, including dropped ones. */
  remoteIdFrames: number;
  messages: number;
  byTransport: Partial<Record<Transport, number>>;
  dropped: Partial<Record<DropReason, number>>;
  /** Records the link layer could not read at all (truncated, unsupported link type): link.unreadable. */
  unreadable: number;
  /**
   * Diagnostics of the link layers on records they still read (a radiotap field they could not size, a bad
   * CRC/FCS, reserved bits, bytes left over), by the layer the catalogue gives each: 'radiotap', '802.11',
   * 'ble', 'blePhdr', 'nordic', 'hci'.
   */
  linkWarnings: Partial<Record<string, number>>;
  /** Beacons and probe responses whose last information element runs past the frame's end, by that element's kind. */
  truncatedElements: Partial<Record<TruncatedElementKind, number>>;
  /** Every diagnostic raised on the frames, by id: the counts above are views of these. */
  diagnostics: Partial<Record<DiagnosticId, number>>;
}

/**
 * An information element cut short: a vendor-specific one by its OUI (VendorElementKind; 'other' also when
 * too little of it is left to read the OUI), any other element 'non-vendor'.
 */
export type TruncatedElementKind = VendorElementKind | 'non-vendor';

export interface FrameMeta {
  t?: number;
  frame?: number;
  /** The record's length before the capture cut it (snap length): an FCS cut off is unverifiable, not bad. */
  originalLength?: number;
}

/**
 * Called for every diagnostic raised on a frame, as it is raised: the link layer's, the framing's (DJI and
 * French records included), and those of frames that looked like Remote ID but yielded nothing (their
 * catalogue entry has a `drop` reason) or could not be read at all (link.unreadable).
 */
export type DiagnosticListener = (d: Diagnostic, meta: FrameMeta) => void;

/** Core spec: extended advertising data is at most 1650 bytes. */
const MAX_EXTENDED_ADV_DATA = 1650;
/** Advertisers whose fragments may be pending at once; the oldest is dropped beyond this. */
const MAX_PENDING_ADVERTS = 256;

const WIFI_TYPE_MASK = 0x0c;
const WIFI_TYPE_MANAGEMENT = 0x00;
const ELEMENT_ID_VENDOR_SPECIFIC = 221;
const ELEMENT_HEADER = 2;

export class RemoteIdExtractor {
  readonly stats: ExtractStats = {
    records: 0,
    remoteIdFrames: 0,
    messages: 0,
    byTransport: {},
    dropped: {},
    unreadable: 0,
    linkWarnings: {},
    truncatedElements: {},
    diagnostics: {},
  };
  /** Pending HCI extended-report fragments, by advertiser and set. */
  private fragments = new Map<string, Uint8Array[]>();

  constructor(
    private readonly opts: ExtractOptions = {},
    private readonly onDiagnostic?: DiagnosticListener,
  ) {}

  /** Decodes one captured record of the given link type. Never throws for bad input. */
  fromRecord(linkType: number, data: Uint8Array, meta: FrameMeta = {}): ReceivedMessage[] {
    this.stats.records++;
    let frames: LinkFrame[];
    try {
      const link = decodeLinkFrame(linkType, data, meta.originalLength);
      frames = link.frames;
      if (link.diagnostics.length > 0) this.linkDiagnostics(link.diagnostics, meta);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.stats.unreadable++;
      this.raise(diagnostic('link.unreadable', e.message, { offset: e.offset, path: e.path }), meta);
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
      if (frame.kind === 'ble' && frame.crc === 'bad') return this.drop('link.bad-crc-dropped', `BLE frame from ${frame.address ?? '?'} dropped: bad CRC`, meta);
      if (frame.kind === 'wifi' && frame.fcs === 'bad') return this.drop('link.bad-fcs-dropped', 'Wi-Fi frame dropped: bad FCS', meta);
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
    for (const kind of BLE_SERVICE_DATA_KINDS) {
      let found: OdidCarriage | undefined;
      try {
        found = kind.find(advData);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        return []; // malformed AD structures without Remote ID in them: not ours to count
      }
      if (!found) continue;
      const transport = f.extended ? kind.transport.extended : kind.transport.legacy;
      return this.decodePayload(transport, found.payload, found.counter, f.address ?? '', f.rssi, f.channel, f.crc === 'bad', meta);
    }
    return [];
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
          this.drop('link.fragment-lost', `advertiser ${oldest} never completed its extended advert`, meta);
        }
        this.fragments.set(key, [f.advData.slice()]);
      } else if (pending.reduce((n, p) => n + p.length, 0) + f.advData.length > MAX_EXTENDED_ADV_DATA) {
        this.fragments.delete(key);
        this.drop('link.fragment-lost', `advertiser ${f.address} sent more than ${MAX_EXTENDED_ADV_DATA} bytes of fragments`, meta);
      } else {
        pending.push(f.advData.slice());
      }
      return undefined;
    }
    if (!pending) return f.advData;
    this.fragments.delete(key);
    if (f.fragment === 'truncated') {
      this.drop('link.fragment-lost', `advertiser ${f.address} sent a truncated extended advert`, meta);
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
      for (const kind of ACTION_FRAME_KINDS) {
        let found: OdidCarriage | undefined;
        try {
          found = kind.find(body);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          this.stats.remoteIdFrames++;
          return this.drop(kind.malformed, e.message, meta, e);
        }
        if (!found) continue;
        return this.decodePayload(kind.transport, found.payload, found.counter, hdr.addr2, f.rssi, f.channel, bad, meta);
      }
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
      const detail = `${kind} element from ${mac}: ${truncated.message}`;
      if (kind !== 'other' && kind !== 'non-vendor') {
        this.stats.remoteIdFrames++;
        this.drop('framing.truncated-remote-id-element', detail, meta);
      } else {
        this.raise(diagnostic('framing.truncated-element', detail, { offset: truncated.offset }), meta);
      }
    }
    for (const v of vendor) {
      const kind = v.descriptor;
      if (!kind) continue;
      if (kind.content === 'odid') {
        let carriage: OdidCarriage;
        try {
          carriage = kind.unwrap(ies, v.offset);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          this.stats.remoteIdFrames++;
          this.drop(kind.malformed, e.message, meta, e);
          continue;
        }
        const msgs = this.decodePayload(kind.transport, carriage.payload, carriage.counter, mac, f.rssi, f.channel, bad, meta);
        out = out ? out.concat(msgs) : msgs;
        continue;
      }
      // A record of its own kind (DJI DroneID, French ID): one decoded payload, no counter.
      this.stats.remoteIdFrames++;
      let message: ReceivedPayload;
      const report = (d: Diagnostic): void => this.raise(d, meta);
      try {
        message = kind.parse(v.body, this.opts, report);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.drop(kind.malformed, `${kind.kind}: ${e.message}`, meta, e);
        continue;
      }
      (out ??= []).push(this.received(kind.transport, mac, f.rssi, f.channel, undefined, message, bad, meta));
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
      this.drop(empty ? 'message.empty-pack' : 'message.malformed', `${transport} frame from ${mac}: ${e.message}`, meta, e);
      return [];
    }
    if (decoded.type !== 'messagePack') {
      const r = this.received(transport, mac, rssi, channel, counter, decoded, bad, meta);
      if (this.opts.keepBytes) r.bytes = payload.slice();
      return [r];
    }
    const out: ReceivedMessage[] = [];
    for (const m of decoded.messages) out.push(this.received(transport, mac, rssi, channel, counter, m, bad, meta));
    if (this.opts.keepBytes) {
      const bytes = payload.slice();
      for (const r of out) r.bytes = bytes;
    }
    if (decoded.memberErrors) {
      for (const e of decoded.memberErrors) this.drop('message.pack-member', `pack member ${e.index}: ${e.reason}`, meta, { offset: e.offset, path: `pack[${e.index}]` });
    }
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

  /** Counts the link layer's diagnostics of a record it read, by layer, and passes them on. */
  private linkDiagnostics(diagnostics: readonly LinkDiagnostic[], meta: FrameMeta): void {
    const counts = this.stats.linkWarnings;
    for (const d of diagnostics) {
      const layer = DIAGNOSTICS[d.id].layer;
      counts[layer] = (counts[layer] ?? 0) + 1;
      this.raise(d, meta);
    }
  }

  /** Counts a diagnostic by id and tells the listener. */
  private raise(d: Diagnostic, meta: FrameMeta): void {
    const counts = this.stats.diagnostics;
    counts[d.id] = (counts[d.id] ?? 0) + 1;
    this.onDiagnostic?.(d, meta);
  }

  /**
   * Counts a frame that yields nothing under its drop reason, raises its diagnostic (where: the DecodeError
   * that explains it, if any) and returns the (empty) result.
   */
  private drop(id: DropId, detail: string, meta: FrameMeta, where?: { offset?: number; path?: string }): ReceivedMessage[] {
    const reason = DIAGNOSTICS[id].drop;
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    this.raise(diagnostic(id, detail, where), meta);
    return [];
  }
}

/** The kind of the element that starts at `offset` and runs past the end of `ies`. */
function truncatedElementKind(ies: Uint8Array, offset: number): TruncatedElementKind {
  if (ies[offset] !== ELEMENT_ID_VENDOR_SPECIFIC) return 'non-vendor';
  const v = classifyVendorElement({ id: ELEMENT_ID_VENDOR_SPECIFIC, offset, data: ies.subarray(offset + ELEMENT_HEADER) });
  return v?.kind ?? 'other';
}
