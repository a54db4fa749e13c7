/**
 * Opens a serial port through the `serialport` package, loaded only when a serial source is used, so
 * the rest of the toolkit runs where its native binding is missing. Errors say what to do.
 * Never calls SerialPort.list(): it spawns udevadm and crashes the process on systems without udev.
 */
import type { Readable } from 'node:stream';
import { UsageError } from '@odid/commands';
import { PositionSourceError } from './errors.js';

/** The part of serialport's SerialPort we use (a Duplex stream). */
export interface SerialPortLike extends Readable {
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(data: Buffer | Uint8Array, cb?: (err: Error | null | undefined) => void): boolean;
  readonly isOpen: boolean;
}

export type SerialPortCtor = new (opts: { path: string; baudRate: number; autoOpen: false }) => SerialPortLike;

/** Returns the SerialPort class; injectable so tests can use serialport's SerialPortMock. */
export type SerialLoader = () => Promise<SerialPortCtor>;

/** A loader for the serialport module; the specifier is a parameter only so tests can name a missing one. */
export function serialPortLoader(specifier = 'serialport'): SerialLoader {
  return async () => {
    let mod: { SerialPort?: unknown };
    try {
      mod = (await import(specifier)) as { SerialPort?: unknown };
    } catch (e) {
      throw new PositionSourceError(
        'not-installed',
        `serial ports need the '${specifier}' package, which could not be loaded (${(e as Error).message})`,
        'install it with: pnpm --filter @odid/position add serialport@13.0.0',
        { cause: e },
      );
    }
    if (typeof mod.SerialPort !== 'function') throw new PositionSourceError('not-installed', `'${specifier}' has no SerialPort class`, 'install serialport@13.0.0');
    return mod.SerialPort as SerialPortCtor;
  };
}

export const loadSerialPort: SerialLoader = serialPortLoader();

const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 921600, 1000000, 1500000, 2000000];

export function checkBaudRate(baud: number, what: string): number {
  if (!Number.isInteger(baud) || !BAUD_RATES.includes(baud)) {
    throw new UsageError('bad-baud-rate', `baud rate ${baud} is not a standard rate`, { subject: what, fix: `use one of ${BAUD_RATES.join(', ')}` });
  }
  return baud;
}

/** Open `path` at `baudRate`; rejects with an Error that names the device and the fix. */
export async function openSerialPort(path: string, baudRate: number, loader: SerialLoader = loadSerialPort): Promise<SerialPortLike> {
  const SerialPort = await loader();
  let port: SerialPortLike;
  try {
    port = new SerialPort({ path, baudRate, autoOpen: false });
  } catch (e) {
    throw new Error(`serial port ${path}: ${(e as Error).message}`, { cause: e });
  }
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(explainOpenError(path, err)) : resolve()));
  });
  return port;
}

export function explainOpenError(path: string, err: Error): PositionSourceError {
  const m = `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`;
  const failed = (code: PositionSourceError['code'], what: string, fix: string): PositionSourceError =>
    new PositionSourceError(code, `cannot open serial port ${path}: ${err.message}${what ? ` (${what})` : ''}`, fix, { cause: err });
  if (/ENOENT|No such file/i.test(m)) {
    return failed('no-device', 'no such device', 'plug in the receiver/autopilot, or name the right device; list candidates with: ls -l /dev/serial/by-id/ /dev/ttyUSB* /dev/ttyACM* /dev/ttyAMA* /dev/serial0');
  }
  if (/EACCES|Permission denied/i.test(m)) {
    return failed('permission', 'permission denied', 'add this user to the dialout group (sudo usermod -aG dialout $USER, then log in again) or run as root');
  }
  if (/EBUSY|lock|Resource temporarily unavailable/i.test(m)) {
    return failed('busy', 'the port is in use by another program: gpsd, ModemManager, a MAVLink router, a serial console?', "stop it, or use that program's output instead");
  }
  if (/ENOTTY|Inappropriate ioctl/i.test(m)) return failed('not-serial', 'not a serial device', 'for a recorded NMEA file use nmea:<file>');
  return failed('serial', '', 'check the device path and baud rate');
}
