export * from './clock.js';
export * from './geo.js';
export * from './sources/index.js';
