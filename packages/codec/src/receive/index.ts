export { TRANSPORTS, type DropReason, type ReceivedMessage, type ReceivedPayload, type Transport } from './types.js';
export { RemoteIdExtractor, type DropListener, type ExtractOptions, type ExtractStats, type FrameMeta } from './extract.js';
export { receivedToJson } from './jsonl.js';
