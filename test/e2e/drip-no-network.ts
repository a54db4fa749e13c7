/**
 * Preloaded (`--import`) into a CLI by drip-broadcast.test.ts: every way Node has to reach a network (TCP,
 * UDP, TLS, DNS, HTTP, fetch) is replaced, before the program loads, by a function that records the attempt
 * and throws. A probe connection shows the hooks catch one; at exit the attempts made by the program itself
 * go to stderr as one line: `network attempts: [...]` (and `probe blocked: true`).
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';

const attempts: string[] = [];
function block(target: object, name: string, label: string): void {
  (target as Record<string, unknown>)[name] = (..._args: unknown[]): never => {
    attempts.push(label);
    throw new Error(`network use blocked: ${label}`);
  };
}
block(net, 'connect', 'net.connect');
block(net, 'createConnection', 'net.createConnection');
block(net.Socket.prototype, 'connect', 'net.Socket#connect');
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
process.on('exit', () => process.stderr.write(`network attempts: ${JSON.stringify(attempts)}; probe blocked: ${probeBlocked}\n`));
