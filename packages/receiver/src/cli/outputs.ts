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

import { checkOutputPaths, openOutputFile, writeFileReplacing, type InputSpec, type OutputFile, type OutputSpec } from '@odid/commands';
import { createCotOutput } from '../outputs/cot.js';
import type { CotTarget } from '../outputs/cot-send.js';
import type { JsonlOutput } from '../outputs/jsonl.js';
import { findOutputScheme, OUTPUT_SCHEMES, outputPolicy, parseCotUrl, type ExportScheme, type NetworkScheme, type OutputOption, type StreamScheme } from '../outputs/registry.js';
import type { FrameOutput, TrackOutput } from '../outputs/types.js';
import type { PipelineSinks } from '../pipeline.js';
import type { Track } from '../tracker/types.js';

export interface OutputOptions {
  out?: string[];
  jsonl?: string;
  cot?: string;
  record?: string;
  pcapng?: string;
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
}

/** How long closing waits for a CoT receiver (a TCP peer that never closes its side). */
const COT_CLOSE_WAIT_MS = 1000;

interface FileOutput {
  option: OutputOption;
  path: string;
  scheme: ExportScheme | StreamScheme;
}

/** The file outputs given for `options`, in that order, each with its registry entry. */
function fileOutputs(opts: OutputOptions, options: readonly Exclude<OutputOption, '--cot'>[]): FileOutput[] {
  const values = (option: Exclude<OutputOption, '--cot'>): string[] => {
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
  return opts.cot ? parseCotUrl(opts.cot) : undefined;
}

export async function openOutputs(opts: OutputOptions, say: (line: string) => void, cot?: CotTarget): Promise<OpenOutputs> {
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
    const opened = scheme.open(file);
    if (opened.frame) frameOutputs.push(opened.frame);
    if (opened.message) messages = opened.message;
    if (opened.track) trackOutputs.push(opened.track);
  }
  if (cotOutput) trackOutputs.push(cotOutput);
  return {
    sinks: {
      ...(frameOutputs.length ? { frame: (f) => frameOutputs.forEach((o) => o.write(f)) } : {}),
      ...(messages ? { message: (m) => messages!.message(m) } : {}),
      ...(trackOutputs.length ? { update: (u) => trackOutputs.forEach((o) => o.write(u)) } : {}),
    },
    get failed() {
      return failed;
    },
    problems: () => problems,
    async close(tracks) {
      const closing = [...frameOutputs, ...trackOutputs].map((o) =>
        o === cotOutput ? Promise.race([o.close(), new Promise<void>((r) => setTimeout(r, COT_CLOSE_WAIT_MS).unref())]) : o.close(),
      );
      await Promise.all(closing);
      await messages?.close();
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
