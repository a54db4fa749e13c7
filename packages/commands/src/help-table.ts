/**
 * The --help lines of a registry (position sources, outputs): one entry each, the syntax in a column, then
 * what it does and an example, wrapped under itself. A syntax too long for the column puts its text on the
 * next line, so the table stays narrow however long one form is.
 */

export interface HelpRow {
  /** What the user writes: "gpsd://host:port", "--out FILE.kml". */
  syntax: string;
  description: string;
  /** Shown after the description unless it is the syntax itself. */
  example?: string;
}

const COLUMN_MAX = 28;
/** Help text printed after the options is not wrapped by commander: lines stop here. */
const WIDTH = 100;

/** `words` on lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

export function helpTable(rows: readonly HelpRow[], indent = '  '): string {
  const column = Math.min(COLUMN_MAX, Math.max(...rows.map((r) => r.syntax.length)));
  const hang = `${indent}${' '.repeat(column + 2)}`;
  return rows
    .map((r) => {
      // "e.g. EXAMPLE" stays on one line.
      const example = r.example && r.example !== r.syntax ? `e.g. ${r.example}` : undefined;
      const text = wrap(example ? [...`${r.description};`.split(' '), example] : r.description.split(' '), WIDTH - hang.length);
      const first = r.syntax.length > column ? [`${indent}${r.syntax}`, `${hang}${text[0]}`] : [`${indent}${r.syntax.padEnd(column)}  ${text[0]}`];
      return [...first, ...text.slice(1).map((l) => `${hang}${l}`)].join('\n');
    })
    .join('\n');
}
