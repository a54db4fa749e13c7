/**
 * Opening the Linux HCI socket through `@stoprocent/bluetooth-hci-socket` (or anything with its API, such
 * as the test suite's fake controller), and turning every way that can fail into an HciOpenError that says
 * how to fix it.
 *
 * Channel choice: the user channel (HCI_CHANNEL_USER, `bindUser`) is the default because it gives this
 * process the controller alone. On the raw channel bluetoothd keeps driving the same controller; BlueZ then
 * sends its own (often extended) advertising commands, and a Bluetooth 5 controller that has latched one
 * command style answers the other with Command Disallowed (Core Vol 4 Part E §3.1.1), or bluetoothd's own
 * adverts change under ours. The user channel needs the adapter down (`hciconfig hci0 down` or
 * `btmgmt -i hci0 power off`); `channel: 'raw'` is there for machines where that is not possible.
 *
 * The native module reports a failed socket() by *emitting* 'error' (with errno and syscall) and returning
 * undefined from bind, but a failed bind() by *throwing* an Error whose message is strerror() without a
 * code; both paths are handled here.
 */

import { createRequire } from 'node:module';
import { HciOpenError, type HciOpenErrorCode } from './errors.js';
import { EVT_COMMAND_COMPLETE, EVT_COMMAND_STATUS, EVT_LE_META, H4_EVENT } from './opcodes.js';

/** The part of the bluetooth-hci-socket API this layer uses. */
export interface HciSocket {
  bindUser(devId?: number): number | undefined;
  bindRaw(devId?: number): number | undefined;
  setFilter(filter: Buffer): void;
  start(): void;
  stop(): void;
  write(data: Buffer): void;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'data', listener: (data: Buffer) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

export type HciSocketFactory = () => HciSocket;
export type HciChannel = 'user' | 'raw';

export const HCI_SOCKET_PACKAGE = '@stoprocent/bluetooth-hci-socket';

/** Loads the native module only when a radio starts: importing the broadcaster must work without it. */
export function nativeSocketFactory(): HciSocketFactory {
  let ctor: new () => HciSocket;
  try {
    ctor = createRequire(import.meta.url)(HCI_SOCKET_PACKAGE) as new () => HciSocket;
  } catch (e) {
    throw new HciOpenError('ENOMODULE', 'HCI', `cannot load ${HCI_SOCKET_PACKAGE}: ${(e as Error).message}`, `reinstall the broadcaster's dependencies (pnpm install); the package ships prebuilt binaries for linux-x64/arm64`, { cause: e });
  }
  return () => new ctor();
}

const ERRNO_CODES: Readonly<Record<number, HciOpenErrorCode>> = { 1: 'EPERM', 13: 'EACCES', 16: 'EBUSY', 19: 'ENODEV', 97: 'EAFNOSUPPORT', 100: 'ENETDOWN' };
const MESSAGE_CODES: readonly [RegExp, HciOpenErrorCode][] = [
  [/address family not supported/i, 'EAFNOSUPPORT'],
  [/operation not permitted/i, 'EPERM'],
  [/permission denied/i, 'EACCES'],
  [/no such device/i, 'ENODEV'],
  [/resource busy/i, 'EBUSY'],
  [/network is down/i, 'ENETDOWN'],
];

function classify(e: unknown): HciOpenErrorCode {
  const err = e as { errno?: unknown; code?: unknown; message?: unknown };
  if (typeof err.code === 'string' && MESSAGE_CODES.some(([, c]) => c === err.code)) return err.code as HciOpenErrorCode;
  if (typeof err.errno === 'number') {
    const code = ERRNO_CODES[Math.abs(err.errno)];
    if (code !== undefined) return code;
  }
  const msg = typeof err.message === 'string' ? err.message : String(e);
  return MESSAGE_CODES.find(([re]) => re.test(msg))?.[1] ?? 'UNKNOWN';
}

const SETCAP = 'sudo setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which node))';

/** What went wrong and how to fix it, per errno. */
export function openFailureAdvice(code: HciOpenErrorCode, device: string, channel: HciChannel): { reason: string; fix: string } {
  switch (code) {
    case 'EAFNOSUPPORT':
      return {
        reason: 'this kernel has no Bluetooth support (socket(AF_BLUETOOTH) fails with EAFNOSUPPORT)',
        fix: 'run on a Linux machine with Bluetooth (kernel module "bluetooth" loaded: `sudo modprobe bluetooth`); containers need the host\'s Bluetooth (e.g. --net=host with the adapter passed through)',
      };
    case 'EPERM':
    case 'EACCES':
      return {
        reason: `no permission to open ${device} (raw HCI needs CAP_NET_RAW${channel === 'user' ? ' and the user channel CAP_NET_ADMIN' : ''})`,
        fix: `run as root or grant the capabilities: ${SETCAP}`,
      };
    case 'ENODEV':
      return {
        reason: `there is no Bluetooth adapter ${device}`,
        fix: 'check `hciconfig -a` or `btmgmt info` for the adapters present and pass the right hciDevice number',
      };
    case 'EBUSY':
      return {
        reason: `${device} is in use: the user channel needs the adapter down and not held by another program`,
        fix: `bring the adapter down (\`sudo hciconfig ${device} down\` or \`sudo btmgmt -i ${device} power off\`), or stop bluetoothd (\`sudo systemctl stop bluetooth\`); or use channel 'raw' to share it with bluetoothd`,
      };
    case 'ENETDOWN':
      return {
        reason: `${device} is down, and the raw channel needs it up`,
        fix: `bring it up (\`sudo hciconfig ${device} up\`), or use the default user channel, which wants it down`,
      };
    default:
      return {
        reason: `cannot open ${device}`,
        fix: `check \`hciconfig -a\`/\`btmgmt info\`, run as root or ${SETCAP}, and bring the adapter down for the user channel or stop bluetoothd`,
      };
  }
}

/** Linux struct hci_filter: type_mask (4), event_mask (2 x 4), opcode (2): events only, CC/CS/LE Meta. */
function rawChannelFilter(): Buffer {
  const f = Buffer.alloc(14);
  f.writeUInt32LE(1 << H4_EVENT, 0);
  f.writeUInt32LE((1 << EVT_COMMAND_COMPLETE) | (1 << EVT_COMMAND_STATUS), 4);
  f.writeUInt32LE(1 << (EVT_LE_META - 32), 8);
  return f;
}

/** Creates, binds and starts a socket on hci<devId>; throws HciOpenError with a fix on any failure. */
export function openHciSocket(factory: HciSocketFactory, devId: number, channel: HciChannel): HciSocket {
  const device = `hci${devId}`;
  const fail = (e: unknown): HciOpenError => {
    const code = classify(e);
    const { reason, fix } = openFailureAdvice(code, device, channel);
    const detail = e instanceof Error ? e.message : String(e);
    return new HciOpenError(code, device, `${reason}: ${detail}`, fix, { cause: e });
  };
  let socket: HciSocket;
  try {
    socket = factory();
  } catch (e) {
    throw e instanceof HciOpenError ? e : fail(e);
  }
  // Errors emitted during bind (socket() failed) are collected here; afterwards the transport listens.
  const emitted: Error[] = [];
  const onError = (e: Error): void => void emitted.push(e);
  socket.on('error', onError);
  let bound = false;
  try {
    const id = channel === 'user' ? socket.bindUser(devId) : socket.bindRaw(devId);
    if (emitted[0] !== undefined) throw emitted[0];
    if (typeof id !== 'number') throw new Error(`bind${channel === 'user' ? 'User' : 'Raw'}(${devId}) returned no device`);
    bound = true;
    // The raw channel delivers nothing until a filter lets events through; the user channel is unfiltered.
    if (channel === 'raw') socket.setFilter(rawChannelFilter());
    socket.start();
  } catch (e) {
    // The native module closes the descriptor only when its read thread ends: start then stop releases a
    // bound socket (and with it the user channel).
    if (bound) {
      try {
        socket.start();
        socket.stop();
      } catch {
        // Nothing more can be released.
      }
    }
    throw fail(e);
  } finally {
    socket.removeListener('error', onError);
  }
  return socket;
}
