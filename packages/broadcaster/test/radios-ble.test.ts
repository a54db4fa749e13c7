/**
 * The ble-legacy and ble-extended radios against the fake controller (test/fake-hci): what they command, what
 * the controller ends up advertising, what a second controller hears over the fake air, and how every
 * failure reaches the user as a RadioError with a fix.
 */

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeHciH4Record,
  decodeMessage,
  encodeMessage,
  findOdidServiceData,
  type BleAdvFrame,
} from '@odid/codec';
import { FakeAir, FakeHost, OP, listen, startScanning, type FakeController, type FakeControllerOptions } from '../../../test/fake-hci/index.js';
import { ManualClock } from '@odid/position';
import { BleExtendedRadio } from '../src/radios/ble-extended.js';
import { BleLegacyRadio } from '../src/radios/ble-legacy.js';
import { sharedBleController, type BleRadioOptions } from '../src/radios/hci/ble-radio.js';
import type { Timers } from '../src/radios/hci/transport.js';
import { RadioError } from '../src/radios/types.js';
import { type Transmission } from '@odid/transmitter';

const ADDRESS = 'C0:11:22:33:44:55';
const ADDRESS_LE = [0x55, 0x44, 0x33, 0x22, 0x11, 0xc0];
const hex = (b: Uint8Array | readonly number[]): string => Buffer.from(b).toString('hex');

const LOCATION = encodeMessage({
  type: 'location',
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
});
const BASIC_ID = encodeMessage({ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' });
const PACK = encodeMessage({
  type: 'messagePack',
  messages: [
    { type: 'basicId', idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' },
    decodeMessage(LOCATION) as never,
    { type: 'selfId', descType: 0, desc: 'inspection' },
    { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
  ],
});

interface Rig {
  clock: ManualClock;
  air: FakeAir;
  host: FakeHost;
  ctrl: FakeController;
  scanner: FakeController;
  opts: BleRadioOptions;
}

function rig(ctrlOpts: FakeControllerOptions = {}, hostOpts: ConstructorParameters<typeof FakeHost>[0] = {}): Rig {
  const clock = new ManualClock(Date.UTC(2025, 5, 1, 10, 0, 0));
  const air = new FakeAir();
  const host = new FakeHost(hostOpts);
  const ctrl = host.addController({ air, adapterUp: false, ...ctrlOpts });
  const scanner = host.addController({ air, adapterUp: false });
  return { clock, air, host, ctrl, scanner, opts: { clock, socketFactory: () => host.createSocket(), address: ADDRESS } };
}

const tx = (transport: 'ble-legacy' | 'ble-extended', counter: number, payload: Uint8Array, clock: ManualClock): Transmission => ({
  transport,
  timeMs: clock.now(),
  counter,
  payload,
});

/** The packet the controller saw for a log record, rebuilt: H4 0x01, opcode, length, parameters. */
const packetOf = (r: { opcode: number; params: Uint8Array }): string => hex([0x01, r.opcode & 0xff, r.opcode >> 8, r.params.length, ...r.params]);

const LEGACY_STYLE_OPCODES = [OP.LE_SET_ADV_PARAMS, OP.LE_SET_ADV_DATA, OP.LE_SET_ADV_ENABLE, OP.LE_SET_SCAN_RSP_DATA, OP.LE_SET_RANDOM_ADDRESS];

describe('ble-legacy on a Bluetooth 5 controller', () => {
  it('advertises each message as a legacy ADV_NONCONN_IND set via the extended commands', async () => {
    const { clock, ctrl, opts } = rig();
    const radio = new BleLegacyRadio(opts);
    await radio.start();
    await radio.transmit({ ...tx('ble-legacy', 7, LOCATION, clock), messageType: 'location' });

    const set = ctrl.state.sets.get(0)!;
    expect(set.params).toMatchObject({ properties: 0x0010, primaryPhy: 1, ownAddressType: 1, intervalMax: 160, intervalMin: 120 });
    expect(set.enabled).toBe(true);
    expect(hex(set.randomAddress!)).toBe(hex(ADDRESS_LE));
    const sd = findOdidServiceData(set.data)!;
    expect(set.data).toHaveLength(31);
    expect(sd.counter).toBe(7);
    expect(decodeMessage(sd.payload)).toEqual(decodeMessage(LOCATION));
    expect(ctrl.log.every((r) => r.status === 0)).toBe(true);
    expect(ctrl.log.some((r) => LEGACY_STYLE_OPCODES.includes(r.opcode))).toBe(false);

    // The next transmission replaces the data; the set stays enabled.
    await radio.transmit(tx('ble-legacy', 3, BASIC_ID, clock));
    expect(decodeMessage(findOdidServiceData(ctrl.state.sets.get(0)!.data)!.payload)).toEqual(decodeMessage(BASIC_ID));
    expect(ctrl.commands(OP.LE_SET_EXT_ADV_ENABLE)).toHaveLength(1);
    expect(radio.transmissions).toBe(2);
    expect(radio.description).toMatch(/^hci0, user HCI channel, legacy ADV_NONCONN_IND every 100 ms \(Bluetooth 5\.4, extended advertising commands\)$/);
    await radio.stop();
  });

  it('sends exactly the spec layouts (set 0: properties 0x0010, 75..100 ms, LE 1M)', async () => {
    const { clock, ctrl, opts } = rig();
    const radio = new BleLegacyRadio(opts);
    await radio.start();
    await radio.transmit(tx('ble-legacy', 7, LOCATION, clock));
    const adv = [0x1e, 0x16, 0xfa, 0xff, 0x0d, 0x07, ...LOCATION];
    expect(ctrl.log.map(packetOf)).toEqual([
      '01030c00', // Reset
      '01011000', // Read Local Version Information
      '01091000', // Read BD_ADDR
      '01032000', // LE Read Local Supported Features
      '013b2000', // LE Read Number of Supported Advertising Sets
      '013a2000', // LE Read Maximum Advertising Data Length
      // LE Set Extended Advertising Parameters: handle 0, properties 0x0010, min 0x000078, max 0x0000a0,
      // channels 37-39, random own address, no peer, no filter, TX no preference, 1M, skip 0, 1M, SID 0, no notify
      '01362019' + '00' + '1000' + '780000' + 'a00000' + '07' + '01' + '00' + '000000000000' + '00' + '7f' + '01' + '00' + '01' + '00' + '00',
      // LE Set Advertising Set Random Address: handle 0, C0:11:22:33:44:55 LSB first
      '01352007' + '00' + '5544332211c0',
      // LE Set Extended Advertising Data: handle 0, operation 3 (complete), no fragmentation, 31 octets
      '01372023' + '00' + '03' + '01' + '1f' + hex(adv),
      // LE Set Extended Advertising Enable: enable, one set: handle 0, no duration, no event limit
      '01392006' + '01' + '01' + '00' + '0000' + '00',
    ]);
    await radio.stop();
    // Stopping disables and removes the set.
    expect(ctrl.log.slice(-2).map(packetOf)).toEqual(['01392006' + '00' + '01' + '00' + '0000' + '00', '013c200100']);
  });

  it('puts the advert on the air: a legacy scanner decodes the message', async () => {
    const { clock, air, host, ctrl, scanner, opts } = rig();
    const radio = new BleLegacyRadio(opts);
    await radio.start();
    await radio.transmit(tx('ble-legacy', 9, LOCATION, clock));
    const { events } = listen(host, scanner.devId);
    startScanning(scanner);
    air.setRssi(ctrl, scanner, -67);
    expect(air.tick(clock.now())).toBe(1);
    clock.advance(1000);
    air.tick(clock.now()); // 10 events per second at 100 ms
    expect(events).toHaveLength(11);
    const frame = decodeHciH4Record(events[0]!).frames[0] as BleAdvFrame;
    expect(frame).toMatchObject({ pdu: 'ADV_NONCONN_IND', address: ADDRESS.toLowerCase(), addressRandom: true, rssi: -67 });
    expect(decodeMessage(findOdidServiceData(frame.advData)!.payload)).toEqual(decodeMessage(LOCATION));
    await radio.stop();
  });
});

describe('ble-extended on a Bluetooth 5 controller', () => {
  it('advertises the pack on LE Coded (primary and secondary), properties 0, SID 1, about 1 s', async () => {
    const { clock, ctrl, opts } = rig();
    const radio = new BleExtendedRadio(opts);
    await radio.start();
    await radio.transmit(tx('ble-extended', 42, PACK, clock));
    const set = ctrl.state.sets.get(0)!;
    expect(set.params).toMatchObject({ properties: 0, primaryPhy: 3, secondaryPhy: 3, sid: 1, intervalMax: 1600, intervalMin: 1200, ownAddressType: 1 });
    const sd = findOdidServiceData(set.data)!;
    expect(sd.counter).toBe(42);
    expect(decodeMessage(sd.payload)).toEqual(decodeMessage(PACK));
    // The whole pack in one LE Set Extended Advertising Data with operation 3 (complete).
    const data = ctrl.commands(OP.LE_SET_EXT_ADV_DATA);
    expect(data).toHaveLength(1);
    expect(Array.from(data[0]!.params.subarray(0, 4))).toEqual([0, 3, 1, set.data.length]);
    expect(ctrl.log.some((r) => LEGACY_STYLE_OPCODES.includes(r.opcode))).toBe(false);
    await radio.stop();
  });

  it('follows intervalMs (rate) and sid options', async () => {
    const { clock, ctrl, opts } = rig();
    const radio = new BleExtendedRadio({ ...opts, intervalMs: 200, sid: 5, txPowerDbm: 8 });
    await radio.start();
    await radio.transmit(tx('ble-extended', 1, PACK, clock));
    expect(ctrl.state.sets.get(0)!.params).toMatchObject({ intervalMax: 320, intervalMin: 240, sid: 5, txPower: 8 });
    expect(radio.activeAdvertiser?.selectedTxPowerDbm).toBe(8);
    await radio.stop();
  });

  it('an extended scanner on LE Coded reassembles the pack from the air', async () => {
    const { clock, air, host, scanner, opts } = rig();
    const radio = new BleExtendedRadio(opts);
    await radio.start();
    await radio.transmit(tx('ble-extended', 5, PACK, clock));
    const { events } = listen(host, scanner.devId);
    startScanning(scanner, { extended: true });
    air.tick(clock.now());
    const frames = events.flatMap((e) => decodeHciH4Record(e).frames as BleAdvFrame[]);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ pdu: 'AUX_ADV_IND', extended: true, phy: 'coded', sid: 1, fragment: 'complete' });
    expect(decodeMessage(findOdidServiceData(frames[0]!.advData)!.payload)).toEqual(decodeMessage(PACK));
    await radio.stop();
  });
});

describe('both radios on one Bluetooth 5 controller', () => {
  it('share the adapter and its random address as two sets, with extended commands only and no 0x0C', async () => {
    const { clock, air, host, ctrl, scanner, opts } = rig();
    const controller = sharedBleController({ ...opts, address: undefined, random: () => Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0x05, 0x06]) });
    const legacy = new BleLegacyRadio({ ...opts, controller });
    const longRange = new BleExtendedRadio({ ...opts, controller });
    await Promise.all([legacy.start(), longRange.start()]);
    await Promise.all([legacy.transmit(tx('ble-legacy', 1, LOCATION, clock)), longRange.transmit(tx('ble-extended', 2, PACK, clock))]);

    expect(host.sockets).toHaveLength(1); // one socket for both
    expect(ctrl.resetCount).toBe(1);
    expect(ctrl.log.every((r) => r.status === 0)).toBe(true);
    expect(ctrl.log.some((r) => LEGACY_STYLE_OPCODES.includes(r.opcode))).toBe(false);
    const sets = [...ctrl.state.sets.values()];
    expect(sets.map((s) => s.params.properties).sort()).toEqual([0x00, 0x10]);
    expect(sets.every((s) => s.enabled)).toBe(true);
    expect(sets.map((s) => hex(s.randomAddress!))).toEqual(['0605040302c1', '0605040302c1']); // C1:02:03:04:05:06, LSB first
    expect(controller.address).toBe('C1:02:03:04:05:06');

    const { events } = listen(host, scanner.devId);
    startScanning(scanner, { extended: true });
    air.tick(clock.now());
    const frames = events.flatMap((e) => decodeHciH4Record(e).frames as BleAdvFrame[]);
    expect(frames.map((f) => f.pdu).sort()).toEqual(['ADV_NONCONN_IND', 'AUX_ADV_IND']);
    expect(new Set(frames.map((f) => f.address))).toEqual(new Set(['c1:02:03:04:05:06']));

    await legacy.stop();
    expect(ctrl.state.sets.size).toBe(1);
    expect(host.sockets[0]!.controller).toBe(ctrl); // still open for the other radio
    await longRange.transmit(tx('ble-extended', 3, PACK, clock));
    await longRange.stop();
    expect(ctrl.state.sets.size).toBe(0);
    expect(host.sockets[0]!.controller).toBeUndefined(); // closed with the last user
  });
});

describe('a Bluetooth 4.2 controller', () => {
  it('ble-legacy uses the legacy commands, byte for byte', async () => {
    const { clock, ctrl, opts } = rig({ version: '4.2' });
    const radio = new BleLegacyRadio(opts);
    await radio.start();
    await radio.transmit(tx('ble-legacy', 7, LOCATION, clock));
    expect(ctrl.log.map(packetOf)).toEqual([
      '01030c00', // Reset
      '01011000', // Read Local Version Information
      '01091000', // Read BD_ADDR
      '01032000', // LE Read Local Supported Features: no extended advertising
      '01052006' + '5544332211c0', // LE Set Random Address
      // LE Set Advertising Parameters: min = max = 0x00a0 (100 ms, the 4.x floor for non-connectable), ADV_NONCONN_IND,
      // random own address, no peer, all channels, no filter
      '0106200f' + 'a000' + 'a000' + '03' + '01' + '00' + '000000000000' + '07' + '00',
      '01082020' + '1f' + hex([0x1e, 0x16, 0xfa, 0xff, 0x0d, 0x07, ...LOCATION]), // LE Set Advertising Data
      '010a200101', // LE Set Advertising Enable
    ]);
    expect(ctrl.state.legacyAdv.enabled).toBe(true);
    expect(decodeMessage(findOdidServiceData(ctrl.state.legacyAdv.data)!.payload)).toEqual(decodeMessage(LOCATION));
    await radio.stop();
    expect(ctrl.state.legacyAdv.enabled).toBe(false);
  });

  it('ble-extended fails with a RadioError that explains, and ble-legacy keeps working', async () => {
    const { clock, ctrl, opts } = rig({ version: '4.2' });
    const controller = sharedBleController(opts);
    const legacy = new BleLegacyRadio({ ...opts, controller });
    const longRange = new BleExtendedRadio({ ...opts, controller });
    await legacy.start();
    const err = await longRange.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RadioError);
    expect((err as RadioError).transport).toBe('ble-extended');
    expect((err as RadioError).reason).toMatch(/Bluetooth 4\.2 controller without LE extended advertising/);
    expect((err as RadioError).fix).toMatch(/Bluetooth 5 adapter that supports LE Coded PHY/);
    await legacy.transmit(tx('ble-legacy', 1, LOCATION, clock));
    expect(ctrl.state.legacyAdv.enabled).toBe(true);
    expect(ctrl.log.every((r) => r.status === 0)).toBe(true); // nothing extended was even tried
    await legacy.stop();
  });

  it('refuses an interval under 100 ms, which Bluetooth 4.x forbids for non-connectable adverts', async () => {
    const r4 = rig({ version: '4.2' });
    const err = await new BleLegacyRadio({ ...r4.opts, intervalMs: 50 }).start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RadioError);
    expect((err as RadioError).fix).toMatch(/intervalMs between 100 and 10240/);
    // Bluetooth 5 allows it.
    const r5 = rig();
    const radio = new BleLegacyRadio({ ...r5.opts, intervalMs: 50 });
    await radio.start();
    expect(r5.ctrl.state.sets.get(0)!.params.intervalMax).toBe(80);
    await radio.stop();
  });
});

describe('failures become RadioErrors with a fix', () => {
  it.each([
    ['no Bluetooth in the kernel (EAFNOSUPPORT)', {}, { kernel: 'no-bluetooth' as const }, {}, /no Bluetooth support/, /modprobe bluetooth/],
    ['no permission (EPERM)', {}, { kernel: 'no-permission' as const }, {}, /no permission to open hci0/, /sudo setcap cap_net_raw,cap_net_admin\+eip \$\(readlink -f \$\(which node\)\)/],
    ['adapter up for the user channel (EBUSY)', { adapterUp: true }, {}, {}, /hci0 is in use/, /hciconfig hci0 down.*systemctl stop bluetooth/],
    ['no such adapter (ENODEV)', {}, {}, { hciDevice: 3 }, /there is no Bluetooth adapter hci3/, /hciconfig -a/],
  ])('%s', async (_name, ctrlOpts, hostOpts, radioOpts, reason, fix) => {
    const { opts } = rig(ctrlOpts, hostOpts);
    const err = await new BleLegacyRadio({ ...opts, ...radioOpts }).start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RadioError);
    expect((err as RadioError).transport).toBe('ble-legacy');
    expect((err as RadioError).reason).toMatch(reason);
    expect((err as RadioError).fix).toMatch(fix);
  });

  it('the raw channel works with the adapter up (shared with bluetoothd), without resetting it', async () => {
    const { clock, ctrl, opts } = rig({ adapterUp: true });
    const radio = new BleExtendedRadio({ ...opts, channel: 'raw' });
    await radio.start();
    await radio.transmit(tx('ble-extended', 1, PACK, clock));
    expect(ctrl.resetCount).toBe(0);
    expect(ctrl.state.sets.get(0)!.enabled).toBe(true);
    expect(radio.description).toMatch(/raw HCI channel/);
    await radio.stop();
  });

  it('Command Disallowed (another program latched legacy commands on the raw channel) says to use the user channel', async () => {
    const { ctrl, opts } = rig({ adapterUp: true });
    // bluetoothd, sharing the adapter, advertised with the legacy commands.
    expect(ctrl.exec(OP.LE_SET_ADV_PARAMS, [0xa0, 0, 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0]).status).toBe(0);
    const err = await new BleExtendedRadio({ ...opts, channel: 'raw' }).start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RadioError);
    // The first extended command it sends (reading the number of sets) is already refused.
    expect((err as RadioError).reason).toMatch(/LE Read Number of Supported Advertising Sets \(0x203b\) failed: status 0x0c Command Disallowed/);
    expect((err as RadioError).fix).toMatch(/user channel/);
  });

  it('a controller that stops answering times out with a fix', async () => {
    const { opts } = rig({ silentOpcodes: [OP.READ_LOCAL_VERSION] });
    const fire: (() => void)[] = [];
    const timers: Timers = { setTimeout: (fn) => fire.push(fn), clearTimeout: () => undefined };
    const started = new BleLegacyRadio({ ...opts, timers, commandTimeoutMs: 500 }).start().catch((e: unknown) => e);
    for (let i = 0; i < 10 && fire.length < 2; i++) await Promise.resolve();
    fire[1]!(); // the first timer was Reset's, answered; the second is Read Local Version's
    const err = await started;
    expect(err).toBeInstanceOf(RadioError);
    expect((err as RadioError).reason).toMatch(/Read Local Version Information \(0x1001\): no answer from the controller within 500 ms/);
    expect((err as RadioError).fix).toMatch(/hciconfig -a/);
  });

  it('the real bluetooth-hci-socket module on this machine', async () => {
    if (existsSync('/sys/class/bluetooth')) {
      // A machine with Bluetooth: only check that the native module loads; opening hci0 is not a unit test.
      const { nativeSocketFactory } = await import('../src/radios/hci/socket.js');
      expect(typeof nativeSocketFactory()).toBe('function');
      return;
    }
    const err = await new BleLegacyRadio({ clock: new ManualClock() }).start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RadioError);
    expect((err as RadioError).reason).toMatch(/no Bluetooth support.*Address family not supported by protocol/);
  });

  it('misuse: transmit before start, the wrong transport, a payload that is not one message', async () => {
    const { clock, opts } = rig();
    const radio = new BleLegacyRadio(opts);
    await expect(radio.transmit(tx('ble-legacy', 1, LOCATION, clock))).rejects.toThrow(/transmit\(\) before start\(\)/);
    await radio.start();
    await expect(radio.transmit(tx('ble-extended', 1, PACK, clock))).rejects.toBeInstanceOf(RadioError);
    await expect(radio.transmit(tx('ble-legacy', 1, PACK, clock))).rejects.toThrow(/payload rejected.*25-byte/);
    await expect(radio.transmit(tx('ble-legacy', 256, LOCATION, clock))).rejects.toBeInstanceOf(RadioError);
    await radio.stop();
    await radio.stop(); // twice is harmless
  });
});

describe('life cycle', () => {
  it('stop() while start() is still running removes the advert it was creating', async () => {
    const { ctrl, host, opts } = rig();
    const radio = new BleExtendedRadio(opts);
    const started = radio.start();
    const stopped = radio.stop();
    await Promise.all([started, stopped]);
    expect(ctrl.state.sets.size).toBe(0);
    expect(host.sockets[0]!.controller).toBeUndefined();
    // And it can start again afterwards.
    await radio.start();
    expect(ctrl.state.sets.size).toBe(1);
    await radio.stop();
  });
});
