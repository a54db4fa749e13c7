/**
 * The CLI's outputs: exports written at the end, streams written as frames and updates arrive.
 *
 * Existing files (see @odid/commands output-files.ts): the end-of-run exports (--out .geojson/.kml) are
 * written to a temporary file and renamed over the old one once complete; the streams (--record, --pcapng,
 * --jsonl, --out .jsonl) are written in place as the run goes, so an existing non-empty file is refused
 * unless --force is given. Everything is checked before the run starts (checkOutputs); a write that fails
 * mid-run stops only that output, with one line, and makes the exit status 1. What each option takes and
 * what it writes is the outputs' registry (outputs/registry.ts).
 */

import { accessSync, constants, statSync } from 'node:fs';
import { Option } from 'commander';
import { checkOutputPaths, openOutputFile, OutputPathError, ToolkitError, writeFileReplacing, type InputSpec, type OutputFile, type OutputSpec } from '@odid/commands';
import { createCotOutput } from '../outputs/cot.js';
import type { CotTarget } from '../outputs/cot-send.js';
import type { JsonlOutput } from '../outputs/jsonl.js';
import { openMqttPublisher, publishPlan, type MqttPublisher, type PublisherContext, type PublishOptionValues } from '../outputs/mqtt-publish.js';
import { ClockProbe } from '../outputs/clock-source.js';
import { loadOrCreateDefaultKey, loadReceiverKey, type ReceiverKey } from '../outputs/receiver-key.js';
import type { EvidenceOptions, SealPosition } from '../outputs/recording-chain.js';
import { receiverSoftware } from '../outputs/software-version.js';
import { createRecordingDirectoryWriter, type RecordingDirectoryWriter } from '../outputs/recording-directory.js';
import { findOutputScheme, OUTPUT_SCHEMES, outputOptionHelp, outputPolicy, parseCotUrl, streamOptions, type ExportScheme, type NetworkScheme, type OutputOption, type StreamScheme } from '../outputs/registry.js';
import type { FrameOutput, TrackOutput } from '../outputs/types.js';
import type { PipelineSinks } from '../pipeline.js';
import type { Track } from '../tracker/types.js';

export interface OutputOptions extends PublishOptionValues {
  out?: string[];
  jsonl?: string;
  cot?: string;
  record?: string;
  pcapng?: string;
  /** Evidence recordings into this directory, named by rid-scan, a new one every hour. */
  recordDir?: string;
  /** Streams (--record, --pcapng, --jsonl, --out .jsonl) may overwrite an existing file. */
  force?: boolean;
}

export interface OpenOutputs {
  sinks: PipelineSinks;
  /**
   * Flushes the streams and writes the end-of-run exports (each on its own: one failing stops no other).
   * Without tracks (the run never started) no export is written.
   */
  close(tracks: readonly Track[] | undefined): Promise<void>;
  /** True once an output failed (a write error, CoT events that could not be sent): exit status 1. */
  readonly failed: boolean;
  /** What went wrong, for the closing summary line ("12 CoT events not sent"). */
  problems(): string[];
  /** The recording files this run writes or wrote (--record, --record-dir): retention never deletes them. */
  recordingFiles(): string[];
  /** What the receiver knows that --publish puts in its status (its position, its queue's drops). */
  bindReceiver(ctx: PublisherContext): void;
}

/** The file and CoT output options (--out, --jsonl, --cot, --record, --pcapng, --force), as rid-hub offers them. */
export function outputCliOptions(): Option[] {
  return [
    new Option('--out <file>', `${outputOptionHelp('--out')}; repeatable`).argParser((v: string, p: string[] = []) => p.concat(v)),
    new Option('--jsonl <file>', outputOptionHelp('--jsonl')),
    new Option('--cot <url>', outputOptionHelp('--cot')),
    new Option('--record <file>', outputOptionHelp('--record')),
    new Option('--pcapng <file>', outputOptionHelp('--pcapng')),
    new Option('--force', `let ${streamOptions()} overwrite an existing file`),
  ];
}

/** The signing key of a receiver's (or a hub's) recordings. */
export const keyCliOption = (recordingOptions: string): Option =>
  new Option(
    '--key <file>',
    `the signing key for ${recordingOptions} (Ed25519, PKCS#8 PEM, mode 0600); default $ODID_HOME/receiver-key.pem (ODID_HOME: $XDG_DATA_HOME/odid or ~/.local/share/odid), created on first use`,
  );

/**
 * What signs the recordings of a run that records (`recording`): the key given, or the default one (created
 * on first use, which is said), and what each seal tells besides the chain. Nothing when nothing is recorded.
 * Throws an Error whose message is the line to print.
 */
export async function recordingEvidence(
  opts: { key?: string; recording: boolean; recordingOptions: string; sealEveryFrames?: number },
  application: string,
  position: () => SealPosition | undefined,
  say: (line: string) => void,
): Promise<{ key: ReceiverKey; evidence: EvidenceOptions } | undefined> {
  if (opts.key !== undefined && !opts.recording) throw new Error(`--key goes with ${opts.recordingOptions} (it signs recordings)`);
  if (!opts.recording) return undefined;
  const key = opts.key !== undefined ? loadReceiverKey(opts.key) : loadOrCreateDefaultKey();
  if (key.created) say(`created the receiver key ${key.path} (${key.fingerprint}): keep it, it shows which receiver made these recordings`);
  const clock = new ClockProbe();
  await clock.refresh();
  const evidence: EvidenceOptions = { key, software: receiverSoftware(), application, position, clock: () => clock.report() };
  if (opts.sealEveryFrames !== undefined) evidence.sealEveryFrames = opts.sealEveryFrames;
  return { key, evidence };
}

/** How long closing waits for a CoT receiver (a TCP peer that never closes its side). */
const COT_CLOSE_WAIT_MS = 1000;

interface FileOutput {
  option: OutputOption;
  path: string;
  scheme: ExportScheme | StreamScheme;
}

/** The file outputs given for `options`, in that order, each with its registry entry. */
function fileOutputs(opts: OutputOptions, options: readonly Exclude<OutputOption, '--cot' | '--publish'>[]): FileOutput[] {
  const values = (option: Exclude<OutputOption, '--cot' | '--publish'>): string[] => {
    const v = { '--out': opts.out, '--jsonl': opts.jsonl, '--record': opts.record, '--pcapng': opts.pcapng }[option];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  return options.flatMap((option) => values(option).map((path) => ({ option, path, scheme: findOutputScheme(option, path) as ExportScheme | StreamScheme })));
}

/** Every file output with its option and its policy for an existing file (in the order the checks name them). */
export function outputSpecs(opts: OutputOptions): OutputSpec[] {
  return fileOutputs(opts, ['--out', '--jsonl', '--record', '--pcapng']).map((o) => ({ option: o.option, path: o.path, policy: outputPolicy(o.scheme) }));
}

/**
 * Checks every output before anything is opened, read or sent: export names (a kind the registry has),
 * paths (directory there and writable, not a directory, not an input, not another output, no existing file
 * overwritten without --force) and the CoT URL. Throws a UsageError with one line.
 */
export function checkOutputs(opts: OutputOptions, inputs: InputSpec[]): CotTarget | undefined {
  // outputSpecs finds each output's entry: an --out of no registered kind is refused first.
  checkOutputPaths(outputSpecs(opts), { inputs, force: opts.force });
  if (opts.recordDir !== undefined) checkRecordDir(opts.recordDir);
  publishPlan(opts);
  return opts.cot ? parseCotUrl(opts.cot) : undefined;
}

/** --record-dir: an existing directory this user may create files in. */
function checkRecordDir(dir: string): void {
  const where = `--record-dir ${dir}`;
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new OutputPathError('no-directory', where, 'no such directory', 'create it first');
  }
  if (!isDir) throw new OutputPathError('no-directory', where, 'not a directory');
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new OutputPathError('not-writable', where, `the directory is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** `evidence`: the receiver's key and what its seals say; --record and --record-dir need it. */
export async function openOutputs(opts: OutputOptions, say: (line: string) => void, cot?: CotTarget, evidence?: EvidenceOptions): Promise<OpenOutputs> {
  let failed = false;
  const problems: string[] = [];
  const onError = (line: string): void => {
    failed = true;
    say(line);
  };
  // The CoT target first: a refused connection is an error before any file is created.
  let cotOutput: TrackOutput | undefined;
  let cotFailures = 0;
  const cotName = cot && `${cot.protocol}://${cot.host.includes(':') ? `[${cot.host}]` : cot.host}:${cot.port}`;
  if (cot) {
    const scheme = OUTPUT_SCHEMES.find((e): e is NetworkScheme => e.kind === 'network' && e.protocol === cot.protocol)!;
    const sender = await scheme.connect(cot);
    // An unreachable receiver fails every event: said once, then counted, the count in the closing summary.
    cotOutput = createCotOutput(sender, {
      onError: (e) => {
        if (cotFailures++ === 0) onError(`CoT: cannot send to ${cotName}: ${e.message} (further failures are counted; the total comes at the end)`);
      },
    });
    say(`sending Cursor-on-Target to ${cotName}`);
  }
  // The broker next: credentials or a certificate it refuses stop the run before any file is created; one
  // that is unreachable is said, and frames spool until it answers.
  const plan = publishPlan(opts);
  let publisher: MqttPublisher | undefined;
  if (plan) {
    publisher = await openMqttPublisher({ ...plan, onError: (e) => say(e.message), onInfo: say });
  }

  const files: OutputFile[] = [];
  const frameOutputs: FrameOutput[] = [];
  const trackOutputs: TrackOutput[] = [];
  let messages: JsonlOutput | undefined;
  const exports: { path: string; scheme: ExportScheme }[] = [];
  // Streams are opened now and written as the run goes (stdout, "-", is flushed at the end, never closed);
  // exports are written from the final tracks.
  for (const { option, path, scheme } of fileOutputs(opts, ['--record', '--pcapng', '--jsonl', '--out'])) {
    if (scheme.kind === 'export') {
      exports.push({ path, scheme });
      continue;
    }
    const file = openOutputFile({ option, path }, { onError: (line) => onError(`${line}; that output stopped, the others go on`) });
    files.push(file);
    const opened = scheme.open(file, evidence ? { evidence } : {});
    if (opened.frame) frameOutputs.push(opened.frame);
    if (opened.message) messages = opened.message;
    if (opened.track) trackOutputs.push(opened.track);
  }
  let recordDir: RecordingDirectoryWriter | undefined;
  if (opts.recordDir !== undefined) {
    if (!evidence) throw new ToolkitError('no-key', '--record-dir needs the receiver key');
    recordDir = createRecordingDirectoryWriter({
      ...evidence,
      dir: opts.recordDir,
      open: (path) => {
        const file = openOutputFile({ option: '--record-dir', path }, { onError: (line) => onError(`${line}; that recording stopped, the others go on`) });
        files.push(file);
        return file;
      },
      onFile: (path) => say(`recording to ${path}`),
      onError: (e) => onError(`${e.message}; recording goes on in the current file`),
    });
    frameOutputs.push(recordDir);
  }
  if (cotOutput) trackOutputs.push(cotOutput);
  if (publisher) frameOutputs.push(publisher);
  return {
    sinks: {
      ...(frameOutputs.length ? { frame: (f) => frameOutputs.forEach((o) => o.write(f)) } : {}),
      ...(messages || publisher
        ? {
            message: (m) => {
              messages?.message(m);
              publisher?.message(m);
            },
          }
        : {}),
      ...(trackOutputs.length ? { update: (u) => trackOutputs.forEach((o) => o.write(u)) } : {}),
    },
    get failed() {
      return failed;
    },
    problems: () => problems,
    recordingFiles: () => [...(opts.record && opts.record !== '-' ? [opts.record] : []), ...(recordDir?.files ?? [])],
    bindReceiver: (ctx) => publisher?.setContext(ctx),
    async close(tracks) {
      const closing = [...frameOutputs, ...trackOutputs].map((o) =>
        o === cotOutput ? Promise.race([o.close(), new Promise<void>((r) => setTimeout(r, COT_CLOSE_WAIT_MS).unref())]) : o.close(),
      );
      await Promise.all(closing);
      await messages?.close();
      if (publisher) {
        say(publisher.summary());
        const lost = publisher.stats().droppedFrames;
        if (lost) problems.push(`${lost} frames dropped beyond the MQTT spool bound`);
      }
      if (cotFailures) {
        failed = true;
        problems.push(`${cotFailures} CoT event${cotFailures === 1 ? '' : 's'} not sent to ${cotName}`);
      }
      for (const f of files) if (f.error) problems.push(`${f.option} ${f.path} incomplete`);
      if (!tracks) return;
      for (const { path, scheme } of exports) {
        try {
          await writeFileReplacing(path, scheme.render(tracks));
          say(`wrote ${path}`);
        } catch (e) {
          onError(`--out ${path}: cannot write: ${(e as Error).message}`);
          problems.push(`--out ${path} not written`);
        }
      }
    },
  };
}
