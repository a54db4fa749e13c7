export { validate } from './validate.js';
export { validationIssueToJson, type ValidationDiagnosticId, type ValidationIssue, type ValidationIssueJson } from './issue.js';
export { checkSerialNumber, CTA2063_ALPHABET, type SerialNumberCheck } from './serial-number.js';
export { checkEuOperatorId, checkEuOperatorIdFormat, luhnMod36, EASA_COUNTRY_CODES, type OperatorIdCheck } from './operator-id.js';
