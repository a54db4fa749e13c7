/**
 * Run by offline.test.ts in a child process: every way Node has to reach a network (TCP, UDP, TLS, DNS, HTTP,
 * fetch) is replaced, before anything else loads, by a function that records the attempt and throws. Then
 * the whole flow runs — rid-keys builds a registry, a trust store is loaded, a drone is verified — and the
 * result is printed as JSON with the attempts counted, and a last deliberate connection that shows the hooks
 * do catch one.
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
block(net, 'createServer', 'net.createServer');
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

const { encodeDripAuth } = await import('@odid/codec');
const { DripVerifier, loadTrustStore } = await import('../src/index.js');
const { buildRegistry, clearMessages, storeDir, wrapperAuth } = await import('./support.js');

const now = Date.UTC(2026, 5, 1, 12);
const reg = await buildRegistry(now);
const verifier = new DripVerifier({ trust: loadTrustStore(storeDir([reg.files.apex.id], [reg.apexRaa, reg.raaHda])), clock: () => now });
const clear = clearMessages(reg.ua.identity.det);
for (const m of clear) verifier.addClear('drone', m);
verifier.addAuth('drone', encodeDripAuth(reg.uaLink));
verifier.addAuth('drone', wrapperAuth(reg.ua, clear, now));
const result = verifier.state('drone');
const attemptsDuringRun = [...attempts];
const handles = process.getActiveResourcesInfo();

let probeBlocked = false;
try {
  net.connect(9, '127.0.0.1');
} catch {
  probeBlocked = attempts.includes('net.connect');
}
process.stdout.write(`${JSON.stringify({ state: result.state, reason: result.reason, attemptsDuringRun, handles, probeBlocked })}\n`);
