export { odidProgram } from './program.js';
