/**
 * ANSI/CTA-2063-A serial numbers: `MMMM L SSS…` — a 4-character manufacturer code, one length character
 * (1-9, A-F for 1..15) and a manufacturer serial of exactly that length. Alphabet: digits and upper-case
 * letters without I and O.
 */

export const CTA2063_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const LENGTH_CHARS = '123456789ABCDEF';
const MANUFACTURER_CODE_LENGTH = 4;

export interface SerialNumberCheck {
  valid: boolean;
  /** Each problem found, in words a person can act on. Empty when valid. */
  problems: string[];
  manufacturerCode?: string;
  serial?: string;
}

export function checkSerialNumber(text: string): SerialNumberCheck {
  const problems: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (!CTA2063_ALPHABET.includes(c)) {
      const hint = c === 'I' || c === 'O' ? ' (I and O are excluded)' : /[a-z]/.test(c) ? ' (letters must be upper case)' : '';
      problems.push(`character ${JSON.stringify(c)} at position ${i + 1} is not allowed${hint}`);
    }
  }
  if (text.length < MANUFACTURER_CODE_LENGTH + 2) {
    problems.push(`too short: ${text.length} characters, at least 6 needed (4 manufacturer code, 1 length, serial)`);
    return { valid: false, problems };
  }
  const manufacturerCode = text.slice(0, MANUFACTURER_CODE_LENGTH);
  const lengthChar = text[MANUFACTURER_CODE_LENGTH]!;
  const serial = text.slice(MANUFACTURER_CODE_LENGTH + 1);
  const declared = LENGTH_CHARS.indexOf(lengthChar) + 1;
  if (declared === 0) {
    problems.push(`length character ${JSON.stringify(lengthChar)} (position 5) must be 1-9 or A-F`);
  } else if (declared !== serial.length) {
    problems.push(`length character ${lengthChar} declares ${declared} serial characters but ${serial.length} follow`);
  }
  return { valid: problems.length === 0, problems, manufacturerCode, serial };
}
