/**
 * Bluetooth LE link-layer CRC-24 (Core Vol 6 Part B 3.1.1): polynomial x^24+x^10+x^9+x^6+x^4+x^3+x+1
 * (0x00065B), computed over the PDU header and payload (not the access address, not the coded-PHY CI
 * byte), data bits fed least significant first. Advertising physical channel PDUs, primary and
 * auxiliary alike, use the preset 0x555555.
 *
 * The register is sent most significant bit first while bytes are sent LSB first, so captures hold the
 * CRC value bit-reversed: stored bytes = rev8(v >> 16), rev8(v >> 8), rev8(v) (spec digest §3.1:
 * 0x802F30 is stored 01 f4 0c). Running the LFSR in reflected form (reversed polynomial 0xDA6000,
 * reversed preset) yields those three stored bytes directly as a little-endian number; slicing-by-4
 * tables keep it at a quarter of the table rounds.
 */

const POLY_REFLECTED = 0xda6000; // bit-reverse of 0x00065B over 24 bits
const MASK24 = 0xffffff;

/** Preset of the CRC register on advertising physical channels (the value as the Core spec writes it). */
export const BLE_ADV_CRC_INIT = 0x555555;
export const BLE_CRC_LENGTH = 3;

/** T[k*256 + b]: register after byte b then k zero bytes, from an empty register (slicing-by-4). */
const T = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(4 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = t[b]!;
    for (let k = 1; k < 4; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + b] = c;
    }
  }
  return t;
}

/** Reverses the order of the low 24 bits (spec-form value <-> stored-form value). */
export function reverseBits24(v: number): number {
  let r = 0;
  for (let i = 0; i < 24; i++) {
    r = (r << 1) | (v & 1);
    v >>>= 1;
  }
  return r;
}

const ADV_INIT_REFLECTED = reverseBits24(BLE_ADV_CRC_INIT);

/**
 * CRC-24 of bytes[start, end) in stored form: the value the three CRC bytes that follow the PDU read as
 * a little-endian number. `init` is the preset as the Core spec writes it (0x555555 on advertising
 * channels, CRCInit from CONNECT_IND / SyncInfo otherwise).
 */
export function bleCrc24(bytes: Uint8Array, start: number, end: number, init = BLE_ADV_CRC_INIT): number {
  let c = init === BLE_ADV_CRC_INIT ? ADV_INIT_REFLECTED : reverseBits24(init & MASK24);
  let i = start;
  // Four bytes a round: the 24-bit register absorbs three of them, the fourth meets an empty register.
  const end4 = end - ((end - start) & 3);
  for (; i < end4; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16);
    c = T[768 + (c & 0xff)]! ^ T[512 + ((c >>> 8) & 0xff)]! ^ T[256 + (c >>> 16)]! ^ T[bytes[i + 3]!]!;
  }
  for (; i < end; i++) c = T[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/** True when the 3 bytes at `end` are the CRC of bytes[start, end). The caller bounds-checks end+3. */
export function bleCrcMatches(bytes: Uint8Array, start: number, end: number, init = BLE_ADV_CRC_INIT): boolean {
  const stored = bytes[end]! | (bytes[end + 1]! << 8) | (bytes[end + 2]! << 16);
  return bleCrc24(bytes, start, end, init) === stored;
}

/** Writes the CRC of bytes[start, end) into bytes[end, end+3) (for builders). */
export function putBleCrc(bytes: Uint8Array, start: number, end: number, init = BLE_ADV_CRC_INIT): void {
  const c = bleCrc24(bytes, start, end, init);
  bytes[end] = c & 0xff;
  bytes[end + 1] = (c >>> 8) & 0xff;
  bytes[end + 2] = (c >>> 16) & 0xff;
}
