/**
 * Where CoT events go: UDP (ATAK's SA multicast group 239.2.3.1:6969 by default, or any unicast address)
 * and TCP (a TAK server's or ATAK's streaming input). Sending is opt-in: nothing leaves the laptop unless
 * one of these is created, and the multicast TTL defaults to 1 (the local network segment only).
 *
 * Framing: a UDP datagram carries one event with its XML declaration. TCP carries events back to back
 * (`<event ...>...</event><event ...>`), without declarations, since a declaration is only allowed at the
 * start of a document and TAK stream readers split on the event elements.
 */

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, isIP, isIPv4, type Socket as TcpSocket } from 'node:net';
import { ToolkitError } from '@odid/codec';

export interface CotSender {
  send(xml: string): Promise<void>;
  close(): Promise<void>;
}

export const COT_MULTICAST_GROUP = '239.2.3.1';
export const COT_MULTICAST_PORT = 6969;

export interface UdpCotOptions {
  /** Default 239.2.3.1 (ATAK situational-awareness multicast). */
  host?: string;
  /** Default 6969. */
  port?: number;
  /** Multicast TTL (default 1: stays on the local segment). */
  ttl?: number;
  /** Local IPv4 address of the interface to send multicast from (default: the system's choice). */
  interface?: string;
  /** Whether this host's own sockets see the multicast (default true, so a local ATAK/WinTAK gets it). */
  loopback?: boolean;
  /** Makes the (unbound) UDP socket; default `dgram.createSocket({ type: 'udp4', reuseAddr: true })`. Tests inject one. */
  createSocket?: () => UdpSocket;
}

/** Where --cot sends: the parsed URL (parseCotUrl, in the outputs' registry). */
export interface CotTarget {
  protocol: 'udp' | 'tcp';
  /** A host name or an IP address (an IPv6 one without its URL brackets). */
  host: string;
  port: number;
}

const isMulticast = (host: string): boolean => isIPv4(host) && Number(host.split('.')[0]) >= 224 && Number(host.split('.')[0]) <= 239;

export async function createUdpCotSender(opts: UdpCotOptions = {}): Promise<CotSender> {
  const port = opts.port ?? COT_MULTICAST_PORT;
  // An IPv6 address works in its URL form too; a host name is looked up once, here, not per datagram.
  let host = (opts.host ?? COT_MULTICAST_GROUP).replace(/^\[(.*)\]$/, '$1');
  let family = isIP(host);
  if (family === 0) {
    try {
      ({ address: host, family } = await lookup(host));
    } catch (e) {
      throw new ToolkitError('unresolvable', `cannot resolve ${opts.host}: ${(e as Error).message}`, { subject: 'CoT UDP', cause: e });
    }
  }
  const socket: UdpSocket = opts.createSocket ? opts.createSocket() : createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  if (isMulticast(host)) {
    socket.setMulticastTTL(opts.ttl ?? 1);
    socket.setMulticastLoopback(opts.loopback ?? true);
    if (opts.interface) socket.setMulticastInterface(opts.interface);
  }
  let closed = false;
  return {
    send(xml) {
      if (closed) return Promise.reject(new Error('CoT UDP sender is closed'));
      return new Promise((resolve, reject) => socket.send(Buffer.from(xml, 'utf8'), port, host, (err) => (err ? reject(err) : resolve())));
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}

export interface TcpCotOptions {
  host: string;
  /** TAK servers commonly listen on 8087 for plain streaming CoT; ATAK's own TCP input is configurable. */
  port: number;
  /** Give up connecting after this long (default 5000 ms). */
  connectTimeoutMs?: number;
}

const DECLARATION = /^<\?xml[^>]*\?>\s*/;

/** Connects, then streams events. The connection is not re-opened: a failed send rejects, and the caller decides. */
export async function createTcpCotSender(opts: TcpCotOptions): Promise<CotSender> {
  const socket: TcpSocket = await new Promise((resolve, reject) => {
    const s = connect({ host: opts.host, port: opts.port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new ToolkitError('unreachable', `no connection to ${opts.host}:${opts.port} within ${opts.connectTimeoutMs ?? 5000} ms`, { subject: 'CoT TCP' }));
    }, opts.connectTimeoutMs ?? 5000);
    s.once('connect', () => {
      clearTimeout(timer);
      s.off('error', onError);
      resolve(s);
    });
    const onError = (e: Error): void => {
      clearTimeout(timer);
      reject(new ToolkitError('unreachable', `cannot connect to ${opts.host}:${opts.port}: ${e.message}`, { subject: 'CoT TCP', cause: e }));
    };
    s.once('error', onError);
  });
  let failure: Error | undefined;
  socket.on('error', (e) => (failure = e));
  socket.setNoDelay(true);
  return {
    send(xml) {
      if (failure) return Promise.reject(failure);
      if (socket.destroyed || socket.writableEnded) return Promise.reject(new Error('CoT TCP connection is closed'));
      return new Promise((resolve, reject) => socket.write(xml.replace(DECLARATION, ''), 'utf8', (err) => (err ? reject(err) : resolve())));
    },
    close() {
      if (socket.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
      });
    },
  };
}
