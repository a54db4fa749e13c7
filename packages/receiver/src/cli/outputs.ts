/** The CLI's outputs: exports written at the end, streams written as frames and updates arrive. */

import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createJsonlOutput, type JsonlOutput } from '../outputs/jsonl.js';
import { createCotOutput } from '../outputs/cot.js';
import { createTcpCotSender, createUdpCotSender } from '../outputs/cot-send.js';
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
}

export interface OpenOutputs {
  sinks: PipelineSinks;
  /** Flushes the streams and writes the end-of-run exports. */
  close(tracks: Track[]): Promise<void>;
}

export async function openOutputs(opts: OutputOptions, say: (line: string) => void): Promise<OpenOutputs> {
  for (const f of opts.out ?? []) {
    if (!/\.(geojson|json|kml|jsonl)$/i.test(f)) throw new Error(`--out ${f}: use a .geojson, .kml or .jsonl file name`);
  }
  const frameOutputs: FrameOutput[] = [];
  const trackOutputs: TrackOutput[] = [];
  let messages: JsonlOutput | undefined;
  if (opts.record) frameOutputs.push(createRecordingWriter(createWriteStream(opts.record)));
  if (opts.pcapng) frameOutputs.push(createPcapngOutput(createWriteStream(opts.pcapng)));
  if (opts.jsonl) {
    const toStdout = opts.jsonl === '-';
    messages = createJsonlOutput(toStdout ? process.stdout : createWriteStream(opts.jsonl), { tracks: false, end: !toStdout });
  }
  // Track-update streams (.jsonl in --out) follow the tracker as it goes.
  for (const f of (opts.out ?? []).filter((f) => /\.jsonl$/i.test(f))) trackOutputs.push(createJsonlOutput(createWriteStream(f), { messages: false }));
  if (opts.cot) {
    const url = new URL(opts.cot);
    const port = Number(url.port || 6969);
    const host = url.hostname;
    const sender = url.protocol === 'tcp:' ? await createTcpCotSender({ host, port }) : await createUdpCotSender({ host: host || undefined, port });
    trackOutputs.push(createCotOutput(sender, { onError: (e) => say(`CoT: ${e.message}`) }));
    say(`sending Cursor-on-Target to ${url.protocol}//${host}:${port}`);
  }
  return {
    sinks: {
      ...(frameOutputs.length ? { frame: (f) => frameOutputs.forEach((o) => o.write(f)) } : {}),
      ...(messages ? { message: (m) => messages!.message(m) } : {}),
      ...(trackOutputs.length ? { update: (u) => trackOutputs.forEach((o) => o.write(u)) } : {}),
    },
    async close(tracks) {
      await Promise.all([...frameOutputs, ...trackOutputs].map((o) => o.close()));
      await messages?.close();
      for (const f of opts.out ?? []) {
        if (/\.kml$/i.test(f)) await writeFile(f, tracksToKml(tracks));
        else if (/\.(geo)?json$/i.test(f)) await writeFile(f, JSON.stringify(tracksToGeoJson(tracks), null, 1) + '\n');
        else continue;
        say(`wrote ${f}`);
      }
    },
  };
}
