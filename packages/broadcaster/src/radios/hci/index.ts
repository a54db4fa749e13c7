/** The broadcaster's own HCI layer: command builders, event parsing, transport and controller set-up. */

export * from './address.js';
export * from './advertisers.js';
export * as hciCommands from './commands.js';
export * from './controller.js';
export * from './errors.js';
export * from './events.js';
export * from './opcodes.js';
export * from './socket.js';
export * from './status.js';
export * from './transport.js';
