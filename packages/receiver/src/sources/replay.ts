/**
 * Replays a pcap, pcapng or btsnoop capture (a file or a stream such as `tcpdump -w -`), or a recording
 * made with `rid-scan --record`, as frames, in real time (paced by the capture's own timestamps, optionally
 * sped up) or as fast as possible. In a replay the tracker's clock is the capture's time, never the wall
 * clock: each frame carries its capture time.
 */

import { createReadStream } from 'node:fs';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { CaptureReader, type CaptureWarning } from '@odid/codec';
import { readRecording } from '../outputs/recording.js';
import type { FrameSource, FrameSourceEvents, RawFrame } from './types.js';

export interface ReplayOptions {
  /** File path, or "-" for standard input. */
  path: string;
  /** true: as fast as possible; false: paced by the capture timestamps. */
  fast?: boolean;
  /** With pacing: 2 = twice as fast as recorded. */
  speed?: number;
  /** Injected for tests. */
  input?: Readable;
  onWarning?: (w: CaptureWarning) => void;
}

export class ReplaySource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  readonly name: string;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** The reader's view of the input, for summaries. */
  reader: CaptureReader | undefined;

  constructor(private readonly opts: ReplayOptions) {
    super();
    this.name = `replay:${opts.path}`;
  }

  async start(): Promise<void> {
    let input: Readable;
    if (this.opts.input) input = this.opts.input;
    else if (this.opts.path === '-') input = process.stdin;
    else {
      const file = createReadStream(this.opts.path);
      // Fail now, with the reason, if the file cannot be opened.
      await new Promise<void>((resolve, reject) => {
        file.once('open', () => resolve());
        file.once('error', (e: Error) => reject(new Error(`cannot open ${this.opts.path}: ${e.message}`)));
      });
      input = file;
    }
    this.running = this.pump(input).catch((e: unknown) => void this.emit('error', e as Error));
  }

  /** Resolves when the whole input has been delivered (or the source stopped). */
  async done(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  private async pump(input: Readable): Promise<void> {
    const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    const first = await chunks.next();
    const rest = async function* (): AsyncGenerator<Uint8Array> {
      if (!first.done) yield first.value;
      for (let c = await chunks.next(); !c.done; c = await chunks.next()) yield c.value;
    };
    // A recording is a CBOR sequence opening with its header map (major type 5); captures open with a magic.
    const isRecording = !first.done && first.value.length > 0 && first.value[0]! >= 0xa0 && first.value[0]! <= 0xbf;
    if (isRecording) await this.deliverAll(readRecording(rest()));
    else await this.deliverAll(this.captureFrames(rest()));
    if (!this.stopped) this.emit('end');
  }

  private async *captureFrames(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<RawFrame> {
    // From a pipe (tcpdump -w -) the stream may be live: hand each frame over as soon as it is in.
    const reader = new CaptureReader({ live: this.opts.path === '-', onWarning: (w) => this.opts.onWarning?.(w) });
    this.reader = reader;
    for await (const chunk of chunks) {
      if (this.stopped) return;
      for (const r of reader.push(chunk)) yield { t: r.timestamp, linkType: r.linkType, data: r.data, frame: r.frame };
    }
    for (const r of reader.end()) yield { t: r.timestamp, linkType: r.linkType, data: r.data, frame: r.frame };
    if (reader.format === undefined) throw new Error(`${this.opts.path} is neither a pcap, pcapng or btsnoop capture nor a recording`);
  }

  /** Emits frames, paced by their timestamps unless fast. */
  private async deliverAll(frames: AsyncIterable<RawFrame>): Promise<void> {
    const speed = this.opts.speed ?? 1;
    let firstT = NaN;
    let startMs = 0;
    for await (const f of frames) {
      if (this.stopped) return;
      if (!this.opts.fast) {
        if (Number.isNaN(firstT)) {
          firstT = f.t;
          startMs = Date.now();
        }
        const wait = startMs + ((f.t - firstT) * 1000) / speed - Date.now();
        if (wait > 1) await new Promise((res) => setTimeout(res, wait));
      }
      this.emit('frame', f);
    }
  }
}
