/** The CLI's only contact with files and streams. */

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export const openInput = (path: string): Readable => (path === '-' ? process.stdin : createReadStream(path));

export async function readAllText(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Lines of a file or stdin, numbered from 1. */
export async function* readLines(path: string): AsyncGenerator<{ line: string; number: number }> {
  let number = 0;
  for await (const line of createInterface({ input: openInput(path), crlfDelay: Infinity })) {
    yield { line, number: ++number };
  }
}

/** Writes to stdout, waiting when the pipe is full so that large outputs keep memory flat. */
export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

/** Says what went wrong and where, on stderr. */
export function describeError(e: unknown): string {
  if (e instanceof Error && (e.name === 'DecodeError' || e.name === 'EncodeError')) {
    const code = (e as Error & { code?: string }).code;
    return `${e.message}${code ? ` [${code}]` : ''}`;
  }
  if (e instanceof SyntaxError) return `not valid JSON: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
