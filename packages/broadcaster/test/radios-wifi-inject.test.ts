import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LINKTYPE, RemoteIdExtractor, fromHex, toHex } from '@odid/codec';
import { ManualClock } from '@odid/position';
import { RadioError } from '../src/radios/types.js';
import { type Transmission } from '@odid/transmitter';
import { createWifiBeaconRadio } from '../src/radios/wifi-beacon.js';
import { createWifiNanRadio } from '../src/radios/wifi-nan.js';
import type { CommandResult, CommandRunner } from '@odid/commands';
import { checkMonitorInterface, loadCap, openMonitorInjector, readInterfaceType, type CapModule, type FrameSender } from '../src/radios/wifi/inject.js';
import { MINIMAL_RADIOTAP, withMinimalRadiotap } from '../src/radios/wifi/tx-frames.js';

function requireTool(tool: string, pkg: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${tool} || ls /usr/sbin/${tool}`]);
  if (r.status !== 0) throw new Error(`${tool} is not installed: run scripts/setup.sh (needs the Debian package ${pkg})`);
}

/** Records what would go on the air. */
class FakeSender implements FrameSender {
  readonly description = 'fake sender';
  readonly frames: string[] = [];
  closed = false;
  send(frame: Uint8Array): void {
    this.frames.push(toHex(frame));
  }
  close(): void {
    this.closed = true;
  }
}

/** An iw that answers from a script and remembers what it was asked. */
function fakeIw(answer: Partial<CommandResult> = {}): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: async (cmd, args) => {
      calls.push([cmd, ...args].join(' '));
      return { code: 0, stdout: '', stderr: '', ...answer };
    },
  };
}

const MAC = '02:11:22:33:44:55';
// Operator ID message (type 5, version 2), "GBR-OP-123ABCD", in a pack of one.
const MESSAGE = '52' + '00' + '4742522d4f502d313233414243440000000000' + '00' + '000000';
const PACK = fromHex('f21901' + MESSAGE);
const T0 = Date.UTC(2025, 5, 1, 10, 0, 0);
const tx = (transport: 'wifi-beacon' | 'wifi-nan', timeMs: number, counter: number): Transmission => ({ transport, timeMs, counter, payload: PACK });

describe('monitor-mode injection radios (fake sender: exact bytes)', () => {
  it('wifi-beacon: minimal radiotap + the codec beacon, TSF from the injected clock, sequence per frame', async () => {
    const clock = new ManualClock(T0);
    const sender = new FakeSender();
    const iw = fakeIw();
    const radio = createWifiBeaconRadio({ backend: 'inject', iface: 'wlan1', mac: MAC, clock, rateHz: 2, openSender: () => sender, run: iw.run });
    await radio.start();
    expect(iw.calls).toEqual(['iw dev wlan1 set channel 6']);
    await radio.transmit(tx('wifi-beacon', T0 + 1500, 7));
    await radio.transmit(tx('wifi-beacon', T0 + 2000, 8));
    const expected = (seq: string, tsf: string, counter: string): string =>
      '0000080000000000' + // radiotap: version 0, length 8, no fields (spec §8)
      '8000' + '0000' + 'ffffffffffff' + '021122334455' + '021122334455' + seq + // beacon to broadcast, SA = BSSID
      tsf + 'e801' + '2004' + // TSF µs, 488 TU (2 Hz), short preamble + short slot
      '0008' + '52656d6f74654944' + // SSID "RemoteID"
      '01018c' + '030106' + // supported rates 6 Mb/s, DS parameter set channel 6
      'dd21fa0bbc0d' + counter + 'f21901' + MESSAGE; // ODID element: OUI FA:0B:BC type 0D, counter, pack
    expect(sender.frames).toEqual([expected('0000', '60e3160000000000', '07'), expected('1000', '80841e0000000000', '08')]);
    await radio.stop();
    expect(sender.closed).toBe(true);
  });

  it('wifi-nan: the NAN sync beacon, then the service discovery frame, as in spec §3.4', async () => {
    const clock = new ManualClock(T0);
    const sender = new FakeSender();
    const radio = createWifiNanRadio({ iface: 'wlan1', mac: MAC, clock, channel: 149, openSender: () => sender, run: fakeIw().run });
    expect(radio.transport).toBe('wifi-nan');
    await radio.start();
    await radio.transmit(tx('wifi-nan', T0 + 1000, 7));
    await radio.transmit(tx('wifi-nan', T0 + 2000, 8));
    const sync = (seq: string, tsf: string): string =>
      '0000080000000000' +
      '8000' + '0000' + 'ffffffffffff' + '021122334455' + '506f9a0100ff' + seq + // BSSID = NAN cluster ID
      tsf + '0002' + '2004' + // 512 TU
      'dd22506f9a13' + // WFA vendor element, NAN
      '000200feea' + // master indication: preference 0xFE, random factor 0xEA
      '010d00' + '021122334455' + 'eafe00' + '00000000' + // cluster: anchor master = us, hop count 0
      '020600' + '8869199d9209'; // service ID list: org.opendroneid.remoteid
    const sdf = (seq: string, counter: string): string =>
      '0000080000000000' +
      'd000' + '0000' + '516f9a010000' + '021122334455' + '506f9a0100ff' + seq + // action to the NAN network ID
      '0409' + '506f9a13' + // public action, vendor specific, WFA NAN
      '032700' + '8869199d9209' + '01' + '00' + '10' + '1d' + counter + 'f21901' + MESSAGE + // SDA: publish, service info
      '0e0400' + '01' + '0002' + counter; // SDEA: service update indicator = counter
    expect(sender.frames).toEqual([sync('0000', '40420f0000000000'), sdf('1000', '07'), sync('2000', '80841e0000000000'), sdf('3000', '08')]);
  });

  it('what it injects is what a receiver decodes', async () => {
    const sender = new FakeSender();
    const clock = new ManualClock(T0);
    const beacon = createWifiBeaconRadio({ backend: 'inject', iface: 'wlan1', mac: MAC, clock, openSender: () => sender, setChannel: false });
    const nan = createWifiNanRadio({ iface: 'wlan1', mac: MAC, clock, openSender: () => sender, setChannel: false });
    await beacon.start();
    await nan.start();
    await beacon.transmit(tx('wifi-beacon', T0, 9));
    await nan.transmit(tx('wifi-nan', T0, 10));
    const ex = new RemoteIdExtractor();
    const got = sender.frames.flatMap((h) => ex.fromRecord(LINKTYPE.IEEE802_11_RADIOTAP, fromHex(h)));
    expect(got.map((m) => [m.transport, m.mac, m.counter, m.message.type])).toEqual([
      ['wifi-beacon', MAC, 9, 'operatorId'],
      ['wifi-nan', MAC, 10, 'operatorId'],
    ]);
  });

  it('withMinimalRadiotap swaps any radiotap header for the 8-byte one', () => {
    const rx = fromHex('00001200' + '2e480000' + '0002' + '6c09a000' + 'c5' + '00' + '0000' + '80000000');
    expect(toHex(withMinimalRadiotap(rx))).toBe(toHex(MINIMAL_RADIOTAP) + '80000000');
  });

  it('refuses to transmit before start and other transports', async () => {
    const radio = createWifiNanRadio({ iface: 'wlan1', mac: MAC, clock: new ManualClock(), openSender: () => new FakeSender(), setChannel: false });
    await expect(radio.transmit(tx('wifi-nan', 0, 0))).rejects.toThrow(/before start/);
    await radio.start();
    await expect(radio.transmit(tx('wifi-beacon', 0, 0))).rejects.toThrow(/wifi-nan radio asked to send wifi-beacon/);
  });
});

describe('tuning the monitor interface (iw dev IF set channel N)', () => {
  const start = async (answer: Partial<CommandResult>, channel = 6): Promise<RadioError> => {
    const sender = new FakeSender();
    const radio = createWifiNanRadio({ iface: 'wlan1', mac: MAC, clock: new ManualClock(), channel, openSender: () => sender, run: fakeIw(answer).run });
    const e = await radio.start().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(RadioError);
    expect(sender.closed).toBe(true); // nothing left open
    return e as RadioError;
  };

  it('turns iw failures into what to do', async () => {
    expect((await start({ code: 1, stderr: 'nl80211 not found.\n' })).reason).toMatch(/no nl80211/);
    expect((await start({ code: 240, stderr: 'command failed: Invalid argument (-22)\n' }, 149)).fix).toMatch(/iw reg set/);
    expect((await start({ code: 240, stderr: 'command failed: Operation not permitted (-1)\n' })).fix).toMatch(/root/);
    expect((await start({ code: 161, stderr: 'command failed: Device or resource busy (-16)\n' })).fix).toMatch(/monitor-setup\.sh wlan1 6/);
    expect((await start({ code: -1, spawnError: 'ENOENT' })).fix).toMatch(/apt-get install iw/);
  });

  it('with the real iw on this machine (no Wi-Fi driver): a RadioError, not a crash', async () => {
    requireTool('iw', 'iw');
    const radio = createWifiBeaconRadio({ backend: 'inject', iface: 'wlan1', mac: MAC, clock: new ManualClock(), openSender: () => new FakeSender() });
    await expect(radio.start()).rejects.toThrow(/wifi-beacon: the kernel has no nl80211 .*Fix: plug in a Wi-Fi adapter/);
  });
});

describe('the libpcap injector', () => {
  it('checks sysfs: no interface, not monitor, monitor', () => {
    expect(() => checkMonitorInterface('wifi-nan', 'wlan9', () => undefined)).toThrow(/there is no network interface wlan9/);
    expect(() => checkMonitorInterface('wifi-nan', 'wlan1', () => 1)).toThrow(/wlan1 is in managed\/AP mode .*not monitor mode. Fix: put it in monitor mode: sudo hardware\/wifi\/monitor-setup.sh wlan1 6/);
    expect(() => checkMonitorInterface('wifi-nan', 'wlan1', () => 803)).not.toThrow();
    // The real sysfs of this machine: lo is ARPHRD_LOOPBACK (772).
    expect(readInterfaceType('lo')).toBe(772);
    expect(() => checkMonitorInterface('wifi-beacon', 'lo')).toThrow(/lo is in link type 772, not monitor mode/);
    expect(() => openMonitorInjector({ transport: 'wifi-beacon', iface: 'nosuch0' })).toThrow(/there is no network interface nosuch0/);
  });

  it('the real cap addon loads and opens a real device; a non-radiotap one is refused with the fix', () => {
    let cap: CapModule;
    try {
      cap = loadCap('wifi-beacon');
    } catch (e) {
      throw new Error(`the cap addon must be built for this test (${(e as Error).message}); run scripts/setup.sh (needs the Debian package libpcap-dev)`);
    }
    // Skip the sysfs check so libpcap itself opens lo and reports its link type.
    expect(() => openMonitorInjector({ transport: 'wifi-beacon', iface: 'lo', cap, readType: null })).toThrow(
      /lo delivers ETHERNET frames, not radiotap: it is not in monitor mode. Fix: put it in monitor mode/,
    );
  });

  it('sends the exact bytes through pcap_sendpacket and reports driver refusals', () => {
    const sent: string[] = [];
    let fail = false;
    const cap: CapModule = {
      Cap: class {
        open(device: string, filter: string): string {
          expect([device, filter]).toEqual(['wlan1mon', 'less 1']);
          return 'IEEE802_11_RADIO';
        }
        send(buffer: Buffer, n?: number): void {
          if (fail) throw new Error('Error sending packet: send: Network is down');
          sent.push(buffer.subarray(0, n).toString('hex'));
        }
        close(): void {}
      },
    };
    const inj = openMonitorInjector({ transport: 'wifi-nan', iface: 'wlan1mon', cap, readType: () => 803 });
    const frame = fromHex('0000080000000000d000');
    inj.send(frame.subarray(0, 10));
    expect(sent).toEqual(['0000080000000000d000']);
    fail = true;
    expect(() => inj.send(frame)).toThrow(/the driver refused an injected frame on wlan1mon: Error sending packet: send: Network is down/);

    const denied: CapModule = {
      Cap: class {
        open(): string {
          throw new Error('socket: Operation not permitted');
        }
        send(): void {}
        close(): void {}
      },
    };
    expect(() => openMonitorInjector({ transport: 'wifi-nan', iface: 'wlan1mon', cap: denied, readType: () => 803 })).toThrow(/setcap cap_net_raw/);
  });
});
