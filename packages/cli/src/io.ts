/** The CLI's only contact with files and streams. */

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { displayText } from '@odid/codec';
import { FileTooLargeError, LineSplitter, readFileBounded, readStreamBounded } from '@odid/commands';

const openInput = (path: string): Readable => (path === '-' ? process.stdin : createReadStream(path));

/** The most `odid encode` reads of its JSON input (a file, a device, a FIFO or stdin): ~300,000 messages. */
export const ENCODE_INPUT_MAX_BYTES = 64 << 20;

/** A whole file or stdin as text, up to ENCODE_INPUT_MAX_BYTES ("PATH: larger than 64 MiB" past it). */
export async function readAllText(path: string): Promise<string> {
  const limit = { maxBytes: ENCODE_INPUT_MAX_BYTES, hint: 'the most odid encode reads' };
  try {
    return (path === '-' ? await readStreamBounded(process.stdin, limit) : await readFileBounded(path, limit)).toString('utf8');
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new Error(`${path}: ${e.message}`);
    throw e;
  }
}

/** The longest input line read (`odid decode --hex -`): a message pack is under 500 hex digits. */
export const LINE_MAX_CHARS = 64 * 1024;

/**
 * Lines of a file or stdin, numbered from 1. A line longer than LINE_MAX_CHARS is not kept (a pipe of
 * binary or hostile input must not grow memory): it comes out as `tooLong`, with its number, and reading
 * goes on at the next line.
 */
export async function* readLines(path: string): AsyncGenerator<{ line: string; number: number; tooLong?: true }> {
  const splitter = new LineSplitter('utf8', LINE_MAX_CHARS);
  let number = 0;
  let dropped = splitter.overflows;
  for await (const chunk of openInput(path)) {
    for (const line of splitter.push(chunk as Buffer)) yield { line, number: ++number };
    // An over-long line is dropped once it passes the bound, after the complete lines before it.
    for (; dropped < splitter.overflows; dropped++) yield { line: '', number: ++number, tooLong: true };
  }
  for (const line of splitter.end()) yield { line, number: ++number };
}

/** Writes to stdout, waiting when the pipe is full so that large outputs keep memory flat. */
export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

/** The most characters of one line written to stderr; a value quoted in it: VALUE_MAX. */
export const LOG_LINE_MAX = 1000;
export const VALUE_MAX = 200;

/**
 * Writes one line to stderr. Lines quote captures, files and input values, so control characters are
 * shown escaped (never sent to the terminal) and the line is capped.
 */
export function sayLine(text: string): void {
  process.stderr.write(displayText(text, { max: LOG_LINE_MAX }) + '\n');
}

/** Says what went wrong and where, for stderr: the value at fault escaped and capped (VALUE_MAX). */
export function describeError(e: unknown): string {
  if (e instanceof Error && e.name === 'EncodeError') {
    // The message holds the whole value (JSON): rebuilt here with the value cut to size.
    const { code, field, value, allowed } = e as Error & { code: string; field: string; value: unknown; allowed: string };
    const shown = displayText(JSON.stringify(value) ?? String(value), { max: VALUE_MAX });
    return displayText(`${field}: ${shown} is not allowed; expected ${allowed} [${code}]`, { max: LOG_LINE_MAX });
  }
  if (e instanceof Error && e.name === 'DecodeError') {
    const code = (e as Error & { code?: string }).code;
    return displayText(`${e.message}${code ? ` [${code}]` : ''}`, { max: LOG_LINE_MAX });
  }
  if (e instanceof SyntaxError) return `not valid JSON: ${displayText(e.message, { max: VALUE_MAX })}`;
  return displayText(e instanceof Error ? e.message : String(e), { max: LOG_LINE_MAX });
}
