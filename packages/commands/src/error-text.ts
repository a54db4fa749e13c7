/**
 * How every CLI says what went wrong: one line after its name. A ToolkitError carries its subject, reason
 * and fix in its message, composed alike everywhere ("SUBJECT: REASON. Fix: FIX", or "SUBJECT: REASON; FIX"
 * for what the user typed), so the tools print that message and nothing else; anything else thrown (a
 * Node error, a library's) is shown by its message, a non-Error by its text. The CLIs escape and cap the
 * line (displayText) as they do every line they print.
 */

export function errorText(e: unknown): string {
  // A ToolkitError's message is already "SUBJECT: REASON. Fix: FIX": nothing to add.
  return e instanceof Error ? e.message : String(e);
}
