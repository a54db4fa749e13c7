/**
 * Sends HCI commands one at a time and waits for each one's Command Complete or Command Status
 * (Core v5.4 Vol 4 Part E §4.4: the controller acknowledges every command with one of the two). Commands from
 * several users of one controller (the legacy and the long-range radio) queue up in order. A non-zero status
 * becomes an HciError naming the command, the status and its meaning.
 */

import { HciError } from './errors.js';
import { parseEvent } from './events.js';
import type { HciSocket } from './socket.js';

/** setTimeout/clearTimeout, injectable so tests control when a command times out. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface HciTransportOptions {
  /** How long one command may take; default 2000 ms (controllers answer in a few ms). */
  timeoutMs?: number;
  timers?: Timers;
}

export interface CommandResult {
  opcode: number;
  /** Return parameters after Status (empty for a Command Status). */
  returnParameters: Uint8Array;
}

interface Pending {
  packet: Uint8Array;
  opcode: number;
  resolve(r: CommandResult): void;
  reject(e: Error): void;
}

export class HciTransport {
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private timer: unknown;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly timers: Timers;
  private readonly onData = (data: Buffer): void => this.handle(data);
  private readonly onError = (e: Error): void => this.fail(new HciError('socket', this.current?.opcode ?? 0, undefined, `socket error: ${e.message}`));

  constructor(
    private readonly socket: HciSocket,
    opts: HciTransportOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.timers = opts.timers ?? systemTimers;
    socket.on('data', this.onData);
    socket.on('error', this.onError);
  }

  /** Sends one command packet (from commands.ts) and resolves with its return parameters. */
  send(packet: Uint8Array): Promise<CommandResult> {
    const opcode = (packet[1] ?? 0) | ((packet[2] ?? 0) << 8);
    if (this.closed) return Promise.reject(new HciError('closed', opcode, undefined, 'the HCI transport is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ packet, opcode, resolve, reject });
      this.next();
    });
  }

  /** Stops listening and fails whatever is still waiting. Does not stop the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('error', this.onError);
    const err = (p: Pending): HciError => new HciError('closed', p.opcode, undefined, 'the HCI transport was closed before the controller answered');
    if (this.current) this.settle((p) => p.reject(err(p)));
    for (const p of this.queue.splice(0)) p.reject(err(p));
  }

  private next(): void {
    if (this.current !== undefined || this.closed) return;
    const p = this.queue.shift();
    if (p === undefined) return;
    this.current = p;
    this.timer = this.timers.setTimeout(() => {
      this.fail(
        new HciError(
          'timeout',
          p.opcode,
          undefined,
          `no answer from the controller within ${this.timeoutMs} ms: check that the adapter is present and not driven by another program (hciconfig -a, btmgmt info)`,
        ),
      );
    }, this.timeoutMs);
    try {
      this.socket.write(Buffer.from(p.packet));
    } catch (e) {
      this.fail(new HciError('socket', p.opcode, undefined, `write failed: ${(e as Error).message}`));
    }
  }

  private handle(data: Buffer): void {
    const p = this.current;
    if (p === undefined) return;
    const ev = parseEvent(data);
    // Events for other commands (another process on the raw channel, opcode 0 flow-control updates) are not ours.
    if (ev === undefined || ev.kind === 'other' || ev.opcode !== p.opcode) return;
    if (ev.status !== 0) {
      const how = ev.kind === 'command-status' ? 'Command Status' : 'Command Complete';
      this.settle((q) => q.reject(new HciError('status', q.opcode, ev.status, `in ${how}`)));
      return;
    }
    const returnParameters = ev.kind === 'command-complete' ? Uint8Array.from(ev.returnParameters) : new Uint8Array(0);
    this.settle((q) => q.resolve({ opcode: q.opcode, returnParameters }));
  }

  private fail(e: HciError): void {
    if (this.current === undefined) return;
    this.settle((q) => q.reject(e));
  }

  private settle(how: (p: Pending) => void): void {
    const p = this.current;
    if (p === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.current = undefined;
    how(p);
    queueMicrotask(() => this.next());
  }
}
