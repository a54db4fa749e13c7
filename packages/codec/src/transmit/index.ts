export { buildAirFrames, type AirFrame, type AirFrameOptions } from './over-the-air.js';
export { packMessages } from './pack-builder.js';
