/**
 * The one error type of the BLE source: what is wrong with Bluetooth on this machine, and the commands
 * that fix it. Tests assert on `code`; the text is for the person at the receiver.
 */

import { ToolkitError } from '@odid/codec';

export type BleErrorCode =
  | 'no-noble' // @stoprocent/noble cannot be loaded
  | 'noble-internals' // this noble version no longer has the HCI socket the source reads
  | 'no-bluetooth' // the kernel has no Bluetooth (socket(AF_BLUETOOTH) fails with EAFNOSUPPORT)
  | 'permission' // no CAP_NET_RAW/CAP_NET_ADMIN
  | 'no-adapter' // there is no hciN
  | 'adapter-down' // noble's poweredOff: the adapter is down or soft-blocked
  | 'busy' // the user channel is held, or the adapter is up while the user channel is asked for
  | 'no-le' // the controller is older than Bluetooth 4.0
  | 'no-extended' // extended scanning was required, the controller has no LE extended advertising
  | 'timeout' // the controller never became ready
  | 'scan-failed' // noble refused to start scanning
  | 'malformed' // the controller sent a report that cannot be read (non-fatal)
  | 'config'; // options that cannot work

/** "ble: REASON. Fix: FIX". */
export class BleSourceError extends ToolkitError {
  override readonly name = 'BleSourceError';
  declare readonly code: BleErrorCode;
  declare readonly fix: string;
  constructor(code: BleErrorCode, reason: string, fix: string, options?: ErrorOptions) {
    super(code, reason, { subject: 'ble', fix, ...options });
  }
}

const SETCAP = 'sudo setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which node))';
const NO_RADIO = 'or run without a radio: `rid-scan --sim`, or `rid-scan --replay FILE` for a btmon/pcapng capture';

/** The error for a failure `code` on `device` ("hci0"), with the fix for this machine's setup. */
export function bleError(code: BleErrorCode, device: string, detail?: string, options?: ErrorOptions): BleSourceError {
  const d = detail ? ` (${detail})` : '';
  switch (code) {
    case 'no-noble':
      return new BleSourceError(code, `cannot load @stoprocent/noble${d}`, 'install the receiver\'s dependencies: `pnpm install` in the workspace (noble ships prebuilt binaries; on Linux it needs none)', options);
    case 'noble-internals':
      return new BleSourceError(code, `this @stoprocent/noble has no HCI socket at _bindings._hci._socket${d}, so raw advertising reports cannot be read`, 'install the version packages/receiver/package.json names (`pnpm install --frozen-lockfile`)', options);
    case 'no-bluetooth':
      return new BleSourceError(code, `this kernel has no Bluetooth support${d}`, `run on a Linux machine with a Bluetooth adapter (\`sudo modprobe bluetooth\`, then \`sudo rfkill unblock bluetooth\`); containers need the host network and the adapter passed through; ${NO_RADIO}`, options);
    case 'permission':
      return new BleSourceError(code, `no permission to open ${device}${d}: raw HCI needs CAP_NET_RAW and CAP_NET_ADMIN`, `run as root, or grant node the capabilities once: ${SETCAP}`, options);
    case 'no-adapter':
      return new BleSourceError(code, `there is no Bluetooth adapter ${device}${d}`, '`hciconfig -a` (or `btmgmt info`) lists the adapters: pick one with --hci N (or NOBLE_HCI_DEVICE_ID=N); a USB dongle may need `sudo rfkill unblock bluetooth`', options);
    case 'adapter-down':
      return new BleSourceError(code, `${device} is powered off${d}`, `\`sudo rfkill unblock bluetooth\`, then \`sudo hciconfig ${device} up\` (or \`bluetoothctl power on\`)`, options);
    case 'busy':
      return new BleSourceError(code, `${device} is busy${d}: the HCI user channel needs the adapter down and no other program holding it`, `stop bluetoothd (\`sudo systemctl stop bluetooth\`) and \`sudo hciconfig ${device} down\`, or scan on the shared raw channel instead (leave userChannel off and HCI_CHANNEL_USER unset)`, options);
    case 'no-le':
      return new BleSourceError(code, `${device} is older than Bluetooth 4.0 and cannot scan Bluetooth Low Energy${d}`, 'use a Bluetooth 4.0 or newer adapter; Bluetooth 5 with LE Coded PHY also hears long-range Remote ID', options);
    case 'no-extended':
      return new BleSourceError(code, `${device} has no LE extended advertising (a Bluetooth 4.x controller)${d}, so Bluetooth 5 long-range Remote ID cannot be heard`, "use a Bluetooth 5 adapter with LE Coded PHY, or scan: 'auto' to take the legacy adverts only", options);
    case 'timeout':
      return new BleSourceError(code, `${device} did not become ready${d}`, `check \`hciconfig -a\` (the adapter should be UP RUNNING), \`sudo rfkill unblock bluetooth\`, \`sudo hciconfig ${device} up\`; another program may hold the user channel`, options);
    case 'scan-failed':
      return new BleSourceError(code, `${device} refused to start scanning${d}`, `check \`hciconfig -a\`, and \`btmon\` for the refused command; stop other programs scanning on ${device}`, options);
    case 'malformed':
      return new BleSourceError(code, `${device} sent an advertising report that cannot be read${d}`, 'update the adapter\'s firmware; if it persists, record it with `btmon -w FILE` and report it', options);
    case 'config':
      return new BleSourceError(code, `bad BLE source options${d}`, 'see BleSourceOptions in packages/receiver/src/sources/ble.ts', options);
  }
}
