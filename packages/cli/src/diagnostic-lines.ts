/**
 * `odid decode`'s stderr lines for diagnostics, and `--warnings LEVEL`. Without the option the lines are
 * what they have always been: the capture file's own damage, without ids; frames' diagnostics are only
 * counted. With it, every diagnostic at LEVEL or worse gets a line, frames' too, ending with its id.
 */

import { SEVERITIES, atLeast, type CaptureWarning, type Diagnostic, type Severity } from '@odid/codec';

/** `--warnings` values, least serious first; `none` prints no diagnostic line (the counts still come). */
export const WARNING_LEVELS = ['none', ...SEVERITIES] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

/** Which diagnostics get a line of their own. */
export interface DiagnosticFilter {
  capture(w: CaptureWarning): boolean;
  /** Undefined when no frame diagnostic is ever printed: the extractor then needs no listener. */
  frame: ((d: Diagnostic) => boolean) | undefined;
}

export function diagnosticFilter(level: WarningLevel | undefined): DiagnosticFilter {
  if (level === undefined) return { capture: () => true, frame: undefined };
  if (level === 'none') return { capture: () => false, frame: undefined };
  const min: Severity = level;
  const keep = (d: Diagnostic): boolean => atLeast(d.severity, min);
  return { capture: keep, frame: keep };
}

/** "warning: byte 1234 (after frame 5): DETAIL", and " [capture.bad-header]" when ids are shown. */
export function captureWarningLine(w: CaptureWarning, withId: boolean): string {
  return `${w.severity}: byte ${w.offset}${w.frame ? ` (after frame ${w.frame})` : ''}: ${w.detail}${withId ? ` [${w.id}]` : ''}`;
}

/** "error: frame 12: ble: bad CRC [link.bad-crc]". */
export function frameDiagnosticLine(d: Diagnostic, frame: number | undefined): string {
  return `${d.severity}: ${frame !== undefined ? `frame ${frame}: ` : ''}${d.detail} [${d.id}]`;
}
