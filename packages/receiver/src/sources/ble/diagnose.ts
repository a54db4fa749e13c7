/**
 * Why noble could not power on. noble reports only 'unsupported' for every failure to open the socket (no
 * Bluetooth in the kernel, no permission, no such adapter, adapter busy) and 'poweredOff' for an adapter
 * that is down, so after it gives up the source opens one socket itself, the way noble does, and reads the
 * errno. The native module *emits* 'error' when socket() fails but *throws* strerror() when bind() fails.
 */

import type { BleErrorCode } from './errors.js';
import type { HciSocketLike } from './noble.js';

export interface Diagnosis {
  code: BleErrorCode;
  detail: string;
}

const ERRNO: Readonly<Record<number, BleErrorCode>> = { 1: 'permission', 13: 'permission', 16: 'busy', 19: 'no-adapter', 97: 'no-bluetooth', 100: 'adapter-down' };
const MESSAGES: readonly [RegExp, BleErrorCode][] = [
  [/address family not supported/i, 'no-bluetooth'],
  [/operation not permitted|permission denied/i, 'permission'],
  [/no such device/i, 'no-adapter'],
  [/resource busy/i, 'busy'],
  [/network is down/i, 'adapter-down'],
];

function classify(e: unknown): Diagnosis | undefined {
  const err = e as { errno?: unknown; message?: unknown };
  const detail = typeof err.message === 'string' ? err.message : String(e);
  const byErrno = typeof err.errno === 'number' ? ERRNO[Math.abs(err.errno)] : undefined;
  const code = byErrno ?? MESSAGES.find(([re]) => re.test(detail))?.[1];
  return code === undefined ? undefined : { code, detail };
}

/**
 * Opens and closes one socket on `devId` (undefined: the adapter the native module picks). Returns what
 * is wrong, or undefined when the adapter opens and is up (then the controller itself was refused).
 */
export function diagnoseHci(createSocket: () => HciSocketLike, devId: number | undefined, userChannel: boolean): Diagnosis | undefined {
  let socket: HciSocketLike;
  try {
    socket = createSocket();
  } catch (e) {
    return classify(e) ?? { code: 'no-bluetooth', detail: (e as Error).message };
  }
  const emitted: Error[] = [];
  const onError = (e: Error): void => void emitted.push(e);
  socket.on('error', onError);
  let bound = false;
  try {
    const id = userChannel ? socket.bindUser(devId) : socket.bindRaw(devId);
    if (emitted[0] !== undefined) return classify(emitted[0]);
    if (typeof id !== 'number') return undefined;
    bound = true;
    // The user channel wants the adapter down; the raw channel wants it up.
    if (!userChannel && !socket.isDevUp()) return { code: 'adapter-down', detail: `hci${id} is not up` };
    return undefined;
  } catch (e) {
    return classify(e);
  } finally {
    // The native module closes the descriptor when its read thread ends: start, then stop.
    if (bound) {
      try {
        socket.start();
        socket.stop();
      } catch {
        // nothing more to release
      }
    }
    socket.removeListener('error', onError);
  }
}
