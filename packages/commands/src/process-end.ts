/**
 * How the command-line tools end when the user or the next program in a pipe says so, the same way for all
 * three (odid, rid-broadcast, rid-scan):
 *
 * - **SIGINT / SIGTERM** (`onStopSignals`): the first one asks the tool to stop — it finishes its outputs
 *   (every file valid, the exports written) and exits within a second, with its usual exit status (0 when
 *   nothing failed: Ctrl-C is how a live run ends). A second signal exits at once (130 / 143).
 * - **A closed stdout** (`onStdoutClosed`): when the reader of a pipe quits (`| head -1`), writing to stdout
 *   fails with EPIPE. Like `cat`, the tool then ends promptly and quietly — no stack trace, nothing on
 *   stderr — with exit status 141 (128 + SIGPIPE, what a shell reports for `cat` killed by SIGPIPE). Any
 *   other stdout failure (`> /dev/full`) is one line on stderr and exit status 1.
 */

/** The exit status after the reader of stdout went away: 128 + SIGPIPE (13), as a shell shows it for cat. */
export const STDOUT_CLOSED_EXIT = 141;
/** The exit status after a write failed (an output, stdout): something the user asked for is missing. */
export const WRITE_FAILED_EXIT = 1;

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Calls `stop` on the first SIGINT or SIGTERM (the tool then finishes its outputs and returns); a second
 * signal exits at once. Returns a function that removes the handlers.
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(SIGNAL_EXIT[signal] ?? 1);
    stopping = true;
    stop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

let stdoutError: NodeJS.ErrnoException | undefined;
let stdoutHooked = false;
const closedHandlers: (() => void)[] = [];

/** True once stdout failed: its reader went away, or a write failed (see onStdoutClosed). */
export const isStdoutClosed = (): boolean => stdoutError !== undefined;

/** The exit status stdout's failure calls for: STDOUT_CLOSED_EXIT (its reader quit), WRITE_FAILED_EXIT, or 0 (none). */
export const stdoutExitCode = (): number =>
  stdoutError === undefined ? 0 : stdoutError.code === 'EPIPE' || stdoutError.code === 'ERR_STREAM_DESTROYED' ? STDOUT_CLOSED_EXIT : WRITE_FAILED_EXIT;

/**
 * Handles stdout's failures for the whole process. A reader that went away (EPIPE) is quiet; any other
 * failure is one line on stderr (`name: cannot write to stdout: ...`). Without `handler` the process then
 * exits at once with stdoutExitCode(); with one, `handler` runs (once) so the tool can finish its other
 * outputs, and exits with stdoutExitCode() itself.
 */
export function onStdoutClosed(name: string, handler?: () => void): void {
  if (handler) closedHandlers.push(handler);
  if (stdoutHooked) return;
  stdoutHooked = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (stdoutError) return;
    stdoutError = e;
    if (stdoutExitCode() !== STDOUT_CLOSED_EXIT) process.stderr.write(`${name}: cannot write to stdout: ${e.message}\n`);
    if (closedHandlers.length === 0) process.exit(stdoutExitCode());
    for (const h of closedHandlers) h();
  });
}

/** Writes to stdout unless its reader has gone; resolves once there is room again (or it went). */
export async function writeStdout(chunk: string | Uint8Array): Promise<void> {
  if (stdoutError || process.stdout.destroyed) return;
  if (process.stdout.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.stdout.off('drain', done);
      process.stdout.off('error', done);
      process.stdout.off('close', done);
      resolve();
    };
    process.stdout.once('drain', done);
    process.stdout.once('error', done);
    process.stdout.once('close', done);
  });
}
