/**
 * hostapd as a child process: started in the foreground (no -B, so it dies with us and its output is
 * ours), ready once it prints "AP-ENABLED", and, when it fails, a RadioError that turns hostapd 2.10's
 * own words into what to do about them.
 */

import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { RadioError } from '../types.js';

export type SpawnFn = (cmd: string, args: readonly string[]) => ChildProcess;

export interface HostapdProcessOptions {
  configPath: string;
  /** Interface name, for error messages. */
  iface: string;
  /** Path or name of hostapd (default: found on PATH). */
  hostapdPath?: string;
  /** Pass -dd: hostapd logs everything (useful when a driver misbehaves). */
  debug?: boolean;
  /** How long to wait for AP-ENABLED (default 15 s: a 5 GHz channel may first need a scan). */
  readyTimeoutMs?: number;
  spawn?: SpawnFn;
}

/** hostapd's output is kept up to this many characters (the end of it is what explains a failure). */
const OUTPUT_KEEP = 64 * 1024;

/** What went wrong, from what hostapd printed; undefined if nothing known is in the output. */
export function explainHostapdOutput(output: string, iface: string): { reason: string; fix: string } | undefined {
  const line = output.match(/^Line (\d+): (.*)$/m);
  if (line) {
    return { reason: `hostapd refused line ${line[1]} of its configuration: ${line[2]}`, fix: 'run `hostapd -dd FILE` on the written file; report it if the broadcaster wrote it' };
  }
  const rules: [RegExp, string, string][] = [
    [/RF-kill|rfkill: WLAN (soft|hard) blocked/, 'the radio is switched off (rfkill)', 'rfkill unblock wlan (a hard block is a switch or BIOS setting)'],
    [/generic netlink not found|nl80211 not found/, 'the kernel has no nl80211 (no Wi-Fi driver is loaded)', 'plug in a Wi-Fi adapter that supports AP mode and check `iw dev` lists it; see hardware/wifi/README.md'],
    [/No such device/, `there is no network interface ${iface}`, 'name an interface that `iw dev` lists'],
    [/Operation not permitted|Permission denied/, 'hostapd is not allowed to configure the interface', 'run the broadcaster as root (hostapd needs CAP_NET_ADMIN and CAP_NET_RAW)'],
    [/Device or resource busy|Could not configure driver mode|Could not set interface .* mode/, `${iface} is in use by another program`, `stop NetworkManager/wpa_supplicant from managing it: nmcli device set ${iface} managed no (or systemctl stop wpa_supplicant)`],
    [/not allowed for AP mode|NO-IR|no IR|Could not select hw_mode and channel|not found from the channel list/, 'the adapter or the regulatory domain does not allow beaconing on this channel', 'set the country code of where you fly (iw reg set XX and the radio\'s countryCode), or use channel 6; see hardware/wifi/README.md'],
    [/AP mode|ap mode/, `${iface} does not support AP mode`, 'use an adapter whose `iw list` shows "* AP" under Supported interface modes, or the inject back-end'],
    [/Failed to set beacon parameters/, 'the driver refused the beacon (interval or size)', 'try a beacon rate of 1 or 2 Hz; some drivers accept only 100..1000 TU'],
  ];
  for (const [re, reason, fix] of rules) if (re.test(output)) return { reason, fix };
  return undefined;
}

export class HostapdProcess {
  private child: ChildProcess | undefined;
  private out = '';
  private exitInfo: string | undefined;

  constructor(private readonly opts: HostapdProcessOptions) {}

  /** Everything hostapd printed (the last 64 KiB). */
  get output(): string {
    return this.out;
  }

  /** Undefined while running; how it ended otherwise. */
  get exited(): string | undefined {
    return this.exitInfo;
  }

  /** Starts hostapd; resolves at AP-ENABLED; rejects with a RadioError (and no process left behind). */
  start(): Promise<void> {
    const o = this.opts;
    const cmd = o.hostapdPath ?? 'hostapd';
    const args = [...(o.debug ? ['-dd'] : []), o.configPath];
    this.out = '';
    this.exitInfo = undefined;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err?: RadioError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const child = (o.spawn ?? nodeSpawn)(cmd, args);
      this.child = child;
      const timer = setTimeout(() => {
        void this.stop();
        settle(this.failure(`hostapd did not report AP-ENABLED within ${o.readyTimeoutMs ?? 15_000} ms`));
      }, o.readyTimeoutMs ?? 15_000);
      const onData = (chunk: Buffer): void => {
        this.out = (this.out + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
        if (/AP-ENABLED/.test(this.out)) settle();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('error', (e: NodeJS.ErrnoException) => {
        this.exitInfo = e.code ?? e.message;
        this.child = undefined;
        settle(
          e.code === 'ENOENT'
            ? new RadioError('not-installed', 'wifi-beacon', `${cmd} is not installed`, 'apt-get install hostapd, or run scripts/setup.sh')
            : new RadioError('hostapd', 'wifi-beacon', `cannot start ${cmd}: ${e.message}`, 'check the hostapd path and permissions'),
        );
      });
      child.on('exit', (code, signal) => {
        this.exitInfo = signal ? `killed by ${signal}` : `exit code ${code}`;
        this.child = undefined;
        settle(this.failure(`hostapd stopped (${this.exitInfo}) before the AP was up`));
      });
    });
  }

  /** A RadioError for a hostapd that stopped or never came up, explained from its output where possible. */
  failure(what: string): RadioError {
    const known = explainHostapdOutput(this.out, this.opts.iface);
    const tail = this.out.trim().split('\n').slice(-3).join(' / ');
    if (known) return new RadioError('hostapd', 'wifi-beacon', `${what}: ${known.reason}`, known.fix);
    return new RadioError('hostapd', 'wifi-beacon', `${what}; it said: ${tail || '(nothing)'}`, `run \`${this.opts.hostapdPath ?? 'hostapd'} -dd ${this.opts.configPath}\` to see the whole story`);
  }

  /** SIGTERM (hostapd removes its control socket and stops beaconing), SIGKILL after 3 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
    this.child = undefined;
  }
}
