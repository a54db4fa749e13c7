/**
 * The CLI's outputs: exports written at the end, streams written as frames and updates arrive.
 *
 * Existing files (see @odid/commands output-files.ts): the end-of-run exports (--out .geojson/.kml) are
 * written to a temporary file and renamed over the old one once complete; the streams (--record, --pcapng,
 * --jsonl, --out .jsonl) are written in place as the run goes, so an existing non-empty file is refused
 * unless --force is given. Everything is checked before the run starts (checkOutputs); a write that fails
 * mid-run stops only that output, with one line, and makes the exit status 1.
 */

import {
  OutputPathError,
  checkOutputPaths,
  openOutputFile,
  writeFileReplacing,
  type InputSpec,
  type OutputFile,
  type OutputSpec,
} from '@odid/commands';
import { createJsonlOutput, type JsonlOutput } from '../outputs/jsonl.js';
import { createCotOutput } from '../outputs/cot.js';
import { createTcpCotSender, createUdpCotSender, parseCotUrl, type CotTarget } from '../outputs/cot-send.js';
import { tracksToGeoJson } from '../outputs/geojson.js';
import { tracksToKml } from '../outputs/kml.js';
import { createPcapngOutput } from '../outputs/pcapng.js';
import { createRecordingWriter } from '../outputs/recording.js';
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
  close(tracks: Track[] | undefined): Promise<void>;
  /** True once an output failed (a write error, CoT events that could not be sent): exit status 1. */
  readonly failed: boolean;
  /** What went wrong, for the closing summary line ("12 CoT events not sent"). */
  problems(): string[];
}

const EXPORT_NAME = /\.(geojson|json|kml|jsonl)$/i;
const STREAMED = /\.jsonl$/i;
/** How long closing waits for a CoT receiver (a TCP peer that never closes its side). */
const COT_CLOSE_WAIT_MS = 1000;

/** Every file output with its option and its policy for an existing file. */
export function outputSpecs(opts: OutputOptions): OutputSpec[] {
  const specs: OutputSpec[] = (opts.out ?? []).map((f) => ({ option: '--out', path: f, policy: STREAMED.test(f) ? 'stream' : 'replace' }));
  if (opts.jsonl) specs.push({ option: '--jsonl', path: opts.jsonl, policy: 'stream' });
  if (opts.record) specs.push({ option: '--record', path: opts.record, policy: 'stream' });
  if (opts.pcapng) specs.push({ option: '--pcapng', path: opts.pcapng, policy: 'stream' });
  return specs;
}

/**
 * Checks every output before anything is opened, read or sent: export names, paths (directory there and
 * writable, not a directory, not an input, not another output, no existing file overwritten without
 * --force) and the CoT URL. Throws an Error with one line (an OutputPathError for the paths).
 */
export function checkOutputs(opts: OutputOptions, inputs: InputSpec[]): CotTarget | undefined {
  for (const f of opts.out ?? []) {
    if (!EXPORT_NAME.test(f)) throw new OutputPathError(`--out ${f}: use a .geojson, .kml or .jsonl file name`);
  }
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
    const sender = cot.protocol === 'tcp' ? await createTcpCotSender({ host: cot.host, port: cot.port }) : await createUdpCotSender({ host: cot.host, port: cot.port });
    // An unreachable receiver fails every event: said once, then counted, the count in the closing summary.
    cotOutput = createCotOutput(sender, {
      onError: (e) => {
        if (cotFailures++ === 0) onError(`CoT: cannot send to ${cotName}: ${e.message} (further failures are counted; the total comes at the end)`);
      },
    });
    say(`sending Cursor-on-Target to ${cotName}`);
  }

  const files: OutputFile[] = [];
  const open = (option: string, path: string): OutputFile => {
    const f = openOutputFile({ option, path }, { onError: (line) => onError(`${line}; that output stopped, the others go on`) });
    files.push(f);
    return f;
  };
  const frameOutputs: FrameOutput[] = [];
  const trackOutputs: TrackOutput[] = [];
  let messages: JsonlOutput | undefined;
  if (opts.record) frameOutputs.push(createRecordingWriter(open('--record', opts.record)));
  if (opts.pcapng) frameOutputs.push(createPcapngOutput(open('--pcapng', opts.pcapng)));
  // stdout ("-") is flushed at the end, never closed.
  if (opts.jsonl) messages = createJsonlOutput(open('--jsonl', opts.jsonl), { tracks: false });
  // Track-update streams (.jsonl in --out) follow the tracker as it goes.
  for (const f of (opts.out ?? []).filter((f) => STREAMED.test(f))) trackOutputs.push(createJsonlOutput(open('--out', f), { messages: false }));
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
      for (const f of opts.out ?? []) {
        if (STREAMED.test(f) || !tracks) continue;
        try {
          if (/\.kml$/i.test(f)) await writeFileReplacing(f, tracksToKml(tracks));
          else await writeFileReplacing(f, JSON.stringify(tracksToGeoJson(tracks), null, 1) + '\n');
          say(`wrote ${f}`);
        } catch (e) {
          onError(`--out ${f}: cannot write: ${(e as Error).message}`);
          problems.push(`--out ${f} not written`);
        }
      }
    },
  };
}
