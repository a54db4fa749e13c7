/**
 * JSON typed by people (zones, allow-lists): where a syntax error is, by line and column. Node 20's JSON.parse
 * says at best a character offset, and for some errors only quotes the text; this scanner, run only once
 * JSON.parse has failed, finds the first error itself and names it in words.
 */

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, in characters (code points) from the start of the line. */
  column: number;
  /** What is wrong there, e.g. "expected ',' or '}' after a property value, found '\"'". */
  problem: string;
}

/** The value of `text` (a leading byte-order mark is ignored), or where and why it is not JSON. */
export function parseJsonText(text: string): { ok: true; value: unknown } | ({ ok: false } & JsonSyntaxError) {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (e) {
    const found = locateJsonError(body);
    if (found) return { ok: false, ...found };
    // The scanner and V8 disagree: say what V8 said, without a place.
    return { ok: false, line: 1, column: 1, problem: (e as Error).message };
  }
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function locateJsonError(text: string): JsonSyntaxError | undefined {
  const offset = scan(text);
  if (!offset) return undefined;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset.at; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: [...text.slice(lineStart, offset.at)].length + 1, problem: offset.problem };
}

class Located {
  constructor(
    readonly at: number,
    readonly problem: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
/** Deep enough for any zones or allow-list file; deeper is refused rather than overflowing the stack. */
const MAX_DEPTH = 512;

function scan(text: string): Located | undefined {
  const n = text.length;
  let i = 0;
  const show = (): string => {
    if (i >= n) return 'the end of the file';
    const cp = text.codePointAt(i)!;
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ? `character U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : `'${String.fromCodePoint(cp)}'`;
  };
  const fail = (problem: string): never => {
    throw new Located(i, problem);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= n) fail('a string is not closed (no ending ")');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail(`${show()} inside a string (a line break must be written \\n)`);
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else if (e === 'u' && HEX4.test(text.slice(i + 1, i + 5))) i += 5;
        else fail(`invalid escape in a string: \\${e ?? ''}`);
      } else i++;
    }
  };
  const value = (depth: number): void => {
    ws();
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} deep`);
    const c = text[i];
    if (c === undefined) return fail('unexpected end of the file, expected a value');
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === '}') fail("a comma before '}' is not allowed in JSON");
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${show()}`);
        string();
        ws();
        if (text[i] !== ':') fail(`expected ':' after a property name, found ${show()}`);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`expected ',' or '}' after a property value, found ${show()}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === ']') fail("a comma before ']' is not allowed in JSON");
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`expected ',' or ']' after an array element, found ${show()}`);
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) fail(`invalid number`);
      i += m![0].length;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`unexpected ${show()}, expected a value`);
  };
  try {
    value(0);
    ws();
    if (i < n) fail(`unexpected ${show()} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof Located) return e;
    throw e;
  }
}
