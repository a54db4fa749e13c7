import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOdidBeaconElement, encodeMessage, fromHex, toHex } from '@odid/codec';
import { RadioError } from '../src/radios/types.js';
import { createWifiBeaconRadio } from '../src/radios/wifi-beacon.js';
import { UnixDgramChannel, type UnixDgramModule, type UnixDgramSocket } from '../src/radios/wifi/ctrl-socket.js';
import { HostapdCliChannel } from '../src/radios/wifi/hostapd-cli.js';
import { beaconIntervalTU, buildHostapdConfig, vendorElementsHex } from '../src/radios/wifi/hostapd-config.js';
import { HostapdControl } from '../src/radios/wifi/hostapd-control.js';
import { explainHostapdOutput } from '../src/radios/wifi/hostapd-process.js';

/** A Debian tool the test drives; missing means the machine was not set up, which must fail, not skip. */
function requireTool(tool: string, pkg: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${tool} || ls /usr/sbin/${tool}`], { encoding: 'utf8' });
  const path = r.stdout.trim().split('\n')[0];
  if (r.status !== 0 || !path) throw new Error(`${tool} is not installed: run scripts/setup.sh (needs the Debian package ${pkg})`);
  return path;
}

/** The addon the fake hostapd socket needs too; unbuilt, every test here fails saying so. */
function loadAddon(): UnixDgramModule {
  try {
    return createRequire(import.meta.url)('unix-dgram') as UnixDgramModule;
  } catch (e) {
    throw new Error(`the unix-dgram addon is not built (${(e as Error).message.split('\n')[0]}): run scripts/setup.sh (pnpm must be allowed to build unix-dgram)`);
  }
}
const udgram = loadAddon();

const PACK = encodeMessage({
  type: 'messagePack',
  protocolVersion: 2,
  messages: [
    { type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: '1581F5FHB229F00202DR' },
    { type: 'operatorId', protocolVersion: 2, operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
  ],
});
const ELEMENT = buildOdidBeaconElement(0x2a, PACK);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'odid-hostapd-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in for hostapd's control socket: bound where hostapd would bind it, answering each command
 * from a script, replying to the sender's own socket as hostapd does.
 */
function fakeHostapd(path: string, answer: (cmd: string) => string | undefined): { commands: string[]; close(): void } {
  mkdirSync(join(path, '..'), { recursive: true });
  rmSync(path, { force: true });
  const commands: string[] = [];
  const server: UnixDgramSocket = udgram.createSocket('unix_dgram', (msg: Buffer, rinfo: { path?: string }) => {
    const cmd = msg.toString('utf8');
    commands.push(cmd);
    const reply = answer(cmd);
    if (reply !== undefined && rinfo.path) {
      const out = Buffer.from(reply);
      (server as unknown as { send(b: Buffer, o: number, l: number, p: string): void }).send(out, 0, out.length, rinfo.path);
    }
  });
  server.bind(path);
  return { commands, close: () => server.close() };
}

const hostapdAnswers = (cmd: string): string => (cmd === 'PING' ? 'PONG\n' : /^(SET vendor_elements dd[0-9a-f]+|UPDATE_BEACON)$/.test(cmd) ? 'OK\n' : 'UNKNOWN COMMAND\n');

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

describe('hostapd.conf', () => {
  it('derives beacon_int from the pack rate, rounding so beacons are never rarer than asked', () => {
    expect(beaconIntervalTU(1)).toBe(976);
    expect(beaconIntervalTU(2)).toBe(488);
    expect(beaconIntervalTU(5)).toBe(195);
    expect(beaconIntervalTU(65)).toBe(15);
    expect(() => beaconIntervalTU(66)).toThrow(RadioError);
    expect(beaconIntervalTU(0.1)).toBe(9765);
    expect(() => beaconIntervalTU(0.09)).toThrow(/outside the 15..10000 TU that hostapd and Linux accept.*Fix: use a rate between 0.098 and 65 Hz/);
    expect(() => beaconIntervalTU(0)).toThrow(RadioError);
  });

  it('writes a beacon-only open AP with the vendor element as hex', () => {
    const text = buildHostapdConfig({ iface: 'wlan1', ssid: 'RID-TEST', channel: 6, rateHz: 1, ctrlInterface: '/run/odid', vendorElements: ELEMENT });
    const lines = text.trim().split('\n').filter((l) => !l.startsWith('#'));
    expect(lines).toEqual([
      'interface=wlan1',
      'driver=nl80211',
      'ctrl_interface=/run/odid',
      'ctrl_interface_group=0',
      'ssid=RID-TEST',
      'hw_mode=g',
      'channel=6',
      'beacon_int=976',
      'max_num_sta=0',
      'auth_algs=1',
      'wpa=0',
      'ignore_broadcast_ssid=0',
      'wmm_enabled=0',
      `vendor_elements=${toHex(ELEMENT)}`,
    ]);
    expect(toHex(ELEMENT).startsWith('dd')).toBe(true);
    expect(toHex(ELEMENT).slice(4, 14)).toBe('fa0bbc0d2a');
  });

  it('refuses what hostapd or the rules would refuse, saying how to fix it', () => {
    const base = { iface: 'wlan1', ssid: 'RID', rateHz: 1, ctrlInterface: '/run/odid' };
    const err = (f: () => unknown): RadioError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RadioError);
        return e as RadioError;
      }
      throw new Error('did not throw');
    };
    expect(err(() => buildHostapdConfig({ ...base, channel: 149 })).fix).toMatch(/country code/);
    expect(err(() => buildHostapdConfig({ ...base, channel: 11 })).reason).toMatch(/not a Remote ID channel .* 5 Hz/);
    expect(buildHostapdConfig({ ...base, channel: 11, rateHz: 5 })).toContain('channel=11');
    expect(err(() => buildHostapdConfig({ ...base, channel: 15 })).fix).toMatch(/channel 6 or 149/);
    expect(err(() => buildHostapdConfig({ ...base, iface: 'wlan0; rm', channel: 6 })).fix).toMatch(/iw dev/);
    expect(err(() => buildHostapdConfig({ ...base, ssid: 'x'.repeat(33), channel: 6 })).reason).toMatch(/1..32 bytes/);
    expect(err(() => buildHostapdConfig({ ...base, channel: 149, countryCode: 'USA' })).reason).toMatch(/two letters/);
    expect(err(() => vendorElementsHex(fromHex('dd05fa0bbc'))).reason).toMatch(/whole vendor-specific elements/);
  });

  it('writes SSIDs with #, spaces at the end or non-ASCII as ssid2 hex', () => {
    const cfg = (ssid: string): string => buildHostapdConfig({ iface: 'wlan1', ssid, channel: 6, rateHz: 1, ctrlInterface: '/run/x' });
    expect(cfg('Drone #1')).toContain(`ssid2=${toHex(new TextEncoder().encode('Drone #1'))}`);
    expect(cfg('café')).toContain('ssid2=636166c3a9');
    expect(cfg('trailing ')).toContain('ssid2=');
    expect(cfg('Drone 1')).toContain('ssid=Drone 1');
  });
});

describe('real hostapd -dd loads the written config', () => {
  const variants = [
    { name: '2.4 GHz, channel 6, 1 Hz, ASCII SSID', o: { ssid: 'RID-GBR-OP-123', channel: 6, rateHz: 1 } },
    { name: '5 GHz, channel 149, 2 Hz, country US, ssid2', o: { ssid: 'Drone #7 café', channel: 149, rateHz: 2, countryCode: 'us' } },
    { name: 'channel 11 at 5 Hz', o: { ssid: 'RID', channel: 11, rateHz: 5 } },
  ];
  for (const v of variants) {
    it(`${v.name}: no configuration error; it stops only for want of a Wi-Fi driver`, async () => {
      const hostapd = requireTool('hostapd', 'hostapd');
      const conf = join(dir, `${v.o.channel}.conf`);
      writeFileSync(conf, buildHostapdConfig({ iface: 'wlodid0', ctrlInterface: join(dir, 'ctrl'), vendorElements: ELEMENT, ...v.o }));
      const out = await run(hostapd, ['-dd', conf]);
      expect(out).toContain(`Configuration file: ${conf}`);
      expect(out).not.toMatch(/^Line \d+:/m);
      expect(out).not.toMatch(/errors found in configuration file/);
      // Parsing went through; what stops hostapd here is the missing driver (no cfg80211/nl80211).
      expect(out).toMatch(/nl80211|wlodid0/);
      expect(explainHostapdOutput(out, 'wlodid0')?.reason).toMatch(/no nl80211|no network interface wlodid0/);
    });
  }

  it('a line hostapd refuses is reported with its number (the assertion above is not vacuous)', async () => {
    const hostapd = requireTool('hostapd', 'hostapd');
    const conf = join(dir, 'bad.conf');
    const good = buildHostapdConfig({ iface: 'wlodid0', ssid: 'RID', channel: 6, rateHz: 1, ctrlInterface: join(dir, 'ctrl') });
    writeFileSync(conf, good.replace('beacon_int=976', 'beacon_int=9'));
    const out = await run(hostapd, ['-dd', conf]);
    expect(out).toMatch(/^Line \d+: invalid beacon_int 9 \(expected 1[05]\.\.65535\)/m);
    expect(explainHostapdOutput(out, 'wlodid0')?.reason).toMatch(/refused line \d+ of its configuration: invalid beacon_int/);
  });

  it("turns hostapd 2.10's own failure messages into fixes", () => {
    const fix = (out: string): string | undefined => explainHostapdOutput(out, 'wlan1')?.fix;
    expect(fix('Could not set interface wlan1 flags (UP): Operation not possible due to RF-kill\n')).toMatch(/rfkill unblock wlan/);
    expect(fix('Could not read interface wlan1 flags: No such device\n')).toMatch(/iw dev/);
    expect(fix('nl80211: Could not configure driver mode\nnl80211 driver initialization failed.\n')).toMatch(/nmcli device set wlan1 managed no/);
    expect(fix('Channel 149 (primary) not allowed for AP mode, flags: 0x10095b NO-IR\n')).toMatch(/country code/);
    expect(fix('wlan1: IEEE 802.11 Configured channel (149) or frequency (5745) (secondary_channel=0) not found from the channel list of the current mode (2) IEEE 802.11a\n')).toMatch(/channel 6/);
    expect(explainHostapdOutput('something else entirely\n', 'wlan1')).toBeUndefined();
  });

  it('the radio starts the real hostapd and fails with a RadioError that says why', async () => {
    requireTool('hostapd', 'hostapd');
    const workDir = join(dir, 'radio');
    mkdirSync(workDir, { recursive: true });
    const radio = createWifiBeaconRadio({ backend: 'hostapd', iface: 'wlodid0', workDir, rateHz: 1 });
    expect(radio.description).toMatch(/wlodid0, hostapd beacon .* channel 6, 976 TU/);
    const e = await radio.start().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(RadioError);
    expect((e as RadioError).reason).toMatch(/hostapd stopped \(exit code 1\) before the AP was up: the kernel has no nl80211/);
    expect((e as RadioError).fix).toMatch(/hardware\/wifi\/README.md/);
    // The config stays for `hostapd -dd`.
    expect(readFileSync(join(workDir, 'hostapd.conf'), 'utf8')).toContain('interface=wlodid0');
  });

  it('a missing hostapd binary is a RadioError naming the package', async () => {
    const radio = createWifiBeaconRadio({ backend: 'hostapd', iface: 'wlodid0', workDir: join(dir, 'nobin'), hostapdPath: '/nonexistent/hostapd' });
    mkdirSync(join(dir, 'nobin'), { recursive: true });
    await expect(radio.start()).rejects.toThrow(/hostapd is not installed. Fix: apt-get install hostapd/);
  });
});

describe('hostapd control interface', () => {
  it('refreshes the element: SET vendor_elements <hex>, then UPDATE_BEACON, each answered OK', async () => {
    const path = join(dir, 'ctl1', 'wlan0');
    const fake = fakeHostapd(path, hostapdAnswers);
    const control = new HostapdControl(UnixDgramChannel.open(path, { module: udgram }));
    try {
      await control.ping();
      await control.refreshVendorElements(ELEMENT);
      expect(fake.commands).toEqual(['PING', `SET vendor_elements ${toHex(ELEMENT)}`, 'UPDATE_BEACON']);
      // Concurrent refreshes go out one command at a time, in order.
      const other = buildOdidBeaconElement(0x2b, PACK);
      await Promise.all([control.refreshVendorElements(other), control.refreshVendorElements(ELEMENT)]);
      expect(fake.commands.slice(3)).toEqual([`SET vendor_elements ${toHex(other)}`, 'UPDATE_BEACON', `SET vendor_elements ${toHex(ELEMENT)}`, 'UPDATE_BEACON']);
    } finally {
      await control.close();
      fake.close();
    }
  });

  it('FAIL and UNKNOWN COMMAND become RadioErrors with a fix', async () => {
    const path = join(dir, 'ctl2', 'wlan0');
    const fake = fakeHostapd(path, (cmd) => (cmd === 'UPDATE_BEACON' ? 'UNKNOWN COMMAND\n' : 'FAIL\n'));
    const control = new HostapdControl(UnixDgramChannel.open(path, { module: udgram }));
    try {
      await expect(control.command(`SET vendor_elements ${toHex(ELEMENT)}`)).rejects.toThrow(/hostapd answered 'FAIL' to 'SET vendor_elements dd.*\.\.\.'.*Fix: run hostapd with -dd/);
      await expect(control.command('UPDATE_BEACON')).rejects.toThrow(/does not know the command 'UPDATE_BEACON'.*hostapd 2.7 or newer/);
    } finally {
      await control.close();
      fake.close();
    }
  });

  it('no socket, a stale socket and a silent hostapd are told apart', async () => {
    expect(() => UnixDgramChannel.open(join(dir, 'nowhere', 'wlan0'), { module: udgram })).toThrow(/no hostapd control socket at .*Fix: start hostapd with ctrl_interface/);

    const stale = join(dir, 'ctl3', 'wlan0');
    const gone = fakeHostapd(stale, hostapdAnswers);
    gone.close(); // the file stays, nobody reads it: what a crashed hostapd leaves
    expect(() => UnixDgramChannel.open(stale, { module: udgram })).toThrow(/stale control socket: hostapd is not running/);

    const silentPath = join(dir, 'ctl4', 'wlan0');
    const silent = fakeHostapd(silentPath, () => undefined);
    const control = new HostapdControl(UnixDgramChannel.open(silentPath, { module: udgram, timeoutMs: 100 }));
    try {
      await expect(control.ping()).rejects.toThrow(/hostapd did not answer 'PING' within 100 ms/);
    } finally {
      await control.close();
      silent.close();
    }
  });

  it('hostapd_cli (the fallback without the addon) sends the same commands through the real hostapd_cli', async () => {
    const cli = requireTool('hostapd_cli', 'hostapd');
    const ctrlDir = join(dir, 'ctl5');
    const fake = fakeHostapd(join(ctrlDir, 'wlan0'), hostapdAnswers);
    const control = new HostapdControl(new HostapdCliChannel(ctrlDir, 'wlan0', { cliPath: cli }));
    try {
      await control.ping();
      await control.refreshVendorElements(ELEMENT);
      expect(fake.commands).toEqual(['PING', `SET vendor_elements ${toHex(ELEMENT)}`, 'UPDATE_BEACON']);
    } finally {
      fake.close();
    }
    const nowhere = new HostapdControl(new HostapdCliChannel(join(dir, 'nowhere'), 'wlan0', { cliPath: cli }));
    await expect(nowhere.ping()).rejects.toThrow(/could not reach hostapd at .*wpa_ctrl_open: No such file or directory.*Fix: start hostapd/);
    const nocli = new HostapdControl(new HostapdCliChannel(ctrlDir, 'wlan0', { cliPath: '/nonexistent/hostapd_cli' }));
    await expect(nocli.ping()).rejects.toThrow(/is not installed. Fix: apt-get install hostapd/);
  });

  it('the whole radio: a stand-in hostapd process, the control socket, one refresh per transmission', async () => {
    const workDir = join(dir, 'whole');
    mkdirSync(workDir, { recursive: true });
    // A "hostapd" that says what the real one says when its AP is up, then waits to be stopped.
    const script = join(workDir, 'fake-hostapd.sh');
    writeFileSync(script, '#!/bin/sh\necho "wlan0: interface state UNINITIALIZED->ENABLED"\necho "wlan0: AP-ENABLED"\nexec sleep 60\n');
    chmodSync(script, 0o755);
    const fake = fakeHostapd(join(workDir, 'ctrl', 'wlan0'), hostapdAnswers);
    const radio = createWifiBeaconRadio({ backend: 'hostapd', iface: 'wlan0', workDir, hostapdPath: script, control: 'unix-dgram', rateHz: 2 });
    try {
      await radio.start();
      expect(readFileSync(join(workDir, 'hostapd.conf'), 'utf8')).toContain(`ctrl_interface=${join(workDir, 'ctrl')}`);
      await radio.transmit({ transport: 'wifi-beacon', timeMs: 0, counter: 0x2a, payload: PACK });
      await radio.transmit({ transport: 'wifi-beacon', timeMs: 500, counter: 0x2b, payload: PACK });
      expect(fake.commands).toEqual([
        'PING',
        `SET vendor_elements ${toHex(ELEMENT)}`,
        'UPDATE_BEACON',
        `SET vendor_elements ${toHex(buildOdidBeaconElement(0x2b, PACK))}`,
        'UPDATE_BEACON',
      ]);
    } finally {
      await radio.stop();
      fake.close();
    }
    await expect(radio.transmit({ transport: 'wifi-beacon', timeMs: 0, counter: 0, payload: PACK })).rejects.toThrow(/before start/);
  });
});
