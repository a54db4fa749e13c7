/**
 * What validate() reports: a diagnostic of the validation group, with the value at fault and what the
 * standard allows. `odid decode --hex --validate` prints each as the `issues` entry of decoded-json.md.
 */

import { DIAGNOSTICS, diagnostic, type Diagnostic, type GroupId } from '../diagnostics.js';

export type ValidationDiagnosticId = GroupId<'validation'>;

export interface ValidationIssue extends Diagnostic<ValidationDiagnosticId> {
  /** 'error': a value the standard forbids; 'warning': reserved bits, non-ASCII text, private values. */
  severity: (typeof DIAGNOSTICS)[ValidationDiagnosticId]['severity'];
  /** Field path in the decoded form, e.g. `location.direction` or `messages[2].system.classEU`. */
  path: string;
  value: unknown;
  /** What the standard allows, in words. */
  allowed: string;
  /** The protocol version the judgement was made for. */
  protocolVersion: number;
}

/** The `issues` entry of the decoded JSON: keys and order as decoded-json.md documents them. */
export interface ValidationIssueJson {
  field: string;
  value: unknown;
  allowed: string;
  severity: ValidationIssue['severity'];
  protocolVersion: number;
}

export function validationIssue(id: ValidationDiagnosticId, path: string, value: unknown, allowed: string, protocolVersion: number): ValidationIssue {
  const d = diagnostic(id, `${JSON.stringify(value)}; expected ${allowed}`, { path });
  return { ...d, severity: DIAGNOSTICS[id].severity, path, value, allowed, protocolVersion };
}

/** The same issue one structure further out (a pack member's, seen from the pack): its path prefixed. */
export function issueWithin(issue: ValidationIssue, outerPath: string): ValidationIssue {
  return { ...issue, path: `${outerPath}.${issue.path}` };
}

export function validationIssueToJson(i: ValidationIssue): ValidationIssueJson {
  return { field: i.path, value: i.value, allowed: i.allowed, severity: i.severity, protocolVersion: i.protocolVersion };
}
