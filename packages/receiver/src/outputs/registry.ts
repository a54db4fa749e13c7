/**
 * Every output rid-scan can write or send, one entry per form: the option, what follows it, a line for
 * --help, an example, and what makes the output. Three kinds:
 *
 * - **export**: a file written whole from the final tracks when the run ends (an existing file is replaced
 *   once the new one is complete);
 * - **stream**: a file (or "-", stdout) written as the run goes (an existing non-empty file needs --force);
 * - **network**: events sent as they happen (CoT over UDP or TCP).
 *
 * The help, the choice of an entry for a value (--out by its extension, --cot by its URL scheme) and the
 * error for a value no entry takes are made from this list, so a new output is one entry here.
 */

import { helpTable, POLICY_HELP, UsageError, type OutputFile, type OutputPolicy } from '@odid/commands';
import type { Track } from '../tracker/types.js';
import { COT_MULTICAST_GROUP, COT_MULTICAST_PORT, createTcpCotSender, createUdpCotSender, type CotSender, type CotTarget } from './cot-send.js';
import { tracksToGeoJson } from './geojson.js';
import { createJsonlOutput, type JsonlOutput } from './jsonl.js';
import { tracksToKml } from './kml.js';
import { createPcapngOutput } from './pcapng.js';
import { createRecordingWriter } from './recording.js';
import { createEvidenceRecordingWriter, type EvidenceOptions } from './recording-chain.js';
import type { BrokerTarget } from './mqtt-connect.js';
import type { FrameOutput, TrackOutput } from './types.js';

export type OutputOption = '--out' | '--jsonl' | '--record' | '--pcapng' | '--cot' | '--publish';

/** What each option does, for its line in --help (the forms follow from the entries). */
export const OUTPUT_OPTIONS: Readonly<Record<OutputOption, string>> = {
  '--out': 'export the tracks',
  '--jsonl': 'stream every received message',
  '--record': 'record the raw frames for an exact replay',
  '--pcapng': 'write the raw frames to a pcapng',
  '--cot': 'send Cursor-on-Target to ATAK/WinTAK',
  '--publish': "publish the received frames and this receiver's status to an MQTT broker, for rid-hub",
};

/** What a streamed output takes while the run goes. */
export interface StreamOutputs {
  frame?: FrameOutput;
  message?: JsonlOutput;
  track?: TrackOutput;
}

interface SchemeBase {
  readonly option: OutputOption;
  /** The option's value in this form: "FILE.geojson", "udp://HOST:PORT". */
  readonly syntax: string;
  /** One line for --help. */
  readonly description: string;
  /** A value this entry takes: "tracks.geojson". */
  readonly example: string;
  /** Whether `value` is written in this form; the first entry of the option that claims it is used. */
  matches(value: string): boolean;
}

export interface ExportScheme extends SchemeBase {
  readonly kind: 'export';
  /** The whole file, from the tracks at the end of the run. */
  render(tracks: readonly Track[]): string;
}

/** What the CLI hands a stream output besides its file. */
export interface StreamContext {
  /** The receiver's key and what its seals say: --record writes a signed evidence recording with it. */
  evidence?: EvidenceOptions;
}

export interface StreamScheme extends SchemeBase {
  readonly kind: 'stream';
  /** The output, writing to the file checked and opened by the CLI. */
  open(file: OutputFile, context?: StreamContext): StreamOutputs;
}

export interface NetworkScheme extends SchemeBase {
  readonly kind: 'network';
  /** The URL scheme, without "://". */
  readonly protocol: CotTarget['protocol'];
  /** Where to send, from a URL of this scheme; throws a UsageError saying what is wrong with it. */
  parse(url: URL, text: string): CotTarget;
  connect(target: CotTarget): Promise<CotSender>;
}

/** Frames and status published to an MQTT broker (outputs/mqtt-publish.ts), opened by the CLI from its MQTT options. */
export interface BrokerScheme extends SchemeBase {
  readonly kind: 'broker';
  /** The URL scheme, without "://". */
  readonly protocol: BrokerTarget['protocol'];
}

export type OutputScheme = ExportScheme | StreamScheme | NetworkScheme | BrokerScheme;

const extension = (re: RegExp) => (value: string) => re.test(value);
const any = (): boolean => true;

/** The checks both CoT schemes share: a host and a port, nothing else. */
function cotTarget(protocol: CotTarget['protocol'], url: URL, text: string): CotTarget {
  const bad = (reason: string): UsageError => new UsageError('bad-url', reason, { subject: `--cot ${text}`, fix: cotFix() });
  if (url.username || url.password || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) throw bad('only a host and a port are used');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || (protocol === 'udp' ? COT_MULTICAST_GROUP : '');
  if (!host) throw bad('a TCP target needs a host');
  const port = url.port === '' ? COT_MULTICAST_PORT : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('the port must be 1..65535');
  return { protocol, host, port };
}

export const OUTPUT_SCHEMES: readonly OutputScheme[] = [
  {
    option: '--out',
    kind: 'export',
    syntax: 'FILE.geojson',
    description: 'the tracks and their lines as GeoJSON (.json too)',
    example: 'tracks.geojson',
    matches: extension(/\.(geo)?json$/i),
    render: (tracks) => JSON.stringify(tracksToGeoJson(tracks), null, 1) + '\n',
  },
  {
    option: '--out',
    kind: 'export',
    syntax: 'FILE.kml',
    description: 'the tracks and their lines as KML (Google Earth)',
    example: 'tracks.kml',
    matches: extension(/\.kml$/i),
    render: (tracks) => tracksToKml(tracks),
  },
  {
    option: '--out',
    kind: 'stream',
    syntax: 'FILE.jsonl',
    description: 'every track update as a JSON line',
    example: 'updates.jsonl',
    matches: extension(/\.jsonl$/i),
    open: (file) => ({ track: createJsonlOutput(file, { messages: false }) }),
  },
  {
    option: '--jsonl',
    kind: 'stream',
    syntax: 'FILE|-',
    description: 'every received message as a JSON line ("-" = stdout)',
    example: 'messages.jsonl',
    matches: any,
    open: (file) => ({ message: createJsonlOutput(file, { tracks: false }) }),
  },
  {
    option: '--record',
    kind: 'stream',
    syntax: 'FILE',
    description: 'the raw frames (CBOR sequence), for an exact --replay later; signed by the receiver\'s key (--key), checked by rid-verify',
    example: 'session.cbor',
    matches: any,
    open: (file, context) => ({ frame: context?.evidence ? createEvidenceRecordingWriter(file, context.evidence) : createRecordingWriter(file) }),
  },
  {
    option: '--pcapng',
    kind: 'stream',
    syntax: 'FILE',
    description: 'the raw frames as a pcapng, for Wireshark',
    example: 'session.pcapng',
    matches: any,
    open: (file) => ({ frame: createPcapngOutput(file) }),
  },
  {
    option: '--cot',
    kind: 'network',
    protocol: 'udp',
    syntax: 'udp://HOST:PORT',
    description: `Cursor-on-Target over UDP, multicast or unicast (udp:// alone: ${COT_MULTICAST_GROUP}:${COT_MULTICAST_PORT}, ATAK's SA group)`,
    example: `udp://${COT_MULTICAST_GROUP}:${COT_MULTICAST_PORT}`,
    matches: (v) => /^udp:/i.test(v),
    parse: (url, text) => cotTarget('udp', url, text),
    connect: (t) => createUdpCotSender({ host: t.host, port: t.port }),
  },
  {
    option: '--cot',
    kind: 'network',
    protocol: 'tcp',
    syntax: 'tcp://HOST:PORT',
    description: 'Cursor-on-Target over TCP, to a TAK server',
    example: 'tcp://192.0.2.10:8087',
    matches: (v) => /^tcp:/i.test(v),
    parse: (url, text) => cotTarget('tcp', url, text),
    connect: (t) => createTcpCotSender({ host: t.host, port: t.port }),
  },
  {
    option: '--publish',
    kind: 'broker',
    protocol: 'mqtt',
    syntax: 'mqtt://HOST[:PORT]',
    description: 'frames (CBOR batches) and status to rid/SITE/RECEIVER/ on an MQTT broker (port 1883), spooled while it is unreachable (docs/mqtt.md)',
    example: 'mqtt://192.0.2.20',
    matches: (v) => /^mqtt:/i.test(v),
  },
  {
    option: '--publish',
    kind: 'broker',
    protocol: 'mqtts',
    syntax: 'mqtts://HOST[:PORT]',
    description: 'the same over TLS (port 8883; --mqtt-ca, --mqtt-cert, --mqtt-key)',
    example: 'mqtts://broker.example:8883',
    matches: (v) => /^mqtts:/i.test(v),
  },
];

const entriesOf = (option: OutputOption): OutputScheme[] => OUTPUT_SCHEMES.filter((e) => e.option === option);
const networkEntries = (): NetworkScheme[] => OUTPUT_SCHEMES.filter((e): e is NetworkScheme => e.kind === 'network');

/** "a", "a or b", "a, b or c". */
function either(items: readonly string[], word: 'or' | 'and'): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
}

/** What --cot takes, as the fix of its errors: "give udp://HOST:PORT (e.g. ...) or tcp://HOST:PORT (e.g. ...)". */
function cotFix(): string {
  return `give ${either(networkEntries().map((e) => `${e.syntax} (e.g. ${e.example})`), 'or')}`;
}

/** How an existing file is treated: exports replace it once complete, streams need --force. */
export const outputPolicy = (scheme: ExportScheme | StreamScheme): OutputPolicy => (scheme.kind === 'export' ? 'replace' : 'stream');

/** The entry for an option's value; a UsageError naming the registered forms when there is none. */
export function findOutputScheme(option: OutputOption, value: string): OutputScheme {
  if (option === '--cot') return cotScheme(value).entry;
  const entries = entriesOf(option);
  const entry = entries.find((e) => e.matches(value));
  if (entry) return entry;
  throw new UsageError('unknown-scheme', 'unknown kind of file', { subject: `${option} ${value}`, fix: `give ${either(entries.map((e) => e.syntax), 'or')}` });
}

/** The --cot entry for a URL, by its scheme; "not a URL" and an unknown scheme are UsageErrors listing the registered ones. */
function cotScheme(text: string): { entry: NetworkScheme; url: URL } {
  const subject = `--cot ${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('not-a-url', 'not a URL', { subject, fix: cotFix() });
  }
  const entries = networkEntries();
  const entry = entries.find((e) => e.matches(text));
  if (!entry) {
    throw new UsageError('unknown-scheme', `${url.protocol}// is not supported, only ${either(entries.map((e) => `${e.protocol}://`), 'and')}`, { subject, fix: cotFix() });
  }
  return { entry, url };
}

/**
 * A --cot URL -> where to send: udp://HOST:PORT (HOST defaults to the SA multicast group) or
 * tcp://HOST:PORT, PORT defaulting to 6969, an IPv6 address in brackets (udp://[::1]:6969). Anything else
 * (another scheme, a path, credentials) is a UsageError saying what is accepted, before any lookup or socket.
 */
export function parseCotUrl(text: string): CotTarget {
  const { entry, url } = cotScheme(text);
  return entry.parse(url, text);
}

/**
 * An option's line in --help: what it does, the forms it takes and, for files, what happens to an existing
 * one: "export the tracks: FILE.geojson or FILE.kml (an existing file is replaced ...), or FILE.jsonl (...)".
 */
export function outputOptionHelp(option: OutputOption): string {
  const groups: { syntaxes: string[]; policy: OutputPolicy | undefined }[] = [];
  for (const e of entriesOf(option)) {
    const policy = e.kind === 'network' || e.kind === 'broker' ? undefined : outputPolicy(e);
    const last = groups[groups.length - 1];
    if (last && last.policy === policy) last.syntaxes.push(e.syntax);
    else groups.push({ syntaxes: [e.syntax], policy });
  }
  const forms = groups.map((g) => `${either(g.syntaxes, 'or')}${g.policy ? ` (${POLICY_HELP[g.policy]})` : ''}`);
  return `${OUTPUT_OPTIONS[option]}: ${forms.join(', or ')}`;
}

/** The options a stream entry is written by, for --force's help: "--out FILE.jsonl, --jsonl, --record and --pcapng". */
export function streamOptions(): string {
  const streams = OUTPUT_SCHEMES.filter((e) => e.kind === 'stream');
  return either(
    streams.map((e) => (entriesOf(e.option).length > 1 ? `${e.option} ${e.syntax}` : e.option)),
    'and',
  );
}

const WHEN: Readonly<Record<OutputScheme['kind'], string>> = { export: 'written when done', stream: 'written as the run goes', network: 'sent as they happen', broker: 'published as they are received' };

/** The Outputs section of --help: every entry (of `options`, when given), with what it writes and an example. */
export function outputsHelp(indent = '  ', options?: readonly OutputOption[]): string {
  const rows = OUTPUT_SCHEMES.filter((e) => !options || options.includes(e.option)).map((e) => ({ syntax: `${e.option} ${e.syntax}`, description: `${e.description}, ${WHEN[e.kind]}`, example: `${e.option} ${e.example}` }));
  return helpTable(rows, indent);
}
