/**
 * The errors of the position sources: a spec that names no source or a bad one (PositionSpecError, a usage
 * error), and, once a source runs, a device, a daemon or a port that is not there or not ours
 * (PositionSourceError), each with what the person at the drone or the receiver can do about it. Tests
 * assert on `code`.
 */

import { ToolkitError, UsageError } from '@odid/commands';

export type PositionSpecErrorCode =
  | 'unknown-scheme' // no registered form fits the spec
  | 'bad-spec' // a registered form, wrongly filled in
  | 'route-file'; // sim:FILE names a file that cannot be read

/** A --position spec that cannot make a source: "position source 'SPEC': REASON; FIX". */
export class PositionSpecError extends UsageError {
  override readonly name = 'PositionSpecError';
  declare readonly code: PositionSpecErrorCode;
  constructor(code: PositionSpecErrorCode, spec: string, reason: string, opts: { fix?: string | undefined; cause?: unknown } = {}) {
    super(code, reason, { subject: `position source '${spec}'`, ...(opts.fix ? { fix: opts.fix } : {}), ...(opts.cause === undefined ? {} : { cause: opts.cause }) });
  }
}

export type PositionSourceErrorCode =
  | 'not-installed' // the serialport package cannot be loaded
  | 'no-device' // a serial device that is not there
  | 'permission' // a device or a port the user may not open
  | 'busy' // a serial device or a UDP port another program holds
  | 'not-serial' // a path that is not a serial device
  | 'serial' // any other failure to open a serial port
  | 'unreadable' // an NMEA file that cannot be read
  | 'no-address' // a UDP address that is not this machine's
  | 'udp' // any other failure to listen on UDP
  | 'unreachable' // gpsd does not answer
  | 'no-gnss'; // gpsd runs without a receiver

export class PositionSourceError extends ToolkitError {
  override readonly name = 'PositionSourceError';
  declare readonly code: PositionSourceErrorCode;
  constructor(code: PositionSourceErrorCode, reason: string, fix: string, opts: { subject?: string; cause?: unknown } = {}) {
    super(code, reason, { ...opts, fix });
  }
}
