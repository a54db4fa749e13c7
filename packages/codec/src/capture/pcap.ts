/** Classic libpcap files: 24-byte file header, then 16-byte record headers, in the writer's byte order. */

import { u16be, u16le, u32be, u32le } from '../bytes.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_NS_SWAPPED, PCAP_MAGIC_US } from './detect.js';
import { MAX_PACKET, type ParseContext } from './parser.js';
import { RecordStream, type RecordHeader } from './record-stream.js';
import type { CaptureRecord } from './types.js';

export const PCAP_FILE_HEADER_SIZE = 24;
export const PCAP_RECORD_HEADER_SIZE = 16;

// File header fields.
const FH_VERSION_MAJOR = 4;
const FH_SNAPLEN = 16;
const FH_LINKTYPE = 20;
// Record header fields.
const RH_TS_SEC = 0;
const RH_TS_FRAC = 4;
const RH_INCL_LEN = 8;
const RH_ORIG_LEN = 12;
/** The link type is the low 16 bits; the upper bits may carry FCS information. */
const LINKTYPE_MASK = 0xffff;

export class PcapParser extends RecordStream {
  private le = true;
  private linkType = 0;

  constructor(ctx: ParseContext) {
    super(ctx, 'pcap', PCAP_FILE_HEADER_SIZE, PCAP_RECORD_HEADER_SIZE);
  }

  protected readFileHeader(b: Uint8Array, i: number, at: number): void {
    const magic = u32le(b, i);
    this.le = magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS;
    this.fracUnit = magic === PCAP_MAGIC_NS || magic === PCAP_MAGIC_NS_SWAPPED ? 1e9 : 1e6;
    const major = this.le ? u16le(b, i + FH_VERSION_MAJOR) : u16be(b, i + FH_VERSION_MAJOR);
    if (major !== 2) this.ctx.warn('capture.version', at + FH_VERSION_MAJOR, `pcap version ${major} (expected 2); reading it as 2.4`);
    const snaplen = this.u32(b, i + FH_SNAPLEN);
    // Largest believable captured length: the snaplen, capped at MAX_PACKET.
    this.maxIncl = snaplen > 0 && snaplen < MAX_PACKET ? snaplen : MAX_PACKET;
    this.linkType = this.u32(b, i + FH_LINKTYPE) & LINKTYPE_MASK;
  }

  protected readHeader(b: Uint8Array, i: number, h: RecordHeader): void {
    const sec = this.u32(b, i + RH_TS_SEC);
    h.frac = this.u32(b, i + RH_TS_FRAC);
    h.incl = this.u32(b, i + RH_INCL_LEN);
    h.orig = this.u32(b, i + RH_ORIG_LEN);
    h.ts = sec + h.frac / this.fracUnit;
  }

  protected flagsOk(): boolean {
    return true;
  }

  /**
   * Phantom headers take their seconds from a sub-second or length field, so below one unit (1e6 or
   * 1e9). The price: with no earlier record to compare against, records dated before that (a clockless
   * device) cannot be resynchronised to.
   */
  protected credibleAlone(h: RecordHeader): boolean {
    return h.ts >= this.fracUnit;
  }

  protected record(b: Uint8Array, i: number, h: RecordHeader, copy: boolean, frame: number): CaptureRecord {
    return {
      frame,
      timestamp: h.ts,
      linkType: this.linkType,
      interfaceId: 0,
      data: copy ? b.slice(i, i + h.incl) : b.subarray(i, i + h.incl),
      originalLength: h.orig,
      flags: undefined,
    };
  }

  private u32(b: Uint8Array, o: number): number {
    return this.le ? u32le(b, o) : u32be(b, o);
  }
}
