/**
 * pcapng: a sequence of self-framed blocks [type][total length][body][total length], each section in
 * its own byte order with its own interfaces. A block is believed when both length copies agree and,
 * since neighbouring blocks often share a length (so a copy can match by chance after a cut), the
 * header after it looks sane too. On damage we scan byte by byte for a known block type whose two
 * length copies match.
 */

import { u16be, u16le, u32be, u32le } from '../bytes.js';
import { PCAPNG_SHB_TYPE } from './detect.js';
import { MAX_PACKET, type ByteWindow, type FormatParser, type ParseContext } from './parser.js';
import { ticksToSeconds, tsresolToTicksPerSecond } from './timestamp.js';
import type { CaptureDiagnosticId, CaptureRecord } from './types.js';

// Block types.
export const PCAPNG_IDB_TYPE = 0x00000001;
export const PCAPNG_PB_TYPE = 0x00000002;
export const PCAPNG_SPB_TYPE = 0x00000003;
export const PCAPNG_NRB_TYPE = 0x00000004;
export const PCAPNG_ISB_TYPE = 0x00000005;
export const PCAPNG_EPB_TYPE = 0x00000006;
export const PCAPNG_DSB_TYPE = 0x0000000a;
export const PCAPNG_CB_TYPE = 0x00000bad;
export const PCAPNG_DCB_TYPE = 0x40000bad;
export const PCAPNG_SJE_TYPE = 0x00000009;
export const PCAPNG_SYSDIG_EVENT_TYPE = 0x00000204;
export const PCAPNG_SYSDIG_EVENT_V2_TYPE = 0x00000216;
export const PCAPNG_SYSDIG_EVENT_V2_LARGE_TYPE = 0x00000221;

/**
 * Blocks that carry no packet for us but that Wireshark shows as a frame of their own, so they take a frame
 * number (checked against tshark 4.0: custom blocks, systemd journal exports and Sysdig events), with the
 * smallest total length Wireshark accepts for each (a shorter one makes it call the file damaged).
 */
const NUMBERED_NON_PACKET_BLOCKS: ReadonlyMap<number, number> = new Map([
  [PCAPNG_CB_TYPE, 16],
  [PCAPNG_DCB_TYPE, 16],
  [PCAPNG_SJE_TYPE, 35],
  [PCAPNG_SYSDIG_EVENT_TYPE, 36],
  [PCAPNG_SYSDIG_EVENT_V2_TYPE, 40],
  [PCAPNG_SYSDIG_EVENT_V2_LARGE_TYPE, 40],
]);
/** Read with u32le: 0x1A2B3C4D means a little-endian section, the swapped value a big-endian one. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

// Option codes.
export const OPT_ENDOFOPT = 0;
export const OPT_SHB_USERAPPL = 4;
export const OPT_IF_NAME = 2;
export const OPT_IF_TSRESOL = 9;
export const OPT_IF_TSOFFSET = 14;
export const OPT_EPB_FLAGS = 2;

/** Every block: type, total length, ..., total length. */
const BLOCK_MIN = 12;
const BLOCK_LEN = 4;
const SHB_BOM = 8;
const SHB_VERSION_MAJOR = 12;
const SHB_MIN = 28;
const IDB_LINKTYPE = 8;
const IDB_SNAPLEN = 12;
const IDB_OPTIONS = 16;
const IDB_MIN = 20;
// EPB and the obsolete Packet Block share the layout after the first 8 bytes.
const EPB_IFACE = 8;
const PB_IFACE = 8; // u16, followed by a u16 drops count
const PKT_TS_HI = 12;
const PKT_TS_LO = 16;
const PKT_CAPLEN = 20;
const PKT_ORIGLEN = 24;
const PKT_DATA = 28;
const PKT_MIN = 32;
const SPB_ORIGLEN = 8;
const SPB_DATA = 12;
const SPB_MIN = 16;
const DEFAULT_TICKS_PER_SECOND = 1e6;
// Results of the block checks. Numbers, not messages: scanning garbage tests every byte and must not allocate.
const OK = 0;
/** The block is not wholly in the window yet. */
const NEED_MORE = 1;
const BAD_BYTE_ORDER = 2;
const TOO_SHORT = 3;
const NOT_ALIGNED = 4;
const TOO_LONG = 5;
const UNKNOWN_TYPE = 6;
const TRAILER_MISMATCH = 7;
const CAPLEN_OVERFLOW = 8;
const BAD_INTERFACE = 9;
const NO_INTERFACE = 10;
const BAD_VERSION = 11;
/** Sanity bound on any block (Wireshark's limit); bounds what a corrupt length can make us buffer. */
const MAX_BLOCK = 16 * 1024 * 1024;
/** Packet blocks: header, MAX_PACKET of data, and a generous allowance for options. */
const MAX_PACKET_BLOCK = PKT_MIN + MAX_PACKET + 65_536;
/** While resynchronising, only believe modest blocks: a false candidate costs buffering up to this. */
const MAX_RESYNC_BLOCK = 1024 * 1024;

interface Iface {
  linkType: number;
  snaplen: number;
  ticksPerSecond: number;
  /** if_tsoffset, seconds added to every timestamp. */
  tsOffset: number;
}

export class PcapngParser implements FormatParser {
  keep = 0;
  needEnd = 0;
  private pos = 0;
  /** Byte order of the current section. */
  private le = true;
  private ifaces: Iface[] = [];
  private resyncing = false;
  private scan = 0;
  private reason = '';
  /**
   * What the damage that started the resynchronisation looked like (the input ending inside a record, or a
   * bad header), for when no later record is found. When one is, bytes were skipped: a bad header or length.
   */
  private reasonId: CaptureDiagnosticId = 'capture.bad-header';
  /** A block whose framing matched but whose successor did not: kept until the scan decides. -1 = none. */
  private pendStart = -1;
  private pendEnd = 0;
  /** Start of bytes skipped as unrecognised. */
  private gapStart = 0;
  // Scratch results of blockHeader().
  private bType = 0;
  private bLen = 0;
  private bLe = true;
  /** The offending value behind the last problem code (trailer, cap length, interface id...). */
  private bDetail = 0;
  /** Length of the option found by the last findOption. */
  private optLen = 0;

  constructor(private readonly ctx: ParseContext) {}

  run(w: ByteWindow, final: boolean, out: CaptureRecord[]): void {
    const b = w.bytes;
    const base = w.base;
    const end = w.end;
    for (;;) {
      if (this.resyncing) {
        if (!this.resync(b, base, end, final, w.owned, out)) return;
        continue;
      }
      const p = this.pos;
      if (end - p < BLOCK_MIN) {
        if (!final) return this.wait(p, p + BLOCK_MIN);
        if (end > p) this.ctx.warn('capture.truncated', p, `truncated pcapng block header at offset ${p}: ${end - p} of ${BLOCK_MIN} bytes before the end of input`);
        return this.finish(end);
      }
      const bad = this.framing(b, base, p, end, false);
      if (bad === NEED_MORE) {
        if (!final) return this.wait(p, p + this.bLen);
        this.beginResync(p, -1, 'capture.truncated', `truncated pcapng block at offset ${p} (type 0x${this.bType.toString(16)}): needs ${this.bLen} bytes, the input ends after ${end - p}`);
        continue;
      }
      if (bad !== OK) {
        this.beginResync(p, -1, 'capture.bad-header', `bad pcapng block at offset ${p}: ${this.explain(bad)}`);
        continue;
      }
      // Identical lengths are common, so a trailer can match by chance after a cut: the block is only
      // believed once the next block header looks sane too (or the input ends).
      const type = this.bType;
      const len = this.bLen;
      const le = this.bLe;
      const next = p + len;
      if (next + BLOCK_MIN > end && !final && !(this.ctx.live && next <= end)) return this.wait(p, next + BLOCK_MIN);
      if (next + BLOCK_MIN <= end) {
        const badNext = this.blockHeader(b, next - base, le, false);
        if (badNext !== OK) {
          const why = this.explain(badNext);
          this.bType = type;
          this.bLen = len;
          this.bLe = le;
          this.beginResync(p, next, 'capture.bad-header', `pcapng block at offset ${p} is followed by a bad block header at offset ${next}: ${why}`);
          continue;
        }
      }
      this.bType = type;
      this.bLen = len;
      this.bLe = le;
      this.block(b, p - base, len, w.owned, out);
      this.pos = next;
    }
  }

  /**
   * Checks the block at stream offset p: header, availability, trailing length, packet body. Leaves
   * type/length/order in bType/bLen/bLe. Returns OK, NEED_MORE or a problem code for explain().
   */
  private framing(b: Uint8Array, base: number, p: number, end: number, strict: boolean): number {
    const i = p - base;
    const bad = this.blockHeader(b, i, this.le, strict);
    if (bad !== OK) return bad;
    const len = this.bLen;
    if (p + len > end) return NEED_MORE;
    const trailer = this.bLe ? u32le(b, i + len - 4) : u32be(b, i + len - 4);
    if (trailer !== len) {
      this.bDetail = trailer;
      return TRAILER_MISMATCH;
    }
    return this.bodyProblem(b, i, len, strict);
  }

  /**
   * Reads type and length of the block at b[i] into bType/bLen/bLe (`le`: the order of the section it
   * would belong to). Returns OK or a problem code. `strict` (resynchronising) also demands a known type
   * and a modest size.
   */
  private blockHeader(b: Uint8Array, i: number, sectionLe: boolean, strict: boolean): number {
    let le = sectionLe;
    const type = le ? u32le(b, i) : u32be(b, i);
    if (type === PCAPNG_SHB_TYPE) {
      const bom = u32le(b, i + SHB_BOM);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (bom === BYTE_ORDER_MAGIC_SWAPPED) le = false;
      else {
        this.bDetail = bom;
        return BAD_BYTE_ORDER;
      }
    }
    const len = le ? u32le(b, i + BLOCK_LEN) : u32be(b, i + BLOCK_LEN);
    this.bType = type;
    this.bLen = len;
    this.bLe = le;
    if (len < minLength(type)) return TOO_SHORT;
    if (len % 4 !== 0) return NOT_ALIGNED;
    const isPacket = type === PCAPNG_EPB_TYPE || type === PCAPNG_PB_TYPE || type === PCAPNG_SPB_TYPE;
    const max = isPacket ? MAX_PACKET_BLOCK : strict ? MAX_RESYNC_BLOCK : MAX_BLOCK;
    if (len > max) {
      this.bDetail = max;
      return TOO_LONG;
    }
    if (strict && !isKnownType(type)) return UNKNOWN_TYPE;
    return OK;
  }

  /** What is wrong inside a well-framed block (packet blocks must fit and name a known interface). */
  private bodyProblem(b: Uint8Array, i: number, len: number, strict: boolean): number {
    const le = this.bLe;
    const type = this.bType;
    if (type === PCAPNG_EPB_TYPE || type === PCAPNG_PB_TYPE) {
      const iface = type === PCAPNG_EPB_TYPE ? (le ? u32le(b, i + EPB_IFACE) : u32be(b, i + EPB_IFACE)) : le ? u16le(b, i + PB_IFACE) : u16be(b, i + PB_IFACE);
      const cap = le ? u32le(b, i + PKT_CAPLEN) : u32be(b, i + PKT_CAPLEN);
      if (PKT_MIN + pad4(cap) > len) {
        this.bDetail = cap;
        return CAPLEN_OVERFLOW;
      }
      if (iface >= this.ifaces.length) {
        this.bDetail = iface;
        return BAD_INTERFACE;
      }
    } else if (type === PCAPNG_SPB_TYPE) {
      if (this.ifaces.length === 0) return NO_INTERFACE;
    } else if (type === PCAPNG_SHB_TYPE && strict) {
      if ((le ? u16le(b, i + SHB_VERSION_MAJOR) : u16be(b, i + SHB_VERSION_MAJOR)) !== 1) return BAD_VERSION;
    }
    return OK;
  }

  /** Words for a problem code, from the scratch fields the check left behind. */
  private explain(problem: number): string {
    const t = `block type 0x${this.bType.toString(16)}`;
    switch (problem) {
      case BAD_BYTE_ORDER:
        return `section header with byte-order magic 0x${this.bDetail.toString(16)}`;
      case TOO_SHORT:
        return `${t}: total length ${this.bLen} is below its minimum ${minLength(this.bType)}`;
      case NOT_ALIGNED:
        return `${t}: total length ${this.bLen} is not a multiple of 4`;
      case TOO_LONG:
        return `${t}: total length ${this.bLen} exceeds ${this.bDetail}`;
      case UNKNOWN_TYPE:
        return `unknown ${t}`;
      case TRAILER_MISMATCH:
        return `${t}: trailing length ${this.bDetail} differs from leading length ${this.bLen}`;
      case CAPLEN_OVERFLOW:
        return `packet block: captured length ${this.bDetail} does not fit a block of ${this.bLen} bytes`;
      case BAD_INTERFACE:
        return `packet block names interface ${this.bDetail}, but the section has ${this.ifaces.length}`;
      case NO_INTERFACE:
        return 'simple packet block in a section with no interface';
      default:
        return 'section header of an unknown version';
    }
  }

  /** Scans for the next believable block; false when it needs more input (or has consumed it all). */
  private resync(b: Uint8Array, base: number, end: number, final: boolean, copy: boolean, out: CaptureRecord[]): boolean {
    for (let q = this.scan; ; q++) {
      if (this.pendStart >= 0 && q >= this.pendEnd) {
        // Nothing believable inside the doubtful block: it was whole, the damage follows it.
        this.settlePending(b, base, copy, out);
      }
      if (end - q < BLOCK_MIN) {
        if (!final) {
          this.scan = q;
          this.wait(this.pendStart >= 0 ? this.pendStart : q, q + BLOCK_MIN);
          return false;
        }
        if (this.pendStart >= 0 && this.pendEnd <= end) this.settlePending(b, base, copy, out);
        const from = this.pendStart >= 0 ? this.pendStart : this.gapStart;
        if (end > from) this.ctx.warn(this.reasonId, from, `${this.reason}; no later block found, ${end - from} bytes from offset ${from} to the end skipped`);
        this.finish(end);
        return false;
      }
      const bad = this.framing(b, base, q, end, true);
      if (bad === NEED_MORE && !final) {
        this.scan = q;
        this.wait(this.pendStart >= 0 ? this.pendStart : q, q + this.bLen);
        return false;
      }
      if (bad !== OK) continue;
      if (this.pendStart >= 0) {
        this.ctx.warn('capture.bad-header', this.pendStart, `${this.reason}; block dropped, ${q - this.pendStart} bytes skipped, next block at offset ${q}`);
      } else {
        this.ctx.warn('capture.bad-header', this.gapStart, `${this.reason}; ${q - this.gapStart} bytes skipped, next block at offset ${q}`);
      }
      this.pendStart = -1;
      this.resyncing = false;
      this.pos = q;
      return true;
    }
  }

  private settlePending(b: Uint8Array, base: number, copy: boolean, out: CaptureRecord[]): void {
    const p = this.pendStart;
    // Re-reads the framing of the doubtful block (its checks passed before).
    this.framing(b, base, p, this.pendEnd, false);
    this.block(b, p - base, this.bLen, copy, out);
    this.gapStart = this.pendEnd;
    this.pendStart = -1;
  }

  private beginResync(start: number, pendEnd: number, id: CaptureDiagnosticId, reason: string): void {
    this.resyncing = true;
    this.scan = start + 1;
    this.reasonId = id;
    this.reason = reason;
    this.pendStart = pendEnd >= 0 ? start : -1;
    this.pendEnd = pendEnd;
    this.gapStart = start;
  }

  /** Acts on one block whose framing and body checks passed. */
  private block(b: Uint8Array, i: number, len: number, copy: boolean, out: CaptureRecord[]): void {
    switch (this.bType) {
      case PCAPNG_SHB_TYPE: {
        this.le = this.bLe;
        // Interface ids restart with every section.
        this.ifaces = [];
        const major = this.u16(b, i + SHB_VERSION_MAJOR);
        if (major !== 1) this.ctx.warn('capture.version', this.pos, `pcapng section has version ${major} (expected 1); reading it as 1.0`);
        return;
      }
      case PCAPNG_IDB_TYPE:
        this.ifaces.push(this.interface(b, i, len));
        return;
      case PCAPNG_EPB_TYPE:
      case PCAPNG_PB_TYPE: {
        const isEpb = this.bType === PCAPNG_EPB_TYPE;
        const ifId = isEpb ? this.u32(b, i + EPB_IFACE) : this.u16(b, i + PB_IFACE);
        const f = this.ifaces[ifId]!;
        const cap = this.u32(b, i + PKT_CAPLEN);
        const optStart = PKT_DATA + pad4(cap);
        const hi = this.u32(b, i + PKT_TS_HI);
        const lo = this.u32(b, i + PKT_TS_LO);
        const d = i + PKT_DATA;
        out.push({
          frame: ++this.ctx.frame,
          timestamp: ticksToSeconds(hi, lo, f.ticksPerSecond) + f.tsOffset,
          linkType: f.linkType,
          interfaceId: ifId,
          data: copy ? b.slice(d, d + cap) : b.subarray(d, d + cap),
          originalLength: this.u32(b, i + PKT_ORIGLEN),
          // epb_flags and the Packet Block's pack_flags share option code 2.
          flags: optStart + 4 < len ? this.optionU32(b, i + optStart, i + len - 4, OPT_EPB_FLAGS) : undefined,
        });
        return;
      }
      case PCAPNG_SPB_TYPE: {
        const f = this.ifaces[0]!;
        const orig = this.u32(b, i + SPB_ORIGLEN);
        // Captured length is implied: the original length, cut by the snaplen and the room in the block.
        let cap = Math.min(orig, len - SPB_MIN);
        if (f.snaplen > 0) cap = Math.min(cap, f.snaplen);
        const d = i + SPB_DATA;
        out.push({
          frame: ++this.ctx.frame,
          // A Simple Packet Block has no timestamp; 0, as Wireshark shows it.
          timestamp: 0,
          linkType: f.linkType,
          interfaceId: 0,
          data: copy ? b.slice(d, d + cap) : b.subarray(d, d + cap),
          originalLength: orig,
          flags: undefined,
        });
        return;
      }
      default:
        // NRB, ISB, DSB and unknown blocks carry no packets and no frame number; custom, journal and
        // Sysdig blocks carry no packets but are numbered frames in Wireshark, so later frames keep its numbers.
        if (NUMBERED_NON_PACKET_BLOCKS.has(this.bType)) ++this.ctx.frame;
        return;
    }
  }

  private interface(b: Uint8Array, i: number, len: number): Iface {
    const f: Iface = {
      linkType: this.u16(b, i + IDB_LINKTYPE),
      snaplen: this.u32(b, i + IDB_SNAPLEN),
      ticksPerSecond: DEFAULT_TICKS_PER_SECOND,
      tsOffset: 0,
    };
    const resol = this.findOption(b, i + IDB_OPTIONS, i + len - 4, OPT_IF_TSRESOL);
    if (resol >= 0 && this.optLen >= 1) f.ticksPerSecond = tsresolToTicksPerSecond(b[resol]!);
    const off = this.findOption(b, i + IDB_OPTIONS, i + len - 4, OPT_IF_TSOFFSET);
    if (off >= 0 && this.optLen >= 8) {
      // Signed 64-bit seconds.
      const hi = this.le ? u32le(b, off + 4) | 0 : u32be(b, off) | 0;
      const lo = this.le ? u32le(b, off) : u32be(b, off + 4);
      f.tsOffset = hi * 4_294_967_296 + lo;
    }
    return f;
  }

  /** Index of the value of the first option `code` in b[start, end), or -1. Stops quietly on bad options. */
  private findOption(b: Uint8Array, start: number, end: number, code: number): number {
    let o = start;
    while (o + 4 <= end) {
      const c = this.u16(b, o);
      const l = this.u16(b, o + 2);
      if (c === OPT_ENDOFOPT || o + 4 + l > end) return -1;
      if (c === code) {
        this.optLen = l;
        return o + 4;
      }
      o += 4 + pad4(l);
    }
    return -1;
  }

  private optionU32(b: Uint8Array, start: number, end: number, code: number): number | undefined {
    const v = this.findOption(b, start, end, code);
    return v >= 0 && this.optLen >= 4 ? this.u32(b, v) : undefined;
  }

  private u16(b: Uint8Array, o: number): number {
    return this.le ? u16le(b, o) : u16be(b, o);
  }

  private u32(b: Uint8Array, o: number): number {
    return this.le ? u32le(b, o) : u32be(b, o);
  }

  private wait(keep: number, needEnd: number): void {
    this.keep = keep;
    this.needEnd = needEnd;
  }

  private finish(end: number): void {
    this.pos = end;
    this.keep = end;
    this.needEnd = end + 1;
    this.resyncing = false;
  }
}

/** n rounded up to a multiple of 4; plain arithmetic, since n may exceed 2^31. */
const pad4 = (n: number): number => n + ((4 - (n & 3)) & 3);

function minLength(type: number): number {
  switch (type) {
    case PCAPNG_SHB_TYPE:
      return SHB_MIN;
    case PCAPNG_IDB_TYPE:
      return IDB_MIN;
    case PCAPNG_EPB_TYPE:
    case PCAPNG_PB_TYPE:
      return PKT_MIN;
    case PCAPNG_SPB_TYPE:
      return SPB_MIN;
    default:
      return NUMBERED_NON_PACKET_BLOCKS.get(type) ?? BLOCK_MIN;
  }
}

function isKnownType(type: number): boolean {
  return (
    type === PCAPNG_SHB_TYPE ||
    (type >= PCAPNG_IDB_TYPE && type <= PCAPNG_DSB_TYPE) ||
    NUMBERED_NON_PACKET_BLOCKS.has(type)
  );
}
