/**
 * Reaching the event's MQTT broker, for the receivers' publisher (rid-scan --publish) and the hub (rid-hub):
 * the broker URL, TLS with a CA and client certificates, username and password, and one typed error per way
 * a connection is refused, saying why (nothing listening, bad credentials, a certificate not trusted).
 *
 * The password never comes from the command line (ps shows it to every user): from the environment
 * (ODID_MQTT_PASSWORD) or a file. Files given here are read once, bounded, before anything connects.
 */

import { Option } from 'commander';
import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { ToolkitError } from '@odid/codec';
import { FileTooLargeError, quoteValue, readFileBoundedSync, UsageError } from '@odid/commands';

export const MQTT_PASSWORD_ENV = 'ODID_MQTT_PASSWORD';
export const MQTT_DEFAULT_PORT = 1883;
export const MQTTS_DEFAULT_PORT = 8883;

/** CA bundles, certificates and keys are a few KiB; a password file a line. */
const PEM_MAX_BYTES = 256 * 1024;
const PASSWORD_MAX_BYTES = 4096;

export interface BrokerTarget {
  protocol: 'mqtt' | 'mqtts';
  /** A host name or an IP address (IPv6 without brackets). */
  host: string;
  port: number;
}

/** What the options say about security: file paths and the user, as given. */
export interface MqttSecurityOptions {
  mqttCa?: string;
  mqttCert?: string;
  mqttKey?: string;
  mqttUser?: string;
  mqttPasswordFile?: string;
}

/** The same, read: the files' bytes and the password. */
export interface MqttSecurity {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
}

export type MqttErrorCode = 'unreachable' | 'bad-credentials' | 'not-authorised' | 'tls-untrusted' | 'tls-failed' | 'refused' | 'closed';

/** The broker could not be used: the code says which way, the message why and what to do. */
export class MqttError extends ToolkitError {
  override readonly name = 'MqttError';
  declare readonly code: MqttErrorCode;
  constructor(code: MqttErrorCode, reason: string, opts: { subject?: string; fix?: string; cause?: unknown } = {}) {
    super(code, reason, opts);
  }
}

/** "mqtt://host[:port]" or "mqtts://host[:port]", nothing else (no path, query or credentials: ps would show them). */
export function parseBrokerUrl(option: string, text: string): BrokerTarget {
  const subject = `${option} ${quoteValue(text)}`;
  const fix = 'give mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (TLS), e.g. mqtts://broker.example:8883';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('not-a-url', 'not a URL', { subject, fix });
  }
  const protocol = url.protocol.replace(/:$/, '').toLowerCase();
  if (protocol !== 'mqtt' && protocol !== 'mqtts') throw new UsageError('unknown-scheme', `${url.protocol}// is not supported, only mqtt:// and mqtts://`, { subject, fix });
  if (url.username || url.password) {
    throw new UsageError('bad-url', 'credentials in the URL would show in ps', { subject, fix: `give --mqtt-user and the password in ${MQTT_PASSWORD_ENV} or --mqtt-password-file` });
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) throw new UsageError('bad-url', 'only a host and a port are used', { subject, fix });
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UsageError('bad-url', 'no host', { subject, fix });
  const port = url.port === '' ? (protocol === 'mqtts' ? MQTTS_DEFAULT_PORT : MQTT_DEFAULT_PORT) : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('bad-url', 'the port must be 1..65535', { subject, fix });
  return { protocol, host, port };
}

/** "mqtts://broker:8883" ([::1] for IPv6), for messages. */
export const brokerName = (t: BrokerTarget): string => `${t.protocol}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;

function readOptionFile(option: string, path: string, maxBytes: number, hint: string): Buffer {
  try {
    return readFileBoundedSync(path, { maxBytes, hint });
  } catch (e) {
    const reason = e instanceof FileTooLargeError ? e.message : `cannot read it: ${(e as Error).message}`;
    throw new UsageError('bad-file', reason, { subject: `${option} ${quoteValue(path)}` });
  }
}

/**
 * Reads what the security options name (before anything connects): a UsageError for a file that cannot be
 * read, TLS files without mqtts://, a certificate without its key, or a user without a password.
 */
export function loadMqttSecurity(target: BrokerTarget, opts: MqttSecurityOptions, env: NodeJS.ProcessEnv = process.env): MqttSecurity {
  const out: MqttSecurity = {};
  const tls = opts.mqttCa ?? opts.mqttCert ?? opts.mqttKey;
  if (tls !== undefined && target.protocol !== 'mqtts') {
    throw new UsageError('bad-combination', 'TLS files need an mqtts:// broker', { subject: opts.mqttCa ? '--mqtt-ca' : opts.mqttCert ? '--mqtt-cert' : '--mqtt-key', fix: 'write the broker as mqtts://HOST[:PORT]' });
  }
  if ((opts.mqttCert === undefined) !== (opts.mqttKey === undefined)) {
    throw new UsageError('bad-combination', 'a client certificate needs its key, and a key its certificate', { subject: opts.mqttCert ? '--mqtt-cert' : '--mqtt-key', fix: 'give both --mqtt-cert and --mqtt-key' });
  }
  if (opts.mqttCa) out.ca = readOptionFile('--mqtt-ca', opts.mqttCa, PEM_MAX_BYTES, 'a CA bundle is a few KiB');
  if (opts.mqttCert) out.cert = readOptionFile('--mqtt-cert', opts.mqttCert, PEM_MAX_BYTES, 'a certificate is a few KiB');
  if (opts.mqttKey) out.key = readOptionFile('--mqtt-key', opts.mqttKey, PEM_MAX_BYTES, 'a key is a few KiB');
  if (opts.mqttPasswordFile !== undefined && opts.mqttUser === undefined) {
    throw new UsageError('bad-combination', 'a password needs a user', { subject: '--mqtt-password-file', fix: 'give --mqtt-user too' });
  }
  if (opts.mqttUser !== undefined) {
    out.username = opts.mqttUser;
    if (opts.mqttPasswordFile !== undefined) {
      // The file's first line: editors and `echo` add a newline.
      out.password = readOptionFile('--mqtt-password-file', opts.mqttPasswordFile, PASSWORD_MAX_BYTES, 'a password file holds one line').toString('utf8').split(/\r?\n/)[0]!;
    } else if (env[MQTT_PASSWORD_ENV] !== undefined) out.password = env[MQTT_PASSWORD_ENV];
    else {
      throw new UsageError('no-password', 'a user needs a password, and it is never taken from the command line', {
        subject: '--mqtt-user',
        fix: `set ${MQTT_PASSWORD_ENV} or give --mqtt-password-file FILE`,
      });
    }
  }
  return out;
}

export interface BrokerClientOptions {
  clientId: string;
  /** The broker publishes this when the connection is lost without a goodbye (a receiver's "offline" status). */
  will?: { topic: string; payload: Uint8Array; qos: 0 | 1; retain: boolean };
  /** Between two attempts while the broker is unreachable (default 1000 ms). */
  reconnectMs?: number;
  /** An attempt that got no answer by then fails (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * false: a persistent session (the hub's): the broker keeps its subscription and queues QoS 1 messages
   * for it while it is away. Default true (a receiver's spool is its own).
   */
  clean?: boolean;
  /**
   * Takes each message the broker delivers; false: not taken (the subscriber is stopping), so it is not
   * acknowledged and the broker keeps it for the session's next connection. Set before the client
   * connects: a persistent session's queued messages follow the CONNACK at once, and mqtt.js hands them
   * out (on process.nextTick, ahead of any promise callback) and acknowledges them whether anyone listens
   * or not.
   */
  onMessage?: (topic: string, payload: Buffer, packet: IPublishPacket) => boolean;
}

/** mqtt.js's options for a target; it reconnects by itself, every reconnectMs. */
export function clientOptions(target: BrokerTarget, security: MqttSecurity, opts: BrokerClientOptions): IClientOptions {
  return {
    protocol: target.protocol,
    host: target.host,
    port: target.port,
    clientId: opts.clientId,
    // MQTT 3.1.1: every broker and cluster speaks it.
    protocolVersion: 4,
    clean: opts.clean ?? true,
    keepalive: 30,
    reconnectPeriod: opts.reconnectMs ?? 1000,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    // What cannot go now waits in our spool, bounded, never in the client's memory.
    queueQoSZero: false,
    rejectUnauthorized: true,
    ...(security.ca ? { ca: security.ca } : {}),
    ...(security.cert ? { cert: security.cert } : {}),
    ...(security.key ? { key: security.key } : {}),
    ...(security.username !== undefined ? { username: security.username } : {}),
    ...(security.password !== undefined ? { password: security.password } : {}),
    ...(opts.will ? { will: { topic: opts.will.topic, payload: Buffer.from(opts.will.payload), qos: opts.will.qos, retain: opts.will.retain } } : {}),
  };
}

/** TLS errors that mean "the broker's certificate is not one we trust". */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

/** Socket errors that mean no broker is there (any more). */
const UNREACHABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Why a connection failed, as an MqttError: what mqtt.js and Node report (a CONNACK return code, a TLS
 * verification code, a socket errno) in words a person at the venue can act on.
 */
export function explainMqttError(target: BrokerTarget, e: unknown, security?: Pick<MqttSecurity, 'username'>): MqttError {
  if (e instanceof MqttError) return e;
  const subject = brokerName(target);
  const err = e as { code?: unknown; message?: string };
  const code = err?.code;
  const message = err?.message ?? String(e);
  // CONNACK return codes (MQTT 3.1.1 §3.2.2.3) and their MQTT 5 reason codes.
  // Mosquitto answers a wrong password with "not authorised" (5), not "bad user name or password" (4).
  if (code === 4 || code === 134 || ((code === 5 || code === 135) && security?.username !== undefined)) {
    return new MqttError('bad-credentials', `the broker refused user ${JSON.stringify(security?.username ?? '')}: wrong user name or password, or the user may not connect`, {
      subject,
      fix: `check --mqtt-user and the password (${MQTT_PASSWORD_ENV} or --mqtt-password-file)`,
      cause: e,
    });
  }
  if (code === 5 || code === 135) return new MqttError('not-authorised', 'the broker refused this client: not authorised (it wants a user and password, or a client certificate)', { subject, fix: 'give --mqtt-user and a password, or --mqtt-cert and --mqtt-key, that the broker accepts', cause: e });
  if (typeof code === 'number') return new MqttError('refused', `the broker refused the connection: ${message}`, { subject, cause: e });
  if (typeof code === 'string' && UNTRUSTED.has(code)) {
    return new MqttError('tls-untrusted', `the broker's certificate is not trusted (${code}: ${message})`, { subject, fix: "give the CA that signed the broker's certificate with --mqtt-ca, and use the name the certificate is for", cause: e });
  }
  if (/alert|certificate|ssl|tls/i.test(message) || (typeof code === 'string' && /^ERR_SSL|^ERR_TLS/.test(code))) {
    return new MqttError('tls-failed', `TLS failed: ${message}`, { subject, fix: 'check --mqtt-ca, --mqtt-cert and --mqtt-key against what the broker requires', cause: e });
  }
  // A broker that went away mid-run (reset, broken pipe) is unreachable as much as one that never answered:
  // which of these a dying broker gives first is a race, and the user's remedy is the same.
  if (UNREACHABLE.has(String(code)) || /timeout/i.test(message)) {
    return new MqttError('unreachable', `no broker reachable (${typeof code === 'string' ? code : message})`, { subject, fix: 'check the host and port, and that the broker runs', cause: e });
  }
  return new MqttError('closed', message, { subject, cause: e });
}

/** Errors no retry will cure: the user must change something. */
export const isConfigurationError = (e: MqttError): boolean => e.code === 'bad-credentials' || e.code === 'not-authorised' || e.code === 'tls-untrusted' || e.code === 'tls-failed';

export interface OpenedClient {
  client: MqttClient;
  /** Connected on the first attempt; false: unreachable for now (the client keeps trying). */
  connected: boolean;
  /** Why, when not connected. */
  error?: MqttError;
}

/**
 * Makes a client and waits for its first attempt: resolves connected, or not connected while the broker is
 * unreachable (the client goes on trying by itself); rejects with the MqttError, the client ended, when the
 * broker refused us (credentials, TLS): retrying cannot help, the user must fix the options.
 */
export async function openBrokerClient(target: BrokerTarget, security: MqttSecurity, opts: BrokerClientOptions): Promise<OpenedClient> {
  // Loaded on first use: rid-scan without --publish never loads the MQTT client.
  const { connect } = await import('mqtt');
  const client = connect(clientOptions(target, security, opts));
  const take = opts.onMessage;
  if (take) {
    // mqtt.js's hook for messages: `done()` sends the acknowledgement; `done(error)` goes on to the next
    // packet without it (never calling `done` would hold every packet after, a SUBACK awaited included).
    client.handleMessage = (packet, done) => {
      if (take(packet.topic, typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload, packet)) done();
      else done(new Error('not taken: the subscriber is stopping'));
    };
  }
  return new Promise((resolve, reject) => {
    const done = (): void => {
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    };
    const onConnect = (): void => {
      done();
      resolve({ client, connected: true });
    };
    let last: MqttError | undefined;
    const onError = (e: unknown): void => {
      last = explainMqttError(target, e, security);
      if (!isConfigurationError(last)) return;
      done();
      client.end(true, () => reject(last));
    };
    // A connection closed before CONNACK without an error (a TLS handshake the broker dropped) or an
    // unreachable broker: the client keeps trying; the caller is told it is not connected yet.
    const onClose = (): void => {
      done();
      resolve({ client, connected: false, error: last ?? new MqttError('unreachable', 'the connection closed before the broker answered', { subject: brokerName(target) }) });
    };
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

/** Ends a client: waits for what is in flight up to `waitMs`, then forces it closed. */
export function endClient(client: MqttClient, waitMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    if (client.disconnected && !client.connected && !client.reconnecting) {
      client.end(true, () => resolve());
      return;
    }
    const timer = setTimeout(() => client.end(true, () => resolve()), waitMs);
    timer.unref();
    client.end(false, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The security options rid-scan --publish and rid-hub share, for their commander programs. */
export function mqttSecurityCliOptions(): Option[] {
  return [
    new Option('--mqtt-ca <file>', "with mqtts://: the CA (PEM) that signed the broker's certificate (default: the system's CAs)"),
    new Option('--mqtt-cert <file>', 'with mqtts://: a client certificate (PEM) for brokers that want one; with --mqtt-key'),
    new Option('--mqtt-key <file>', "the client certificate's private key (PEM)"),
    new Option('--mqtt-user <name>', `user name for the broker; the password from ${MQTT_PASSWORD_ENV} or --mqtt-password-file, never the command line`),
    new Option('--mqtt-password-file <file>', "the broker password: the file's first line"),
  ];
}
