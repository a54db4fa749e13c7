/**
 * BleSource with REAL noble (@stoprocent/noble) whose bluetooth-hci-socket is the fake controller
 * (test/fake-hci): other fake controllers on the same FakeAir advertise through the broadcaster's own BLE
 * radios or raw HCI commands, `air.tick()` puts the adverts on the air, and the source's frames go through
 * the codec's RemoteIdExtractor. One host and one air for the whole file: noble loads the socket module once.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteIdExtractor, decodeMessage, encodeMessage, type ReceivedMessage } from '@odid/codec';
import { FakeAir, FakeHost, OP, withFakeHci, type FakeController } from '../../../test/fake-hci/index.js';
import { ManualClock } from '@odid/position';
import { BleExtendedRadio } from '../../broadcaster/src/radios/ble-extended.js';
import { BleLegacyRadio } from '../../broadcaster/src/radios/ble-legacy.js';
import { sharedBleController } from '../../broadcaster/src/radios/hci/ble-radio.js';
import type { Transmission } from '@odid/transmitter';
import { BleSource, BleSourceError, loadNoble, type NobleLike, type NobleRuntime } from '../src/sources/ble.js';
import type { RawFrame } from '../src/sources/types.js';

// --- the machine: hci0 advertises (user channel, so down); the scanners are up, as bluetoothd leaves them.
const air = new FakeAir();
const host = new FakeHost();
host.addController({ air, adapterUp: false });
const rx5 = host.addController({ air, version: '5.0', codedPhy: true, extendedAdvertising: true, reportFragmentLength: 229 }); // hci1
const rx42 = host.addController({ air, version: '4.2' }); // hci2
const rxSmall = host.addController({ air, version: '5.0', codedPhy: true, extendedAdvertising: true, reportFragmentLength: 64 }); // hci3
const other = host.addController({ air, adapterUp: false, maxAdvertisingDataLength: 1650 }); // hci4: adverts that are not Remote ID
const rxAll = host.addController({ air, version: '5.0' }); // hci5
const rxDown = host.addController({ air, version: '5.0' }); // hci6
withFakeHci({ host, air });

const ADDRESS = 'C0:11:22:33:44:55';
const LOCATION = {
  type: 'location' as const,
  status: 2,
  direction: 181,
  speedHorizontal: 12.5,
  speedVertical: -1,
  latitude: 50.0755,
  longitude: 14.4378,
  altitudeBaro: 300,
  altitudeGeo: 310,
  heightType: 0,
  height: 80,
  horizAccuracy: 10,
  vertAccuracy: 4,
  baroAccuracy: 3,
  speedAccuracy: 2,
  tsAccuracy: 1,
  timestamp: 3000,
};
const BASIC_ID = { type: 'basicId' as const, idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' };
/** Nine members, 228 octets: with the AD header 234 octets, more than one 229-octet report holds. */
const NINE = [
  BASIC_ID,
  { type: 'selfId' as const, descType: 0, desc: 'survey' },
  { type: 'operatorId' as const, operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
  ...Array.from({ length: 6 }, (_, i) => ({
    type: 'auth' as const,
    authType: 1,
    dataPage: i,
    ...(i === 0 ? { lastPageIndex: 5, length: 100, timestamp: 1000 } : {}),
    authData: i === 0 ? '00'.repeat(17) : '11'.repeat(23),
  })),
];
const NINE_PACK = encodeMessage({ type: 'messagePack', messages: NINE });
const LOCATION_BYTES = encodeMessage(LOCATION);
const PACK_COUNTER = 77;
const LOCATION_COUNTER = 9;

const clock = new ManualClock(Date.UTC(2026, 10, 25, 10, 0, 0));
const opts = { clock, socketFactory: () => host.createSocket() };
const controller = sharedBleController({ ...opts, address: ADDRESS });
const legacyRadio = new BleLegacyRadio({ ...opts, controller });
const extendedRadio = new BleExtendedRadio({ ...opts, controller });

/** What noble itself made of the adverts (its public 'discover' events), per adapter it was created for. */
interface ServiceData {
  uuid: string;
  data: Buffer;
}
const discovered = new Map<number | undefined, ServiceData[]>();
async function recordingNoble(): Promise<NobleRuntime> {
  const real = await loadNoble();
  return {
    ...real,
    create: (o) => {
      const n = real.create(o);
      const seen: ServiceData[] = [];
      discovered.set(o.deviceId, seen);
      (n as NobleLike & { on(e: 'discover', l: (p: { advertisement: { serviceData: ServiceData[] } }) => void): unknown }).on('discover', (p) =>
        seen.push(...p.advertisement.serviceData.map((d) => ({ uuid: d.uuid, data: Buffer.from(d.data) }))),
      );
      return n;
    },
  };
}
const timers = { now: () => clock.now(), setTimeout: (cb: () => void, ms: number) => setTimeout(cb, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };

interface Collected {
  source: BleSource;
  frames: RawFrame[];
  errors: Error[];
}
const sources: BleSource[] = [];
async function startSource(devId: number, extra: ConstructorParameters<typeof BleSource>[0] = {}): Promise<Collected> {
  const source = new BleSource({ hciDevice: devId, loadNoble: recordingNoble, timers, ...extra });
  const frames: RawFrame[] = [];
  const errors: Error[] = [];
  source.on('frame', (f) => frames.push(f));
  source.on('error', (e) => errors.push(e));
  await source.start();
  sources.push(source);
  return { source, frames, errors };
}

function extract(frames: RawFrame[]): { messages: ReceivedMessage[]; extractor: RemoteIdExtractor } {
  const extractor = new RemoteIdExtractor();
  const messages = frames.flatMap((f) => extractor.fromRecord(f.linkType, f.data, { t: f.t }));
  return { messages, extractor };
}

/** Distinct decoded messages, order-free. */
const distinct = (ms: readonly unknown[]): string[] => [...new Set(ms.map((m) => JSON.stringify(m)))].sort();
const decoded = (m: object): unknown => decodeMessage(encodeMessage(m as Parameters<typeof encodeMessage>[0]));

/** The H4 events the air delivered to one scanner since `from`. */
const eventsTo = (c: FakeController, from = 0): Uint8Array[] => air.receptions.slice(from).filter((r) => r.to === c.name).flatMap((r) => r.events);
const withPhdr = (e: Uint8Array): string => '00000001' + Buffer.from(e).toString('hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

beforeAll(async () => {
  await Promise.all([legacyRadio.start(), extendedRadio.start()]);
  await legacyRadio.transmit({ transport: 'ble-legacy', timeMs: clock.now(), counter: LOCATION_COUNTER, payload: LOCATION_BYTES, messageType: 'location' });
  await extendedRadio.transmit({ transport: 'ble-extended', timeMs: clock.now(), counter: PACK_COUNTER, payload: NINE_PACK } satisfies Transmission);
});

afterAll(async () => {
  for (const s of sources) await s.stop();
  await legacyRadio.stop();
  await extendedRadio.stop();
});

describe('BleSource on a Bluetooth 5 controller (real noble, fake HCI)', () => {
  let rx: Collected;
  beforeAll(async () => {
    rx = await startSource(rx5.devId);
  });

  it('noble drives hci1 into extended scanning on LE 1M + LE Coded, duplicates allowed, every command accepted', () => {
    expect(rx.source.description).toMatch(/^hci1, raw HCI channel, extended scanning on LE 1M \+ LE Coded, noble 2\.8\.0$/);
    expect(rx.source.name).toBe('ble:hci1');
    expect(rx5.state.scan).toMatchObject({ style: 'extended', enabled: true, filterDuplicates: 0 });
    expect(rx5.state.scan.phys.map((p) => p.phy)).toEqual([1, 3]);
    expect(rx5.log.filter((r) => r.status !== 0).map((r) => `${r.name}: ${r.why}`)).toEqual([]);
    expect(rx5.violations).toEqual([]);
  });

  it('hands on every report as a DLT 201 record, byte for byte the event the controller sent', () => {
    const from = air.receptions.length;
    clock.advance(1000);
    const framesBefore = rx.frames.length;
    expect(air.tick(clock.now())).toBeGreaterThan(0);
    const events = eventsTo(rx5, from);
    const frames = rx.frames.slice(framesBefore);
    // One legacy advert (as an extended report with the legacy bit) and the pack in two fragments.
    expect(events).toHaveLength(3);
    expect(frames.map((f) => f.linkType)).toEqual([201, 201, 201]);
    expect(frames.map((f) => hex(f.data))).toEqual(events.map(withPhdr));
    expect(frames.every((f) => f.t === clock.now() / 1000)).toBe(true);
  });

  it('the extractor gets exactly the advertised messages, the 9-message pack included, which noble alone drops', () => {
    const from = air.receptions.length;
    const framesBefore = rx.frames.length;
    clock.advance(1000);
    air.tick(clock.now());
    const { messages, extractor } = extract(rx.frames.slice(framesBefore));
    const legacy = messages.filter((m) => m.transport === 'ble-legacy');
    const extended = messages.filter((m) => m.transport === 'ble-extended');
    expect(distinct(legacy.map((m) => m.message))).toEqual(distinct([decoded(LOCATION)]));
    expect(extended).toHaveLength(9); // one advertising event of the pack on LE Coded
    expect(extended.map((m) => m.message)).toEqual(NINE.map(decoded));
    expect(new Set(messages.map((m) => m.mac))).toEqual(new Set([ADDRESS.toLowerCase()]));
    expect(extended.every((m) => m.counter === PACK_COUNTER && m.rssi === -60)).toBe(true);
    expect(legacy.every((m) => m.counter === LOCATION_COUNTER)).toBe(true);
    expect(extractor.stats.dropped).toEqual({});
    // The pack really was split by the controller: a "more" and a "complete" report (Event_Type bits 5..6).
    const packEvents = eventsTo(rx5, from).filter((e) => (e[5]! & 0x10) === 0);
    expect(packEvents.map((e) => (e[5]! >> 5) & 3)).toEqual([1, 0]);
    expect(packEvents.map((e) => e[28])).toEqual([229, 5]);
  });

  it('noble itself reported the legacy advert but never the fragmented pack', () => {
    const seen = discovered.get(rx5.devId)!;
    expect(seen.length).toBeGreaterThan(10);
    // Service Data after the UUID: 0x0D, counter, one 25-octet message; never the 230-octet pack.
    expect(seen.every((s) => s.uuid === 'fffa' && s.data.length === 27 && s.data[1] === LOCATION_COUNTER)).toBe(true);
  });
});

describe('BleSource on a Bluetooth 4.2 controller', () => {
  it('scans with the legacy commands and hears the legacy advert only, as LE Advertising Reports', async () => {
    const rx = await startSource(rx42.devId);
    expect(rx.source.description).toMatch(/^hci2, raw HCI channel, legacy scanning, noble /);
    expect(rx42.state.scan).toMatchObject({ style: 'legacy', enabled: true, filterDuplicates: 0 });
    const from = air.receptions.length;
    clock.advance(1000);
    air.tick(clock.now());
    const events = eventsTo(rx42, from);
    expect(events.length).toBeGreaterThanOrEqual(10); // 100 ms adverts over one second
    expect(events.every((e) => e[3] === 0x02)).toBe(true);
    expect(rx.frames.map((f) => hex(f.data))).toEqual(events.map(withPhdr));
    const { messages } = extract(rx.frames);
    expect(distinct(messages.map((m) => m.message))).toEqual(distinct([decoded(LOCATION)]));
    expect(messages.every((m) => m.transport === 'ble-legacy')).toBe(true);
  });
});

describe('fragments and the Remote ID pre-filter', () => {
  let hidden: { stop: () => void };
  beforeAll(() => {
    // hci4 advertises what is not Remote ID, with raw commands: a legacy advert with flags and
    // manufacturer data, and a 300-octet extended advert (fragmented on every scanner).
    const ok = (op: number, params: readonly number[]): void => {
      const rec = other.exec(op, params);
      if (rec.status !== 0) throw new Error(`${rec.name}: ${rec.why}`);
    };
    const le24 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, v >> 16];
    const addr = [0x01, 0x02, 0x03, 0x04, 0x05, 0xc6];
    const legacyAd = [0x02, 0x01, 0x06, 0x1b, 0xff, 0xff, 0xff, ...new Array<number>(25).fill(0x42)].slice(0, 31);
    ok(OP.LE_SET_EXT_ADV_PARAMS, [0, 0x10, 0, ...le24(0xa0), ...le24(0xa0), 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 1, 0, 1, 0, 0]);
    ok(OP.LE_SET_ADV_SET_RANDOM_ADDRESS, [0, ...addr]);
    ok(OP.LE_SET_EXT_ADV_DATA, [0, 3, 1, legacyAd.length, ...legacyAd]);
    // Two manufacturer-data structures (company 0xFFFF), 255 + 45 = 300 octets.
    const ext = [0xfe, 0xff, 0xff, 0xff, ...new Array<number>(0xfe - 3).fill(0x33), 0x2c, 0xff, 0xff, 0xff, ...new Array<number>(0x2c - 3).fill(0x34)];
    ok(OP.LE_SET_EXT_ADV_PARAMS, [1, 0, 0, ...le24(0x640), ...le24(0x640), 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 1, 0, 1, 2, 0]);
    ok(OP.LE_SET_ADV_SET_RANDOM_ADDRESS, [1, ...addr]);
    ok(OP.LE_SET_EXT_ADV_DATA, [1, 1, 1, 200, ...ext.slice(0, 200)]);
    ok(OP.LE_SET_EXT_ADV_DATA, [1, 2, 1, ext.length - 200, ...ext.slice(200)]);
    ok(OP.LE_SET_EXT_ADV_ENABLE, [1, 2, 0, 0, 0, 0, 1, 0, 0, 0]);
    hidden = { stop: () => void other.exec(OP.LE_SET_EXT_ADV_ENABLE, [0, 0]) };
  });
  afterAll(() => hidden.stop());

  it('a pack split in four 64-octet fragments is reassembled; other adverts and their fragments never leave the source', async () => {
    const rx = await startSource(rxSmall.devId);
    const from = air.receptions.length;
    clock.advance(1000);
    air.tick(clock.now());
    const events = eventsTo(rxSmall, from);
    const ours = events.filter((e) => hex(e.subarray(8, 14)) === '5544332211c0');
    const theirs = events.filter((e) => hex(e.subarray(8, 14)) === '0102030405c6');
    expect(ours.length + theirs.length).toBe(events.length);
    // Extended (not legacy) reports: data status per fragment.
    const fragments = (es: Uint8Array[]): number[] => es.filter((e) => (e[5]! & 0x10) === 0).map((e) => (e[5]! >> 5) & 3);
    expect(fragments(ours)).toEqual([1, 1, 1, 0]); // 64 + 64 + 64 + 42 octets
    expect(fragments(theirs)).toEqual([1, 1, 1, 1, 0]); // 300 octets of manufacturer data
    expect(theirs.length).toBeGreaterThanOrEqual(1 + 5);
    expect(rx.source.stats.reports).toBe(events.length);
    expect(rx.frames.map((f) => hex(f.data))).toEqual(ours.map(withPhdr));
    const { messages } = extract(rx.frames);
    expect(messages.filter((m) => m.transport === 'ble-extended').map((m) => m.message)).toEqual(NINE.map(decoded));
    expect(distinct(messages.filter((m) => m.transport === 'ble-legacy').map((m) => m.message))).toEqual(distinct([decoded(LOCATION)]));
  });

  it('allReports: every report goes on, Remote ID or not', async () => {
    const rx = await startSource(rxAll.devId, { allReports: true });
    const from = air.receptions.length;
    clock.advance(1000);
    air.tick(clock.now());
    const events = eventsTo(rxAll, from);
    // Besides the legacy adverts: the pack (229 + 5 octets) and the other 300 octets (229 + 71).
    expect(events.filter((e) => (e[5]! & 0x10) === 0).map((e) => e[28])).toEqual([229, 5, 229, 71]);
    expect(rx.frames.map((f) => hex(f.data))).toEqual(events.map(withPhdr));
    const { messages } = extract(rx.frames);
    expect(messages.filter((m) => m.transport === 'ble-extended')).toHaveLength(9);
  });
});

describe('life cycle', () => {
  it('an adapter that goes down is reported with the fix, and scanning resumes when it is back up', async () => {
    const rx = await startSource(rxDown.devId);
    rxDown.adapterUp = false;
    // noble polls the adapter once a second.
    await expect.poll(() => rx.errors.length, { timeout: 5000, interval: 50 }).toBeGreaterThan(0);
    const err = rx.errors[0] as BleSourceError;
    expect(err).toBeInstanceOf(BleSourceError);
    expect(err.code).toBe('adapter-down');
    expect(err.fix).toMatch(/rfkill unblock bluetooth.*hciconfig hci6 up/);
    rxDown.adapterUp = true;
    await expect.poll(() => rxDown.state.scan.enabled && rxDown.resetCount >= 2, { timeout: 5000, interval: 50 }).toBe(true);
    const before = rx.frames.length;
    clock.advance(1000);
    air.tick(clock.now());
    expect(rx.frames.length).toBeGreaterThan(before);
    expect(rx.errors).toHaveLength(1);
  });

  it('stop() disables scanning and closes the socket; nothing arrives afterwards', async () => {
    const rx = sources.find((s) => s.name === 'ble:hci1')!;
    const frames: RawFrame[] = [];
    rx.on('frame', (f) => frames.push(f));
    await rx.stop();
    expect(rx5.state.scan.enabled).toBe(false);
    expect(host.sockets.filter((s) => s.controller === rx5)).toHaveLength(0);
    clock.advance(1000);
    air.tick(clock.now());
    expect(frames).toHaveLength(0);
    await rx.stop(); // twice is harmless
    // And it starts again.
    await rx.start();
    expect(rx5.state.scan.enabled).toBe(true);
    clock.advance(1000);
    air.tick(clock.now());
    expect(frames.length).toBeGreaterThan(0);
  });
});
