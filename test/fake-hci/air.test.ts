import { describe, expect, it } from 'vitest';
import {
  buildExtendedAdvData,
  buildLegacyAdvData,
  decodeHciH4Record,
  decodeMessage,
  encodeMessage,
  findOdidServiceData,
  type BleAdvFrame,
  type MessagePack,
} from '../../packages/codec/src/index.js';
import { FakeAir, FakeHost, OP, listen, startScanning, type FakeController } from './index.js';

const le16 = (v: number): number[] => [v & 0xff, v >> 8];
const le24 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, v >> 16];
/** C0:11:22:33:44:55, least significant octet first. */
const ADDR = [0x55, 0x44, 0x33, 0x22, 0x11, 0xc0];

const LOCATION = encodeMessage({
  type: 'location',
  status: 2,
  direction: 90,
  speedHorizontal: 5,
  speedVertical: 0,
  latitude: 52.1,
  longitude: 4.3,
  altitudeBaro: 100,
  altitudeGeo: 110,
  heightType: 0,
  height: 50,
  horizAccuracy: 10,
  vertAccuracy: 4,
  baroAccuracy: 3,
  speedAccuracy: 2,
  tsAccuracy: 1,
  timestamp: 1234,
});
const BASIC_ID = { type: 'basicId' as const, idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' };
/** A 9-message pack (228 octets): its 234-octet AD is longer than one 229-octet report. */
const NINE_PACK = encodeMessage({
  type: 'messagePack',
  messages: [
    BASIC_ID,
    { type: 'selfId', descType: 0, desc: 'survey' },
    { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
    ...Array.from({ length: 6 }, (_, i) => ({ type: 'auth' as const, authType: 1, dataPage: i, ...(i === 0 ? { lastPageIndex: 5, length: 100, timestamp: 1000 } : {}), authData: i === 0 ? '00'.repeat(17) : '11'.repeat(23) })),
  ],
});

function rig(): { air: FakeAir; host: FakeHost; tx: FakeController; legacyRx: FakeController; extRx: FakeController } {
  const air = new FakeAir();
  const host = new FakeHost();
  const tx = host.addController({ air, adapterUp: false });
  const legacyRx = host.addController({ air, adapterUp: false, version: '4.2' });
  const extRx = host.addController({ air, adapterUp: false });
  return { air, host, tx, legacyRx, extRx };
}

function ok(c: FakeController, op: number, params: readonly number[]): void {
  const rec = c.exec(op, params);
  expect(rec.status, `${rec.name}: ${rec.why}`).toBe(0);
}

/** An extended set on `tx` with the given properties/PHYs, random address C0:11:22:33:44:55, enabled with `data`. */
function extAdvertise(tx: FakeController, o: { handle: number; properties: number; phy: number; sid: number; intervalUnits: number; data: Uint8Array }): void {
  ok(tx, OP.LE_SET_EXT_ADV_PARAMS, [o.handle, ...le16(o.properties), ...le24(o.intervalUnits), ...le24(o.intervalUnits), 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, o.phy, 0, o.phy, o.sid, 0]);
  ok(tx, OP.LE_SET_ADV_SET_RANDOM_ADDRESS, [o.handle, ...ADDR]);
  ok(tx, OP.LE_SET_EXT_ADV_DATA, [o.handle, 3, 1, o.data.length, ...o.data]);
  ok(tx, OP.LE_SET_EXT_ADV_ENABLE, [1, 1, o.handle, 0, 0, 0]);
}

function frames(events: Uint8Array[]): BleAdvFrame[] {
  return events.flatMap((e) => decodeHciH4Record(e).frames as BleAdvFrame[]);
}

describe('FakeAir: legacy adverts', () => {
  it('a 4.2 scanner gets LE Advertising Reports that decode back to the ODID message', () => {
    const { air, host, tx, legacyRx } = rig();
    tx.exec(OP.RESET);
    ok(tx, OP.LE_SET_RANDOM_ADDRESS, ADDR);
    ok(tx, OP.LE_SET_ADV_PARAMS, [...le16(0xa0), ...le16(0xa0), 0x03, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x07, 0]);
    const adv = buildLegacyAdvData(7, LOCATION);
    ok(tx, OP.LE_SET_ADV_DATA, [adv.length, ...adv]);
    ok(tx, OP.LE_SET_ADV_ENABLE, [1]);
    const { events } = listen(host, legacyRx.devId);
    startScanning(legacyRx);
    air.setRssi(tx, legacyRx, -71);

    expect(air.tick(0)).toBe(1);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    // H4 event, LE Meta, subevent 0x02, one report, event type 0x03 (HCI ADV_NONCONN_IND), address type 1 (random).
    expect([e[0], e[1], e[3], e[4], e[5], e[6]]).toEqual([0x04, 0x3e, 0x02, 0x01, 0x03, 0x01]);
    expect(Array.from(e.subarray(7, 13))).toEqual(ADDR);
    expect(e[13]).toBe(31); // Data_Length
    expect((e.at(-1)! << 24) >> 24).toBe(-71); // RSSI follows the data

    const [f] = frames(events);
    expect(f).toMatchObject({ pdu: 'ADV_NONCONN_IND', extended: false, address: 'c0:11:22:33:44:55', addressRandom: true, rssi: -71 });
    const sd = findOdidServiceData(f!.advData)!;
    expect(sd.counter).toBe(7);
    expect(decodeMessage(sd.payload)).toEqual(decodeMessage(LOCATION));
  });

  it('sends at each interval, from the first tick after enabling, and honours Filter_Duplicates', () => {
    const { air, host, tx, legacyRx, extRx } = rig();
    extAdvertise(tx, { handle: 0, properties: 0x10, phy: 1, sid: 0, intervalUnits: 0xa0, data: buildLegacyAdvData(1, LOCATION) });
    const legacy = listen(host, legacyRx.devId);
    const ext = listen(host, extRx.devId);
    startScanning(legacyRx);
    startScanning(extRx, { extended: true, filterDuplicates: true });
    expect(air.tick(1_000)).toBe(1);
    expect(air.tick(1_050)).toBe(0);
    expect(air.tick(1_250)).toBe(2); // 1100 and 1200
    expect(legacy.events).toHaveLength(3);
    expect(ext.events).toHaveLength(1); // same data: reported once
    // New data is a new report even with duplicates filtered.
    ok(tx, OP.LE_SET_EXT_ADV_DATA, [0, 3, 1, 31, ...buildLegacyAdvData(2, LOCATION)]);
    air.tick(1_300);
    expect(ext.events).toHaveLength(2);
    expect(air.eventsSent.get('hci0/set0')).toBe(4);
  });

  it('an extended scanner sees a legacy PDU as an extended report with the legacy bit, 1M, no SID', () => {
    const { air, host, tx, extRx } = rig();
    extAdvertise(tx, { handle: 0, properties: 0x10, phy: 1, sid: 0, intervalUnits: 0xa0, data: buildLegacyAdvData(3, LOCATION) });
    const { events } = listen(host, extRx.devId);
    startScanning(extRx, { extended: true });
    air.tick(0);
    const e = events[0]!;
    expect([e[1], e[3]]).toEqual([0x3e, 0x0d]);
    expect(e[5]! | (e[6]! << 8)).toBe(0x0010); // Event_Type: legacy, data complete
    expect([e[14], e[15], e[16]]).toEqual([1, 0, 0xff]); // primary 1M, no secondary PHY, no SID
    const [f] = frames(events);
    expect(f).toMatchObject({ pdu: 'ADV_NONCONN_IND', extended: false, address: 'c0:11:22:33:44:55' });
    expect(decodeMessage(findOdidServiceData(f!.advData)!.payload)).toEqual(decodeMessage(LOCATION));
  });

  it('delivers nothing to a scanner whose host left LE Meta events masked', () => {
    const { air, host, tx, legacyRx } = rig();
    extAdvertise(tx, { handle: 0, properties: 0x10, phy: 1, sid: 0, intervalUnits: 0xa0, data: buildLegacyAdvData(1, LOCATION) });
    const { events } = listen(host, legacyRx.devId);
    ok(legacyRx, OP.LE_SET_SCAN_PARAMS, [0, ...le16(0x10), ...le16(0x10), 0, 0]);
    ok(legacyRx, OP.LE_SET_SCAN_ENABLE, [1, 0]);
    air.tick(0);
    expect(events).toHaveLength(0);
  });
});

describe('FakeAir: extended adverts on LE Coded', () => {
  it('splits a long pack into "more" + "complete" reports that reassemble to the pack', () => {
    const { air, host, tx, legacyRx, extRx } = rig();
    const ad = buildExtendedAdvData(12, NINE_PACK);
    expect(ad.length).toBe(234);
    extAdvertise(tx, { handle: 1, properties: 0, phy: 3, sid: 1, intervalUnits: 0x640, data: ad });
    const ext = listen(host, extRx.devId);
    const legacy = listen(host, legacyRx.devId);
    startScanning(extRx, { extended: true });
    startScanning(legacyRx);
    air.tick(0);

    expect(legacy.events).toHaveLength(0); // a legacy scanner never sees extended PDUs
    expect(ext.events).toHaveLength(2);
    const [first, second] = ext.events;
    // Event_Type bits 5..6 = data status: 1 (more to come) on the first, 0 (complete) on the last.
    expect((first![5]! | (first![6]! << 8)) >> 5).toBe(1);
    expect((second![5]! | (second![6]! << 8)) >> 5).toBe(0);
    expect([first![14], first![15], first![16]]).toEqual([3, 3, 1]); // primary Coded, secondary Coded, SID 1
    expect(first![28]).toBe(229); // Data_Length of the first fragment
    expect(second![28]).toBe(5);

    const fs = frames(ext.events);
    expect(fs.map((f) => f.fragment)).toEqual(['more', 'complete']);
    expect(fs.every((f) => f.extended && f.pdu === 'AUX_ADV_IND' && f.phy === 'coded' && f.sid === 1 && f.address === 'c0:11:22:33:44:55')).toBe(true);
    const whole = Buffer.concat(fs.map((f) => f.advData));
    const sd = findOdidServiceData(whole)!;
    expect(sd.counter).toBe(12);
    const pack = decodeMessage(sd.payload) as MessagePack;
    expect(pack.type).toBe('messagePack');
    expect(pack.messages).toHaveLength(9);
    expect(pack).toEqual(decodeMessage(NINE_PACK));
  });

  it('a pack that fits one report arrives complete; a 1M-only scanner does not hear LE Coded', () => {
    const { air, host, tx, extRx, legacyRx } = rig();
    void legacyRx;
    const small = encodeMessage({ type: 'messagePack', messages: [BASIC_ID] });
    extAdvertise(tx, { handle: 1, properties: 0, phy: 3, sid: 1, intervalUnits: 0x640, data: buildExtendedAdvData(1, small) });
    const coded = listen(host, extRx.devId);
    startScanning(extRx, { extended: true });
    const oneM = host.addController({ air, adapterUp: false });
    const oneMEvents = listen(host, oneM.devId);
    startScanning(oneM, { extended: true, coded: false });
    air.tick(0);
    expect(coded.events).toHaveLength(1);
    expect(frames(coded.events)[0]!.fragment).toBe('complete');
    expect(oneMEvents.events).toHaveLength(0);
  });

  it('a disabled set stops; re-enabled it goes out on the next tick', () => {
    const { air, host, tx, extRx } = rig();
    extAdvertise(tx, { handle: 0, properties: 0, phy: 3, sid: 2, intervalUnits: 0x640, data: buildExtendedAdvData(1, encodeMessage({ type: 'messagePack', messages: [BASIC_ID] })) });
    const { events } = listen(host, extRx.devId);
    startScanning(extRx, { extended: true });
    air.tick(0);
    ok(tx, OP.LE_SET_EXT_ADV_ENABLE, [0, 1, 0, 0, 0, 0]);
    air.tick(5_000);
    expect(events).toHaveLength(1);
    ok(tx, OP.LE_SET_EXT_ADV_ENABLE, [1, 1, 0, 0, 0, 0]);
    air.tick(5_001);
    expect(events).toHaveLength(2);
  });
});
