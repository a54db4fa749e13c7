export * from './broadcaster.js';
export * from './radios/types.js';
export { PcapngSink, randomAddresses, type ByteSink, type SinkAddresses } from './radios/pcapng-sink.js';
