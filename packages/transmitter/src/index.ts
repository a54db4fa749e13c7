export * from './identity.js';
export * from './messages.js';
export * from './scheduler.js';
export * from './drip.js';
export * from './scene.js';
export type { Transmission } from './transmission.js';
