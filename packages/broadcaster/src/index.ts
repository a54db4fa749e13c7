export * from './clock.js';
export * from './identity.js';
export * from './messages.js';
export * from './scheduler.js';
export * from './broadcaster.js';
export * from './scene.js';
export * from './radios/types.js';
export { PcapngSink, randomAddresses, type ByteSink, type SinkAddresses } from './radios/pcapng-sink.js';
export * from './sources/index.js';
