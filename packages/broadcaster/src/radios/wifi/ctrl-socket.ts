/**
 * A ControlChannel over hostapd's UNIX datagram control socket (ctrl_interface/IFACE). Node has no
 * AF_UNIX SOCK_DGRAM in node:dgram, so this uses the `unix-dgram` addon, loaded only when needed.
 *
 * Like wpa_ctrl.c (hostapd's own client library), the client binds a socket of its own first: hostapd
 * answers with sendto() to the sender's address, and an unbound datagram socket has none.
 */

import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import { RadioError } from '../types.js';
import type { ControlChannel } from './hostapd-control.js';

/** The part of unix-dgram 2.0.7 (lib/unix_dgram.js) this file uses; it ships no types. */
export interface UnixDgramSocket extends EventEmitter {
  bind(path: string): void;
  connect(path: string): void;
  send(buf: Buffer, cb?: (err?: Error) => void): void;
  close(): void;
}

export interface UnixDgramModule {
  createSocket(type: 'unix_dgram', listener?: (msg: Buffer, rinfo: { path?: string }) => void): UnixDgramSocket;
}

const FIX_UNIX_DGRAM =
  'install the addon: `pnpm install` with unix-dgram allowed to build (pnpm.onlyBuiltDependencies), which needs python3, make and g++; ' +
  'or use control: "hostapd_cli"';

/** Loads unix-dgram on first use; a missing or unbuilt addon becomes a RadioError saying so. */
export function loadUnixDgram(): UnixDgramModule {
  try {
    const mod = createRequire(import.meta.url)('unix-dgram') as UnixDgramModule;
    if (typeof mod.createSocket !== 'function') throw new Error('no createSocket export');
    return mod;
  } catch (e) {
    throw new RadioError('not-installed', 'wifi-beacon', `the unix-dgram addon cannot be loaded (${(e as Error).message.split('\n')[0]})`, FIX_UNIX_DGRAM);
  }
}

// unix-dgram reports failures as negative errno numbers in err.code.
const ERRNO: Record<number, string> = { [-1]: 'EPERM', [-2]: 'ENOENT', [-13]: 'EACCES', [-111]: 'ECONNREFUSED', [-11]: 'EAGAIN' };

function explain(err: Error & { code?: unknown }, socketPath: string): RadioError {
  const name = typeof err.code === 'number' ? (ERRNO[err.code] ?? `errno ${-err.code}`) : String(err.code ?? err.message);
  switch (name) {
    case 'ENOENT':
      return new RadioError('hostapd', 'wifi-beacon', `no hostapd control socket at ${socketPath}`, 'start hostapd with ctrl_interface set to that directory, and check the interface name');
    case 'ECONNREFUSED':
      return new RadioError('hostapd', 'wifi-beacon', `${socketPath} is a stale control socket: hostapd is not running`, 'start hostapd again (it recreates the socket)');
    case 'EACCES':
    case 'EPERM':
      return new RadioError('permission', 'wifi-beacon', `permission denied on ${socketPath}`, 'run as root, or set ctrl_interface_group to a group you are in');
    default:
      return new RadioError('hostapd', 'wifi-beacon', `control socket ${socketPath}: ${name} (${err.message})`, 'check that hostapd is running with this ctrl_interface');
  }
}

let clientCounter = 0;

export interface UnixDgramChannelOptions {
  /** Reply timeout per command (default 2000 ms; hostapd answers in well under 10 ms). */
  timeoutMs?: number;
  /** The addon; tests and callers that already loaded it pass it in. */
  module?: UnixDgramModule;
  /** Where the client's own socket goes (default the OS temp dir, as wpa_ctrl uses /tmp). */
  clientDir?: string;
}

export class UnixDgramChannel implements ControlChannel {
  readonly description: string;
  private pending: { resolve: (reply: string) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> } | undefined;
  private closed = false;

  private constructor(
    private readonly socket: UnixDgramSocket,
    private readonly socketPath: string,
    private readonly clientPath: string,
    private readonly timeoutMs: number,
  ) {
    this.description = `hostapd control socket ${socketPath} (unix-dgram)`;
    socket.on('message', (msg: Buffer) => this.onMessage(msg.toString('utf8')));
    socket.on('error', (e: Error) => this.fail(explain(e, socketPath)));
    socket.on('congestion', () => this.fail(new RadioError('hostapd', 'wifi-beacon', `hostapd's socket ${socketPath} is not reading`, 'check hostapd is not stuck (restart it)')));
  }

  /** Binds a client socket and connects it to `socketPath`; throws RadioError if hostapd is not there. */
  static open(socketPath: string, opts: UnixDgramChannelOptions = {}): UnixDgramChannel {
    const mod = opts.module ?? loadUnixDgram();
    const clientPath = join(opts.clientDir ?? tmpdir(), `odid_hostapd_${process.pid}_${++clientCounter}`);
    rmSync(clientPath, { force: true });
    const socket = mod.createSocket('unix_dgram');
    // bind() and connect() report through events, synchronously: collect the first error.
    let failure: Error | undefined;
    const onError = (e: Error): void => {
      failure ??= e;
    };
    socket.on('error', onError);
    socket.bind(clientPath);
    if (!failure) socket.connect(socketPath);
    socket.off('error', onError);
    if (failure) {
      socket.close();
      rmSync(clientPath, { force: true });
      throw explain(failure, socketPath);
    }
    return new UnixDgramChannel(socket, socketPath, clientPath, opts.timeoutMs ?? 2000);
  }

  request(command: string): Promise<string> {
    if (this.closed) return Promise.reject(new RadioError('not-started', 'wifi-beacon', 'the hostapd control channel is closed', 'start the radio again'));
    if (this.pending) return Promise.reject(new Error('UnixDgramChannel: one request at a time (HostapdControl queues them)'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new RadioError('hostapd', 'wifi-beacon', `hostapd did not answer '${command.split(' ')[0]}' within ${this.timeoutMs} ms on ${this.socketPath}`, 'check that hostapd is still running (its output says why it stopped)'));
      }, this.timeoutMs);
      this.pending = { resolve, reject, timer };
      this.socket.send(Buffer.from(command, 'utf8'), (err) => {
        if (err) this.fail(explain(err as Error & { code?: unknown }, this.socketPath));
      });
    });
  }

  private onMessage(text: string): void {
    // "<N>..." are unsolicited events, sent only to ATTACHed monitors; never a reply.
    if (text.startsWith('<') || !this.pending) return;
    const p = this.pending;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve(text);
  }

  private fail(e: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(e);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new RadioError('hostapd', 'wifi-beacon', 'the hostapd control channel was closed', 'start the radio again'));
    this.socket.close();
    rmSync(this.clientPath, { force: true });
  }
}
