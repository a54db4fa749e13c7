export { RECEIVED_PAYLOAD_TYPES, type DropReason, type ReceivedMessage, type ReceivedPayload } from './types.js';
export { RemoteIdExtractor, type DiagnosticListener, type ExtractOptions, type ExtractStats, type FrameMeta, type TruncatedElementKind } from './extract.js';
export { JsonlWriter, receivedToJson } from './jsonl.js';
