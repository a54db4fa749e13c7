/**
 * For tests that prove a program works offline: every way Node has to reach a network (TCP, UDP, TLS, DNS,
 * HTTP, fetch) is replaced by a function that records the attempt and throws. Call it before the code under
 * test loads (a preload given with --import, or first thing in a child process that imports the rest
 * dynamically): ESM named imports of the built-ins are synced too. Returns the attempts, and whether a probe
 * connection made right after was caught (so a test can show the hooks work; the probe is not recorded).
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';

export interface BlockedNetwork {
  /** What the code tried, in order ("net.connect", "dns.lookup", ...). */
  readonly attempts: string[];
  /** A probe net.connect right after blocking was caught. */
  readonly probeBlocked: boolean;
}

/** `servers`: listening (net.createServer) is blocked too. */
export function blockNetwork(opts: { servers?: boolean } = {}): BlockedNetwork {
  const attempts: string[] = [];
  const block = (target: object, name: string, label: string): void => {
    (target as Record<string, unknown>)[name] = (..._args: unknown[]): never => {
      attempts.push(label);
      throw new Error(`network use blocked: ${label}`);
    };
  };
  block(net, 'connect', 'net.connect');
  block(net, 'createConnection', 'net.createConnection');
  block(net.Socket.prototype, 'connect', 'net.Socket#connect');
  if (opts.servers) block(net, 'createServer', 'net.createServer');
  block(dgram, 'createSocket', 'dgram.createSocket');
  block(tls, 'connect', 'tls.connect');
  for (const f of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveTxt', 'reverse'] as const) {
    block(dns, f, `dns.${f}`);
    block(dns.promises, f, `dns.promises.${f}`);
  }
  for (const [mod, label] of [[http, 'http'], [https, 'https']] as const) {
    block(mod, 'request', `${label}.request`);
    block(mod, 'get', `${label}.get`);
  }
  block(globalThis, 'fetch', 'fetch');
  syncBuiltinESMExports();

  let probeBlocked = false;
  try {
    net.connect(9, '127.0.0.1');
  } catch {
    probeBlocked = attempts.includes('net.connect');
  }
  attempts.length = 0;
  return { attempts, probeBlocked };
}
