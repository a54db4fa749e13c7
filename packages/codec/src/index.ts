export * from './errors.js';
export { toHex, fromHex, formatMac, parseMac } from './bytes.js';
export * from './messages/index.js';
export * from './validate/index.js';
