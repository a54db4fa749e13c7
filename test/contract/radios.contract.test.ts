/**
 * Every broadcaster radio kind through the Radio contract (radio-contract.ts), each over the backend it can
 * really run on here: the BLE radios on the fake HCI controller and its air (test/fake-hci); wifi-beacon's
 * hostapd back-end with a stand-in hostapd process and a stand-in control socket (real unix-dgram sockets);
 * the injecting radios (wifi-beacon inject, wifi-nan) with a recording frame sender; the pcapng sink. The
 * failures to open use the real thing where it runs: the real hostapd (no nl80211 here), the real iw, the
 * real sysfs and libpcap injector, the real HCI socket addon.
 */

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { encodeMessage, toHex } from '@odid/codec';
import { ManualClock } from '@odid/position';
import type { Transmission } from '@odid/transmitter';
import type { CommandRunner } from '@odid/commands';
import { FakeAir, FakeHost, type FakeControllerOptions } from '../fake-hci/index.js';
import { BleExtendedRadio } from '../../packages/broadcaster/src/radios/ble-extended.js';
import { BleLegacyRadio } from '../../packages/broadcaster/src/radios/ble-legacy.js';
import { createHardwareRadios } from '../../packages/broadcaster/src/radios/hardware.js';
import { PcapngSink, randomAddresses } from '../../packages/broadcaster/src/radios/pcapng-sink.js';
import type { BroadcastTransport } from '@odid/codec';
import { createWifiBeaconRadio } from '../../packages/broadcaster/src/radios/wifi-beacon.js';
import { createWifiNanRadio } from '../../packages/broadcaster/src/radios/wifi-nan.js';
import type { UnixDgramModule, UnixDgramSocket } from '../../packages/broadcaster/src/radios/wifi/ctrl-socket.js';
import { openMonitorInjector, type FrameSender } from '../../packages/broadcaster/src/radios/wifi/inject.js';
import { describeRadioContract, type RadioRig } from './radio-contract.js';

const T0 = Date.UTC(2025, 5, 1, 10, 0, 0);
const ADDRESS = 'C0:11:22:33:44:55';
const MAC = '02:11:22:33:44:55';
const BASIC_ID = encodeMessage({ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' });
const PACK = encodeMessage({
  type: 'messagePack',
  messages: [
    { type: 'basicId', idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' },
    { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
  ],
});
const tx = (transport: BroadcastTransport, i: number): Transmission => ({
  transport,
  timeMs: T0 + i * 500,
  counter: i & 0xff,
  payload: transport === 'ble-legacy' ? BASIC_ID : PACK,
});

const scratch = mkdtempSync(join(tmpdir(), 'odid-radio-contract-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const newDir = (): string => {
  const d = join(scratch, String(dirs++));
  mkdirSync(d, { recursive: true });
  return d;
};

// --- BLE over the fake HCI controller: adverts counted as they go out on the fake air.

function bleRig(transport: 'ble-legacy' | 'ble-extended', ctrl: FakeControllerOptions, extra: { hciDevice?: number; kernel?: 'no-permission' } = {}): RadioRig {
  const clock = new ManualClock(T0);
  const air = new FakeAir();
  const host = new FakeHost(extra.kernel ? { kernel: extra.kernel } : {});
  host.addController({ air, adapterUp: false, ...ctrl });
  const opts = { clock, socketFactory: () => host.createSocket(), address: ADDRESS, ...(extra.hciDevice === undefined ? {} : { hciDevice: extra.hciDevice }) };
  const radio = transport === 'ble-legacy' ? new BleLegacyRadio(opts) : new BleExtendedRadio(opts);
  return {
    radio,
    transmission: (i) => tx(transport, i),
    emitted: () => [...air.eventsSent.values()].reduce((a, b) => a + b, 0),
    drive: () => {
      clock.advance(1000);
      air.tick(clock.now());
    },
    leaks: () => host.sockets.filter((s) => s.controller !== undefined).map((s) => `fake HCI socket still bound to hci${s.controller!.devId}`),
  };
}

/** The real HCI socket addon on this machine (no Bluetooth in a test box): what a user without an adapter meets. */
function realHciRig(): RadioRig {
  const [radio] = createHardwareRadios(['ble-legacy'], { hci: 0, wifiMode: 'hostapd', clock: new ManualClock(T0), rateHz: 1 });
  return { radio: radio!, transmission: (i) => tx('ble-legacy', i), emitted: () => 0 };
}

const bleFailures = (transport: 'ble-legacy' | 'ble-extended') => [
  { name: 'no adapter hci7 (ENODEV)', make: () => bleRig(transport, {}, { hciDevice: 7 }), code: 'no-device' as const },
  { name: 'no CAP_NET_RAW (EPERM)', make: () => bleRig(transport, {}, { kernel: 'no-permission' }), code: 'permission' as const },
];

describeRadioContract('ble-legacy on a Bluetooth 4.2 controller (legacy advertising commands, fake HCI)', () => bleRig('ble-legacy', { version: '4.2' }), {
  failing: bleFailures('ble-legacy'),
});

describeRadioContract('ble-legacy on a Bluetooth 5.4 controller (legacy PDU on an extended set, fake HCI)', () => bleRig('ble-legacy', {}), {
  failing: [
    ...bleFailures('ble-legacy'),
    {
      name: 'the real HCI socket addon on this machine, which has no usable Bluetooth',
      make: realHciRig,
      // The kernel has no Bluetooth (EAFNOSUPPORT) in the test box; with a stricter sandbox it is EPERM.
      code: /^(no-driver|permission|no-device|not-installed)$/,
    },
  ],
});

describeRadioContract('ble-extended (Long Range) on a Bluetooth 5.4 controller (fake HCI)', () => bleRig('ble-extended', {}), {
  failing: [
    ...bleFailures('ble-extended'),
    { name: 'a Bluetooth 4.2 controller (no LE Coded PHY)', make: () => bleRig('ble-extended', { version: '4.2' }), code: 'unsupported' },
  ],
});

// --- wifi-beacon, hostapd back-end: a stand-in hostapd process, and a stand-in for its control socket.

function loadUnixDgram(): UnixDgramModule {
  try {
    return createRequire(import.meta.url)('unix-dgram') as UnixDgramModule;
  } catch (e) {
    throw new Error(`the unix-dgram addon is not built (${(e as Error).message.split('\n')[0]}): run scripts/setup.sh`);
  }
}

/** Answers hostapd's control commands at `path` as hostapd 2.10 does; remembers each. */
function fakeControlSocket(path: string): { commands: string[]; close(): void } {
  const udgram = loadUnixDgram();
  mkdirSync(join(path, '..'), { recursive: true });
  const commands: string[] = [];
  const server: UnixDgramSocket = udgram.createSocket('unix_dgram', (msg: Buffer, rinfo: { path?: string }) => {
    const cmd = msg.toString('utf8');
    commands.push(cmd);
    const reply = Buffer.from(cmd === 'PING' ? 'PONG\n' : /^(SET vendor_elements dd[0-9a-f]+|UPDATE_BEACON)$/.test(cmd) ? 'OK\n' : 'UNKNOWN COMMAND\n');
    if (rinfo.path) (server as unknown as { send(b: Buffer, o: number, l: number, p: string): void }).send(reply, 0, reply.length, rinfo.path);
  });
  server.bind(path);
  return { commands, close: () => server.close() };
}

function hostapdRig(extra: { hostapdPath?: string; iface?: string; realHostapd?: boolean } = {}): RadioRig {
  const workDir = newDir();
  const iface = extra.iface ?? 'wlan0';
  let script = extra.hostapdPath;
  let control: { commands: string[]; close(): void } | undefined;
  if (!extra.realHostapd && script === undefined) {
    // What the real one prints once its AP is up; then it waits to be stopped, as hostapd does.
    script = join(workDir, 'fake-hostapd.sh');
    writeFileSync(script, '#!/bin/sh\necho "wlan0: interface state UNINITIALIZED->ENABLED"\necho "wlan0: AP-ENABLED"\nexec sleep 300\n');
    chmodSync(script, 0o755);
    control = fakeControlSocket(join(workDir, 'ctrl', iface));
  }
  const radio = createWifiBeaconRadio({
    backend: 'hostapd',
    iface,
    workDir,
    rateHz: 2,
    control: 'unix-dgram',
    ...(script === undefined ? {} : { hostapdPath: script }),
  });
  return {
    radio,
    transmission: (i) => tx('wifi-beacon', i),
    emitted: () => control?.commands.filter((c) => c.startsWith('SET vendor_elements ')).length ?? 0,
    dispose: () => control?.close(),
  };
}

describeRadioContract('wifi-beacon, hostapd back-end (stand-in hostapd and control socket)', () => hostapdRig(), {
  failing: [
    { name: 'hostapd not installed', make: () => hostapdRig({ hostapdPath: '/nonexistent/hostapd' }), code: 'not-installed' },
    { name: 'the real hostapd on a machine without nl80211', make: () => hostapdRig({ realHostapd: true, iface: 'wlodid0' }), code: 'hostapd' },
  ],
});

// --- Radios that inject on a monitor interface: a sender that records the frames, iw answered by a script.

class RecordingSender implements FrameSender {
  readonly description = 'recording sender';
  readonly frames: string[] = [];
  closed = false;
  send(frame: Uint8Array): void {
    if (this.closed) throw new Error('send after close');
    this.frames.push(toHex(frame));
  }
  close(): void {
    this.closed = true;
  }
}

/** iw that tunes as asked: this machine's real iw has no nl80211 to tune with (see the failing cases). */
const tuningIw: CommandRunner = async () => ({ code: 0, stdout: '', stderr: '' });

function injectRig(transport: 'wifi-beacon' | 'wifi-nan', backend: { sender?: () => FrameSender; realIw?: boolean } = {}): RadioRig {
  const clock = new ManualClock(T0);
  const senders: RecordingSender[] = [];
  const openSender = backend.sender ?? (() => {
    const s = new RecordingSender();
    senders.push(s);
    return s;
  });
  const common = { iface: 'wlan1', mac: MAC, clock, openSender, ...(backend.realIw ? {} : { run: tuningIw }) };
  const radio = transport === 'wifi-nan' ? createWifiNanRadio(common) : createWifiBeaconRadio({ backend: 'inject', ...common });
  return {
    radio,
    transmission: (i) => tx(transport, i),
    emitted: () => senders.reduce((n, s) => n + s.frames.length, 0),
    leaks: () => senders.filter((s) => !s.closed).map(() => 'frame sender not closed'),
  };
}

const injectFailures = (transport: 'wifi-beacon' | 'wifi-nan') => [
  { name: 'the real iw on a machine without nl80211', make: () => injectRig(transport, { realIw: true }), code: 'no-driver' as const },
  {
    name: 'the real injector on an interface that does not exist (sysfs)',
    make: () => injectRig(transport, { sender: () => openMonitorInjector({ transport, iface: 'nosuch0' }) }),
    code: 'no-device' as const,
  },
  {
    name: 'the real injector on lo, which is not a monitor interface',
    make: () => injectRig(transport, { sender: () => openMonitorInjector({ transport, iface: 'lo' }) }),
    code: 'not-monitor' as const,
  },
  {
    name: 'no --wifi interface given (createHardwareRadios)',
    make: (): RadioRig => {
      const [radio] = createHardwareRadios([transport], { hci: 0, wifiMode: 'inject', clock: new ManualClock(T0), rateHz: 1 });
      return { radio: radio!, transmission: (i) => tx(transport, i), emitted: () => 0 };
    },
    code: 'no-device' as const,
  },
];

describeRadioContract('wifi-beacon, inject back-end (recording frame sender)', () => injectRig('wifi-beacon'), { failing: injectFailures('wifi-beacon') });
describeRadioContract('wifi-nan (recording frame sender)', () => injectRig('wifi-nan'), { failing: injectFailures('wifi-nan') });

// --- The pcapng sink: every transport's frames into one capture.

for (const transport of ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'] as const) {
  describeRadioContract(
    `pcapng sink, ${transport}`,
    () => {
      const writes: Uint8Array[] = [];
      const sink = new PcapngSink({ write: (b) => void writes.push(b) }, randomAddresses());
      return { radio: sink.radio(transport), transmission: (i) => tx(transport, i), emitted: () => writes.length };
    },
    {
      notApplicable: {
        'open-failure': 'the sink opens nothing; its file is checked and opened by the caller (OutputPathError), and a failing write is that file\'s to report',
      },
    },
  );
}
