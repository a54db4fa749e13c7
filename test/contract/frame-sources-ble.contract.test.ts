/**
 * The receiver's BLE source through the FrameSource contract: real noble over the fake HCI controller
 * (test/fake-hci), which must be installed before anything loads noble, hence a file (a process) of its
 * own. A broadcaster BLE radio on another fake controller advertises on the same fake air; each drive puts
 * one second of adverts on the air. Scanning on a Bluetooth 5 controller (extended) and a 4.2 one (legacy).
 */

import { afterAll, beforeAll } from 'vitest';
import { encodeMessage } from '@odid/codec';
import { ManualClock } from '@odid/position';
import { FakeAir, FakeHost, withFakeHci } from '../fake-hci/index.js';
import { BleLegacyRadio } from '../../packages/broadcaster/src/radios/ble-legacy.js';
import { BleSource } from '../../packages/receiver/src/sources/ble.js';
import { describeFrameSourceContract, type FrameSourceRig } from './frame-source-contract.js';

const air = new FakeAir();
const host = new FakeHost();
const transmitter = host.addController({ air, adapterUp: false }); // hci0: the drone
const rx5 = host.addController({ air, version: '5.0' }); // hci1
const rx42 = host.addController({ air, version: '4.2' }); // hci2
withFakeHci({ host, air });

const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 0, 0));
const drone = new BleLegacyRadio({ clock, socketFactory: () => host.createSocket(), hciDevice: transmitter.devId, address: 'C0:11:22:33:44:55' });
const BASIC_ID = encodeMessage({ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' });

beforeAll(async () => {
  await drone.start();
  await drone.transmit({ transport: 'ble-legacy', timeMs: clock.now(), counter: 1, payload: BASIC_ID });
});
afterAll(async () => {
  await drone.stop();
});

const timers = { now: () => clock.now(), setTimeout: (cb: () => void, ms: number) => setTimeout(cb, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };

/** The sockets noble opened on one adapter that are still bound. */
const boundTo = (devId: number): string[] =>
  host.sockets.filter((s) => s.controller?.devId === devId).map(() => `fake HCI socket still bound to hci${devId}`);

function rig(devId: number, extra: ConstructorParameters<typeof BleSource>[0] = {}): FrameSourceRig<BleSource> {
  return {
    source: new BleSource({ hciDevice: devId, timers, startTimeoutMs: 5000, ...extra }),
    drive: () => {
      clock.advance(1000);
      air.tick(clock.now());
    },
    leaks: () => boundTo(devId),
  };
}

const failing = [
  { name: 'no adapter hci7', make: () => rig(7), code: 'no-adapter' },
  { name: 'an adapter number that cannot be one', make: () => rig(70_000), code: 'config' },
];

describeFrameSourceContract('ble, real noble on a Bluetooth 5.0 controller (fake HCI, extended scanning)', () => rig(rx5.devId), {
  failing,
  notApplicable: { 'runtime-errors': 'a malformed report is the one runtime error, and the fake controller only sends well-formed ones (sources-ble-split.test.ts feeds malformed events to the source)' },
});

describeFrameSourceContract('ble, real noble on a Bluetooth 4.2 controller (fake HCI, legacy scanning)', () => rig(rx42.devId), {
  failing: [{ name: 'extended scanning asked of a 4.2 controller', make: () => rig(rx42.devId, { scan: 'extended' }), code: 'no-extended' }],
  notApplicable: { 'runtime-errors': 'as for the 5.0 controller' },
});
