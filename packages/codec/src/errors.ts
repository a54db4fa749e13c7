/**
 * The toolkit's errors. Every error a user can meet is a ToolkitError: a stable `code` to test and branch
 * on, the `reason` (what happened), and where the user can do something about it, the `fix`. The message is
 * composed from them ("SUBJECT: REASON. Fix: FIX"), so every tool prints them alike. Browser-safe: the
 * codec's own errors are ToolkitErrors too. Tests assert on `code`, never on the message text.
 */

export interface ToolkitErrorOptions {
  /** What the user can do about it: a command to run, an option to give. */
  fix?: string;
  /** What the error is about, put before the reason: "ble", "wifi-beacon", "--cot http://x". */
  subject?: string;
  /** The error this one explains. */
  cause?: unknown;
  /**
   * The whole message, for the few errors whose established wording is not "SUBJECT: REASON. Fix: FIX"
   * (a byte offset after the reason, a line that tests and scripts match). Composed when left out.
   */
  message?: string;
}

/** "SUBJECT: REASON. Fix: FIX", each part only when given. */
export function composeErrorMessage(reason: string, opts: Pick<ToolkitErrorOptions, 'subject' | 'fix'> = {}): string {
  return `${opts.subject ? `${opts.subject}: ` : ''}${reason}${opts.fix ? `. Fix: ${opts.fix}` : ''}`;
}

export class ToolkitError extends Error {
  override readonly name: string = 'ToolkitError';
  /** Stable, for programs and tests: "permission", "unknown-scheme". Unique within its class. */
  readonly code: string;
  /** What happened, without the subject or the fix. */
  readonly reason: string;
  /** What the user can do about it; undefined when there is nothing to do but read the reason. */
  readonly fix: string | undefined;
  /** What the error is about (a device, an option and its value, a transport), when it names one. */
  readonly subject: string | undefined;

  constructor(code: string, reason: string, opts: ToolkitErrorOptions = {}) {
    super(opts.message ?? composeErrorMessage(reason, opts), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.reason = reason;
    this.fix = opts.fix;
    this.subject = opts.subject;
  }

  /** The message without the fix: "SUBJECT: REASON", for errors that hand their fix on separately. */
  get headline(): string {
    return composeErrorMessage(this.reason, { subject: this.subject });
  }
}

export type DecodeErrorCode =
  | 'truncated' // fewer bytes than the structure needs
  | 'malformed' // bytes present but not a valid structure (bad length field, wrong size byte...)
  | 'unsupported' // a structure we recognise but cannot decode (reserved message type...)
  | 'out-of-range'; // a value the standard forbids and the reference refuses

/** Decoding raises only this. */
export class DecodeError extends ToolkitError {
  override readonly name = 'DecodeError';
  declare readonly code: DecodeErrorCode;
  constructor(
    code: DecodeErrorCode,
    /** Byte offset, from the start of the buffer handed to the decoder, where the problem is. */
    readonly offset: number,
    reason: string,
    /** Where in the decoded structure, e.g. `pack[2].auth.length`. */
    readonly path = '',
  ) {
    // The byte offset follows the reason: the wording every decode error has always had.
    super(code, reason, { ...(path ? { subject: path } : {}), message: `${path ? path + ': ' : ''}${reason} (byte ${offset})` });
  }

  /** The same error seen from an enclosing structure: offsets and paths become relative to it. */
  within(outerOffset: number, outerPath: string): DecodeError {
    const path = this.path ? `${outerPath}.${this.path}` : outerPath;
    return new DecodeError(this.code, this.offset + outerOffset, this.reason, path);
  }
}

export type EncodeErrorCode = 'out-of-range' | 'invalid' | 'missing';

/** Encoding raises only this. */
export class EncodeError extends ToolkitError {
  override readonly name = 'EncodeError';
  declare readonly code: EncodeErrorCode;
  constructor(
    code: EncodeErrorCode,
    /** The field at fault, e.g. `location.speedHorizontal` or `pack.messages[3]`. */
    readonly field: string,
    readonly value: unknown,
    /** What would have been accepted, in words: "0..360 or 361 (unknown)". */
    readonly allowed: string,
  ) {
    super(code, `${JSON.stringify(value)} is not allowed; expected ${allowed}`, { subject: field });
  }
}
