/**
 * Text that came from the air or from a file, made safe to show a person on a terminal.
 *
 * Remote ID text fields are whatever bytes a transmitter sends (decoded byte for byte, `readLatin1Field`),
 * so a hostile drone can put ESC sequences in its UAS ID that clear an officer's screen, recolour it or set
 * the window title, and configuration files can carry the same. Every human-readable sink (tables,
 * warnings, errors, logs) passes such values through `displayText` where they meet the terminal; machine
 * outputs (JSON, GeoJSON, KML, CoT) keep the exact text and their own escaping.
 *
 * - Control and invisible characters are shown as visible escapes: C0 (U+0000–U+001F, `\t` `\n` `\r` by
 *   name, the rest as `\x1b`), DEL and C1 (`\x7f`, `\x80`–`\x9f`), the bidirectional controls (U+061C,
 *   U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, as `\u202e`), and other invisible format characters that
 *   could hide or reorder text: soft hyphen U+00AD (`\xad`), U+180E, zero-width space U+200B, line and paragraph
 *   separators U+2028/U+2029, U+2060–U+2064, U+206A–U+206F, U+FEFF, U+FFF9–U+FFFB, and lone surrogates.
 *   Left alone, as parts of real text: every script, emoji, ZWNJ/ZWJ (U+200C/U+200D, used by Indic and
 *   Persian text and emoji sequences), variation selectors and tag characters (emoji flags).
 * - The result is capped at `max` code points (default 200), cut only between code points and never inside
 *   an escape, and ends with a marker saying so: `…[N more]` (N characters of the original not shown), or
 *   a bare `…` for caps under 32 (table cells) or when `counted: false`.
 * - Backslashes are not escaped, so `displayText` is idempotent (`displayText(displayText(s)) ===
 *   displayText(s)` for the same `max`): a message built from already-escaped values can be passed through
 *   again at its sink. The price is that a literal `\x1b` in the original reads the same as an escaped ESC;
 *   the JSON outputs stay exact for anyone who needs to tell them apart.
 *
 * The cap counts code points, which is terminal columns for everything a Remote ID field can hold
 * (Latin-1); East Asian wide characters and emoji would take two columns each.
 */

/** Default cap: values echoed in error messages and logs. */
export const DISPLAY_TEXT_MAX = 200;

export interface DisplayTextOptions {
  /** The most code points of the result, cut marker included (default DISPLAY_TEXT_MAX; at least 1). */
  max?: number;
  /** Say how much was cut (`…[N more]`) rather than a bare `…`: default for caps of 32 and more. */
  counted?: boolean;
}

// With the u flag a surrogate pair is one code point, so [\ud800-\udfff] matches lone surrogates only.
const UNSAFE = /[\0-\x1f\x7f-\x9f\xad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]/u;

const NAMED: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r' };

/** The escape shown for one code point, or undefined when it is shown as it is. */
function escapeOf(cp: number): string | undefined {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return NAMED[cp] ?? `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0xa0) return undefined;
  if (
    cp === 0xad ||
    cp === 0x061c ||
    cp === 0x180e ||
    cp === 0x200b ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x206f) ||
    cp === 0xfeff ||
    (cp >= 0xfff9 && cp <= 0xfffb) ||
    (cp >= 0xd800 && cp <= 0xdfff)
  ) {
    return cp <= 0xff ? `\\x${cp.toString(16)}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return undefined;
}

const CUT = '…';
const COUNTED_FROM = 32;
const countedMarker = (notShown: number): string => `${CUT}[${notShown} more]`;

/** `value` with control and invisible characters escaped and its length capped: see the file comment. */
export function displayText(value: string, opts: DisplayTextOptions = {}): string {
  const max = Math.max(1, Math.floor(opts.max ?? DISPLAY_TEXT_MAX));
  if (value.length <= max && !UNSAFE.test(value)) return value;

  // One piece per code point of the original: the character itself or its escape. Stops once the
  // pieces are longer than the cap (the rest only needs counting).
  const pieces: string[] = [];
  let used = 0;
  let i = 0;
  while (i < value.length && used <= max) {
    const cp = value.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    const piece = escapeOf(cp) ?? value.slice(i, i + units);
    pieces.push(piece);
    used += cp > 0xffff ? 1 : piece.length;
    i += units;
  }
  if (i >= value.length && used <= max) return pieces.join('');

  let total = pieces.length;
  for (let j = i; j < value.length; j++) {
    const c = value.charCodeAt(j);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && j + 1 < value.length) {
      const d = value.charCodeAt(j + 1);
      if (d >= 0xdc00 && d <= 0xdfff) j++;
    }
    total++;
  }
  // A count only where even the longest one leaves room for some text.
  const counted = (opts.counted ?? max >= COUNTED_FROM) && countedMarker(total).length < max;
  const markerLength = (notShown: number): number => (counted ? countedMarker(notShown).length : CUT.length);
  // Whole pieces while they and the marker still fit (the marker shrinks as more is shown, so the first
  // piece that does not fit ends it).
  let shown = 0;
  let length = 0;
  while (shown < pieces.length) {
    const p = pieces[shown]!;
    const n = p.length === 2 && p.charCodeAt(0) >= 0xd800 && p.charCodeAt(0) <= 0xdbff ? 1 : p.length;
    if (length + n + markerLength(total - shown - 1) > max) break;
    length += n;
    shown++;
  }
  return pieces.slice(0, shown).join('') + (counted ? countedMarker(total - shown) : CUT);
}
