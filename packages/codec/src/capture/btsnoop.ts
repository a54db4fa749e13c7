/**
 * btsnoop (Android HCI snoop logs, BlueZ btmon -w): 16-byte big-endian file header, 24-byte record
 * headers. Records are normalised to pcap link types so consumers need no btsnoop knowledge:
 * - datalink 1002 (HCI UART/H4): data already starts with the H4 packet type -> LINKTYPE 187 as is;
 * - datalink 1001 (unencapsulated HCI): the H4 type byte is derived from the flags (bit 1 command/event
 *   vs data, bit 0 received) and prepended -> LINKTYPE 187; data and originalLength grow by 1. Data
 *   packets cannot be told apart, they are reported as ACL (0x02);
 * - datalink 2001 (Linux monitor): flags hold adapter index << 16 | opcode; the 4-byte LINKTYPE 254
 *   pseudo-header (both big-endian) is prepended -> LINKTYPE 254; data and originalLength grow by 4;
 * - any other datalink (BCSP 1003, H5 1004...) has no pcap equivalent: records keep their bytes and report
 *   linkType BTSNOOP_LINKTYPE_BASE + datalink, a private range outside the pcap registry.
 * `flags` always carries the raw btsnoop flags.
 */

import { u32be } from '../bytes.js';
import type { ParseContext } from './parser.js';
import { RecordStream, type RecordHeader } from './record-stream.js';
import { LINKTYPE_BLUETOOTH_HCI_H4, LINKTYPE_BLUETOOTH_LINUX_MONITOR, type CaptureRecord } from './types.js';

export const BTSNOOP_FILE_HEADER_SIZE = 16;
export const BTSNOOP_RECORD_HEADER_SIZE = 24;
export const BTSNOOP_DATALINK_HCI = 1001;
export const BTSNOOP_DATALINK_H4 = 1002;
export const BTSNOOP_DATALINK_MONITOR = 2001;
/** linkType reported for datalinks that have no pcap link type. */
export const BTSNOOP_LINKTYPE_BASE = 0x10000;
/** Microseconds from 0000-01-01 (the btsnoop epoch) to 1970-01-01, split into 32-bit halves. */
export const BTSNOOP_EPOCH_DELTA_HI = 0x00dcddb3;
export const BTSNOOP_EPOCH_DELTA_LO = 0x0f2f8000;

const FH_VERSION = 8;
const FH_DATALINK = 12;
const RH_ORIG_LEN = 0;
const RH_INCL_LEN = 4;
const RH_FLAGS = 8;
const RH_TS_HI = 16;
const RH_TS_LO = 20;
const TWO32 = 4_294_967_296;

// H4 packet types.
const H4_COMMAND = 0x01;
const H4_ACL = 0x02;
const H4_EVENT = 0x04;
const FLAG_RECEIVED = 0x1;
const FLAG_COMMAND_OR_EVENT = 0x2;
const MONITOR_HEADER_SIZE = 4;

export class BtsnoopParser extends RecordStream {
  private datalink = BTSNOOP_DATALINK_H4;
  private linkType = LINKTYPE_BLUETOOTH_HCI_H4;

  constructor(ctx: ParseContext) {
    super(ctx, 'btsnoop', BTSNOOP_FILE_HEADER_SIZE, BTSNOOP_RECORD_HEADER_SIZE);
  }

  protected readFileHeader(b: Uint8Array, i: number, at: number): void {
    const version = u32be(b, i + FH_VERSION);
    if (version !== 1) this.ctx.warn('capture.version', at + FH_VERSION, `btsnoop version ${version} (expected 1); reading it as 1`);
    this.datalink = u32be(b, i + FH_DATALINK);
    if (this.datalink === BTSNOOP_DATALINK_HCI || this.datalink === BTSNOOP_DATALINK_H4) {
      this.linkType = LINKTYPE_BLUETOOTH_HCI_H4;
    } else if (this.datalink === BTSNOOP_DATALINK_MONITOR) {
      this.linkType = LINKTYPE_BLUETOOTH_LINUX_MONITOR;
    } else {
      this.linkType = BTSNOOP_LINKTYPE_BASE + this.datalink;
      this.ctx.warn('capture.unknown-datalink', at + FH_DATALINK, `btsnoop datalink ${this.datalink} has no pcap link type; records report linkType ${this.linkType}`);
    }
  }

  protected readHeader(b: Uint8Array, i: number, h: RecordHeader): void {
    h.orig = u32be(b, i + RH_ORIG_LEN);
    h.incl = u32be(b, i + RH_INCL_LEN);
    h.flags = u32be(b, i + RH_FLAGS);
    // Signed 64-bit µs; the two halves are subtracted apart so the difference stays an exact integer.
    const hi = u32be(b, i + RH_TS_HI) | 0;
    const lo = u32be(b, i + RH_TS_LO);
    h.ts = ((hi - BTSNOOP_EPOCH_DELTA_HI) * TWO32 + (lo - BTSNOOP_EPOCH_DELTA_LO)) / 1e6;
    h.frac = 0;
  }

  /** HCI and H4 logs use only the direction and command/event bits; monitor logs pack index and opcode. */
  protected flagsOk(flags: number): boolean {
    return this.datalink === BTSNOOP_DATALINK_MONITOR || flags <= (FLAG_RECEIVED | FLAG_COMMAND_OR_EVENT);
  }

  /** btsnoop times are absolute; a misaligned header gives a time far outside 1970..2106. */
  protected credibleAlone(h: RecordHeader): boolean {
    return h.ts >= 0 && h.ts < TWO32;
  }

  protected record(b: Uint8Array, i: number, h: RecordHeader, copy: boolean, frame: number): CaptureRecord {
    let data: Uint8Array;
    let orig = h.orig;
    if (this.datalink === BTSNOOP_DATALINK_HCI) {
      data = new Uint8Array(1 + h.incl);
      data[0] = h.flags & FLAG_COMMAND_OR_EVENT ? (h.flags & FLAG_RECEIVED ? H4_EVENT : H4_COMMAND) : H4_ACL;
      data.set(b.subarray(i, i + h.incl), 1);
      orig += 1;
    } else if (this.datalink === BTSNOOP_DATALINK_MONITOR) {
      data = new Uint8Array(MONITOR_HEADER_SIZE + h.incl);
      // LINKTYPE 254 pseudo-header: adapter index u16 BE, opcode u16 BE.
      data[0] = h.flags >>> 24;
      data[1] = (h.flags >>> 16) & 0xff;
      data[2] = (h.flags >>> 8) & 0xff;
      data[3] = h.flags & 0xff;
      data.set(b.subarray(i, i + h.incl), MONITOR_HEADER_SIZE);
      orig += MONITOR_HEADER_SIZE;
    } else {
      data = copy ? b.slice(i, i + h.incl) : b.subarray(i, i + h.incl);
    }
    return { frame, timestamp: h.ts, linkType: this.linkType, interfaceId: 0, data, originalLength: orig, flags: h.flags };
  }
}
