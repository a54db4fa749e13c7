/** Writing XML text (KML, CoT) safely from radio data, which may hold any Latin-1 byte. */

/** Characters XML 1.0 forbids even as references (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F). */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or attribute content: markup escaped, forbidden characters replaced by U+FFFD. */
export function escapeXml(text: string): string {
  return text.replace(FORBIDDEN, '\ufffd').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A number in plain decimal notation (XML Schema's xs:decimal has no exponent), trailing zeros kept. */
export function decimal(value: number, digits: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as a decimal`);
  const s = value.toFixed(digits);
  // toFixed gives "-0.0" for tiny negatives; a signed zero means nothing here.
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** ISO 8601 UTC time from ms since the Unix epoch (xs:dateTime, KML's <when>). */
export const isoTime = (ms: number): string => new Date(ms).toISOString();
