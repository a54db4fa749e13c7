/** The trust package's errors: every one names the file (or key) it is about and what was expected. */

import { ToolkitError } from '@odid/codec';

export type TrustErrorCode =
  | 'bad-file' // not the kind of file expected (identity, endorsement, key), or its contents disagree
  | 'too-large' // past the size bound of its kind
  | 'exists' // an output that would overwrite a file
  | 'key-mismatch' // a private key and an identity that do not belong together
  | 'insecure-key' // a private key file others can read
  | 'unreadable'; // a file or directory that cannot be read at all

export class TrustError extends ToolkitError {
  override readonly name = 'TrustError';
  declare readonly code: TrustErrorCode;
  constructor(code: TrustErrorCode, subject: string, reason: string, fix?: string) {
    super(code, reason, { subject, ...(fix ? { fix } : {}) });
  }
}
