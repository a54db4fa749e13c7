/**
 * Replays a pcap, pcapng or btsnoop capture (a file or a stream such as `tcpdump -w -`) as frames, in real
 * time (paced by the capture's own timestamps, optionally sped up) or as fast as possible. In a replay
 * the tracker's clock is the capture's time, never the wall clock: each frame carries its capture time.
 */

import { createReadStream } from 'node:fs';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { CaptureReader, type CaptureRecord, type CaptureWarning } from '@odid/codec';
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
    // From a pipe (tcpdump -w -) the stream may be live: hand each frame over as soon as it is in.
    const reader = new CaptureReader({ live: this.opts.path === '-', onWarning: (w) => this.opts.onWarning?.(w) });
    this.reader = reader;
    const pacing = this.opts.fast ? undefined : { speed: this.opts.speed ?? 1, firstT: NaN, startMs: 0 };
    const deliver = async (records: CaptureRecord[]): Promise<void> => {
      for (const r of records) {
        if (this.stopped) return;
        if (pacing) {
          if (Number.isNaN(pacing.firstT)) {
            pacing.firstT = r.timestamp;
            pacing.startMs = Date.now();
          }
          const due = pacing.startMs + ((r.timestamp - pacing.firstT) * 1000) / pacing.speed;
          const wait = due - Date.now();
          if (wait > 1) await new Promise((res) => setTimeout(res, wait));
        }
        const frame: RawFrame = { t: r.timestamp, linkType: r.linkType, data: r.data, frame: r.frame };
        this.emit('frame', frame);
      }
    };
    for await (const chunk of input) {
      if (this.stopped) break;
      await deliver(reader.push(chunk as Uint8Array));
    }
    if (!this.stopped) await deliver(reader.end());
    if (reader.format === undefined) throw new Error(`${this.opts.path} is not a pcap, pcapng or btsnoop capture`);
    this.emit('end');
  }
}
