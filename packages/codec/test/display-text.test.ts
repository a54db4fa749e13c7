/** displayText: what a drone or a file says, shown on a terminal without letting it drive the terminal. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISPLAY_TEXT_MAX, displayText } from '../src/index.js';

const BIDI = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const OTHER_INVISIBLE = [0x00ad, 0x180e, 0x200b, 0x2028, 0x2029, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x206a, 0x206f, 0xfeff, 0xfff9, 0xfffa, 0xfffb];
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Everything displayText must never let through, as a pattern (u: a valid surrogate pair is one code point). */
const UNSAFE_OUT = /[\0-\x1f\x7f-\x9f\xad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]/u;
const codePoints = (s: string): number => [...s].length;

describe('displayText', () => {
  it('escapes every C0 control, DEL and every C1 control visibly', () => {
    for (const cp of [...range(0, 0x1f), 0x7f, ...range(0x80, 0x9f)]) {
      const shown = displayText(`a${String.fromCharCode(cp)}b`);
      const expected = cp === 9 ? '\\t' : cp === 10 ? '\\n' : cp === 13 ? '\\r' : `\\x${cp.toString(16).padStart(2, '0')}`;
      expect(shown, `U+${cp.toString(16)}`).toBe(`a${expected}b`);
    }
    expect(displayText('\u001b[2J\u001b[1;31mEVIL\u0007')).toBe('\\x1b[2J\\x1b[1;31mEVIL\\x07');
    expect(displayText('\u001b]0;pwned\u0007')).toBe('\\x1b]0;pwned\\x07');
    expect(displayText('\u009b31m')).toBe('\\x9b31m');
  });

  it('escapes the bidi controls and other invisible format characters as \\uXXXX', () => {
    for (const cp of [...BIDI, ...OTHER_INVISIBLE]) {
      const shown = displayText(`x${String.fromCharCode(cp)}y`);
      const expected = cp <= 0xff ? `\\x${cp.toString(16)}` : `\\u${cp.toString(16).padStart(4, '0')}`;
      expect(shown, `U+${cp.toString(16)}`).toBe(`x${expected}y`);
    }
    // "evil.exe" made to read "exe.live" by an override, shown as what it is.
    expect(displayText('\u202eexe.live')).toBe('\\u202eexe.live');
    // Lone surrogates (never valid text) too; a valid pair is left alone.
    expect(displayText('a\ud800b\udc00c')).toBe('a\\ud800b\\udc00c');
  });

  it('leaves ordinary text alone: every script, Latin-1, emoji and their joiners', () => {
    const samples = [
      '1581F5FHB229F00202DR',
      'FIN87astrdge12k8',
      'Survey flight ~ !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
      String.fromCharCode(...range(0xa0, 0xff).filter((c) => c !== 0xad)),
      'Ελληνικά Кириллица עברית العربية فارسی‌ها हिन्दी‍ 中文 日本語 한국어 ไทย',
      '🚁 ✈️ 👩🏽‍✈️ 👨‍👩‍👧 🏴󠁧󠁢󠁳󠁣󠁴󠁿 🇪🇺 1️⃣',
      '',
    ];
    for (const s of samples) expect(displayText(s, { max: 10_000 })).toBe(s);
  });

  it('caps at the given number of code points, marker included, and says it cut', () => {
    const long = 'A'.repeat(100_000);
    const shown = displayText(long);
    expect(codePoints(shown)).toBeLessThanOrEqual(DISPLAY_TEXT_MAX);
    expect(shown).toMatch(/^A+…\[\d+ more\]$/);
    const notShown = Number(/\[(\d+) more\]/.exec(shown)![1]);
    expect(shown.indexOf('…') + notShown).toBe(100_000);
    // Small caps (table cells) get a bare ellipsis.
    expect(displayText('ABCDEFGHIJ', { max: 5 })).toBe('ABCD…');
    expect(displayText('ABCDE', { max: 5 })).toBe('ABCDE');
    expect(displayText('ABCDEF', { max: 1 })).toBe('…');
    // Either marker on request: a bare one for table cells, a count wherever it fits.
    expect(displayText('A'.repeat(100), { max: 40, counted: false })).toBe(`${'A'.repeat(39)}…`);
    expect(displayText('A'.repeat(100), { max: 20, counted: true })).toBe(`${'A'.repeat(10)}…[90 more]`);
    expect(displayText('A'.repeat(100), { max: 5, counted: true })).toBe('AAAA…');
  });

  it('cuts only between code points and never inside an escape', () => {
    // Emoji are surrogate pairs: a cut must not leave half of one.
    const emoji = '🚁'.repeat(50);
    for (let max = 1; max <= 60; max++) {
      const shown = displayText(emoji, { max });
      expect(codePoints(shown)).toBeLessThanOrEqual(max);
      expect(shown).not.toMatch(UNSAFE_OUT);
      expect(shown.replace(/…(\[\d+ more\])?$/, '')).toMatch(/^(🚁)*$/u);
    }
    const escapes = '\u001b'.repeat(50);
    for (let max = 1; max <= 60; max++) {
      const shown = displayText(escapes, { max });
      expect(codePoints(shown)).toBeLessThanOrEqual(max);
      expect(shown.replace(/…(\[\d+ more\])?$/, '')).toMatch(/^(\\x1b)*$/);
    }
    // The count is of original characters, whatever their escapes' length.
    const shown = displayText('\u001b'.repeat(100), { max: 40 });
    const kept = shown.split('\\x1b').length - 1;
    expect(shown).toBe(`${'\\x1b'.repeat(kept)}…[${100 - kept} more]`);
  });

  it('never lets an unsafe character through and never exceeds the cap (any UTF-16 string)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(...[...range(0, 0x1f), 0x7f, ...range(0x80, 0x9f), ...BIDI, ...OTHER_INVISIBLE, 0x41, 0xe9, 0x4e2d].map((c) => String.fromCharCode(c)), '🚁'), maxLength: 300 }),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 250 }), (s, max) => {
        const shown = displayText(s, { max });
        expect(shown).not.toMatch(UNSAFE_OUT);
        expect(codePoints(shown)).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent for the same cap, so an already-escaped message can pass a sink again', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 1, max: 250 }), (s, max) => {
        const once = displayText(s, { max });
        expect(displayText(once, { max })).toBe(once);
        // A larger cap later (a log line holding a capped value) changes nothing either.
        expect(displayText(once, { max: max + 500 })).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});
