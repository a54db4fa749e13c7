/** `odid decode --hex` and `odid encode`: single messages and packs as hex, one per line. */

import { decodeMessageExact, encodeMessage, fromHex, toHex, validate, type OdidMessageInput } from '../index.js';
import { describeError, readAllText, readLines, writeOut } from './io.js';

export interface HexDecodeOptions {
  validate?: boolean;
  pretty?: boolean;
}

function decodeHexLine(hex: string, opts: HexDecodeOptions): string {
  const bytes = fromHex(hex);
  const message = decodeMessageExact(bytes);
  const out = opts.validate ? { ...message, issues: validate(message, bytes) } : message;
  return JSON.stringify(out, null, opts.pretty ? 2 : undefined);
}

/** Decodes one hex string, or (with "-") every line of stdin. Returns the number of failures. */
export async function decodeHex(hex: string, opts: HexDecodeOptions): Promise<number> {
  if (hex !== '-') {
    try {
      await writeOut(decodeHexLine(hex, opts) + '\n');
      return 0;
    } catch (e) {
      process.stderr.write(`odid decode: ${describeError(e)}\n`);
      return 1;
    }
  }
  let failures = 0;
  for await (const { line, number } of readLines('-')) {
    const text = line.trim();
    if (!text || text.startsWith('#')) continue;
    try {
      await writeOut(decodeHexLine(text, opts) + '\n');
    } catch (e) {
      failures++;
      process.stderr.write(`odid decode: line ${number}: ${describeError(e)}\n`);
    }
  }
  return failures;
}

/** A decoded message, or a received-frame line (`{"frame":…,"message":{…}}`) whose message is taken. */
function messageOf(value: unknown): OdidMessageInput {
  if (value && typeof value === 'object' && !('type' in value) && 'message' in value) return (value as { message: OdidMessageInput }).message;
  return value as OdidMessageInput;
}

/**
 * Encodes decoded-form JSON: a whole-file JSON value (one message, a pack, or an array of them), or else
 * one JSON message per line. Prints one hex line per message. Returns the number of failures.
 */
export async function encodeJson(path: string): Promise<number> {
  const text = await readAllText(path);
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined; // not one JSON value: take it line by line
  }
  let failures = 0;
  const emit = async (value: unknown, where: string): Promise<void> => {
    try {
      await writeOut(toHex(encodeMessage(messageOf(value))) + '\n');
    } catch (e) {
      failures++;
      process.stderr.write(`odid encode: ${where}${describeError(e)}\n`);
    }
  };
  if (whole !== undefined) {
    const items = Array.isArray(whole) ? whole : [whole];
    for (let i = 0; i < items.length; i++) await emit(items[i], Array.isArray(whole) ? `item ${i}: ` : '');
    return failures;
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      failures++;
      process.stderr.write(`odid encode: line ${i + 1}: ${describeError(e)}\n`);
      continue;
    }
    await emit(value, `line ${i + 1}: `);
  }
  return failures;
}
