export * from './errors.js';
export { toHex, fromHex, formatMac, parseMac, concatBytes } from './bytes.js';
export * from './messages/index.js';
export * from './validate/index.js';
export * from './framing/index.js';
export * from './link/index.js';
export * from './capture/index.js';
export * from './receive/index.js';
export * from './transmit/index.js';
