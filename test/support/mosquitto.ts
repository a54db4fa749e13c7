/**
 * A real MQTT broker for the MQTT tests: Debian's mosquitto (scripts/setup.sh installs it) on free loopback
 * ports, with a configuration written for the test — a plain listener, optionally one with a password file,
 * and a TLS listener with certificates made by openssl at test time. It can be stopped and started again on
 * the same ports (a broker restart), and is killed by stop().
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

export interface MosquittoOptions {
  /** Users of the plain listener (name -> password); without, it takes anyone. */
  users?: Record<string, string>;
  /** A TLS listener too, with a CA, a server certificate for 127.0.0.1 and a client certificate signed by the CA. */
  tls?: { requireClientCertificate?: boolean };
  /** Keep sessions and queued messages across a restart (saved when it is stopped with SIGTERM), as Debian's default configuration does. */
  persistence?: boolean;
}

export interface TestCertificates {
  /** The CA that signed the broker's and the client's certificates. */
  ca: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: a broker's certificate is not trusted with it. */
  otherCa: string;
  /** A client certificate signed by the other CA. */
  otherClientCert: string;
  otherClientKey: string;
}

export interface Mosquitto {
  port: number;
  tlsPort?: number;
  certs?: TestCertificates;
  dir: string;
  /** The running broker's process ID (undefined while it is stopped): its CPU can be read in /proc. */
  pid(): number | undefined;
  /** What mosquitto said so far (every run). */
  log(): string;
  /** Stops the broker (SIGTERM: it saves its sessions when persistent; SIGKILL: a crash) and waits for it to be gone. */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same ports and configuration. */
  restart(): Promise<void>;
  /** Kills it and removes its files. */
  stop(): Promise<void>;
}

/** Throws, naming the Debian package, when mosquitto or openssl is missing. */
export function requireMosquitto(): void {
  for (const tool of ['mosquitto', 'openssl', 'mosquitto_passwd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]).status !== 0) {
      throw new Error(`${tool} is not installed: run scripts/setup.sh (needs the Debian packages mosquitto and openssl)`);
    }
  }
}

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;

/**
 * What docs/mqtt.md (Deployment) asks of a venue's broker, so the tests and the hub benchmark run on it: the
 * hub's session may queue a minute of 20 receivers' batches while the hub is away (mosquitto's default of
 * 1,000 messages is 5 s of them), within 512 MiB; and batches go out to subscribers at once, not held by
 * Nagle's algorithm until the subscriber acknowledges the previous one.
 */
export const BROKER_SETTINGS: readonly string[] = ['max_queued_messages 12000', 'max_queued_bytes 536870912', 'set_tcp_nodelay true'];

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, PATH } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

/** A CA and certificates signed by it, made by openssl in `dir`. */
function makeCertificates(dir: string): TestCertificates {
  const ca = (name: string): void => {
    run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
  };
  const signed = (name: string, by: string, ext: string): void => {
    run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    run('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', `${by}.crt`, '-CAkey', `${by}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
  };
  ca('test-ca');
  ca('other-ca');
  signed('server', 'test-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  signed('other-client', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const f = (n: string): string => join(dir, n);
  return { ca: f('test-ca.crt'), clientCert: f('client.crt'), clientKey: f('client.key'), otherCa: f('other-ca.crt'), otherClientCert: f('other-client.crt'), otherClientKey: f('other-client.key') };
}

async function listening(port: number, timeoutMs = 10_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  requireMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'odid-mosquitto-'));
  // mosquitto started as root runs as its own user: it must be able to read what is here.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const tlsPort = opts.tls ? await freePort() : undefined;
  const certs = opts.tls ? makeCertificates(dir) : undefined;
  // As root, mosquitto would switch to its own user, who may not write the persistence file here.
  // The settings docs/mqtt.md (Deployment) asks of a venue's broker come before the listeners.
  const lines = [...(process.getuid?.() === 0 ? ['user root'] : []), 'per_listener_settings true', ...(opts.persistence ? ['persistence true', `persistence_location ${dir}/`, 'autosave_interval 0'] : ['persistence false']), ...BROKER_SETTINGS, 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', `listener ${port} 127.0.0.1`];
  if (opts.users) {
    const file = join(dir, 'passwords');
    writeFileSync(file, '');
    for (const [user, password] of Object.entries(opts.users)) run('mosquitto_passwd', ['-b', file, user, password], dir);
    chmodSync(file, 0o644);
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else lines.push('allow_anonymous true');
  if (opts.tls && certs) {
    lines.push(`listener ${tlsPort} 127.0.0.1`, 'allow_anonymous true', `cafile ${certs.ca}`, `certfile ${join(dir, 'server.crt')}`, `keyfile ${join(dir, 'server.key')}`);
    if (opts.tls.requireClientCertificate) lines.push('require_certificate true');
    for (const k of ['server.key', 'client.key', 'other-client.key']) chmodSync(join(dir, k), 0o644);
  }
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, lines.join('\n') + '\n');
  let log = '';
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const c = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH } });
    child = c;
    c.stderr?.on('data', (d) => (log += String(d)));
    if (!(await listening(port)) || (tlsPort && !(await listening(tlsPort)))) {
      c.kill('SIGKILL');
      throw new Error(`mosquitto did not start: ${log}`);
    }
  };
  const kill = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  };
  await start();
  return {
    port,
    ...(tlsPort ? { tlsPort } : {}),
    ...(certs ? { certs } : {}),
    dir,
    pid: () => child?.pid,
    log: () => log,
    kill,
    restart: start,
    async stop() {
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
