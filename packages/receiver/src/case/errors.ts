/** What stops a case export: typed, so the CLI says it in one line and tests can tell the cases apart. */

import { ToolkitError } from '@odid/codec';

export type CaseErrorCode =
  | 'out-exists' // OUT is there already and --force was not given
  | 'out-not-directory' // OUT is there, and is not a directory
  | 'unknown-uas' // no track in the recordings has that ID
  | 'bad-uas' // the ID given is empty or too long
  | 'unreadable' // a recording could not be read to its end
  | 'changed'; // a recording read differently the second time (it changed while being exported)

export class CaseError extends ToolkitError {
  override readonly name = 'CaseError';
  declare readonly code: CaseErrorCode;
  constructor(code: CaseErrorCode, reason: string, opts: { fix?: string; subject?: string; cause?: unknown } = {}) {
    super(code, reason, opts);
  }
}
