export { runCommand, toolOutput, type CommandResult, type CommandRunner } from './run-command.js';
