/**
 * Remote ID inside BLE advertising data (spec digest §3.1, §3.2): an AD structure
 * `[len] 16 FA FF 0D [counter] [payload]` — Service Data with the 16-bit UUID 0xFFFA (sent LSB first) and
 * application code 0x0D. BT4 legacy adverts carry one 25-byte message, BT5 extended adverts a message pack.
 */

import { DecodeError } from '../errors.js';
import { MESSAGE_SIZE } from '../messages/types.js';
import { checkByte, checkPack } from './_args.js';
import type { BleServiceDataPayload } from './payload-kind.js';

/** AD type "Service Data - 16-bit UUID". */
export const AD_TYPE_SERVICE_DATA_16 = 0x16;
/** UUID 0xFFFA (ASTM Remote ID) as it appears on air, little-endian. */
export const ODID_UUID_BYTES = [0xfa, 0xff] as const;
/** Application code that follows the UUID: Open Drone ID. */
export const ODID_APP_CODE = 0x0d;
/** Legacy advertising data is at most 31 bytes, and the ODID AD fills all of them. */
export const LEGACY_ADV_DATA_SIZE = 31;

// Offsets inside one AD structure.
const AD_LEN = 0;
const AD_TYPE = 1;
const AD_UUID = 2;
const AD_APP_CODE = 4;
const AD_COUNTER = 5;
const AD_PAYLOAD = 6;
/** type + UUID + app code + counter: the bytes an ODID AD's length counts besides its payload. */
const AD_ODID_OVERHEAD = AD_PAYLOAD - AD_TYPE;

export interface OdidServiceData {
  /** The message counter (per message type on BT4, per pack on BT5). */
  counter: number;
  /** The 25-byte message (BT4) or the message pack (BT5): the rest of the AD after the counter. */
  payload: Uint8Array;
  /** Where `payload` starts in the advertising data, to make message-decoder offsets absolute. */
  offset: number;
}

/** Its payload descriptor (payload-kind.ts): BT4 legacy adverts carry one message, BT5 extended ones a pack. */
export const ODID_SERVICE_DATA: BleServiceDataPayload = {
  carrier: 'ble-service-data',
  name: 'odid-ble',
  transport: { legacy: 'ble-legacy', extended: 'ble-extended' },
  find: (advData) => findOdidServiceData(advData),
};

/**
 * Finds the first ODID service-data AD in advertising data. Returns undefined when there is none.
 * Throws DecodeError 'truncated' when an AD length runs past the end before an ODID AD was found, or when
 * the ODID AD itself is cut short. A zero length byte ends the list (controllers pad with zeros).
 */
export function findOdidServiceData(advData: Uint8Array): OdidServiceData | undefined {
  let o = 0;
  while (o < advData.length) {
    const len = advData[o + AD_LEN]!;
    if (len === 0) return undefined;
    const end = o + 1 + len;
    if (end > advData.length) {
      throw new DecodeError('truncated', o, `AD length ${len} runs past the end of the advertising data`, 'ad');
    }
    if (isOdidAd(advData, o, len)) {
      if (len < AD_ODID_OVERHEAD) {
        throw new DecodeError('truncated', o, `ODID AD of length ${len} has no counter byte`, 'ad.counter');
      }
      return { counter: advData[o + AD_COUNTER]!, payload: advData.subarray(o + AD_PAYLOAD, end), offset: o + AD_PAYLOAD };
    }
    o = end;
  }
  return undefined;
}

/** Type 0x16, UUID FA FF and app code 0x0D; needs len ≥ 4 to see the app code at all. */
function isOdidAd(b: Uint8Array, o: number, len: number): boolean {
  return (
    len >= AD_APP_CODE &&
    b[o + AD_TYPE] === AD_TYPE_SERVICE_DATA_16 &&
    b[o + AD_UUID] === ODID_UUID_BYTES[0] &&
    b[o + AD_UUID + 1] === ODID_UUID_BYTES[1] &&
    b[o + AD_APP_CODE] === ODID_APP_CODE
  );
}

function buildAd(counter: number, payload: Uint8Array): Uint8Array {
  const len = AD_ODID_OVERHEAD + payload.length;
  const out = new Uint8Array(1 + len);
  out[AD_LEN] = len;
  out[AD_TYPE] = AD_TYPE_SERVICE_DATA_16;
  out[AD_UUID] = ODID_UUID_BYTES[0];
  out[AD_UUID + 1] = ODID_UUID_BYTES[1];
  out[AD_APP_CODE] = ODID_APP_CODE;
  out[AD_COUNTER] = checkByte('counter', counter);
  out.set(payload, AD_PAYLOAD);
  return out;
}

/** The 31-byte legacy AdvData `1E 16 FA FF 0D counter message` for one 25-byte message (never a pack). */
export function buildLegacyAdvData(counter: number, message25: Uint8Array): Uint8Array {
  if (message25.length !== MESSAGE_SIZE) {
    throw new RangeError(`a BT4 legacy advert carries one ${MESSAGE_SIZE}-byte message, got ${message25.length} bytes`);
  }
  return buildAd(counter, message25);
}

/** The BT5 extended AdvData: one AD `[pack.length + 5] 16 FA FF 0D counter pack`. */
export function buildExtendedAdvData(counter: number, pack: Uint8Array): Uint8Array {
  // A 9-message pack (228 bytes) gives an AD length of 233: always fits the 255 a length byte allows.
  return buildAd(counter, checkPack(pack));
}
