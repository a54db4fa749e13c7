/** Builds classic pcap files (little-endian, version 2.4) byte by byte. Pure: returns Uint8Arrays. */

import { putU16le, putU32le } from '../bytes.js';
import { EncodeError } from '../errors.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './detect.js';
import { MAX_PACKET } from './parser.js';
import { PCAP_FILE_HEADER_SIZE, PCAP_RECORD_HEADER_SIZE } from './pcap.js';
import { splitSeconds } from './timestamp.js';

export interface PcapHeaderOptions {
  /** Nanosecond timestamps (magic 0xA1B23C4D) instead of microseconds. */
  nanoseconds?: boolean;
  /** Largest captured length the file promises; default 262144. */
  snaplen?: number;
}

const PCAP_VERSION_MAJOR = 2;
const PCAP_VERSION_MINOR = 4;

export class PcapWriter {
  private ticksPerSecond = 1e6;

  /** The 24-byte file header. Also sets the timestamp resolution used by later packet() calls. */
  header(linkType: number, opts: PcapHeaderOptions = {}): Uint8Array {
    checkUint(linkType, 0xffff, 'linkType');
    const snaplen = opts.snaplen ?? MAX_PACKET;
    checkUint(snaplen, 0xffffffff, 'snaplen');
    this.ticksPerSecond = opts.nanoseconds ? 1e9 : 1e6;
    const h = new Uint8Array(PCAP_FILE_HEADER_SIZE);
    putU32le(h, 0, opts.nanoseconds ? PCAP_MAGIC_NS : PCAP_MAGIC_US);
    putU16le(h, 4, PCAP_VERSION_MAJOR);
    putU16le(h, 6, PCAP_VERSION_MINOR);
    // thiszone and sigfigs stay 0, as every modern writer leaves them.
    putU32le(h, 16, snaplen);
    putU32le(h, 20, linkType);
    return h;
  }

  /** One record: 16-byte header then the data. */
  packet(timestampSeconds: number, data: Uint8Array, originalLength = data.length): Uint8Array {
    if (!Number.isInteger(originalLength) || originalLength < data.length || originalLength > 0xffffffff) {
      throw new EncodeError('out-of-range', 'originalLength', originalLength, `an integer from data.length (${data.length}) to 4294967295`);
    }
    const { sec, frac } = splitSeconds(timestampSeconds, this.ticksPerSecond, 'timestampSeconds');
    if (sec > 0xffffffff) {
      throw new EncodeError('out-of-range', 'timestampSeconds', timestampSeconds, 'below 2^32 seconds (year 2106)');
    }
    const out = new Uint8Array(PCAP_RECORD_HEADER_SIZE + data.length);
    putU32le(out, 0, sec);
    putU32le(out, 4, frac);
    putU32le(out, 8, data.length);
    putU32le(out, 12, originalLength);
    out.set(data, PCAP_RECORD_HEADER_SIZE);
    return out;
  }
}

function checkUint(v: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError('out-of-range', field, v, `an integer 0..${max}`);
}
