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

/** Where --cot sends: the parsed URL. */
export interface CotTarget {
  protocol: 'udp' | 'tcp';
  /** A host name or an IP address (an IPv6 one without its URL brackets). */
  host: string;
  port: number;
}

/**
 * Parses a CoT URL: udp://HOST:PORT (multicast or unicast; HOST defaults to 239.2.3.1) or tcp://HOST:PORT,
 * PORT defaulting to 6969, an IPv6 address in brackets (udp://[::1]:6969). Anything else — another scheme,
 * a path, credentials — is refused with an Error saying what is accepted, before any lookup or socket.
 */
export function parseCotUrl(text: string): CotTarget {
  const usage = 'give udp://HOST:PORT (e.g. udp://239.2.3.1:6969, multicast) or tcp://HOST:PORT (a TAK server)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--cot ${text}: not a URL; ${usage}`);
  }
  if (url.protocol !== 'udp:' && url.protocol !== 'tcp:') throw new Error(`--cot ${text}: ${url.protocol}// is not supported, only udp:// and tcp://; ${usage}`);
  if (url.username || url.password || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw new Error(`--cot ${text}: only a host and a port are used; ${usage}`);
  }
  const protocol = url.protocol === 'tcp:' ? 'tcp' : 'udp';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || (protocol === 'udp' ? COT_MULTICAST_GROUP : '');
  if (!host) throw new Error(`--cot ${text}: a TCP target needs a host; ${usage}`);
  const port = url.port === '' ? COT_MULTICAST_PORT : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--cot ${text}: the port must be 1..65535; ${usage}`);
  return { protocol, host, port };
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
      throw new Error(`CoT UDP: cannot resolve ${opts.host}: ${(e as Error).message}`);
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
      reject(new Error(`CoT TCP: no connection to ${opts.host}:${opts.port} within ${opts.connectTimeoutMs ?? 5000} ms`));
    }, opts.connectTimeoutMs ?? 5000);
    s.once('connect', () => {
      clearTimeout(timer);
      s.off('error', onError);
      resolve(s);
    });
    const onError = (e: Error): void => {
      clearTimeout(timer);
      reject(new Error(`CoT TCP: cannot connect to ${opts.host}:${opts.port}: ${e.message}`));
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
