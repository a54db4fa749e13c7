/**
 * iw and ip failures -> WifiSourceError. iw 5.19 reports kernel errors as "command failed: <strerror>
 * (-<errno>)" (iw.c, __handle_cmd) and "nl80211 not found." when the kernel has no nl80211 at all;
 * iproute2 says `Cannot find device "X"` and "RTNETLINK answers: <strerror>".
 */

import { toolOutput, type CommandResult } from './commands.js';
import { WifiSourceError } from './errors.js';

export interface IwContext {
  tool: 'iw' | 'ip';
  iface: string;
  /** What was being done, for the message: "set channel 149", "set type monitor", "scan". */
  action: string;
  channel?: number;
}

const SETUP = (iface: string): string => `sudo hardware/wifi/monitor-setup.sh ${iface} 6`;

export function explainIwFailure(r: CommandResult, c: IwContext): WifiSourceError {
  const said = toolOutput(r);
  const what = `${c.tool} ${c.action} on ${c.iface}`;
  if (r.spawnError === 'ENOENT') {
    return new WifiSourceError('not-installed', `${c.tool} is not installed`, `apt-get install ${c.tool === 'iw' ? 'iw' : 'iproute2'} (scripts/setup.sh installs it)`);
  }
  if (/nl80211 not found/.test(said)) {
    return new WifiSourceError('no-wifi-driver', 'the kernel has no nl80211: no Wi-Fi driver is loaded', 'plug in a supported Wi-Fi adapter (hardware/wifi/README.md) and check that `iw dev` lists it');
  }
  if (/No such device|Cannot find device|\(-19\)/.test(said)) {
    return new WifiSourceError('no-device', `there is no interface ${c.iface} (${what})`, 'name an interface that `iw dev` lists');
  }
  if (/Operation not permitted|Permission denied|\(-1\)|\(-13\)/.test(said)) {
    return new WifiSourceError('permission', `not allowed: ${what} (${said})`, `run as root, or prepare the interface beforehand: ${SETUP(c.iface)}`);
  }
  if (/Device or resource busy|\(-16\)/.test(said)) {
    return new WifiSourceError(
      'busy',
      `${c.iface} is busy: ${what} (${said})`,
      `stop NetworkManager/wpa_supplicant from managing it (nmcli device set ${c.iface} managed no), bring it down first, or wait for the running scan`,
    );
  }
  if (/Network is down|\(-100\)/.test(said)) {
    return new WifiSourceError('interface-down', `${c.iface} is down: ${what}`, `ip link set ${c.iface} up`);
  }
  if (/Invalid argument|\(-22\)/.test(said) && c.channel !== undefined) {
    return new WifiSourceError(
      'channel',
      `${c.iface} cannot use channel ${c.channel} (2.4 GHz-only adapter, or the regulatory domain forbids it)`,
      `leave channel ${c.channel} out of the channel list, or set the country where you are: iw reg set XX (hardware/wifi/README.md)`,
    );
  }
  if (/Operation not supported|not supported|\(-95\)/.test(said)) {
    return new WifiSourceError(
      'unsupported',
      `${c.iface} does not support this: ${what} (${said})`,
      c.action.includes('monitor') || c.action.includes('channel')
        ? `use an adapter with monitor mode (hardware/wifi/README.md), put the interface in monitor mode first (${SETUP(c.iface)}), or use the managed-mode scan source`
        : 'scanning needs a managed-mode interface: use the monitor source on monitor interfaces',
    );
  }
  return new WifiSourceError('tool-failed', `${what} failed: ${said}`, `run \`${c.tool} ${c.tool === 'iw' ? `dev ${c.iface} ` : ''}...\` by hand to see more; see hardware/wifi/README.md`);
}
