/**
 * Typed errors of the codec. Decoding raises only DecodeError; encoding only EncodeError.
 * Tests assert on `code`, never on the message text.
 */

export type DecodeErrorCode =
  | 'truncated' // fewer bytes than the structure needs
  | 'malformed' // bytes present but not a valid structure (bad length field, wrong size byte...)
  | 'unsupported' // a structure we recognise but cannot decode (reserved message type...)
  | 'out-of-range'; // a value the standard forbids and the reference refuses

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    /** Byte offset, from the start of the buffer handed to the decoder, where the problem is. */
    readonly offset: number,
    readonly reason: string,
    /** Where in the decoded structure, e.g. `pack[2].auth.length`. */
    readonly path = '',
  ) {
    super(`${path ? path + ': ' : ''}${reason} (byte ${offset})`);
  }

  /** The same error seen from an enclosing structure: offsets and paths become relative to it. */
  within(outerOffset: number, outerPath: string): DecodeError {
    const path = this.path ? `${outerPath}.${this.path}` : outerPath;
    return new DecodeError(this.code, this.offset + outerOffset, this.reason, path);
  }
}

export type EncodeErrorCode = 'out-of-range' | 'invalid' | 'missing';

export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  constructor(
    readonly code: EncodeErrorCode,
    /** The field at fault, e.g. `location.speedHorizontal` or `pack.messages[3]`. */
    readonly field: string,
    readonly value: unknown,
    /** What would have been accepted, in words: "0..360 or 361 (unknown)". */
    readonly allowed: string,
  ) {
    super(`${field}: ${JSON.stringify(value)} is not allowed; expected ${allowed}`);
  }
}
