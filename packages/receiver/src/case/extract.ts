/**
 * Pass two of an export: the same recordings read again, decoded by a fresh extractor exactly as pass one's
 * pipeline decoded them (so message N here is message N there), keeping the frames and messages of the
 * drone's tracks only. Frames go to records.cbor, a plain (version 1) recording marked as an extract, each
 * frame naming the recording it came from and its frame number there; messages go to messages.jsonl.
 * What the HTML report shows is collected on the way, bounded.
 */

import path from 'node:path';
import { Encoder } from 'cbor-x';
import { receivedToJson, RemoteIdExtractor } from '@odid/codec';
import { checkFrame, frameRecord, RECORDING_ENCODER_OPTIONS, RECORDING_FORMAT, RECORDING_VERSION } from '../outputs/recording.js';
import { CaseError } from './errors.js';
import type { OutFile } from './out-file.js';
import { replayFrames } from './replay-frames.js';

/** Messages listed one by one in the HTML report; the rest are counted by type. */
export const MAX_REPORT_MESSAGES = 20_000;

/** A decoded message as the report lists it (its JSON as messages.jsonl has it, parsed). */
export type MessageJson = Record<string, unknown> & { recording: string; recordingFrame: number };

export interface ExtractSource {
  path: string;
  sha256: string;
}

export interface Extracted {
  frames: number;
  messages: number;
  /** The first MAX_REPORT_MESSAGES messages. */
  listed: MessageJson[];
  /** The latest message of each type. */
  latest: Map<string, MessageJson>;
  countByType: Map<string, number>;
}

export interface ExtractOptions {
  uasId: string;
  sources: readonly ExtractSource[];
  /** Pass one's result: the track index of each message, and which of those indexes are the drone's. */
  messageTrack: Int32Array;
  selected: ReadonlySet<number>;
  records: OutFile;
  messages: OutFile;
  /** Seconds since the epoch, for the extract's header. */
  created: number;
}

export async function extractDrone(opts: ExtractOptions): Promise<Extracted> {
  const encoder = new Encoder(RECORDING_ENCODER_OPTIONS);
  opts.records.write(
    encoder.encode({
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      created: opts.created,
      application: 'rid-case export',
      // Extension keys (readers skip them): this is an extract, of these sealed originals.
      extract: { uasId: opts.uasId, recordings: opts.sources.map((s) => ({ name: path.basename(s.path), sha256: s.sha256 })) },
    }),
  );
  // The pipeline's extractor options, defaults included (pipeline.ts): the same input gives the same messages.
  const extractor = new RemoteIdExtractor({});
  const out: Extracted = { frames: 0, messages: 0, listed: [], latest: new Map(), countByType: new Map() };
  let g = 0;
  for (const [sourceIndex, source] of opts.sources.entries()) {
    const name = path.basename(source.path);
    const prefix = `{"recording":${JSON.stringify(name)},"recordingFrame":`;
    await replayFrames(source.path, (f, index) => {
      const messages = extractor.fromRecord(f.linkType, f.data, { t: f.t, ...(f.frame !== undefined ? { frame: f.frame } : {}), ...(f.originalLength !== undefined ? { originalLength: f.originalLength } : {}) });
      let keep = false;
      for (const m of messages) {
        const track = opts.messageTrack[g++];
        if (track === undefined) throw changed(source.path);
        if (!opts.selected.has(track)) continue;
        keep = true;
        const json = receivedToJson(m);
        const line = `${prefix}${index + 1},${json.slice(1)}`;
        opts.messages.write(line + '\n');
        out.messages++;
        const type = m.message.type;
        out.countByType.set(type, (out.countByType.get(type) ?? 0) + 1);
        const parsed = JSON.parse(line) as MessageJson;
        out.latest.set(type, parsed);
        if (out.listed.length < MAX_REPORT_MESSAGES) out.listed.push(parsed);
      }
      if (!keep) return;
      checkFrame(f);
      opts.records.write(encoder.encode({ ...frameRecord(f), recording: sourceIndex, recordingFrame: index + 1 }));
      out.frames++;
    });
  }
  if (g !== opts.messageTrack.length) throw changed(opts.sources.map((s) => s.path).join(', '));
  return out;
}

const changed = (subject: string): CaseError =>
  new CaseError('changed', 'the recordings decoded differently the second time they were read: one changed during the export', { subject, fix: 'export from copies that nothing writes to' });
