/**
 * DJI DroneID serials against Remote ID serials (dji-odid-mismatch). A DJI drone broadcasting both gives
 * its serial in each: in Remote ID as an ANSI/CTA-2063-A serial (manufacturer code, length character, the
 * serial: DJI's code is 1581), in DroneID in a 16-byte field — the CTA serial itself (cut to 16 characters
 * when longer) or, on older models, the serial alone. The tracker keeps them in different identity slots
 * (dji-serial, serial), so the two broadcasts of one drone join one track only when one radio address sends
 * both (routing.ts); these say which serials are one drone's, to compare what the two broadcasts claim.
 */

/** Manufacturer code, length character (1-F), then that many characters (spec §5.2). */
const CTA_FORM = /^[0-9A-HJ-NP-Z]{4}[1-9A-F]/;
/** DJI's ANSI/CTA manufacturer code. */
const DJI_MANUFACTURER = '1581';
/** The DroneID serial field's width: longer CTA serials arrive cut to it. */
const DJI_SERIAL_FIELD = 16;

/** The serial part of a well-formed CTA serial (after manufacturer code and length), else undefined. */
function ctaSerialPart(cta: string): string | undefined {
  if (!CTA_FORM.test(cta)) return undefined;
  return cta.length === 5 + parseInt(cta[4]!, 16) ? cta.slice(5) : undefined;
}

/** Whether a DroneID serial and a Remote ID serial name one drone (see above). */
export function serialsCorrespond(dji: string, cta: string): boolean {
  if (dji === cta) return true;
  if (dji.length === DJI_SERIAL_FIELD && cta.length > DJI_SERIAL_FIELD && cta.startsWith(dji)) return true;
  return dji.length > 0 && ctaSerialPart(cta) === dji;
}

/**
 * Whether a DroneID serial is itself in CTA form (whole, or cut to the field), so that a Remote ID serial
 * not corresponding to it is another drone's. A serial in DJI's older form can only be matched, never
 * contradicted: nothing public says which Remote ID serial such a drone broadcasts.
 */
export function isCtaFormDjiSerial(dji: string): boolean {
  if (!CTA_FORM.test(dji)) return false;
  const full = 5 + parseInt(dji[4]!, 16);
  return dji.length === full || (dji.length === DJI_SERIAL_FIELD && full > DJI_SERIAL_FIELD);
}

/** The DroneID serials that would name the drone of Remote ID serial `cta`. */
export function djiSerialsOf(cta: string): string[] {
  const out = [cta];
  const part = ctaSerialPart(cta);
  if (part !== undefined) out.push(part);
  if (cta.length > DJI_SERIAL_FIELD) out.push(cta.slice(0, DJI_SERIAL_FIELD));
  return out;
}

/** The Remote ID serials that would name the drone of DroneID serial `dji` (a cut one is found from the other side). */
export function ctaSerialsOf(dji: string): string[] {
  const out = [dji];
  if (!isCtaFormDjiSerial(dji) && dji.length >= 1 && dji.length <= 15) out.push(DJI_MANUFACTURER + dji.length.toString(16).toUpperCase() + dji);
  return out;
}
