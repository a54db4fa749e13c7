/**
 * EU operator registration numbers (EN 4709-002 / EASA): the full form `PPPBBBBBBBBBBBBC-SSS` is a
 * 3-letter ISO 3166 country code, 12 lower-case alphanumerics, a check character, a dash and a 3-character
 * secret. Only the first 16 characters are broadcast; the check character covers the secret, so a receiver
 * can only check the format, while the broadcaster, which knows the secret, checks the whole number.
 */

const LUHN36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const PUBLIC_FORMAT = /^[A-Z]{3}[0-9a-z]{12}[0-9a-z]$/;
const FULL_FORMAT = /^([A-Z]{3})([0-9a-z]{12})([0-9a-z])-([0-9a-z]{3})$/;

/** ISO 3166 alpha-3 codes of the EASA member states (EU 27 plus Iceland, Liechtenstein, Norway, Switzerland). */
export const EASA_COUNTRY_CODES: ReadonlySet<string> = new Set(
  ('AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP SWE ' +
    'ISL LIE NOR CHE').split(' '),
);

/** The Luhn mod 36 check character over the 12 base characters followed by the 3 secret characters. */
export function luhnMod36(chars: string): string {
  let sum = 0;
  // Weights 2, 1, 2, ... from the rightmost character.
  for (let i = chars.length - 1, weight = 2; i >= 0; i--, weight = 3 - weight) {
    const v = LUHN36.indexOf(chars[i]!);
    if (v < 0) throw new RangeError(`${JSON.stringify(chars[i])} is not a lower-case alphanumeric character`);
    const p = v * weight;
    sum += Math.floor(p / 36) + (p % 36);
  }
  return LUHN36[(36 - (sum % 36)) % 36]!;
}

export interface OperatorIdCheck {
  valid: boolean;
  problems: string[];
  country?: string;
  /** The 16 characters that are broadcast. */
  publicId?: string;
}

/** What a receiver can check of a broadcast EU operator ID: its 16-character format and country. */
export function checkEuOperatorIdFormat(publicId: string): OperatorIdCheck {
  const problems: string[] = [];
  if (!PUBLIC_FORMAT.test(publicId)) {
    problems.push(
      `"${publicId}" is not an EU operator registration number: expected 3 upper-case letters (country), ` +
        `12 lower-case letters or digits and 1 check character (16 in all, ${publicId.length} given)`,
    );
    return { valid: false, problems };
  }
  const country = publicId.slice(0, 3);
  if (!EASA_COUNTRY_CODES.has(country)) problems.push(`country code ${country} is not an EASA member state`);
  return { valid: problems.length === 0, problems, country, publicId };
}

/**
 * The full check the broadcaster makes on the number its operator configured: format, country, and the
 * check character over base + secret. The result's publicId is what may be broadcast; the secret never is.
 */
export function checkEuOperatorId(full: string): OperatorIdCheck {
  const m = FULL_FORMAT.exec(full);
  if (!m) {
    return {
      valid: false,
      problems: [
        'expected the full EU operator registration number PPPBBBBBBBBBBBBC-SSS: 3 upper-case country letters, ' +
          '12 lower-case letters or digits, the check character, a dash and the 3-character secret',
      ],
    };
  }
  const [, country, base, check, secret] = m as unknown as [string, string, string, string, string];
  const publicId = `${country}${base}${check}`;
  const result = checkEuOperatorIdFormat(publicId);
  const expected = luhnMod36(base + secret);
  if (expected !== check) {
    result.problems.push(`check character is "${check}" but the base and secret give "${expected}": a character is mistyped`);
    result.valid = false;
  }
  return result;
}
