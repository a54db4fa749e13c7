import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/line-splitter.js';

describe('LineSplitter', () => {
  it('splits LF and CRLF lines whatever the chunking, and keeps a last line without newline', () => {
    const s = new LineSplitter('utf8', 100);
    const text = 'one\r\ntwo\nthree\r\nfour';
    const out: string[] = [];
    for (let i = 0; i < text.length; i += 3) out.push(...s.push(text.slice(i, i + 3)));
    out.push(...s.end());
    expect(out).toEqual(['one', 'two', 'three', 'four']);
  });

  it('drops an over-long line once, however many chunks it spans, and goes on at the next line', () => {
    const s = new LineSplitter('utf8', 10);
    const out: string[] = [];
    out.push(...s.push('ok\n' + 'x'.repeat(25)));
    for (let i = 0; i < 5; i++) out.push(...s.push('y'.repeat(25)));
    out.push(...s.push('tail\nnext\n'));
    out.push(...s.end());
    expect(out).toEqual(['ok', 'next']);
    expect(s.overflows).toBe(1);
  });

  it('does not hand out an over-long last line at the end of the stream', () => {
    const s = new LineSplitter('utf8', 4);
    expect(s.push('abcdefgh')).toEqual([]);
    expect(s.end()).toEqual([]);
    expect(s.overflows).toBe(1);
  });
});
