/**
 * Splits a byte stream into lines (LF or CRLF), whatever the chunking: TCP and serial reads end
 * mid-line. A line that grows past maxLength without a newline is dropped (counted), so a binary
 * stream, a wrong baud rate or a hostile pipe cannot grow memory without bound. Shared by the position
 * sources (gpsd, NMEA) and the CLIs' line input.
 */
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder: StringDecoder;
  private buf = '';
  private discarding = false;
  /** Over-long lines dropped. */
  overflows = 0;

  constructor(
    encoding: 'utf8' | 'latin1' = 'utf8',
    private readonly maxLength = 65_536,
  ) {
    this.decoder = new StringDecoder(encoding);
  }

  push(chunk: Buffer | string): string[] {
    this.buf += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const out: string[] = [];
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      if (this.discarding) this.discarding = false; // tail of an over-long line
      else out.push(line);
    }
    if (this.buf.length > this.maxLength) {
      if (!this.discarding) this.overflows++; // one line, however many chunks it spans
      this.buf = '';
      this.discarding = true;
    }
    return out;
  }

  /** End of stream: a last line without newline still counts. */
  end(): string[] {
    const rest = (this.buf + this.decoder.end()).replace(/\r$/, '');
    this.buf = '';
    return rest === '' || this.discarding ? [] : [rest];
  }
}
