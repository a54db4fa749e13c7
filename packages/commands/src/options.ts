/**
 * Command-line option values, checked where commander parses them, for all three CLIs (odid, rid-broadcast,
 * rid-scan). Every number has a unit and a finite range, every enumerated value a fixed list of choices. A
 * bad value throws a UsageError whose one-line message names the option, shows the value (quoted, escaped
 * and cut short) and says what is expected:
 *
 *   --speed must be a number > 0 and ≤ 1000 (got "0")
 *
 * The CLIs print it after their name and exit with USAGE_EXIT; `exitOnUsageError` and `usageErrorWriter`
 * make commander's own usage errors (unknown option, missing argument) look and exit the same way.
 */

import { displayText, ToolkitError, type ToolkitErrorOptions } from '@odid/codec';

/** The exit code of every usage error: a bad option, a missing argument, a file that makes no sense. */
export const USAGE_EXIT = 2;

/** The longest delay Node's setTimeout honours (2^31 - 1 ms, ~24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The longest --duration any CLI accepts: a week, in seconds. */
export const MAX_DURATION_S = 7 * 24 * 3600;

/**
 * Something the user typed that cannot work: an option's value, an output path, a scheme. One line,
 * "SUBJECT: REASON; FIX" (the fix reads on as a clause: "; give --force to overwrite it"); exit USAGE_EXIT.
 */
export class UsageError extends ToolkitError {
  override readonly name: string = 'UsageError';
  readonly exitCode = USAGE_EXIT;
  constructor(code: string, reason: string, opts: Omit<ToolkitErrorOptions, 'message'> = {}) {
    super(code, reason, { ...opts, message: `${opts.subject ? `${opts.subject}: ` : ''}${reason}${opts.fix ? `; ${opts.fix}` : ''}` });
  }
}

/**
 * A user-given value for an error message: JSON-quoted, anything a terminal could act on escaped
 * (displayText, as every message the tools print), and cut to about `max` characters however long it was.
 */
export function quoteValue(value: string, max = 60): string {
  return `"${displayText(JSON.stringify(value).slice(1, -1), { max })}"`;
}

const fail = (option: string, expected: string, value: string): UsageError => new UsageError('bad-value', `${option} must be ${expected} (got ${quoteValue(value)})`);

export interface NumberRule {
  min: number;
  /** true: min itself is refused (> min instead of ≥ min). */
  minExclusive?: boolean;
  max: number;
  /** Whole numbers only. */
  integer?: boolean;
  /** For the messages: "seconds" makes "a number of seconds". */
  unit?: string;
}

/** The range for --help: "> 0 and ≤ 1000", or "0..10080" when both ends are allowed. */
export function rangeText(rule: NumberRule): string {
  if (!rule.minExclusive) return `${rule.min}..${rule.max}`;
  return `> ${rule.min} and ≤ ${rule.max}`;
}

/** What a value must be: "a number of seconds > 0 and ≤ 604800", "a whole number ≥ 1 and ≤ 100000". */
export function expectedNumber(rule: NumberRule): string {
  const what = rule.integer ? 'a whole number' : 'a number';
  const unit = rule.unit ? ` of ${rule.unit}` : '';
  const range = rule.minExclusive ? `> ${rule.min} and ≤ ${rule.max}` : `≥ ${rule.min} and ≤ ${rule.max}`;
  return `${what}${unit} ${range}`;
}

/** Plain decimal notation (an exponent allowed); no hex, no "Infinity", no empty string. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Checks one number against a rule; `undefined` when it is not a number in range. */
function toNumber(text: string, rule: NumberRule): number | undefined {
  const s = text.trim();
  if (!DECIMAL.test(s)) return undefined;
  const n = Number(s) + 0; // -0 -> 0
  if (!Number.isFinite(n) || (rule.integer && !Number.isInteger(n))) return undefined;
  if (rule.minExclusive ? !(n > rule.min) : !(n >= rule.min)) return undefined;
  if (!(n <= rule.max)) return undefined;
  return n;
}

/** A commander argument parser for a number within `rule`. */
export function parseNumber(option: string, rule: NumberRule): (value: string) => number {
  return (value) => {
    const n = toNumber(value, rule);
    if (n === undefined) throw fail(option, expectedNumber(rule), value);
    return n;
  };
}

/** Choices match case-insensitively and come back in their listed spelling. */
function matchChoice<T extends string>(choices: readonly T[], value: string): T | undefined {
  const v = value.trim().toLowerCase();
  return choices.find((c) => c.toLowerCase() === v);
}

/** A commander argument parser for one of `choices`. */
export function parseChoice<T extends string>(option: string, choices: readonly T[]): (value: string) => T {
  return (value) => {
    const c = matchChoice(choices, value);
    if (c === undefined) throw fail(option, `one of ${choices.join(', ')}`, value);
    return c;
  };
}

/** Splits "a,b, c" into its items; an empty list (or an empty item) is refused. */
function items(option: string, value: string, expected: string): string[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw fail(option, expected, value);
  return parts;
}

/**
 * A parser for a repeatable, comma-separated option whose items are each one of `choices`
 * ("--transport ble-legacy,wifi-nan --transport wifi-beacon"); duplicates are dropped.
 */
export function parseChoiceList<T extends string>(option: string, choices: readonly T[]): (value: string, previous?: T[]) => T[] {
  const expected = `one or more of ${choices.join(', ')} (comma separated)`;
  return (value, previous = []) => {
    const picked = items(option, value, expected).map((item) => {
      const c = matchChoice(choices, item);
      if (c === undefined) throw fail(option, expected, item);
      return c;
    });
    return [...new Set([...previous, ...picked])];
  };
}

/** A parser for a comma-separated list of numbers, each within `rule`, at most `maxItems` of them. */
export function parseNumberList(option: string, rule: NumberRule, maxItems: number): (value: string) => number[] {
  const expected = `a comma-separated list of at most ${maxItems} ${rule.integer ? 'whole numbers' : 'numbers'} ${rangeText(rule)}`;
  return (value) => {
    const list = items(option, value, expected).map((item) => toNumber(item, rule));
    if (list.length > maxItems || list.some((n) => n === undefined)) throw fail(option, expected, value);
    return [...new Set(list as number[])];
  };
}

/** Linux numbers its Bluetooth controllers hci0..hci9999 (HCI_MAX_ID). */
export const HCI_INDEX: NumberRule = { min: 0, max: 9999, integer: true };

/** A parser for a Bluetooth controller: "0", "1" or "hci1" -> its index. */
export function parseHciIndex(option: string): (value: string) => number {
  return (value) => {
    const n = toNumber(value.trim().replace(/^hci(?=\d)/i, ''), HCI_INDEX);
    if (n === undefined) throw fail(option, `a Bluetooth controller: N or hciN with N 0..${HCI_INDEX.max}`, value);
    return n;
  };
}

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

/** A parser for a 48-bit address (aa:bb:cc:dd:ee:ff or aa-bb-...), returned in lower case with colons. */
export function parseMacAddress(option: string): (value: string) => string {
  return (value) => {
    const v = value.trim();
    if (!MAC.test(v)) throw fail(option, 'a 48-bit address such as c2:5a:1d:00:00:01', value);
    return v.toLowerCase().replace(/-/g, ':');
  };
}

/** A parser for a repeatable, comma-separated list of 48-bit addresses. */
export function parseMacList(option: string): (value: string, previous?: string[]) => string[] {
  const expected = 'one or more 48-bit addresses such as c2:5a:1d:00:00:01 (comma separated)';
  return (value, previous = []) => {
    const list = items(option, value, expected).map((item) => {
      if (!MAC.test(item)) throw fail(option, expected, item);
      return item.toLowerCase().replace(/-/g, ':');
    });
    return [...new Set([...previous, ...list])];
  };
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/i;

export interface TimeRule {
  /** Earliest and latest time accepted, ms since the epoch. */
  minMs: number;
  maxMs: number;
  /** Also accept seconds since the epoch ("1717236000.5"). */
  epochSeconds?: boolean;
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** A parser for a point in time (ISO 8601, optionally seconds since the epoch) -> ms since the epoch. */
export function parseTime(option: string, rule: TimeRule): (value: string) => number {
  const forms = rule.epochSeconds ? 'an ISO 8601 time or seconds since the epoch' : 'an ISO 8601 time such as 2025-06-01T10:00:00Z';
  const expected = `${forms}, from ${isoDay(rule.minMs)} to ${isoDay(rule.maxMs)}`;
  return (value) => {
    const v = value.trim();
    const ms = rule.epochSeconds && /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : ISO_8601.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms) || ms < rule.minMs || ms > rule.maxMs) throw fail(option, expected, value);
    return ms;
  };
}

/** A parser for a Linux network interface name (what the kernel accepts: 1..15 characters, no "/", ":" or space). */
export function parseInterfaceName(option: string): (value: string) => string {
  return (value) => {
    if (value.length < 1 || value.length > 15 || value === '.' || value === '..' || /[/:\s]/.test(value) || /[^\x21-\x7e]/.test(value)) {
      throw fail(option, 'a network interface name such as wlan1 (1..15 characters, no "/", ":" or spaces)', value);
    }
    return value;
  };
}

/**
 * For commander's exitOverride: its usage errors (unknown option, missing argument, bad command) exit with
 * USAGE_EXIT, --help and --version with 0.
 */
export function exitOnUsageError(err: { exitCode: number }): never {
  process.exit(err.exitCode === 0 ? 0 : USAGE_EXIT);
}

/**
 * For commander's configureOutput({ outputError }): "error: unknown option '--x'" becomes
 * "rid-scan: unknown option '--x'", on one line, with anything a terminal could act on escaped.
 */
export function usageErrorWriter(program: string): (text: string, write: (text: string) => void) => void {
  return (text, write) => {
    const line = text.replace(/\n+$/, '').replace(/\n(?=\(Did you mean)/, ' ');
    const message = line.startsWith('error: ') ? `${program}: ${line.slice(7)}` : line;
    write(`${message.split('\n').map((l) => displayText(l, { max: 1000 })).join('\n')}\n`);
  };
}
