export { AIR_TRANSPORTS, buildAirFrames, type AirFrame, type AirFrameOptions, type AirTransport } from './over-the-air.js';
export { packMessages } from './pack-builder.js';
