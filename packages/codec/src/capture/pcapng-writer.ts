/** Builds pcapng sections (little-endian) block by block. Pure: every method returns the block bytes. */

import { putU16le, putU32le } from '../bytes.js';
import { EncodeError } from '../errors.js';
import { MAX_PACKET } from './parser.js';
import {
  OPT_EPB_FLAGS,
  OPT_IF_NAME,
  OPT_IF_TSRESOL,
  OPT_SHB_USERAPPL,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_EPB_TYPE,
  PCAPNG_IDB_TYPE,
} from './pcapng.js';
import { PCAPNG_SHB_TYPE } from './detect.js';
import { secondsToTicks, tsresolToTicksPerSecond } from './timestamp.js';

export interface PcapngWriterOptions {
  /** Written as shb_userappl (omitted when empty); default "@odid/codec". */
  application?: string;
}

export interface PcapngInterfaceOptions {
  linkType: number;
  /** Default 262144. */
  snaplen?: number;
  /** Written as if_name when given. */
  name?: string;
  /** Raw if_tsresol byte: 10^-v seconds, or 2^-(v & 0x7f) with the high bit set. Default 9 (ns). */
  tsresol?: number;
}

export interface PcapngPacketOptions {
  /** Default: the captured length. */
  originalLength?: number;
  /** Written as the epb_flags option only when given. */
  flags?: number;
}

const DEFAULT_APPLICATION = '@odid/codec';
const DEFAULT_TSRESOL = 9;
const SHB_FIXED = 24; // type, length, BOM, version, section length
const IDB_FIXED = 16;
const EPB_FIXED = 28;
const TRAILER = 4;
const OPTION_HEADER = 4;
const END_OF_OPTIONS = 4;
/** Section length -1: not given, so readers must walk the blocks. */
const UNKNOWN_SECTION_LENGTH = 0xffffffff;

export class PcapngWriter {
  private readonly application: Uint8Array;
  /** Ticks per second of each interface of the current section, by id. */
  private ticks: number[] = [];

  constructor(opts: PcapngWriterOptions = {}) {
    this.application = utf8(opts.application ?? DEFAULT_APPLICATION);
  }

  /** A Section Header Block. Starts a new section: interface ids restart from 0. */
  header(): Uint8Array {
    this.ticks = [];
    const app = this.application;
    const opts = app.length > 0 ? optionsSize([app.length]) : END_OF_OPTIONS;
    const out = new Uint8Array(SHB_FIXED + opts + TRAILER);
    putU32le(out, 0, PCAPNG_SHB_TYPE);
    putU32le(out, 4, out.length);
    putU32le(out, 8, PCAPNG_BYTE_ORDER_MAGIC);
    putU16le(out, 12, 1);
    putU16le(out, 14, 0);
    putU32le(out, 16, UNKNOWN_SECTION_LENGTH);
    putU32le(out, 20, UNKNOWN_SECTION_LENGTH);
    let o = SHB_FIXED;
    if (app.length > 0) o = putOption(out, o, OPT_SHB_USERAPPL, app);
    o = putEndOfOptions(out, o);
    putU32le(out, o, out.length);
    return out;
  }

  /** An Interface Description Block; `id` is what packet() takes. */
  addInterface(opts: PcapngInterfaceOptions): { id: number; bytes: Uint8Array } {
    checkUint(opts.linkType, 0xffff, 'linkType');
    const snaplen = opts.snaplen ?? MAX_PACKET;
    checkUint(snaplen, 0xffffffff, 'snaplen');
    const tsresol = opts.tsresol ?? DEFAULT_TSRESOL;
    checkUint(tsresol, 0xff, 'tsresol');
    const name = opts.name === undefined ? undefined : utf8(opts.name);
    const resol = Uint8Array.of(tsresol);
    const opt = optionsSize(name ? [name.length, 1] : [1]);
    const out = new Uint8Array(IDB_FIXED + opt + TRAILER);
    putU32le(out, 0, PCAPNG_IDB_TYPE);
    putU32le(out, 4, out.length);
    putU16le(out, 8, opts.linkType);
    putU32le(out, 12, snaplen);
    let o = IDB_FIXED;
    if (name) o = putOption(out, o, OPT_IF_NAME, name);
    o = putOption(out, o, OPT_IF_TSRESOL, resol);
    o = putEndOfOptions(out, o);
    putU32le(out, o, out.length);
    this.ticks.push(tsresolToTicksPerSecond(tsresol));
    return { id: this.ticks.length - 1, bytes: out };
  }

  /** An Enhanced Packet Block, data padded to 4 bytes. */
  packet(interfaceId: number, timestampSeconds: number, data: Uint8Array, opts: PcapngPacketOptions = {}): Uint8Array {
    const tps = this.ticks[interfaceId];
    if (tps === undefined) {
      throw new EncodeError('invalid', 'interfaceId', interfaceId, `an id returned by addInterface() in this section (0..${this.ticks.length - 1})`);
    }
    const orig = opts.originalLength ?? data.length;
    if (!Number.isInteger(orig) || orig < data.length || orig > 0xffffffff) {
      throw new EncodeError('out-of-range', 'originalLength', orig, `an integer from data.length (${data.length}) to 4294967295`);
    }
    const { hi, lo } = secondsToTicks(timestampSeconds, tps, 'timestampSeconds');
    const padded = pad4(data.length);
    const flags = opts.flags;
    if (flags !== undefined) checkUint(flags, 0xffffffff, 'flags');
    const opt = flags === undefined ? 0 : optionsSize([4]);
    const out = new Uint8Array(EPB_FIXED + padded + opt + TRAILER);
    putU32le(out, 0, PCAPNG_EPB_TYPE);
    putU32le(out, 4, out.length);
    putU32le(out, 8, interfaceId);
    putU32le(out, 12, hi);
    putU32le(out, 16, lo);
    putU32le(out, 20, data.length);
    putU32le(out, 24, orig);
    out.set(data, EPB_FIXED);
    let o = EPB_FIXED + padded;
    if (flags !== undefined) {
      const v = new Uint8Array(4);
      putU32le(v, 0, flags);
      o = putOption(out, o, OPT_EPB_FLAGS, v);
      o = putEndOfOptions(out, o);
    }
    putU32le(out, o, out.length);
    return out;
  }
}

const pad4 = (n: number): number => n + ((4 - (n & 3)) & 3);

/** Bytes taken by options of these value lengths plus opt_endofopt. */
function optionsSize(valueLengths: readonly number[]): number {
  let n = END_OF_OPTIONS;
  for (const l of valueLengths) n += OPTION_HEADER + pad4(l);
  return n;
}

function putOption(out: Uint8Array, o: number, code: number, value: Uint8Array): number {
  if (value.length > 0xffff) throw new EncodeError('out-of-range', `option ${code}`, value.length, 'at most 65535 bytes');
  putU16le(out, o, code);
  putU16le(out, o + 2, value.length);
  out.set(value, o + OPTION_HEADER);
  // Padding bytes are already zero in a fresh array.
  return o + OPTION_HEADER + pad4(value.length);
}

function putEndOfOptions(out: Uint8Array, o: number): number {
  // Code 0, length 0: four zero bytes, already there.
  return o + END_OF_OPTIONS;
}

function checkUint(v: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError('out-of-range', field, v, `an integer 0..${max}`);
}

/** UTF-8 bytes of a string (TextEncoder is not in the ES library the codec targets). */
function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}
