/**
 * Channel hopping and monitor-mode setup, with a scripted iw/ip (this machine has no Wi-Fi) and timers
 * that move only when told; plus the real iw and ip, to check what they say without hardware.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, repoRoot } from '../../../test/support/fixtures.js';
import {
  ChannelHopper,
  ManualTimers,
  WifiMonitorSource,
  WifiSourceError,
  fileTcpdumpArgs,
  parseIwDevInfo,
  parseSupportedModes,
  setInterfaceType,
  supportsMonitorMode,
  type CommandResult,
  type CommandRunner,
} from '../src/sources/wifi.js';

function requireTool(tool: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${tool} || ls /usr/sbin/${tool} /sbin/${tool}`]).status !== 0) {
    throw new Error(`${tool} is not installed: run scripts/setup.sh (needs the Debian package ${pkg})`);
  }
}

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

/** iw/ip that answer from a script, logging each call with the (fake) time it was made. */
function scripted(timers: ManualTimers, answer: (cmd: string, args: readonly string[]) => Partial<CommandResult> = () => ({})): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: async (cmd, args) => {
      calls.push(`+${timers.now() - T0} ${cmd} ${args.join(' ')}`);
      return { code: 0, stdout: '', stderr: '', ...answer(cmd, args) };
    },
  };
}

const EINVAL = { code: 240, stderr: 'command failed: Invalid argument (-22)\n' };

describe('ChannelHopper', () => {
  it('hops 6 -> 149 -> 6 with the dwell time, on the injected clock, without drifting', async () => {
    const timers = new ManualTimers(T0);
    const iw = scripted(timers);
    const seen: [number, number][] = [];
    const hop = new ChannelHopper({ iface: 'wlan1', run: iw.run, timers, onChannel: (c, t) => seen.push([c, t - T0]) });
    await hop.start();
    expect(hop.current).toBe(6);
    await timers.advance(1100 * 4);
    expect(iw.calls).toEqual([
      '+0 iw dev wlan1 set channel 6',
      '+1100 iw dev wlan1 set channel 149',
      '+2200 iw dev wlan1 set channel 6',
      '+3300 iw dev wlan1 set channel 149',
      '+4400 iw dev wlan1 set channel 6',
    ]);
    expect(seen).toEqual([[6, 0], [149, 1100], [6, 2200], [149, 3300], [6, 4400]]);
    hop.stop();
    await timers.advance(10_000);
    expect(iw.calls).toHaveLength(5);
    expect(timers.pending).toBe(0);
  });

  it('takes any channel list and dwell time', async () => {
    const timers = new ManualTimers(T0);
    const iw = scripted(timers);
    const hop = new ChannelHopper({ iface: 'wlan1', channels: [1, 6, 11], dwellMs: 250, run: iw.run, timers });
    await hop.start();
    await timers.advance(750);
    expect(iw.calls.map((c) => c.replace(/ iw dev wlan1 set channel /, ' ch'))).toEqual(['+0 ch1', '+250 ch6', '+500 ch11', '+750 ch1']);
    hop.stop();
  });

  it('one channel: tuned once, no timer', async () => {
    const timers = new ManualTimers(T0);
    const iw = scripted(timers);
    const hop = new ChannelHopper({ iface: 'wlan1', channels: [149], run: iw.run, timers });
    await hop.start();
    expect(timers.pending).toBe(0);
    expect(iw.calls).toEqual(['+0 iw dev wlan1 set channel 149']);
  });

  it('a channel the adapter refuses (2.4 GHz-only, regulatory) leaves the cycle, said once', async () => {
    const timers = new ManualTimers(T0);
    const iw = scripted(timers, (_c, args) => (args.at(-1) === '149' ? EINVAL : {}));
    const errors: WifiSourceError[] = [];
    const hop = new ChannelHopper({ iface: 'wlan1', channels: [1, 149, 6], run: iw.run, timers, onError: (e) => errors.push(e) });
    await hop.start();
    await timers.advance(1100 * 4);
    expect(iw.calls.map((c) => c.split(' ').at(-1))).toEqual(['1', '149', '6', '1', '6']);
    expect(hop.cycle).toEqual([1, 6]);
    expect(errors.map((e) => e.code)).toEqual(['channel']);
    expect(errors[0]!.fix).toMatch(/iw reg set/);
    hop.stop();
  });

  it('the first channel refused at start: the next one is used; all refused: start() fails', async () => {
    const timers = new ManualTimers(T0);
    const errors: WifiSourceError[] = [];
    const iw = scripted(timers, (_c, args) => (args.at(-1) === '149' ? EINVAL : {}));
    const hop = new ChannelHopper({ iface: 'wlan1', channels: [149, 6], run: iw.run, timers, onError: (e) => errors.push(e) });
    await hop.start();
    expect(hop.current).toBe(6);
    expect(timers.pending).toBe(0); // one channel left: nothing to hop to
    expect(errors).toHaveLength(1);

    const none = new ChannelHopper({ iface: 'wlan1', channels: [149], run: scripted(timers, () => EINVAL).run, timers });
    await expect(none.start()).rejects.toMatchObject({ code: 'channel' });
  });

  it('a fatal failure while hopping ends hopping with the reason; a busy radio is retried', async () => {
    const timers = new ManualTimers(T0);
    let answer: Partial<CommandResult> = {};
    const iw = scripted(timers, () => answer);
    const errors: WifiSourceError[] = [];
    const hop = new ChannelHopper({ iface: 'wlan1', run: iw.run, timers, onError: (e) => errors.push(e) });
    await hop.start();
    answer = { code: 161, stderr: 'command failed: Device or resource busy (-16)\n' };
    await timers.advance(1100);
    answer = {};
    await timers.advance(1100);
    expect(hop.current).toBe(6);
    answer = { code: 237, stderr: 'command failed: No such device (-19)\n' };
    await timers.advance(1100 * 3);
    expect(errors.map((e) => e.code)).toEqual(['busy', 'no-device']);
    expect(iw.calls).toHaveLength(4);
  });

  it('refuses settings that cannot work', () => {
    expect(() => new ChannelHopper({ iface: 'wlan1', channels: [] })).toThrow(WifiSourceError);
    expect(() => new ChannelHopper({ iface: 'wlan1', channels: [0] })).toThrow(/not a Wi-Fi channel/);
    expect(() => new ChannelHopper({ iface: 'wlan1', dwellMs: 10 })).toThrow(/too short/);
  });
});

describe('monitor mode', () => {
  it("monitorMode 'iw': down, type monitor, up, hop; tcpdump runs; back to managed at stop", async () => {
    requireTool('tcpdump', 'tcpdump');
    const timers = new ManualTimers(T0);
    const cmds = scripted(timers);
    const channels: number[] = [];
    // The capture reads a real file through the real tcpdump; iw and ip are scripted.
    const source = new WifiMonitorSource({
      iface: 'wlan1',
      monitorMode: 'iw',
      run: cmds.run,
      timers,
      onChannel: (c) => channels.push(c),
      tcpdumpArgs: fileTcpdumpArgs(fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_bcn_sample.pcap')),
    });
    expect(source.name).toBe('wifi:wlan1 (monitor, channels 6/149)');
    let frames = 0;
    source.on('frame', () => frames++);
    const ended = new Promise<void>((r) => source.once('end', () => r()));
    await source.start();
    await timers.advance(1100);
    await ended;
    await source.stop();
    expect(frames).toBe(21);
    expect(channels).toEqual([6, 149]);
    expect(cmds.calls).toEqual([
      '+0 ip link set wlan1 down',
      '+0 iw dev wlan1 set type monitor',
      '+0 ip link set wlan1 up',
      '+0 iw dev wlan1 set channel 6',
      '+1100 iw dev wlan1 set channel 149',
      '+1100 ip link set wlan1 down',
      '+1100 iw dev wlan1 set type managed',
      '+1100 ip link set wlan1 up',
    ]);
  });

  it('a failed start undoes what it did and says why', async () => {
    const timers = new ManualTimers(T0);
    const cmds = scripted(timers, (_c, args) => (args.includes('channel') ? { code: 1, stderr: 'command failed: Operation not permitted (-1)\n' } : {}));
    const source = new WifiMonitorSource({ iface: 'wlan1', monitorMode: 'iw', run: cmds.run, timers });
    const e = await source.start().then(() => undefined, (err: unknown) => err);
    expect(e).toMatchObject({ code: 'permission' });
    expect((e as WifiSourceError).fix).toMatch(/root|monitor-setup\.sh wlan1/);
    expect(cmds.calls.slice(-3)).toEqual(['+0 ip link set wlan1 down', '+0 iw dev wlan1 set type managed', '+0 ip link set wlan1 up']);
  });

  it('setInterfaceType explains: no monitor mode in the driver, no permission, no interface, busy', async () => {
    const timers = new ManualTimers(T0);
    const fail = async (cmd: string, stderr: string, code = 1): Promise<WifiSourceError> =>
      setInterfaceType('wlan1', 'monitor', scripted(timers, (c) => (c === cmd ? { code, stderr } : {})).run).then(
        () => {
          throw new Error('did not fail');
        },
        (err: unknown) => err as WifiSourceError,
      );
    const unsupported = await fail('iw', 'command failed: Operation not supported (-95)\n', 161);
    expect(unsupported.code).toBe('unsupported');
    expect(unsupported.fix).toMatch(/adapter with monitor mode .*managed-mode scan source/);
    expect((await fail('ip', 'RTNETLINK answers: Operation not permitted\n', 2)).code).toBe('permission');
    expect((await fail('ip', 'Cannot find device "wlan1"\n')).code).toBe('no-device');
    expect((await fail('iw', 'command failed: Device or resource busy (-16)\n', 240)).fix).toMatch(/nmcli device set wlan1 managed no/);
  });

  it('with the real ip and iw of this machine: no interface, no nl80211', async () => {
    requireTool('ip', 'iproute2');
    requireTool('iw', 'iw');
    await expect(setInterfaceType('wlan0', 'monitor')).rejects.toMatchObject({ code: 'no-device' });
    const hop = new ChannelHopper({ iface: 'wlan0' });
    await expect(hop.start()).rejects.toMatchObject({ code: 'no-wifi-driver' });
  });

  it('reads iw dev info and the supported interface modes', async () => {
    const info = 'Interface wlan1\n\tifindex 5\n\twdev 0x100000001\n\taddr 00:c0:ca:aa:bb:cc\n\ttype managed\n\twiphy 1\n\tchannel 6 (2437 MHz), width: 20 MHz (no HT), center1: 2437 MHz\n\ttxpower 20.00 dBm\n';
    expect(parseIwDevInfo(info)).toEqual({ type: 'managed', wiphy: 1, addr: '00:c0:ca:aa:bb:cc', channel: 6 });
    const phy = 'Wiphy phy1\n\tmax # scan SSIDs: 4\n\tSupported interface modes:\n\t\t * IBSS\n\t\t * managed\n\t\t * AP\n\t\t * AP/VLAN\n\t\t * monitor\n\t\t * mesh point\n\t\t * P2P-client\n\tBand 1:\n';
    expect(parseSupportedModes(phy)).toEqual(['IBSS', 'managed', 'AP', 'AP/VLAN', 'monitor', 'mesh point', 'P2P-client']);
    const timers = new ManualTimers(T0);
    const iw = scripted(timers, (_c, args) => ({ stdout: args[0] === 'dev' ? info : phy.replace('\t\t * monitor\n', '') }));
    expect(await supportsMonitorMode('wlan1', iw.run)).toBe(false);
    expect(iw.calls).toEqual(['+0 iw dev wlan1 info', '+0 iw phy phy1 info']);
  });
});

describe('hardware/wifi/monitor-setup.sh (stand-in iw and ip on PATH)', () => {
  const script = join(repoRoot, 'hardware', 'wifi', 'monitor-setup.sh');

  function runScript(args: string[], modes = 'managed AP monitor'): { status: number | null; out: string; log: string[] } {
    const dir = mkdtempSync(join(tmpdir(), 'odid-monitor-setup-'));
    try {
      const log = join(dir, 'log');
      const phy = `Wiphy phy1\\n\\tSupported interface modes:\\n${modes.split(' ').map((m) => `\\t\\t * ${m}\\n`).join('')}\\tBand 1:\\n`;
      writeFileSync(
        join(dir, 'iw'),
        `#!/bin/sh\necho "iw $*" >> "${log}"\ncase "$*" in\n` +
          `  "dev wlan1 info") printf 'Interface wlan1\\n\\tifindex 5\\n\\ttype managed\\n\\twiphy 1\\n' ;;\n` +
          `  "phy phy1 info") printf '${phy}' ;;\n` +
          `  "dev wlan1 set channel 149") echo "command failed: Invalid argument (-22)" >&2; exit 240 ;;\n` +
          `  "dev wlan9 info") echo "command failed: No such device (-19)" >&2; exit 237 ;;\nesac\n`,
      );
      writeFileSync(join(dir, 'ip'), `#!/bin/sh\necho "ip $*" >> "${log}"\n`);
      chmodSync(join(dir, 'iw'), 0o755);
      chmodSync(join(dir, 'ip'), 0o755);
      const r = spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      let lines: string[] = [];
      try {
        lines = readFileSync(log, 'utf8').trim().split('\n');
      } catch {
        // nothing was run
      }
      return { status: r.status, out: r.stdout + r.stderr, log: lines };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('switches to monitor mode and tunes, with the country set first', () => {
    if (process.getuid?.() !== 0) throw new Error('this test runs the script as root would: run the tests as root (as CI does)');
    const r = runScript(['wlan1', '6', '--country', 'DE']);
    expect(r.status).toBe(0);
    expect(r.log).toEqual([
      'iw dev wlan1 info',
      'iw phy phy1 info',
      'iw reg set DE',
      'ip link set wlan1 down',
      'iw dev wlan1 set type monitor',
      'ip link set wlan1 up',
      'iw dev wlan1 set channel 6',
      'iw dev wlan1 info',
    ]);
  });

  it('says why it cannot: no monitor mode, refused channel, no interface; --restore goes back', () => {
    if (process.getuid?.() !== 0) throw new Error('this test runs the script as root would: run the tests as root (as CI does)');
    const noMonitor = runScript(['wlan1'], 'managed AP');
    expect(noMonitor.status).toBe(1);
    expect(noMonitor.out).toMatch(/has no monitor mode: use the receiver's managed-mode scan source/);
    const ch = runScript(['wlan1', '149']);
    expect(ch.status).toBe(1);
    expect(ch.out).toMatch(/cannot use channel 149: .*--country XX or channel 6/);
    expect(runScript(['wlan9']).out).toMatch(/no Wi-Fi interface wlan9/);
    const back = runScript(['--restore', 'wlan1']);
    expect(back.status).toBe(0);
    expect(back.log.slice(1)).toEqual(['ip link set wlan1 down', 'iw dev wlan1 set type managed', 'ip link set wlan1 up']);
  });
});
