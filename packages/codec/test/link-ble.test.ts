import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../src/bytes.js';
import { DecodeError, EncodeError } from '../src/errors.js';
import {
  BLE_AUX_TYPE,
  BLE_PHDR_FLAG,
  LINKTYPE,
  buildBleAdvPdu,
  buildBlePhdrRecord,
  decodeLinkFrame,
  indexToRfChannel,
  parseBleLlPacket,
  putBleCrc,
  rfChannelToIndex,
  type BleAdvFrame,
  type LinkResult,
} from '../src/link/index.js';

// §3.1 constructed example as a DLT 251 record.
const LEGACY = fromHex(
  'd6be898e 4225 5544332211c0 1e16faff0d07 122624160a42bf241b6ed1b4b69808ac0870086b53150e0200 01f40c',
);

const one = (r: LinkResult): BleAdvFrame => {
  expect(r.frames).toHaveLength(1);
  expect(r.frames[0]!.kind).toBe('ble');
  return r.frames[0] as BleAdvFrame;
};

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

/** The ids of a result's diagnostics, in the order raised. */
const ids = (r: LinkResult): string[] => r.diagnostics.map((d) => d.id);

/** AA + header + payload + correct CRC, for hand-built PDUs. */
function pdu(header: string, payload: Uint8Array | string, aa = 'd6be898e'): Uint8Array {
  const body = typeof payload === 'string' ? fromHex(payload) : payload;
  const out = concatBytes([fromHex(aa), fromHex(header), body, new Uint8Array(3)]);
  putBleCrc(out, 4, out.length - 3);
  return out;
}

describe('BLE LL (DLT 251)', () => {
  it('§3.1 legacy example: ADV_NONCONN_IND from c0:11:22:33:44:55 (random), CRC ok', () => {
    const r = decodeLinkFrame(LINKTYPE.BLUETOOTH_LE_LL, LEGACY);
    expect(r.diagnostics).toEqual([]);
    const f = one(r);
    expect(f).toMatchObject({ pdu: 'ADV_NONCONN_IND', extended: false, address: 'c0:11:22:33:44:55', addressRandom: true, crc: 'ok' });
    expect(f.advData).toHaveLength(31);
    expect(toHex(f.advData, 0, 6)).toBe('1e16faff0d07');
    expect(f.advData.buffer).toBe(LEGACY.buffer);
  });

  it('a flipped bit gives crc bad and a diagnostic, the frame is still returned', () => {
    const b = LEGACY.slice();
    b[20]! ^= 0x04;
    const r = decodeLinkFrame(251, b);
    expect(one(r).crc).toBe('bad');
    expect(ids(r)).toEqual(['link.bad-crc']);
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', group: 'link', offset: b.length - 3 });
  });

  it('SCAN_REQ and CONNECT_IND name the advertiser (AdvA, RxAdd); ADV_DIRECT_IND has no data', () => {
    const scanReq = one(decodeLinkFrame(251, pdu('83 0c', '010203040506 aabbccddeeff')));
    expect(scanReq).toMatchObject({ pdu: 'SCAN_REQ', address: 'ff:ee:dd:cc:bb:aa', addressRandom: true });
    expect(scanReq.advData).toHaveLength(0);
    const conn = one(decodeLinkFrame(251, pdu('05 22', concatBytes([fromHex('010203040506 aabbccddeeff'), new Uint8Array(22)]))));
    expect(conn).toMatchObject({ pdu: 'CONNECT_IND', address: 'ff:ee:dd:cc:bb:aa', addressRandom: false });
    const direct = one(decodeLinkFrame(251, pdu('41 0c', '112233445566 aabbccddeeff')));
    expect(direct).toMatchObject({ pdu: 'ADV_DIRECT_IND', address: '66:55:44:33:22:11', addressRandom: true });
    expect(direct.advData).toHaveLength(0);
    expect(one(decodeLinkFrame(251, pdu('04 08', '112233445566 0201'))).pdu).toBe('SCAN_RSP');
    expect(one(decodeLinkFrame(251, pdu('06 06', '112233445566'))).pdu).toBe('ADV_SCAN_IND');
  });

  it('extended header with every field: AdvA, TargetA, CTEInfo, ADI, AuxPtr, SyncInfo, TxPower, ACAD, then AdvData', () => {
    // ext len 1 + 6 + 6 + 1 + 2 + 3 + 18 + 1 + 2 (ACAD) = 40, AdvMode 0
    const ext = concatBytes([
      fromHex('28 7f'),
      fromHex('112233445566'), // AdvA
      fromHex('aabbccddeeff'), // TargetA
      fromHex('00'), // CTEInfo
      fromHex('3412'), // ADI: DID 0x234, SID 1
      fromHex('050000'), // AuxPtr
      new Uint8Array(18), // SyncInfo
      fromHex('f6'), // TxPower -10
      fromHex('0102'), // ACAD
      fromHex('020106'), // AdvData: Flags AD
    ]);
    const f = one(decodeLinkFrame(251, pdu(`47 ${ext.length.toString(16)}`, ext)));
    expect(f).toMatchObject({ extended: true, address: '66:55:44:33:22:11', addressRandom: true, sid: 1, did: 0x234, txPower: -10, crc: 'ok' });
    expect(toHex(f.advData)).toBe('020106');
  });

  it('type 7 names: ADV_EXT_IND on primary channels or (no channel) AuxPtr without data', () => {
    const primary = pdu('07 07', '06 18 750e 051234'); // ext len 6: flags, ADI, AuxPtr
    const f = one(decodeLinkFrame(251, primary));
    expect(f).toMatchObject({ pdu: 'ADV_EXT_IND', extended: true, did: 0xe75, sid: 0 });
    expect(f.advData).toHaveLength(0);
    expect(f.address).toBeUndefined();
    const ll = (channel: number, auxType?: number) => parseBleLlPacket(primary, 0, primary.length, { channel, auxType })!.pdu;
    expect(ll(37)).toBe('ADV_EXT_IND');
    expect(ll(5)).toBe('AUX_ADV_IND');
    expect(ll(5, BLE_AUX_TYPE.AUX_CHAIN_IND)).toBe('AUX_CHAIN_IND');
    expect(ll(5, BLE_AUX_TYPE.AUX_SCAN_RSP)).toBe('AUX_SCAN_RSP');
    // An empty extended header (length 0) is legal: no flags byte.
    expect(one(decodeLinkFrame(251, pdu('07 03', '00 0201'))).advData).toHaveLength(2);
  });

  it('structural errors throw DecodeError with the right code', () => {
    expect(decodeError(() => decodeLinkFrame(251, LEGACY.subarray(0, 5))).code).toBe('truncated');
    expect(decodeError(() => decodeLinkFrame(251, LEGACY.subarray(0, LEGACY.length - 1))).code).toBe('truncated');
    expect(decodeError(() => decodeLinkFrame(251, pdu('02 04', '11223344'))).code).toBe('malformed');
    expect(decodeError(() => decodeLinkFrame(251, pdu('07 02', '05 08'))).code).toBe('malformed'); // ext len 5 > payload
    expect(decodeError(() => decodeLinkFrame(251, pdu('07 04', '03 01 1122'))).code).toBe('malformed'); // AdvA past ext header
    expect(decodeError(() => decodeLinkFrame(251, pdu('07 00', ''))).code).toBe('malformed');
    expect(decodeError(() => decodeLinkFrame(251, pdu('09 06', '112233445566'))).code).toBe('unsupported');
  });

  it('data-channel packets and AUX_CONNECT_RSP give no frame; bytes after the CRC are a warning', () => {
    expect(decodeLinkFrame(251, pdu('01 00', '', '12345678')).frames).toEqual([]);
    expect(decodeLinkFrame(251, pdu('08 0e', '0e 01 112233445566 112233445566')).frames).toEqual([]);
    const r = decodeLinkFrame(251, concatBytes([LEGACY, fromHex('0000')]));
    expect(one(r).crc).toBe('ok');
    expect(ids(r)).toEqual(['link.ble-trailing-bytes']);
    expect(r.diagnostics[0]!.offset).toBe(LEGACY.length);
  });
});

describe('buildBleAdvPdu', () => {
  it('ADV_NONCONN_IND rebuilds the §3.1 example byte for byte', () => {
    const b = buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', advData: LEGACY.subarray(12, 43) });
    expect(toHex(b)).toBe(toHex(LEGACY));
  });

  it('AUX_ADV_IND with AdvA + ADI (+ TxPower), coded with a CI byte, reproduces the §3.2 CRC 97 ab d1', () => {
    const ad = new Uint8Array(234);
    ad.set(fromHex('e9 16 fa ff 0d 0c f0 19 00'));
    const b = buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: 'e0:7d:ea:eb:2f:1c', addressRandom: false, advData: ad, did: 0xe75, sid: 0, codingIndicator: 0 });
    expect(toHex(b, 0, 17)).toBe('d6be898e0007f409091c2febea7de0750e');
    expect(toHex(b, b.length - 3)).toBe('97abd1');
    const f = parseBleLlPacket(b, 0, b.length, { coded: true, channel: 10 })!;
    expect(f).toMatchObject({ pdu: 'AUX_ADV_IND', address: 'e0:7d:ea:eb:2f:1c', did: 0xe75, sid: 0, crc: 'ok' });
    const t = parseBleLlPacket(buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: 'c0:11:22:33:44:55', advData: ad.subarray(0, 10), sid: 1, did: 7, txPower: -4 }))!;
    expect(t).toMatchObject({ sid: 1, did: 7, txPower: -4, addressRandom: true, crc: 'ok' });
    expect(t.advData).toHaveLength(10);
  });

  it('rejects what does not fit', () => {
    expect(() => buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', advData: new Uint8Array(32) })).toThrow(EncodeError);
    expect(() => buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: 'c0:11:22:33:44:55', advData: new Uint8Array(246) })).toThrow(EncodeError);
    expect(() => buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: 'c0:11:22:33:44:55', advData: new Uint8Array(1), sid: 16 })).toThrow(EncodeError);
    expect(() => buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44', advData: new Uint8Array(1) })).toThrow(EncodeError);
    expect(buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: 'c0:11:22:33:44:55', advData: new Uint8Array(245) }).length).toBe(4 + 2 + 255 + 3);
  });
});

describe('DLT 256 (LE LL with pseudo-header)', () => {
  it('physical RF channel <-> channel index', () => {
    expect([0, 12, 39, 1, 11, 13, 38].map(rfChannelToIndex)).toEqual([37, 38, 39, 0, 10, 11, 36]);
    for (let i = 0; i < 40; i++) expect(rfChannelToIndex(indexToRfChannel(i))).toBe(i);
    expect(rfChannelToIndex(40)).toBeUndefined();
  });

  it('legacy record round trip: channel 38 -> RF 12, signal, flags', () => {
    const rec = buildBlePhdrRecord(LEGACY, { channel: 38, rssi: -61 });
    expect(rec[0]).toBe(12);
    const flags = rec[8]! | (rec[9]! << 8);
    expect(flags).toBe(BLE_PHDR_FLAG.DEWHITENED | BLE_PHDR_FLAG.SIGNAL_VALID | BLE_PHDR_FLAG.CRC_CHECKED | BLE_PHDR_FLAG.CRC_VALID);
    const r = decodeLinkFrame(LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, rec);
    expect(r.diagnostics).toEqual([]);
    expect(one(r)).toMatchObject({ pdu: 'ADV_NONCONN_IND', channel: 38, rssi: -61, phy: '1M', crc: 'ok', address: 'c0:11:22:33:44:55' });
  });

  it('coded AUX_ADV_IND: PHY bits 2, CI byte, PDU type 1 (aux), aux type', () => {
    const pkt = buildBleAdvPdu({ pdu: 'AUX_ADV_IND', address: 'c0:11:22:33:44:55', advData: fromHex('020106'), sid: 2, did: 9, codingIndicator: 1 });
    const rec = buildBlePhdrRecord(pkt, { channel: 20, rssi: -80, phy: 'coded' });
    const flags = rec[8]! | (rec[9]! << 8);
    expect(flags >> 14).toBe(2);
    expect((flags >> 7) & 7).toBe(1);
    expect((flags >> 12) & 3).toBe(0);
    expect(rec[0]).toBe(22);
    expect(one(decodeLinkFrame(256, rec))).toMatchObject({ pdu: 'AUX_ADV_IND', extended: true, phy: 'coded', channel: 20, sid: 2, did: 9, crc: 'ok' });
    const chain = buildBlePhdrRecord(pkt, { channel: 20, phy: 'coded', auxType: BLE_AUX_TYPE.AUX_CHAIN_IND });
    expect(one(decodeLinkFrame(256, chain)).pdu).toBe('AUX_CHAIN_IND');
    // On a primary channel the PDU-type field stays 0 and the name is ADV_EXT_IND.
    const prim = buildBlePhdrRecord(pkt, { channel: 37, phy: 'coded' });
    expect(((prim[8]! | (prim[9]! << 8)) >> 7) & 7).toBe(0);
    expect(one(decodeLinkFrame(256, prim)).pdu).toBe('ADV_EXT_IND');
  });

  it('builder rejects inconsistent packets and ranges', () => {
    expect(() => buildBlePhdrRecord(LEGACY, { channel: 40 })).toThrow(EncodeError);
    expect(() => buildBlePhdrRecord(LEGACY, { channel: 37, phy: 'coded' })).toThrow(EncodeError);
    expect(() => buildBlePhdrRecord(LEGACY.subarray(0, 20), { channel: 37 })).toThrow(EncodeError);
  });

  it('sniffer CRC verdict: disagreement warns; data-channel PDU types give no frame; short header throws', () => {
    const rec = buildBlePhdrRecord(LEGACY, { channel: 37 });
    rec[9]! &= ~(BLE_PHDR_FLAG.CRC_VALID >> 8);
    const r = decodeLinkFrame(256, rec);
    expect(one(r).crc).toBe('ok');
    expect(ids(r)).toEqual(['link.ble-phdr-crc-disagrees']);
    const data = rec.slice();
    data[8] = (data[8]! & 0x7f) | 0x00;
    data[9] = (data[9]! & ~0x03) | 0x01; // PDU type 2 (bits 0x0380) = data C->P
    expect(decodeLinkFrame(256, data).frames).toEqual([]);
    expect(decodeError(() => decodeLinkFrame(256, rec.subarray(0, 9))).code).toBe('truncated');
  });

  it('missing de-whitened flag, reserved PHY and bad RF channel are warnings', () => {
    const rec = buildBlePhdrRecord(LEGACY, { channel: 37 });
    rec[0] = 45;
    rec[8]! &= ~BLE_PHDR_FLAG.DEWHITENED;
    rec[9]! |= 0xc0;
    const r = decodeLinkFrame(256, rec);
    expect(one(r).channel).toBeUndefined();
    expect(ids(r)).toEqual(['link.ble-phdr-channel', 'link.ble-phdr-reserved', 'link.ble-phdr-whitened']);
  });
});

describe('DLT 272 (nRF Sniffer) hand-built headers', () => {
  /** v2/v3 header: board, payload len, version, counter, id, event header (10 bytes). */
  const nordic = (version: number, id: number, flags: number, channel: number, rssiMag: number, pkt: Uint8Array) => {
    const h = new Uint8Array(17);
    h[0] = 3;
    const plen = 10 + pkt.length;
    h[1] = plen & 0xff;
    h[2] = plen >> 8;
    h[3] = version;
    h[6] = id;
    h[7] = 10;
    h[8] = flags;
    h[9] = channel;
    h[10] = rssiMag;
    return concatBytes([h, pkt]);
  };

  it('v3 advertising packet, v2 any-packet; RSSI negated', () => {
    expect(one(decodeLinkFrame(272, nordic(3, 0x02, 0x01, 39, 70, LEGACY)))).toMatchObject({ rssi: -70, channel: 39, phy: '1M', crc: 'ok' });
    expect(one(decodeLinkFrame(272, nordic(2, 0x06, 0x01, 38, 40, LEGACY)))).toMatchObject({ rssi: -40, channel: 38 });
  });

  it('v1 header (1-byte lengths) is read too', () => {
    const rec = nordic(1, 0x06, 0x01, 37, 50, LEGACY);
    rec[1] = 6; // header length (excl. board ID)
    rec[2] = 10 + LEGACY.length; // payload length
    expect(one(decodeLinkFrame(272, rec))).toMatchObject({ rssi: -50, address: 'c0:11:22:33:44:55' });
  });

  it('data packets and other IDs give no frame; short records throw', () => {
    expect(decodeLinkFrame(272, nordic(3, 0x06, 0x01, 5, 50, LEGACY)).frames).toEqual([]);
    const r = decodeLinkFrame(272, nordic(3, 0x0e, 0, 0, 0, new Uint8Array(0)));
    expect(r.frames).toEqual([]);
    expect(ids(r)).toEqual(['link.nordic-no-packet']);
    expect(decodeError(() => decodeLinkFrame(272, fromHex('beef 0000'))).code).toBe('truncated'); // a legacy (v0) header, cut short
    expect(decodeError(() => decodeLinkFrame(272, nordic(3, 2, 1, 37, 1, LEGACY).subarray(0, 30))).code).toBe('truncated');
    const bad = nordic(3, 2, 1, 37, 1, LEGACY);
    bad[7] = 4;
    expect(decodeError(() => decodeLinkFrame(272, bad)).code).toBe('malformed');
  });

  it('sniffer CRC flag disagreeing with the computed CRC is a warning', () => {
    const r = decodeLinkFrame(272, nordic(3, 0x02, 0x00, 37, 50, LEGACY));
    expect(one(r).crc).toBe('ok');
    expect(ids(r)).toEqual(['link.nordic-crc-disagrees']);
  });
});
