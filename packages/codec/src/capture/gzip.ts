/**
 * gzip (RFC 1952), push-style: members one after another (`cat a.gz b.gz`, pigz and bgzip write several),
 * each a header, DEFLATE data (inflate.ts) and a trailer whose CRC-32 and length of the member's data are
 * checked. After the last member, zero padding is ignored (as gzip and zlib ignore it); anything else ends
 * decompression with a 'trailing' DecompressError (gzip's "trailing garbage ignored").
 */

import { u16le, u32le } from '../bytes.js';
import { DecodeError } from '../errors.js';
import { crc32Update } from './checksums.js';
import { DecompressError, StreamDecompressor, type EmitBytes } from './compression.js';
import { Inflater } from './inflate.js';

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;
const CM_DEFLATE = 8;

// Where the decoder is in the stream.
const FIXED = 0; // the 10 bytes every member header starts with
const EXTRA_LEN = 1;
const EXTRA = 2;
const NAME = 3;
const COMMENT = 4;
const HCRC = 5;
const DEFLATE = 6;
const TRAILER = 7; // CRC-32 and length of the member's data
const NEXT = 8; // after a member: another one, padding or garbage
const PADDING = 9;
const FAILED = 10;

export class GzipDecompressor extends StreamDecompressor {
  readonly format = 'gzip';
  protected readonly failedState = FAILED;
  protected state = FIXED;
  private memberStart = 0;
  private flags = 0;
  private extraLeft = 0;
  private headerCrc = 0;
  private readonly inflater = new Inflater();
  private deflateStart = 0;
  private crc = 0;
  private size = 0;
  private emit: EmitBytes = () => {};
  private readonly output: EmitBytes = (piece) => {
    this.crc = crc32Update(this.crc, piece);
    this.size += piece.length;
    this.emit(piece);
  };

  constructor() {
    // Fixed-size fields being collected (the member header, the trailer, FEXTRA's length, the header CRC).
    super(new Uint8Array(10));
  }

  push(chunk: Uint8Array, emit: EmitBytes): void {
    this.emit = emit;
    let data = chunk;
    let i = 0;
    while (i < data.length) {
      switch (this.state) {
        case FIXED: {
          i = this.collect(data, i, 10);
          if (this.bufLen < 10) break;
          this.checkFixedHeader();
          break;
        }
        case EXTRA_LEN:
          i = this.collect(data, i, 2);
          if (this.bufLen < 2) break;
          this.headerCrc = crc32Update(this.headerCrc, this.buf, 0, 2);
          this.extraLeft = u16le(this.buf, 0);
          this.state = EXTRA;
          break;
        case EXTRA: {
          const n = Math.min(this.extraLeft, data.length - i);
          this.headerCrc = crc32Update(this.headerCrc, data, i, i + n);
          this.extraLeft -= n;
          i = this.advance(i, n);
          if (this.extraLeft === 0) this.nextHeaderField(FEXTRA);
          break;
        }
        case NAME:
        case COMMENT: {
          // Zero-terminated text of any length: skipped as it streams past, never buffered.
          const zero = data.indexOf(0, i);
          const stop = zero < 0 ? data.length : zero + 1;
          this.headerCrc = crc32Update(this.headerCrc, data, i, stop);
          i = this.advance(i, stop - i);
          if (zero >= 0) this.nextHeaderField(this.state === NAME ? FNAME : FCOMMENT);
          break;
        }
        case HCRC:
          i = this.collect(data, i, 2);
          if (this.bufLen < 2) break;
          if (u16le(this.buf, 0) !== (this.headerCrc & 0xffff)) this.fail('corrupt', this.offset - 2, 'header crc mismatch');
          this.startDeflate();
          break;
        case DEFLATE: {
          let rest: Uint8Array | undefined;
          try {
            rest = this.inflater.push(data.subarray(i), this.output);
          } catch (e) {
            if (e instanceof DecodeError) this.fail('corrupt', this.deflateStart + e.offset, `${e.reason} in the member at compressed byte ${this.memberStart}`);
            throw e;
          }
          if (rest === undefined) {
            i = this.advance(i, data.length - i);
          } else {
            this.offset += data.length - i - rest.length;
            data = rest;
            i = 0;
            this.state = TRAILER;
            this.bufLen = 0;
          }
          break;
        }
        case TRAILER:
          i = this.collect(data, i, 8);
          if (this.bufLen < 8) break;
          if (u32le(this.buf, 0) !== this.crc) this.fail('corrupt', this.offset - 8, `incorrect data check (CRC-32) of the member at compressed byte ${this.memberStart}: its data was read and may be wrong`);
          if (u32le(this.buf, 4) !== this.size >>> 0) this.fail('corrupt', this.offset - 4, `incorrect length check of the member at compressed byte ${this.memberStart}: its data was read and may be wrong`);
          this.state = NEXT;
          this.bufLen = 0;
          break;
        case NEXT: {
          const b = data[i]!;
          if (this.bufLen === 0 && b === 0) {
            this.state = PADDING;
            break;
          }
          // Another member starts with the magic; zlib takes any other non-zero byte for a bad header too.
          if (b !== (this.bufLen === 0 ? 0x1f : 0x8b)) this.fail('trailing', this.offset - this.bufLen, 'the bytes after the last member are neither another member nor zero padding: ignored');
          this.buf[this.bufLen++] = b;
          i = this.advance(i, 1);
          if (this.bufLen === 2) {
            this.memberStart = this.offset - 2;
            this.state = FIXED;
          }
          break;
        }
        case PADDING:
          i = this.padding(data, i, 'member');
          break;
        default:
          throw new DecompressError('corrupt', 'gzip', this.offset, 'pushed after decompression failed');
      }
    }
  }

  end(emit: EmitBytes): void {
    this.emit = emit;
    switch (this.state) {
      case NEXT:
        if (this.bufLen === 0) return;
        this.fail('truncated', this.offset, 'the input ends inside a member header');
        break;
      case PADDING:
        return;
      case DEFLATE:
        this.fail('truncated', this.offset, "the input ends inside a member's compressed data");
        break;
      case TRAILER:
        this.fail('truncated', this.offset, "the input ends inside a member's trailer");
        break;
      default:
        this.fail('truncated', this.offset, 'the input ends inside a member header');
    }
  }

  /** Member header bytes 0-9: magic, method (deflate), flags, time, extra flags, OS. */
  private checkFixedHeader(): void {
    const b = this.buf;
    if (b[0] !== 0x1f || b[1] !== 0x8b) this.fail('corrupt', this.memberStart, 'not a gzip member header');
    if (b[2] !== CM_DEFLATE) this.fail('corrupt', this.memberStart + 2, `unknown compression method ${b[2]}`);
    if (b[3]! & FRESERVED) this.fail('corrupt', this.memberStart + 3, 'unknown header flags set');
    this.flags = b[3]!;
    this.headerCrc = crc32Update(0, b, 0, 10);
    this.nextHeaderField(0);
  }

  /** Moves to the optional header field after `done` (0: the fixed part), or to the data. */
  private nextHeaderField(done: number): void {
    const f = this.flags;
    this.bufLen = 0;
    if (done < FEXTRA && f & FEXTRA) this.state = EXTRA_LEN;
    else if (done < FNAME && f & FNAME) this.state = NAME;
    else if (done < FCOMMENT && f & FCOMMENT) this.state = COMMENT;
    else if (f & FHCRC) this.state = HCRC;
    else this.startDeflate();
  }

  private startDeflate(): void {
    this.state = DEFLATE;
    this.deflateStart = this.offset;
    this.inflater.reset();
    this.crc = 0;
    this.size = 0;
  }
}
