/**
 * BleSource failures with real noble over the fake controller: each way Bluetooth can be missing or
 * refused becomes a BleSourceError with a code and the commands that fix it, within a bounded time, and
 * leaves no socket or process handler behind. One FakeHost for the file; tests change what its kernel allows.
 */

import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeAir, FakeHost, OP, withFakeHci } from '../../../test/fake-hci/index.js';
import { BleSource, BleSourceError, loadNoble, type AdapterState, type NobleLike, type NobleRuntime } from '../src/sources/ble.js';

const air = new FakeAir();
const host = new FakeHost();
const up = host.addController({ air, version: '5.0' }); // hci0
const down = host.addController({ air, version: '5.0', adapterUp: false }); // hci1
const old = host.addController({ air, version: '4.2' }); // hci2
const silent = host.addController({ air, version: '5.0', silentOpcodes: [OP.RESET, OP.LE_READ_LOCAL_FEATURES] }); // hci3
withFakeHci({ host, air });

const SETCAP = 'sudo setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which node))';

/** Starts a source that must fail; returns the error and how long it took. */
async function failing(opts: ConstructorParameters<typeof BleSource>[0]): Promise<{ err: BleSourceError; ms: number }> {
  const source = new BleSource({ startTimeoutMs: 5000, ...opts });
  const t0 = performance.now();
  const err = await source.start().then(
    () => {
      throw new Error('start() resolved, but it had to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BleSourceError);
  return { err: err as BleSourceError, ms: performance.now() - t0 };
}

/** Every socket released, and noble's process handlers gone with it. */
function expectNothingLeftOpen(): void {
  expect(host.sockets.filter((s) => s.controller !== undefined)).toEqual([]);
  expect(process.listeners('exit').filter((l) => l.name.includes('stop'))).toEqual([]);
}

const exitListeners = process.listenerCount('exit');
const sigintListeners = process.listenerCount('SIGINT');
afterEach(() => {
  host.kernel = 'ok';
  expectNothingLeftOpen();
  expect(process.listenerCount('exit')).toBe(exitListeners);
  expect(process.listenerCount('SIGINT')).toBe(sigintListeners);
});

describe('no Bluetooth, no permission, no adapter', () => {
  it('no Bluetooth in the kernel (noble: unsupported) -> no-bluetooth with the fix, well within the deadline', async () => {
    host.kernel = 'no-bluetooth';
    const log = vi.spyOn(console, 'log');
    const { err, ms } = await failing({ hciDevice: 0 });
    // noble's own advice ("try NOBLE_HCI_DEVICE_ID") would land on stdout, where rid-scan writes JSON.
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
    expect(err.code).toBe('no-bluetooth');
    expect(err.reason).toMatch(/no Bluetooth support.*noble: unsupported; Address family not supported by protocol/);
    expect(err.fix).toMatch(/modprobe bluetooth/);
    expect(err.fix).toMatch(/rfkill unblock bluetooth/);
    expect(err.fix).toMatch(/rid-scan --sim/);
    expect(err.message).toMatch(/^ble: .*\. Fix: /);
    expect(ms).toBeLessThan(1000);
  });

  it('no CAP_NET_RAW -> permission, with root or the setcap command', async () => {
    host.kernel = 'no-permission';
    const { err, ms } = await failing({ hciDevice: 0 });
    expect(err.code).toBe('permission');
    expect(err.fix).toContain(SETCAP);
    expect(err.fix).toMatch(/run as root/);
    expect(ms).toBeLessThan(1000);
  });

  it('no such adapter -> no-adapter, naming it and how to list the others', async () => {
    const { err } = await failing({ hciDevice: 7 });
    expect(err.code).toBe('no-adapter');
    expect(err.reason).toMatch(/there is no Bluetooth adapter hci7/);
    expect(err.fix).toMatch(/hciconfig -a/);
  });
});

describe('adapter state', () => {
  it('adapter down on the raw channel (noble: poweredOff) -> adapter-down: rfkill, hciconfig up', async () => {
    const { err, ms } = await failing({ hciDevice: down.devId });
    expect(err.code).toBe('adapter-down');
    expect(err.reason).toMatch(/hci1 is powered off/);
    expect(err.fix).toMatch(/sudo rfkill unblock bluetooth.*sudo hciconfig hci1 up/);
    expect(ms).toBeLessThan(1000);
  });

  it('user channel on an adapter that is up -> busy: stop bluetoothd and bring it down', async () => {
    const { err } = await failing({ hciDevice: up.devId, userChannel: true });
    expect(err.code).toBe('busy');
    expect(err.fix).toMatch(/systemctl stop bluetooth.*hciconfig hci0 down/);
  });

  it('the user channel works on an adapter that is down', async () => {
    const source = new BleSource({ hciDevice: down.devId, userChannel: true });
    await source.start();
    expect(source.description).toMatch(/^hci1, user HCI channel, extended scanning on LE 1M \+ LE Coded/);
    expect(down.state.scan).toMatchObject({ enabled: true, style: 'extended', filterDuplicates: 0 });
    expect(down.state.scan.phys.map((p) => p.phy)).toEqual([1, 3]);
    expect(down.log.filter((r) => r.status !== 0).map((r) => `${r.name}: ${r.why}`)).toEqual([]);
    await source.stop();
  });

  it("scan: 'extended' on a Bluetooth 4.2 controller -> no-extended; 'auto' takes the legacy adverts", async () => {
    const { err } = await failing({ hciDevice: old.devId, scan: 'extended' });
    expect(err.code).toBe('no-extended');
    expect(err.fix).toMatch(/Bluetooth 5 adapter with LE Coded PHY/);
    const source = new BleSource({ hciDevice: old.devId });
    await source.start();
    expect(source.description).toMatch(/legacy scanning/);
    await source.stop();
  });

  it("scan: 'legacy' keeps a Bluetooth 5 controller on the legacy commands", async () => {
    const source = new BleSource({ hciDevice: up.devId, scan: 'legacy' });
    await source.start();
    expect(source.description).toMatch(/legacy scanning/);
    expect(up.state.scan.style).toBe('legacy');
    await source.stop();
    up.exec(OP.RESET); // the next test may want the other command style
  });

  it('a controller that never answers -> timeout after startTimeoutMs, with what to check', async () => {
    const { err, ms } = await failing({ hciDevice: silent.devId, startTimeoutMs: 300 });
    expect(err.code).toBe('timeout');
    expect(err.reason).toMatch(/hci3 did not become ready.*within 300 ms/);
    expect(err.fix).toMatch(/hciconfig -a/);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(2000);
  });

  it('stop() during start() rejects the start at once', async () => {
    const source = new BleSource({ hciDevice: silent.devId, startTimeoutMs: 60_000 });
    const started = source.start().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await source.stop();
    const err = (await started) as BleSourceError;
    expect(err).toBeInstanceOf(BleSourceError);
    expect(err.reason).toMatch(/stop\(\) was called while the source was starting/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('options and the noble it finds', () => {
  it('refuses a bad adapter number, here or in NOBLE_HCI_DEVICE_ID', () => {
    expect(() => new BleSource({ hciDevice: -1 })).toThrow(BleSourceError);
    const saved = process.env.NOBLE_HCI_DEVICE_ID;
    process.env.NOBLE_HCI_DEVICE_ID = 'hci0';
    try {
      expect(() => new BleSource()).toThrow(/NOBLE_HCI_DEVICE_ID=hci0 is not an adapter number/);
      process.env.NOBLE_HCI_DEVICE_ID = '2';
      expect(new BleSource().name).toBe('ble:hci2');
    } finally {
      if (saved === undefined) delete process.env.NOBLE_HCI_DEVICE_ID;
      else process.env.NOBLE_HCI_DEVICE_ID = saved;
    }
  });

  it('a noble without the HCI socket the source reads -> noble-internals, naming the version to install', async () => {
    const real = await loadNoble();
    const stub = new EventEmitter() as EventEmitter & NobleLike;
    Object.assign(stub, {
      _bindings: { _hci: {} },
      startScanningAsync: async () => undefined,
      stopScanningAsync: async () => undefined,
      stop: () => undefined,
    });
    stub.on('newListener', (event: string) => {
      if (event === 'stateChange') setImmediate(() => stub.emit('stateChange', 'poweredOn' satisfies AdapterState));
    });
    const runtime: NobleRuntime = { ...real, create: () => stub };
    const { err } = await failing({ hciDevice: 0, loadNoble: async () => runtime });
    expect(err.code).toBe('noble-internals');
    expect(err.fix).toMatch(/package\.json/);
  });
});
