/** `odid decode --hex` and `odid encode`: single messages and packs as hex, one per line. */

import { decodeMessageExact, encodeMessage, fromHex, toHex, validate, validationIssueToJson, type OdidMessageInput } from '@odid/codec';
import { LINE_MAX_CHARS, describeError, readAllText, readLines, sayLine, writeOut } from './io.js';

export interface HexDecodeOptions {
  validate?: boolean;
  pretty?: boolean;
}

function decodeHexLine(hex: string, opts: HexDecodeOptions): string {
  const bytes = fromHex(hex);
  const message = decodeMessageExact(bytes);
  const out = opts.validate ? { ...message, issues: validate(message, bytes).map(validationIssueToJson) } : message;
  return JSON.stringify(out, null, opts.pretty ? 2 : undefined);
}

/** Decodes one hex string, or (with "-") every line of stdin. Returns the number of failures. */
export async function decodeHex(hex: string, opts: HexDecodeOptions): Promise<number> {
  if (hex !== '-') {
    try {
      await writeOut(decodeHexLine(hex, opts) + '\n');
      return 0;
    } catch (e) {
      sayLine(`odid decode: ${describeError(e)}`);
      return 1;
    }
  }
  let failures = 0;
  for await (const { line, number, tooLong } of readLines('-')) {
    if (tooLong) {
      failures++;
      sayLine(`odid decode: line ${number}: longer than ${LINE_MAX_CHARS} characters; skipped`);
      continue;
    }
    const text = line.trim();
    if (!text || text.startsWith('#')) continue;
    try {
      await writeOut(decodeHexLine(text, opts) + '\n');
    } catch (e) {
      failures++;
      sayLine(`odid decode: line ${number}: ${describeError(e)}`);
    }
  }
  return failures;
}

/** A decoded message, or a received-frame line (`{"frame":…,"message":{…}}`) whose message is taken. */
export function messageOf(value: unknown): OdidMessageInput {
  if (value && typeof value === 'object' && !('type' in value) && 'message' in value) return (value as { message: OdidMessageInput }).message;
  return value as OdidMessageInput;
}

export interface JsonItem {
  value: unknown;
  /** Where it came from, for error messages: "line 3: ", "item 2: " or "". */
  where: string;
}

/**
 * Reads decoded-form JSON: a whole-file JSON value (one message, a pack, or an array of them), or else
 * one JSON value per line. Lines that are not JSON are reported and counted, and reading goes on.
 */
export async function readJsonItems(path: string, command: string): Promise<{ items: JsonItem[]; failures: number }> {
  const text = await readAllText(path);
  try {
    const whole: unknown = JSON.parse(text);
    if (Array.isArray(whole)) return { items: whole.map((value, i) => ({ value, where: `item ${i}: ` })), failures: 0 };
    return { items: [{ value: whole, where: '' }], failures: 0 };
  } catch {
    // not one JSON value: take it line by line
  }
  const items: JsonItem[] = [];
  let failures = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    try {
      items.push({ value: JSON.parse(line), where: `line ${i + 1}: ` });
    } catch (e) {
      failures++;
      sayLine(`odid ${command}: line ${i + 1}: ${describeError(e)}`);
    }
  });
  return { items, failures };
}

/** Prints one hex line per message. Returns the number of failures. */
export async function encodeJson(path: string): Promise<number> {
  const { items, failures: unreadable } = await readJsonItems(path, 'encode');
  let failures = unreadable;
  for (const { value, where } of items) {
    try {
      await writeOut(toHex(encodeMessage(messageOf(value))) + '\n');
    } catch (e) {
      failures++;
      sayLine(`odid encode: ${where}${describeError(e)}`);
    }
  }
  return failures;
}
