export { ToolkitError, composeErrorMessage, type ToolkitErrorOptions } from '@odid/codec';
export { openCaptureInput, type CaptureInput, type CaptureInputOptions } from './capture-input.js';
export { errorText } from './error-text.js';
export { helpTable, type HelpRow } from './help-table.js';
export { LineSplitter } from './line-splitter.js';
export { runCommand, toolOutput, type CommandResult, type CommandRunner } from './run-command.js';
export {
  HCI_INDEX,
  MAX_DURATION_S,
  MAX_TIMER_MS,
  USAGE_EXIT,
  UsageError,
  exitOnUsageError,
  expectedNumber,
  parseChoice,
  parseChoiceList,
  parseHciIndex,
  parseInterfaceName,
  parseMacAddress,
  parseMacList,
  parseNumber,
  parseNumberList,
  parseTime,
  quoteValue,
  rangeText,
  usageErrorWriter,
  type NumberRule,
  type TimeRule,
} from './options.js';
export { CONFIG_MAX_BYTES, FileTooLargeError, formatBytes, readFileBounded, readFileBoundedSync, readStreamBounded, type BoundedReadOptions } from './bounded-read.js';
export {
  OutputPathError,
  POLICY_HELP,
  type OutputPathErrorCode,
  checkOutputPaths,
  openOutputFile,
  writeFileReplacing,
  type InputSpec,
  type OpenOutputOptions,
  type OutputFile,
  type OutputPolicy,
  type OutputSpec,
} from './output-files.js';
export { STDOUT_CLOSED_EXIT, WRITE_FAILED_EXIT, isStdoutClosed, onStdoutClosed, onStopSignals, stdoutExitCode, writeStdout } from './process-end.js';
