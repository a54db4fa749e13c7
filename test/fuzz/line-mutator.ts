/**
 * Role: the structure-aware mutator of the text targets (`iw` scan output, NMEA), for the coverage-guided
 * fuzzer: the byte mutator breaks a text's structure at once, this one keeps it and damages it line by line
 * and field by field. Lines are dropped, doubled, swapped, cut, or taken from another corpus entry; a number
 * or a hex byte becomes another (a boundary value, a neighbour, a long run of digits); a field is emptied or
 * doubled; indentation changes. `repair` (optional) puts a line's integrity back after the damage (an NMEA
 * checksum), so that most inputs get past the first check.
 */

import type { Random } from '../support/random.js';

const latin1 = new TextDecoder('latin1');
export const textOf = (b: Uint8Array): string => latin1.decode(b);
export const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

const NUMBERS = ['0', '1', '-1', '00', '255', '256', '-128', '127', '65535', '65536', '4294967295', '4294967296', '99999999999999999999', '1e309', '0.5', '-0.50', '.', '-', '59', '60', '61', '23', '24', '90', '91', '180', '181', '360'];
const HEX = ['00', 'ff', '7f', '80', 'dd', 'fa', '0b', 'bc', '0d', 'f0', 'f2', '19', '1a'];

/** Replaces the k-th match of `re` in `line` by what `by` gives for it. */
function replaceNth(line: string, re: RegExp, k: number, by: (m: string) => string): string {
  let i = 0;
  return line.replace(re, (m) => (i++ === k ? by(m) : m));
}

function mutateLine(rng: Random, line: string): string {
  const op = rng.int(8);
  if (op <= 2) {
    // a number: a boundary value, a neighbour, or many digits
    const count = (line.match(/-?\d+(?:\.\d+)?/g) ?? []).length;
    if (count === 0) return line + rng.pick(NUMBERS);
    return replaceNth(line, /-?\d+(?:\.\d+)?/g, rng.int(count), (m) => {
      const r = rng.int(3);
      if (r === 0) return rng.pick(NUMBERS);
      if (r === 1) return String(Number(m) + (rng.float() < 0.5 ? 1 : -1));
      return m.repeat(1 + rng.int(40));
    });
  }
  if (op === 3) {
    // a hex byte of a " xx xx xx" list: changed, dropped or doubled
    const count = (line.match(/\b[0-9a-f]{2}\b/g) ?? []).length;
    if (count === 0) return line;
    const r = rng.int(3);
    return replaceNth(line, /\b[0-9a-f]{2}\b/g, rng.int(count), (m) => (r === 0 ? rng.pick(HEX) : r === 1 ? '' : `${m} ${m}`));
  }
  if (op === 4) {
    // a field (between separators) emptied, doubled or replaced by random printable text
    const parts = line.split(/(?<=[,:*])/);
    const at = rng.int(parts.length);
    const r = rng.int(3);
    parts[at] = r === 0 ? parts[at]!.replace(/[^,:*]*/, '') : r === 1 ? parts[at]! + parts[at]! : String.fromCharCode(...Array.from({ length: rng.int(12) }, () => 32 + rng.int(95)));
    return parts.join('');
  }
  if (op === 5) return line.slice(0, rng.int(line.length + 1)); // cut
  if (op === 6) return rng.float() < 0.5 ? line.replace(/^\t/, '') : `\t${line}`; // indentation
  // a character changed anywhere (control characters, non-ASCII, separators)
  const at = rng.int(line.length + 1);
  const ch = rng.pick(['\t', ' ', ',', '*', '$', ':', '\\', '\r', '\x00', '\x7f', '\xe9', '(', ')', '-', '.', String.fromCharCode(rng.int(256))]);
  return line.slice(0, at) + ch + line.slice(at + (rng.float() < 0.5 ? 1 : 0));
}

/** 1..4 rounds of line-level and field-level damage to `parent`, with lines spliced in from `corpus`. */
export function mutateLines(rng: Random, parent: Uint8Array, corpus: readonly Uint8Array[], repair?: (line: string) => string): Uint8Array {
  const lines = textOf(parent).split('\n');
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(lines.length);
    const op = rng.int(10);
    if (op === 0 && lines.length > 1) lines.splice(at, 1);
    else if (op === 1) lines.splice(at, 0, lines[at]!);
    else if (op === 2) {
      const other = rng.int(lines.length);
      [lines[at], lines[other]] = [lines[other]!, lines[at]!];
    } else if (op === 3 && corpus.length) {
      const donor = textOf(rng.pick(corpus)).split('\n');
      lines.splice(at, 0, ...donor.slice(rng.int(donor.length)).slice(0, 1 + rng.int(4)));
    } else lines[at] = mutateLine(rng, lines[at]!);
  }
  const out = repair && rng.float() < 0.8 ? lines.map(repair) : lines;
  return bytesOf(out.join(rng.float() < 0.1 ? '\r\n' : '\n'));
}
