/**
 * NMEA 0183 position source: a GNSS receiver on a serial port, or a file/stream of sentences.
 * Parsing (nmea-parse), epoch assembly (nmea-assemble) and writing (nmea-write) are pure and live in
 * their own files; this file is only transport. Bad sentences are counted and skipped, never thrown.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { PositionSourceError } from './errors.js';
import { LineSplitter } from '@odid/commands';
import { NmeaFixAssembler } from './nmea-assemble.js';
import { NmeaError, parseNmeaSentence } from './nmea-parse.js';
import { checkBaudRate, openSerialPort, type SerialLoader, type SerialPortLike } from './serial.js';
import type { Fix, PositionSource, SourceEvents } from './types.js';

export { NmeaError, nmeaChecksum, parseNmeaSentence } from './nmea-parse.js';
export type { GgaSentence, GsaSentence, NmeaSentence, OtherSentence, RmcSentence, VtgSentence } from './nmea-parse.js';
export { DEFAULT_UERE, NmeaFixAssembler } from './nmea-assemble.js';
export { toNmea, type ToNmeaOptions } from './nmea-write.js';

export type NmeaInput =
  | { kind: 'file'; path: string }
  | { kind: 'serial'; path: string; baudRate?: number }
  | { kind: 'stream'; stream: Readable; name?: string };

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface NmeaSourceOptions {
  input: NmeaInput;
  clock: Clock;
  /** UERE in m for the DOP -> accuracy estimate (default 3.5). */
  uere?: number;
  /** Replay: hold each fix back until its GNSS time, relative to the first one, has passed on the clock. */
  realtime?: boolean;
  /** Replay: shift fix times so the first fix is "now", making an old log look live. */
  retime?: boolean;
  /** Serial: reopen after the device goes away (unplugged), with these delays; false = give up. */
  reopen?: BackoffOptions | false;
  serialLoader?: SerialLoader;
  /** Injected wait, for pacing and reopen delays (default: a real timer). */
  sleep?: Sleep;
}

export interface NmeaEvents extends SourceEvents {
  /** A malformed sentence was skipped (stats.bad counts them). */
  badSentence: NmeaError;
  /** The file or stream ended. */
  end: undefined;
}

export interface NmeaStats {
  lines: number;
  sentences: number;
  bad: number;
  /** Well-formed sentences of types that carry nothing we use (GSV, TXT, ...). */
  ignored: number;
  fixes: number;
  /** Epochs without a valid position. */
  noFix: number;
}

export const DEFAULT_NMEA_BAUD = 9600;

const realSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal }).then(() => undefined);

export class NmeaSource extends Emitter<NmeaEvents> implements PositionSource {
  readonly name: string;
  readonly stats: NmeaStats = { lines: 0, sentences: 0, bad: 0, ignored: 0, fixes: 0, noFix: 0 };
  private readonly opts: NmeaSourceOptions;
  private readonly assembler: NmeaFixAssembler;
  private readonly sleep: Sleep;
  private last: Fix | undefined;
  private abort: AbortController | undefined;
  private input: Readable | undefined;
  private loop: Promise<void> | undefined;
  private pace: { wall: number; gnss: number } | undefined;

  constructor(opts: NmeaSourceOptions) {
    super();
    this.opts = opts;
    const i = opts.input;
    if (i.kind === 'serial') checkBaudRate(i.baudRate ?? DEFAULT_NMEA_BAUD, `nmea:${i.path}`);
    this.name = i.kind === 'stream' ? `nmea:${i.name ?? 'stream'}` : i.kind === 'serial' ? `nmea:${i.path}?baud=${i.baudRate ?? DEFAULT_NMEA_BAUD}` : `nmea:${i.path}`;
    this.assembler = new NmeaFixAssembler({ clock: opts.clock, ...(opts.uere === undefined ? {} : { uere: opts.uere }) });
    this.sleep = opts.sleep ?? realSleep;
  }

  async start(): Promise<void> {
    if (this.abort) return;
    const abort = new AbortController();
    const first = await this.open();
    this.abort = abort;
    this.loop = this.run(first, abort.signal);
  }

  async stop(): Promise<void> {
    const abort = this.abort;
    if (!abort) return;
    abort.abort();
    this.close(this.input);
    await this.loop;
    this.abort = undefined;
  }

  latest(): Fix | undefined {
    return this.last;
  }

  /** Resolves when the input has ended (files, streams) or the source was stopped. */
  finished(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async open(): Promise<Readable> {
    const i = this.opts.input;
    if (i.kind === 'stream') return i.stream;
    if (i.kind === 'serial') {
      return (await openSerialPort(i.path, i.baudRate ?? DEFAULT_NMEA_BAUD, this.opts.serialLoader)) as Readable;
    }
    try {
      const st = await stat(i.path);
      if (st.isDirectory()) throw new Error('is a directory');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied (check the file mode)' : (e as Error).message;
      throw new PositionSourceError('unreadable', `cannot read ${i.path}: ${why}`, 'give a file of NMEA sentences (nmea:track.nmea) or a serial device (nmea:/dev/ttyUSB0?baud=9600)', {
        subject: 'nmea',
        cause: e,
      });
    }
    return createReadStream(i.path);
  }

  private close(stream: Readable | undefined): void {
    if (!stream) return;
    const port = stream as Partial<SerialPortLike>;
    if (typeof port.close === 'function' && port.isOpen) port.close(() => undefined);
    else stream.destroy();
  }

  private async run(first: Readable, signal: AbortSignal): Promise<void> {
    const i = this.opts.input;
    const backoff = new Backoff(this.opts.reopen || undefined);
    let stream: Readable | undefined = first;
    while (stream && !signal.aborted) {
      this.input = stream;
      await this.pump(stream, signal);
      if (signal.aborted || i.kind !== 'serial' || this.opts.reopen === false) break;
      this.emit('error', new Error(`nmea: serial port ${i.path} closed; reopening`));
      stream = undefined;
      while (!stream && !signal.aborted) {
        try {
          await this.sleep(backoff.next(), signal);
          stream = await this.open();
          backoff.reset();
        } catch (e) {
          if (!signal.aborted) this.emit('error', e as Error);
        }
      }
    }
    this.input = undefined;
    if (!signal.aborted) this.emit('end', undefined);
  }

  private async pump(stream: Readable, signal: AbortSignal): Promise<void> {
    const lines = new LineSplitter('latin1', 4096);
    // serialport emits 'close' on unplug but never ends the readable side: end the loop ourselves.
    const onClose = (): void => void stream.destroy();
    stream.once('close', onClose);
    try {
      for await (const chunk of stream) {
        for (const line of lines.push(chunk as Buffer)) await this.line(line, signal);
        if (signal.aborted) return;
      }
      for (const line of lines.end()) await this.line(line, signal);
      const fix = this.assembler.flush();
      if (fix) await this.deliver(fix, signal);
    } catch (e) {
      // A premature close is our own destroy() after the port closed: run() reports that.
      const closed = (e as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
      if (!signal.aborted && !closed) this.emit('error', new Error(`nmea: read failed on ${this.name}: ${(e as Error).message}`, { cause: e }));
    } finally {
      stream.off('close', onClose);
      this.close(stream);
      this.stats.bad += lines.overflows;
      this.stats.noFix = this.assembler.noFix;
    }
  }

  /** Handle one line; public so a caller that already has lines (e.g. from gpsd raw mode) can feed them. */
  async line(line: string, signal?: AbortSignal): Promise<void> {
    if (line.trim() === '') return;
    this.stats.lines++;
    let fixes: Fix[];
    try {
      const s = parseNmeaSentence(line);
      this.stats.sentences++;
      if (s.type === 'other') {
        this.stats.ignored++;
        return;
      }
      fixes = this.assembler.push(s);
    } catch (e) {
      this.stats.bad++;
      this.emit('badSentence', e instanceof NmeaError ? e : new NmeaError(String(e), line));
      return;
    }
    this.stats.noFix = this.assembler.noFix;
    for (const fix of fixes) await this.deliver(fix, signal);
  }

  private async deliver(fix: Fix, signal?: AbortSignal): Promise<void> {
    if (this.opts.realtime || this.opts.retime) {
      if (!this.pace) this.pace = { wall: this.opts.clock.now(), gnss: fix.time };
      if (this.opts.realtime) {
        const wait = this.pace.wall + (fix.time - this.pace.gnss) - this.opts.clock.now();
        if (wait > 0) {
          try {
            await this.sleep(wait, signal ?? new AbortController().signal);
          } catch {
            return; // stopped while waiting
          }
        }
      }
      if (this.opts.retime) fix = { ...fix, time: fix.time + (this.pace.wall - this.pace.gnss) };
    }
    this.last = fix;
    this.stats.fixes++;
    this.emit('fix', fix);
  }
}
