/**
 * The running checksums the compressed formats carry: CRC-32 (gzip members, RFC 1952) and xxHash32 (lz4
 * frames). Both are updated piece by piece as the output streams out, so nothing is kept to check them.
 * The same CRC-32 checks 802.11 FCSs (link/crc32.ts).
 */

const POLY_REFLECTED = 0xedb88320;

/** Slicing-by-8: T[k*256 + b] is the CRC of byte b followed by k zero bytes. */
const CRC_T = buildCrcTables();

function buildCrcTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = t[b]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + b] = c;
    }
  }
  return t;
}

/** CRC-32 of everything so far (`crc`, 0 to start) followed by bytes[start, end), unsigned. */
export function crc32Update(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = CRC_T;
  let c = ~crc;
  let i = start;
  const end8 = end - ((end - start) & 7);
  for (; i < end8; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[7 * 256 + (a & 0xff)]! ^
      t[6 * 256 + ((a >>> 8) & 0xff)]! ^
      t[5 * 256 + ((a >>> 16) & 0xff)]! ^
      t[4 * 256 + (a >>> 24)]! ^
      t[3 * 256 + bytes[i + 4]!]! ^
      t[2 * 256 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const round = (acc: number, lane: number): number => Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);
const lane = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/** xxHash32 (seed 0) of a stream fed in pieces; `digest()` does not end it. */
export class Xxh32 {
  private v1 = (P1 + P2) | 0;
  private v2 = P2 | 0;
  private v3 = 0;
  private v4 = -P1 | 0;
  private total = 0;
  /** Bytes of an unfinished 16-byte stripe. */
  private readonly pending = new Uint8Array(16);
  private pendingLen = 0;

  update(b: Uint8Array, start = 0, end = b.length): void {
    this.total += end - start;
    let i = start;
    if (this.pendingLen > 0) {
      const n = Math.min(16 - this.pendingLen, end - i);
      this.pending.set(b.subarray(i, i + n), this.pendingLen);
      this.pendingLen += n;
      i += n;
      if (this.pendingLen < 16) return;
      this.stripe(this.pending, 0);
      this.pendingLen = 0;
    }
    let v1 = this.v1;
    let v2 = this.v2;
    let v3 = this.v3;
    let v4 = this.v4;
    for (; i + 16 <= end; i += 16) {
      v1 = round(v1, lane(b, i));
      v2 = round(v2, lane(b, i + 4));
      v3 = round(v3, lane(b, i + 8));
      v4 = round(v4, lane(b, i + 12));
    }
    this.v1 = v1;
    this.v2 = v2;
    this.v3 = v3;
    this.v4 = v4;
    if (i < end) {
      this.pending.set(b.subarray(i, end), 0);
      this.pendingLen = end - i;
    }
  }

  digest(): number {
    let h =
      this.total >= 16
        ? (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0
        : (this.v3 + P5) | 0;
    h = (h + this.total) | 0;
    const p = this.pending;
    let i = 0;
    for (; i + 4 <= this.pendingLen; i += 4) h = Math.imul(rotl((h + Math.imul(lane(p, i), P3)) | 0, 17), P4);
    for (; i < this.pendingLen; i++) h = Math.imul(rotl((h + Math.imul(p[i]!, P5)) | 0, 11), P1);
    h = Math.imul(h ^ (h >>> 15), P2);
    h = Math.imul(h ^ (h >>> 13), P3);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private stripe(b: Uint8Array, i: number): void {
    this.v1 = round(this.v1, lane(b, i));
    this.v2 = round(this.v2, lane(b, i + 4));
    this.v3 = round(this.v3, lane(b, i + 8));
    this.v4 = round(this.v4, lane(b, i + 12));
  }
}

/** xxHash32 (seed 0) of bytes[start, end). */
export function xxh32(b: Uint8Array, start = 0, end = b.length): number {
  const h = new Xxh32();
  h.update(b, start, end);
  return h.digest();
}
